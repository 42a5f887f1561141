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

/* A set of lower-case strings (app ids, vendors, operators, domains). */
struct strset {
	struct hmap map;
	char **v;
	uint32_t n;
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

struct mac_pattern {
	uint8_t b[6];
	uint8_t len;			/* 3: a vendor prefix, 6: one device */
};

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
};

struct index_entry {
	char *key;			/* kind letter, then the key */
	size_t key_len;
	uint32_t *rules;		/* ascending */
	uint32_t n, cap;
};

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
	bool want[3];			/* by enum policy_moment */
	const char *const *categories;	/* pii_category_names() */
	const struct pii_engine *pii;	/* permissions; the conf holds both */
};

#endif
