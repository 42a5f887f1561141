/*
 * test_domain.c - public-suffix splitting (domain.h) on names whose
 * suffix has one label, two labels and a wildcard rule, in mixed case
 * with a trailing dot, and names that are only a suffix; and the IANA
 * cipher suite names (tls_cipher.h) at both ends of the table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
		cmocka_unit_test(test_cipher_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
