/*
 * test_dns_cache.c - per-client DNS cache: put/get, TTL expiry on packet
 * time with the documented clamp, LRU eviction when full, per-client
 * separation, replacement, long names, and a churn run that checks the
 * counters against a model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns_cache.h"

#define SEC 1000000ull

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct addr
ip4n(uint32_t n)
{
	uint8_t b[4] = { 10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
	struct addr a;

	addr_set4(&a, b);
	return a;
}

static void
test_new_free(void **state)
{
	struct dns_cache *c;
	struct dns_cache_stats st;

	(void)state;
	errno = 0;
	assert_null(dns_cache_new(0));
	assert_int_equal(errno, EINVAL);
	assert_null(dns_cache_new(DNS_CACHE_MAX_ENTRIES + 1));
	assert_null(dns_cache_free(NULL));
	c = dns_cache_new(100);
	assert_non_null(c);
	dns_cache_stats(c, &st);
	assert_int_equal(st.capacity, 100);
	assert_int_equal(st.entries, 0);
	assert_null(dns_cache_free(c));
}

static void
test_put_get(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct addr cl = ip("192.168.1.10"), s4 = ip("93.184.216.34"),
	    s6 = ip("2001:db8::1");
	struct dns_cache_stats st;
	char name[256];

	(void)state;
	assert_false(dns_cache_get(c, &cl, &s4, 0, name, sizeof(name)));
	dns_cache_put(c, &cl, &s4, "www.example.com", 300, 1000 * SEC);
	dns_cache_put(c, &cl, &s6, "v6.example.com", 300, 1000 * SEC);
	assert_true(dns_cache_get(c, &cl, &s4, 1001 * SEC, name, sizeof(name)));
	assert_string_equal(name, "www.example.com");
	assert_true(dns_cache_get(c, &cl, &s6, 1001 * SEC, name, sizeof(name)));
	assert_string_equal(name, "v6.example.com");
	/* Same bytes, other family: a different key. */
	{
		struct addr odd = s4;

		odd.family = 6;
		assert_false(dns_cache_get(c, &cl, &odd, 1001 * SEC, name,
		    sizeof(name)));
	}
	/* Output truncated to the caller's size, NUL-terminated. */
	assert_true(dns_cache_get(c, &cl, &s4, 1001 * SEC, name, 4));
	assert_string_equal(name, "www");
	dns_cache_stats(c, &st);
	assert_int_equal(st.inserts, 2);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.entries, 2);
	dns_cache_free(c);
}

static void
test_ttl(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct addr cl = ip("192.168.1.10"), a = ip("1.1.1.1"),
	    b = ip("2.2.2.2"), d = ip("3.3.3.3");
	struct dns_cache_stats st;
	char name[64];
	uint64_t t0 = 1700000000ull * SEC;

	(void)state;
	dns_cache_put(c, &cl, &a, "a.example", 300, t0);
	/* 5 s TTL is clamped up to 60 s. */
	dns_cache_put(c, &cl, &b, "b.example", 5, t0);
	/* A week is clamped down to a day. */
	dns_cache_put(c, &cl, &d, "d.example", 7 * 86400, t0);

	assert_true(dns_cache_get(c, &cl, &b, t0 + 59 * SEC, name,
	    sizeof(name)));
	assert_false(dns_cache_get(c, &cl, &b, t0 + 60 * SEC, name,
	    sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &a, t0 + 299 * SEC, name,
	    sizeof(name)));
	assert_false(dns_cache_get(c, &cl, &a, t0 + 300 * SEC, name,
	    sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &d, t0 + 86399 * SEC, name,
	    sizeof(name)));
	assert_false(dns_cache_get(c, &cl, &d, t0 + 86400 * SEC, name,
	    sizeof(name)));
	dns_cache_stats(c, &st);
	assert_int_equal(st.expired, 3);
	assert_int_equal(st.entries, 0);
	/* Expired entries are gone for good, even if time goes back. */
	assert_false(dns_cache_get(c, &cl, &a, t0, name, sizeof(name)));
	/* A refresh extends the life. */
	dns_cache_put(c, &cl, &a, "a.example", 300, t0);
	dns_cache_put(c, &cl, &a, "a.example", 300, t0 + 200 * SEC);
	assert_true(dns_cache_get(c, &cl, &a, t0 + 400 * SEC, name,
	    sizeof(name)));
	/* Time near the end of the clock saturates instead of wrapping. */
	dns_cache_put(c, &cl, &b, "late", 300, UINT64_MAX - SEC);
	assert_true(dns_cache_get(c, &cl, &b, UINT64_MAX - 1, name,
	    sizeof(name)));
	dns_cache_free(c);
}

