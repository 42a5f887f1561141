/*
 * proto_tls.c - TLS handshake parser: record layer (RFC 8446 5.1,
 * RFC 5246 6.2), ClientHello and ServerHello (RFC 8446 4.1.2, 4.1.3),
 * and for TLS <= 1.2 the first certificate of the server's Certificate
 * message (RFC 5246 7.4.2), whose names crypto.h decodes.
 *
 * Record:     type(1) version(2) length(2) fragment(length)
 * Handshake:  msg_type(1) length(3) body(length)
 *
 * Handshake messages are a byte stream carried by records: one record may
 * hold several messages and one message may span several records.  A
 * message lying inside one record is parsed in place; only one that spans
 * records is copied, into a TLS_HS_MAX byte stack buffer.  Every field is
 * read through a cursor and every length-prefixed field is parsed inside
 * its own sub-cursor.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "hash.h"
#include "parse.h"
#include "tls.h"
#include "tls_fp.h"

#define TLS_CT_CCS		20
#define TLS_CT_ALERT		21
#define TLS_CT_HANDSHAKE	22
#define TLS_CT_APPDATA		23

#define TLS_HS_CLIENT_HELLO	1
#define TLS_HS_SERVER_HELLO	2
#define TLS_HS_CERTIFICATE	11
#define TLS_HS_SERVER_DONE	14

#define TLS_EXT_SNI		0
#define TLS_EXT_GROUPS		10
#define TLS_EXT_POINT_FORMATS	11
#define TLS_EXT_SIG_ALGS	13
#define TLS_EXT_ALPN		16
#define TLS_EXT_VERSIONS	43

#define TLS_RECORD_HDR		5
#define TLS_HS_HDR		4
#define TLS_SESSION_ID_MAX	32
#define TLS_SERVER_MSGS_MAX	32	/* server flight messages looked at */

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/*
 * What a pipeline's TLS parsing keeps between flows: the certificate
 * cache (below, at the Certificate message) and the fingerprint memo.
 */
struct tls_ctx {
	struct crypto_x509 *x509;
	struct cert_cache_entry *cert_cache;	/* made on first use */
	struct tls_fp_memo *fp;			/* fingerprints by hello */
};

/* ---------------------------------------------------------------------
 * Record layer: a reader yielding whole handshake messages.
 */

enum hs_status {
	HS_MSG,		/* a whole message is in *ret */
	HS_NEED,	/* the stream ends inside a record or message */
	HS_END,		/* the next record is not a handshake record */
	HS_BAD,		/* bytes that are not a TLS record stream */
	HS_BIG,		/* message longer than the reassembly buffer */
};

struct hs_reader {
	struct cur rec;		/* stream after the current record */
	struct cur frag;	/* unread handshake bytes of the current record */
	size_t total;		/* length of the whole stream */
	size_t rec_end;		/* stream offset where the current record ends */
	bool frag_short;	/* the current record's body is incomplete */
	uint8_t end_type;	/* with HS_END: content type of that record */
	size_t needed;		/* with HS_NEED: lower bound on stream length */
};

static void
hs_init(struct hs_reader *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->rec = cur_make(buf, len);
	r->total = len;
}

/* Stream offset of the next unread handshake byte. */
static size_t
hs_offset(const struct hs_reader *r)
{
	return r->total - cur_left(&r->rec) - cur_left(&r->frag);
}

static bool
record_version_ok(uint16_t v)
{
	/* SSL 3.0 to TLS 1.3 all put 3 in the major byte; the minor byte of
	 * the record version is not checked more closely by any stack. */
	return (v >> 8) == 3;
}

/*
 * Open the next record.  A handshake record becomes r->frag (possibly
 * incomplete, then frag_short); any other valid content type is left
 * unread and reported as HS_END.
 */
