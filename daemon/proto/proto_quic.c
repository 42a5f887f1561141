/*
 * proto_quic.c - QUIC client Initial decryption (RFC 9000, RFC 9001,
 * RFC 9369): header protection, AEAD, CRYPTO stream reassembly up to one
 * whole ClientHello.
 *
 * Invariants: the datagram is never written to (header protection is
 * removed on copies); keys are derived once per flow (and again only for
 * a Retry or a compatible version switch, at most QUIC_MAX_KEYS times);
 * the plaintext lives in a fixed stack buffer; the CRYPTO stream in a
 * fixed buffer of the state with a bitmap of the bytes present.
 *
 * The two cipher contexts live in a struct quic_ctx, made once per
 * pipeline and shared by its flows: a new context per flow costs more
 * than the decryption, so each flow only loads its keys, and only when
 * another flow's are loaded.  The HMACs of the key derivation run on
 * keyed SHA-256 states (crypto.h), each version's salt keyed once when
 * the quic_ctx is made.  A quic_ctx serves one thread.
 *
 * Initial keys are not secrets: anyone who sees the DCID derives them
 * (RFC 9001 §5.2), so they are not wiped after use.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "quic.h"

/*
 * Long header packet (RFC 9000 §17.2, §17.2.2):
 *
 *   +-+-+-+-+-+-+-+-+
 *   |1|1|T T|R R|P P|   header form, fixed bit, type, reserved, pn length
 *   +-+-+-+-+-+-+-+-+   (the low 4 bits are header-protected)
 *   |    Version (32)                                               |
 *   | DCID Len (8) | Destination Connection ID (0..160)             |
 *   | SCID Len (8) | Source Connection ID (0..160)                  |
 *   | Token Length (i) | Token (..)         (Initial only)          |
 *   | Length (i)       | Packet Number (8..32, protected)           |
 *   | Protected Payload (AEAD ciphertext + 16-byte tag)             |
 */

#define QUIC_TAG_LEN		16
#define QUIC_SAMPLE_LEN		16
#define QUIC_VARINT_MAX		((UINT64_C(1) << 62) - 1)
/* Key derivations per flow: first Initial, Retry, compatible version switch, one spare. */
#define QUIC_MAX_KEYS		4
/* Packets walked per datagram; each takes at least 7 bytes anyway. */
#define QUIC_MAX_COALESCED	16

/* Frame types allowed in Initial packets (RFC 9000 §12.4, Table 3). */
enum quic_frame {
	QUIC_FRAME_PADDING = 0x00,
	QUIC_FRAME_PING = 0x01,
	QUIC_FRAME_ACK = 0x02,
	QUIC_FRAME_ACK_ECN = 0x03,
	QUIC_FRAME_CRYPTO = 0x06,
	QUIC_FRAME_CONNECTION_CLOSE = 0x1c,
};

struct quic_version_info {
	uint32_t version;
	uint8_t salt[20];
	const char *key_label;
	const char *iv_label;
	const char *hp_label;
	uint8_t initial_type;	/* long-header type bits of Initial */
	uint8_t retry_type;	/* and of Retry, which has no Length field */
	uint8_t crypto_type;	/* CRYPTO frame type */
	bool chlo;		/* the stream holds a gQUIC CHLO, not TLS */
};

/* Initial salts of the drafts (each draft's section 5.2 of quic-tls). */
#define QUIC_SALT_DRAFT22 \
	{ 0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, \
	  0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a }
#define QUIC_SALT_DRAFT23 \
	{ 0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, \
	  0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02 }
#define QUIC_SALT_DRAFT29 \
	{ 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, \
	  0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 }

/* A pre-RFC version with the v1 labels, packet types and CRYPTO frame. */
#define QUIC_DRAFT(v, salt) \
	{ (v), salt, "quic key", "quic iv", "quic hp", 0, 3, 0x06, false }

static const struct quic_version_info quic_versions[] = {
	{ QUIC_VERSION_1,
	    { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	      0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
	    "quic key", "quic iv", "quic hp", 0, 3, 0x06, false },
	{ QUIC_VERSION_2,
	    { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	      0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
	    "quicv2 key", "quicv2 iv", "quicv2 hp", 1, 0, 0x06, false },
	QUIC_DRAFT(QUIC_VERSION_DRAFT29, QUIC_SALT_DRAFT29),
	/*
	 * Older versions still seen in captures, as tshark and nDPI read
	 * them: drafts 22 to 32 (draft-22's salt, draft-23's for 23 to 28,
	 * draft-29's for 29 to 32; the long header has had one-byte CID
	 * lengths since draft-22), Facebook mvfst (0xfaceb001 follows
	 * draft-22, 0xfaceb002 and 0xfaceb00e draft-27), Google T050 and
	 * T051 (TLS over gQUIC, their own salts, CRYPTO frames typed 0x08).
	 * Q043 and Q046 are read in clear (gquic_clear_header()).
	 */
	QUIC_DRAFT(QUIC_VERSION_DRAFT(22), QUIC_SALT_DRAFT22),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(23), QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(24), QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(25), QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(26), QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT27, QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT28, QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(30), QUIC_SALT_DRAFT29),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(31), QUIC_SALT_DRAFT29),
	QUIC_DRAFT(QUIC_VERSION_DRAFT(32), QUIC_SALT_DRAFT29),
	QUIC_DRAFT(QUIC_VERSION_MVFST22, QUIC_SALT_DRAFT22),
	QUIC_DRAFT(QUIC_VERSION_MVFST27, QUIC_SALT_DRAFT23),
	QUIC_DRAFT(QUIC_VERSION_MVFST_EXP, QUIC_SALT_DRAFT23),
	{ QUIC_VERSION_T050,
	    { 0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
	      0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10 },
	    "quic key", "quic iv", "quic hp", 0, 3, 0x08, false },
	{ QUIC_VERSION_T051,
	    { 0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
	      0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d },
	    "quic key", "quic iv", "quic hp", 0, 3, 0x08, false },
	/* Google Q050: protected as T050 (own salt), the stream holds a CHLO. */
	{ QUIC_VERSION_Q050,
	    { 0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
	      0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45 },
	    "quic key", "quic iv", "quic hp", 0, 3, 0x08, true },
};