static void
test_clients(void **state)
{
	struct dns_cache *c = dns_cache_new(16);
	struct addr c1 = ip("192.168.1.10"), c2 = ip("192.168.1.11"),
	    cdn = ip("151.101.1.1");
	char name[64];

	(void)state;
	dns_cache_put(c, &c1, &cdn, "news.example", 300, 0);
	dns_cache_put(c, &c2, &cdn, "shop.example", 300, 0);
	assert_true(dns_cache_get(c, &c1, &cdn, SEC, name, sizeof(name)));
	assert_string_equal(name, "news.example");
	assert_true(dns_cache_get(c, &c2, &cdn, SEC, name, sizeof(name)));
	assert_string_equal(name, "shop.example");
	/* A third client never asked. */
	{
		struct addr c3 = ip("192.168.1.12");

		assert_false(dns_cache_get(c, &c3, &cdn, SEC, name,
		    sizeof(name)));
	}
	dns_cache_free(c);
}

static void
test_replace(void **state)
{
	struct dns_cache *c = dns_cache_new(4);
	struct addr cl = ip("10.0.0.2"), s = ip("203.0.113.5");
	struct dns_cache_stats st;
	char name[64];

	(void)state;
	dns_cache_put(c, &cl, &s, "old.example", 300, 0);
	dns_cache_put(c, &cl, &s, "new.example", 300, SEC);
	assert_true(dns_cache_get(c, &cl, &s, 2 * SEC, name, sizeof(name)));
	assert_string_equal(name, "new.example");
	dns_cache_stats(c, &st);
	assert_int_equal(st.inserts, 1);
	assert_int_equal(st.updates, 1);
	assert_int_equal(st.entries, 1);
	dns_cache_free(c);
}

static void
test_evict(void **state)
{
	struct dns_cache *c = dns_cache_new(4);
	struct addr cl = ip("10.0.0.2"), s[6];
	struct dns_cache_stats st;
	char name[64], want[64];

	(void)state;
	for (uint32_t i = 0; i < 6; i++)
		s[i] = ip4n(i + 1);
	for (uint32_t i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "n%u", i);
		dns_cache_put(c, &cl, &s[i], want, 300, i * SEC);
	}
	/* Touch n0 so n1 becomes the least recently used. */
	assert_true(dns_cache_get(c, &cl, &s[0], 5 * SEC, name, sizeof(name)));
	dns_cache_put(c, &cl, &s[4], "n4", 300, 6 * SEC);
	assert_false(dns_cache_get(c, &cl, &s[1], 7 * SEC, name, sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &s[0], 7 * SEC, name, sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &s[2], 7 * SEC, name, sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &s[3], 7 * SEC, name, sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &s[4], 7 * SEC, name, sizeof(name)));
	assert_string_equal(name, "n4");
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.expired, 0);
	assert_int_equal(st.entries, 4);
	/* Full again, long after every TTL: the drop counts as expired. */
	dns_cache_put(c, &cl, &s[5], "n5", 300, 10000 * SEC);
	dns_cache_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.expired, 1);
	assert_true(dns_cache_get(c, &cl, &s[5], 10001 * SEC, name,
	    sizeof(name)));
	dns_cache_free(c);
}

static void
test_long_name(void **state)
{
	struct dns_cache *c = dns_cache_new(4);
	struct addr cl = ip("10.0.0.2"), s = ip("203.0.113.9");
	struct dns_cache_stats st;
	char big[1024], name[1024];
	size_t o = 0;

	(void)state;
	/* 60 labels "\255\255" (8 chars each + dot) then "tail.example". */
	for (int i = 0; i < 60; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "\\255\\.%c.",
		    'a' + i % 26);
	snprintf(big + o, sizeof(big) - o, "tail.example");
	assert_true(strlen(big) > DNS_CACHE_NAME_MAX);
	dns_cache_put(c, &cl, &s, big, 300, 0);
	assert_true(dns_cache_get(c, &cl, &s, SEC, name, sizeof(name)));
	assert_true(strlen(name) <= DNS_CACHE_NAME_MAX);
	/* A suffix of the original that starts at a label. */
	assert_string_equal(big + strlen(big) - strlen(name), name);
	assert_memory_equal(name, "\\255", 4);
	assert_string_equal(name + strlen(name) - 12, "tail.example");
	dns_cache_stats(c, &st);
	assert_int_equal(st.truncated, 1);

	/* Exactly the maximum is kept whole. */
	memset(big, 'x', DNS_CACHE_NAME_MAX);
	big[DNS_CACHE_NAME_MAX] = '\0';
	dns_cache_put(c, &cl, &s, big, 300, 0);
	assert_true(dns_cache_get(c, &cl, &s, SEC, name, sizeof(name)));
	assert_string_equal(name, big);
	dns_cache_free(c);
}

