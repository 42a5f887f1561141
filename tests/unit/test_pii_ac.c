/*
 * test_pii_ac.c - the Aho-Corasick automaton against a naive search:
 * overlapping matches, case folding vs exact patterns, boundaries, shared
 * prefixes and suffixes, and random pattern sets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "daemon/pii_int.h"

#define MAXHITS 65536

struct hits {
	uint32_t id[MAXHITS];
	size_t end[MAXHITS];
	size_t n;
};

static bool
collect(void *arg, uint32_t id, size_t start, size_t end)
{
	struct hits *h = arg;

	assert_true(end > start);
	if (h->n < MAXHITS) {
		h->id[h->n] = id;
		h->end[h->n] = end;
		h->n++;
	}
	return true;
}

static bool
has(const struct hits *h, uint32_t id, size_t end)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->id[i] == id && h->end[i] == end)
			return true;
	return false;
}

static void
test_basic(void **state)
{
	struct pii_ac *ac;
	static struct hits h;
	const char *text = "ushers SHE his Hers";

	assert_int_equal(pii_ac_new(&ac), 0);
	assert_int_equal(pii_ac_add(ac, "he", 2, true, PII_AC_BOUND_NONE, 0), 0);
	assert_int_equal(pii_ac_add(ac, "she", 3, true, PII_AC_BOUND_NONE, 1), 0);
	assert_int_equal(pii_ac_add(ac, "his", 3, false, PII_AC_BOUND_NONE, 2), 0);
	assert_int_equal(pii_ac_add(ac, "hers", 4, false, PII_AC_BOUND_NONE, 3), 0);
	assert_int_equal(pii_ac_add(ac, "", 0, false, PII_AC_BOUND_NONE, 9),
	    -EINVAL);
	assert_int_equal(pii_ac_compile(ac), 0);
	assert_int_equal(pii_ac_add(ac, "x", 1, false, PII_AC_BOUND_NONE, 9),
	    -EINVAL);
	pii_ac_scan(ac, (const uint8_t *)text, strlen(text), collect, &h);
	/* ushers: she@4 he@4 hers@6; SHE: she@10 he@10; his@14; Hers: he@17
	 * only (hers is exact) */
	assert_true(has(&h, 1, 4));
	assert_true(has(&h, 0, 4));
	assert_true(has(&h, 3, 6));
	assert_true(has(&h, 1, 10));
	assert_true(has(&h, 0, 10));
	assert_true(has(&h, 2, 14));
	assert_true(has(&h, 0, 17));
	assert_false(has(&h, 3, 19));
	assert_false(has(&h, 3, 18));
	assert_int_equal(h.n, 7);
	pii_ac_free(ac);
}

static void
test_bounds(void **state)
{
	struct pii_ac *ac;
	static struct hits h;
	const char *text = "ab9774d56d682e549cff 9774d56d682e549c 12025550142x "
	    "112025550142";

	assert_int_equal(pii_ac_new(&ac), 0);
	assert_int_equal(pii_ac_add(ac, "9774d56d682e549c", 16, true,
	    PII_AC_BOUND_ALNUM, 0), 0);
	assert_int_equal(pii_ac_add(ac, "12025550142", 11, true,
	    PII_AC_BOUND_DIGIT, 1), 0);
	assert_int_equal(pii_ac_compile(ac), 0);
	pii_ac_scan(ac, (const uint8_t *)text, strlen(text), collect, &h);
	assert_int_equal(h.n, 2);
	assert_true(has(&h, 0, 37));
	assert_true(has(&h, 1, 49));	/* 'x' is not a digit */
	pii_ac_free(ac);
}

/* Random patterns over a small alphabet (many overlaps) vs naive search. */
static void
test_random(void **state)
{
	unsigned seed = 12345;

	for (int round = 0; round < 20; round++) {
		struct pii_ac *ac;
		static struct hits h;
		char pats[64][9], text[2000];
		size_t expected = 0;
		int np = 1 + round * 3;

		h.n = 0;
		assert_int_equal(pii_ac_new(&ac), 0);
		for (int i = 0; i < np; i++) {
			int l = 1 + rand_r(&seed) % 8;

			for (int k = 0; k < l; k++)
				pats[i][k] = "abAB"[rand_r(&seed) % 4];
			pats[i][l] = '\0';
			assert_int_equal(pii_ac_add(ac, pats[i], (size_t)l,
			    i % 2 == 0, PII_AC_BOUND_NONE, (uint32_t)i), 0);
		}
		assert_int_equal(pii_ac_compile(ac), 0);
		for (size_t k = 0; k + 1 < sizeof(text); k++)
			text[k] = "abABc"[rand_r(&seed) % 5];
		text[sizeof(text) - 1] = '\0';
		pii_ac_scan(ac, (const uint8_t *)text, strlen(text), collect,
		    &h);
		for (int i = 0; i < np; i++) {
			size_t l = strlen(pats[i]);

			for (size_t s = 0; s + l <= strlen(text); s++) {
				bool m = i % 2 == 0 ?
				    strncasecmp(text + s, pats[i], l) == 0 :
				    strncmp(text + s, pats[i], l) == 0;

				if (m) {
					expected++;
					if (!has(&h, (uint32_t)i, s + l))
						print_error("round %d: '%s' (%s) "
						    "missed at %zu\n", round,
						    pats[i], i % 2 ? "exact" :
						    "nocase", s + l);
					assert_true(has(&h, (uint32_t)i, s + l));
				}
			}
		}
		assert_int_equal(h.n, expected);
		pii_ac_free(ac);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