static enum hs_status
hs_open_record(struct hs_reader *r)
{
	struct cur h = r->rec;
	size_t off = r->total - cur_left(&r->rec);
	uint8_t type;
	uint16_t ver, len;

	if (!cur_u8(&h, &type) || !cur_be16(&h, &ver) || !cur_be16(&h, &len)) {
		r->needed = off + TLS_RECORD_HDR;
		return HS_NEED;
	}
	if (!record_version_ok(ver) || len > TLS_RECORD_MAX)
		return HS_BAD;
	if (type == TLS_CT_CCS || type == TLS_CT_ALERT ||
	    type == TLS_CT_APPDATA) {
		r->end_type = type;
		return HS_END;
	}
	/* RFC 8446 5.1: handshake records are never empty. */
	if (type != TLS_CT_HANDSHAKE || len == 0)
		return HS_BAD;
	r->rec = h;
	r->rec_end = off + TLS_RECORD_HDR + len;
	if (cur_left(&r->rec) < len) {
		r->frag = r->rec;
		r->rec = cur_make(NULL, 0);
		r->frag_short = true;
	} else {
		cur_sub(&r->rec, len, &r->frag);
		r->frag_short = false;
	}
	return HS_MSG;
}

/* Skip the non-handshake record reported by HS_END (whole or HS_NEED). */
static enum hs_status
hs_skip_record(struct hs_reader *r)
{
	struct cur h = r->rec;
	size_t off = r->total - cur_left(&r->rec);
	uint8_t type;
	uint16_t ver, len = 0;

	if (!cur_u8(&h, &type) || !cur_be16(&h, &ver) || !cur_be16(&h, &len) ||
	    !cur_skip(&h, len)) {
		r->needed = off + TLS_RECORD_HDR + len;
		return HS_NEED;
	}
	r->rec = h;
	return HS_MSG;
}

/*
 * Next handshake message.  In place when it lies inside one record,
 * otherwise copied into scratch (cap bytes).  HS_BIG when the message is
 * longer than cap.
 */
static enum hs_status
hs_next(struct hs_reader *r, uint8_t *scratch, size_t cap, struct cur *ret)
{
	struct cur f, hdr;
	enum hs_status st;
	size_t have = 0, want = TLS_HS_HDR;
	uint32_t mlen;
	uint8_t type;

	if (cur_left(&r->frag) == 0) {
		if (r->frag_short) {
			r->needed = r->rec_end;
			return HS_NEED;
		}
		if ((st = hs_open_record(r)) != HS_MSG)
			return st;
	}

	/* Common case: the whole message inside this record. */
	f = r->frag;
	if (cur_u8(&f, &type) && cur_be24(&f, &mlen)) {
		if (cur_left(&f) >= mlen) {
			cur_sub(&r->frag, TLS_HS_HDR + (size_t)mlen, ret);
			return HS_MSG;
		}
		if ((size_t)mlen + TLS_HS_HDR > cap)
			return HS_BIG;
		if (r->frag_short) {
			/* The record may still hold the whole message. */
			size_t end = hs_offset(r) + TLS_HS_HDR + mlen;

			r->needed = end > r->rec_end ? end + TLS_RECORD_HDR :
			    r->rec_end;
			return HS_NEED;
		}
	}

	/*
	 * The message spans records: copy its pieces.  Bound: each pass
	 * copies at least one byte (records are never empty) and copying
	 * stops at want <= cap, so at most cap + 1 passes.
	 */
	for (;;) {
		size_t n = cur_left(&r->frag);

		if (n > want - have)
			n = want - have;
		cur_bytes(&r->frag, &scratch[have], n);
		have += n;
		if (want == TLS_HS_HDR && have == TLS_HS_HDR) {
			hdr = cur_make(scratch, TLS_HS_HDR);
			if (!cur_u8(&hdr, &type) || !cur_be24(&hdr, &mlen))
				return HS_BAD;
			want = TLS_HS_HDR + (size_t)mlen;
			if (want > cap)
				return HS_BIG;
		}
		if (have == want) {
			*ret = cur_make(scratch, want);
			return HS_MSG;
		}
		if (cur_left(&r->frag) > 0)
			continue;	/* header done, body follows here */
		if (r->frag_short) {
			r->needed = r->rec_end;
			return HS_NEED;
		}
		st = hs_open_record(r);
		if (st == HS_NEED) {
			r->needed += want - have;
			return HS_NEED;
		}
		/* RFC 8446 5.1: no other record type inside a message. */
		if (st == HS_END)
			return HS_BAD;
		if (st != HS_MSG)
			return st;
	}
}