/* Names past the inline size live apart: replacing, evicting and
 * expiring entries that hold them frees them (ASan checks the leaks). */
static void
test_inline_and_apart(void **state)
{
	struct dns_cache *c = dns_cache_new(2);
	struct addr cl = ip("10.0.0.2"), s1 = ip("203.0.113.1"),
	    s2 = ip("203.0.113.2"), s3 = ip("203.0.113.3");
	char longer[128], name[256];

	(void)state;
	memset(longer, 'a', sizeof(longer) - 13);
	snprintf(longer + sizeof(longer) - 13, 13, ".example.com");
	assert_true(strlen(longer) >= DNS_CACHE_INLINE);
	dns_cache_put(c, &cl, &s1, longer, 300, 0);
	assert_true(dns_cache_get(c, &cl, &s1, SEC, name, sizeof(name)));
	assert_string_equal(name, longer);
	dns_cache_put(c, &cl, &s1, "short.example", 300, 0);
	assert_true(dns_cache_get(c, &cl, &s1, SEC, name, sizeof(name)));
	assert_string_equal(name, "short.example");
	dns_cache_put(c, &cl, &s1, longer, 300, 0);
	dns_cache_put(c, &cl, &s2, longer, 1, 0);
	dns_cache_put(c, &cl, &s3, "evicts.example", 300, 0);
	assert_false(dns_cache_get(c, &cl, &s1, SEC, name, sizeof(name)));
	assert_true(dns_cache_get(c, &cl, &s2, SEC, name, sizeof(name)));
	assert_string_equal(name, longer);
	/* Expired on lookup. */
	assert_false(dns_cache_get(c, &cl, &s2, 100 * 60 * SEC, name,
	    sizeof(name)));
	dns_cache_put(c, &cl, &s1, longer, 300, 0);
	dns_cache_free(c);
}

/*
 * Churn over more keys than capacity with a tiny model: entries never
 * exceed capacity, the counters add up, and every hit returns the name
 * last stored for that key.
 */
static void
test_churn(void **state)
{
	enum { CAP = 64, KEYS = 200, ROUNDS = 20000 };
	struct dns_cache *c = dns_cache_new(CAP);
	struct dns_cache_stats st;
	static unsigned last[KEYS];
	uint32_t x = 12345;
	char want[32], name[32];
	uint64_t hits = 0, puts = 0;

	(void)state;
	for (int r = 0; r < ROUNDS; r++) {
		uint32_t k, cl;
		struct addr ca, sa;

		x = x * 1103515245u + 12345u;
		k = (x >> 8) % KEYS;
		cl = k % 3;
		ca = ip4n(0x10000 + cl);
		sa = ip4n(k);
		if (x & 0x10000) {
			last[k] = (unsigned)r;
			snprintf(want, sizeof(want), "k%u-%u", k, last[k]);
			dns_cache_put(c, &ca, &sa, want, 3600, (uint64_t)r * SEC);
			puts++;
		} else if (dns_cache_get(c, &ca, &sa, (uint64_t)r * SEC, name,
		    sizeof(name))) {
			snprintf(want, sizeof(want), "k%u-%u", k, last[k]);
			assert_string_equal(name, want);
			hits++;
		}
		dns_cache_stats(c, &st);
		assert_true(st.entries <= CAP);
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.hits, hits);
	assert_int_equal(st.inserts + st.updates, puts);
	assert_int_equal(st.inserts - st.evictions - st.expired, st.entries);
	assert_true(st.evictions > 0);
	assert_true(hits > 0);
	dns_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_free),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_inline_and_apart),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
