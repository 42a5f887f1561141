/*
 * apps.c - app/SDK attribution: rules/apps.yaml compiled into hash tables.
 *
 * Invariants: every key stored in a table is ASCII-lowercased at load, so
 * lookups fold the probe bytes on the fly and never copy the input.  The
 * domain table is hashed right to left, so the hashes of all suffixes of a
 * name fall out of one backwards pass and a lookup costs one probe per
 * label; the token tables are hashed left to right for the same reason
 * with dot-prefixes of package-name tokens.  Cloud and CDN namespaces
 * (cloud_hosts) sit in the domain table under a marker instead of an app:
 * a name under one is attributed only by a vendor word (host_words) that
 * is a whole word of one of its labels, found with one probe per word.
 * Nothing here allocates after
 * apps_load() returns, and nothing logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "hash.h"
#include "iso3166.h"
#include "yaml_doc.h"

#define CONF_PEN_MEDIUM	10
#define CONF_PEN_LOW	25
#define UA_MAX_TOKEN	128	/* longer tokens are skipped */
#define UA_MAX_DOTS	16	/* dot-prefixes probed per token */
#define DOMAIN_MAX_LABELS 128	/* a 253-byte name has at most 127 */
#define TAB_MAX		(1u << 24) /* entries per table */
#define UA_SEPARATORS	" /;(),:[]\"\t"
#define APP_CLOUD	UINT16_MAX /* domain entry: a cloud namespace */
#define WORD_MIN	4	/* bytes of a host word */
#define WORD_MAX	63	/* a label's length */
#define CONF_WORD	80	/* a vendor word inside a cloud host name */

/*
 * A signature table: entries in load order, indexed by the shared map
 * (hash.h).  The map is keyed by the rolling hash, finished, so that a
 * lookup can hash every suffix or dot-prefix of a name in one pass; the
 * tables are built from the configuration only, which is what hash.h
 * asks of that hash.
 */
struct sent {
	const char *key;	/* folded */
	uint16_t len;
	uint16_t app;
	int32_t ovr;		/* index into apps->ovr or -1 */
};

struct stab {
	struct sent *ent;
	uint32_t n, cap;
	struct hmap map;
};

struct aent {
	uint32_t asn;
	uint16_t app;
	int32_t ovr;
};

struct atab {
	struct aent *ent;
	uint32_t n, cap;
	struct hmap map;
};

struct ovr {
	char *vendor;
	char *juris;
	char *confidence;
};

struct apps {
	struct app *app;
	size_t n, cap;
	struct ovr *ovr;
	size_t novr, ovrcap;
	struct stab ids, dom, ua, xrw, ja4, org, word;
	struct atab asn;
	char **str;		/* every string we own */
	size_t nstr, strcap;
};

static inline unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Case-folded steps of the rolling hash (hash.h): tables are config. */
static inline uint32_t
fnv_step(uint32_t h, unsigned char c)
{
	return hash_roll_step(h, fold(c));
}

static uint32_t
hash_ltr(const char *s, size_t len)
{
	uint32_t h = hash_roll_init();

	for (size_t i = 0; i < len; i++)
		h = fnv_step(h, (unsigned char)s[i]);
	return h;
}

static uint32_t
hash_rtl(const char *s, size_t len)
{
	uint32_t h = hash_roll_init();

	for (size_t i = len; i > 0; i--)
		h = fnv_step(h, (unsigned char)s[i - 1]);
	return h;
}

static bool
key_eq(const struct sent *e, const char *s, size_t len)
{
	if (e->len != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)e->key[i] != fold((unsigned char)s[i]))
			return false;
	return true;
}

/* The entry for s (rolling hash h), or NULL with p where it would go. */
static const struct sent *
stab_probe(const struct stab *t, uint32_t h, const char *s, size_t len,
    struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->map, hash_roll_final(h), p); idx != 0;
	    idx = hmap_next(&t->map, p))
		if (key_eq(&t->ent[idx - 1], s, len))
			return &t->ent[idx - 1];
	return NULL;
}

static const struct sent *
stab_find(const struct stab *t, uint32_t h, const char *s, size_t len)
{
	struct hmap_probe p;

	return stab_probe(t, h, s, len, &p);
}

/*
 * The next capacity of an entry array holding n, and a map to match:
 * doubling, so a pack of n signatures costs O(n) moves.  Entries are
 * only appended, so the map rehashes from its stored hashes and never
 * reads a key.  Bounded far above any pack by the YAML node cap.
 */
static int
next_cap(struct hmap *m, uint32_t n, uint32_t *ret)
{
	uint32_t cap = n ? n * 2 : 64;
	int r;

	if (n >= TAB_MAX)
		return -E2BIG;
	if ((r = hmap_reserve(m, cap)) < 0)
		return r;
	*ret = cap;
	return 0;
}

