/*
 * pii_int.h - interfaces between the personal-data modules (not public).
 *
 * pii.c drives a scan: it splits a message into fields (pii_json.c),
 * runs the automaton over each (pii_ac.c, patterns from pii_forms.c) and
 * hands each field to the structural detectors (pii_struct.c), which
 * report through pii_emit().  Tests include this header to reach the
 * pieces one by one.
 */
#ifndef OUTFLOW_PII_INT_H
#define OUTFLOW_PII_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pii.h"

struct ydoc;

/* ---------------------------------------------------------------- AC */

/* Boundary a match must have on both sides (checked on the input bytes). */
enum pii_ac_bound {
	PII_AC_BOUND_NONE = 0,
	PII_AC_BOUND_ALNUM,	/* neighbours are not [A-Za-z0-9] */
	PII_AC_BOUND_DIGIT,	/* neighbours are not [0-9] */
};

struct pii_ac;

/**
 * Called for every match, end exclusive.  Return false to stop the scan.
 */
typedef bool pii_ac_cb(void *arg, uint32_t id, size_t start, size_t end);

/*
 * Multi-pattern matcher for known values (pii_ac.c: a window filter and
 * verification; it was an Aho-Corasick automaton, hence the names).
 */

/** New empty matcher. */
int pii_ac_new(struct pii_ac **ret);
/** Free; NULL-safe; returns NULL. */
struct pii_ac *pii_ac_free(struct pii_ac *ac);
/**
 * Add a pattern (len 1..PII_AC_MAX_PATLEN) with a caller id.  nocase
 * matches ASCII letters in any case; otherwise the match is verified
 * byte for byte.  Only before pii_ac_compile.  Returns 0 or -ENOMEM,
 * -EINVAL (empty or too long, or already compiled).
 */
int pii_ac_add(struct pii_ac *ac, const void *pat, size_t len, bool nocase,
    enum pii_ac_bound bound, uint32_t id);
#define PII_AC_MAX_PATLEN 512
/** Choose anchors, build filters and tables; then scans may run. */
int pii_ac_compile(struct pii_ac *ac);
/**
 * One pass over buf: every pattern occurrence (overlaps included) that
 * passes its case and boundary checks is reported in end order (at one
 * end, longer patterns first, then the later added first).
 */
void pii_ac_scan(const struct pii_ac *ac, const uint8_t *buf, size_t len,
    pii_ac_cb *cb, void *arg);
/** Patterns added. */
size_t pii_ac_npatterns(const struct pii_ac *ac);
/** Distinct anchor windows after compile (the index's size). */
size_t pii_ac_nstates(const struct pii_ac *ac);
/** Bytes held by the compiled tables. */
size_t pii_ac_memory(const struct pii_ac *ac);
#ifdef OUTFLOW_TESTING
/**
 * Tests only (OUTFLOW_TESTING builds), before compile: 2^filter_log2
 * filter words and 2^table_log2 candidate buckets per class (0: the usual
 * size), to force collisions.
 */
void pii_ac_test_sizes(struct pii_ac *ac, unsigned filter_log2,
    unsigned table_log2);
#endif

/* ------------------------------------------------------------ forms */

/**
 * One encoded form of a value: bytes to look for, whether case may vary,
 * the boundary it needs and the name of the encoding chain.
 */
typedef int pii_form_cb(void *arg, const char *form, size_t len, bool nocase,
    enum pii_ac_bound bound, const char *encoding);

/**
 * Generate every form of value (of kind k) once (duplicates are removed),
 * calling cb for each.  Returns 0, -EINVAL when the value is unusable for
 * its kind (e.g. a phone with fewer than 5 digits), or cb's error.
 */
int pii_forms_generate(enum pii_kind k, const char *value, pii_form_cb *cb,
    void *arg);

/**
 * Canonical form of a value, the one that is hashed: E.164 with '+' for
 * phones, lower case for emails, names, hex and UUID identifiers, MACs as
 * lower-case colon-separated.  Returns 0 or -EINVAL.
 */
int pii_canonical(enum pii_kind k, const char *value, char *out, size_t outlen);

/* Kinds of masks for evidence. */
enum pii_mask_kind {
	PII_MASK_GENERIC,	/* first 4 chars, then stars */
	PII_MASK_PHONE,		/* "+1 202 *** **42" */
	PII_MASK_EMAIL,		/* "em***@example.org" */
	PII_MASK_NAME,		/* "E*** L**" */
	PII_MASK_MAC,		/* "3c:22:fb:**:**:**" */
};

