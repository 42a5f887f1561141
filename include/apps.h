/*
 * apps.h - app and SDK attribution from rules/apps.yaml.
 *
 * A pack lists apps (kind "app"), third-party SDKs ("sdk") and phone-vendor
 * system telemetry ("os"), each with its vendor and the vendor's control
 * jurisdiction, and the signatures that name it on the wire: domain
 * suffixes (SNI, HTTP Host, DNS-learned names), Android package names
 * (User-Agent tokens and X-Requested-With), other User-Agent tokens, JA4
 * fingerprints, server-certificate organisations and ASNs (weak hint).
 *
 * Everything is compiled into hash tables at load time; matching never
 * allocates and never scans the pattern lists:
 *  - domains: one hash probe per label of the queried name, longest
 *    suffix first, so "weixin.qq.com" beats "qq.com";
 *  - User-Agent: the UA is split into tokens on " /;(),:[]\"\t" and each
 *    token (and each dot-prefix of a dotted token, longest first, so
 *    "com.zhiliaoapp.musically.go" still finds "com.zhiliaoapp.musically")
 *    is probed once;
 *  - X-Requested-With, JA4, certificate O=, ASN: one exact probe.
 * All string comparisons are ASCII case-insensitive.
 *
 * A domain may carry a vendor override (vendor_by_domain in the pack):
 * TikTok's US service names are run by TikTok USDS Joint Venture LLC (US)
 * while the same app elsewhere is ByteDance-controlled (CN).
 *
 * The loaded struct apps is immutable and may be shared by readers.
 */
#ifndef OUTFLOW_APPS_H
#define OUTFLOW_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPS_MAX_APPS		4096	/* entries per pack */
#define APPS_MAX_PATTERN	253	/* bytes per domain or pattern */
#define APPS_MAX_UA_SCAN	2048	/* bytes of a User-Agent examined */
#define APPS_MAX_UA_TOKENS	64	/* tokens of a User-Agent examined */

/** One app, SDK or OS-telemetry entry of the pack. */
struct app {
	const char *id;			/* slug, unique in the pack */
	const char *name;
	const char *kind;		/* "app", "sdk" or "os" */
	const char *vendor;
	const char *vendor_jurisdiction;	/* ISO 3166-1 alpha-2, ZZ = unknown */
	const char *confidence;		/* "high", "medium" or "low" */
	uint16_t index;			/* position in the pack */
};

/** What named the app. */
enum app_evidence {
	APP_EV_NONE,
	APP_EV_SNI,
	APP_EV_HTTP_HOST,
	APP_EV_DNS,
	APP_EV_USER_AGENT,
	APP_EV_REQUESTED_WITH,
	APP_EV_JA4,
	APP_EV_CERT_ORG,
	APP_EV_ASN,
	APP_EV_PROXY_TARGET,	/* the name a proxy was asked to connect to */
};

/** Result of a match; pointers live as long as the struct apps. */
struct app_match {
	const struct app *app;
	enum app_evidence evidence;
	uint8_t confidence;		/* 0-100 */
	const char *matched;		/* the suffix/pattern that matched */
	const char *vendor;		/* after any per-domain override */
	const char *vendor_jurisdiction;
};

/** Everything one flow offers for attribution; any field may be NULL/0. */
struct app_flow_evidence {
	const char *sni;
	const char *http_host;
	const char *dns_name;		/* name the client resolved for the server */
	const char *proxy_target;	/* CONNECT or SOCKS target name */
	const char *user_agent;
	const char *requested_with;	/* Android X-Requested-With */
	const char *ja4;
	const char *cert_org;		/* server certificate subject O= */
	uint32_t asn;			/* destination ASN, 0 = unknown */
};

struct apps;

/**
 * Load and validate a pack.  Errors (unknown key, wrong type, duplicate
 * id, a domain/package/pattern listed twice, kind not app/sdk/os, bad ISO
 * code, malformed domain) give "FILE:LINE:COL: message" in err.
 * Returns 0 and *ret, or -EINVAL, -ENOMEM, -E2BIG or an open/read -errno.
 */
int apps_load(const char *path, struct apps **ret, char *err,
    size_t errlen);

/** Same as apps_load() over len bytes at buf; name is used in messages. */
int apps_load_string(const char *name, const char *buf, size_t len,
    struct apps **ret, char *err, size_t errlen);

/** Free a pack.  Accepts NULL; returns NULL. */
struct apps *apps_free(struct apps *a);

/** Number of entries in the pack. */
size_t apps_count(const struct apps *a);

/** Entry by index (< apps_count()), or NULL. */
const struct app *apps_get(const struct apps *a, size_t index);

/** Entry by id, or NULL (linear; for tests and configuration, not flows). */
const struct app *apps_find(const struct apps *a, const char *id);

/**
 * Longest-suffix match of a host name (SNI, Host, DNS name).  Case is
 * ignored, one trailing dot is ignored, a ":port" is not stripped (callers
 * pass bare names).  Costs one hash probe per label.  Under a cloud
 * namespace (cloud_hosts) only a longer listed name or a vendor word
 * (host_words) that is a whole '-'/'.' word of a tenant label matches, one
 * probe per word; a name that matched nothing else is tried once more by
 * the first word of its label before the TLD ("tiktokcdn-in.com").  Fills
 * *ret with evidence APP_EV_SNI and confidence 90 (80 for a vendor word),
 * less 10/25 for entries marked medium/low (apps_attribute() re-labels
 * Host and DNS matches).
 */
bool apps_match_domain(const struct apps *a, const char *domain,
    struct app_match *ret);

/** Token match of a User-Agent (see the file comment); confidence 95. */
bool apps_match_user_agent(const struct apps *a, const char *ua,
    struct app_match *ret);

/** Exact package match of an X-Requested-With value; confidence 95. */
bool apps_match_requested_with(const struct apps *a, const char *pkg,
    struct app_match *ret);

/** Exact JA4 match; confidence 60. */
bool apps_match_ja4(const struct apps *a, const char *ja4,
    struct app_match *ret);

/** Exact (case-insensitive) certificate O= match; confidence 70. */
bool apps_match_cert_org(const struct apps *a, const char *org,
    struct app_match *ret);

/** ASN match (weak hint); confidence 30. */
bool apps_match_asn(const struct apps *a, uint32_t asn,
    struct app_match *ret);

/**
 * Combine the evidence of one flow.  The strongest kind of evidence that
 * matches decides the app: User-Agent or X-Requested-With package (95) >
 * SNI, then HTTP Host (90) > a proxy's target name (CONNECT, SOCKS; 85) >
 * DNS-learned name (80) > certificate O= (70) >
 * JA4 (60) > ASN (30).  A package names the app binary itself, so it
 * beats a domain that may be shared infrastructure; a domain the client
 * asked for beats a name inferred from an earlier DNS answer; the rest
 * identify vendors or TLS stacks rather than apps.  Entries marked
 * medium/low confidence in the pack lower the score by 10/25.  When the
 * winning app also matched a domain with a vendor override, the override
 * decides vendor and jurisdiction.  Returns false if nothing matched.
 */
bool apps_attribute(const struct apps *a, const struct app_flow_evidence *ev,
    struct app_match *ret);

/** "sni", "http_host", "dns", "user_agent", "requested_with", "ja4",
 * "cert_org", "asn" or "none". */
const char *app_evidence_name(enum app_evidence ev);

#endif