/* ---------------------------------------------------------------------
 * ClientHello.
 */

static void
push16(uint16_t *arr, size_t *n, size_t cap, uint16_t v, bool *cut)
{
	if (*n < cap)
		arr[(*n)++] = v;
	else
		*cut = true;
}

/*
 * A 16-bit list whose length prefix must match the extension exactly
 * (RFC 8446 4.2.3, 4.2.7; RFC 8422 5.1.1).  Bound: the vector holds at
 * most 32767 entries; TLS_MAX_LIST are kept.
 */
static bool
parse_list16(struct cur *ext, uint16_t *arr, size_t *n, size_t cap,
    bool *cut)
{
	struct cur l;
	uint16_t v;

	if (!cur_vec16(ext, &l) || cur_left(ext) != 0 || cur_left(&l) % 2)
		return false;
	while (cur_be16(&l, &v))
		push16(arr, n, cap, v, cut);
	return true;
}

/*
 * server_name (RFC 6066 3): ServerNameList { NameType(1) HostName<1..2^16-1> }.
 * The first host_name is kept; one with a NUL, empty or longer than
 * TLS_NAME_MAX - 1 marks sni_bad and is not kept.  Bound: each entry is
 * at least 3 bytes of a list of at most 65535.
 */
static bool
parse_sni(struct cur *ext, struct tls_client_hello *ch)
{
	struct cur list, name;
	size_t n;
	uint8_t type;
	bool taken = false;

	if (!cur_vec16(ext, &list) || cur_left(ext) != 0)
		return false;
	while (cur_left(&list) > 0) {
		if (!cur_u8(&list, &type) || !cur_vec16(&list, &name))
			return false;
		if (type != 0 || taken)
			continue;
		taken = true;
		n = cur_left(&name);
		if (n == 0 || n >= TLS_NAME_MAX) {
			ch->sni_bad = true;
			continue;
		}
		cur_bytes(&name, ch->sni, n);
		ch->sni[n] = '\0';
		/* A NUL would let "evil.com\0.good.com" pass as either. */
		if (strlen(ch->sni) != n) {
			ch->sni[0] = '\0';
			ch->sni_bad = true;
		}
	}
	return true;
}

/* Copy a protocol name for display: bytes outside 0x21-0x7e become '?'. */
static void
display_copy(char *dst, struct cur *src, size_t n)
{
	uint8_t c;

	for (size_t i = 0; i < n && cur_u8(src, &c); i++)
		dst[i] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
}

/*
 * ALPN (RFC 7301 3.1): ProtocolNameList { ProtocolName<1..2^8-1> }.
 * Names are joined with ',' while they fit in alpn (lists_cut after).
 * Bound: each name is at least 1 byte of a list of at most 65535.
 */
static bool
parse_alpn(struct cur *ext, struct tls_client_hello *ch)
{
	struct cur list, name;
	size_t used = 0, n;
	bool first = true;

	if (!cur_vec16(ext, &list) || cur_left(ext) != 0)
		return false;
	while (cur_left(&list) > 0) {
		if (!cur_vec8(&list, &name))
			return false;
		n = cur_left(&name);
		if (first) {
			struct cur c = name;
			uint8_t b;
			size_t k = n < sizeof(ch->alpn_first) - 1 ? n :
			    sizeof(ch->alpn_first) - 1;

			first = false;
			ch->alpn_first_len = n;
			if (cur_peek_u8(&name, 0, &b))
				ch->alpn_first_edge[0] = b;
			if (n > 0 && cur_peek_u8(&name, n - 1, &b))
				ch->alpn_first_edge[1] = b;
			display_copy(ch->alpn_first, &c, k);
			ch->alpn_first[k] = '\0';
		}
		/* Room for a separator, the name and the NUL. */
		if (used + (used ? 1 : 0) + n + 1 > sizeof(ch->alpn)) {
			ch->lists_cut = true;
			continue;
		}
		if (used)
			ch->alpn[used++] = ',';
		display_copy(&ch->alpn[used], &name, n);
		used += n;
		ch->alpn[used] = '\0';
	}
	return true;
}

