/*
 * jurisdictions.c - rules/jurisdictions.yaml: country groups and the
 * ASN → controlling-operator table.
 *
 * The pack is validated completely at load (a reload that fails keeps the
 * old object), then only read.  ASN lookups go through the shared index
 * map (hash.h); country membership is a 26x26 array of group
 * bitmasks indexed by the two letters.  Strings point into the loaded
 * YAML document, which the object keeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hash.h"
#include "iso3166.h"
#include "jurisdictions.h"
#include "yaml_doc.h"

#define JUR_NCC		(26 * 26)
#define JUR_ASN_MIN	1u		/* 0 is reserved */
#define JUR_ASN_MAX	4294967294u	/* 4294967295 is reserved */

struct jurisdictions {
	struct ydoc *doc;
	struct jur_group groups[JUR_MAX_GROUPS];
	size_t ngroups;
	struct jur_operator *ops;
	size_t nops;
	uint32_t *asns;			/* every operator's list, back to back */
	uint32_t *asn_op;		/* the operator index of each */
	const struct ynode **asn_node;	/* where each was listed; load only */
	struct hmap by_asn;		/* ASN -> index into asns */
	char (*ccs)[3];			/* every group's list, back to back */
	uint64_t cc_groups[JUR_NCC];
};

static const char *const top_keys[] = { "version", "groups", "operators",
    NULL };
static const char *const group_keys[] = { "description", "source",
    "countries", NULL };
static const char *const op_keys[] = { "operator", "jurisdiction", "asns",
    "note", "source", NULL };

static int
cc_index(const char *cc)
{
	int a, b;

	if (cc == NULL || cc[0] == '\0' || cc[1] == '\0' || cc[2] != '\0')
		return -1;
	a = cc[0] >= 'a' && cc[0] <= 'z' ? cc[0] - 'a' :
	    cc[0] >= 'A' && cc[0] <= 'Z' ? cc[0] - 'A' : -1;
	b = cc[1] >= 'a' && cc[1] <= 'z' ? cc[1] - 'a' :
	    cc[1] >= 'A' && cc[1] <= 'Z' ? cc[1] - 'A' : -1;
	if (a < 0 || b < 0)
		return -1;
	return a * 26 + b;
}

/* A pack's country code: an assigned ISO 3166-1 alpha-2 code, or ZZ. */
static int
parse_cc(const struct ydoc *d, const struct ynode *n, char out[3],
    char *err, size_t errlen)
{
	const char *s;
	int r;

	if ((r = ynode_string(d, n, &s, err, errlen)) < 0)
		return r;
	if (n->scalar_len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	    s[1] > 'Z')
		return ynode_error(d, n, err, errlen,
		    "invalid country code '%.8s%s' (expected two upper-case "
		    "letters, ISO 3166-1 alpha-2)", s,
		    n->scalar_len > 8 ? "..." : "");
	if (!iso3166_alpha2_valid(s, n->scalar_len))
		return ynode_error(d, n, err, errlen,
		    "country code '%s' is not an assigned ISO 3166-1 alpha-2 "
		    "code (ZZ = unknown)", s);
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	return 0;
}