/* Keys together with what they were derived from. */
struct quic_keyset {
	uint32_t version;
	uint8_t dcid[QUIC_CID_MAX];
	uint8_t dcid_len;
	struct quic_initial_keys k;
};

struct quic_state {
	struct quic_ctx *qc;		/* the pipeline's, outlives the state */
	uint32_t version;		/* of the first Initial that decrypted */
	bool have_keys;			/* cur holds keys that opened a packet */
	bool ctx_current;		/* the cipher contexts hold cur's keys,
					 * if ctx_owner is still id */
	bool done;			/* a whole ClientHello is in buf */
	bool too_big;			/* ClientHello longer than QUIC_CRYPTO_MAX */
	bool chlo;			/* the stream is a gQUIC CHLO */
	bool chlo_based;		/* clear gQUIC: chlo_base is set */
	uint64_t chlo_base;		/* stream offset of the CHLO read */
	uint8_t n_derived;		/* key derivations so far */
	int64_t largest_pn;		/* -1 before the first packet */
	uint64_t id;			/* unique per state, never 0 */
	struct quic_keyset cur;
	size_t contig;			/* bytes present from offset 0 */
	size_t hs_total;		/* ClientHello length + 4, 0 until known */
	/*
	 * The CRYPTO stream from offset 0 and a bitmap of the bytes present,
	 * allocated when the first CRYPTO frame decrypts and grown to the
	 * highest offset seen (up to QUIC_CRYPTO_MAX): most QUIC-looking
	 * flows never get one, and a ClientHello needs 2-3 KiB, not 8.
	 * buf is read only where have says it was written.
	 */
	uint8_t *buf;
	uint8_t *have;
	size_t cap;
	size_t hi;			/* no byte at or past this is present */
};

/* CRYPTO buffers grow in steps of this many bytes. */
#define QUIC_CRYPTO_STEP	2048

#define QUIC_N_VERSIONS	(sizeof(quic_versions) / sizeof(quic_versions[0]))

struct quic_ctx {
	struct crypto_gcm *aead;	/* key per flow, IV per packet */
	struct crypto_ecb *hp;		/* header protection */
	uint64_t ctx_owner;	/* id of the state whose keys aead/hp hold */
	uint64_t next_id;	/* last state id handed out */
	/* HKDF-Extract's key for each version's salt. */
	struct hmac_key salt[QUIC_N_VERSIONS];
};

struct quic_ctx *
quic_ctx_new(void)
{
	struct quic_ctx *qc;

	if ((qc = calloc(1, sizeof(*qc))) == NULL)
		return NULL;
	if ((qc->aead = crypto_gcm_new()) == NULL ||
	    (qc->hp = crypto_ecb_new()) == NULL)
		return quic_ctx_free(qc);
	for (size_t i = 0; i < QUIC_N_VERSIONS; i++)
		crypto_hmac_key_set(&qc->salt[i], quic_versions[i].salt,
		    sizeof(quic_versions[i].salt));
	return qc;
}

struct quic_ctx *
quic_ctx_free(struct quic_ctx *qc)
{
	if (qc == NULL)
		return NULL;
	crypto_gcm_free(qc->aead);
	crypto_ecb_free(qc->hp);
	free(qc);
	return NULL;
}

/* A long-header packet cut out of a datagram. */
struct quic_packet {
	uint8_t first;			/* first byte, still protected */
	uint32_t version;
	const struct quic_version_info *vi;	/* NULL if unsupported */
	uint8_t type;			/* long-header type bits */
	const uint8_t *dcid;
	uint8_t dcid_len;
	const uint8_t *hdr;		/* bytes 1 .. pn offset - 1 */
	size_t hdr_len;
	struct cur body;		/* packet number + protected payload */
};

static const struct quic_version_info *
version_find(uint32_t version)
{
	for (size_t i = 0; i < sizeof(quic_versions) / sizeof(quic_versions[0]); i++)
		if (quic_versions[i].version == version)
			return &quic_versions[i];
	return NULL;
}

bool
quic_version_supported(uint32_t version)
{
	return version_find(version) != NULL;
}

