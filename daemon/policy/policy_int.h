/*
 * policy_int.h - the compiled form of the rules, shared by the loader
 * (policy_load.c) and the judge (policy_judge.c).
 */
#ifndef OUTFLOW_POLICY_INT_H
#define OUTFLOW_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "policy.h"

/* Countries as one bit per pair of letters: groups fold into it. */
#define CSET_WORDS 11			/* 26 * 26 = 676 bits */
struct cset {
	uint64_t w[CSET_WORDS];
};

static inline bool
cset_has(const struct cset *s, const char *cc)
{
	unsigned a = (unsigned char)cc[0] - 'A', b;

	if (a >= 26 || (b = (unsigned char)cc[1] - 'A') >= 26)
		return false;
	return (s->w[(a * 26 + b) / 64] >> ((a * 26 + b) % 64)) & 1;
}

/* One bit per hash: a set without the flow's key says so in one test. */
static inline uint64_t
bloom_bit(uint32_t h)
{
	return (uint64_t)1 << (h >> 26);
}

/* A set of lower-case strings (app ids, vendors, operators, domains). */
struct strset {
	struct hmap map;
	char **v;
	uint32_t n;
	uint64_t bloom;			/* bloom_bit() of each str_hash() */
};

/* A flow's string folded to lower case and hashed once per judgement,
 * then looked up in any number of rules' sets. */
struct lc_key {
	const char *s;		/* buf, or "" */
	size_t len;		/* 0: none (NULL or too long) */
	uint32_t hash;
	char buf[256];
};

uint32_t str_hash(const char *s, size_t len);
void lc_key_set(struct lc_key *k, const char *str, size_t len);
bool strset_has_lc(const struct strset *s, const struct lc_key *k);
bool strset_has(const struct strset *s, const char *str, size_t len);

struct u32set {
	struct hmap map;
	uint32_t *v;
	uint32_t n;
	uint64_t bloom;			/* bit x % 64 of each */
};

bool u32set_has(const struct u32set *s, uint32_t x);

enum cond_kind {
	COND_ALL,
	COND_ANY,
	COND_NOT,
	COND_APP,
	COND_DEVICE,
	COND_DATA,
	COND_DEST,
	COND_JUR,
	COND_TRAFFIC,
};

/* A yes/no test that may be left out: TRI_ANY. */
enum tri { TRI_ANY, TRI_NO, TRI_YES };

#define JUR_BY_LOCATION	0x1
#define JUR_BY_OPERATOR	0x2
#define JUR_BY_VENDOR	0x4

struct cond_app {
	struct strset ids;		/* empty: any */
	uint8_t kinds;			/* bits: app, sdk, os; 0: any */
	struct strset vendors;
	bool has_jur;
	struct cset jur;		/* vendor's jurisdiction */
	enum tri known;
};

/* A MAC as a number: a vendor prefix masks the last three bytes. */
struct mac_pattern {
	uint64_t value, mask;
};