/* Insert a folded key; *ret_dup gets the existing entry if already there. */
static int
stab_add(struct stab *t, const char *key, size_t len, uint32_t h,
    uint16_t app, int32_t ovr, const struct sent **ret_dup)
{
	const struct sent *old;
	struct hmap_probe p;
	int r;

	if ((old = stab_probe(t, h, key, len, &p)) != NULL) {
		*ret_dup = old;
		return -EEXIST;
	}
	if (t->n == t->cap) {
		struct sent *ne;
		uint32_t cap;

		if ((r = next_cap(&t->map, t->n, &cap)) < 0)
			return r;
		if ((ne = realloc(t->ent, cap * sizeof(*ne))) == NULL)
			return -ENOMEM;
		t->ent = ne;
		t->cap = cap;
		/* The map may have been rebuilt: find the free slot again. */
		(void)stab_probe(t, h, key, len, &p);
	}
	t->ent[t->n] = (struct sent){ .key = key, .len = (uint16_t)len,
	    .app = app, .ovr = ovr };
	if ((r = hmap_insert(&t->map, &p, t->n)) < 0)
		return r;
	t->n++;
	return 0;
}

static void
stab_free(struct stab *t)
{
	free(t->ent);
	hmap_fini(&t->map);
}

/* The entry for asn, or NULL with p where it would go. */
static const struct aent *
atab_probe(const struct atab *t, uint32_t asn, struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->map, hash_u32(asn), p); idx != 0;
	    idx = hmap_next(&t->map, p))
		if (t->ent[idx - 1].asn == asn)
			return &t->ent[idx - 1];
	return NULL;
}

static int
atab_add(struct atab *t, uint32_t asn, uint16_t app, int32_t ovr,
    const struct aent **ret_dup)
{
	const struct aent *old;
	struct hmap_probe p;
	int r;

	if ((old = atab_probe(t, asn, &p)) != NULL) {
		*ret_dup = old;
		return -EEXIST;
	}
	if (t->n == t->cap) {
		struct aent *ne;
		uint32_t cap;

		if ((r = next_cap(&t->map, t->n, &cap)) < 0)
			return r;
		if ((ne = realloc(t->ent, cap * sizeof(*ne))) == NULL)
			return -ENOMEM;
		t->ent = ne;
		t->cap = cap;
		(void)atab_probe(t, asn, &p);
	}
	t->ent[t->n] = (struct aent){ .asn = asn, .app = app, .ovr = ovr };
	if ((r = hmap_insert(&t->map, &p, t->n)) < 0)
		return r;
	t->n++;
	return 0;
}

static void
atab_free(struct atab *t)
{
	free(t->ent);
	hmap_fini(&t->map);
}

/* ---- load ---------------------------------------------------------- */

static char *
own(struct apps *a, const char *s, bool folded)
{
	size_t len = strlen(s);
	char *p;

	if (a->nstr == a->strcap) {
		size_t ncap = a->strcap ? a->strcap * 2 : 256;
		char **ns = realloc(a->str, ncap * sizeof(*ns));

		if (ns == NULL)
			return NULL;
		a->str = ns;
		a->strcap = ncap;
	}
	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		p[i] = folded ? (char)fold((unsigned char)s[i]) : s[i];
	p[len] = '\0';
	a->str[a->nstr++] = p;
	return p;
}

enum sig {
	SIG_DOMAIN,
	SIG_PACKAGE,
	SIG_UA,
	SIG_XRW,
	SIG_JA4,
	SIG_ORG,
	SIG_WORD,
	SIG_CLOUD,
};

static const char *const sig_what[] = {
	[SIG_DOMAIN] = "domain",
	[SIG_PACKAGE] = "package",
	[SIG_UA] = "user-agent token",
	[SIG_XRW] = "requested_with package",
	[SIG_JA4] = "ja4",
	[SIG_ORG] = "cert_org",
	[SIG_WORD] = "host word",
	[SIG_CLOUD] = "cloud host",
};

struct sigctx {
	struct apps *a;
	enum sig sig;
	uint16_t app;
	int32_t ovr;
};

static bool
valid_domain(const char *s, size_t len, const char **why)
{
	if (len == 0 || len > APPS_MAX_PATTERN) {
		*why = "must be 1 to 253 bytes";
		return false;
	}
	if (s[0] == '.' || s[len - 1] == '.') {
		*why = "must not start or end with a dot";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*') {
			*why = "wildcards are not supported (a suffix already "
			    "matches every subdomain)";
			return false;
		}
		if (c == '.' && s[i + 1] == '.') {
			*why = "has an empty label";
			return false;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_')) {
			*why = "may only hold letters, digits, '-', '_' and '.'";
			return false;
		}
	}
	return true;
}

