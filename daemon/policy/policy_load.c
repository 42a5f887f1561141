/*
 * policy_load.c - read rule packs, check every line of them, compile the
 * rules into tables and index each by an anchor.
 *
 * Errors do not stop a file: each rule (and each condition inside it) is
 * checked on its own and every error reported, so an admin fixes a file
 * in one pass, as with `nginx -t`.  Only a YAML syntax error ends a file
 * early, since nothing after it can be trusted.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "applayer.h"
#include "apps.h"
#include "device.h"
#include "iso3166.h"
#include "jurisdictions.h"
#include "pii.h"
#include "policy_int.h"
#include "yaml_doc.h"

#define POLICY_MAX_RULES	100000
#define POLICY_MAX_FILES	1024
#define POLICY_ID_MAX		127
#define POLICY_TITLE_MAX	512
#define POLICY_MAX_DEPTH	16	/* nested all/any/not */
#define ANCHOR_MAX_KEYS		64	/* more: the rule is tried on every flow */

/* ------------------------------------------------------------ arena */

struct parena {
	struct parena *next;
	size_t used, size;
	_Alignas(16) unsigned char mem[];
};

static void *
palloc(struct policy *p, size_t n)
{
	struct parena *a = p->arena;

	n = (n + 15) & ~(size_t)15;
	if (a == NULL || a->size - a->used < n) {
		size_t size = n > 65536 ? n : 65536;

		if ((a = malloc(sizeof(*a) + size)) == NULL)
			return NULL;
		a->used = 0;
		a->size = size;
		a->next = p->arena;
		p->arena = a;
	}
	a->used += n;
	return memset(a->mem + a->used - n, 0, n);
}

