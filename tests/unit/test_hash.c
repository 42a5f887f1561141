/*
 * test_hash.c - SipHash-2-4 against the reference vectors (key 00..0f,
 * message 00..n-1), SipHash-1-3 against known answers under the zero key
 * (the reference code with cROUNDS 1, dROUNDS 3, as CPython and Rust use
 * it), the per-run key, and the index map: insert, find, collisions,
 * delete with backward shift, growth and a full map.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

/* github.com/veorq/SipHash vectors.h, vectors_sip64[0..15] as integers. */
static const uint64_t sip24_vectors[16] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL,
};

static void
test_sip24_reference(void **state)
{
	struct hash_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t msg[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < 16; n++)
		assert_int_equal(hash_sip24(&k, msg, n), sip24_vectors[n]);
}

static void
test_sip13_known(void **state)
{
	static const struct {
		size_t n;
		uint64_t h;
	} v[] = {
		{ 0, 0xd1fba762150c532cULL }, { 1, 0x68a914128e01e473ULL },
		{ 7, 0x2f098ab0c751325aULL }, { 8, 0xead411e67ebe2eeaULL },
		{ 9, 0x75927f9d95124362ULL }, { 15, 0xf30eb725bb91c9eaULL },
		{ 16, 0x8972188433a5c5b7ULL }, { 63, 0x385d3e39e5f37359ULL },
	};
	struct hash_key zero = { 0, 0 };
	uint8_t msg[64];

	(void)state;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(hash_sip13(&zero, msg, v[i].n), v[i].h);
	assert_int_equal(hash_sip13(&zero, "siphash", 7),
	    0x8264ceeccb16bcbeULL);
}

static void
test_seed(void **state)
{
	uint64_t a, b, c;
	uint8_t w[16] = { 10, 0, 0, 1 }, z[16] = { 0 };

	(void)state;
	hash_seed_set(1, 2);
	a = hash_bytes("example.com", 11);
	assert_int_equal(a, hash_str("example.com"));
	assert_int_equal(a, hash_sip13(&(struct hash_key){ 1, 2 },
	    "example.com", 11));
	c = hash_flow_words(w, z, 443, 6);
	hash_seed_set(1, 3);
	b = hash_bytes("example.com", 11);
	assert_int_not_equal(a, b);
	assert_int_not_equal(c, hash_flow_words(w, z, 443, 6));
	hash_seed_set(1, 2);
	assert_int_equal(a, hash_bytes("example.com", 11));
	assert_int_equal(c, hash_flow_words(w, z, 443, 6));
	assert_int_equal(hash_seed_init(), 0);
	assert_int_not_equal(a, hash_bytes("example.com", 11));
}

/* A toy table: keys in an array, hashes chosen by the test. */
struct toy {
	struct hmap m;
	uint32_t key[64];
	uint32_t hash[64];
	uint32_t n;
};

static uint32_t
toy_find(const struct toy *t, uint32_t key, uint32_t hash,
    struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->m, hash, p); idx != 0;
	    idx = hmap_next(&t->m, p))
		if (t->key[idx - 1] == key)
			return idx;
	return 0;
}

static int
toy_add(struct toy *t, uint32_t key, uint32_t hash)
{
	struct hmap_probe p;
	int r;

	if (toy_find(t, key, hash, &p) != 0)
		return -EEXIST;
	if ((r = hmap_insert(&t->m, &p, t->n)) < 0)
		return r;
	t->key[t->n] = key;
	t->hash[t->n] = hash;
	t->n++;
	return 0;
}

static void
test_map_basic(void **state)
{
	struct toy t = { .n = 0 };
	struct hmap_probe p;

	(void)state;
	assert_int_equal(hmap_init(&t.m, 8), 0);
	assert_int_equal(t.m.mask, 15);
	/* Same hash, different keys: both found, by key. */
	assert_int_equal(toy_add(&t, 100, 5), 0);
	assert_int_equal(toy_add(&t, 200, 5), 0);
	assert_int_equal(toy_add(&t, 300, 6), 0);
	assert_int_equal(toy_add(&t, 200, 5), -EEXIST);
	assert_int_equal(toy_find(&t, 100, 5, &p), 1);
	assert_int_equal(toy_find(&t, 200, 5, &p), 2);
	assert_int_equal(toy_find(&t, 300, 6, &p), 3);
	assert_int_equal(toy_find(&t, 400, 5, &p), 0);
	/* Wrap around the end of the slots. */
	assert_int_equal(toy_add(&t, 500, 15), 0);
	assert_int_equal(toy_add(&t, 600, 15), 0);
	assert_int_equal(toy_find(&t, 600, 15, &p), 5);
	assert_int_equal(p.i, 0);
	hmap_fini(&t.m);
	hmap_fini(&t.m);
}