/** Masked sample of s (len bytes) into out (always NUL-terminated). */
void pii_mask(enum pii_mask_kind k, const char *s, size_t len, char *out,
    size_t outlen);

/** Mask kind for an identity value kind. */
enum pii_mask_kind pii_kind_mask(enum pii_kind k);

/* Encoders used by the forms and by tests (out NUL-terminated; return
 * the length, or 0 when out is too small). */
size_t pii_b64_encode(const uint8_t *in, size_t len, bool url, bool pad,
    char *out, size_t outlen);
size_t pii_b32_encode(const uint8_t *in, size_t len, char *out, size_t outlen);
size_t pii_hex_encode(const uint8_t *in, size_t len, bool upper, char *out,
    size_t outlen);
size_t pii_url_encode(const char *in, size_t len, bool plus, char *out,
    size_t outlen);
/** URL-decode (%XX, and '+' as space when plus); out may equal in. */
size_t pii_url_decode(const char *in, size_t len, bool plus, char *out,
    size_t outlen);

/* ---------------------------------------------------- coordinates */

/** WGS-84 to GCJ-02 (identity outside China, as the standard does). */
void pii_wgs_to_gcj(double lat, double lon, double *ret_lat, double *ret_lon);
/** GCJ-02 to BD-09. */
void pii_gcj_to_bd(double lat, double lon, double *ret_lat, double *ret_lon);
/** Great-circle distance in metres. */
double pii_distance_m(double lat1, double lon1, double lat2, double lon2);

/* ----------------------------------------------------------- fields */

/*
 * One scalar of a message: a query/form pair, a header, a JSON scalar, a
 * multipart part, or a whole free-text region (key_len 0).  Strings are
 * not NUL-terminated except path.
 */
struct pii_field {
	const char *key;	/* member/param name ("" for free text) */
	size_t key_len;
	const char *parent;	/* enclosing member name (JSON), or "" */
	size_t parent_len;
	const char *path;	/* NUL-terminated location, e.g. "$.user.lat" */
	const uint8_t *val;	/* decoded value */
	size_t val_len;
	const uint8_t *raw;	/* value as sent (for encoded known values) */
	size_t raw_len;
	uint32_t obj;		/* id of the enclosing object: pairs lat/lon */
	bool is_text;		/* free text: only the anywhere-detectors run */
	bool is_number;		/* JSON number literal */
	bool in_list;		/* an item of a key=value list inside a
				 * value: known values were looked for in
				 * the whole value already */
	uint8_t depth;		/* nesting of embedded bodies (bounded) */
	enum pii_where where;	/* set by the engine */
};

/** Receives fields; return false to stop splitting. */
typedef bool pii_field_cb(void *arg, const struct pii_field *f);

/* Bounded scratch the splitters decode into. */
struct pii_buf {
	uint8_t *p;
	size_t len, cap;
};

/** Bump-allocate n bytes from b; NULL when full. */
uint8_t *pii_buf_alloc(struct pii_buf *b, size_t n);

#define PII_JSON_MAX_DEPTH 32

/**
 * Walk a JSON text, calling cb for every scalar (strings unescaped into
 * sb).  prefix starts each path ("$" normally).  *ret_obj is the next
 * free object id, advanced by the objects and arrays seen.  Stops at the
 * first syntax error and on reaching max_depth (what was walked before is
 * kept).  Returns true when the whole text parsed.
 */
bool pii_json_walk(const uint8_t *buf, size_t len, const char *prefix,
    unsigned max_depth, struct pii_buf *sb, uint32_t *ret_obj,
    pii_field_cb *cb, void *arg);

/**
 * Split a[=b]&c=d... (query strings, form bodies, cookies with sep ';'),
 * URL-decoding keys and values into sb ('+' is a space when plus).
 */
void pii_form_split(const uint8_t *buf, size_t len, char sep, bool plus,
    const char *prefix, struct pii_buf *sb, uint32_t obj, pii_field_cb *cb,
    void *arg);

