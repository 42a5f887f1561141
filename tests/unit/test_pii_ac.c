/*
 * test_pii_ac.c - the known-value matcher (window filter, then
 * verification) against a naive search: overlapping matches, case
 * folding vs exact patterns, boundaries, matches at both ends of the
 * buffer, patterns shorter than the window, forced hash collisions
 * (tiny filter and table), the order of reports, and random pattern
 * sets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "daemon/detect/pii_int.h"

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

/* ------------------------------------------- sequences, naive search */

struct seq {
	uint32_t id[MAXHITS];
	size_t start[MAXHITS], end[MAXHITS];
	size_t n, stop_after;	/* 0: never stop */
};

static bool
record(void *arg, uint32_t id, size_t start, size_t end)
{
	struct seq *q = arg;

	assert_true(end > start);
	if (q->n < MAXHITS) {
		q->id[q->n] = id;
		q->start[q->n] = start;
		q->end[q->n] = end;
	}
	q->n++;
	return q->stop_after == 0 || q->n < q->stop_after;
}

struct npat {
	uint8_t b[PII_AC_MAX_PATLEN];
	size_t len;
	bool nocase;
	enum pii_ac_bound bound;
};

static uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool
alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z');
}

static bool
digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* The rules of pii_ac_add, written out. */
static bool
naive_at(const struct npat *p, const uint8_t *t, size_t n, size_t s)
{
	size_t e = s + p->len;

	for (size_t i = 0; i < p->len; i++)
		if (p->nocase ? lower(t[s + i]) != lower(p->b[i]) :
		    t[s + i] != p->b[i])
			return false;
	if (p->bound == PII_AC_BOUND_ALNUM &&
	    ((s > 0 && alnum(p->b[0]) && alnum(t[s - 1])) ||
	    (e < n && alnum(p->b[p->len - 1]) && alnum(t[e]))))
		return false;
	if (p->bound == PII_AC_BOUND_DIGIT &&
	    ((s > 0 && digit(p->b[0]) && digit(t[s - 1])) ||
	    (e < n && digit(p->b[p->len - 1]) && digit(t[e]))))
		return false;
	return true;
}

/*
 * Expected reports, in the documented order: by end, then longer first,
 * then the later added first (ids are the add order here).
 */
static void
naive(const struct npat *pats, size_t np, const uint8_t *t, size_t n,
    struct seq *q)
{
	size_t maxlen = 0;

	q->n = 0;
	for (size_t i = 0; i < np; i++)
		if (pats[i].len > maxlen)
			maxlen = pats[i].len;
	for (size_t e = 1; e <= n; e++)
		for (size_t l = maxlen; l > 0; l--)
			for (size_t i = np; i-- > 0;)
				if (pats[i].len == l && l <= e &&
				    naive_at(&pats[i], t, n, e - l) &&
				    !record(q, (uint32_t)i, e - l, e))
					return;
}

static void
same_seq(const struct seq *want, const struct seq *got, const char *what)
{
	if (want->n != got->n)
		print_error("%s: %zu reports, expected %zu\n", what, got->n,
		    want->n);
	assert_int_equal(got->n, want->n);
	for (size_t i = 0; i < want->n && i < MAXHITS; i++) {
		if (want->id[i] != got->id[i] ||
		    want->start[i] != got->start[i] ||
		    want->end[i] != got->end[i])
			print_error("%s: report %zu is %u [%zu, %zu), "
			    "expected %u [%zu, %zu)\n", what, i, got->id[i],
			    got->start[i], got->end[i], want->id[i],
			    want->start[i], want->end[i]);
		assert_int_equal(got->id[i], want->id[i]);
		assert_int_equal(got->start[i], want->start[i]);
		assert_int_equal(got->end[i], want->end[i]);
	}
}

