/*
 * tls_fp.c - JA3 and JA4 client fingerprints from a parsed ClientHello.
 *
 * JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,
 * EllipticCurvePointFormats", decimal values joined by '-', GREASE
 * removed, MD5 hex.  JA4 (FoxIO, technical_details/JA4.md):
 * a_b_c where a = t|q, version, d|i, cipher and extension counts, ALPN
 * edges; b = SHA-256/12 of the sorted cipher list; c = SHA-256/12 of the
 * sorted extension list (SNI and ALPN removed) then '_' and the
 * signature algorithms in wire order.  Everything is built in bounded
 * stack buffers; nothing is allocated but the caller's memo.
 *
 * Digests are remembered by the lists they come from (struct
 * tls_fp_memo, one per pipeline): a device's TLS stack sends the same
 * lists on every connection, so most ClientHellos skip the string
 * building and the hashing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hash.h"
#include "tls.h"
#include "tls_fp.h"

#define JA4_HASH_LEN 12
#define JA4_RAW_MAX 4096	/* 2 * TLS_MAX_LIST * 5 + sigalgs: fits */

/*
 * A bounded string builder: once full, it stays full and says so.  Numbers
 * are formatted by hand: vsnprintf per list entry was the largest cost of
 * a fingerprint (several hundred calls per ClientHello).
 */
struct sbuf {
	char *p;
	size_t size;
	size_t len;
	bool full;
};

/*
 * Append n bytes.  When they do not fit, as many as fit are written (the
 * truncated prefix snprintf would leave) and the builder is full.
 */
