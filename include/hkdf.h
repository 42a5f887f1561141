/*
 * hkdf.h - HMAC-SHA256 keyed once and used many times, and TLS 1.3's
 * HKDF-Expand-Label (RFC 5869, RFC 8446 §7.1), without allocation.
 *
 * OpenSSL 3.0's EVP_MAC allocates and copies digest contexts on every
 * init; QUIC derives five HMACs per flow, and with a keyed state the
 * same work is two SHA-256 blocks per HMAC and no malloc.
 */
#ifndef OUTFLOW_HKDF_H
#define OUTFLOW_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#define HKDF_SHA256_LEN	32

/* The inner and outer hash states after the padded key block. */
struct hmac_key {
	SHA256_CTX inner;
	SHA256_CTX outer;
};

void hmac_key_set(struct hmac_key *k, const uint8_t *key, size_t len);
void hmac_sha256(const struct hmac_key *k, const uint8_t *data, size_t len,
    uint8_t out[HKDF_SHA256_LEN]);
/* HKDF-Expand-Label with an empty context; out_len <= 32.  0 or -EINVAL. */
int hkdf_expand_label(const struct hmac_key *secret, const char *label,
    uint8_t *out, size_t out_len);
/* Wipe a key state that held a secret. */
void hmac_key_clear(struct hmac_key *k);

#endif