static bool
valid_token(const char *s, size_t len, const char **why)
{
	if (len == 0 || len > UA_MAX_TOKEN) {
		*why = "must be 1 to 128 bytes";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c == 0x7f || strchr(UA_SEPARATORS, c) != NULL) {
			*why = "must be a single User-Agent token (no space or "
			    "any of /;(),:[]\")";
			return false;
		}
	}
	return true;
}

static bool
valid_word(const char *s, size_t len, const char **why)
{
	if (len < WORD_MIN || len > WORD_MAX) {
		*why = "must be 4 to 63 bytes";
		return false;
	}
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) {
			*why = "may only hold letters and digits (a word of "
			    "a label, between '-' or '.')";
			return false;
		}
	return true;
}

static bool
valid_text(const char *s, size_t len, const char **why)
{
	if (len == 0 || len > APPS_MAX_PATTERN) {
		*why = "must be 1 to 253 bytes";
		return false;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*why = "must not hold control characters";
			return false;
		}
	return true;
}

static int
sig_insert(struct sigctx *c, const struct ydoc *d, const struct ynode *item,
    struct stab *t, const char *key, bool rtl, char *err, size_t errlen)
{
	const struct sent *dup = NULL;
	size_t len = strlen(key);
	int r;

	r = stab_add(t, key, len, rtl ? hash_rtl(key, len) :
	    hash_ltr(key, len), c->app, c->ovr, &dup);
	if (r == -EEXIST)
		return ynode_error(d, item, err, errlen,
		    "duplicate %s '%s' (already listed %s%s%s)",
		    sig_what[c->sig], item->scalar, dup->app == APP_CLOUD ?
		    "as a cloud host" : "for app '", dup->app == APP_CLOUD ?
		    "" : c->a->app[dup->app].id, dup->app == APP_CLOUD ? "" :
		    "'");
	if (r < 0)
		return ynode_error(d, item, err, errlen, "out of memory");
	return 0;
}

static int
sig_cb(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct sigctx *c = arg;
	const char *why = NULL;
	size_t len = strlen(s);
	bool ok;
	char *key;
	int r;

	switch (c->sig) {
	case SIG_DOMAIN:
	case SIG_CLOUD:
		ok = valid_domain(s, len, &why);
		break;
	case SIG_WORD:
		ok = valid_word(s, len, &why);
		break;
	case SIG_PACKAGE:
	case SIG_UA:
	case SIG_XRW:
	case SIG_JA4:
		ok = valid_token(s, len, &why);
		break;
	case SIG_ORG:
	default:
		ok = valid_text(s, len, &why);
		break;
	}
	if (!ok)
		return ynode_error(d, item, err, errlen, "bad %s '%s': %s",
		    sig_what[c->sig], s, why);
	if ((key = own(c->a, s, true)) == NULL)
		return ynode_error(d, item, err, errlen, "out of memory");
	switch (c->sig) {
	case SIG_DOMAIN:
	case SIG_CLOUD:
		return sig_insert(c, d, item, &c->a->dom, key, true, err,
		    errlen);
	case SIG_WORD:
		return sig_insert(c, d, item, &c->a->word, key, false, err,
		    errlen);
	case SIG_PACKAGE:
		/* A package name is both what WebViews put in
		 * X-Requested-With and what okhttp/Cronet UAs start with. */
		if ((r = sig_insert(c, d, item, &c->a->xrw, key, false, err,
		    errlen)) < 0)
			return r;
		return sig_insert(c, d, item, &c->a->ua, key, false, err,
		    errlen);
	case SIG_UA:
		return sig_insert(c, d, item, &c->a->ua, key, false, err,
		    errlen);
	case SIG_XRW:
		return sig_insert(c, d, item, &c->a->xrw, key, false, err,
		    errlen);
	case SIG_JA4:
		return sig_insert(c, d, item, &c->a->ja4, key, false, err,
		    errlen);
	case SIG_ORG:
	default:
		return sig_insert(c, d, item, &c->a->org, key, false, err,
		    errlen);
	}
}

static int
load_sigs(struct sigctx *c, const struct ydoc *d, const struct ynode *map,
    const char *key, enum sig sig, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(map, key);
	int r;

	if (n == NULL)
		return 0;
	if ((r = ynode_seq(d, n, err, errlen)) < 0)
		return r;
	c->sig = sig;
	return ynode_strings(d, n, sig_cb, c, err, errlen);
}

