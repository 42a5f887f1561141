/*
 * pii.h - personal-data detection over HTTP requests and DNS names.
 *
 * Two kinds of detectors share one scan of a message:
 * - known values: the household's own phone numbers, emails, names,
 *   device identifiers and home coordinates (the `identities`), each
 *   precomputed in every encoding trackers use (URL, base64, hex, MD5 /
 *   SHA-1 / SHA-256 digests and layered forms) and found in one pass by
 *   a filter and verification (pii_ac.c) whose per-byte cost barely
 *   depends on how many values are configured;
 * - structural detectors driven by rules/personal_data.yaml: coordinates
 *   under location keys, phone numbers, emails, IMEI/IMSI/ICCID/MEID,
 *   Android ID, advertising IDs, MAC addresses, contact lists and image
 *   uploads; faces sent to face services or with face-API keys, face
 *   templates (landmarks, embeddings), lists of other people's
 *   identifiers (the social graph) and home addresses.
 *
 * Each finding is an observation with redacted evidence only: the key or
 * path, a masked sample and a keyed hash (HMAC-SHA-256 with a per-install
 * secret) so repeats can be counted without keeping the value.  Raw
 * values leave the engine only when the lab sets raw_evidence.
 *
 * An engine is built once and never written afterwards, so threads may
 * share it.  A scan runs on a struct pii_scanner made from an engine:
 * the scratch space of one message, the scan in progress and the
 * counters, one per thread.  Scanning allocates nothing.  See
 * docs/personal-data.md.
 */
#ifndef OUTFLOW_PII_H
#define OUTFLOW_PII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_request;
struct ydoc;
struct ynode;

#define PII_MAX_OBS_PER_MSG 32
#define PII_SECRET_LEN 32			/* bytes of the HMAC key */
#define PII_PERMISSION_MAX 95			/* characters of a permission name */
#define PII_LABEL_MAX 64			/* characters of an identity label */
#define PII_DEFAULT_MAX_SCAN (256u << 10)	/* per message */
#define PII_DEFAULT_MAX_FLOW (4u << 20)		/* per flow (pii_scan_http_flow) */

enum pii_where {
	PII_WHERE_PATH,		/* request path, URL-decoded */
	PII_WHERE_QUERY,	/* query string key=value */
	PII_WHERE_HEADER,	/* a header value (Cookie included) */
	PII_WHERE_BODY,		/* request body: form, JSON, multipart part, text */
	PII_WHERE_DNS,		/* DNS query name */
	PII_WHERE_SERVER_NAME,	/* TLS/QUIC SNI */
};

struct pii_obs {
	const char *category;		/* "location.precise", ... (static storage) */
	enum pii_where where;
	char location[128];		/* key, header name, "$.user.lat", part name */
	const char *encoding;		/* "plain", "url", "base64", "hex", "md5",
					 * "sha256+base64", ... (static storage) */
	const char *identity;		/* label, or NULL for structural detections
					 * (owned by the engine) */
	uint8_t confidence;		/* 0-100 */
	char masked[96];		/* redacted sample */
	char hmac[33];			/* hex of the first 16 bytes of HMAC-SHA-256 */
	const char *permission_android;	/* from permissions.yaml, NULL if none */
	const char *permission_ios;
	char raw[128];			/* only when raw_evidence is on; "" otherwise */
	uint64_t cell;			/* a precise coordinate's grid cell
					 * (home_nights.cell_decimals) as a
					 * keyed hash, for the home tracker;
					 * 0 otherwise; never printed */
};

struct pii_result {
	struct pii_obs obs[PII_MAX_OBS_PER_MSG];
	size_t n;
	bool cut;			/* more hits than kept */
};

struct pii_identities;

struct pii_config {
	const char *rules_path;		/* rules/personal_data.yaml */
	const char *permissions_path;	/* rules/permissions.yaml */
	const char *identities_path;	/* YAML with `identities:`; NULL = none */
	const struct pii_identities *identities; /* used when identities_path is
					 * NULL (e.g. from the main config); copied */
	const uint8_t *secret;		/* PII_SECRET_LEN bytes of HMAC key, loaded
					 * once by the caller; NULL: secret_path */
	const char *secret_path;	/* per-install HMAC key; NULL = generate an
					 * ephemeral random key for this run */
	bool raw_evidence;		/* lab opt-in: observations carry raw values */
	size_t max_scan_bytes;		/* per message; 0 = 256 KiB */
	size_t max_flow_bytes;		/* per flow budget; 0 = 4 MiB */
};

struct pii_engine;
struct pii_scanner;

/**
 * Build an engine: load and validate the rules, permissions and
 * identities files, load or create the secret, precompute every form of
 * every identity value and compile the automaton.  On error err gets
 * "PATH:LINE:COL: message" (or "PATH: message").  Returns 0 and *ret, or
 * a negative errno.
 */
int pii_engine_new(const struct pii_config *c, struct pii_engine **ret,
    char *err, size_t errlen);

/** Free an engine; NULL-safe; returns NULL. */
struct pii_engine *pii_engine_free(struct pii_engine *e);

/**
 * A scanner over e: scratch space for one message (allocated now) and
 * zeroed counters.  e must outlive its use by the scanner.  Returns 0 or
 * -ENOMEM.
 */
int pii_scanner_new(const struct pii_engine *e, struct pii_scanner **ret);

/** Free a scanner; NULL-safe; returns NULL. */
struct pii_scanner *pii_scanner_free(struct pii_scanner *s);

/**
 * Scan with e from now on (a new configuration), keeping the counters.
 * The scratch space only grows, so switching back to an engine used
 * before cannot fail.  Returns 0, or -ENOMEM with s unchanged.
 */