/* supported_versions (RFC 8446 4.2.1), ClientHello form: versions<2..254>. */
static bool
parse_versions(struct cur *ext, struct tls_client_hello *ch)
{
	struct cur l;
	uint16_t v;

	if (!cur_vec8(ext, &l) || cur_left(ext) != 0 || cur_left(&l) % 2)
		return false;
	/* Bound: at most 127 entries in an 8-bit vector. */
	while (cur_be16(&l, &v)) {
		push16(ch->versions, &ch->n_versions,
		    sizeof(ch->versions) / sizeof(ch->versions[0]), v,
		    &ch->lists_cut);
		if (!tls_is_grease(v) && v > ch->max_version)
			ch->max_version = v;
	}
	return true;
}

/* ec_point_formats (RFC 8422 5.1.2): ECPointFormat<1..2^8-1>. */
static bool
parse_point_formats(struct cur *ext, struct tls_client_hello *ch)
{
	struct cur l;
	uint8_t v;

	if (!cur_vec8(ext, &l) || cur_left(ext) != 0)
		return false;
	/* Bound: at most 255 entries; 16 kept. */
	while (cur_u8(&l, &v)) {
		if (ch->n_point_formats < sizeof(ch->point_formats))
			ch->point_formats[ch->n_point_formats++] = v;
		else
			ch->lists_cut = true;
	}
	return true;
}

/* Whether this extension type was already parsed (bit per known type). */
static bool
seen_before(uint32_t *seen, uint16_t type)
{
	uint32_t bit;

	switch (type) {
	case TLS_EXT_SNI: bit = 1u << 0; break;
	case TLS_EXT_GROUPS: bit = 1u << 1; break;
	case TLS_EXT_POINT_FORMATS: bit = 1u << 2; break;
	case TLS_EXT_SIG_ALGS: bit = 1u << 3; break;
	case TLS_EXT_ALPN: bit = 1u << 4; break;
	case TLS_EXT_VERSIONS: bit = 1u << 5; break;
	default: return false;
	}
	if (*seen & bit)
		return true;
	*seen |= bit;
	return false;
}

static bool
parse_client_ext(uint16_t type, struct cur *ext, struct tls_client_hello *ch)
{
	switch (type) {
	case TLS_EXT_SNI:
		ch->has_sni_ext = true;
		return parse_sni(ext, ch);
	case TLS_EXT_ALPN:
		return parse_alpn(ext, ch);
	case TLS_EXT_VERSIONS:
		return parse_versions(ext, ch);
	case TLS_EXT_GROUPS:
		return parse_list16(ext, ch->groups, &ch->n_groups,
		    TLS_MAX_LIST, &ch->lists_cut);
	case TLS_EXT_POINT_FORMATS:
		return parse_point_formats(ext, ch);
	case TLS_EXT_SIG_ALGS:
		return parse_list16(ext, ch->sig_algs, &ch->n_sig_algs,
		    TLS_MAX_LIST, &ch->lists_cut);
	default:
		/* Contents of other extensions are not needed. */
		return true;
	}
}

/*
 * RFC 8446 4.1.2:
 *   legacy_version(2) random(32) legacy_session_id<0..32>
 *   cipher_suites<2..2^16-2> legacy_compression_methods<1..2^8-1>
 *   extensions<8..2^16-1>  (absent in old SSL 3.0 / TLS 1.0 clients)
 */