/* Build pats into a matcher (test sizes when flog > 0), scan t, compare. */
static void
check_against_naive(const struct npat *pats, size_t np, const uint8_t *t,
    size_t n, unsigned flog, unsigned tlog, size_t stop_after,
    const char *what)
{
	static struct seq want, got;
	struct pii_ac *ac;

	assert_int_equal(pii_ac_new(&ac), 0);
	for (size_t i = 0; i < np; i++)
		assert_int_equal(pii_ac_add(ac, pats[i].b, pats[i].len,
		    pats[i].nocase, pats[i].bound, (uint32_t)i), 0);
	if (flog > 0 || tlog > 0)
		pii_ac_test_sizes(ac, flog, tlog);
	assert_int_equal(pii_ac_compile(ac), 0);
	want.stop_after = got.stop_after = stop_after;
	naive(pats, np, t, n, &want);
	got.n = 0;
	pii_ac_scan(ac, t, n, record, &got);
	same_seq(&want, &got, what);
	pii_ac_free(ac);
}

static void
set_pat(struct npat *p, const char *s, bool nocase, enum pii_ac_bound b)
{
	p->len = strlen(s);
	memcpy(p->b, s, p->len);
	p->nocase = nocase;
	p->bound = b;
}

/* ------------------------------------------------------------ filter */

/* A match starting at byte 0 and one ending at the last byte, for
 * patterns longer than, equal to and shorter than the window. */
static void
test_edges(void **state)
{
	static const char *const pats[] = {
		"abcdefghijkl", "abcdefgh", "abcdef", "abcd", "abc", "a",
		"ijkl", "hijkl", "ghijkl", "efghijkl",
	};
	static struct npat p[10];
	const char *text = "abcdefghijkl";

	for (size_t i = 0; i < 10; i++)
		set_pat(&p[i], pats[i], i % 2 == 0, PII_AC_BOUND_ALNUM);
	/* whole buffer, and every prefix and suffix of it */
	for (size_t a = 0; a <= 12; a++)
		for (size_t b = a; b <= 12; b++)
			check_against_naive(p, 10,
			    (const uint8_t *)text + a, b - a, 0, 0, 0, "edges");
	/* buffers shorter than an 8-byte load, one pattern length each */
	for (size_t k = 0; k < 10; k++)
		for (size_t n = 0; n <= 12; n++)
			check_against_naive(&p[k], 1, (const uint8_t *)text,
			    n, 0, 0, 0, "edges, one pattern");
}

/* Patterns of every length from 1 to 12 together: the window is the
 * shortest from 4 up, shorter ones are their own anchors. */
static void
test_short(void **state)
{
	static struct npat p[24];
	const char *text = "xaaaaaaaaaaaaax aAaAaAaA aaa a";

	for (size_t l = 1; l <= 12; l++) {
		memset(p[l - 1].b, 'a', l);
		p[l - 1].len = l;
		p[l - 1].nocase = true;
		p[l - 1].bound = PII_AC_BOUND_NONE;
		p[l + 11] = p[l - 1];
		p[l + 11].nocase = false;
		p[l + 11].bound = PII_AC_BOUND_ALNUM;
	}
	check_against_naive(p, 24, (const uint8_t *)text, strlen(text), 0, 0,
	    0, "short");
	/* one short pattern among long ones, and only short ones */
	check_against_naive(p + 2, 10, (const uint8_t *)text, strlen(text), 0,
	    0, 0, "short 3..12");
	check_against_naive(p, 3, (const uint8_t *)text, strlen(text), 0, 0,
	    0, "short 1..3");
	check_against_naive(p + 5, 1, (const uint8_t *)text, strlen(text), 0,
	    0, 0, "short 6");
}

/* Overlaps, shared anchors, nesting; and the report order at one end. */
static void
test_overlap_order(void **state)
{
	static struct npat p[8];
	const char *text = "0123456789012345678901234567890123456789";

	set_pat(&p[0], "0123456789", true, PII_AC_BOUND_NONE);
	set_pat(&p[1], "3456789012", true, PII_AC_BOUND_NONE);
	set_pat(&p[2], "456789", true, PII_AC_BOUND_NONE);
	set_pat(&p[3], "0123456789", false, PII_AC_BOUND_NONE);	/* twin */
	set_pat(&p[4], "89012345678901", true, PII_AC_BOUND_NONE);
	set_pat(&p[5], "456789", true, PII_AC_BOUND_NONE);	/* twin */
	set_pat(&p[6], "0123456789012345678901234567890123456789", true,
	    PII_AC_BOUND_DIGIT);
	set_pat(&p[7], "9", true, PII_AC_BOUND_NONE);
	check_against_naive(p, 8, (const uint8_t *)text, strlen(text), 0, 0,
	    0, "overlap");
	/* stopping early: exactly the first k reports, then nothing */
	for (size_t k = 1; k < 20; k++)
		check_against_naive(p, 8, (const uint8_t *)text, strlen(text),
		    0, 0, k, "overlap, stop");
}

