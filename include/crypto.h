/*
 * crypto.h - the daemon's only door to OpenSSL's libcrypto: one-shot
 * digests, HMAC-SHA256 keyed once and used many times, TLS 1.3's
 * HKDF-Expand-Label, the AES-128 ciphers of QUIC Initial packets and the
 * names of an X.509 certificate.
 *
 * Nothing here allocates per call.  Objects that hold OpenSSL state (the
 * ciphers, the certificate decoder) are made and freed by their owner, a
 * pipeline stage, so there is no process-wide state: two pipelines may
 * run in two threads, each with its own objects.
 *
 * OpenSSL 3.0's EVP_MAC allocates and copies digest contexts on every
 * init; QUIC derives five HMACs per flow, and with a keyed state the same
 * work is two SHA-256 blocks per HMAC and no malloc.
 */
#ifndef OUTFLOW_CRYPTO_H
#define OUTFLOW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_MD5_LEN		16
#define CRYPTO_SHA1_LEN		20
#define CRYPTO_SHA256_LEN	32
#define CRYPTO_MD_MAX		CRYPTO_SHA256_LEN
/* Bytes of one SHA-256 running state (checked against OpenSSL's in crypto.c). */
#define CRYPTO_SHA256_STATE	112

/** One-shot digests of len bytes at data into out. */
void crypto_md5(const void *data, size_t len, uint8_t out[CRYPTO_MD5_LEN]);
void crypto_sha1(const void *data, size_t len, uint8_t out[CRYPTO_SHA1_LEN]);
void crypto_sha256(const void *data, size_t len,
    uint8_t out[CRYPTO_SHA256_LEN]);

/** Overwrite len bytes at p with zeros in a way the compiler keeps. */
void crypto_wipe(void *p, size_t len);

/*
 * An HMAC-SHA256 key: the inner and outer hash states after the padded
 * key block.  Plain memory, no OpenSSL object: copy it, embed it, wipe it
 * with crypto_hmac_key_clear() when it held a secret.
 */
struct hmac_key {
	_Alignas(8) unsigned char inner[CRYPTO_SHA256_STATE];
	_Alignas(8) unsigned char outer[CRYPTO_SHA256_STATE];
};

/** Key k with len bytes of key (hashed first when longer than a block). */
void crypto_hmac_key_set(struct hmac_key *k, const uint8_t *key, size_t len);
/** HMAC-SHA256 of data under k; k is not changed, so it may be reused. */
void crypto_hmac_sha256(const struct hmac_key *k, const uint8_t *data,
    size_t len, uint8_t out[CRYPTO_SHA256_LEN]);
/** Wipe a key state that held a secret. */
void crypto_hmac_key_clear(struct hmac_key *k);

/**
 * HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, the secret
 * given as its keyed HMAC state.  out_len <= 32.  0 or -EINVAL.
 */
int crypto_hkdf_expand_label(const struct hmac_key *secret, const char *label,
    uint8_t *out, size_t out_len);

/* A contiguous piece of associated data. */
struct crypto_span {
	const uint8_t *p;
	size_t len;
};

#define CRYPTO_AES128_KEY_LEN	16
#define CRYPTO_GCM_NONCE_LEN	12
#define CRYPTO_GCM_TAG_LEN	16
#define CRYPTO_AES_BLOCK	16

/*
 * An AES-128-GCM context, keyed again for every flow: keying an existing
 * context only expands the key, where a new context per flow costs more
 * than the decryption.
 */
struct crypto_gcm;

/** A context, or NULL when out of memory or OpenSSL lacks the cipher. */
struct crypto_gcm *crypto_gcm_new(void);
/** Free g (NULL is fine).  Returns NULL. */
struct crypto_gcm *crypto_gcm_free(struct crypto_gcm *g);
/** Set the key and direction (encrypt or decrypt).  0 or -EIO. */
int crypto_gcm_key(struct crypto_gcm *g, const uint8_t key[CRYPTO_AES128_KEY_LEN],
    bool encrypt);
/**
 * Decrypt and authenticate len bytes of ct into pt (len bytes; pt may be
 * ct) with the associated data aad[0..naad-1] taken in order.  g must be
 * keyed for decryption.  0, or -EBADMSG when the tag does not match (pt
 * then holds garbage), -EINVAL for len over INT_MAX.
 */
int crypto_gcm_open(struct crypto_gcm *g,
    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const struct crypto_span *aad,
    size_t naad, const uint8_t *ct, size_t len,
    const uint8_t tag[CRYPTO_GCM_TAG_LEN], uint8_t *pt);
/**
 * Encrypt len bytes of pt into ct (pt may be ct) and write the tag.  g
 * must be keyed for encryption.  0, -EIO or -EINVAL.
 */
int crypto_gcm_seal(struct crypto_gcm *g,
    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const struct crypto_span *aad,
    size_t naad, const uint8_t *pt, size_t len, uint8_t *ct,
    uint8_t tag[CRYPTO_GCM_TAG_LEN]);

/* AES-128 on single blocks (ECB), for QUIC header protection masks. */
struct crypto_ecb;

/** A context, or NULL when out of memory or OpenSSL lacks the cipher. */
struct crypto_ecb *crypto_ecb_new(void);
/** Free e (NULL is fine).  Returns NULL. */
struct crypto_ecb *crypto_ecb_free(struct crypto_ecb *e);
/** Set the key.  0 or -EIO. */
int crypto_ecb_key(struct crypto_ecb *e, const uint8_t key[CRYPTO_AES128_KEY_LEN]);
/** Encrypt one block.  0 or -EIO. */
int crypto_ecb_block(struct crypto_ecb *e, const uint8_t in[CRYPTO_AES_BLOCK],
    uint8_t out[CRYPTO_AES_BLOCK]);

/*
 * A certificate decoder that reads names only.  It holds its own OpenSSL
 * library context with only the "null" provider: in the default context
 * d2i_X509 hands the SubjectPublicKeyInfo to every provider's decoders
 * (building a decoder chain under global locks), which costs more than
 * all the rest of the certificate.  With no decoders the key is left
 * undecoded, a case OpenSSL already tolerates, and the certificate is
 * otherwise decoded exactly as before.
 */
struct crypto_x509;

/**
 * A decoder, or NULL when out of memory.  When the private context cannot
 * be made the default one is used (slower, same names).
 */
struct crypto_x509 *crypto_x509_new(void);
/** Free x (NULL is fine).  Returns NULL. */
struct crypto_x509 *crypto_x509_free(struct crypto_x509 *x);

/*
 * Where crypto_x509_names() writes, each a buffer of size bytes (> 0).
 * Control bytes are shown as '?' and long values cut at size - 1.  A
 * field whose attribute is absent is left as it was.
 */
struct crypto_cert_names {
	char *subject;		/* RFC 2253 one-line form */
	char *issuer;		/* same */
	char *org;		/* subject O= */
	char *cn;		/* subject CN= */
	size_t size;
};

/**
 * Decode the DER certificate der[0..len-1] (NULL x: the default library
 * context) and write its names.  0, or -EBADMSG when it does not decode
 * (nothing written), -EINVAL for len over LONG_MAX.
 */
int crypto_x509_names(struct crypto_x509 *x, const uint8_t *der, size_t len,
    const struct crypto_cert_names *ret);

#endif
