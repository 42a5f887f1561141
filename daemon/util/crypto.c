/*
 * crypto.c - every use of OpenSSL's libcrypto in the daemon (crypto.h).
 *
 * Digests and HMAC run on OpenSSL's SHA-256/SHA-1/MD5 block functions.
 * Those are deprecated in OpenSSL 3 in favour of EVP, whose fetches and
 * per-call context allocations this file exists to avoid; they are still
 * OpenSSL's own assembly, not a hand-written hash.  Ciphers and the
 * certificate decoder are EVP/X509 objects owned by their caller.
 * OpenSSL status codes stop here: callers see 0 or a negative errno.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "crypto.h"

/* The keyed states are SHA256_CTX images; their size is in crypto.h. */
_Static_assert(sizeof(SHA256_CTX) == CRYPTO_SHA256_STATE,
    "CRYPTO_SHA256_STATE does not match OpenSSL's SHA256_CTX");
_Static_assert(alignof(SHA256_CTX) <= 8, "SHA256_CTX alignment over 8");

#define SHA256_BLOCK	64

void
crypto_md5(const void *data, size_t len, uint8_t out[CRYPTO_MD5_LEN])
{
	MD5_CTX c;

	MD5_Init(&c);
	MD5_Update(&c, data, len);
	MD5_Final(out, &c);
}

void
crypto_sha1(const void *data, size_t len, uint8_t out[CRYPTO_SHA1_LEN])
{
	SHA_CTX c;

	SHA1_Init(&c);
	SHA1_Update(&c, data, len);
	SHA1_Final(out, &c);
}

void
crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void
crypto_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}

void
crypto_hmac_key_set(struct hmac_key *k, const uint8_t *key, size_t len)
{
	uint8_t pad[SHA256_BLOCK], hashed[CRYPTO_SHA256_LEN];
	SHA256_CTX c;

	/* RFC 2104: a key longer than a block is hashed first. */
	if (len > SHA256_BLOCK) {
		crypto_sha256(key, len, hashed);
		key = hashed;
		len = sizeof(hashed);
	}
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	memcpy(k->inner, &c, sizeof(c));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&c);
	SHA256_Update(&c, pad, sizeof(pad));
	memcpy(k->outer, &c, sizeof(c));
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(hashed, sizeof(hashed));
}

void
crypto_hmac_sha256(const struct hmac_key *k, const uint8_t *data, size_t len,
    uint8_t out[CRYPTO_SHA256_LEN])
{
	SHA256_CTX c;
	uint8_t inner[CRYPTO_SHA256_LEN];

	memcpy(&c, k->inner, sizeof(c));
	SHA256_Update(&c, data, len);
	SHA256_Final(inner, &c);
	memcpy(&c, k->outer, sizeof(c));
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
}

