/*
 * test_domain.c - public-suffix splitting (domain.h) on names whose
 * suffix has one label, two labels and a wildcard rule, in mixed case
 * with a trailing dot, and names that are only a suffix; the memo of
 * recent splits, which must answer alike; and the IANA
 * cipher suite names (tls_cipher.h) at both ends of the table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"
#include "tls_cipher.h"

static void
test_split(void **state)
{
	struct domain_psl *p = domain_psl_load();
	struct domain_parts d;

	(void)state;
	assert_non_null(p);
	assert_int_equal(domain_split(p, "WWW.Tiktok.com.", &d), 0);
	assert_string_equal(d.registered, "tiktok.com");
	assert_string_equal(d.tld, "com");
	assert_string_equal(d.subdomain, "www");
	assert_int_equal(domain_split(p, "a.b.example.co.uk", &d), 0);
	assert_string_equal(d.registered, "example.co.uk");
	assert_string_equal(d.tld, "co.uk");
	assert_string_equal(d.subdomain, "a.b");
	assert_int_equal(domain_split(p, "example.org", &d), 0);
	assert_string_equal(d.subdomain, "");
	/* A suffix alone has no registered domain. */
	assert_int_equal(domain_split(p, "co.uk", &d), -EINVAL);
	assert_string_equal(d.registered, "");
	assert_int_equal(domain_split(p, "", &d), -EINVAL);
	assert_int_equal(domain_split(NULL, "example.org", &d), -EINVAL);
	assert_null(domain_psl_free(p));
	assert_null(domain_psl_free(NULL));
}

/* The parts and result of one name, split alone and through the memo. */
static void
assert_memo_agrees(const struct domain_psl *p, struct domain_memo *m,
    const char *name)
{
	struct domain_parts want, got;
	int r = domain_split(p, name, &want);

	/* Dirty the output: every part must be written on each call. */
	memset(&got, 'x', sizeof(got));
	assert_int_equal(domain_split_memo(m, name, &got), r);
	assert_string_equal(got.registered, want.registered);
	assert_string_equal(got.tld, want.tld);
	assert_string_equal(got.subdomain, want.subdomain);
}

/*
 * The memo answers as domain_split() does, the first time and from its
 * slots: case and a trailing dot are part of the name asked, names that
 * do not split stay failures, and more names than slots push each other
 * out without mixing their parts.
 */
static void
test_memo(void **state)
{
	static const char *const names[] = { "WWW.Tiktok.com.",
	    "www.tiktok.com", "a.b.example.co.uk", "example.org", "co.uk",
	    "com", "", ".", "x.s3.amazonaws.com", "localhost", "a..b.com" };
	struct domain_psl *p = domain_psl_load();
	struct domain_memo *m;
	char name[300];

	(void)state;
	assert_non_null(p);
	assert_null(domain_memo_new(NULL));
	assert_non_null(m = domain_memo_new(p));
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			assert_memo_agrees(p, m, names[i]);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 2000; i++) {
			snprintf(name, sizeof(name), "h%d.Name%d.co.uk", i,
			    i % 7);
			assert_memo_agrees(p, m, name);
		}
	/* The longest names split, and one a byte too long. */
	memset(name, 'a', sizeof(name));
	memcpy(name + 251, ".com", 5);
	assert_memo_agrees(p, m, name);
	memcpy(name + 251, ".com.", 6);
	assert_memo_agrees(p, m, name);
	memcpy(name + 252, ".com", 5);
	assert_memo_agrees(p, m, name);
	assert_null(domain_memo_free(m));
	assert_null(domain_memo_free(NULL));
	assert_null(domain_psl_free(p));
}

static void
test_cipher_names(void **state)
{
	(void)state;
	assert_string_equal(tls_cipher_name(0x1301), "TLS_AES_128_GCM_SHA256");
	assert_string_equal(tls_cipher_name(0xc02f),
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(tls_cipher_name(0x0004), "TLS_RSA_WITH_RC4_128_MD5");
	assert_null(tls_cipher_name(0x0000));
	assert_null(tls_cipher_name(0xffff));
	assert_null(tls_cipher_name(0x1306));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_cipher_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