static int
valid_group_name(const char *s, size_t len)
{
	if (len == 0 || len > JUR_GROUP_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	/* Bounded by JUR_GROUP_NAME_MAX. */
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Optional string value: absent → NULL. */
static int
opt_string(const struct ydoc *d, const struct ynode *map, const char *key,
    const char **ret, char *err, size_t errlen)
{
	const struct ynode *v = ynode_get(map, key);
	const char *s = NULL;
	int r;

	if (v != NULL && (r = ynode_string(d, v, &s, err, errlen)) < 0)
		return r;
	*ret = s;
	return 0;
}

static int
non_empty_seq(const struct ydoc *d, const struct ynode *n, const char *what,
    char *err, size_t errlen)
{
	int r;

	if ((r = ynode_seq(d, n, err, errlen)) < 0)
		return r;
	if (n->n == 0)
		return ynode_error(d, n, err, errlen, "%s must not be empty",
		    what);
	return 0;
}

static int
load_groups(struct jurisdictions *j, const struct ynode *groups, char *err,
    size_t errlen)
{
	const struct ydoc *d = j->doc;
	size_t total = 0, o = 0;
	int r;

	if ((r = ynode_map(d, groups, err, errlen)) < 0)
		return r;
	if (groups->n > JUR_MAX_GROUPS)
		return ynode_error(d, groups->keys[JUR_MAX_GROUPS], err,
		    errlen, "more than %d groups", JUR_MAX_GROUPS);
	/* First pass: shapes and sizes, so the code store is one block. */
	for (size_t i = 0; i < groups->n; i++) {
		const struct ynode *k = groups->keys[i], *g = groups->items[i];
		const struct ynode *c;

		if (!valid_group_name(k->scalar, k->scalar_len))
			return ynode_error(d, k, err, errlen,
			    "invalid group name (expected a lower-case letter "
			    "then [a-z0-9_], at most %d characters)",
			    JUR_GROUP_NAME_MAX);
		if ((r = ynode_check_keys(d, g, group_keys, err, errlen)) < 0 ||
		    (r = ynode_get_required(d, g, "countries", &c, err,
		    errlen)) < 0 ||
		    (r = non_empty_seq(d, c, "countries", err, errlen)) < 0)
			return r;
		total += c->n;
	}
	if (total > 0 && (j->ccs = calloc(total, sizeof(*j->ccs))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < groups->n; i++) {
		const struct ynode *g = groups->items[i], *c, *desc;
		struct jur_group *jg = &j->groups[i];

		jg->name = groups->keys[i]->scalar;
		jg->id = (unsigned)i;
		jg->line = groups->keys[i]->line;
		if ((r = ynode_get_required(d, g, "description", &desc, err,
		    errlen)) < 0 ||
		    (r = ynode_string(d, desc, &jg->description, err,
		    errlen)) < 0 ||
		    (r = opt_string(d, g, "source", &jg->source, err,
		    errlen)) < 0)
			return r;
		c = ynode_get(g, "countries");
		jg->countries = (const char (*)[3])&j->ccs[o];
		jg->ncountries = c->n;
		/* Bounded by the list length (≤ the loader's node cap). */
		for (size_t k = 0; k < c->n; k++) {
			char cc[3];
			int idx;

			if ((r = parse_cc(d, c->items[k], cc, err, errlen)) < 0)
				return r;
			idx = cc_index(cc);
			if (j->cc_groups[idx] & JUR_GROUP_BIT(i)) {
				const struct ynode *first = NULL;

				for (size_t m = 0; m < k && first == NULL; m++)
					if (strcmp(c->items[m]->scalar, cc) == 0)
						first = c->items[m];
				return ynode_error(d, c->items[k], err, errlen,
				    "country '%s' listed twice in group '%s' "
				    "(first at line %u, column %u)", cc,
				    jg->name, first ? first->line : 0,
				    first ? first->col : 0);
			}
			j->cc_groups[idx] |= JUR_GROUP_BIT(i);
			memcpy(j->ccs[o++], cc, sizeof(cc));
		}
	}
	j->ngroups = groups->n;
	return 0;
}

/* The index into asns of asn, or -1 with p where it would go. */
static ssize_t
asn_find(const struct jurisdictions *j, uint32_t asn, struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&j->by_asn, hash_u32(asn), p); idx != 0;
	    idx = hmap_next(&j->by_asn, p))
		if (j->asns[idx - 1] == asn)
			return idx - 1;
	return -1;
}

/* Store asns[o] = asn for operator op; the map was sized for them all. */
static int
asn_insert(struct jurisdictions *j, size_t o, uint32_t asn, uint32_t op,
    const struct ynode *n, char *err, size_t errlen)
{
	struct hmap_probe p;
	ssize_t k;

	if ((k = asn_find(j, asn, &p)) >= 0)
		return ynode_error(j->doc, n, err, errlen,
		    "AS%u listed twice (first for '%s' at line %u, column %u)",
		    asn, j->ops[j->asn_op[k]].name, j->asn_node[k]->line,
		    j->asn_node[k]->col);
	j->asns[o] = asn;
	j->asn_op[o] = op;
	j->asn_node[o] = n;
	return hmap_insert(&j->by_asn, &p, (uint32_t)o);
}

static int
load_operators(struct jurisdictions *j, const struct ynode *ops, char *err,
    size_t errlen)
{
	const struct ydoc *d = j->doc;
	size_t total = 0, o = 0;
	int r;

	if ((r = ynode_seq(d, ops, err, errlen)) < 0)
		return r;
	/* First pass: shapes and sizes. */
	for (size_t i = 0; i < ops->n; i++) {
		const struct ynode *e = ops->items[i], *a;

		if ((r = ynode_check_keys(d, e, op_keys, err, errlen)) < 0 ||
		    (r = ynode_get_required(d, e, "asns", &a, err,
		    errlen)) < 0 ||
		    (r = non_empty_seq(d, a, "asns", err, errlen)) < 0)
			return r;
		total += a->n;
	}
	if (ops->n > 0 && (j->ops = calloc(ops->n, sizeof(*j->ops))) == NULL)
		return -ENOMEM;
	/* total is bounded by the YAML node cap, far below the map's. */
	if (total > 0 && ((j->asns = calloc(total, sizeof(*j->asns))) ==
	    NULL || (j->asn_op = calloc(total, sizeof(*j->asn_op))) == NULL ||
	    (j->asn_node = calloc(total, sizeof(*j->asn_node))) == NULL))
		return -ENOMEM;
	if ((r = hmap_init(&j->by_asn, (uint32_t)total)) < 0)
		return r;

	for (size_t i = 0; i < ops->n; i++) {
		const struct ynode *e = ops->items[i], *v, *a;
		struct jur_operator *op = &j->ops[i];

		op->line = e->line;
		if ((r = ynode_get_required(d, e, "operator", &v, err,
		    errlen)) < 0 ||
		    (r = ynode_string(d, v, &op->name, err, errlen)) < 0 ||
		    (r = ynode_get_required(d, e, "jurisdiction", &v, err,
		    errlen)) < 0 ||
		    (r = parse_cc(d, v, op->jurisdiction, err, errlen)) < 0 ||
		    (r = opt_string(d, e, "note", &op->note, err, errlen)) < 0 ||
		    (r = opt_string(d, e, "source", &op->source, err,
		    errlen)) < 0)
			return r;
		/* Ops are read only after a successful load, when every
		 * group is known, so the mask can be filled now. */
		op->groups = j->cc_groups[cc_index(op->jurisdiction)];
		a = ynode_get(e, "asns");
		op->asns = &j->asns[o];
		op->nasns = a->n;
		/* Bounded by the list length. */
		for (size_t k = 0; k < a->n; k++) {
			uint64_t asn;

			if ((r = ynode_uint(d, a->items[k], JUR_ASN_MIN,
			    JUR_ASN_MAX, &asn, err, errlen)) < 0 ||
			    (r = asn_insert(j, o++, (uint32_t)asn, (uint32_t)i,
			    a->items[k], err, errlen)) < 0)
				return r;
		}
		/* Publish the count only now: asn_insert names earlier
		 * operators, which are complete. */
		j->nops = i + 1;
	}
	free(j->asn_node);
	j->asn_node = NULL;
	return 0;
}

static int
jur_build(struct ydoc *doc, struct jurisdictions **ret, char *err,
    size_t errlen)
{
	struct jurisdictions *j;
	const struct ynode *root = doc->root, *v;
	uint64_t version;
	int r;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		ydoc_free(doc);
		return -ENOMEM;
	}
	j->doc = doc;
	if ((r = ynode_check_keys(doc, root, top_keys, err, errlen)) < 0 ||
	    (r = ynode_get_required(doc, root, "version", &v, err,
	    errlen)) < 0 ||
	    (r = ynode_uint(doc, v, 1, 1, &version, err, errlen)) < 0 ||
	    (r = ynode_get_required(doc, root, "groups", &v, err,
	    errlen)) < 0 ||
	    (r = load_groups(j, v, err, errlen)) < 0 ||
	    (r = ynode_get_required(doc, root, "operators", &v, err,
	    errlen)) < 0 ||
	    (r = load_operators(j, v, err, errlen)) < 0)
		goto out;
	*ret = j;
	return 0;
out:
	jur_free(j);
	return r;
}