static int
load_asns(struct sigctx *c, const struct ydoc *d, const struct ynode *map,
    char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(map, "asns");
	int r;

	if (n == NULL)
		return 0;
	if ((r = ynode_seq(d, n, err, errlen)) < 0)
		return r;
	/* Bounded by the sequence length. */
	for (size_t i = 0; i < n->n; i++) {
		const struct aent *dup = NULL;
		uint64_t v;

		if ((r = ynode_uint(d, n->items[i], 1, UINT32_MAX, &v, err,
		    errlen)) < 0)
			return r;
		r = atab_add(&c->a->asn, (uint32_t)v, c->app, c->ovr, &dup);
		if (r == -EEXIST)
			return ynode_error(d, n->items[i], err, errlen,
			    "duplicate asn %u (already listed for app '%s')",
			    (unsigned)v, c->a->app[dup->app].id);
		if (r < 0)
			return ynode_error(d, n->items[i], err, errlen,
			    "out of memory");
	}
	return 0;
}

static int
get_str(const struct ydoc *d, const struct ynode *map, const char *key,
    bool required, const char **ret, char *err, size_t errlen)
{
	const struct ynode *n;
	const char *why;
	int r;

	if (required) {
		if ((r = ynode_get_required(d, map, key, &n, err, errlen)) < 0)
			return r;
	} else if ((n = ynode_get(map, key)) == NULL) {
		*ret = NULL;
		return 0;
	}
	if ((r = ynode_string(d, n, ret, err, errlen)) < 0)
		return r;
	if (!valid_text(*ret, strlen(*ret), &why) &&
	    strcmp(key, "note") != 0 && strcmp(key, "source") != 0)
		return ynode_error(d, n, err, errlen, "bad %s: %s", key, why);
	return 0;
}

static int
get_iso(const struct ydoc *d, const struct ynode *map, const char **ret,
    char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(map, "vendor_jurisdiction");
	const char *s;
	int r;

	if ((r = get_str(d, map, "vendor_jurisdiction", true, &s, err,
	    errlen)) < 0)
		return r;
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	    s[1] > 'Z')
		return ynode_error(d, n, err, errlen,
		    "vendor_jurisdiction '%s' is not an ISO 3166-1 alpha-2 "
		    "code (two upper-case letters; ZZ = unknown)", s);
	if (iso3166_alpha2_valid(s, 2)) {
		*ret = s;
		return 0;
	}
	return ynode_error(d, n, err, errlen,
	    "vendor_jurisdiction '%s' is not an assigned ISO 3166-1 alpha-2 "
	    "code (ZZ = unknown)", s);
}

static int
get_confidence(const struct ydoc *d, const struct ynode *map,
    const char **ret, char *err, size_t errlen)
{
	const char *s;
	int r;

	if ((r = get_str(d, map, "confidence", false, &s, err, errlen)) < 0)
		return r;
	if (s == NULL) {
		*ret = "high";
		return 0;
	}
	if (strcmp(s, "high") != 0 && strcmp(s, "medium") != 0 &&
	    strcmp(s, "low") != 0)
		return ynode_error(d, ynode_get(map, "confidence"), err, errlen,
		    "confidence must be high, medium or low, not '%s'", s);
	*ret = s;
	return 0;
}

static const char *const app_keys[] = {
	"id", "name", "kind", "vendor", "vendor_jurisdiction", "source",
	"confidence", "note", "domains", "packages", "user_agents",
	"requested_with", "ja4", "cert_orgs", "asns", "vendor_by_domain",
	"host_words", NULL,
};

static const char *const ovr_keys[] = {
	"domains", "asns", "vendor", "vendor_jurisdiction", "source",
	"confidence", "note", NULL,
};

static int
load_overrides(struct sigctx *c, const struct ydoc *d,
    const struct ynode *appmap, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(appmap, "vendor_by_domain");
	struct apps *a = c->a;
	int r;

	if (n == NULL)
		return 0;
	if ((r = ynode_seq(d, n, err, errlen)) < 0)
		return r;
	/* Bounded by the sequence length. */
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->items[i], *doms;
		const char *vendor, *juris, *src, *conf;
		struct ovr *o;

		if ((r = ynode_check_keys(d, m, ovr_keys, err, errlen)) < 0 ||
		    (r = ynode_get_required(d, m, "domains", &doms, err,
		    errlen)) < 0 ||
		    (r = get_str(d, m, "vendor", true, &vendor, err,
		    errlen)) < 0 ||
		    (r = get_iso(d, m, &juris, err, errlen)) < 0 ||
		    (r = get_str(d, m, "source", true, &src, err, errlen)) < 0 ||
		    (r = get_confidence(d, m, &conf, err, errlen)) < 0)
			return r;
		if (a->novr == a->ovrcap) {
			size_t ncap = a->ovrcap ? a->ovrcap * 2 : 8;
			struct ovr *no = realloc(a->ovr, ncap * sizeof(*no));

			if (no == NULL)
				return ynode_error(d, m, err, errlen,
				    "out of memory");
			a->ovr = no;
			a->ovrcap = ncap;
		}
		o = &a->ovr[a->novr];
		o->vendor = own(a, vendor, false);
		o->juris = own(a, juris, false);
		o->confidence = own(a, conf, false);
		if (o->vendor == NULL || o->juris == NULL ||
		    o->confidence == NULL)
			return ynode_error(d, m, err, errlen, "out of memory");
		c->ovr = (int32_t)a->novr++;
		if ((r = load_sigs(c, d, m, "domains", SIG_DOMAIN, err,
		    errlen)) < 0 ||
		    (r = load_asns(c, d, m, err, errlen)) < 0)
			return r;
		c->ovr = -1;
	}
	return 0;
}