/* RFC 9000 §16: 1, 2, 4 or 8 bytes, length in the top two bits. */
static bool
cur_varint(struct cur *c, uint64_t *ret)
{
	struct cur save = *c;
	uint8_t b;
	uint64_t v;
	size_t n;

	if (!cur_peek_u8(c, 0, &b))
		return false;
	n = (size_t)1 << (b >> 6);
	if (cur_left(c) < n)
		return false;
	v = 0;
	for (size_t i = 0; i < n; i++) {	/* n <= 8 */
		if (!cur_u8(c, &b)) {
			*c = save;
			return false;
		}
		if (i == 0)
			b &= 0x3f;	/* drop the length bits */
		v = v << 8 | b;
	}
	*ret = v;
	return true;
}

int
quic_initial_keys(const struct quic_ctx *qc, uint32_t version,
    const uint8_t *dcid, size_t dcid_len, struct quic_initial_keys *ret)
{
	const struct quic_version_info *vi;
	struct quic_initial_keys k;
	struct hmac_key secret;
	uint8_t initial[CRYPTO_SHA256_LEN], client[CRYPTO_SHA256_LEN], empty = 0;
	int r;

	if ((vi = version_find(version)) == NULL)
		return -ENOTSUP;
	if (dcid_len > QUIC_CID_MAX || (dcid == NULL && dcid_len > 0))
		return -EINVAL;
	/* HKDF-Extract(salt, DCID) is HMAC with the salt as key. */
	crypto_hmac_sha256(&qc->salt[vi - quic_versions],
	    dcid_len ? dcid : &empty, dcid_len, initial);
	crypto_hmac_key_set(&secret, initial, sizeof(initial));
	if ((r = crypto_hkdf_expand_label(&secret, "client in", client,
	    sizeof(client))) != 0)
		return r;
	crypto_hmac_key_set(&secret, client, sizeof(client));
	if ((r = crypto_hkdf_expand_label(&secret, vi->key_label, k.key,
	    sizeof(k.key))) != 0 ||
	    (r = crypto_hkdf_expand_label(&secret, vi->iv_label, k.iv,
	    sizeof(k.iv))) != 0 ||
	    (r = crypto_hkdf_expand_label(&secret, vi->hp_label, k.hp,
	    sizeof(k.hp))) != 0)
		return r;
	*ret = k;
	return 0;
}

struct quic_state *
quic_state_new(struct quic_ctx *qc)
{
	struct quic_state *st;

	if ((st = malloc(sizeof(*st))) == NULL)
		return NULL;
	memset(st, 0, sizeof(*st));
	st->qc = qc;
	st->largest_pn = -1;
	st->id = ++qc->next_id;
	return st;
}

struct quic_state *
quic_state_free(struct quic_state *st)
{
	if (st == NULL)
		return NULL;
	free(st->buf);
	free(st->have);
	free(st);
	return NULL;
}

uint32_t
quic_version(const struct quic_state *st)
{
	return st->version;
}

const uint8_t *
quic_client_hello(const struct quic_state *st, size_t *ret_len)
{
	if (!st->done)
		return NULL;
	*ret_len = st->hs_total;
	return st->buf;
}

/* Load keys into both cipher contexts; the per-packet work is then the IV. */
static int
ctx_install(struct quic_ctx *qc, const struct quic_initial_keys *k)
{
	if (crypto_gcm_key(qc->aead, k->key, false) != 0 ||
	    crypto_ecb_key(qc->hp, k->hp) != 0)
		return -EIO;
	return 0;
}