static char *
pstrndup(struct policy *p, const char *s, size_t n)
{
	char *d = palloc(p, n + 1);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* ------------------------------------------------------------- sets */

static char *
lower_dup(struct policy *p, const char *s, size_t n)
{
	char *d = pstrndup(p, s, n);

	for (size_t i = 0; d != NULL && i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

uint32_t
str_hash(const char *s, size_t len)
{
	return (uint32_t)hash_bytes(s, len);
}

/* Where a new key of hash h goes: past every entry with that hash. */
static void
empty_slot(const struct hmap *m, uint32_t h, struct hmap_probe *pr)
{
	for (uint32_t i = hmap_first(m, h, pr); i != 0; i = hmap_next(m, pr))
		;
}

bool
strset_has_lc(const struct strset *s, const struct lc_key *k)
{
	struct hmap_probe pr;

	if (k->len == 0 || !(s->bloom & bloom_bit(k->hash)))
		return false;
	for (uint32_t i = hmap_first(&s->map, k->hash, &pr); i != 0;
	    i = hmap_next(&s->map, &pr)) {
		const char *v = s->v[i - 1];

		if (memcmp(v, k->s, k->len) == 0 && v[k->len] == '\0')
			return true;
	}
	return false;
}

void
lc_key_set(struct lc_key *k, const char *str, size_t len)
{
	k->len = 0;
	k->s = k->buf;
	if (str == NULL || len >= sizeof(k->buf))
		return;
	for (size_t i = 0; i < len; i++)
		k->buf[i] = (char)tolower((unsigned char)str[i]);
	k->buf[len] = '\0';
	k->len = len;
	k->hash = str_hash(k->buf, len);
}

/* Case-insensitive: the set holds lower case, lookups fold as they hash. */
bool
strset_has(const struct strset *s, const char *str, size_t len)
{
	struct lc_key k;

	if (s->n == 0)
		return false;
	lc_key_set(&k, str, len);
	return strset_has_lc(s, &k);
}

static int
strset_add(struct policy *p, struct strset *s, const char *str, size_t len)
{
	char **v;
	char *d;
	struct hmap_probe pr;
	uint32_t h;

	if (strset_has(s, str, len))
		return 0;
	if ((d = lower_dup(p, str, len)) == NULL)
		return -ENOMEM;
	h = str_hash(d, len);
	if (!hmap_has_room(&s->map) &&
	    hmap_reserve(&s->map, s->n < 8 ? 8 : s->n * 2) != 0)
		return -ENOMEM;
	if ((v = realloc(s->v, (s->n + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	s->v = v;
	empty_slot(&s->map, h, &pr);
	hmap_insert(&s->map, &pr, s->n);
	s->v[s->n++] = d;
	s->bloom |= bloom_bit(h);
	return 0;
}

static void
strset_fini(struct strset *s)
{
	hmap_fini(&s->map);
	free(s->v);
}

bool
u32set_has(const struct u32set *s, uint32_t x)
{
	struct hmap_probe pr;

	if (!((s->bloom >> (x % 64)) & 1))
		return false;
	for (uint32_t i = hmap_first(&s->map, hash_u32(x), &pr); i != 0;
	    i = hmap_next(&s->map, &pr))
		if (s->v[i - 1] == x)
			return true;
	return false;
}

static int
u32set_add(struct u32set *s, uint32_t x)
{
	uint32_t *v;
	struct hmap_probe pr;

	if (u32set_has(s, x))
		return 0;
	if (!hmap_has_room(&s->map) &&
	    hmap_reserve(&s->map, s->n < 8 ? 8 : s->n * 2) != 0)
		return -ENOMEM;
	if ((v = realloc(s->v, (s->n + 1) * sizeof(*v))) == NULL)
		return -ENOMEM;
	s->v = v;
	empty_slot(&s->map, hash_u32(x), &pr);
	hmap_insert(&s->map, &pr, s->n);
	s->v[s->n++] = x;
	s->bloom |= (uint64_t)1 << (x % 64);
	return 0;
}

static void
cset_add(struct cset *s, const char *cc)
{
	unsigned i = (unsigned)(cc[0] - 'A') * 26 + (unsigned)(cc[1] - 'A');

	s->w[i / 64] |= (uint64_t)1 << (i % 64);
}

/* ----------------------------------------------------------- loader */

struct loader {
	const struct policy_config *c;
	struct policy *p;
	const struct ydoc *d;
	const char *file;		/* d's path, kept as long as the rules */
	const char *ruleset;
	char msg[1024];
	char *err;
	size_t errlen;
	unsigned n_errors;
	bool oom;
	/* Every rule defined so far, enabled or not, for overrides. */
	struct rule **all;
	uint32_t n_all, cap_all;
	struct hmap by_id;
	bool final_only, needs_data;	/* of the rule being read */
	bool uses_home;			/* it names the home country */
	unsigned homeless;		/* rules off: no home country set */
};

static void
report(struct loader *L, const char *msg)
{
	if (L->n_errors++ == 0)
		snprintf(L->err, L->errlen, "%s", msg);
	if (L->c->on_error != NULL)
		L->c->on_error(L->c->arg, msg);
}

__attribute__((format(printf, 3, 4)))
static int
bad(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)ynode_error(L->d, n, L->msg, sizeof(L->msg), "%s", text);
	report(L, L->msg);
	return -EINVAL;
}

/* Report what a ydoc getter wrote into L->msg. */
static int
got(struct loader *L, int r)
{
	if (r != 0)
		report(L, L->msg);
	return r;
}

static int
nomem(struct loader *L)
{
	if (!L->oom) {
		L->oom = true;
		report(L, "out of memory loading the rules");
	}
	return -ENOMEM;
}

static int
check_keys(struct loader *L, const struct ynode *m, const char *const *allowed)
{
	return got(L, ynode_check_keys(L->d, m, allowed, L->msg,
	    sizeof(L->msg)));
}

/* Call cb for a scalar or each item of a list of scalars. */
typedef int item_cb(struct loader *L, const struct ynode *item, void *arg);

static int
each_string(struct loader *L, const struct ynode *n, item_cb *cb, void *arg)
{
	int r = 0;

	if (n->type == YNODE_SCALAR && !ynode_is_null(n))
		return cb(L, n, arg);
	if (n->type != YNODE_SEQ || n->n == 0)
		return bad(L, n, "expected a string or a non-empty list of "
		    "strings");
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->items[i];
		int r2;

		if (it->type != YNODE_SCALAR || ynode_is_null(it))
			r2 = bad(L, it, "expected a string");
		else
			r2 = cb(L, it, arg);
		if (r2 != 0 && r == 0)
			r = r2;
	}
	return r;
}

static int
get_tri(struct loader *L, const struct ynode *n, enum tri *ret)
{
	bool b;

	if (got(L, ynode_bool(L->d, n, &b, L->msg, sizeof(L->msg))) != 0)
		return -EINVAL;
	*ret = b ? TRI_YES : TRI_NO;
	return 0;
}

/* "CN" or a group name from jurisdictions.yaml, into a country set. */
static int
country_or_group(struct loader *L, const struct ynode *it, void *arg)
{
	struct cset *s = arg;
	const char *v = it->scalar;
	int g;

	if (strcmp(v, "home") == 0) {
		L->uses_home = true;
		if (L->c->home_country != NULL)
			cset_add(s, L->c->home_country);
		return 0;
	}
	if (iso3166_alpha2_valid(v, it->scalar_len)) {
		cset_add(s, v);
		return 0;
	}
	if (it->scalar_len == 2 && isupper((unsigned char)v[0]) &&
	    isupper((unsigned char)v[1]))
		return bad(L, it, "unknown country code '%s' (expected an "
		    "ISO 3166-1 alpha-2 code)", v);
	if (L->c->jur == NULL)
		return bad(L, it, "unknown country '%s' (expected an ISO "
		    "3166-1 alpha-2 code; no jurisdictions pack is loaded "
		    "for group names)", v);
	if ((g = jur_group_id(L->c->jur, v)) < 0) {
		char names[512];
		size_t o = 0;

		names[0] = '\0';
		for (size_t i = 0; i < jur_ngroups(L->c->jur) &&
		    o < sizeof(names) - 70; i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o,
			    "%s%s", i ? ", " : "",
			    jur_group(L->c->jur, (unsigned)i)->name);
		return bad(L, it, "unknown country or group '%s' (expected "
		    "an ISO 3166-1 alpha-2 code or one of: %s)", v, names);
	}
	{
		const struct jur_group *gr = jur_group(L->c->jur, (unsigned)g);

		for (size_t i = 0; i < gr->ncountries; i++)
			cset_add(s, gr->countries[i]);
	}
	return 0;
}

static int
group_only(struct loader *L, const struct ynode *it, void *arg)
{
	if (iso3166_alpha2_valid(it->scalar, it->scalar_len))
		return bad(L, it, "'%s' is a country; use country: for it",
		    it->scalar);
	return country_or_group(L, it, arg);
}

static int
code_only(struct loader *L, const struct ynode *it, void *arg)
{
	if (strcmp(it->scalar, "home") == 0)
		return country_or_group(L, it, arg);
	if (!iso3166_alpha2_valid(it->scalar, it->scalar_len))
		return bad(L, it, "unknown country code '%s' (expected an "
		    "ISO 3166-1 alpha-2 code; groups go under group:)",
		    it->scalar);
	cset_add(arg, it->scalar);
	return 0;
}

struct strset_arg {
	struct strset *set;
	bool is_app;		/* check against the apps pack */
	bool is_domain;
};

static int
add_string(struct loader *L, const struct ynode *it, void *arg)
{
	struct strset_arg *a = arg;
	const char *v = it->scalar;
	size_t len = it->scalar_len;

	if (len > 253)
		return bad(L, it, "longer than 253 characters");
	if (a->is_app && L->c->apps != NULL && apps_find(L->c->apps, v) == NULL)
		return bad(L, it, "unknown app id '%s' (not in the apps "
		    "pack)", v);
	if (a->is_domain) {
		if (len > 0 && v[len - 1] == '.')
			len--;
		if (len > 1 && v[0] == '.') {
			v++;
			len--;
		}
		for (size_t i = 0; i < len; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
			    v[i] != '.' && v[i] != '_')
				return bad(L, it, "invalid domain '%s' (a "
				    "suffix such as example.com: letters, "
				    "digits, '-', '_' and '.')", it->scalar);
		if (len == 0)
			return bad(L, it, "empty domain");
	}
	return strset_add(L->p, a->set, v, len) == 0 ? 0 : nomem(L);
}

static int
add_kind(struct loader *L, const struct ynode *it, void *arg)
{
	static const char *const kinds[] = { "app", "sdk", "os" };
	uint8_t *mask = arg;

	for (unsigned i = 0; i < 3; i++)
		if (strcmp(it->scalar, kinds[i]) == 0) {
			*mask |= (uint8_t)(1u << i);
			return 0;
		}
	return bad(L, it, "unknown app kind '%s' (expected app, sdk or os)",
	    it->scalar);
}

static int
add_asn(struct loader *L, const struct ynode *it, void *arg)
{
	const char *s = it->scalar;
	uint64_t v = 0;
	size_t i = 0;

	if (strncasecmp(s, "AS", 2) == 0)
		i = 2;
	if (s[i] == '\0')
		goto fail;
	for (; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || v > 429496729u)
			goto fail;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v >= 4294967295u)
		goto fail;
	return u32set_add(arg, (uint32_t)v) == 0 ? 0 : nomem(L);
fail:
	return bad(L, it, "invalid ASN '%s' (expected a number in "
	    "[1, 4294967294], optionally written AS13335)", s);
}

struct port_arg {
	struct policy *p;
	uint16_t *v;
	size_t n;
};

static int
add_port(struct loader *L, const struct ynode *it, void *arg)
{
	struct port_arg *a = arg;
	uint64_t v;
	uint16_t *nv;

	if (got(L, ynode_uint(L->d, it, 1, 65535, &v, L->msg,
	    sizeof(L->msg))) != 0)
		return -EINVAL;
	if ((nv = realloc(a->v, (a->n + 1) * sizeof(*nv))) == NULL)
		return nomem(L);
	a->v = nv;
	a->v[a->n++] = (uint16_t)v;
	return 0;
}

static int
add_mac(struct loader *L, const struct ynode *it, void *arg)
{
	struct cond_device *d = arg;
	struct mac_pattern m, *nv;
	uint8_t b[6];
	char buf[32];

	if (it->scalar_len == 8) {
		/* A vendor prefix: "3C:22:FB", parsed as a whole MAC. */
		snprintf(buf, sizeof(buf), "%s:00:00:00", it->scalar);
		m.mask = 0xffffff000000ull;
	} else {
		snprintf(buf, sizeof(buf), "%s", it->scalar);
		m.mask = 0xffffffffffffull;
	}
	if (it->scalar_len > 17 || device_parse_mac(buf, b) != 0)
		return bad(L, it, "invalid MAC '%s' (expected "
		    "3C:22:FB:12:34:56, or a vendor prefix 3C:22:FB)",
		    it->scalar);
	m.value = mac_num(b) & m.mask;
	if ((nv = realloc(d->macs, (d->n_macs + 1) * sizeof(*nv))) == NULL)
		return nomem(L);
	d->macs = nv;
	d->macs[d->n_macs++] = m;
	return 0;
}

/* location.* and * are patterns over the categories the engine knows. */
static int
add_category(struct loader *L, const struct ynode *it, void *arg)
{
	uint64_t *mask = arg, hit = 0;
	const char *const *cats = L->p->categories;
	const char *v = it->scalar;
	size_t len = it->scalar_len;

	for (size_t i = 0; cats[i] != NULL; i++) {
		if (strcmp(v, "*") == 0 || strcmp(cats[i], v) == 0 ||
		    (len >= 2 && strcmp(v + len - 2, ".*") == 0 &&
		    strncmp(cats[i], v, len - 1) == 0) ||
		    /* "contacts" takes its sub-kinds too, as "contacts.*" */
		    (strncmp(cats[i], v, len) == 0 && cats[i][len] == '.'))
			hit |= (uint64_t)1 << i;
	}
	if (hit == 0) {
		char names[1024];
		size_t o = 0;

		for (size_t i = 0; cats[i] != NULL && o < sizeof(names) - 40;
		    i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o,
			    "%s%s", i ? ", " : "", cats[i]);
		return bad(L, it, "unknown data category '%s' (expected one "
		    "of: %s; or a prefix such as location.*)", v, names);
	}
	*mask |= hit;
	return 0;
}

static int
add_where(struct loader *L, const struct ynode *it, void *arg)
{
	uint8_t *mask = arg;

	for (unsigned w = PII_WHERE_PATH; w <= PII_WHERE_SERVER_NAME; w++)
		if (strcmp(it->scalar, pii_where_name((enum pii_where)w)) == 0) {
			*mask |= (uint8_t)(1u << w);
			return 0;
		}
	return bad(L, it, "unknown place '%s' (expected path, query, header, "
	    "body, dns or server_name)", it->scalar);
}

/* A permission names the categories that imply it (permissions.yaml). */
static int
add_permission(struct loader *L, const struct ynode *it, void *arg)
{
	uint64_t *mask = arg, hit = 0;
	const char *const *cats = L->p->categories;

	if (L->c->pii == NULL)
		return bad(L, it, "permission conditions need the "
		    "personal-data packs, which are not loaded");
	for (size_t i = 0; cats[i] != NULL; i++) {
		const char *a, *s;

		pii_category_permissions(L->c->pii, cats[i], &a, &s);
		if ((a != NULL && strcasestr(a, it->scalar) != NULL) ||
		    (s != NULL && strcasestr(s, it->scalar) != NULL))
			hit |= (uint64_t)1 << i;
	}
	if (hit == 0)
		return bad(L, it, "no data category implies permission '%s' "
		    "(see rules/permissions.yaml)", it->scalar);
	*mask |= hit;
	return 0;
}

static int
add_protocol(struct loader *L, const struct ynode *it, void *arg)
{
	uint32_t *mask = arg;

	if (strcmp(it->scalar, "other") == 0) {
		*mask |= 1u << APP_PROTO_NONE | 1u << APP_PROTO_UNKNOWN;
		return 0;
	}
	for (unsigned pr = APP_PROTO_DNS; pr <= APP_PROTO_DHCP; pr++)
		if (strcmp(it->scalar, app_proto_name((enum app_proto)pr)) == 0) {
			*mask |= 1u << pr;
			return 0;
		}
	return bad(L, it, "unknown protocol '%s' (expected dns, tls, quic, "
	    "http, dhcp or other)", it->scalar);
}

/* 10485760, "10 MB", "10MiB": bytes. */
static int
get_size(struct loader *L, const struct ynode *n, uint64_t *ret)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KB", 1000 }, { "MB", 1000000 },
		{ "GB", 1000000000 }, { "KiB", 1024 }, { "MiB", 1048576 },
		{ "GiB", 1073741824 },
	};
	const char *s = n->scalar;
	uint64_t v = 0;
	size_t i = 0;

	if (n->type != YNODE_SCALAR || s == NULL || !isdigit((unsigned char)s[0]))
		goto fail;
	for (; isdigit((unsigned char)s[i]); i++) {
		if (v > UINT64_MAX / 10 - 10)
			goto fail;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	while (s[i] == ' ')
		i++;
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		if (strcmp(s + i, units[u].unit) == 0) {
			if (v > UINT64_MAX / units[u].mul)
				goto fail;
			*ret = v * units[u].mul;
			return 0;
		}
fail:
	return bad(L, n, "expected a size: bytes, or a number with B, KB, "
	    "MB, GB, KiB, MiB or GiB (10MB, \"64 KiB\")");
}

/* 90, "90s", "5m", "2h", "1d": microseconds. */
static int
get_duration(struct loader *L, const struct ynode *n, uint64_t *ret)
{
	const char *s = n->scalar;
	uint64_t v = 0, mul = 1;
	size_t i = 0;

	if (n->type != YNODE_SCALAR || s == NULL || !isdigit((unsigned char)s[0]))
		goto fail;
	for (; isdigit((unsigned char)s[i]); i++) {
		if (v > 100000000000u)
			goto fail;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (s[i] == '\0' || strcmp(s + i, "s") == 0)
		mul = 1;
	else if (strcmp(s + i, "m") == 0)
		mul = 60;
	else if (strcmp(s + i, "h") == 0)
		mul = 3600;
	else if (strcmp(s + i, "d") == 0)
		mul = 86400;
	else
		goto fail;
	*ret = v * mul * 1000000u;
	return 0;
fail:
	return bad(L, n, "expected a duration: seconds, or a number with s, "
	    "m, h or d (90s, 5m)");
}

/* ------------------------------------------------------- conditions */

static int parse_cond(struct loader *L, const struct ynode *n, unsigned depth,
    struct cond **ret);

/* Every condition is listed, so its tables are freed even when the rule
 * that held it failed or was replaced. */
static struct cond *
new_cond(struct loader *L, enum cond_kind k)
{
	struct policy *p = L->p;
	struct cond *c;

	if (p->n_conds == p->cap_conds) {
		size_t cap = p->cap_conds ? p->cap_conds * 2 : 64;
		struct cond **v = realloc(p->conds, cap * sizeof(*v));

		if (v == NULL) {
			(void)nomem(L);
			return NULL;
		}
		p->conds = v;
		p->cap_conds = cap;
	}
	if ((c = palloc(p, sizeof(*c))) == NULL) {
		(void)nomem(L);
		return NULL;
	}
	c->kind = k;
	p->conds[p->n_conds++] = c;
	return c;
}

static int
parse_app(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "id", "kind", "vendor",
	    "jurisdiction", "known", NULL };
	struct cond_app *a = &c->u.app;
	struct strset_arg ids = { &a->ids, true, false };
	struct strset_arg vendors = { &a->vendors, false, false };
	const struct ynode *v;
	int r = 0;

	if (n->type != YNODE_MAP)
		return each_string(L, n, add_string, &ids);
	if (n->n == 0)
		return bad(L, n, "empty app condition (expected one of: id, "
		    "kind, vendor, jurisdiction, known)");
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	if ((v = ynode_get(n, "id")) != NULL)
		r |= each_string(L, v, add_string, &ids);
	if ((v = ynode_get(n, "kind")) != NULL)
		r |= each_string(L, v, add_kind, &a->kinds);
	if ((v = ynode_get(n, "vendor")) != NULL) {
		L->p->uses_vendor = true;
		r |= each_string(L, v, add_string, &vendors);
	}
	if ((v = ynode_get(n, "jurisdiction")) != NULL) {
		a->has_jur = true;
		r |= each_string(L, v, country_or_group, &a->jur);
	}
	if ((v = ynode_get(n, "known")) != NULL) {
		r |= get_tri(L, v, &a->known);
		/* An app may still be named later in the flow. */
		if (a->known == TRI_NO)
			L->final_only = true;
	}
	return r ? -EINVAL : 0;
}

static int
parse_device(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "name", "mac", NULL };
	struct cond_device *d = &c->u.device;
	struct strset_arg names = { &d->names, false, false };
	const struct ynode *v;
	int r = 0;

	L->p->uses_device = true;
	if (n->type != YNODE_MAP)
		return each_string(L, n, add_string, &names);
	if (n->n == 0)
		return bad(L, n, "empty device condition (expected name or "
		    "mac)");
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	if ((v = ynode_get(n, "name")) != NULL)
		r |= each_string(L, v, add_string, &names);
	if ((v = ynode_get(n, "mac")) != NULL)
		r |= each_string(L, v, add_mac, d);
	return r ? -EINVAL : 0;
}

static int
parse_data(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "category", "known",
	    "min_confidence", "where", "permission", NULL };
	struct cond_data *d = &c->u.data;
	const struct ynode *v;
	uint64_t perm = 0, conf;
	int r = 0;

	L->needs_data = true;
	if (n->type != YNODE_MAP)
		return each_string(L, n, add_category, &d->categories);
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	if ((v = ynode_get(n, "category")) != NULL)
		r |= each_string(L, v, add_category, &d->categories);
	else
		d->categories = ~(uint64_t)0;
	if ((v = ynode_get(n, "permission")) != NULL) {
		r |= each_string(L, v, add_permission, &perm);
		d->categories &= perm;
	}
	if ((v = ynode_get(n, "where")) != NULL)
		r |= each_string(L, v, add_where, &d->where);
	if ((v = ynode_get(n, "known")) != NULL)
		r |= get_tri(L, v, &d->known);
	if ((v = ynode_get(n, "min_confidence")) != NULL) {
		if (got(L, ynode_uint(L->d, v, 0, 100, &conf, L->msg,
		    sizeof(L->msg))) != 0)
			r = -EINVAL;
		else
			d->min_confidence = (uint8_t)conf;
	}
	if (r == 0 && d->categories == 0)
		return bad(L, n, "no category is both listed and implies the "
		    "permission");
	return r ? -EINVAL : 0;
}

static int
parse_dest(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "country", "group", "asn",
	    "operator", "operator_jurisdiction", "domain", "port", "local",
	    "located", NULL };
	struct cond_dest *d = &c->u.dest;
	struct strset_arg ops = { &d->operators, false, false };
	struct strset_arg doms = { &d->domains, false, true };
	struct port_arg ports = { L->p, NULL, 0 };
	const struct ynode *v;
	struct cset groups;
	int r = 0;

	if (n->type != YNODE_MAP)
		return bad(L, n, "expected a mapping (country, group, asn, "
		    "operator, operator_jurisdiction, domain, port, local, "
		    "located)");
	if (n->n == 0)
		return bad(L, n, "empty destination condition");
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	if ((v = ynode_get(n, "country")) != NULL) {
		d->has_country = true;
		r |= each_string(L, v, code_only, &d->country);
	}
	if ((v = ynode_get(n, "group")) != NULL) {
		memset(&groups, 0, sizeof(groups));
		r |= each_string(L, v, group_only, &groups);
		/* Both given: the country must be listed and in a group. */
		if (d->has_country)
			for (size_t i = 0; i < CSET_WORDS; i++)
				d->country.w[i] &= groups.w[i];
		else
			d->country = groups;
		d->has_country = true;
	}
	if ((v = ynode_get(n, "asn")) != NULL)
		r |= each_string(L, v, add_asn, &d->asns);
	if ((v = ynode_get(n, "operator")) != NULL) {
		L->p->uses_operator = true;
		r |= each_string(L, v, add_string, &ops);
	}
	if ((v = ynode_get(n, "operator_jurisdiction")) != NULL) {
		d->has_op_jur = true;
		r |= each_string(L, v, country_or_group, &d->op_jur);
	}
	if ((v = ynode_get(n, "domain")) != NULL) {
		L->p->uses_domain = true;
		r |= each_string(L, v, add_string, &doms);
	}
	if ((v = ynode_get(n, "port")) != NULL) {
		if (v->type == YNODE_SCALAR)
			r |= add_port(L, v, &ports);
		else
			r |= each_string(L, v, add_port, &ports);
		d->ports = ports.v;
		d->n_ports = ports.n;
	}
	if ((v = ynode_get(n, "local")) != NULL)
		r |= get_tri(L, v, &d->local);
	if ((v = ynode_get(n, "located")) != NULL)
		r |= get_tri(L, v, &d->located);
	return r ? -EINVAL : 0;
}