static bool
valid_id(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 48 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int
load_app(struct apps *a, const struct ydoc *d, const struct ynode *m,
    char *err, size_t errlen)
{
	const char *id, *name, *kind, *vendor, *juris, *src, *conf, *note;
	const struct sent *dup = NULL;
	struct sigctx c;
	struct app *ap;
	size_t idlen;
	int r;

	if ((r = ynode_check_keys(d, m, app_keys, err, errlen)) < 0 ||
	    (r = get_str(d, m, "id", true, &id, err, errlen)) < 0)
		return r;
	if (!valid_id(id))
		return ynode_error(d, ynode_get(m, "id"), err, errlen,
		    "bad id '%s': use 1 to 48 of a-z, 0-9 and '-'", id);
	if ((r = get_str(d, m, "name", true, &name, err, errlen)) < 0 ||
	    (r = get_str(d, m, "kind", true, &kind, err, errlen)) < 0)
		return r;
	if (strcmp(kind, "app") != 0 && strcmp(kind, "sdk") != 0 &&
	    strcmp(kind, "os") != 0)
		return ynode_error(d, ynode_get(m, "kind"), err, errlen,
		    "kind must be app, sdk or os, not '%s'", kind);
	if ((r = get_str(d, m, "vendor", true, &vendor, err, errlen)) < 0 ||
	    (r = get_iso(d, m, &juris, err, errlen)) < 0 ||
	    (r = get_str(d, m, "source", true, &src, err, errlen)) < 0 ||
	    (r = get_str(d, m, "note", false, &note, err, errlen)) < 0 ||
	    (r = get_confidence(d, m, &conf, err, errlen)) < 0)
		return r;
	if (a->n >= APPS_MAX_APPS) {
		ynode_error(d, m, err, errlen, "more than %d apps",
		    APPS_MAX_APPS);
		return -E2BIG;
	}
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 64;
		struct app *na = realloc(a->app, ncap * sizeof(*na));

		if (na == NULL)
			return ynode_error(d, m, err, errlen, "out of memory");
		a->app = na;
		a->cap = ncap;
	}
	ap = &a->app[a->n];
	*ap = (struct app){ .index = (uint16_t)a->n };
	ap->id = own(a, id, false);
	ap->name = own(a, name, false);
	ap->kind = own(a, kind, false);
	ap->vendor = own(a, vendor, false);
	ap->vendor_jurisdiction = own(a, juris, false);
	ap->confidence = own(a, conf, false);
	if (ap->id == NULL || ap->name == NULL || ap->kind == NULL ||
	    ap->vendor == NULL || ap->vendor_jurisdiction == NULL ||
	    ap->confidence == NULL)
		return ynode_error(d, m, err, errlen, "out of memory");
	idlen = strlen(ap->id);
	r = stab_add(&a->ids, ap->id, idlen, hash_ltr(ap->id, idlen),
	    ap->index, -1, &dup);
	if (r == -EEXIST)
		return ynode_error(d, ynode_get(m, "id"), err, errlen,
		    "duplicate id '%s'", id);
	if (r < 0)
		return ynode_error(d, m, err, errlen, "out of memory");
	a->n++;

	c = (struct sigctx){ .a = a, .app = ap->index, .ovr = -1 };
	if ((r = load_sigs(&c, d, m, "domains", SIG_DOMAIN, err,
	    errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "packages", SIG_PACKAGE, err,
	    errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "user_agents", SIG_UA, err,
	    errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "requested_with", SIG_XRW, err,
	    errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "ja4", SIG_JA4, err, errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "cert_orgs", SIG_ORG, err,
	    errlen)) < 0 ||
	    (r = load_sigs(&c, d, m, "host_words", SIG_WORD, err,
	    errlen)) < 0 ||
	    (r = load_asns(&c, d, m, err, errlen)) < 0 ||
	    (r = load_overrides(&c, d, m, err, errlen)) < 0)
		return r;
	return 0;
}

static const char *const top_keys[] = { "version", "cloud_hosts", "apps",
	NULL };

