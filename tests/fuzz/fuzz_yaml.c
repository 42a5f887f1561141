/*
 * fuzz_yaml.c - the strict YAML loader on arbitrary bytes, then a walk of
 * the tree through every accessor, so the typed getters and the error
 * formatting see hostile scalars and keys too; then the same bytes as a
 * jurisdictions pack, so its validator and tables are fuzzed as well.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jurisdictions.h"
#include "yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_cb(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	size_t *n = arg;

	*n += strlen(s);
	return 0;
}

/* Recursion is bounded by the loader's depth cap (64). */
static void
walk(const struct ydoc *d, const struct ynode *n, unsigned depth)
{
	static const char *const allowed[] = { "name", "asns", "groups", NULL };
	char err[256];
	const char *s;
	uint64_t u;
	double f;
	bool b;
	size_t cnt = 0;

	if (depth > YDOC_MAX_DEPTH + 1)
		__builtin_trap();
	(void)ynode_string(d, n, &s, err, sizeof(err));
	(void)ynode_uint(d, n, 0, UINT32_MAX, &u, err, sizeof(err));
	(void)ynode_double(d, n, &f, err, sizeof(err));
	(void)ynode_bool(d, n, &b, err, sizeof(err));
	(void)ynode_seq(d, n, err, sizeof(err));
	(void)ynode_strings(d, n, count_cb, &cnt, err, sizeof(err));
	if (n->type == YNODE_SCALAR) {
		if (strlen(n->scalar) != n->scalar_len)
			__builtin_trap();
		return;
	}
	if (n->type == YNODE_MAP) {
		(void)ynode_check_keys(d, n, allowed, err, sizeof(err));
		(void)ynode_get(n, "name");
		for (size_t i = 0; i < n->n; i++) {
			if (n->keys[i]->type != YNODE_SCALAR)
				__builtin_trap();
			/* every key must find its own value (no duplicates);
			 * only on small maps to keep the harness linear */
			if (n->n <= 64 &&
			    ynode_get(n, n->keys[i]->scalar) != n->items[i])
				__builtin_trap();
			walk(d, n->items[i], depth + 1);
		}
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		walk(d, n->items[i], depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ydoc *d = NULL;
	char err[512];

	if (ydoc_load_string("fuzz.yaml", (const char *)data, size, &d, err,
	    sizeof(err)) == 0) {
		walk(d, d->root, 1);
		d = ydoc_free(d);
	} else if (err[0] == '\0')
		__builtin_trap();	/* every failure must say why */

	struct jurisdictions *j = NULL;
	if (jur_load_string("fuzz.yaml", (const char *)data, size, &j, err,
	    sizeof(err)) == 0) {
		const char *names[JUR_MAX_GROUPS];

		/* Every listed ASN must map back to its operator. */
		for (size_t i = 0; i < jur_noperators(j); i++) {
			const struct jur_operator *op = jur_operator_at(j, i);

			for (size_t k = 0; k < op->nasns; k++)
				if (jur_operator(j, op->asns[k]) != op)
					__builtin_trap();
		}
		for (size_t i = 0; i < jur_ngroups(j); i++) {
			const struct jur_group *g = jur_group(j, (unsigned)i);

			for (size_t k = 0; k < g->ncountries; k++)
				if (!jur_country_in_group(j, g->countries[k],
				    g->name))
					__builtin_trap();
		}
		(void)jur_groups_of_country(j, "CN", names, JUR_MAX_GROUPS);
		(void)jur_operator(j, 4134);
		j = jur_free(j);
	} else if (err[0] == '\0')
		__builtin_trap();
	return 0;
}