static int
add_by(struct loader *L, const struct ynode *it, void *arg)
{
	static const char *const by[] = { "location", "operator", "vendor" };
	uint8_t *mask = arg;

	for (unsigned i = 0; i < 3; i++)
		if (strcmp(it->scalar, by[i]) == 0) {
			*mask |= (uint8_t)(1u << i);
			return 0;
		}
	return bad(L, it, "unknown jurisdiction '%s' (expected location, "
	    "operator or vendor)", it->scalar);
}

static int
parse_jur(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "country", "group", "by", NULL };
	struct cond_jur *j = &c->u.jur;
	const struct ynode *v;
	int r = 0;

	if (n->type != YNODE_MAP) {
		r = each_string(L, n, country_or_group, &j->countries);
		j->by = JUR_BY_LOCATION | JUR_BY_OPERATOR | JUR_BY_VENDOR;
		return r;
	}
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	if (ynode_get(n, "country") == NULL && ynode_get(n, "group") == NULL)
		return bad(L, n, "a jurisdiction condition names a country or "
		    "a group");
	if ((v = ynode_get(n, "country")) != NULL)
		r |= each_string(L, v, code_only, &j->countries);
	if ((v = ynode_get(n, "group")) != NULL)
		r |= each_string(L, v, group_only, &j->countries);
	if ((v = ynode_get(n, "by")) != NULL)
		r |= each_string(L, v, add_by, &j->by);
	else
		j->by = JUR_BY_LOCATION | JUR_BY_OPERATOR | JUR_BY_VENDOR;
	return r ? -EINVAL : 0;
}

