/*
 * hkdf.c - HMAC-SHA256 and HKDF-Expand-Label on OpenSSL's SHA-256 block
 * functions.  Those are deprecated in OpenSSL 3 in favour of EVP, whose
 * per-call allocations this file exists to avoid (see hkdf.h); they are
 * still OpenSSL's own assembly, not a hand-written hash.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "hkdf.h"

#define SHA256_BLOCK	64

void
hmac_key_set(struct hmac_key *k, const uint8_t *key, size_t len)
{
	uint8_t pad[SHA256_BLOCK], hashed[HKDF_SHA256_LEN];

	/* RFC 2104: a key longer than a block is hashed first. */
	if (len > SHA256_BLOCK) {
		SHA256(key, len, hashed);
		key = hashed;
		len = sizeof(hashed);
	}
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA256_Init(&k->inner);
	SHA256_Update(&k->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&k->outer);
	SHA256_Update(&k->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(hashed, sizeof(hashed));
}

void
hmac_sha256(const struct hmac_key *k, const uint8_t *data, size_t len,
    uint8_t out[HKDF_SHA256_LEN])
{
	SHA256_CTX c = k->inner;
	uint8_t inner[HKDF_SHA256_LEN];

	SHA256_Update(&c, data, len);
	SHA256_Final(inner, &c);
	c = k->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
}

int
hkdf_expand_label(const struct hmac_key *secret, const char *label,
    uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	uint8_t info[2 + 1 + 255 + 1 + 1], md[HKDF_SHA256_LEN];
	size_t llen = strlen(label), plen = sizeof(prefix) - 1, n = 0;

	if (out_len > HKDF_SHA256_LEN || plen + llen > 255)
		return -EINVAL;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(plen + llen);
	memcpy(info + n, prefix, plen);
	n += plen;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0;		/* context length */
	info[n++] = 1;		/* HKDF-Expand counter: one block is enough */
	hmac_sha256(secret, info, n, md);
	memcpy(out, md, out_len);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

void
hmac_key_clear(struct hmac_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
