/*
 * test_crypto.c - the one-shot digests against FIPS 180 / RFC 1321
 * vectors, keyed HMAC-SHA256 against RFC 4231's vectors (short and
 * longer-than-a-block keys, reuse of one keyed state), the block-size
 * boundary for hashing keys, HKDF-Expand-Label against RFC 9001 A.1's
 * client Initial secret, AES-128-ECB against FIPS 197 C.1 and an
 * AES-128-GCM seal/open round trip that must reject a changed byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"

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
	crypto_hmac_key_set(&k, key, sizeof(key));
	crypto_hmac_sha256(&k, (const uint8_t *)"Hi There", 8, out);
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
	crypto_hmac_key_set(&k, (const uint8_t *)"Jefe", 4);
	/* The keyed state is not consumed: the same MAC twice. */
	for (int i = 0; i < 2; i++) {
		crypto_hmac_sha256(&k, (const uint8_t *)msg, strlen(msg), out);
		check_hex(out, sizeof(out), "5bdcc146bf60754e6a042426089575c7"
		    "5a003f089d2739839dec58b964ec3843");
	}
	crypto_hmac_key_clear(&k);
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
	crypto_hmac_key_set(&k, key, sizeof(key));
	crypto_hmac_sha256(&k, (const uint8_t *)msg, strlen(msg), out);
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
	crypto_sha256(key, sizeof(key), hashed);
	crypto_hmac_key_set(&a, key, sizeof(key));
	crypto_hmac_key_set(&b, hashed, sizeof(hashed));
	crypto_hmac_sha256(&a, (const uint8_t *)"x", 1, out_a);
	crypto_hmac_sha256(&b, (const uint8_t *)"x", 1, out_b);
	assert_memory_equal(out_a, out_b, sizeof(out_a));
	crypto_sha256(key, sizeof(key) - 1, hashed);
	crypto_hmac_key_set(&a, key, sizeof(key) - 1);
	crypto_hmac_key_set(&b, hashed, sizeof(hashed));
	crypto_hmac_sha256(&a, (const uint8_t *)"x", 1, out_a);
	crypto_hmac_sha256(&b, (const uint8_t *)"x", 1, out_b);
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
	crypto_hmac_key_set(&k, initial, sizeof(initial));
	assert_int_equal(crypto_hkdf_expand_label(&k, "client in", client,
	    sizeof(client)), 0);
	check_hex(client, sizeof(client), "c00cf151ca5be075ed0ebfb5c80323c4"
	    "2d6b7db67881289af4008f1f6c357aea");
	crypto_hmac_key_set(&k, client, sizeof(client));
	assert_int_equal(crypto_hkdf_expand_label(&k, "quic key", key,
	    sizeof(key)), 0);
	check_hex(key, sizeof(key), "1f369613dd76d5467730efcbe3b1a22d");
	assert_int_equal(crypto_hkdf_expand_label(&k, "quic key", client, 33),
	    -EINVAL);
}

static void
test_digests_abc(void **state)
{
	uint8_t md[CRYPTO_MD_MAX];

	(void)state;
	crypto_md5("abc", 3, md);
	check_hex(md, CRYPTO_MD5_LEN, "900150983cd24fb0d6963f7d28e17f72");
	crypto_sha1("abc", 3, md);
	check_hex(md, CRYPTO_SHA1_LEN,
	    "a9993e364706816aba3e25717850c26c9cd0d89d");
	crypto_sha256("abc", 3, md);
	check_hex(md, CRYPTO_SHA256_LEN, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_ecb_fips197(void **state)
{
	struct crypto_ecb *e;
	uint8_t key[16], in[16], out[16];

	(void)state;
	unhex("000102030405060708090a0b0c0d0e0f", key, sizeof(key));
	unhex("00112233445566778899aabbccddeeff", in, sizeof(in));
	assert_non_null(e = crypto_ecb_new());
	/* Twice: the second keying takes the set-up context's short path. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(crypto_ecb_key(e, key), 0);
		assert_int_equal(crypto_ecb_block(e, in, out), 0);
		check_hex(out, sizeof(out), "69c4e0d86a7b0430d8cdb78070b4c55a");
	}
	assert_null(crypto_ecb_free(e));
	assert_null(crypto_ecb_free(NULL));
}

static void
test_gcm_round_trip(void **state)
{
	struct crypto_gcm *g;
	struct crypto_span aad[2] = {
		{ (const uint8_t *)"head", 4 }, { (const uint8_t *)"er", 2 },
	};
	uint8_t key[16], nonce[12], tag[16], ct[40], pt[40];
	const char *msg = "forty bytes of plaintext, give or take..";

	(void)state;
	memset(key, 0x11, sizeof(key));
	memset(nonce, 0x22, sizeof(nonce));
	assert_int_equal(strlen(msg), sizeof(ct));
	assert_non_null(g = crypto_gcm_new());
	assert_int_equal(crypto_gcm_key(g, key, true), 0);
	assert_int_equal(crypto_gcm_seal(g, nonce, aad, 2,
	    (const uint8_t *)msg, sizeof(ct), ct, tag), 0);
	assert_int_equal(crypto_gcm_key(g, key, false), 0);
	assert_int_equal(crypto_gcm_open(g, nonce, aad, 2, ct, sizeof(ct), tag,
	    pt), 0);
	assert_memory_equal(pt, msg, sizeof(pt));
	/* The associated data is authenticated piece by piece, in order. */
	aad[1].p = (const uint8_t *)"ER";
	assert_int_equal(crypto_gcm_open(g, nonce, aad, 2, ct, sizeof(ct), tag,
	    pt), -EBADMSG);
	aad[1].p = (const uint8_t *)"er";
	ct[0] ^= 1;
	assert_int_equal(crypto_gcm_open(g, nonce, aad, 2, ct, sizeof(ct), tag,
	    pt), -EBADMSG);
	assert_null(crypto_gcm_free(g));
	assert_null(crypto_gcm_free(NULL));
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
		cmocka_unit_test(test_digests_abc),
		cmocka_unit_test(test_ecb_fips197),
		cmocka_unit_test(test_gcm_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