static int
parse_traffic(struct loader *L, const struct ynode *n, struct cond *c)
{
	static const char *const keys[] = { "protocol", "encrypted",
	    "sent_at_least", "sent_at_most", "received_at_least",
	    "received_at_most", "duration_at_least", "duration_at_most", NULL };
	struct cond_traffic *t = &c->u.traffic;
	const struct ynode *v;
	int r = 0;

	if (n->type != YNODE_MAP)
		return bad(L, n, "expected a mapping (%s, ...)", keys[0]);
	if (n->n == 0)
		return bad(L, n, "empty traffic condition");
	if (check_keys(L, n, keys) != 0)
		return -EINVAL;
	t->sent_max = t->recv_max = t->dur_max = UINT64_MAX;
	if ((v = ynode_get(n, "protocol")) != NULL)
		r |= each_string(L, v, add_protocol, &t->protocols);
	if ((v = ynode_get(n, "encrypted")) != NULL)
		r |= get_tri(L, v, &t->encrypted);
	if ((v = ynode_get(n, "sent_at_least")) != NULL)
		r |= get_size(L, v, &t->sent_min);
	if ((v = ynode_get(n, "sent_at_most")) != NULL)
		r |= get_size(L, v, &t->sent_max);
	if ((v = ynode_get(n, "received_at_least")) != NULL)
		r |= get_size(L, v, &t->recv_min);
	if ((v = ynode_get(n, "received_at_most")) != NULL)
		r |= get_size(L, v, &t->recv_max);
	if ((v = ynode_get(n, "duration_at_least")) != NULL)
		r |= get_duration(L, v, &t->dur_min);
	if ((v = ynode_get(n, "duration_at_most")) != NULL)
		r |= get_duration(L, v, &t->dur_max);
	/* Counters grow until the flow ends: judged then only.  The
	 * protocol is known from the first message. */
	if (t->sent_min != 0 || t->sent_max != UINT64_MAX || t->recv_min != 0 ||
	    t->recv_max != UINT64_MAX || t->dur_min != 0 ||
	    t->dur_max != UINT64_MAX)
		L->final_only = true;
	return r ? -EINVAL : 0;
}

static int
parse_list(struct loader *L, const struct ynode *n, unsigned depth,
    struct cond *c)
{
	int r = 0;

	if (n->type != YNODE_SEQ || n->n == 0)
		return bad(L, n, "expected a non-empty list of conditions");
	if ((c->kids = palloc(L->p, n->n * sizeof(*c->kids))) == NULL)
		return nomem(L);
	for (size_t i = 0; i < n->n; i++) {
		if (parse_cond(L, n->items[i], depth + 1,
		    &c->kids[c->n_kids]) != 0)
			r = -EINVAL;
		else
			c->n_kids++;
	}
	return r;
}

static const char *const cond_keys[] = { "all", "any", "not", "app",
    "device", "data", "destination", "jurisdiction", "traffic", NULL };

/* One key: that condition.  Several: all of them must hold. */
static int
parse_cond(struct loader *L, const struct ynode *n, unsigned depth,
    struct cond **ret)
{
	struct cond *all = NULL;
	int r = 0;

	if (depth > POLICY_MAX_DEPTH)
		return bad(L, n, "conditions nested deeper than %d levels",
		    POLICY_MAX_DEPTH);
	if (n->type != YNODE_MAP || n->n == 0)
		return bad(L, n, "expected a condition: a mapping with one of "
		    "all, any, not, app, device, data, destination, "
		    "jurisdiction, traffic");
	if (check_keys(L, n, cond_keys) != 0)
		return -EINVAL;
	if (n->n > 1) {
		if ((all = new_cond(L, COND_ALL)) == NULL ||
		    (all->kids = palloc(L->p, n->n * sizeof(*all->kids))) ==
		    NULL)
			return nomem(L);
	}
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->scalar;
		const struct ynode *v = n->items[i];
		struct cond *c;
		int r2;

		if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
			if ((c = new_cond(L, k[1] == 'l' ? COND_ALL :
			    COND_ANY)) == NULL)
				return -ENOMEM;
			r2 = parse_list(L, v, depth, c);
		} else if (strcmp(k, "not") == 0) {
			if ((c = new_cond(L, COND_NOT)) == NULL ||
			    (c->kids = palloc(L->p, sizeof(*c->kids))) == NULL)
				return nomem(L);
			/* "not" answers only once all is known. */
			L->final_only = true;
			if ((r2 = parse_cond(L, v, depth + 1, &c->kids[0])) == 0)
				c->n_kids = 1;
		} else {
			static const struct {
				const char *key;
				enum cond_kind kind;
				int (*parse)(struct loader *,
				    const struct ynode *, struct cond *);
			} leaves[] = {
				{ "app", COND_APP, parse_app },
				{ "device", COND_DEVICE, parse_device },
				{ "data", COND_DATA, parse_data },
				{ "destination", COND_DEST, parse_dest },
				{ "jurisdiction", COND_JUR, parse_jur },
				{ "traffic", COND_TRAFFIC, parse_traffic },
			};
			size_t j = 0;

			while (strcmp(leaves[j].key, k) != 0)
				j++;
			if ((c = new_cond(L, leaves[j].kind)) == NULL)
				return -ENOMEM;
			r2 = leaves[j].parse(L, v, c);
		}
		if (r2 != 0) {
			r = -EINVAL;
			continue;
		}
		if (all == NULL)
			*ret = c;
		else
			all->kids[all->n_kids++] = c;
	}
	if (r == 0 && all != NULL)
		*ret = all;
	return r;
}

/* ------------------------------------------------------------ rules */

static const struct {
	const char *name;
	enum slot slot;
} slot_names[] = {
	{ "app", SLOT_APP }, { "vendor", SLOT_VENDOR },
	{ "device", SLOT_DEVICE }, { "data", SLOT_DATA },
	{ "destination", SLOT_DESTINATION }, { "domain", SLOT_DOMAIN },
	{ "ip", SLOT_IP }, { "port", SLOT_PORT },
	{ "country", SLOT_COUNTRY }, { "operator", SLOT_OPERATOR },
	{ "asn", SLOT_ASN }, { "jurisdiction", SLOT_JURISDICTION },
	{ "under", SLOT_UNDER },
};

/* "{app} sent {data}": text and slots; "{{" and "}}" are braces. */
static int
parse_title(struct loader *L, const struct ynode *n, struct rule *ru)
{
	const char *s = ru->title;
	size_t cap = 1, np = 0;
	struct title_part *parts;
	int r = 0;

	for (const char *q = s; *q != '\0'; q++)
		cap += *q == '{' || *q == '}' ? 2 : 0;
	if ((parts = palloc(L->p, (cap + 1) * sizeof(*parts))) == NULL)
		return nomem(L);
	for (size_t i = 0; s[i] != '\0';) {
		if ((s[i] == '{' && s[i + 1] == '{') ||
		    (s[i] == '}' && s[i + 1] == '}')) {
			parts[np++] = (struct title_part){ SLOT_TEXT, s + i, 1 };
			i += 2;
			continue;
		}
		if (s[i] == '}') {
			r = bad(L, n, "title: '}' at offset %zu closes nothing "
			    "(write }} for a brace)", i);
			i++;
			continue;
		}
		if (s[i] == '{') {
			const char *end = strchr(s + i, '}');
			size_t len, k;

			if (end == NULL) {
				r = bad(L, n, "title: '{' at offset %zu is not "
				    "closed (write {{ for a brace)", i);
				break;
			}
			len = (size_t)(end - s - i - 1);
			for (k = 0; k < sizeof(slot_names) /
			    sizeof(slot_names[0]); k++)
				if (strlen(slot_names[k].name) == len &&
				    memcmp(slot_names[k].name, s + i + 1,
				    len) == 0)
					break;
			if (k == sizeof(slot_names) / sizeof(slot_names[0]))
				r = bad(L, n, "title: unknown placeholder "
				    "'{%.*s}' (expected {app}, {vendor}, "
				    "{device}, {data}, {destination}, {domain}, "
				    "{ip}, {port}, {country}, {operator}, {asn}, "
				    "{jurisdiction} or {under})", (int)len, s + i + 1);
			else
				parts[np++] = (struct title_part){
				    slot_names[k].slot, NULL, 0 };
			i += len + 2;
			continue;
		}
		{
			size_t j = i;

			while (s[j] != '\0' && s[j] != '{' && s[j] != '}')
				j++;
			parts[np++] = (struct title_part){ SLOT_TEXT, s + i,
			    j - i };
			i = j;
		}
	}
	ru->parts = parts;
	ru->n_parts = np;
	return r;
}