static inline uint64_t
mac_num(const uint8_t b[6])
{
	return (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
	    (uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 |
	    (uint64_t)b[4] << 8 | b[5];
}

struct cond_device {
	struct strset names;
	struct mac_pattern *macs;
	size_t n_macs;
};

struct cond_data {
	uint64_t categories;		/* bits of pii_category_names() */
	uint8_t where;			/* bits of enum pii_where; 0: any */
	enum tri known;			/* a household's own value, or a shape */
	uint8_t min_confidence;
};

struct cond_dest {
	bool has_country, has_op_jur;
	struct cset country;
	struct cset op_jur;
	struct u32set asns;
	struct strset operators;
	struct strset domains;		/* suffixes */
	uint16_t *ports;
	size_t n_ports;
	enum tri local;
	enum tri located;		/* the server's country is known */
};

struct cond_jur {
	struct cset countries;
	uint8_t by;			/* JUR_BY_* */
};

struct cond_traffic {
	uint32_t protocols;		/* bits of enum app_proto; 0: any */
	enum tri encrypted;
	uint64_t sent_min, sent_max;	/* bytes, client to server */
	uint64_t recv_min, recv_max;
	uint64_t dur_min, dur_max;	/* microseconds */
};

struct cond {
	enum cond_kind kind;
	struct cond **kids;		/* ALL, ANY, NOT */
	size_t n_kids;
	union {
		struct cond_app app;
		struct cond_device device;
		struct cond_data data;
		struct cond_dest dest;
		struct cond_jur jur;
		struct cond_traffic traffic;
	} u;
};

/* What a title may name. */
enum slot {
	SLOT_TEXT,
	SLOT_APP,
	SLOT_VENDOR,
	SLOT_DEVICE,
	SLOT_DATA,
	SLOT_DESTINATION,
	SLOT_DOMAIN,
	SLOT_IP,
	SLOT_PORT,
	SLOT_COUNTRY,
	SLOT_OPERATOR,
	SLOT_ASN,
	SLOT_JURISDICTION,
	SLOT_UNDER,
	SLOT__COUNT
};

struct title_part {
	enum slot slot;
	const char *text;		/* SLOT_TEXT */
	size_t len;
};

struct rule {
	char *id;
	uint64_t id_hash;		/* fired-set key, stable over reloads */
	const char *ruleset;
	char *title;			/* as written */
	struct title_part *parts;
	size_t n_parts;
	char *description;
	enum severity severity;
	char **tags;
	size_t n_tags;
	char **refs;
	size_t n_refs;
	struct cond *when;
	bool final_only;		/* negation, traffic, unknown app: at end */
	bool needs_data;		/* cannot hold before data was seen */
	bool enabled;
	const char *file;
	unsigned line;
};

/* Anchor kinds: which key of a flow a rule is indexed under. */
enum anchor {
	ANCHOR_APP,
	ANCHOR_CATEGORY,
	ANCHOR_COUNTRY,
	ANCHOR_ASN,
	ANCHOR_DOMAIN,
	ANCHOR_DEVICE,			/* a device's name */
	ANCHOR_VENDOR_MAC,		/* a MAC's vendor prefix (OUI) */
	/* Thresholds: a rule that needs at least this much of a counter,
	 * kept in ascending lists rather than the hash index. */
	ANCHOR_SENT,
	ANCHOR_RECEIVED,
	ANCHOR_DURATION,
};

#define N_THRESHOLDS	3	/* ANCHOR_SENT .. ANCHOR_DURATION */

struct threshold {
	uint64_t min;			/* bytes, or microseconds */
	uint32_t rule;
};

/*
 * A gate: what a rule the index cannot anchor needs at least one of, as
 * 64 bloom bits per fact of the flow (or the least of a counter), so
 * that trying it on a flow that lacks them all costs a few tests.
 */
enum gate_fact {
	GF_APP,			/* bloom_bit(str_hash(app id)) */
	GF_VENDOR,
	GF_CATEGORY,		/* one bit per category */
	GF_ASN,			/* bit asn % 64 */
	GF_DOMAIN,		/* bloom_bit() of each suffix */
	GF_COUNTRY,		/* bloom_num() of each of the four countries */
	GF_MAC,			/* bloom_num() of the MAC, and of its prefix */
	GF_DEVICE,		/* bloom_bit(str_hash(device name)) */
	GF_PROTO,		/* bit app_proto */
	GF_SENT,		/* counters: at least */
	GF_RECEIVED,
	GF_DURATION,
	GF__COUNT
};

#define GF_COUNTERS	GF_SENT		/* from here on, counters */

struct gate {
	uint16_t facts;			/* bits of enum gate_fact; 0: open */
	uint64_t v[GF__COUNT];
};

static inline uint64_t
bloom_num(uint64_t x)
{
	return bloom_bit((uint32_t)(hash_mix(0x9e3779b97f4a7c15ull, x) >> 32));
}

#define MAC_PREFIX_MASK	0xffffff000000ull

/* What a rule depends on, so a flow retries it only when that changed. */
#define RULE_FINAL	0x1		/* answers only at the end */
#define RULE_DATA	0x2		/* looks at the data sent */

/*
 * An index key: its kind and either a string (app id, category, domain
 * suffix; lower case) or a number (a country's two letters, an ASN).
 * It hashes as index_hash(kind, h) where h is str_hash() of the string
 * or the number itself, so a flow reuses the hashes it already made.
 */
struct index_entry {
	uint8_t kind;			/* enum anchor */
	uint32_t num;
	const char *key;		/* NULL for numbers */
	size_t key_len;
	uint32_t *rules;		/* ascending */
	uint32_t n, cap;
};

static inline uint32_t
index_hash(unsigned kind, uint32_t h)
{
	return (uint32_t)hash_mix(hash_run_key.k1 ^ kind, h);
}

static inline uint32_t
country_num(const char *cc)
{
	return (uint32_t)(unsigned char)cc[0] << 8 | (unsigned char)cc[1];
}

struct policy {
	struct parena *arena;
	struct cond **conds;		/* every one read, for freeing */
	size_t n_conds, cap_conds;
	struct rule **rules;		/* enabled, in load order */
	uint32_t n_rules;
	size_t n_files;
	size_t n_homeless;		/* rules off: they name "home", unset */
	struct hmap index;
	struct index_entry *entries;
	uint32_t n_entries, cap_entries;
	/* Rules with no anchor, by the moments they may fire at (ascending):
	 * a flow tries them all, so only where they can answer. */
	uint32_t *unanchored[3];
	uint32_t n_unanchored[3];
	struct threshold *thresholds[N_THRESHOLDS];	/* ascending min */
	uint32_t n_thresholds[N_THRESHOLDS];
	uint8_t *rule_flags;		/* RULE_*, by rule */
	struct gate *gates;		/* by rule: of the unanchored ones */
	bool uses_gates;
	bool want[3];			/* by enum policy_moment */
	const char *const *categories;	/* pii_category_names() */
	uint32_t category_hash[64];	/* str_hash() of each */
	/* What the rules look at, so a flow computes only that. */
	bool uses_vendor, uses_operator, uses_device, uses_domain;
	const struct pii_engine *pii;	/* permissions; the conf holds both */
};

#endif