/**
 * Split a list of key=value (or key:value) items carried inside one
 * value: a custom header ("imei=...; mac=..."), a cookie's value
 * ("v=1|mac:..."), a form value.  Items end at ';', ',', '&' or '|'; an
 * item is a pair only when its key looks like a name (a letter, then
 * letters, digits, '_', '-', '.'; at most 48 bytes), so "12:34:56" and
 * "https://..." are not.  Values are trimmed, unquoted and URL-decoded
 * into sb; keys are given after prefix in the path.  Fields have
 * in_list set.  Returns how many pairs were given to cb.
 */
size_t pii_kv_list_split(const uint8_t *buf, size_t len, const char *prefix,
    struct pii_buf *sb, uint32_t obj, pii_field_cb *cb, void *arg);

/* One multipart part. */
struct pii_part {
	const char *name;	/* form-data name, NUL-terminated ("" if none) */
	const char *filename;
	const char *content_type;
	const uint8_t *body;
	size_t body_len;
};

typedef bool pii_part_cb(void *arg, const struct pii_part *p);

/**
 * Split a multipart body with the boundary of content_type (at most
 * max_parts parts).  Returns the number of parts seen, or -1 when the
 * content type has no usable boundary.
 */
int pii_multipart_split(const uint8_t *buf, size_t len,
    const char *content_type, unsigned max_parts, struct pii_buf *sb,
    pii_part_cb *cb, void *arg);

/* ------------------------------------------------------------- rules */

struct pii_keyset {
	char **exact;		/* normalized: lower case, alnum only */
	size_t nexact;
	char **contains;
	size_t ncontains;
};

enum pii_det {
	PII_DET_LOCATION,
	PII_DET_PHONE,
	PII_DET_EMAIL,
	PII_DET_IMEI,
	PII_DET_MEID,
	PII_DET_IMSI,
	PII_DET_ICCID,
	PII_DET_ANDROID_ID,
	PII_DET_AD_ID,
	PII_DET_OAID,
	PII_DET_MAC,
	PII_DET_CONTACTS,
	PII_DET_IMAGE,
	PII_DET_FACE,		/* face-API keys; services (pii_face.c) */
	PII_DET_FACE_TEMPLATE,	/* embedding keys; landmark keys below */
	PII_DET_SOCIAL,		/* keys of lists of other people */
	PII_DET_HOME_ADDRESS,	/* address context keys */
	PII_DET_HOME_NIGHTS,	/* no keys: thresholds for detect/home.c */
	PII_DET_PLACE,		/* coarse place: location context keys */
	PII_DET_MAX,
};

/* Bits of a key-class mask (pii_key_classes): PII_DET_* for each
 * detector's keys, then the location detector's extra sets. */
enum pii_keyclass {
	PII_KC_LAT = PII_DET_MAX,
	PII_KC_LON,
	PII_KC_XY,
	PII_KC_XY_CONTEXT,
	PII_KC_LANDMARK,	/* face_template: landmarks */
	PII_KC_STREET,		/* home_address: street, postcode, city */
	PII_KC_POSTCODE,
	PII_KC_CITY,
	PII_KC_PLACE_CITY,	/* coarse_place: city, region, country, */
	PII_KC_PLACE_REGION,
	PII_KC_PLACE_COUNTRY,
	PII_KC_PLACE_ELSEWHERE,	/* and keys naming somewhere else */
	PII_KC_MAX,
};

/*
 * A face-recognition service (detectors.face.services): host patterns
 * ('*' one label, leading "*." any subdomain), path prefixes, and the
 * operations that are face ones when the host serves more.
 */
struct pii_face_service {
	char *vendor;
	char **hosts, **paths, **actions, **body_words, **vendor_hosts;
	size_t nhosts, npaths, nactions, nbody_words, nvendor_hosts;
};

/* Every key set compiled into one hash table (built at load). */
struct pii_keytab;

struct pii_rules {
	struct pii_keyset keys[PII_DET_MAX];
	uint8_t confidence[PII_DET_MAX];
	bool enabled[PII_DET_MAX];
	/* location */
	struct pii_keyset lat_keys, lon_keys, xy_keys, xy_context;
	unsigned precise_min_decimals, min_decimals;
	/* phone */
	unsigned phone_min_digits, phone_max_digits;
	/* email */
	char **tld_deny;
	size_t ntld_deny;
	/* imsi */
	unsigned mcc_min, mcc_max;
	/* mac */
	bool mac_anywhere;
	/* contacts */
	unsigned contacts_min;
	/* face */
	struct pii_face_service *face_services;
	size_t nface_services;
	/* face_template */
	struct pii_keyset landmark_keys;
	unsigned face_min_points, face_min_dims, face_max_dims;
	/* social_graph */
	unsigned social_min;
	/* home_address */
	struct pii_keyset street_keys, postcode_keys, city_keys;
	/* coarse_place */
	struct pii_keyset place_city, place_region, place_country,
	    place_elsewhere;
	/* home_nights */
	unsigned night_from, night_to, min_nights, window_days, cell_decimals;
	/* limits */
	unsigned max_fields, max_json_depth, max_parts, max_hits;
	/* normalized key -> key-class masks */
	struct pii_keytab *keytab;
};