static void
sb_mem(struct sbuf *sb, const char *s, size_t n)
{
	size_t room;

	if (sb->full)
		return;
	room = sb->size - sb->len - 1;	/* sb->len < sb->size always */
	if (n > room) {
		memcpy(&sb->p[sb->len], s, room);
		sb->p[sb->size - 1] = '\0';
		sb->full = true;
		return;
	}
	memcpy(&sb->p[sb->len], s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

/* An optional separator (0 for none), then v in decimal. */
static void
sb_dec(struct sbuf *sb, char sep, unsigned v)
{
	char tmp[12];
	size_t i = sizeof(tmp);

	/* At most 10 digits for 32 bits. */
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (sep)
		tmp[--i] = sep;
	sb_mem(sb, &tmp[i], sizeof(tmp) - i);
}

/* An optional separator (0 for none), then v as four lowercase hex digits. */
static void
sb_hex4(struct sbuf *sb, char sep, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[5];
	size_t n = 0;

	if (sep)
		tmp[n++] = sep;
	tmp[n++] = hex[v >> 12];
	tmp[n++] = hex[(v >> 8) & 0x0f];
	tmp[n++] = hex[(v >> 4) & 0x0f];
	tmp[n++] = hex[v & 0x0f];
	sb_mem(sb, tmp, n);
}

/* v (<= 99) as exactly two decimal digits. */
static void
sb_dec2(struct sbuf *sb, unsigned v)
{
	char tmp[2] = { (char)('0' + v / 10 % 10), (char)('0' + v % 10) };

	sb_mem(sb, tmp, sizeof(tmp));
}

static void
sb_char(struct sbuf *sb, char ch)
{
	if (sb->full)
		return;
	if (sb->len + 1 >= sb->size) {
		sb->full = true;
		return;
	}
	sb->p[sb->len++] = ch;
	sb->p[sb->len] = '\0';
}

static int
sb_init(struct sbuf *sb, char *buf, size_t size)
{
	if (size == 0)
		return -ENOSPC;
	sb->p = buf;
	sb->size = size;
	sb->len = 0;
	sb->full = false;
	buf[0] = '\0';
	return 0;
}

/* Non-GREASE values of a 16-bit list, decimal, '-' joined. */
static void
ja3_list16(struct sbuf *sb, const uint16_t *v, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		sb_dec(sb, first ? 0 : '-', v[i]);
		first = false;
	}
}

int
tls_ja3_string(const struct tls_client_hello *ch, char *buf, size_t size)
{
	struct sbuf sb;

	if (sb_init(&sb, buf, size) < 0)
		return -ENOSPC;
	sb_dec(&sb, 0, ch->legacy_version);
	sb_char(&sb, ',');
	ja3_list16(&sb, ch->ciphers, ch->n_ciphers);
	sb_char(&sb, ',');
	ja3_list16(&sb, ch->extensions, ch->n_extensions);
	sb_char(&sb, ',');
	ja3_list16(&sb, ch->groups, ch->n_groups);
	sb_char(&sb, ',');
	for (size_t i = 0; i < ch->n_point_formats; i++)
		sb_dec(&sb, i ? '-' : 0, ch->point_formats[i]);
	return sb.full ? -ENOSPC : (int)sb.len;
}

static void
hex_of(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* Digest s with sha256 (else MD5) and write the first nhex hex digits. */
static int
digest_hex(bool sha256, const char *s, size_t len, size_t nhex, char *out)
{
	uint8_t d[CRYPTO_MD_MAX];
	char hex[2 * CRYPTO_MD_MAX + 1];
	size_t dlen = sha256 ? CRYPTO_SHA256_LEN : CRYPTO_MD5_LEN;

	if (sha256)
		crypto_sha256(s, len, d);
	else
		crypto_md5(s, len, d);
	if (nhex > 2 * dlen)
		return -EINVAL;
	hex_of(d, dlen, hex);
	memcpy(out, hex, nhex);
	out[nhex] = '\0';
	return 0;
}

/*
 * Digests remembered by their input: a small direct-mapped table keyed by
 * the value lists themselves (GREASE removed, as the fingerprints remove
 * it) and compared in full, so a hit is exact.  Chrome shuffles its
 * extension order per connection: JA3, which keeps the order, then
 * misses; JA4, which sorts, still hits.  Inputs longer than a key are
 * just computed.  The caller owns the table, one per thread.
 */
#define FP_MEMO_SLOTS	128
#define FP_MEMO_KEY_MAX	120	/* 16-bit values, the kind first */

enum fp_kind {
	FP_KIND_JA3 = 1,
	FP_KIND_JA4_B,
	FP_KIND_JA4_C,
	FP_KIND_HELLO,		/* everything both depend on, in wire order */
};

struct fp_key {
	uint16_t v[FP_MEMO_KEY_MAX];
	size_t n;
	bool too_long;
};

struct fp_memo_slot {
	uint64_t hash;
	uint16_t n;		/* 0: empty */
	uint16_t v[FP_MEMO_KEY_MAX];
	char out[33];		/* JA3, or a JA4 part */
	char ja4[40];		/* FP_KIND_HELLO: JA4 */
};

struct tls_fp_memo {
	struct fp_memo_slot slot[FP_MEMO_SLOTS];
};

struct tls_fp_memo *
tls_fp_memo_new(void)
{
	return calloc(1, sizeof(struct tls_fp_memo));
}

struct tls_fp_memo *
tls_fp_memo_free(struct tls_fp_memo *m)
{
	free(m);
	return NULL;
}

static void
key_init(struct fp_key *k, enum fp_kind kind)
{
	k->v[0] = (uint16_t)kind;
	k->n = 1;
	k->too_long = false;
}

static void
key_add(struct fp_key *k, uint16_t v)
{
	if (k->n == FP_MEMO_KEY_MAX) {
		k->too_long = true;
		return;
	}
	k->v[k->n++] = v;
}

/* A count, then the values that are not GREASE. */
static void
key_add_list(struct fp_key *k, const uint16_t *v, size_t n)
{
	size_t at = k->n;

	key_add(k, 0);
	for (size_t i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			key_add(k, v[i]);
	if (!k->too_long)
		k->v[at] = (uint16_t)(k->n - at - 1);
}

/* The lists JA3 reads: ciphers, extensions, groups, point formats. */
static void
key_add_ja3_lists(struct fp_key *k, const struct tls_client_hello *ch)
{
	key_add_list(k, ch->ciphers, ch->n_ciphers);
	key_add_list(k, ch->extensions, ch->n_extensions);
	key_add_list(k, ch->groups, ch->n_groups);
	key_add(k, (uint16_t)ch->n_point_formats);
	for (size_t i = 0; i < ch->n_point_formats; i++)
		key_add(k, ch->point_formats[i]);
}

/* Keyed per run (the lists come from the peer); a hit compares them all. */
static uint64_t
key_hash(const struct fp_key *k)
{
	return hash_bytes(k->v, k->n * sizeof(k->v[0]));
}

/*
 * The slot of m for k, and whether it holds k's digest.  NULL when k is
 * not remembered (too long, or no memo).
 */
static struct fp_memo_slot *
memo_slot(struct tls_fp_memo *m, const struct fp_key *k, uint64_t *hash,
    bool *hit)
{
	struct fp_memo_slot *s;

	*hit = false;
	if (m == NULL || k->too_long)
		return NULL;
	*hash = key_hash(k);
	s = &m->slot[*hash % FP_MEMO_SLOTS];
	*hit = s->n == k->n && s->hash == *hash &&
	    memcmp(s->v, k->v, k->n * sizeof(k->v[0])) == 0;
	return s;
}

static void
memo_store(struct fp_memo_slot *s, const struct fp_key *k, uint64_t hash,
    const char *out, size_t len)
{
	s->hash = hash;
	s->n = (uint16_t)k->n;
	memcpy(s->v, k->v, k->n * sizeof(k->v[0]));
	memcpy(s->out, out, len);
	s->out[len] = '\0';
}

static int
ja3_memo(struct tls_fp_memo *m, const struct tls_client_hello *ch,
    char ret[static 33])
{
	char s[TLS_JA3_STR_MAX];
	char out[33];
	struct fp_key k;
	struct fp_memo_slot *slot;
	uint64_t hash = 0;
	bool hit;
	int n, r;

	key_init(&k, FP_KIND_JA3);
	key_add(&k, ch->legacy_version);
	key_add_ja3_lists(&k, ch);
	if ((slot = memo_slot(m, &k, &hash, &hit)) != NULL && hit) {
		memcpy(ret, slot->out, sizeof(out));
		return 0;
	}
	if ((n = tls_ja3_string(ch, s, sizeof(s))) < 0)
		return n;
	if ((r = digest_hex(false, s, (size_t)n, 32, out)) < 0)
		return r;
	if (slot != NULL)
		memo_store(slot, &k, hash, out, 32);
	memcpy(ret, out, sizeof(out));
	return 0;
}

int
tls_ja3(const struct tls_client_hello *ch, char ret[static 33])
{
	return ja3_memo(NULL, ch, ret);
}

static const char *
ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/* Sort a copy of at most TLS_MAX_LIST values (insertion sort: n is small). */
static size_t
sorted_copy(const uint16_t *v, size_t n, uint16_t *out, bool drop_sni_alpn)
{
	size_t k = 0;

	for (size_t i = 0; i < n && i < TLS_MAX_LIST; i++) {
		uint16_t x = v[i];
		size_t j;

		if (tls_is_grease(x))
			continue;
		if (drop_sni_alpn && (x == 0x0000 || x == 0x0010))
			continue;
		for (j = k; j > 0 && out[j - 1] > x; j--)
			out[j] = out[j - 1];
		out[j] = x;
		k++;
	}
	return k;
}

static size_t
count_non_grease(const uint16_t *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!tls_is_grease(v[i]))
			k++;
	return k;
}

/* JA4 part a: 10 characters. */
static void
ja4_a(const struct tls_client_hello *ch, bool quic, struct sbuf *sb)
{
	static const char hex[] = "0123456789abcdef";
	const char *ver = ja4_version(ch->max_version);
	size_t nc = count_non_grease(ch->ciphers, ch->n_ciphers);
	size_t ne = count_non_grease(ch->extensions, ch->n_extensions);
	uint8_t f = ch->alpn_first_edge[0], l = ch->alpn_first_edge[1];

	sb_char(sb, quic ? 'q' : 't');
	sb_char(sb, ver[0]);
	sb_char(sb, ver[1]);
	sb_char(sb, ch->has_sni_ext ? 'd' : 'i');
	sb_dec2(sb, (unsigned)(nc > 99 ? 99 : nc));
	sb_dec2(sb, (unsigned)(ne > 99 ? 99 : ne));
	if (ch->alpn_first_len == 0) {
		sb_char(sb, '0');
		sb_char(sb, '0');
	} else if (!is_alnum(f) || !is_alnum(l)) {
		/* The spec's fallback: first and last hex digit of the
		 * value's hex form. */
		sb_char(sb, hex[f >> 4]);
		sb_char(sb, hex[l & 0x0f]);
	} else {
		sb_char(sb, (char)f);
		sb_char(sb, (char)l);
	}
}

static void
hex_list(struct sbuf *sb, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_hex4(sb, i ? ',' : 0, v[i]);
}

/* Signature algorithms in wire order, GREASE removed. */
static size_t
sigalg_list(const struct tls_client_hello *ch, uint16_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < ch->n_sig_algs && i < TLS_MAX_LIST; i++)
		if (!tls_is_grease(ch->sig_algs[i]))
			out[k++] = ch->sig_algs[i];
	return k;
}

int
tls_ja4_raw(const struct tls_client_hello *ch, bool quic, char *buf,
    size_t size)
{
	/* Zeroed: GCC cannot see sorted_copy() fill the first n entries. */
	uint16_t v[TLS_MAX_LIST] = { 0 };
	struct sbuf sb;
	size_t n;

	if (sb_init(&sb, buf, size) < 0)
		return -ENOSPC;
	ja4_a(ch, quic, &sb);
	sb_char(&sb, '_');
	n = sorted_copy(ch->ciphers, ch->n_ciphers, v, false);
	hex_list(&sb, v, n);
	sb_char(&sb, '_');
	n = sorted_copy(ch->extensions, ch->n_extensions, v, true);
	hex_list(&sb, v, n);
	if ((n = sigalg_list(ch, v)) > 0) {
		sb_char(&sb, '_');
		hex_list(&sb, v, n);
	}
	return sb.full ? -ENOSPC : (int)sb.len;
}

/*
 * A JA4 hash part: SHA-256/12 of the hex list v, then '_' and the hex
 * list sig when it is not empty; twelve zeros when v is empty.  out gets
 * 13 bytes.
 */
static int
ja4_part(struct tls_fp_memo *m, enum fp_kind kind, const uint16_t *v,
    size_t n, const uint16_t *sig, size_t ns, char *out)
{
	char s[JA4_RAW_MAX];
	struct sbuf part;
	struct fp_key k;
	struct fp_memo_slot *slot;
	uint64_t hash = 0;
	bool hit;
	int r;

	if (n == 0) {
		memcpy(out, "000000000000", JA4_HASH_LEN + 1);
		return 0;
	}
	key_init(&k, kind);
	key_add_list(&k, v, n);
	key_add_list(&k, sig, ns);
	if ((slot = memo_slot(m, &k, &hash, &hit)) != NULL && hit) {
		memcpy(out, slot->out, JA4_HASH_LEN + 1);
		return 0;
	}
	sb_init(&part, s, sizeof(s));
	hex_list(&part, v, n);
	if (ns > 0) {
		sb_char(&part, '_');
		hex_list(&part, sig, ns);
	}
	if (part.full)
		return -ENOSPC;
	if ((r = digest_hex(true, s, part.len, JA4_HASH_LEN,
	    out)) < 0)
		return r;
	if (slot != NULL)
		memo_store(slot, &k, hash, out, JA4_HASH_LEN);
	return 0;
}

static int
ja4_memo(struct tls_fp_memo *m, const struct tls_client_hello *ch, bool quic,
    char ret[static 40])
{
	char out[40];
	/* Zeroed: see tls_ja4_raw(). */
	uint16_t v[TLS_MAX_LIST] = { 0 }, sig[TLS_MAX_LIST] = { 0 };
	struct sbuf sb;
	size_t n, ns;
	int r;

	sb_init(&sb, out, sizeof(out));
	ja4_a(ch, quic, &sb);
	sb_char(&sb, '_');
	if (sb.full || sizeof(out) - sb.len < 2 * (JA4_HASH_LEN + 1) + 1)
		return -ENOSPC;

	/* b: the sorted cipher list. */
	n = sorted_copy(ch->ciphers, ch->n_ciphers, v, false);
	if ((r = ja4_part(m, FP_KIND_JA4_B, v, n, NULL, 0, &out[sb.len])) < 0)
		return r;
	sb.len += JA4_HASH_LEN;
	sb_char(&sb, '_');

	/* c: sorted extensions without SNI and ALPN, '_', sigalgs. */
	n = sorted_copy(ch->extensions, ch->n_extensions, v, true);
	ns = sigalg_list(ch, sig);
	if ((r = ja4_part(m, FP_KIND_JA4_C, v, n, sig, ns,
	    &out[sb.len])) < 0)
		return r;
	sb.len += JA4_HASH_LEN;
	if (sb.full)
		return -ENOSPC;
	memcpy(ret, out, sizeof(out));
	return 0;
}

int
tls_ja4(const struct tls_client_hello *ch, bool quic, char ret[static 40])
{
	return ja4_memo(NULL, ch, quic, ret);
}

int
tls_fingerprints(struct tls_fp_memo *m, const struct tls_client_hello *ch,
    bool quic, char ja3[static 33], char ja4[static 40])
{
	struct fp_key k;
	struct fp_memo_slot *slot;
	uint64_t hash = 0;
	bool hit;
	int r;

	/*
	 * Stacks that keep their extension order (all but Chrome's) send
	 * the same hello shape every time: one lookup answers both.
	 */
	key_init(&k, FP_KIND_HELLO);
	key_add(&k, (uint16_t)quic);
	key_add(&k, ch->legacy_version);
	key_add(&k, ch->max_version);
	key_add(&k, (uint16_t)ch->has_sni_ext);
	key_add(&k, ch->alpn_first_len > 0);
	key_add(&k, (uint16_t)(ch->alpn_first_edge[0] << 8 |
	    ch->alpn_first_edge[1]));
	key_add_list(&k, ch->sig_algs, ch->n_sig_algs);
	key_add_ja3_lists(&k, ch);
	if ((slot = memo_slot(m, &k, &hash, &hit)) != NULL && hit) {
		memcpy(ja3, slot->out, 33);
		memcpy(ja4, slot->ja4, 40);
		return 0;
	}
	if ((r = ja3_memo(m, ch, ja3)) < 0 ||
	    (r = ja4_memo(m, ch, quic, ja4)) < 0)
		return r;
	/* The part lookups above may have taken the same slot. */
	if (slot != NULL) {
		memo_store(slot, &k, hash, ja3, 32);
		memcpy(slot->ja4, ja4, 40);
	}
	return 0;
}