struct parse_result
tls_client_hello_parse(struct tls_ctx *tc, const uint8_t *msg, size_t len,
    bool quic, struct tls_client_hello *ret)
{
	/* Filled in place (the struct is nearly 2 KiB): counts and string
	 * starts reset, array contents read only up to their counts. */
	struct tls_client_hello *ch = ret;
	struct cur c = cur_make(msg, len), body, sid, cs, comp, exts, ext;
	uint32_t mlen, seen = 0;
	uint16_t v, type;
	uint8_t mtype;

	if (!cur_u8(&c, &mtype) || !cur_be24(&c, &mlen))
		return parse_need(TLS_HS_HDR);
	if (mtype != TLS_HS_CLIENT_HELLO)
		return parse_fail(PARSE_MALFORMED);
	if (!cur_sub(&c, mlen, &body))
		return parse_need(TLS_HS_HDR + mlen);

	memset(ch, 0, offsetof(struct tls_client_hello, sni));
	ch->sni[0] = ch->alpn[0] = ch->alpn_first[0] = '\0';
	ch->has_sni_ext = ch->sni_bad = ch->lists_cut = false;
	ch->alpn_first_len = 0;
	ch->alpn_first_edge[0] = ch->alpn_first_edge[1] = 0;
	ch->n_ciphers = ch->n_extensions = ch->n_groups = 0;
	ch->n_point_formats = ch->n_sig_algs = ch->n_versions = 0;
	ch->ja3[0] = ch->ja4[0] = '\0';
	if (!cur_be16(&body, &ch->legacy_version) || !cur_skip(&body, 32) ||
	    !cur_vec8(&body, &sid) || !cur_vec16(&body, &cs) ||
	    !cur_vec8(&body, &comp))
		return parse_fail(PARSE_MALFORMED);
	if (cur_left(&sid) > TLS_SESSION_ID_MAX || cur_left(&cs) % 2 ||
	    cur_left(&comp) == 0)
		return parse_fail(PARSE_MALFORMED);
	/* Bound: at most 32767 suites in a 16-bit vector. */
	while (cur_be16(&cs, &v))
		push16(ch->ciphers, &ch->n_ciphers, TLS_MAX_LIST, v,
		    &ch->lists_cut);

	if (cur_left(&body) > 0) {
		/* RFC 8446 4.1.2: nothing may follow the extensions. */
		if (!cur_vec16(&body, &exts) || cur_left(&body) != 0)
			return parse_fail(PARSE_MALFORMED);
		/*
		 * Bound: each extension is at least 4 bytes of a block of at
		 * most 65535, so at most 16383 passes; TLS_MAX_LIST types are
		 * kept, the rest are still walked for SNI and the others.
		 */
		while (cur_left(&exts) > 0) {
			if (!cur_be16(&exts, &type) || !cur_vec16(&exts, &ext))
				return parse_fail(PARSE_MALFORMED);
			push16(ch->extensions, &ch->n_extensions, TLS_MAX_LIST,
			    type, &ch->lists_cut);
			if (seen_before(&seen, type))
				continue;
			if (!parse_client_ext(type, &ext, ch))
				return parse_fail(PARSE_MALFORMED);
		}
	}
	if (ch->max_version == 0)
		ch->max_version = ch->legacy_version;
	if (tls_fingerprints(tc != NULL ? tc->fp : NULL, ch, quic, ch->ja3,
	    ch->ja4) < 0)
		return parse_fail(PARSE_UNSUPPORTED);
	return parse_ok(TLS_HS_HDR + mlen);
}

/* The first record header must already look like TLS, as far as it goes. */
static bool
first_record_prefix_ok(const uint8_t *buf, size_t len, bool alert_ok)
{
	struct cur c = cur_make(buf, len);
	uint8_t type, major;

	/* A server may answer with an alert instead of a ServerHello. */
	if (cur_u8(&c, &type) && type != TLS_CT_HANDSHAKE &&
	    !(alert_ok && type == TLS_CT_ALERT))
		return false;
	if (cur_u8(&c, &major) && major != 3)
		return false;
	return true;
}

/*
 * SSLv2-format hellos (first byte 0x80) are not TLS records and come back
 * as PARSE_MALFORMED, like any other non-TLS stream.
 */