int pii_scanner_set_engine(struct pii_scanner *s, const struct pii_engine *e);

/**
 * Scan one HTTP request (all places).  Distinct hits only: the same
 * (category, location, identity, hmac) once per message.  *ret is always
 * written (n = 0 when nothing was found).
 */
void pii_scan_http(struct pii_scanner *s, const struct http_request *req,
    struct pii_result *ret);

/* Bytes a flow has had scanned so far; zero it when the flow starts. */
struct pii_flow_budget {
	uint64_t scanned;
};

/**
 * Like pii_scan_http, charging the bytes scanned to a flow: once the
 * flow has used max_flow_bytes, the rest is not scanned (counted in
 * bytes_cut).  budget may be NULL (then only the per-message cap holds).
 */
void pii_scan_http_flow(struct pii_scanner *s, const struct http_request *req,
    struct pii_flow_budget *budget, struct pii_result *ret);

/** Scan a DNS query name (dotted, as decoded). */
void pii_scan_dns_name(struct pii_scanner *s, const char *qname,
    struct pii_result *ret);

/**
 * Scan a server name (TLS or QUIC SNI) like a DNS name; source ("sni")
 * is the observations' location.
 */
void pii_scan_server_name(struct pii_scanner *s, const char *name,
    const char *source, struct pii_result *ret);

/**
 * Mask in place, with '*', every span of the n bytes at text where a
 * known value (any form of any identity of s's engine) or an e-mail
 * address ("a@b.c", "a%40b.c") occurs.  s may be NULL (e-mails only).
 * Allocates nothing and leaves the scan state alone, so it may run while
 * observations are being reported.  Returns whether anything was masked.
 */
bool pii_mask_text(const struct pii_scanner *s, char *text, size_t n);

/* The home_nights thresholds of rules/personal_data.yaml. */
struct pii_home_rules {
	bool enabled;
	uint8_t confidence;
	unsigned from_hour, to_hour;	/* local time; night wraps midnight
					 * when from_hour > to_hour */
	unsigned min_nights;		/* distinct nights in one cell */
	unsigned window_days;		/* a longer gap starts again */
};

/** e's home_nights thresholds. */
void pii_home_rules(const struct pii_engine *e, struct pii_home_rules *ret);

/** The permissions e maps category to (NULL when none or unknown). */
void pii_category_permissions(const struct pii_engine *e, const char *category,
    const char **ret_android, const char **ret_ios);

/** "path", "query", "header", "body", "dns", "server_name". */
const char *pii_where_name(enum pii_where w);

/** Every category the engine may report, NULL-terminated (static). */
const char *const *pii_category_names(void);

/** Number of identities loaded. */
size_t pii_identity_count(const struct pii_engine *e);

/** Number of patterns (value forms) in the automaton. */
size_t pii_pattern_count(const struct pii_engine *e);

struct pii_stats {
	uint64_t messages;	/* HTTP requests and DNS names scanned */
	uint64_t bytes_scanned;
	uint64_t bytes_cut;	/* bytes past the per-message or per-flow cap */
	uint64_t obs;		/* observations returned */
	uint64_t obs_cut;	/* hits dropped: more than PII_MAX_OBS_PER_MSG,
				 * or fields/hits past the rule limits */
};

/** Copy the scanner's counters (every scan it ran, over all engines). */
void pii_get_stats(const struct pii_scanner *s, struct pii_stats *ret);

/**
 * Read the per-install HMAC key at path, or create it (32 random bytes,
 * mode 0600, O_CREAT|O_EXCL, fsync'ed) when it does not exist.  A key
 * file readable or writable by group or others is refused (-EPERM), as
 * is one of the wrong size (-EINVAL) or a symlink.  Returns 0 and the key
 * in ret_key, or a negative errno with a message in err.
 */
int pii_secret_load_or_create(const char *path,
    uint8_t ret_key[PII_SECRET_LEN], char *err, size_t errlen);

/* Kinds of identity values (the keys of an `identities` entry). */
enum pii_kind {
	PII_KIND_PHONE,
	PII_KIND_EMAIL,
	PII_KIND_NAME,
	PII_KIND_IMEI,
	PII_KIND_AD_ID,
	PII_KIND_ANDROID_ID,
	PII_KIND_MAC,
	PII_KIND_OTHER,
	PII_KIND_MAX,
};

struct pii_value {
	enum pii_kind kind;
	char *value;			/* as written in the file */
};

struct pii_identity {
	char *label;
	struct pii_value *values;
	size_t nvalues;
	bool has_home;
	double home_lat, home_lon, home_radius_m;
};

struct pii_identities {
	struct pii_identity *v;
	size_t n;
};

/**
 * Load `identities:` from a YAML file (other top-level keys are left to
 * the caller's own config validator).  Errors are "PATH:LINE:COL: msg".
 * Returns 0 and *ret, or a negative errno.
 */
int pii_identities_load_file(const char *path, struct pii_identities **ret,
    char *err, size_t errlen);

/** Same over len bytes at buf; name is used in messages. */
int pii_identities_load_string(const char *name, const char *buf, size_t len,
    struct pii_identities **ret, char *err, size_t errlen);

/**
 * Validate and copy the value of an `identities:` key (a list of
 * entries) from an already loaded document, e.g. the main config.
 */
int pii_identities_from_node(const struct ydoc *d, const struct ynode *list,
    struct pii_identities **ret, char *err, size_t errlen);

/** Free identities; NULL-safe; returns NULL. */
struct pii_identities *pii_identities_free(struct pii_identities *ids);

/** Category an identity value kind is reported under ("phone", ...). */
const char *pii_kind_category(enum pii_kind k);

#endif
