/*
 * quic_build.c - sealing client Initial packets (RFC 9001 §5), the
 * inverse of proto_quic.c's decryption, built only from public APIs
 * (quic_initial_keys() and crypto.h) so that it checks the parser
 * rather than sharing its code.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "crypto.h"
#include "quic_build.h"

#define PKT_SAMPLE_LEN	16	/* header protection sample (RFC 9001 §5.4.2) */

/* A bounded writer: the first write that does not fit sets err. */
struct wbuf {
	uint8_t *p;
	size_t size;
	size_t len;
	bool err;
};

static void
w_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->err || w->size - w->len < n) {
		w->err = true;
		return;
	}
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void
w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

/* Long-header type bits of an Initial: QUIC v2 renumbered them (RFC 9369
 * §3.2); every other supported version keeps v1's 0. */
static uint8_t
initial_type(uint32_t version)
{
	return version == QUIC_VERSION_2 ? 1 : 0;
}

static int
seal(const struct quic_initial_keys *k, uint64_t pn, uint8_t *out,
    size_t hdr_len, size_t payload_len, size_t pn_off, size_t pn_len)
{
	struct crypto_gcm *aead;
	struct crypto_ecb *hp;
	struct crypto_span aad = { out, hdr_len };
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN], mask[CRYPTO_AES_BLOCK];
	uint8_t sample[PKT_SAMPLE_LEN];
	int r = -EIO;

	aead = crypto_gcm_new();
	hp = crypto_ecb_new();
	if (aead == NULL || hp == NULL) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(nonce, k->iv, sizeof(nonce));
	for (size_t i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(pn >> (8 * (7 - i)));
	if (crypto_gcm_key(aead, k->key, true) != 0 ||
	    crypto_ecb_key(hp, k->hp) != 0 ||
	    crypto_gcm_seal(aead, nonce, &aad, 1, out + hdr_len, payload_len,
	    out + hdr_len, out + hdr_len + payload_len) != 0)
		goto out;
	/* The sample starts 4 bytes after the packet number's first byte,
	 * whatever its length (RFC 9001 §5.4.2). */
	memcpy(sample, out + pn_off + 4, sizeof(sample));
	if (crypto_ecb_block(hp, sample, mask) != 0)
		goto out;
	out[0] ^= mask[0] & 0x0f;
	for (size_t i = 0; i < pn_len; i++)
		out[pn_off + i] ^= mask[1 + i];
	r = 0;
out:
	crypto_gcm_free(aead);
	crypto_ecb_free(hp);
	return r;
}

int
quic_build_initial(struct quic_ctx *qc, const struct quic_build *b,
    const uint8_t *frames, size_t frames_len, uint8_t *out, size_t out_size,
    size_t *ret_len)
{
	uint32_t version = b->version;
	size_t dcid_len = b->dcid_len, scid_len = b->scid_len;
	size_t pn_len = b->pn_len, pad_to = b->pad_to;
	uint64_t pn = b->pn;
	struct quic_initial_keys k;
	struct wbuf w = { out, out_size, 0, false };
	uint8_t zero = 0;
	size_t pn_off, payload_len, length, hdr_len, min_payload;
	int r;

	if (!quic_version_supported(version))
		return -ENOTSUP;
	if (dcid_len > QUIC_CID_MAX || scid_len > QUIC_CID_MAX ||
	    pn_len < 1 || pn_len > 4 || frames_len > QUIC_PAYLOAD_MAX ||
	    pad_to > QUIC_PAYLOAD_MAX || (pn_len < 4 && pn >> (pn_len * 8)) ||
	    (frames == NULL && frames_len > 0))
		return -EINVAL;
	if (b->key_dcid != NULL)
		r = quic_initial_keys(qc, version, b->key_dcid,
		    b->key_dcid_len, &k);
	else
		r = quic_initial_keys(qc, version, b->dcid, dcid_len, &k);
	if (r != 0)
		return r;

	pn_off = 1 + 4 + 1 + dcid_len + 1 + scid_len + 1 + 2;
	payload_len = frames_len;
	/* The sample needs 4 + 16 bytes from the packet number on. */
	min_payload = 4 - pn_len;
	if (payload_len < min_payload)
		payload_len = min_payload;
	if (pn_off + pn_len + payload_len + CRYPTO_GCM_TAG_LEN < pad_to)
		payload_len = pad_to - pn_off - pn_len - CRYPTO_GCM_TAG_LEN;
	length = pn_len + payload_len + CRYPTO_GCM_TAG_LEN;
	if (length > 0x3fff)
		return -EINVAL;

	w_u8(&w, (uint8_t)(0xc0 | initial_type(version) << 4 | (pn_len - 1)));
	for (int i = 3; i >= 0; i--)
		w_u8(&w, (uint8_t)(version >> (8 * i)));
	w_u8(&w, (uint8_t)dcid_len);
	w_bytes(&w, b->dcid, dcid_len);
	w_u8(&w, (uint8_t)scid_len);
	w_bytes(&w, b->scid, scid_len);
	w_u8(&w, 0);			/* token length */
	w_u8(&w, (uint8_t)(0x40 | length >> 8));
	w_u8(&w, (uint8_t)length);
	for (size_t i = pn_len; i > 0; i--)
		w_u8(&w, (uint8_t)(pn >> (8 * (i - 1))));
	hdr_len = w.len;
	w_bytes(&w, frames, frames_len);
	for (size_t i = frames_len; i < payload_len; i++)
		w_bytes(&w, &zero, 1);	/* PADDING frames */
	if (w.err || out_size - w.len < CRYPTO_GCM_TAG_LEN)
		return -ENOBUFS;
	if ((r = seal(&k, pn, out, hdr_len, payload_len, pn_off, pn_len)) != 0)
		return r;
	*ret_len = w.len + CRYPTO_GCM_TAG_LEN;
	return 0;
}