struct parse_result
tls_client_hello_from_records(struct tls_ctx *tc, const uint8_t *buf,
    size_t len, struct tls_client_hello *ret)
{
	/* Used only when the ClientHello spans records. */
	uint8_t scratch[TLS_HS_MAX];
	struct hs_reader r;
	struct parse_result pr;
	struct cur msg;
	uint8_t type;

	if (!first_record_prefix_ok(buf, len, false))
		return parse_fail(PARSE_MALFORMED);
	hs_init(&r, buf, len);
	switch (hs_next(&r, scratch, sizeof(scratch), &msg)) {
	case HS_MSG:
		break;
	case HS_NEED:
		return parse_need(r.needed > UINT32_MAX ? 0 :
		    (uint32_t)r.needed);
	case HS_BIG:
		return parse_fail(PARSE_UNSUPPORTED);
	case HS_END:
	case HS_BAD:
	default:
		return parse_fail(PARSE_MALFORMED);
	}
	/* A client's first handshake message is its ClientHello. */
	if (!cur_peek_u8(&msg, 0, &type) || type != TLS_HS_CLIENT_HELLO)
		return parse_fail(PARSE_MALFORMED);
	pr = tls_client_hello_parse(tc, msg.p, cur_left(&msg), false, ret);
	if (pr.st == PARSE_NEED_MORE)
		return parse_fail(PARSE_MALFORMED);	/* cannot happen: msg is whole */
	if (pr.st == PARSE_OK)
		pr.consumed = (uint32_t)hs_offset(&r);
	return pr;
}

/* ---------------------------------------------------------------------
 * Server side.
 */

/*
 * RFC 8446 4.1.3:
 *   legacy_version(2) random(32) legacy_session_id_echo<0..32>
 *   cipher_suite(2) legacy_compression_method(1) extensions<6..2^16-1>
 */
static bool
parse_server_hello(struct cur *c, struct tls_server_hello *sh, bool *ret_hrr)
{
	struct cur sid, exts, ext, list, name;
	uint8_t random[32], comp;
	uint16_t type, v;
	size_t n;

	if (!cur_be16(c, &sh->legacy_version) ||
	    !cur_bytes(c, random, sizeof(random)) || !cur_vec8(c, &sid) ||
	    !cur_be16(c, &sh->cipher) || !cur_u8(c, &comp))
		return false;
	if (cur_left(&sid) > TLS_SESSION_ID_MAX)
		return false;
	*ret_hrr = memcmp(random, hrr_random, sizeof(random)) == 0;
	sh->version = sh->legacy_version;
	if (cur_left(c) == 0)
		return true;
	if (!cur_vec16(c, &exts) || cur_left(c) != 0)
		return false;
	/* Bound: each extension is at least 4 bytes of at most 65535. */
	while (cur_left(&exts) > 0) {
		if (!cur_be16(&exts, &type) || !cur_vec16(&exts, &ext))
			return false;
		if (type == TLS_EXT_VERSIONS) {
			/* selected_version: exactly one value. */
			if (!cur_be16(&ext, &v) || cur_left(&ext) != 0)
				return false;
			sh->version = v;
		} else if (type == TLS_EXT_ALPN) {
			/* RFC 7301 3.1: exactly one protocol name. */
			if (!cur_vec16(&ext, &list) || cur_left(&ext) != 0 ||
			    !cur_vec8(&list, &name) || cur_left(&list) != 0)
				return false;
			n = cur_left(&name);
			if (n >= sizeof(sh->alpn))
				n = sizeof(sh->alpn) - 1;
			display_copy(sh->alpn, &name, n);
			sh->alpn[n] = '\0';
		}
	}
	return true;
}

/*
 * Certificate (RFC 5246 7.4.2): certificate_list<0..2^24-1> of
 * ASN.1Cert<1..2^24-1>.  Only the first (the server's own) is decoded.
 */
/*
 * Servers hand the same certificate to every client, so decoded names are
 * remembered per certificate: decoding costs tens of microseconds, the
 * lookup one keyed hash and one compare of the DER.  A hit compares the
 * whole DER, kept in the entry, so no crafted certificate can take
 * another's names.  DER of more than CERT_CACHE_DER_MAX bytes is decoded
 * every time; the kept bytes are at most 256 * 8 KiB = 2 MiB (a few
 * hundred KiB for typical 1-3 KiB certificates), plus 256 * 1 KiB names.
 */
#define CERT_CACHE_SLOTS 256
#define CERT_CACHE_DER_MAX 8192