static int
id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > POLICY_ID_MAX || !islower((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    strchr("._-", s[i]) == NULL)
			return 0;
	return 1;
}

static struct rule *
find_rule(struct loader *L, const char *id, uint32_t *ret_idx)
{
	struct hmap_probe pr;

	for (uint32_t i = hmap_first(&L->by_id, str_hash(id, strlen(id)), &pr);
	    i != 0; i = hmap_next(&L->by_id, &pr))
		if (strcmp(L->all[i - 1]->id, id) == 0) {
			if (ret_idx != NULL)
				*ret_idx = i - 1;
			return L->all[i - 1];
		}
	return NULL;
}

static int
strings_into(struct loader *L, const struct ynode *n, char ***ret,
    size_t *ret_n)
{
	char **v;

	if (n->type == YNODE_SCALAR && !ynode_is_null(n)) {
		if ((v = palloc(L->p, sizeof(*v))) == NULL ||
		    (v[0] = pstrndup(L->p, n->scalar, n->scalar_len)) == NULL)
			return nomem(L);
		*ret = v;
		*ret_n = 1;
		return 0;
	}
	if (n->type != YNODE_SEQ)
		return bad(L, n, "expected a string or a list of strings");
	if ((v = palloc(L->p, (n->n + 1) * sizeof(*v))) == NULL)
		return nomem(L);
	for (size_t i = 0; i < n->n; i++) {
		const char *s;

		if (got(L, ynode_string(L->d, n->items[i], &s, L->msg,
		    sizeof(L->msg))) != 0)
			return -EINVAL;
		if ((v[i] = pstrndup(L->p, s, strlen(s))) == NULL)
			return nomem(L);
	}
	*ret = v;
	*ret_n = n->n;
	return 0;
}

static int
add_rule(struct loader *L, struct rule *ru, const struct ynode *at,
    bool override)
{
	uint32_t idx;
	struct rule *old = find_rule(L, ru->id, &idx);
	struct hmap_probe pr;

	if (old != NULL && !override)
		return bad(L, at, "duplicate rule id '%s' (first at %s:%u; "
		    "say override: true to replace it)", ru->id, old->file,
		    old->line);
	if (old == NULL && override)
		return bad(L, at, "override: no earlier rule has id '%s'",
		    ru->id);
	if (old != NULL) {
		L->all[idx] = ru;
		return 0;
	}
	if (L->n_all == POLICY_MAX_RULES)
		return bad(L, at, "more than %d rules", POLICY_MAX_RULES);
	if (L->n_all == L->cap_all) {
		uint32_t cap = L->cap_all ? L->cap_all * 2 : 64;
		struct rule **v = realloc(L->all, cap * sizeof(*v));

		if (v == NULL)
			return nomem(L);
		L->all = v;
		L->cap_all = cap;
	}
	if (!hmap_has_room(&L->by_id) &&
	    hmap_reserve(&L->by_id, L->n_all < 32 ? 64 : L->n_all * 2) != 0)
		return nomem(L);
	empty_slot(&L->by_id, str_hash(ru->id, strlen(ru->id)), &pr);
	hmap_insert(&L->by_id, &pr, L->n_all);
	L->all[L->n_all++] = ru;
	return 0;
}

static int
parse_rule(struct loader *L, const struct ynode *n, bool pack_on)
{
	static const char *const keys[] = { "id", "title", "severity", "tags",
	    "description", "references", "when", "override", "enabled", NULL };
	struct rule *ru;
	const struct ynode *v;
	const char *s;
	bool override = false, on = true;
	int r = 0, sev;

	if (n->type != YNODE_MAP)
		return bad(L, n, "expected a rule (a mapping with id, title, "
		    "severity, when)");
	r = check_keys(L, n, keys);
	if ((ru = palloc(L->p, sizeof(*ru))) == NULL)
		return nomem(L);
	ru->ruleset = L->ruleset;
	ru->file = L->file;
	ru->line = n->line;
	/* Each key is checked even when another failed: all errors count. */
	if (got(L, ynode_get_required(L->d, n, "id", &v, L->msg,
	    sizeof(L->msg))) != 0 || got(L, ynode_string(L->d, v, &s, L->msg,
	    sizeof(L->msg))) != 0)
		r = -EINVAL;
	else if (!id_ok(s))
		r = bad(L, v, "invalid rule id '%s' (expected lower-case "
		    "letters, digits, '.', '_' and '-', starting with a "
		    "letter, at most %d characters)", s, POLICY_ID_MAX);
	else if ((ru->id = pstrndup(L->p, s, strlen(s))) == NULL)
		return nomem(L);
	if (got(L, ynode_get_required(L->d, n, "title", &v, L->msg,
	    sizeof(L->msg))) != 0 || got(L, ynode_string(L->d, v, &s, L->msg,
	    sizeof(L->msg))) != 0)
		r = -EINVAL;
	else if (strlen(s) > POLICY_TITLE_MAX)
		r = bad(L, v, "title longer than %d characters",
		    POLICY_TITLE_MAX);
	else if ((ru->title = pstrndup(L->p, s, strlen(s))) == NULL)
		return nomem(L);
	else if (parse_title(L, v, ru) != 0)
		r = -EINVAL;
	if (got(L, ynode_get_required(L->d, n, "severity", &v, L->msg,
	    sizeof(L->msg))) != 0 || got(L, ynode_string(L->d, v, &s, L->msg,
	    sizeof(L->msg))) != 0)
		r = -EINVAL;
	else if ((sev = severity_parse(s)) < 0)
		r = bad(L, v, "unknown severity '%s' (expected info, low, "
		    "medium, high or critical)", s);
	else
		ru->severity = (enum severity)sev;
	if ((v = ynode_get(n, "tags")) != NULL &&
	    strings_into(L, v, &ru->tags, &ru->n_tags) != 0)
		r = -EINVAL;
	if ((v = ynode_get(n, "references")) != NULL &&
	    strings_into(L, v, &ru->refs, &ru->n_refs) != 0)
		r = -EINVAL;
	if ((v = ynode_get(n, "description")) != NULL) {
		if (got(L, ynode_string(L->d, v, &s, L->msg,
		    sizeof(L->msg))) != 0)
			r = -EINVAL;
		else if ((ru->description = pstrndup(L->p, s, strlen(s))) ==
		    NULL)
			return nomem(L);
	}
	if ((v = ynode_get(n, "override")) != NULL &&
	    got(L, ynode_bool(L->d, v, &override, L->msg, sizeof(L->msg))) != 0)
		r = -EINVAL;
	if ((v = ynode_get(n, "enabled")) != NULL &&
	    got(L, ynode_bool(L->d, v, &on, L->msg, sizeof(L->msg))) != 0)
		r = -EINVAL;
	L->final_only = L->needs_data = L->uses_home = false;
	if (got(L, ynode_get_required(L->d, n, "when", &v, L->msg,
	    sizeof(L->msg))) != 0 || parse_cond(L, v, 0, &ru->when) != 0)
		r = -EINVAL;
	ru->final_only = L->final_only;
	ru->needs_data = L->needs_data;
	ru->enabled = on && pack_on;
	/* "Abroad" means nothing until the home country is known. */
	if (L->uses_home && L->c->home_country == NULL && ru->enabled) {
		ru->enabled = false;
		L->homeless++;
	}
	if (ru->id == NULL)
		return -EINVAL;
	ru->id_hash = hash_str(ru->id);
	/* A broken rule's id still counts, so a duplicate of it is said
	 * too; the load fails anyway. */
	if (r != 0)
		ru->enabled = false;
	return add_rule(L, ru, ynode_get(n, "id"), override) != 0 ? -EINVAL : r;
}

static bool
listed(const char *const *list, const char *name)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static int
disable_one(struct loader *L, const struct ynode *it, void *arg)
{
	struct rule *ru = find_rule(L, it->scalar, NULL);

	(void)arg;
	if (ru == NULL)
		return bad(L, it, "disable: no rule loaded before has id '%s'",
		    it->scalar);
	ru->enabled = false;
	return 0;
}