/* Exact patterns keep their case; the filter's coarse fold (bit 0x20)
 * also pairs '@' with '`', '[' with '{' and so on: verification must
 * not. */
static void
test_case(void **state)
{
	static struct npat p[5];
	static struct seq got;
	const char *text = "AbCdEfGh abcdefgh ABCDEFGH ````````[[[[]]]] "
	    "@@@@@@@@{{{{]]]] \x01\x02\x03\x04\x05\x06\x07\x08 !\"#$%&'(";
	struct pii_ac *ac;

	set_pat(&p[0], "AbCdEfGh", false, PII_AC_BOUND_NONE);
	set_pat(&p[1], "aBcDeFgH", true, PII_AC_BOUND_NONE);
	set_pat(&p[2], "@@@@@@@@", true, PII_AC_BOUND_NONE);
	set_pat(&p[3], "[[[[]]]]", true, PII_AC_BOUND_NONE);
	set_pat(&p[4], "!\"#$%&'(", false, PII_AC_BOUND_NONE);
	check_against_naive(p, 5, (const uint8_t *)text, strlen(text), 0, 0,
	    0, "case");
	/* spelled out: exact once, nocase three times, '@'/'[' once each */
	assert_int_equal(pii_ac_new(&ac), 0);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pii_ac_add(ac, p[i].b, p[i].len, p[i].nocase,
		    p[i].bound, (uint32_t)i), 0);
	assert_int_equal(pii_ac_compile(ac), 0);
	pii_ac_scan(ac, (const uint8_t *)text, strlen(text), record, &got);
	assert_int_equal(got.n, 7);
	pii_ac_free(ac);
}

/* Boundaries on both sides, at the ends of the buffer and inside. */
static void
test_boundaries(void **state)
{
	static struct npat p[6];
	static const char *const texts[] = {
		"9774d56d682e549c", "x9774d56d682e549c", "9774d56d682e549cx",
		"-9774d56d682e549c-", "12025550142", "a12025550142b",
		"312025550142", "120255501423", "+12025550142+",
		"12025550142 9774d56d682e549c",
	};

	set_pat(&p[0], "9774d56d682e549c", true, PII_AC_BOUND_ALNUM);
	set_pat(&p[1], "12025550142", true, PII_AC_BOUND_DIGIT);
	set_pat(&p[2], "+12025550142", true, PII_AC_BOUND_DIGIT);
	set_pat(&p[3], "-9774d56d682e549c-", true, PII_AC_BOUND_ALNUM);
	set_pat(&p[4], "d56d682e", true, PII_AC_BOUND_ALNUM);
	set_pat(&p[5], "2025550142", false, PII_AC_BOUND_NONE);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_against_naive(p, 6, (const uint8_t *)texts[i],
		    strlen(texts[i]), 0, 0, 0, texts[i]);
}

/* Every anchor in one filter word and one of two buckets: each filter
 * probe passes and each candidate list is long, the answer is the same. */
static void
test_collisions(void **state)
{
	static struct npat p[300];
	static uint8_t text[3000];
	unsigned seed = 777;

	for (size_t i = 0; i < 300; i++) {
		size_t l = 4 + (size_t)rand_r(&seed) % 12;

		for (size_t k = 0; k < l; k++)
			p[i].b[k] = (uint8_t)"abAB12"[rand_r(&seed) % 6];
		p[i].len = l;
		p[i].nocase = rand_r(&seed) % 2;
		p[i].bound = (enum pii_ac_bound)(rand_r(&seed) % 3);
	}
	for (size_t k = 0; k < sizeof(text); k++)
		text[k] = (uint8_t)"abAB12 "[rand_r(&seed) % 7];
	check_against_naive(p, 300, text, sizeof(text), 1, 1, 0,
	    "collisions 1/1");
	check_against_naive(p, 300, text, sizeof(text), 1, 12, 0,
	    "collisions 1/12");
	check_against_naive(p, 300, text, sizeof(text), 12, 1, 0,
	    "collisions 12/1");
}