struct cert_cache_entry {
	uint8_t *der;		/* NULL = empty */
	uint32_t len, cap;
	char subject[TLS_NAME_MAX], issuer[TLS_NAME_MAX];
	char org[TLS_NAME_MAX], cn[TLS_NAME_MAX];
};

struct tls_ctx *
tls_ctx_new(void)
{
	struct tls_ctx *tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return NULL;
	if ((tc->x509 = crypto_x509_new()) == NULL ||
	    (tc->fp = tls_fp_memo_new()) == NULL)
		return tls_ctx_free(tc);
	return tc;
}

struct tls_ctx *
tls_ctx_free(struct tls_ctx *tc)
{
	if (tc == NULL)
		return NULL;
	crypto_x509_free(tc->x509);
	tls_fp_memo_free(tc->fp);
	for (size_t i = 0; tc->cert_cache != NULL && i < CERT_CACHE_SLOTS; i++)
		free(tc->cert_cache[i].der);
	free(tc->cert_cache);
	free(tc);
	return NULL;
}

/* Keep der[0..n) in ce, growing its buffer; false if out of memory. */
static bool
cert_cache_keep(struct cert_cache_entry *ce, const uint8_t *der, size_t n)
{
	uint8_t *p;

	if (ce->cap < n) {
		if ((p = realloc(ce->der, n)) == NULL) {
			free(ce->der);
			ce->der = NULL;
			ce->cap = 0;
			return false;
		}
		ce->der = p;
		ce->cap = (uint32_t)n;
	}
	memcpy(ce->der, der, n);
	ce->len = (uint32_t)n;
	return true;
}

static void
parse_certificate(struct tls_ctx *tc, struct cur *c,
    struct tls_server_hello *sh)
{
	struct cur list, der;
	struct cert_cache_entry *ce = NULL;
	struct crypto_cert_names names = { sh->cert_subject, sh->cert_issuer,
	    sh->cert_org, sh->cert_cn, TLS_NAME_MAX };
	size_t n;

	if (!cur_vec24(c, &list) || !cur_vec24(&list, &der) ||
	    cur_left(&der) < 16)
		return;
	n = cur_left(&der);
	if (tc->cert_cache == NULL && n <= CERT_CACHE_DER_MAX)
		tc->cert_cache = calloc(CERT_CACHE_SLOTS,
		    sizeof(*tc->cert_cache));
	if (tc->cert_cache != NULL && n <= CERT_CACHE_DER_MAX) {
		ce = &tc->cert_cache[hash_bytes(der.p, n) % CERT_CACHE_SLOTS];
		if (ce->der != NULL && ce->len == n &&
		    memcmp(ce->der, der.p, n) == 0) {
			memcpy(sh->cert_subject, ce->subject, sizeof(sh->cert_subject));
			memcpy(sh->cert_issuer, ce->issuer, sizeof(sh->cert_issuer));
			memcpy(sh->cert_org, ce->org, sizeof(sh->cert_org));
			memcpy(sh->cert_cn, ce->cn, sizeof(sh->cert_cn));
			sh->have_cert = true;
			return;
		}
	}
	/* cert <= 2^24 bytes. */
	if (crypto_x509_names(tc->x509, der.p, n, &names) != 0)
		return;
	sh->have_cert = true;
	if (ce != NULL && cert_cache_keep(ce, der.p, n)) {
		memcpy(ce->subject, sh->cert_subject, sizeof(ce->subject));
		memcpy(ce->issuer, sh->cert_issuer, sizeof(ce->issuer));
		memcpy(ce->org, sh->cert_org, sizeof(ce->org));
		memcpy(ce->cn, sh->cert_cn, sizeof(ce->cn));
	}
}

static bool
is_tls13(uint16_t v)
{
	/* 0x7fxx are the TLS 1.3 drafts some servers still negotiated. */
	return v == 0x0304 || (v >> 8) == 0x7f;
}

struct parse_result
tls_server_from_records(struct tls_ctx *tc, const uint8_t *buf, size_t len,
    struct tls_server_hello *ret)
{
	uint8_t scratch[TLS_HS_MAX];
	/* Filled in place: the struct is over a kilobyte of strings, and
	 * this runs again for every segment of a certificate chain. */
	struct tls_server_hello *sh = ret;
	struct hs_reader r;
	struct cur msg, body;
	uint32_t mlen;
	uint8_t type;
	bool hrr;