int
jur_load_string(const char *name, const char *buf, size_t len,
    struct jurisdictions **ret, char *err, size_t errlen)
{
	struct ydoc *doc;
	int r;

	if ((r = ydoc_load_string(name, buf, len, &doc, err, errlen)) < 0)
		return r;
	return jur_build(doc, ret, err, errlen);
}

int
jur_load_file(const char *path, struct jurisdictions **ret, char *err,
    size_t errlen)
{
	struct ydoc *doc;
	int r;

	if ((r = ydoc_load_file(path, &doc, err, errlen)) < 0)
		return r;
	return jur_build(doc, ret, err, errlen);
}

struct jurisdictions *
jur_free(struct jurisdictions *j)
{
	if (j == NULL)
		return NULL;
	hmap_fini(&j->by_asn);
	free(j->asns);
	free(j->asn_op);
	free(j->asn_node);
	free(j->ops);
	free(j->ccs);
	ydoc_free(j->doc);
	free(j);
	return NULL;
}

const struct jur_operator *
jur_operator(const struct jurisdictions *j, uint32_t asn)
{
	struct hmap_probe p;
	ssize_t k;

	if (j == NULL || (k = asn_find(j, asn, &p)) < 0)
		return NULL;
	return &j->ops[j->asn_op[k]];
}