static void
load_file(struct loader *L, const char *path)
{
	static const char *const top[] = { "version", "ruleset", "description",
	    "enabled", "disable", "rules", NULL };
	struct ydoc *d = NULL;
	const struct ynode *v, *rules;
	const char *s;
	uint64_t ver;
	bool on = true;

	if (ydoc_load_file(path, &d, L->msg, sizeof(L->msg)) != 0) {
		report(L, L->msg);
		return;
	}
	L->d = d;
	L->p->n_files++;
	if ((L->file = pstrndup(L->p, path, strlen(path))) == NULL) {
		(void)nomem(L);
		goto out;
	}
	(void)check_keys(L, d->root, top);
	if (d->root->type != YNODE_MAP)
		goto out;
	if (got(L, ynode_get_required(d, d->root, "version", &v, L->msg,
	    sizeof(L->msg))) == 0)
		(void)got(L, ynode_uint(d, v, 1, 1, &ver, L->msg,
		    sizeof(L->msg)));
	L->ruleset = "local";
	if (got(L, ynode_get_required(d, d->root, "ruleset", &v, L->msg,
	    sizeof(L->msg))) == 0 && got(L, ynode_string(d, v, &s, L->msg,
	    sizeof(L->msg))) == 0) {
		if (!id_ok(s))
			(void)bad(L, v, "invalid ruleset name '%s' (expected "
			    "lower-case letters, digits, '.', '_', '-')", s);
		else if ((L->ruleset = pstrndup(L->p, s, strlen(s))) == NULL) {
			(void)nomem(L);
			goto out;
		}
	}
	if ((v = ynode_get(d->root, "description")) != NULL)
		(void)got(L, ynode_string(d, v, &s, L->msg, sizeof(L->msg)));
	if ((v = ynode_get(d->root, "enabled")) != NULL)
		(void)got(L, ynode_bool(d, v, &on, L->msg, sizeof(L->msg)));
	if (listed(L->c->enable, L->ruleset))
		on = true;
	if (listed(L->c->disable, L->ruleset))
		on = false;
	if ((v = ynode_get(d->root, "disable")) != NULL)
		(void)each_string(L, v, disable_one, NULL);
	if ((v = ynode_get(d->root, "rules")) != NULL) {
		rules = v;
		if (rules->type != YNODE_SEQ)
			(void)bad(L, rules, "expected a list of rules");
		else
			for (size_t i = 0; i < rules->n && !L->oom; i++)
				(void)parse_rule(L, rules->items[i], on);
	} else if (ynode_get(d->root, "disable") == NULL)
		(void)bad(L, d->root, "missing key 'rules' (or 'disable')");
out:
	/* Rules keep their file name: it must outlive the document. */
	L->d = NULL;
	ydoc_free(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every *.yaml of a folder in name order. */
static void
load_path(struct loader *L, const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (stat(path, &st) != 0) {
		snprintf(L->msg, sizeof(L->msg), "%s: %s", path,
		    strerror(errno));
		report(L, L->msg);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (L->p->n_files == POLICY_MAX_FILES) {
			snprintf(L->msg, sizeof(L->msg), "%s: more than %d "
			    "rule files", path, POLICY_MAX_FILES);
			report(L, L->msg);
			return;
		}
		load_file(L, path);
		return;
	}
	if ((dir = opendir(path)) == NULL) {
		snprintf(L->msg, sizeof(L->msg), "%s: %s", path,
		    strerror(errno));
		report(L, L->msg);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		char **nv;

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		if (n == POLICY_MAX_FILES ||
		    (nv = realloc(names, (n + 1) * sizeof(*nv))) == NULL)
			break;
		names = nv;
		if ((names[n] = malloc(strlen(path) + len + 2)) == NULL)
			break;
		snprintf(names[n], strlen(path) + len + 2, "%s/%s", path,
		    de->d_name);
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		/* The rules keep the path (their file name) in the arena. */
		char *kept = pstrndup(L->p, names[i], strlen(names[i]));

		if (kept != NULL)
			load_path(L, kept);
		else
			(void)nomem(L);
		free(names[i]);
	}
	free(names);
}

/* ----------------------------------------------------------- anchors */

struct anchor_set {
	enum anchor kind[ANCHOR_MAX_KEYS];
	const char *key[ANCHOR_MAX_KEYS];
	char cc[ANCHOR_MAX_KEYS][3];
	uint64_t num[ANCHOR_MAX_KEYS];	/* an ASN, or a threshold */
	size_t n;
	bool none;			/* no anchor: tried on every flow */
};

static void
anchor_add(struct anchor_set *a, enum anchor k, const char *key,
    const char *cc, uint64_t num)
{
	if (a->n == ANCHOR_MAX_KEYS) {
		a->none = true;
		return;
	}
	a->kind[a->n] = k;
	a->key[a->n] = key;
	if (cc != NULL)
		memcpy(a->cc[a->n], cc, 3);
	a->num[a->n] = num;
	a->n++;
}

static void
anchor_cset(struct anchor_set *a, const struct cset *s)
{
	for (unsigned i = 0; i < 676 && !a->none; i++)
		if ((s->w[i / 64] >> (i % 64)) & 1) {
			char cc[3] = { (char)('A' + i / 26),
			    (char)('A' + i % 26), 0 };

			anchor_add(a, ANCHOR_COUNTRY, NULL, cc, 0);
		}
}

/* Keys a leaf cannot hold without; a->none if it has none. */
static void
anchor_leaf(const struct policy *p, const struct cond *c,
    struct anchor_set *a)
{
	struct anchor_set best, t;

	memset(&best, 0, sizeof(best));
	best.none = true;
	switch (c->kind) {
	case COND_APP:
		if (c->u.app.ids.n > 0) {
			memset(&t, 0, sizeof(t));
			for (uint32_t i = 0; i < c->u.app.ids.n; i++)
				anchor_add(&t, ANCHOR_APP, c->u.app.ids.v[i],
				    NULL, 0);
			if (!t.none)
				best = t;
		}
		if (best.none && c->u.app.has_jur) {
			memset(&t, 0, sizeof(t));
			anchor_cset(&t, &c->u.app.jur);
			if (!t.none)
				best = t;
		}
		break;
	case COND_DEVICE:
		/* Names and MACs must both hold: either list will do. */
		memset(&t, 0, sizeof(t));
		if (c->u.device.names.n > 0)
			for (uint32_t i = 0; i < c->u.device.names.n; i++)
				anchor_add(&t, ANCHOR_DEVICE,
				    c->u.device.names.v[i], NULL, 0);
		else
			for (size_t i = 0; i < c->u.device.n_macs; i++)
				anchor_add(&t, ANCHOR_VENDOR_MAC, NULL, NULL,
				    c->u.device.macs[i].value >> 24);
		if (t.n > 0 && !t.none)
			best = t;
		break;
	case COND_DATA:
		memset(&t, 0, sizeof(t));
		for (unsigned i = 0; p->categories[i] != NULL; i++)
			if ((c->u.data.categories >> i) & 1)
				anchor_add(&t, ANCHOR_CATEGORY, p->categories[i],
				    NULL, 0);
		best = t;
		break;
	case COND_DEST:
		if (c->u.dest.asns.n > 0) {
			memset(&t, 0, sizeof(t));
			for (uint32_t i = 0; i < c->u.dest.asns.n; i++)
				anchor_add(&t, ANCHOR_ASN, NULL, NULL,
				    c->u.dest.asns.v[i]);
			if (!t.none)
				best = t;
		}
		if (best.none && c->u.dest.domains.n > 0) {
			memset(&t, 0, sizeof(t));
			for (uint32_t i = 0; i < c->u.dest.domains.n; i++)
				anchor_add(&t, ANCHOR_DOMAIN,
				    c->u.dest.domains.v[i], NULL, 0);
			if (!t.none)
				best = t;
		}
		if (best.none && c->u.dest.has_country) {
			memset(&t, 0, sizeof(t));
			anchor_cset(&t, &c->u.dest.country);
			if (!t.none)
				best = t;
		}
		if (best.none && c->u.dest.has_op_jur) {
			memset(&t, 0, sizeof(t));
			anchor_cset(&t, &c->u.dest.op_jur);
			if (!t.none)
				best = t;
		}
		break;
	case COND_JUR:
		memset(&t, 0, sizeof(t));
		anchor_cset(&t, &c->u.jur.countries);
		best = t;
		break;
	case COND_TRAFFIC:
		/* At least so much sent, received or so long: most flows
		 * are short and small, uploads are what rules ask about. */
		memset(&t, 0, sizeof(t));
		if (c->u.traffic.sent_min > 0)
			anchor_add(&t, ANCHOR_SENT, NULL, NULL,
			    c->u.traffic.sent_min);
		else if (c->u.traffic.recv_min > 0)
			anchor_add(&t, ANCHOR_RECEIVED, NULL, NULL,
			    c->u.traffic.recv_min);
		else if (c->u.traffic.dur_min > 0)
			anchor_add(&t, ANCHOR_DURATION, NULL, NULL,
			    c->u.traffic.dur_min);
		if (t.n > 0)
			best = t;
		break;
	default:
		break;
	}
	*a = best;
}

/*
 * How often a flow is likely to carry one of these keys: a country is
 * common (most flows go to a handful), a data category rare; the index
 * works best on the rare ones.
 */
static unsigned
anchor_cost(const struct anchor_set *a)
{
	static const unsigned weight[] = {
		[ANCHOR_APP] = 4, [ANCHOR_CATEGORY] = 1, [ANCHOR_COUNTRY] = 32,
		[ANCHOR_ASN] = 4, [ANCHOR_DOMAIN] = 2, [ANCHOR_DEVICE] = 2,
		[ANCHOR_VENDOR_MAC] = 8,
	};
	unsigned cost = 0;

	for (size_t i = 0; i < a->n; i++) {
		if (a->kind[i] < ANCHOR_SENT)
			cost += weight[a->kind[i]];
		else
			/* A low threshold is common, a high one rare (a
			 * minute, or a megabyte, is a long or a big flow). */
			cost += a->num[i] >= (a->kind[i] == ANCHOR_DURATION ?
			    60000000u : 1000000u) ? 2 : a->num[i] >=
			    (a->kind[i] == ANCHOR_DURATION ? 5000000u :
			    65536u) ? 8 : 32;
	}
	return cost;
}

static void
anchor_of(const struct policy *p, const struct cond *c, struct anchor_set *a)
{
	struct anchor_set k;

	memset(a, 0, sizeof(*a));
	a->none = true;
	switch (c->kind) {
	case COND_ALL:
		/* Any kid's keys will do: take the rarest. */
		for (size_t i = 0; i < c->n_kids; i++) {
			anchor_of(p, c->kids[i], &k);
			if (!k.none && (a->none || anchor_cost(&k) <
			    anchor_cost(a)))
				*a = k;
		}
		break;
	case COND_ANY:
		/* Every kid's keys, or nothing. */
		a->none = false;
		for (size_t i = 0; i < c->n_kids && !a->none; i++) {
			anchor_of(p, c->kids[i], &k);
			if (k.none) {
				a->none = true;
				break;
			}
			for (size_t j = 0; j < k.n; j++)
				anchor_add(a, k.kind[j], k.key[j], k.cc[j],
				    k.num[j]);
		}
		break;
	case COND_NOT:
		break;
	default:
		anchor_leaf(p, c, a);
		break;
	}
}

static int
index_add(struct policy *p, enum anchor kind, const char *key, uint32_t num,
    uint32_t rule)
{
	struct hmap_probe pr;
	struct index_entry *e = NULL;
	size_t len = key != NULL ? strlen(key) : 0;
	uint32_t h = index_hash(kind, key != NULL ? str_hash(key, len) : num);

	for (uint32_t i = hmap_first(&p->index, h, &pr); i != 0;
	    i = hmap_next(&p->index, &pr)) {
		const struct index_entry *x = &p->entries[i - 1];

		if (x->kind == kind && (key != NULL ? x->key_len == len &&
		    memcmp(x->key, key, len) == 0 : x->num == num)) {
			e = &p->entries[i - 1];
			break;
		}
	}
	if (e == NULL) {
		if (p->n_entries == p->cap_entries) {
			uint32_t cap = p->cap_entries ? p->cap_entries * 2 : 64;
			struct index_entry *v = realloc(p->entries,
			    cap * sizeof(*v));

			if (v == NULL)
				return -ENOMEM;
			p->entries = v;
			p->cap_entries = cap;
		}
		if (!hmap_has_room(&p->index) &&
		    hmap_reserve(&p->index, p->n_entries * 2 + 64) != 0)
			return -ENOMEM;
		empty_slot(&p->index, h, &pr);
		e = &p->entries[p->n_entries];
		memset(e, 0, sizeof(*e));
		e->kind = (uint8_t)kind;
		e->num = num;
		if (key != NULL && (e->key = pstrndup(p, key, len)) == NULL)
			return -ENOMEM;
		e->key_len = len;
		hmap_insert(&p->index, &pr, p->n_entries++);
	}
	/* Rules are added in order: a repeat can only be the last. */
	if (e->n > 0 && e->rules[e->n - 1] == rule)
		return 0;
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? e->cap * 2 : 4;
		uint32_t *v = realloc(e->rules, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		e->rules = v;
		e->cap = cap;
	}
	e->rules[e->n++] = rule;
	return 0;
}

/* ------------------------------------------------------------- gates */

static uint64_t
cset_bloom(const struct cset *s)
{
	uint64_t b = 0;

	for (unsigned i = 0; i < 676; i++)
		if ((s->w[i / 64] >> (i % 64)) & 1)
			b |= bloom_num((uint64_t)('A' + i / 26) << 8 |
			    (uint64_t)('A' + i % 26));
	return b;
}

static void
gate_set(struct gate *g, enum gate_fact f, uint64_t v)
{
	g->facts = (uint16_t)(1u << f);
	g->v[f] = v;
}

/* A leaf's gate: one fact it cannot hold without; open if none. */
static void
gate_leaf(struct policy *p, const struct cond *c, struct gate *g)
{
	memset(g, 0, sizeof(*g));
	switch (c->kind) {
	case COND_APP:
		if (c->u.app.ids.n > 0)
			gate_set(g, GF_APP, c->u.app.ids.bloom);
		else if (c->u.app.vendors.n > 0)
			gate_set(g, GF_VENDOR, c->u.app.vendors.bloom);
		else if (c->u.app.has_jur)
			gate_set(g, GF_COUNTRY, cset_bloom(&c->u.app.jur));
		break;
	case COND_DATA:
		gate_set(g, GF_CATEGORY, c->u.data.categories);
		break;
	case COND_DEST:
		if (c->u.dest.asns.n > 0)
			gate_set(g, GF_ASN, c->u.dest.asns.bloom);
		else if (c->u.dest.domains.n > 0) {
			gate_set(g, GF_DOMAIN, c->u.dest.domains.bloom);
			p->uses_domain = true;
		} else if (c->u.dest.has_country)
			gate_set(g, GF_COUNTRY, cset_bloom(&c->u.dest.country));
		else if (c->u.dest.has_op_jur)
			gate_set(g, GF_COUNTRY, cset_bloom(&c->u.dest.op_jur));
		break;
	case COND_DEVICE:
		if (c->u.device.n_macs > 0) {
			uint64_t b = 0;

			for (size_t i = 0; i < c->u.device.n_macs; i++)
				b |= bloom_num(c->u.device.macs[i].value);
			gate_set(g, GF_MAC, b);
		} else if (c->u.device.names.n > 0)
			gate_set(g, GF_DEVICE, c->u.device.names.bloom);
		break;
	case COND_JUR:
		gate_set(g, GF_COUNTRY, cset_bloom(&c->u.jur.countries));
		break;
	case COND_TRAFFIC:
		if (c->u.traffic.sent_min > 0)
			gate_set(g, GF_SENT, c->u.traffic.sent_min);
		else if (c->u.traffic.recv_min > 0)
			gate_set(g, GF_RECEIVED, c->u.traffic.recv_min);
		else if (c->u.traffic.dur_min > 0)
			gate_set(g, GF_DURATION, c->u.traffic.dur_min);
		else if (c->u.traffic.protocols != 0)
			gate_set(g, GF_PROTO, c->u.traffic.protocols);
		else if (c->u.traffic.encrypted == TRI_YES)
			gate_set(g, GF_PROTO, 1u << APP_PROTO_TLS |
			    1u << APP_PROTO_QUIC);
		break;
	default:
		break;
	}
}

/* How many flows a gate lets through, roughly: fewer bits, fewer. */
static unsigned
gate_cost(const struct gate *g)
{
	unsigned cost = 0;

	for (unsigned f = 0; f < GF__COUNT; f++)
		if ((g->facts >> f) & 1)
			cost += f >= GF_COUNTERS ? (g->v[f] >= 1000000 ? 2 : 16) :
			    (unsigned)__builtin_popcountll(g->v[f]) *
			    (f == GF_COUNTRY || f == GF_PROTO ? 8u : 1u);
	return cost;
}

/* g opens for what k opens for too. */
static void
gate_merge(struct gate *g, const struct gate *k)
{
	for (unsigned f = 0; f < GF__COUNT; f++) {
		if (!((k->facts >> f) & 1))
			continue;
		if (f >= GF_COUNTERS)
			g->v[f] = (g->facts >> f) & 1 && g->v[f] < k->v[f] ?
			    g->v[f] : k->v[f];
		else
			g->v[f] |= k->v[f];
	}
	g->facts |= k->facts;
}

static void
gate_of(struct policy *p, const struct cond *c, struct gate *g)
{
	struct gate k;

	memset(g, 0, sizeof(*g));
	switch (c->kind) {
	case COND_ALL:
		/* Any part's gate will do: the narrowest. */
		for (size_t i = 0; i < c->n_kids; i++) {
			gate_of(p, c->kids[i], &k);
			if (k.facts != 0 && (g->facts == 0 ||
			    gate_cost(&k) < gate_cost(g)))
				*g = k;
		}
		break;
	case COND_ANY:
		/* Every branch's, or open. */
		for (size_t i = 0; i < c->n_kids; i++) {
			gate_of(p, c->kids[i], &k);
			if (k.facts == 0) {
				memset(g, 0, sizeof(*g));
				return;
			}
			gate_merge(g, &k);
		}
		break;
	case COND_NOT:
		break;
	default:
		gate_leaf(p, c, g);
		break;
	}
}

/*
 * What a condition cannot hold without, as keys of the index where it has
 * them and a gate where it has not: an `any` with one branch the index
 * cannot hold ("... or any app of this vendor") is still looked up under
 * the other branches' keys, and gated on that one branch alone rather
 * than on all of them.  False when some part can be passed by any flow.
 */
struct bound {
	struct anchor_set a;
	struct gate g;
	bool gated;			/* g says when, beside a's keys */
};

static bool
bound_of(struct policy *p, const struct cond *c, struct bound *b)
{
	struct bound k;
	bool found = false;

	memset(b, 0, sizeof(*b));
	switch (c->kind) {
	case COND_ALL:
		/* Any part's bound will do: keys alone first, the rarest. */
		for (size_t i = 0; i < c->n_kids; i++) {
			if (!bound_of(p, c->kids[i], &k))
				continue;
			if (!found || (b->gated && !k.gated) ||
			    (b->gated == k.gated && anchor_cost(&k.a) +
			    gate_cost(&k.g) < anchor_cost(&b->a) +
			    gate_cost(&b->g)))
				*b = k;
			found = true;
		}
		return found;
	case COND_ANY:
		for (size_t i = 0; i < c->n_kids; i++) {
			if (!bound_of(p, c->kids[i], &k))
				return false;
			for (size_t j = 0; j < k.a.n; j++)
				anchor_add(&b->a, k.a.kind[j], k.a.key[j],
				    k.a.cc[j], k.a.num[j]);
			if (b->a.none)
				return false;
			if (k.gated)
				gate_merge(&b->g, &k.g);
			b->gated |= k.gated;
		}
		return true;
	case COND_NOT:
		return false;
	default:
		anchor_leaf(p, c, &b->a);
		if (!b->a.none)
			return true;
		memset(&b->a, 0, sizeof(b->a));
		gate_leaf(p, c, &b->g);
		b->gated = true;
		return b->g.facts != 0;
	}
}

static int
threshold_add(struct policy *p, unsigned which, uint64_t min, uint32_t rule)
{
	struct threshold *v = realloc(p->thresholds[which],
	    (p->n_thresholds[which] + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	v[p->n_thresholds[which]].min = min;
	v[p->n_thresholds[which]++].rule = rule;
	p->thresholds[which] = v;
	return 0;
}

static int
cmp_threshold(const void *a, const void *b)
{
	const struct threshold *x = a, *y = b;

	if (x->min != y->min)
		return x->min < y->min ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Roughly what testing a condition costs, and how often it passes. */
static unsigned
cond_cost(const struct cond *c)
{
	switch (c->kind) {
	case COND_DATA:
		return 1;		/* a bit test, and rare */
	case COND_TRAFFIC:
	case COND_JUR:
		return 2;
	case COND_APP:
	case COND_DEST:
	case COND_DEVICE:
		return 3;		/* lookups */
	case COND_ALL:
	case COND_ANY:
		return 5;
	case COND_NOT:
		return 6;
	}
	return 6;
}

/*
 * "all" holds only if every part does, whatever the order: the cheap
 * and rare parts go first, so most flows are turned away early.  Equal
 * costs keep their order, so evidence reads as written.
 */
static void
order_all(struct policy *p)
{
	for (size_t i = 0; i < p->n_conds; i++) {
		struct cond *c = p->conds[i];

		if (c->kind != COND_ALL)
			continue;
		for (size_t j = 1; j < c->n_kids; j++) {
			struct cond *v = c->kids[j];
			size_t k = j;

			while (k > 0 && cond_cost(c->kids[k - 1]) >
			    cond_cost(v)) {
				c->kids[k] = c->kids[k - 1];
				k--;
			}
			c->kids[k] = v;
		}
	}
}

static int
build_index(struct policy *p)
{
	order_all(p);
	for (unsigned i = 0; i < 64 && p->categories[i] != NULL; i++)
		p->category_hash[i] = str_hash(p->categories[i],
		    strlen(p->categories[i]));
	for (uint32_t i = 0; i < p->n_rules; i++) {
		struct anchor_set a;
		const struct rule *ru = p->rules[i];

		p->want[POLICY_AT_END] = true;
		if (!ru->final_only) {
			p->want[POLICY_AT_DATA] = true;
			if (!ru->needs_data)
				p->want[POLICY_AT_NAME] = true;
		}
		p->rule_flags[i] = (uint8_t)((ru->final_only ? RULE_FINAL : 0) |
		    (ru->needs_data ? RULE_DATA : 0));
		anchor_of(p, ru->when, &a);
		if (a.none) {
			struct bound b;

			if (bound_of(p, ru->when, &b) && b.gated && b.a.n > 0) {
				/* Looked up by its keys, or let in by its gate. */
				p->gates[i] = b.g;
				a = b.a;
			} else {
				gate_of(p, ru->when, &p->gates[i]);
				a.n = 0;
			}
			if (p->gates[i].facts != 0)
				p->uses_gates = true;
			p->unanchored[POLICY_AT_END][
			    p->n_unanchored[POLICY_AT_END]++] = i;
			if (!ru->final_only)
				p->unanchored[POLICY_AT_DATA][
				    p->n_unanchored[POLICY_AT_DATA]++] = i;
			if (!ru->final_only && !ru->needs_data)
				p->unanchored[POLICY_AT_NAME][
				    p->n_unanchored[POLICY_AT_NAME]++] = i;
		}
		for (size_t k = 0; k < a.n; k++) {
			uint32_t num = a.kind[k] == ANCHOR_COUNTRY ?
			    country_num(a.cc[k]) : (uint32_t)a.num[k];

			if (a.kind[k] >= ANCHOR_SENT) {
				if (threshold_add(p, a.kind[k] - ANCHOR_SENT,
				    a.num[k], i) != 0)
					return -ENOMEM;
				continue;
			}
			if (a.kind[k] == ANCHOR_DOMAIN)
				p->uses_domain = true;
			if (index_add(p, a.kind[k], a.kind[k] == ANCHOR_COUNTRY ||
			    a.kind[k] == ANCHOR_ASN ||
			    a.kind[k] == ANCHOR_VENDOR_MAC ? NULL : a.key[k], num,
			    i) != 0)
				return -ENOMEM;
		}
	}
	for (unsigned t = 0; t < N_THRESHOLDS; t++)
		if (p->n_thresholds[t] > 1)
			qsort(p->thresholds[t], p->n_thresholds[t],
			    sizeof(*p->thresholds[t]), cmp_threshold);
	return 0;
}

/* ------------------------------------------------------------ public */

const char *
severity_name(enum severity s)
{
	static const char *const names[SEVERITY__COUNT] = { "info", "low",
	    "medium", "high", "critical" };

	return (unsigned)s < SEVERITY__COUNT ? names[s] : "unknown";
}

/* Risk scores as Elastic's detection rules give each severity. */
int
severity_ecs(enum severity s)
{
	static const int score[SEVERITY__COUNT] = { 1, 21, 47, 73, 99 };

	return (unsigned)s < SEVERITY__COUNT ? score[s] : 0;
}

int
severity_parse(const char *s)
{
	for (int i = 0; i < SEVERITY__COUNT; i++)
		if (strcmp(s, severity_name((enum severity)i)) == 0)
			return i;
	return -1;
}

static void
free_cond(struct cond *c)
{
	switch (c->kind) {
	case COND_APP:
		strset_fini(&c->u.app.ids);
		strset_fini(&c->u.app.vendors);
		break;
	case COND_DEVICE:
		strset_fini(&c->u.device.names);
		free(c->u.device.macs);
		break;
	case COND_DEST:
		hmap_fini(&c->u.dest.asns.map);
		free(c->u.dest.asns.v);
		strset_fini(&c->u.dest.operators);
		strset_fini(&c->u.dest.domains);
		free(c->u.dest.ports);
		break;
	default:
		break;
	}
}

struct policy *
policy_free(struct policy *p)
{
	struct parena *a, *next;

	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_conds; i++)
		free_cond(p->conds[i]);
	free(p->conds);
	free(p->rules);
	for (uint32_t i = 0; i < p->n_entries; i++)
		free(p->entries[i].rules);
	free(p->entries);
	hmap_fini(&p->index);
	for (int m = 0; m < 3; m++)
		free(p->unanchored[m]);
	for (unsigned t = 0; t < N_THRESHOLDS; t++)
		free(p->thresholds[t]);
	free(p->rule_flags);
	free(p->gates);
	for (a = p->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(p);
	return NULL;
}

int
policy_load(const struct policy_config *c, struct policy **ret, char *err,
    size_t errlen)
{
	struct loader L;
	struct policy *p;
	int r = 0;

	err[0] = '\0';
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory for the rules");
		return -ENOMEM;
	}
	p->categories = pii_category_names();
	p->pii = c->pii;
	memset(&L, 0, sizeof(L));
	L.c = c;
	L.p = p;
	L.err = err;
	L.errlen = errlen;
	if (c->shipped_dir != NULL)
		load_path(&L, c->shipped_dir);
	for (size_t i = 0; c->paths != NULL && c->paths[i] != NULL; i++)
		load_path(&L, c->paths[i]);
	if (L.n_errors == 0) {
		if ((p->rules = malloc((L.n_all + 1) * sizeof(*p->rules))) ==
		    NULL)
			(void)nomem(&L);
		for (int m = 0; m < 3 && !L.oom; m++)
			if ((p->unanchored[m] = malloc((L.n_all + 1) *
			    sizeof(*p->unanchored[m]))) == NULL)
				(void)nomem(&L);
		if (!L.oom && ((p->rule_flags = calloc(L.n_all + 1,
		    sizeof(*p->rule_flags))) == NULL ||
		    (p->gates = calloc(L.n_all + 1, sizeof(*p->gates))) ==
		    NULL))
			(void)nomem(&L);
		for (uint32_t i = 0; p->rules != NULL && i < L.n_all; i++)
			if (L.all[i]->enabled)
				p->rules[p->n_rules++] = L.all[i];
		if (!L.oom && build_index(p) != 0)
			(void)nomem(&L);
	}
	if (L.n_errors > 1) {
		size_t len = strlen(err);

		snprintf(err + len, errlen - len, " (and %u more error%s)",
		    L.n_errors - 1, L.n_errors > 2 ? "s" : "");
	}
	r = L.oom ? -ENOMEM : L.n_errors ? -EINVAL : 0;
	p->n_homeless = L.homeless;
	free(L.all);
	hmap_fini(&L.by_id);
	if (r != 0) {
		policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

size_t
policy_rule_count(const struct policy *p)
{
	return p->n_rules;
}

size_t
policy_homeless_count(const struct policy *p)
{
	return p->n_homeless;
}

size_t
policy_file_count(const struct policy *p)
{
	return p->n_files;
}