/* Many matches found at their anchor long before their end: more than
 * the scan keeps on its stack wait at once, in order. */
static void
test_pending(void **state)
{
	static struct npat p[200];
	static uint8_t text[200];

	/* "zzzzzzzz" + 40 'a': the rarest window is the last with a 'z',
	 * 41 bytes before the end */
	for (size_t i = 0; i < 200; i++) {
		memset(p[i].b, 'z', 8);
		memset(p[i].b + 8, 'a', 40);
		p[i].len = 48;
		p[i].nocase = i % 3 != 0;
		p[i].bound = (enum pii_ac_bound)(i % 3);
	}
	p[7].len = 47;		/* ends one byte earlier: reported first */
	memset(text, 'a', sizeof(text));
	memset(text + 10, 'z', 8);
	memset(text + 100, 'Z', 8);
	check_against_naive(p, 200, text, sizeof(text), 0, 0, 0, "pending");
	check_against_naive(p, 200, text, sizeof(text), 0, 0, 150,
	    "pending, stop");
}

/* Random sets against the naive search over a small alphabet (so
 * matches are frequent), with normal and forced-collision sizes. */
static void
test_differential(void **state)
{
	static struct npat p[400];
	static uint8_t text[4000];
	unsigned seed = 4242;

	for (int round = 0; round < 60; round++) {
		size_t np = 1 + (size_t)rand_r(&seed) % 400;
		size_t n = (size_t)rand_r(&seed) % sizeof(text);
		unsigned minl = 1 + (unsigned)rand_r(&seed) % 9;
		unsigned flog = round % 4 == 3 ? 1 + rand_r(&seed) % 3 : 0;
		char what[64];

		for (size_t i = 0; i < np; i++) {
			size_t l = minl + (size_t)rand_r(&seed) % 14;

			if (i > 0 && rand_r(&seed) % 10 == 0) {
				p[i] = p[rand_r(&seed) % i];	/* twin */
				p[i].nocase = rand_r(&seed) % 2;
				continue;
			}
			for (size_t k = 0; k < l; k++)
				p[i].b[k] = (uint8_t)"abAB1@`"[rand_r(&seed) %
				    (round % 2 ? 7 : 4)];
			p[i].len = l;
			p[i].nocase = rand_r(&seed) % 2;
			p[i].bound = (enum pii_ac_bound)(rand_r(&seed) % 3);
		}
		for (size_t k = 0; k < n; k++)
			text[k] = (uint8_t)"abAB1@` c"[rand_r(&seed) %
			    (round % 2 ? 9 : 5)];
		snprintf(what, sizeof(what), "round %d (%zu patterns, %zu "
		    "bytes)", round, np, n);
		check_against_naive(p, np, text, n, flog, flog, 0, what);
	}
}

/* What the engine builds: long forms only, the window is 8 bytes. */
static void
test_sizes(void **state)
{
	struct pii_ac *ac;
	char f[64];

	assert_int_equal(pii_ac_new(&ac), 0);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(f, sizeof(f), "%08x%08x", i * 2654435761u, i);
		assert_int_equal(pii_ac_add(ac, f, 16, true,
		    PII_AC_BOUND_ALNUM, i), 0);
	}
	assert_int_equal(pii_ac_compile(ac), 0);
	assert_int_equal(pii_ac_npatterns(ac), 1000);
	/* distinct anchors: one per pattern, but for a few shared windows */
	assert_true(pii_ac_nstates(ac) <= 1000);
	assert_true(pii_ac_nstates(ac) >= 950);
	/* a 32 KiB filter at least, and the patterns themselves */
	assert_true(pii_ac_memory(ac) >= 32768 + 16000);
	assert_true(pii_ac_memory(ac) < 256 * 1024);
	pii_ac_free(ac);
	/* empty: compiles, finds nothing */
	assert_int_equal(pii_ac_new(&ac), 0);
	assert_int_equal(pii_ac_compile(ac), 0);
	assert_int_equal(pii_ac_compile(ac), -EINVAL);
	pii_ac_scan(ac, (const uint8_t *)"abc", 3, record, NULL);
	pii_ac_free(ac);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_overlap_order),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