void
crypto_hmac_key_clear(struct hmac_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
crypto_hkdf_expand_label(const struct hmac_key *secret, const char *label,
    uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	uint8_t info[2 + 1 + 255 + 1 + 1], md[CRYPTO_SHA256_LEN];
	size_t llen = strlen(label), plen = sizeof(prefix) - 1, n = 0;

	if (out_len > CRYPTO_SHA256_LEN || plen + llen > 255)
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
	crypto_hmac_sha256(secret, info, n, md);
	memcpy(out, md, out_len);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/*
 * The cipher is fetched once per object: with OpenSSL 3 every
 * EVP_aes_128_gcm() use re-fetches the implementation under a global
 * lock.
 */
struct crypto_gcm {
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
};

struct crypto_gcm *
crypto_gcm_new(void)
{
	struct crypto_gcm *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	if ((g->cipher = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL)) == NULL ||
	    (g->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return crypto_gcm_free(g);
	return g;
}

struct crypto_gcm *
crypto_gcm_free(struct crypto_gcm *g)
{
	if (g == NULL)
		return NULL;
	EVP_CIPHER_CTX_free(g->ctx);
	EVP_CIPHER_free(g->cipher);
	free(g);
	return NULL;
}

int
crypto_gcm_key(struct crypto_gcm *g, const uint8_t key[CRYPTO_AES128_KEY_LEN],
    bool encrypt)
{
	const EVP_CIPHER *c;

	/* A context already set up for the cipher and direction only takes
	 * the new key: passing the cipher again would free and rebuild its
	 * provider state. */
	c = EVP_CIPHER_CTX_get0_cipher(g->ctx) == g->cipher &&
	    EVP_CIPHER_CTX_is_encrypting(g->ctx) == (encrypt ? 1 : 0) ?
	    NULL : g->cipher;
	if (EVP_CipherInit_ex(g->ctx, c, NULL, key, NULL, encrypt ? 1 : 0) != 1)
		return -EIO;
	return 0;
}

int
crypto_gcm_open(struct crypto_gcm *g, const uint8_t nonce[CRYPTO_GCM_NONCE_LEN],
    const struct crypto_span *aad, size_t naad, const uint8_t *ct, size_t len,
    const uint8_t tag[CRYPTO_GCM_TAG_LEN], uint8_t *pt)
{
	int outl = 0, outl2 = 0;

	if (len > INT_MAX)
		return -EINVAL;
	if (EVP_DecryptInit_ex(g->ctx, NULL, NULL, NULL, nonce) != 1)
		return -EBADMSG;
	for (size_t i = 0; i < naad; i++) {
		if (aad[i].len > INT_MAX)
			return -EINVAL;
		if (EVP_DecryptUpdate(g->ctx, NULL, &outl, aad[i].p,
		    (int)aad[i].len) != 1)
			return -EBADMSG;
	}
	/* The tag is only read by Final; the cast drops a const OpenSSL
	 * does not declare. */
	if (EVP_DecryptUpdate(g->ctx, pt, &outl, ct, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_SET_TAG,
	    CRYPTO_GCM_TAG_LEN, (void *)(uintptr_t)tag) != 1 ||
	    EVP_DecryptFinal_ex(g->ctx, pt + outl, &outl2) != 1 ||
	    (size_t)outl + (size_t)outl2 != len)
		return -EBADMSG;
	return 0;
}

int
crypto_gcm_seal(struct crypto_gcm *g, const uint8_t nonce[CRYPTO_GCM_NONCE_LEN],
    const struct crypto_span *aad, size_t naad, const uint8_t *pt, size_t len,
    uint8_t *ct, uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	int outl = 0, outl2 = 0;

	if (len > INT_MAX)
		return -EINVAL;
	if (EVP_EncryptInit_ex(g->ctx, NULL, NULL, NULL, nonce) != 1)
		return -EIO;
	for (size_t i = 0; i < naad; i++) {
		if (aad[i].len > INT_MAX)
			return -EINVAL;
		if (EVP_EncryptUpdate(g->ctx, NULL, &outl, aad[i].p,
		    (int)aad[i].len) != 1)
			return -EIO;
	}
	if (EVP_EncryptUpdate(g->ctx, ct, &outl, pt, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(g->ctx, ct + outl, &outl2) != 1 ||
	    EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_GCM_GET_TAG,
	    CRYPTO_GCM_TAG_LEN, tag) != 1)
		return -EIO;
	return 0;
}

struct crypto_ecb {
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
};

struct crypto_ecb *
crypto_ecb_new(void)
{
	struct crypto_ecb *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->cipher = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL)) == NULL ||
	    (e->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return crypto_ecb_free(e);
	return e;
}

struct crypto_ecb *
crypto_ecb_free(struct crypto_ecb *e)
{
	if (e == NULL)
		return NULL;
	EVP_CIPHER_CTX_free(e->ctx);
	EVP_CIPHER_free(e->cipher);
	free(e);
	return NULL;
}

int
crypto_ecb_key(struct crypto_ecb *e, const uint8_t key[CRYPTO_AES128_KEY_LEN])
{
	const EVP_CIPHER *c;

	/* As for GCM: a set-up context only takes the new key. */
	c = EVP_CIPHER_CTX_get0_cipher(e->ctx) == e->cipher ? NULL : e->cipher;
	if (EVP_EncryptInit_ex(e->ctx, c, NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(e->ctx, 0) != 1)
		return -EIO;
	return 0;
}

int
crypto_ecb_block(struct crypto_ecb *e, const uint8_t in[CRYPTO_AES_BLOCK],
    uint8_t out[CRYPTO_AES_BLOCK])
{
	int outl = 0;

	if (EVP_EncryptUpdate(e->ctx, out, &outl, in, CRYPTO_AES_BLOCK) != 1 ||
	    outl != CRYPTO_AES_BLOCK)
		return -EIO;
	return 0;
}

struct crypto_x509 {
	OSSL_LIB_CTX *libctx;		/* NULL: the default context */
	OSSL_PROVIDER *null;		/* libctx's only provider */
};

struct crypto_x509 *
crypto_x509_new(void)
{
	struct crypto_x509 *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	if ((x->libctx = OSSL_LIB_CTX_new()) == NULL)
		return x;
	/* Loading a provider also stops the default one being loaded. */
	if ((x->null = OSSL_PROVIDER_load(x->libctx, "null")) == NULL) {
		OSSL_LIB_CTX_free(x->libctx);
		x->libctx = NULL;
	}
	return x;
}

struct crypto_x509 *
crypto_x509_free(struct crypto_x509 *x)
{
	if (x == NULL)
		return NULL;
	/* The provider is ours to unload: freeing the context does not
	 * release the reference load took. */
	if (x->null != NULL)
		OSSL_PROVIDER_unload(x->null);
	OSSL_LIB_CTX_free(x->libctx);
	free(x);
	return NULL;
}

/* Copy a UTF-8 attribute value, NUL and control bytes shown as '?'. */
static void
copy_attr(char *dst, size_t size, const unsigned char *s, int n)
{
	size_t k = 0;

	for (int i = 0; i < n && k + 1 < size; i++)
		dst[k++] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	dst[k] = '\0';
}

static void
name_entry(const X509_NAME *name, int nid, char *dst, size_t size)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int i, n;

	if ((i = X509_NAME_get_index_by_NID(name, nid, -1)) < 0)
		return;
	if ((e = X509_NAME_get_entry(name, i)) == NULL)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n >= 0)
		copy_attr(dst, size, utf8, n);
	OPENSSL_free(utf8);
}

static void
name_line(const X509_NAME *name, char *dst, size_t size)
{
	BIO *bio;
	int n;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
		/* Bounded read: longer names are cut at size - 1. */
		n = BIO_read(bio, dst, size - 1 > INT_MAX ? INT_MAX :
		    (int)size - 1);
		dst[n > 0 ? n : 0] = '\0';
		for (int i = 0; i < n; i++)
			if ((unsigned char)dst[i] < 0x20)
				dst[i] = '?';
	}
	BIO_free(bio);
}

int
crypto_x509_names(struct crypto_x509 *x, const uint8_t *der, size_t len,
    const struct crypto_cert_names *ret)
{
	const unsigned char *p = der;
	X509 *cert;

	if (len > LONG_MAX)
		return -EINVAL;
	/* Like d2i_X509(NULL, ..) but in the decoder's own context; d2i
	 * reads at most len bytes. */
	if ((cert = (X509 *)ASN1_item_d2i_ex(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(X509), x != NULL ? x->libctx : NULL, NULL)) == NULL)
		return -EBADMSG;
	name_line(X509_get_subject_name(cert), ret->subject, ret->size);
	name_line(X509_get_issuer_name(cert), ret->issuer, ret->size);
	name_entry(X509_get_subject_name(cert), NID_organizationName,
	    ret->org, ret->size);
	name_entry(X509_get_subject_name(cert), NID_commonName, ret->cn,
	    ret->size);
	X509_free(cert);
	return 0;
}
