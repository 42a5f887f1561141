/*
 * test_hkdf.c - keyed HMAC-SHA256 against RFC 4231's vectors (short and
 * longer-than-a-block keys, reuse of one keyed state), the block-size
 * boundary for hashing keys, and
 * HKDF-Expand-Label against RFC 9001 A.1's client Initial secret.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hkdf.h"

static void
check_hex(const uint8_t *got, size_t len, const char *want)
{
	char hex[2 * 64 + 1];

	assert_true(len <= 64);
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(hex, want);
}

static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;
	unsigned v;

	for (; hex[0] && hex[1]; hex += 2) {
		assert_true(n < size);
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void
test_rfc4231_case1(void **state)
{
	struct hmac_key k;
	uint8_t key[20], out[32];

	(void)state;
	memset(key, 0x0b, sizeof(key));
	hmac_key_set(&k, key, sizeof(key));
	hmac_sha256(&k, (const uint8_t *)"Hi There", 8, out);
	check_hex(out, sizeof(out), "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
}

static void
test_rfc4231_case2_reused(void **state)
{
	struct hmac_key k;
	uint8_t out[32];
	const char *msg = "what do ya want for nothing?";

	(void)state;
	hmac_key_set(&k, (const uint8_t *)"Jefe", 4);
	/* The keyed state is not consumed: the same MAC twice. */
	for (int i = 0; i < 2; i++) {
		hmac_sha256(&k, (const uint8_t *)msg, strlen(msg), out);
		check_hex(out, sizeof(out), "5bdcc146bf60754e6a042426089575c7"
		    "5a003f089d2739839dec58b964ec3843");
	}
	hmac_key_clear(&k);
}

static void
test_rfc4231_case6_long_key(void **state)
{
	struct hmac_key k;
	uint8_t key[131], out[32];
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key "
	    "First";

	(void)state;
	memset(key, 0xaa, sizeof(key));
	hmac_key_set(&k, key, sizeof(key));
	hmac_sha256(&k, (const uint8_t *)msg, strlen(msg), out);
	check_hex(out, sizeof(out), "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
}

static void
test_key_one_past_block(void **state)
{
	struct hmac_key a, b;
	uint8_t key[65], hashed[32], out_a[32], out_b[32];

	(void)state;
	/* RFC 2104: a key over 64 bytes stands for its hash, one of 64 not. */
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	SHA256(key, sizeof(key), hashed);
	hmac_key_set(&a, key, sizeof(key));
	hmac_key_set(&b, hashed, sizeof(hashed));
	hmac_sha256(&a, (const uint8_t *)"x", 1, out_a);
	hmac_sha256(&b, (const uint8_t *)"x", 1, out_b);
	assert_memory_equal(out_a, out_b, sizeof(out_a));
	SHA256(key, sizeof(key) - 1, hashed);
	hmac_key_set(&a, key, sizeof(key) - 1);
	hmac_key_set(&b, hashed, sizeof(hashed));
	hmac_sha256(&a, (const uint8_t *)"x", 1, out_a);
	hmac_sha256(&b, (const uint8_t *)"x", 1, out_b);
	assert_memory_not_equal(out_a, out_b, sizeof(out_a));
}

static void
test_expand_label_rfc9001(void **state)
{
	struct hmac_key k;
	uint8_t initial[32], client[32], key[16];

	(void)state;
	/* RFC 9001 A.1: initial_secret, then client_initial_secret. */
	assert_int_equal(unhex("7db5df06e7a69e432496adedb0085192"
	    "3595221596ae2ae9fb8115c1e9ed0a44", initial, sizeof(initial)), 32);
	hmac_key_set(&k, initial, sizeof(initial));
	assert_int_equal(hkdf_expand_label(&k, "client in", client,
	    sizeof(client)), 0);
	check_hex(client, sizeof(client), "c00cf151ca5be075ed0ebfb5c80323c4"
	    "2d6b7db67881289af4008f1f6c357aea");
	hmac_key_set(&k, client, sizeof(client));
	assert_int_equal(hkdf_expand_label(&k, "quic key", key, sizeof(key)),
	    0);
	check_hex(key, sizeof(key), "1f369613dd76d5467730efcbe3b1a22d");
	assert_int_equal(hkdf_expand_label(&k, "quic key", client, 33),
	    -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231_case1),
		cmocka_unit_test(test_rfc4231_case2_reused),
		cmocka_unit_test(test_rfc4231_case6_long_key),
		cmocka_unit_test(test_key_one_past_block),
		cmocka_unit_test(test_expand_label_rfc9001),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