size_t
jur_noperators(const struct jurisdictions *j)
{
	return j != NULL ? j->nops : 0;
}

const struct jur_operator *
jur_operator_at(const struct jurisdictions *j, size_t i)
{
	if (j == NULL || i >= j->nops)
		return NULL;
	return &j->ops[i];
}

size_t
jur_ngroups(const struct jurisdictions *j)
{
	return j != NULL ? j->ngroups : 0;
}

const struct jur_group *
jur_group(const struct jurisdictions *j, unsigned id)
{
	if (j == NULL || id >= j->ngroups)
		return NULL;
	return &j->groups[id];
}

int
jur_group_id(const struct jurisdictions *j, const char *name)
{
	if (j == NULL || name == NULL)
		return -ENOENT;
	/* At most JUR_MAX_GROUPS; callers resolve names once at load. */
	for (size_t i = 0; i < j->ngroups; i++)
		if (strcmp(j->groups[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

uint64_t
jur_country_groups(const struct jurisdictions *j, const char *cc)
{
	int idx = cc_index(cc);

	if (j == NULL || idx < 0)
		return 0;
	return j->cc_groups[idx];
}

bool
jur_country_in_group(const struct jurisdictions *j, const char *cc,
    const char *group)
{
	int id = jur_group_id(j, group);

	if (id < 0)
		return false;
	return (jur_country_groups(j, cc) & JUR_GROUP_BIT(id)) != 0;
}

size_t
jur_groups_of_country(const struct jurisdictions *j, const char *cc,
    const char **names, size_t max)
{
	uint64_t m = jur_country_groups(j, cc);
	size_t n = 0;

	/* At most JUR_MAX_GROUPS bits. */
	for (size_t i = 0; i < jur_ngroups(j); i++) {
		if (!(m & JUR_GROUP_BIT(i)))
			continue;
		if (names != NULL && n < max)
			names[n] = j->groups[i].name;
		n++;
	}
	return n;
}