/** Load and validate rules/personal_data.yaml. */
int pii_rules_load_file(const char *path, struct pii_rules **ret, char *err,
    size_t errlen);
int pii_rules_load_string(const char *name, const char *buf, size_t len,
    struct pii_rules **ret, char *err, size_t errlen);
struct pii_rules *pii_rules_free(struct pii_rules *r);

/** Whether a key (any case/separators) belongs to ks (linear; tests). */
bool pii_key_match(const struct pii_keyset *ks, const char *key, size_t len);
/**
 * Every key set a key belongs to, as a mask of 1u << PII_DET_* /
 * PII_KC_*: two hash probes for the whole key and its last word, and one
 * pass over the key for the `contains` strings.  Same rule as
 * pii_key_match.
 */
uint32_t pii_key_classes(const struct pii_rules *r, const char *key,
    size_t len);

/* ------------------------------------------------ structural detection */

/* A finding handed from a detector to the engine. */
struct pii_hit {
	const char *category;
	const struct pii_field *field;	/* where it was */
	const char *encoding;
	const char *identity;
	uint8_t confidence;
	const char *canon;		/* value to hash */
	size_t canon_len;
	const char *masked;
	const char *hmac;		/* precomputed, or NULL to compute */
	bool has_coord;			/* a coordinate pair: check the homes */
	double lat, lon;
	bool contact;			/* a phone or e-mail: counts for contacts */
};

typedef void pii_hit_cb(void *arg, const struct pii_hit *h);

/* Per-message state of the structural detectors (pairs, contacts). */
#define PII_STRUCT_MAX_COORD 16
#define PII_STRUCT_MAX_CONTACT 16
#define PII_STRUCT_MAX_SOCIAL 64	/* social_graph.min_items at most */
struct pii_coord_cand {
	const struct pii_field *field;	/* = &f */
	struct pii_field f;		/* copy: the walker reuses its buffers */
	char path[128];
	double v;
	unsigned decimals;
	bool is_lat;
};

/*
 * Key classes of recently seen field keys: the same few hundred names
 * (query parameters, JSON keys, headers) recur across messages, and
 * classifying one costs a normalisation and a probe per substring length.
 * Direct-mapped; kept across messages (pii_struct_begin leaves it).
 */
#define PII_KEY_MEMO 512
#define PII_KEY_MEMO_LEN 31
struct pii_key_memo {
	uint32_t mask;
	uint8_t len;			/* 0: empty */
	char key[PII_KEY_MEMO_LEN];
};

/* Bound on the objects with a place the coarse-place detector tracks. */
#define PII_STRUCT_MAX_PLACE 8

/* One object (JSON object, query, form, header list) holding a place. */
struct pii_place_obj {
	uint32_t obj;
	unsigned parts;		/* 1 << PII_KC_PLACE_{CITY,REGION,COUNTRY} */
	bool context;		/* under a location key ("geo", "ip_city") */
	bool vetoed;		/* a street or postcode: an address, or a key
				 * naming somewhere else ("destination") */
	uint64_t hash;		/* keyed hash of the values, for the canon */
	struct pii_field f;	/* the first place field, for the location */
	char path[128];
};