/* RFC 9000 Appendix A.3: the full packet number nearest the expected one. */
static uint64_t
pn_decode(int64_t largest, uint64_t truncated, size_t pn_len)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = UINT64_C(1) << (pn_len * 8);
	uint64_t hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;

	if (cand + hwin <= expected && cand < (UINT64_C(1) << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

/*
 * Cut one long-header packet off the front of c.  Returns PARSE_OK with
 * ret filled (body is empty for a Retry or an unsupported version, whose
 * length is unknown: the walk stops there), PARSE_UNSUPPORTED for a short
 * header, PARSE_TRUNCATED or PARSE_MALFORMED.
 */
static enum parse_status
packet_cut(struct cur *c, struct quic_packet *ret)
{
	struct cur start;
	struct quic_packet p;
	uint64_t token_len, length;
	uint8_t scid_len;

	memset(&p, 0, sizeof(p));
	if (!cur_u8(c, &p.first))
		return PARSE_TRUNCATED;
	if (!(p.first & 0x80))
		return PARSE_UNSUPPORTED;
	start = *c;
	if (!cur_be32(c, &p.version))
		return PARSE_TRUNCATED;
	p.vi = version_find(p.version);
	p.type = (uint8_t)((p.first >> 4) & 0x03);
	if (!cur_u8(c, &p.dcid_len))
		return PARSE_TRUNCATED;
	if (p.vi == NULL || p.type == p.vi->retry_type) {
		*ret = p;
		return PARSE_OK;
	}
	if (p.dcid_len > QUIC_CID_MAX)
		return PARSE_MALFORMED;
	if (!cur_ptr(c, p.dcid_len, &p.dcid) || !cur_u8(c, &scid_len))
		return PARSE_TRUNCATED;
	if (scid_len > QUIC_CID_MAX)
		return PARSE_MALFORMED;
	if (!cur_skip(c, scid_len))
		return PARSE_TRUNCATED;
	if (p.type == p.vi->initial_type) {
		if (!cur_varint(c, &token_len))
			return PARSE_TRUNCATED;
		if (token_len > cur_left(c))
			return PARSE_TRUNCATED;
		cur_skip(c, (size_t)token_len);
	}
	if (!cur_varint(c, &length))
		return PARSE_TRUNCATED;
	p.hdr_len = cur_left(&start) - cur_left(c);
	if (!cur_ptr(&start, p.hdr_len, &p.hdr))
		return PARSE_TRUNCATED;
	if (length > cur_left(c))
		return PARSE_TRUNCATED;
	cur_sub(c, (size_t)length, &p.body);
	*ret = p;
	return PARSE_OK;
}

/*
 * Remove header protection and open the AEAD with the contexts as they
 * are keyed.  On PARSE_OK the plaintext is in pt (*ret_len bytes) and
 * *ret_pn holds the packet number.
 */
static enum parse_status
packet_open(struct quic_state *st, const struct quic_initial_keys *k,
    const struct quic_packet *p, uint8_t *pt, size_t *ret_len,
    uint64_t *ret_pn)
{
	struct cur body = p->body, s;
	uint8_t sample[QUIC_SAMPLE_LEN], mask[QUIC_SAMPLE_LEN];
	uint8_t pnb[4], tag[QUIC_TAG_LEN], nonce[12], first;
	const uint8_t *ct;
	size_t pn_len, ct_len;
	uint64_t tpn = 0, pn;
	struct crypto_span aad[3];

	/* The sample starts 4 bytes after the packet number field's start. */
	s = body;
	if (!cur_skip(&s, 4) || !cur_bytes(&s, sample, sizeof(sample)))
		return PARSE_MALFORMED;
	/* RFC 9001 §5.4.1: five bytes of mask from the 16-byte sample. */
	if (crypto_ecb_block(st->qc->hp, sample, mask) != 0)
		return PARSE_MALFORMED;
	first = (uint8_t)(p->first ^ (mask[0] & 0x0f));
	pn_len = (size_t)(first & 0x03) + 1;
	if (!cur_bytes(&body, pnb, pn_len))
		return PARSE_MALFORMED;
	for (size_t i = 0; i < pn_len; i++) {	/* pn_len <= 4 */
		pnb[i] ^= mask[1 + i];
		tpn = tpn << 8 | pnb[i];
	}
	pn = pn_decode(st->largest_pn, tpn, pn_len);
	if (cur_left(&body) < QUIC_TAG_LEN)
		return PARSE_MALFORMED;
	ct_len = cur_left(&body) - QUIC_TAG_LEN;
	if (ct_len > QUIC_PAYLOAD_MAX)
		return PARSE_UNSUPPORTED;
	if (!cur_ptr(&body, ct_len, &ct) ||
	    !cur_bytes(&body, tag, sizeof(tag)))
		return PARSE_MALFORMED;

	memcpy(nonce, k->iv, sizeof(nonce));
	for (size_t i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(pn >> (8 * (7 - i)));
	/* Associated data: the header as sent, protection removed. */
	aad[0] = (struct crypto_span){ &first, 1 };
	aad[1] = (struct crypto_span){ p->hdr, p->hdr_len };
	aad[2] = (struct crypto_span){ pnb, pn_len };
	if (crypto_gcm_open(st->qc->aead, nonce, aad, 3, ct, ct_len, tag,
	    pt) != 0)
		return PARSE_MALFORMED;
	/* Reserved bits are authenticated now: RFC 9000 §17.2 wants them 0. */
	if (first & 0x0c)
		return PARSE_MALFORMED;
	*ret_len = ct_len;
	*ret_pn = pn;
	return PARSE_OK;
}

static void
crypto_reset(struct quic_state *st)
{
	if (st->have != NULL)
		memset(st->have, 0, st->cap / 8);
	st->contig = 0;
	st->hi = 0;
	st->hs_total = 0;
}

/* Room for offsets below end (capped at QUIC_CRYPTO_MAX); false if out
 * of memory. */
static bool
crypto_reserve(struct quic_state *st, uint64_t end)
{
	size_t cap;
	uint8_t *buf, *have;

	if (end > QUIC_CRYPTO_MAX)
		end = QUIC_CRYPTO_MAX;
	if (end <= st->cap)
		return true;
	cap = ((size_t)end + QUIC_CRYPTO_STEP - 1) / QUIC_CRYPTO_STEP *
	    QUIC_CRYPTO_STEP;
	if ((buf = realloc(st->buf, cap)) == NULL)
		return false;
	st->buf = buf;
	if ((have = realloc(st->have, cap / 8)) == NULL)
		return false;
	memset(have + st->cap / 8, 0, (cap - st->cap) / 8);
	st->have = have;
	st->cap = cap;
	return true;
}

/* Place CRYPTO data at its offset; the first copy of a byte wins. */
static bool
crypto_place(struct quic_state *st, uint64_t off, const uint8_t *data,
    size_t len)
{
	struct cur d = cur_make(data, len);
	uint8_t b;

	if (len == 0 || off >= QUIC_CRYPTO_MAX)
		return true;
	if (!crypto_reserve(st, off + len))
		return false;
	if (off >= st->hi) {
		/* Past everything seen (the usual case): copy and mark the
		 * whole range at once. */
		size_t end = off + len < st->cap ? (size_t)off + len : st->cap;

		memcpy(st->buf + off, data, end - (size_t)off);
		for (size_t o = (size_t)off; o < end; ) {
			if (o % 8 == 0 && end - o >= 8) {
				st->have[o / 8] = 0xff;
				o += 8;
			} else {
				st->have[o / 8] |= (uint8_t)(1u << (o % 8));
				o++;
			}
		}
		st->hi = end;
		if (st->contig == off)
			st->contig = end;
		return true;
	}
	/* At most cap iterations: bytes past the cap are dropped. */
	for (uint64_t o = off; o < st->cap && cur_u8(&d, &b); o++) {
		if (st->have[o / 8] & (1u << (o % 8)))
			continue;
		st->buf[o] = b;
		st->have[o / 8] |= (uint8_t)(1u << (o % 8));
		if (o + 1 > st->hi)
			st->hi = (size_t)o + 1;
	}
	/* Amortized: contig only grows, up to cap in all. */
	while (st->contig < st->cap &&
	    (st->have[st->contig / 8] & (1u << (st->contig % 8))))
		st->contig++;
	return true;
}

/* RFC 9000 §19.3: ACK and ACK_ECN, skipped. */
static bool
frame_ack_skip(struct cur *c, uint64_t type)
{
	uint64_t largest, delay, count, first, gap, range, ecn;

	if (!cur_varint(c, &largest) || !cur_varint(c, &delay) ||
	    !cur_varint(c, &count) || !cur_varint(c, &first))
		return false;
	/* Each range takes at least 2 bytes: at most QUIC_PAYLOAD_MAX / 2 turns. */
	for (uint64_t i = 0; i < count; i++)
		if (!cur_varint(c, &gap) || !cur_varint(c, &range))
			return false;
	if (type == QUIC_FRAME_ACK_ECN)
		for (int i = 0; i < 3; i++)
			if (!cur_varint(c, &ecn))
				return false;
	return true;
}

/* Walk the frames of a decrypted Initial (RFC 9000 §12.4, §19). */
static enum parse_status
frames_walk(struct quic_state *st, const struct quic_version_info *vi,
    const uint8_t *pt, size_t len)
{
	struct cur c = cur_make(pt, len);
	uint64_t type, off, flen, v;
	const uint8_t *data;

	if (len == 0)
		return PARSE_MALFORMED;	/* RFC 9000 §12.4: at least one frame */
	/* Each frame takes at least one byte: at most len turns. */
	while (cur_left(&c) > 0) {
		/* PADDING (one zero byte each) fills most of a client
		 * Initial: skip a run at once, eight bytes at a time. */
		if (c.p[0] == 0) {
			size_t n = 1;
			uint64_t w;

			while (n + 8 <= c.len &&
			    (memcpy(&w, c.p + n, 8), w == 0))
				n += 8;
			while (n < c.len && c.p[n] == 0)
				n++;
			(void)cur_skip(&c, n);
			continue;
		}
		if (!cur_varint(&c, &type))
			return PARSE_MALFORMED;
		if (type == vi->crypto_type)
			type = QUIC_FRAME_CRYPTO;
		else if (type == QUIC_FRAME_CRYPTO)
			return PARSE_MALFORMED;
		switch (type) {
		case QUIC_FRAME_PADDING:
		case QUIC_FRAME_PING:
			break;
		case QUIC_FRAME_ACK:
		case QUIC_FRAME_ACK_ECN:
			if (!frame_ack_skip(&c, type))
				return PARSE_MALFORMED;
			break;
		case QUIC_FRAME_CRYPTO:
			if (!cur_varint(&c, &off) || !cur_varint(&c, &flen) ||
			    flen > cur_left(&c) || off + flen > QUIC_VARINT_MAX ||
			    !cur_ptr(&c, (size_t)flen, &data))
				return PARSE_MALFORMED;
			if (!crypto_place(st, off, data, (size_t)flen))
				return PARSE_UNSUPPORTED;
			break;
		case QUIC_FRAME_CONNECTION_CLOSE:
			/* error code, frame type, reason phrase */
			if (!cur_varint(&c, &v) || !cur_varint(&c, &v) ||
			    !cur_varint(&c, &flen) || flen > cur_left(&c) ||
			    !cur_skip(&c, (size_t)flen))
				return PARSE_MALFORMED;
			break;
		default:
			return PARSE_MALFORMED;
		}
	}
	return PARSE_OK;
}

/*
 * gQUIC handshake message (QUIC Crypto, "CHLO"): tag, number of entries
 * and padding (little-endian 16 bits each), then per entry a tag and the
 * end offset of its value (little-endian 32), then the values.  The
 * message's length is known once the last entry's end offset is in.
 */
#define CHLO_TAG	0x4f4c4843u	/* "CHLO" read little-endian */
#define CHLO_SNI	0x00494e53u	/* "SNI\0" */

static enum parse_status
chlo_check(struct quic_state *st)
{
	struct cur c = cur_make(st->buf, st->contig);
	uint32_t tag, end = 0;
	uint16_t n;
	size_t total;

	if (!cur_le32(&c, &tag) || !cur_le16(&c, &n) || !cur_skip(&c, 2))
		return PARSE_NEED_MORE;
	if (tag != CHLO_TAG)
		return PARSE_MALFORMED;
	if (n > 0 && (!cur_skip(&c, (size_t)(n - 1) * 8 + 4) ||
	    !cur_le32(&c, &end)))
		return (size_t)8 + (size_t)n * 8 > QUIC_CRYPTO_MAX ?
		    (st->too_big = true, PARSE_UNSUPPORTED) : PARSE_NEED_MORE;
	total = (size_t)8 + (size_t)n * 8 + end;
	if (total > QUIC_CRYPTO_MAX) {
		st->too_big = true;
		return PARSE_UNSUPPORTED;
	}
	st->hs_total = total;
	if (st->contig < total)
		return PARSE_NEED_MORE;
	st->done = true;
	return PARSE_OK;
}

bool
quic_chlo_sni(const uint8_t *msg, size_t len, char *out, size_t size)
{
	struct cur c = cur_make(msg, len), vals;
	uint32_t tag, end, prev = 0;
	uint16_t n;

	if (size == 0 || !cur_le32(&c, &tag) || tag != CHLO_TAG ||
	    !cur_le16(&c, &n) || !cur_skip(&c, 2) ||
	    cur_left(&c) < (size_t)n * 8)
		return false;
	vals = cur_make(c.p + (size_t)n * 8, cur_left(&c) - (size_t)n * 8);
	/* n <= 65535 entries, each 8 bytes read once. */
	for (uint16_t i = 0; i < n; i++) {
		if (!cur_le32(&c, &tag) || !cur_le32(&c, &end) || end < prev ||
		    end > cur_left(&vals))
			return false;
		if (tag == CHLO_SNI) {
			size_t vlen = end - prev;

			/* Kept as a TLS SNI is: not empty, no NUL, fits. */
			if (vlen == 0 || vlen >= size ||
			    memchr(vals.p + prev, 0, vlen) != NULL)
				return false;
			memcpy(out, vals.p + prev, vlen);
			out[vlen] = '\0';
			return true;
		}
		prev = end;
	}
	return false;
}

bool
quic_hello_is_chlo(const struct quic_state *st)
{
	return st->chlo;
}

/* Whether the stream now holds a whole ClientHello. */
static enum parse_status
crypto_check(struct quic_state *st)
{
	struct cur c;
	uint8_t type;
	uint32_t hs_len;

	if (st->chlo)
		return chlo_check(st);
	if (st->contig < 4)
		return PARSE_NEED_MORE;
	c = cur_make(st->buf, st->contig);
	if (!cur_u8(&c, &type) || !cur_be24(&c, &hs_len))
		return PARSE_NEED_MORE;
	if (type != 1)		/* the client's first message is a ClientHello */
		return PARSE_MALFORMED;
	if ((size_t)hs_len + 4 > QUIC_CRYPTO_MAX) {
		st->too_big = true;
		return PARSE_UNSUPPORTED;
	}
	st->hs_total = (size_t)hs_len + 4;
	if (st->contig < st->hs_total)
		return PARSE_NEED_MORE;
	st->done = true;
	return PARSE_OK;
}

static int
keyset_derive(struct quic_state *st, uint32_t version, const uint8_t *dcid,
    size_t dcid_len, struct quic_keyset *ret)
{
	struct quic_keyset ks;
	int r;

	if (st->n_derived >= QUIC_MAX_KEYS)
		return -ENOSPC;
	st->n_derived++;
	memset(&ks, 0, sizeof(ks));
	if ((r = quic_initial_keys(st->qc, version, dcid, dcid_len,
	    &ks.k)) != 0)
		return r;
	ks.version = version;
	memcpy(ks.dcid, dcid, dcid_len);
	ks.dcid_len = (uint8_t)dcid_len;
	*ret = ks;
	return 0;
}

static bool
keyset_is_for(const struct quic_keyset *ks, const struct quic_packet *p)
{
	return ks->dcid_len == p->dcid_len &&
	    memcmp(ks->dcid, p->dcid, p->dcid_len) == 0;
}

/* Open p with ks, loading ks into the cipher contexts unless they hold it. */
static enum parse_status
open_with(struct quic_state *st, const struct quic_keyset *ks,
    const struct quic_packet *p, uint8_t *pt, size_t *ret_len,
    uint64_t *ret_pn)
{
	struct quic_ctx *qc = st->qc;
	bool is_cur = ks == &st->cur;

	if (!is_cur || !st->ctx_current || qc->ctx_owner != st->id) {
		st->ctx_current = false;
		qc->ctx_owner = 0;
		if (ctx_install(qc, &ks->k) != 0)
			return PARSE_MALFORMED;
		qc->ctx_owner = st->id;
		st->ctx_current = is_cur;
	}
	return packet_open(st, &ks->k, p, pt, ret_len, ret_pn);
}

/* Keys that opened a packet become the flow's (the contexts hold them). */
static void
keys_adopt(struct quic_state *st, const struct quic_keyset *ks,
    const struct quic_packet *p)
{
	if (!st->have_keys) {
		st->version = p->version;
		st->chlo = p->vi->chlo;
	}
	st->cur = *ks;
	st->have_keys = true;
	st->ctx_current = true;
}

/*
 * Decrypt one Initial into pt.  Keys tried: the flow's own; for a packet
 * of another supported version (compatible version negotiation, RFC
 * 9368) the same original DCID under that version's salt; and when those
 * fail on a packet whose DCID differs, keys from that DCID (the first
 * Initial had not decrypted, or a Retry changed the DCID, RFC 9001 §5.2).
 */
static enum parse_status
initial_open(struct quic_state *st, const struct quic_packet *p,
    uint8_t *pt, size_t *ret_len, uint64_t *ret_pn)
{
	struct quic_keyset trial;
	enum parse_status s;
	bool retry;

	if (st->have_keys && st->cur.version == p->version) {
		s = open_with(st, &st->cur, p, pt, ret_len, ret_pn);
		if (s != PARSE_MALFORMED || keyset_is_for(&st->cur, p))
			return s;
	} else if (st->have_keys) {
		if (keyset_derive(st, p->version, st->cur.dcid,
		    st->cur.dcid_len, &trial) != 0)
			return PARSE_MALFORMED;
		s = open_with(st, &trial, p, pt, ret_len, ret_pn);
		if (s == PARSE_OK)
			keys_adopt(st, &trial, p);
		if (s != PARSE_MALFORMED || keyset_is_for(&trial, p))
			return s;
	}
	if (keyset_derive(st, p->version, p->dcid, p->dcid_len, &trial) != 0)
		return PARSE_MALFORMED;
	if ((s = open_with(st, &trial, p, pt, ret_len, ret_pn)) != PARSE_OK)
		return s;
	/* A Retry restarts the handshake under new keys: so does the stream. */
	retry = st->have_keys;
	keys_adopt(st, &trial, p);
	if (retry)
		crypto_reset(st);
	return PARSE_OK;
}

/* Decrypt one Initial and take its frames. */
static enum parse_status
initial_take(struct quic_state *st, const struct quic_packet *p)
{
	uint8_t pt[QUIC_PAYLOAD_MAX];
	size_t pt_len = 0;
	uint64_t pn = 0;
	enum parse_status s;

	if ((s = initial_open(st, p, pt, &pt_len, &pn)) != PARSE_OK)
		return s;
	if ((int64_t)pn > st->largest_pn)
		st->largest_pn = (int64_t)pn;
	return frames_walk(st, p->vi, pt, pt_len);
}

/* A big-endian integer of n <= 8 bytes. */
static bool
cur_be_n(struct cur *c, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	uint8_t b;

	for (size_t i = 0; i < n; i++) {
		if (!cur_u8(c, &b))
			return false;
		v = v << 8 | b;
	}
	*ret = v;
	return true;
}

/*
 * Google QUIC before Q050 sends its CHLO in clear.  Q043 (and Q039, the
 * same layout): a public header
 * (flags with the version bit and an 8-byte connection ID; no reset,
 * multipath or reserved bit), the CID, the version, the packet
 * number (1, 2, 4 or 6 bytes).  Q046: a long header of type 0, version,
 * one byte of CID lengths in nibbles (3 more than coded, 0 for none),
 * the CIDs, the packet number.  Both then carry the 12-byte hash of the
 * null encryption (not checked: tshark and nDPI do not either).  On true
 * c is at the first frame.
 */
static bool
gquic_clear_header(struct cur *c, uint32_t *ret_version)
{
	static const uint8_t q043_pn_len[4] = { 1, 2, 4, 6 };
	uint8_t b, lens;
	uint32_t v;
	size_t pn_len, cids;

	if (!cur_u8(c, &b))
		return false;
	if (!(b & 0x80)) {
		/* 0x04 (a nonce on servers' packets) is set by some
		 * clients with nothing behind it, as tshark and nDPI read. */
		if ((b & 0xcb) != 0x09)
			return false;
		pn_len = q043_pn_len[(b >> 4) & 0x03];
		if (!cur_skip(c, 8) || !cur_be32(c, &v) ||
		    (v != QUIC_VERSION_Q043 && v != QUIC_VERSION_Q039))
			return false;
	} else {
		if ((b & 0xf0) != 0xc0 || !cur_be32(c, &v) ||
		    v != QUIC_VERSION_Q046 || !cur_u8(c, &lens))
			return false;
		cids = (size_t)((lens >> 4) ? (lens >> 4) + 3 : 0) +
		    (size_t)((lens & 0x0f) ? (lens & 0x0f) + 3 : 0);
		pn_len = (size_t)(b & 0x03) + 1;
		if (!cur_skip(c, cids))
			return false;
	}
	if (!cur_skip(c, pn_len) || !cur_skip(c, 12) || cur_left(c) == 0)
		return false;
	*ret_version = v;
	return true;
}

/*
 * Frames of a clear gQUIC packet: PADDING (the rest of the packet), PING,
 * and STREAM frames (1FDOOOSS: FIN, data length present, offset length,
 * stream ID length), whose stream 1 is the handshake stream.  Another
 * frame ends the walk: the CHLO comes first in a client's first packets.
 */
static enum parse_status
gquic_clear_frames(struct quic_state *st, struct cur *c)
{
	uint8_t type;
	uint64_t sid, off, flen;
	size_t off_len;
	uint16_t l16;
	const uint8_t *data;

	/* Each frame takes at least one byte: at most len turns. */
	while (cur_u8(c, &type)) {
		if (type == 0x00)
			break;
		if (type == 0x07)
			continue;
		if (!(type & 0x80))
			break;
		off_len = (type >> 2) & 0x07;
		if (off_len > 0)
			off_len++;
		if (!cur_be_n(c, (size_t)(type & 0x03) + 1, &sid) ||
		    !cur_be_n(c, off_len, &off))
			return PARSE_MALFORMED;
		if (type & 0x20) {
			if (!cur_be16(c, &l16))
				return PARSE_MALFORMED;
			flen = l16;
		} else
			flen = cur_left(c);
		if (flen > cur_left(c) || !cur_ptr(c, (size_t)flen, &data))
			return PARSE_MALFORMED;
		if (sid != 1)
			continue;
		/*
		 * A client sends its CHLO again, further along the stream,
		 * after a REJ; a capture may begin there.  The message is
		 * read from the first frame that starts one.
		 */
		if (!st->chlo_based) {
			if (flen < 4 || memcmp(data, "CHLO", 4) != 0)
				continue;
			st->chlo_base = off;
			st->chlo_based = true;
		}
		if (off < st->chlo_base)
			continue;
		if (!crypto_place(st, off - st->chlo_base, data, (size_t)flen))
			return PARSE_UNSUPPORTED;
	}
	return PARSE_OK;
}

struct parse_result
quic_client_datagram(struct quic_state *st, const uint8_t *dgram, size_t len)
{
	struct cur c = cur_make(dgram, len);
	struct quic_packet p, first;
	enum parse_status s;
	uint32_t consumed = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;

	if (st->done)
		return parse_ok(consumed);
	if (st->too_big)
		return parse_fail(PARSE_UNSUPPORTED);
	{
		struct cur g = cur_make(dgram, len);
		uint32_t gv;

		if (gquic_clear_header(&g, &gv) &&
		    (st->version == 0 || st->version == gv)) {
			st->version = gv;
			st->chlo = true;
			if ((s = gquic_clear_frames(st, &g)) != PARSE_OK)
				return parse_fail(s);
			if ((s = crypto_check(st)) == PARSE_OK)
				return parse_ok(consumed);
			return s == PARSE_NEED_MORE ? parse_need(0) :
			    parse_fail(s);
		}
	}
	memset(&first, 0, sizeof(first));
	/* At most QUIC_MAX_COALESCED packets, each at least 7 bytes. */
	for (int i = 0; i < QUIC_MAX_COALESCED && cur_left(&c) > 0; i++) {
		s = packet_cut(&c, &p);
		if (i == 0) {
			if (s == PARSE_UNSUPPORTED)	/* short header */
				return st->version != 0 ?
				    parse_need(0) : parse_fail(s);
			if (s != PARSE_OK)
				return parse_fail(s);
			if (p.vi == NULL)
				return parse_fail(PARSE_UNSUPPORTED);
			first = p;
		} else if (s != PARSE_OK || p.vi == NULL ||
		    p.type == p.vi->retry_type ||
		    p.version != first.version ||
		    p.dcid_len != first.dcid_len ||
		    memcmp(p.dcid, first.dcid, p.dcid_len) != 0) {
			/*
			 * Padding, or a packet of another connection: RFC 9000
			 * §12.2 lets the receiver ignore the rest.  A Retry
			 * ends the walk as below (packet_cut leaves its DCID
			 * unread, so it is not compared).
			 */
			break;
		}
		if (p.type == p.vi->retry_type)
			break;		/* no Length: cannot walk past it */
		if (p.type != p.vi->initial_type)
			continue;	/* 0-RTT or Handshake: not ours to open */
		if ((s = initial_take(st, &p)) != PARSE_OK)
			return parse_fail(s);
		if ((s = crypto_check(st)) == PARSE_OK)
			return parse_ok(consumed);
		if (s != PARSE_NEED_MORE)
			return parse_fail(s);
	}
	return parse_need(0);
}

bool
quic_looks_like_initial(const uint8_t *dgram, size_t len)
{
	struct cur c = cur_make(dgram, len), g = c;
	struct quic_packet p;
	uint32_t gv;
	uint8_t b;

	if (gquic_clear_header(&g, &gv))
		return true;
	if (!cur_peek_u8(&c, 0, &b) || (b & 0xc0) != 0xc0)
		return false;
	if (packet_cut(&c, &p) != PARSE_OK || p.vi == NULL ||
	    p.type != p.vi->initial_type)
		return false;
	/* Room for the packet number and the header protection sample. */
	return cur_left(&p.body) >= 4 + QUIC_SAMPLE_LEN;
}