static int
compile(const struct ydoc *d, struct apps **ret, char *err, size_t errlen)
{
	const struct ynode *root = d->root, *list;
	struct apps *a;
	uint64_t ver;
	int r;

	if ((r = ynode_check_keys(d, root, top_keys, err, errlen)) < 0)
		return r;
	if ((r = ynode_get_required(d, root, "version", &list, err,
	    errlen)) < 0 ||
	    (r = ynode_uint(d, list, 1, 1, &ver, err, errlen)) < 0 ||
	    (r = ynode_get_required(d, root, "apps", &list, err,
	    errlen)) < 0 ||
	    (r = ynode_seq(d, list, err, errlen)) < 0)
		return r;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -ENOMEM;
	/* Cloud namespaces first: a domain of an app equal to one is then
	 * reported as a duplicate. */
	{
		struct sigctx c = { .a = a, .app = APP_CLOUD, .ovr = -1 };

		if ((r = load_sigs(&c, d, root, "cloud_hosts", SIG_CLOUD, err,
		    errlen)) < 0)
			goto out;
	}
	/* Bounded by the sequence length (and APPS_MAX_APPS). */
	for (size_t i = 0; i < list->n; i++)
		if ((r = load_app(a, d, list->items[i], err, errlen)) < 0)
			goto out;
	*ret = a;
	a = NULL;
	r = 0;
out:
	apps_free(a);
	return r;
}

int
apps_load(const char *path, struct apps **ret, char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_file(path, &d, err, errlen)) < 0)
		return r;
	r = compile(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}

int
apps_load_string(const char *name, const char *buf, size_t len,
    struct apps **ret, char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_string(name, buf, len, &d, err, errlen)) < 0)
		return r;
	r = compile(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}

struct apps *
apps_free(struct apps *a)
{
	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < a->nstr; i++)
		free(a->str[i]);
	free(a->str);
	free(a->app);
	free(a->ovr);
	stab_free(&a->ids);
	stab_free(&a->dom);
	stab_free(&a->ua);
	stab_free(&a->xrw);
	stab_free(&a->ja4);
	stab_free(&a->org);
	stab_free(&a->word);
	atab_free(&a->asn);
	free(a);
	return NULL;
}

size_t
apps_count(const struct apps *a)
{
	return a != NULL ? a->n : 0;
}

const struct app *
apps_get(const struct apps *a, size_t index)
{
	if (a == NULL || index >= a->n)
		return NULL;
	return &a->app[index];
}

const struct app *
apps_find(const struct apps *a, const char *id)
{
	const struct sent *e;
	size_t len;

	if (a == NULL || id == NULL)
		return NULL;
	len = strlen(id);
	if ((e = stab_find(&a->ids, hash_ltr(id, len), id, len)) == NULL)
		return NULL;
	return &a->app[e->app];
}

/* ---- match --------------------------------------------------------- */

static uint8_t
penalised(uint8_t base, const char *conf)
{
	if (conf[0] == 'l')
		return (uint8_t)(base - CONF_PEN_LOW);
	if (conf[0] == 'm')
		return (uint8_t)(base - CONF_PEN_MEDIUM);
	return base;
}

static void
fill(const struct apps *a, uint16_t app, int32_t ovr, const char *matched,
    enum app_evidence ev, uint8_t base, struct app_match *ret)
{
	const struct app *ap = &a->app[app];
	const struct ovr *o = ovr >= 0 ? &a->ovr[ovr] : NULL;

	ret->app = ap;
	ret->evidence = ev;
	ret->matched = matched;
	ret->vendor = o != NULL ? o->vendor : ap->vendor;
	ret->vendor_jurisdiction = o != NULL ? o->juris : ap->vendor_jurisdiction;
	ret->confidence = penalised(base, o != NULL ? o->confidence :
	    ap->confidence);
}

/*
 * A vendor word in the tenant part of a name under a cloud namespace
 * (domain[0..end), its labels before the namespace): each word between
 * '-' and '.' is hashed and probed once, left to right, so
 * "p16-tiktokcdn-com.akamaized.net" finds "tiktokcdn" and
 * "notbytedance.akamaized.net" finds nothing.
 */
static bool
match_words(const struct apps *a, const char *domain, size_t end,
    struct app_match *ret)
{
	size_t start = 0;

	if (a->word.n == 0)
		return false;
	/* Bounded by end (≤ 253): every byte starts or ends one word. */
	for (size_t i = 0; i <= end; i++) {
		const struct sent *e;
		size_t wl;

		if (i < end && domain[i] != '-' && domain[i] != '.')
			continue;
		wl = i - start;
		if (wl >= WORD_MIN && wl <= WORD_MAX &&
		    (e = stab_find(&a->word, hash_ltr(domain + start, wl),
		    domain + start, wl)) != NULL) {
			fill(a, e->app, e->ovr, e->key, APP_EV_SNI, CONF_WORD,
			    ret);
			return true;
		}
		start = i + 1;
	}
	return false;
}

bool
apps_match_domain(const struct apps *a, const char *domain,
    struct app_match *ret)
{
	uint32_t hs[DOMAIN_MAX_LABELS];
	size_t pos[DOMAIN_MAX_LABELS];
	size_t len, nl = 0, total;
	uint32_t h = hash_roll_init();