struct pii_struct_state {
	const struct pii_rules *memo_rules;	/* the rules memo[] is for */
	struct pii_key_memo memo[PII_KEY_MEMO];
	struct pii_coord_cand cand[PII_STRUCT_MAX_COORD];
	size_t ncand;
	uint64_t contact_hash[PII_STRUCT_MAX_CONTACT];
	size_t ncontact;
	bool vcard;
	struct pii_field vcard_field;
	char vcard_path[128];
	/* faces: a face-API key, a base64 image in a field */
	bool face_word, face_image;
	struct pii_field face_field;
	char face_path[128];
	/* face templates: landmark numbers in the message; the embedding
	 * array being counted (its container's id) */
	unsigned landmark_numbers;
	struct pii_field landmark_field;
	char landmark_path[128];
	uint32_t emb_obj;
	unsigned emb_count;
	struct pii_field emb_field;
	char emb_path[128];
	bool template_done;
	/* social graph: distinct identifiers (keyed hashes), hex digests
	 * among them, the last object counted (one per listed person) */
	uint64_t social_hash[PII_STRUCT_MAX_SOCIAL];
	size_t nsocial, nsocial_digest;
	size_t digest_len;
	uint32_t social_obj;
	struct pii_field social_field;
	char social_path[128];
	/* home address: parts seen in the current object */
	uint32_t addr_obj;
	unsigned addr_parts;
	uint64_t addr_hash;		/* keyed hash of the parts' values */
	bool addr_done;
	/* coarse place: the objects holding a city, region or country */
	struct pii_place_obj place[PII_STRUCT_MAX_PLACE];
	size_t nplace;
};

/** Start a message. */
void pii_struct_begin(struct pii_struct_state *st);
/** Run every field detector on f. */
void pii_struct_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, pii_hit_cb *cb, void *arg);
/** Whole-message detectors (lat/lon pairs, contacts). */
void pii_struct_end(const struct pii_rules *r, struct pii_struct_state *st,
    pii_hit_cb *cb, void *arg);
/** Image magic or content type; category media.image when true. */
bool pii_struct_is_image(const uint8_t *buf, size_t len,
    const char *content_type, bool *ret_magic);

/**
 * Coordinate pairs in free text ("38.89,-77.03", "lng,lat", ...), for
 * the home check: calls cb(arg, a, b) for each pair of decimal numbers
 * with at least one decimal, in the order written.
 */
void pii_text_pairs(const uint8_t *buf, size_t len,
    void (*cb)(void *arg, double a, double b, unsigned decimals), void *arg);
#ifdef OUTFLOW_TESTING
/* The same by looking at every byte: the reference the tests hold it to
 * (OUTFLOW_TESTING builds only). */
void pii_text_pairs_every_byte(const uint8_t *buf, size_t len,
    void (*cb)(void *arg, double a, double b, unsigned decimals), void *arg);
#endif

/* ------------------------------------------------------------ faces */

/** Load detectors.face.services (a list) into r; errors FILE:LINE:COL. */
int pii_face_services_load(const struct ydoc *d, const struct ynode *list,
    struct pii_rules *r, char *err, size_t errlen);
/** Free r's face services. */
void pii_face_services_free(struct pii_rules *r);

/* What of a request names a face service. */
struct pii_face_req {
	const char *host;		/* Host header, port allowed; may be NULL */
	const char *path;		/* may be NULL */
	const char *action;		/* Action=, X-TC-Action, X-Amz-Target */
	size_t action_len;
	const uint8_t *body;
	size_t body_len;
};

/**
 * The face service a request is sent to, or NULL.  *ret_vendor_host gets
 * the service whose vendor_hosts hold the host (a hint), or NULL.
 */
const struct pii_face_service *pii_face_service_match(
    const struct pii_rules *r, const struct pii_face_req *q,
    const struct pii_face_service **ret_vendor_host);

/** Whether host (no port, any case) matches pattern ('*' one label,
 * leading "*." any subdomain or none). */
bool pii_host_match(const char *pattern, const char *host, size_t len);

/**
 * Decimal numbers in a string separated by commas, spaces or
 * semicolons ("0.12,-0.5 3e-2"): how many, or 0 when anything else is in
 * it.  *ret_decimals counts those with a '.' or an exponent.
 */
size_t pii_float_list(const uint8_t *p, size_t n, size_t *ret_decimals);

/**
 * Whether n bytes of base64 decode to min_dims..max_dims float32 values
 * that look like an embedding (finite, nearly all below 64 in size).
 */
bool pii_b64_floats(const uint8_t *p, size_t n, unsigned min_dims,
    unsigned max_dims);

/** Whether a field value is a base64 JPEG or PNG (or a data: URL). */
bool pii_b64_image(const uint8_t *p, size_t n);

/** Luhn check over a string of digits. */
bool pii_luhn_ok(const char *d, size_t n);

/** Value of a hex digit, or -1. */
static inline int
pii_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