	memset(sh, 0, offsetof(struct tls_server_hello, cert_subject));
	sh->cert_subject[0] = sh->cert_issuer[0] = sh->cert_org[0] =
	    sh->cert_cn[0] = '\0';
	sh->done = false;
	if (!first_record_prefix_ok(buf, len, true))
		return parse_fail(PARSE_MALFORMED);
	hs_init(&r, buf, len);
	/* Bound: TLS_SERVER_MSGS_MAX messages or skipped records. */
	for (int i = 0; i < TLS_SERVER_MSGS_MAX && !sh->done; i++) {
		switch (hs_next(&r, scratch, sizeof(scratch), &msg)) {
		case HS_MSG:
			break;
		case HS_NEED:
			return parse_need(r.needed > UINT32_MAX ? 0 :
			    (uint32_t)r.needed);
		case HS_END:
			if (r.end_type == TLS_CT_CCS && sh->hello_retry &&
			    !sh->seen_hello) {
				/* Middlebox-compatibility CCS after an HRR
				 * (RFC 8446 D.4): the real ServerHello
				 * follows. */
				if (hs_skip_record(&r) == HS_NEED)
					return parse_need((uint32_t)r.needed);
				continue;
			}
			/* An alert (refusal) or the end of the
			 * plaintext handshake: nothing more to read. */
			if (!sh->seen_hello && r.end_type != TLS_CT_ALERT)
				return parse_fail(PARSE_MALFORMED);
			sh->done = true;
			continue;
		case HS_BIG:
			if (!sh->seen_hello)
				return parse_fail(PARSE_UNSUPPORTED);
			sh->done = true;
			continue;
		case HS_BAD:
		default:
			return parse_fail(PARSE_MALFORMED);
		}
		if (!cur_u8(&msg, &type) || !cur_be24(&msg, &mlen) ||
		    !cur_sub(&msg, mlen, &body))
			return parse_fail(PARSE_MALFORMED);
		if (!sh->seen_hello) {
			if (type != TLS_HS_SERVER_HELLO ||
			    !parse_server_hello(&body, sh, &hrr))
				return parse_fail(PARSE_MALFORMED);
			if (hrr) {
				sh->hello_retry = true;
				continue;
			}
			sh->seen_hello = true;
			/* TLS 1.3: the rest of the flight is encrypted. */
			if (is_tls13(sh->version))
				sh->done = true;
			continue;
		}
		if (type == TLS_HS_CERTIFICATE) {
			parse_certificate(tc, &body, sh);
			sh->done = true;
		} else if (type == TLS_HS_SERVER_DONE) {
			sh->done = true;
		}
	}
	sh->done = true;
	return parse_ok((uint32_t)hs_offset(&r));
}

/* ---------------------------------------------------------------------
 * Names.
 */

const char *
tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0002: return "SSLv2";
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLSv1.1";
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	default: return "unknown";
	}
}

const char *
tls_version_ecs(uint16_t v)
{
	switch (v) {
	case 0x0300: return "ssl3.0";
	case 0x0301: return "1.0";
	case 0x0302: return "1.1";
	case 0x0303: return "1.2";
	case 0x0304: return "1.3";
	default: return NULL;
	}
}

bool
tls_looks_like_handshake(const uint8_t *buf, size_t len)
{
	struct cur c = cur_make(buf, len);
	uint8_t type, hs;
	uint16_t ver, rlen;

	if (!cur_u8(&c, &type) || !cur_be16(&c, &ver) || !cur_be16(&c, &rlen))
		return false;
	if (type != TLS_CT_HANDSHAKE || (ver >> 8) != 3 || (ver & 0xff) > 4 ||
	    rlen == 0 || rlen > TLS_RECORD_MAX)
		return false;
	if (cur_u8(&c, &hs) &&
	    hs != TLS_HS_CLIENT_HELLO && hs != TLS_HS_SERVER_HELLO)
		return false;
	return true;
}