	if (a == NULL || domain == NULL || a->dom.n == 0)
		return false;
	len = strnlen(domain, APPS_MAX_PATTERN + 2);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > APPS_MAX_PATTERN)
		return false;
	/* One backwards pass hashes every suffix; remember those that start
	 * a label.  Bounded by len (≤ 253), so at most 127 labels. */
	for (size_t i = len; i > 0; i--) {
		h = fnv_step(h, (unsigned char)domain[i - 1]);
		if ((i == 1 || domain[i - 2] == '.') && nl < DOMAIN_MAX_LABELS) {
			hs[nl] = h;
			pos[nl++] = i - 1;
		}
	}
	total = nl;
	/* Longest suffix first: one probe per label.  A cloud namespace
	 * ends the search: what is under it is a tenant's. */
	while (nl > 0) {
		const struct sent *e;

		nl--;
		e = stab_find(&a->dom, hs[nl], domain + pos[nl],
		    len - pos[nl]);
		if (e != NULL && e->app == APP_CLOUD)
			return match_words(a, domain, pos[nl], ret);
		if (e != NULL) {
			fill(a, e->app, e->ovr, e->key, APP_EV_SNI, 90, ret);
			return true;
		}
	}
	/* A vendor's own regional names, "tiktokcdn-us.com": the first word
	 * of the label before the last, when a '-' follows it (one probe). */
	if (total >= 2 && a->word.n > 0) {
		const char *lab = domain + pos[1];
		const char *dash = memchr(lab, '-', pos[0] - 1 - pos[1]);
		const struct sent *e;
		size_t wl = dash != NULL ? (size_t)(dash - lab) : 0;

		if (wl >= WORD_MIN && wl <= WORD_MAX && (e = stab_find(&a->word,
		    hash_ltr(lab, wl), lab, wl)) != NULL) {
			fill(a, e->app, e->ovr, e->key, APP_EV_SNI, CONF_WORD,
			    ret);
			return true;
		}
	}
	return false;
}

/* Probe one token and its dot-prefixes, longest first. */
static const struct sent *
probe_token(const struct stab *t, const char *s, size_t len)
{
	uint32_t hs[UA_MAX_DOTS];
	size_t ends[UA_MAX_DOTS];
	size_t nd = 0;
	uint32_t h = hash_roll_init();
	const struct sent *e;

	/* Bounded by the token length (≤ UA_MAX_TOKEN). */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && i > 0 && nd < UA_MAX_DOTS) {
			hs[nd] = h;
			ends[nd++] = i;
		}
		h = fnv_step(h, (unsigned char)s[i]);
	}
	if ((e = stab_find(t, h, s, len)) != NULL)
		return e;
	/* A dot-prefix needs at least two labels: "com.foo", never "com". */
	while (nd > 1) {
		nd--;
		if ((e = stab_find(t, hs[nd], s, ends[nd])) != NULL)
			return e;
	}
	return NULL;
}

bool
apps_match_user_agent(const struct apps *a, const char *ua,
    struct app_match *ret)
{
	/* UA_SEPARATORS as a table: the tokenizer looks up every byte of a
	 * UA.  The bytes of UA_SEPARATORS, constant so that pipelines on
	 * several threads may share it. */
	static const bool ua_separator[256] = {
		[' '] = true, ['/'] = true, [';'] = true, ['('] = true,
		[')'] = true, [','] = true, [':'] = true, ['['] = true,
		[']'] = true, ['"'] = true, ['\t'] = true,
	};
	const struct sent *best = NULL;
	size_t i = 0, ntok = 0;

	if (a == NULL || ua == NULL || a->ua.n == 0)
		return false;
	/* Bounded by APPS_MAX_UA_SCAN bytes and APPS_MAX_UA_TOKENS tokens. */
	while (i < APPS_MAX_UA_SCAN && ua[i] != '\0' &&
	    ntok < APPS_MAX_UA_TOKENS) {
		size_t start, tl;
		const struct sent *e;

		while (i < APPS_MAX_UA_SCAN && ua[i] != '\0' &&
		    ua_separator[(unsigned char)ua[i]])
			i++;
		start = i;
		while (i < APPS_MAX_UA_SCAN && ua[i] != '\0' &&
		    !ua_separator[(unsigned char)ua[i]])
			i++;
		tl = i - start;
		if (tl == 0)
			break;
		ntok++;
		if (tl > UA_MAX_TOKEN)
			continue;
		/* The longest pattern is the most specific; ties go to the
		 * earliest token, which is where UAs put the product. */
		e = probe_token(&a->ua, ua + start, tl);
		if (e != NULL && (best == NULL || e->len > best->len))
			best = e;
	}
	if (best == NULL)
		return false;
	fill(a, best->app, best->ovr, best->key, APP_EV_USER_AGENT, 95, ret);
	return true;
}