static void
test_map_delete(void **state)
{
	struct toy t = { .n = 0 };
	struct hmap_probe p;

	(void)state;
	assert_int_equal(hmap_init(&t.m, 8), 0);
	/* A run 3,3,4,3 then delete the first: the rest must stay found. */
	assert_int_equal(toy_add(&t, 1, 3), 0);
	assert_int_equal(toy_add(&t, 2, 3), 0);
	assert_int_equal(toy_add(&t, 3, 4), 0);
	assert_int_equal(toy_add(&t, 4, 3), 0);
	assert_int_equal(toy_add(&t, 5, 7), 0);
	assert_int_equal(toy_find(&t, 1, 3, &p), 1);
	hmap_remove(&t.m, &p);
	assert_int_equal(t.m.n, 4);
	assert_int_equal(toy_find(&t, 1, 3, &p), 0);
	assert_int_equal(toy_find(&t, 2, 3, &p), 2);
	assert_int_equal(toy_find(&t, 3, 4, &p), 3);
	assert_int_equal(toy_find(&t, 4, 3, &p), 4);
	assert_int_equal(toy_find(&t, 5, 7, &p), 5);
	/* Entry 3 sits at its home slot 4 and must not move below it. */
	assert_int_equal(toy_find(&t, 2, 3, &p), 2);
	hmap_remove(&t.m, &p);
	assert_int_equal(toy_find(&t, 3, 4, &p), 3);
	assert_int_equal(p.i, 4);
	assert_int_equal(toy_find(&t, 4, 3, &p), 4);
	assert_int_equal(p.i, 3);
	/* Wrapped run: delete across the end. */
	assert_int_equal(toy_add(&t, 6, 15), 0);
	assert_int_equal(toy_add(&t, 7, 15), 0);
	assert_int_equal(toy_add(&t, 8, 0), 0);
	assert_int_equal(toy_find(&t, 6, 15, &p), 6);
	hmap_remove(&t.m, &p);
	assert_int_equal(toy_find(&t, 7, 15, &p), 7);
	assert_int_equal(p.i, 15);
	assert_int_equal(toy_find(&t, 8, 0, &p), 8);
	assert_int_equal(p.i, 0);
	hmap_fini(&t.m);
}

static void
test_map_full_and_grow(void **state)
{
	struct toy t = { .n = 0 };
	uint32_t i;

	(void)state;
	assert_int_equal(hmap_init(&t.m, 8), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(toy_add(&t, i, i * 7), 0);
	assert_false(hmap_has_room(&t.m));
	assert_int_equal(toy_add(&t, 99, 1), -ENOSPC);
	assert_int_equal(hmap_reserve(&t.m, 40), 0);
	assert_int_equal(t.m.mask, 127);
	for (i = 0; i < 8; i++) {
		struct hmap_probe p;

		assert_int_equal(toy_find(&t, i, i * 7, &p), i + 1);
	}
	for (i = 8; i < 40; i++)
		assert_int_equal(toy_add(&t, i, i & 3), 0);
	assert_int_equal(t.m.n, 40);
	assert_int_equal(hmap_init(&(struct hmap){ 0 }, (1u << 30) + 1),
	    -EINVAL);
	hmap_fini(&t.m);
	/* An unset map finds nothing and refuses inserts. */
	{
		struct hmap_probe p;

		assert_int_equal(hmap_first(&t.m, 3, &p), 0);
		assert_int_equal(hmap_insert(&t.m, &p, 0), -ENOSPC);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sip24_reference),
		cmocka_unit_test(test_sip13_known),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_map_basic),
		cmocka_unit_test(test_map_delete),
		cmocka_unit_test(test_map_full_and_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
