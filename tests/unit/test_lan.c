/*
 * test_lan.c - LAN prefixes: parsed with their errors, matched for IPv4,
 * IPv6 and IPv4-mapped addresses; and the never-routed ranges used when
 * no LAN is configured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lan.h"

static struct addr
ip(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static void
test_parse(void **state)
{
	struct lan_prefix p;
	char err[256];

	(void)state;
	assert_int_equal(lan_prefix_parse("192.168.1.0/24", &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.len, 24);
	assert_int_equal(p.net.family, 4);
	assert_int_equal(lan_prefix_parse("2001:db8::/32", &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(p.net.family, 6);
	assert_int_equal(lan_prefix_parse("10.1.2.3", &p, err, sizeof(err)),
	    0);
	assert_int_equal(p.len, 32);
	assert_int_equal(lan_prefix_parse("0.0.0.0/0", &p, err, sizeof(err)),
	    0);
	assert_int_equal(p.len, 0);

	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "192.168.1.1/24", "host bits set" },
		{ "10.0.0.0/33", "0-32" },
		{ "2001:db8::/129", "0-128" },
		{ "10.0.0.0/", "prefix length" },
		{ "10.0.0.0/8x", "prefix length" },
		{ "/8", "expected an address/length" },
		{ "router.lan/24", "not an IPv4 or IPv6 address" },
		{ "", "expected an address/length" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(lan_prefix_parse(bad[i].in, &p, err,
		    sizeof(err)), 0);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].in, err,
			    bad[i].why);
	}
}

static void
test_contains(void **state)
{
	struct lan l;
	char err[256];
	struct addr a;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(lan_prefix_parse("203.0.113.0/25", &l.p[l.n++], err,
	    sizeof(err)), 0);
	assert_int_equal(lan_prefix_parse("2001:db8:1::/48", &l.p[l.n++], err,
	    sizeof(err)), 0);
	a = ip("203.0.113.127");
	assert_true(lan_contains(&l, &a));
	a = ip("203.0.113.128");
	assert_false(lan_contains(&l, &a));
	a = ip("::ffff:203.0.113.5");	/* IPv4-mapped: the IPv4 host */
	assert_true(lan_contains(&l, &a));
	a = ip("2001:db8:1:ffff::1");
	assert_true(lan_contains(&l, &a));
	a = ip("2001:db8:2::1");
	assert_false(lan_contains(&l, &a));
	/* A configured LAN replaces the never-routed ranges. */
	a = ip("192.168.1.10");
	assert_false(lan_contains(&l, &a));
	assert_true(lan_contains(NULL, &a));
	memset(&a, 0, sizeof(a));
	assert_false(lan_contains(NULL, &a));
}

static void
test_default_ranges(void **state)
{
	static const char *const local[] = { "10.0.0.1", "172.31.255.255",
	    "192.168.0.1", "100.64.0.1", "127.0.0.1", "169.254.1.1",
	    "224.0.0.251", "255.255.255.255", "0.0.0.0", "::1", "fd00::1",
	    "fe80::1", "ff02::fb", "64:ff9b::10.0.0.1" };
	static const char *const public[] = { "8.8.8.8", "172.32.0.1",
	    "100.128.0.1", "203.0.113.1", "2001:db8::1", "64:ff9b::8.8.8.8" };
	struct addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		a = ip(local[i]);
		if (!lan_contains(NULL, &a))
			fail_msg("%s should be local", local[i]);
	}
	for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		a = ip(public[i]);
		if (lan_contains(NULL, &a))
			fail_msg("%s should not be local", public[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_default_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