static bool
match_exact(const struct apps *a, const struct stab *t, const char *s,
    enum app_evidence ev, uint8_t base, struct app_match *ret)
{
	const struct sent *e;
	size_t len;

	if (a == NULL || s == NULL || t->n == 0)
		return false;
	len = strnlen(s, APPS_MAX_PATTERN + 1);
	if (len == 0 || len > APPS_MAX_PATTERN)
		return false;
	if ((e = stab_find(t, hash_ltr(s, len), s, len)) == NULL)
		return false;
	fill(a, e->app, e->ovr, e->key, ev, base, ret);
	return true;
}

bool
apps_match_requested_with(const struct apps *a, const char *pkg,
    struct app_match *ret)
{
	return match_exact(a, a != NULL ? &a->xrw : NULL, pkg,
	    APP_EV_REQUESTED_WITH, 95, ret);
}

bool
apps_match_ja4(const struct apps *a, const char *ja4, struct app_match *ret)
{
	return match_exact(a, a != NULL ? &a->ja4 : NULL, ja4, APP_EV_JA4, 60,
	    ret);
}

bool
apps_match_cert_org(const struct apps *a, const char *org,
    struct app_match *ret)
{
	return match_exact(a, a != NULL ? &a->org : NULL, org,
	    APP_EV_CERT_ORG, 70, ret);
}

bool
apps_match_asn(const struct apps *a, uint32_t asn, struct app_match *ret)
{
	const struct aent *e;

	struct hmap_probe p;

	if (a == NULL || asn == 0 || (e = atab_probe(&a->asn, asn, &p)) ==
	    NULL)
		return false;
	fill(a, e->app, e->ovr, NULL, APP_EV_ASN, 30, ret);
	return true;
}

static bool
match_host(const struct apps *a, const char *name, enum app_evidence ev,
    uint8_t base, struct app_match *ret)
{
	if (!apps_match_domain(a, name, ret))
		return false;
	ret->evidence = ev;
	ret->confidence = (uint8_t)(ret->confidence - (90 - base));
	return true;
}

bool
apps_attribute(const struct apps *a, const struct app_flow_evidence *ev,
    struct app_match *ret)
{
	struct app_match m[9], best;
	bool hit[9];
	int win = -1;

	if (a == NULL || ev == NULL)
		return false;
	/* In precedence order; see apps.h.  X-Requested-With comes before
	 * the UA because it is an exact package, not a token guess. */
	hit[0] = apps_match_requested_with(a, ev->requested_with, &m[0]);
	hit[1] = apps_match_user_agent(a, ev->user_agent, &m[1]);
	hit[2] = match_host(a, ev->sni, APP_EV_SNI, 90, &m[2]);
	hit[3] = match_host(a, ev->http_host, APP_EV_HTTP_HOST, 90, &m[3]);
	hit[4] = match_host(a, ev->proxy_target, APP_EV_PROXY_TARGET, 85,
	    &m[4]);
	hit[5] = match_host(a, ev->dns_name, APP_EV_DNS, 80, &m[5]);
	hit[6] = apps_match_cert_org(a, ev->cert_org, &m[6]);
	hit[7] = apps_match_ja4(a, ev->ja4, &m[7]);
	hit[8] = apps_match_asn(a, ev->asn, &m[8]);
	for (int i = 0; i < 9 && win < 0; i++)
		if (hit[i])
			win = i;
	if (win < 0)
		return false;
	best = m[win];
	/* The service region, known only from the server name (or ASN),
	 * decides who runs the service the app talks to. */
	if (best.vendor == best.app->vendor) {
		static const int order[] = { 2, 3, 4, 5, 8 };

		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
			const struct app_match *o = &m[order[k]];

			if (hit[order[k]] && o->app == best.app &&
			    o->vendor != best.app->vendor) {
				best.vendor = o->vendor;
				best.vendor_jurisdiction =
				    o->vendor_jurisdiction;
				break;
			}
		}
	}
	*ret = best;
	return true;
}

const char *
app_evidence_name(enum app_evidence ev)
{
	switch (ev) {
	case APP_EV_NONE:
		return "none";
	case APP_EV_SNI:
		return "sni";
	case APP_EV_HTTP_HOST:
		return "http_host";
	case APP_EV_DNS:
		return "dns";
	case APP_EV_USER_AGENT:
		return "user_agent";
	case APP_EV_REQUESTED_WITH:
		return "requested_with";
	case APP_EV_JA4:
		return "ja4";
	case APP_EV_CERT_ORG:
		return "cert_org";
	case APP_EV_ASN:
		return "asn";
	case APP_EV_PROXY_TARGET:
		return "proxy_target";
	}
	return "none";
}
