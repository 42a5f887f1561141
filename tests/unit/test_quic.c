/*
 * test_quic.c - QUIC Initial decryption: RFC 9001 and RFC 9369 test
 * vectors, CRYPTO reassembly across packets, coalescing, failures, and
 * client Initials taken from real captures.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quic.h"
#include "quic_build.h"
#include "tls.h"

/* The cipher contexts and keyed salts every state here shares. */
static struct quic_ctx *qc;

static int
ctx_setup(void **state)
{
	(void)state;
	return (qc = quic_ctx_new()) == NULL ? -1 : 0;
}

static int
ctx_teardown(void **state)
{
	(void)state;
	qc = quic_ctx_free(qc);
	return 0;
}

#define DATA_DIR TOP_SRCDIR "/tests/unit/data/quic/"

static const uint8_t rfc_dcid[] = {
	0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08
};

/* RFC 9001 A.2 / RFC 9369 A.2: the client's CRYPTO frame (ClientHello). */
static const char rfc_crypto_frame_hex[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e0005000501000000000033002600" "24001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

static size_t
hex_decode(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;
	int hi = -1;

	for (const char *s = hex; *s != '\0'; s++) {
		int v;

		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < size);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* Read a hex file (whitespace ignored) into out. */
static size_t
hex_file(const char *name, uint8_t *out, size_t size)
{
	char path[512], *text;
	FILE *f;
	long n;
	size_t len;

	snprintf(path, sizeof(path), "%s%s", DATA_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	len = hex_decode(text, out, size);
	free(text);
	return len;
}

static void
check_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[64];
	size_t n = hex_decode(hex, want, sizeof(want));

	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

/* The RFC's ClientHello: the CRYPTO frame minus its 4-byte frame header. */
static size_t
rfc_client_hello(uint8_t *out, size_t size)
{
	uint8_t frame[512];
	size_t n = hex_decode(rfc_crypto_frame_hex, frame, sizeof(frame));

	assert_int_equal(n, 4 + 0xf1);
	assert_true(size >= n - 4);
	memcpy(out, frame + 4, n - 4);
	return n - 4;
}

/* A CRYPTO frame (type, 2-byte varint offset and length, data). */
static size_t
crypto_frame(uint8_t *out, size_t off, const uint8_t *data, size_t len)
{
	assert_true(off < 0x4000 && len < 0x4000);
	out[0] = 0x06;
	out[1] = (uint8_t)(0x40 | off >> 8);
	out[2] = (uint8_t)off;
	out[3] = (uint8_t)(0x40 | len >> 8);
	out[4] = (uint8_t)len;
	memcpy(out + 5, data, len);
	return 5 + len;
}

static size_t
build(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint64_t pn,
    const uint8_t *frames, size_t frames_len, size_t pad_to, uint8_t *out,
    size_t size)
{
	struct quic_build b = {
		.version = version, .dcid = dcid, .dcid_len = dcid_len,
		.scid = (const uint8_t *)"\x01\x02\x03\x04", .scid_len = 4,
		.pn = pn, .pn_len = 2, .pad_to = pad_to,
	};
	size_t len = 0;

	assert_int_equal(quic_build_initial(qc, &b, frames, frames_len, out,
	    size, &len), 0);
	return len;
}

static void
assert_is_rfc_hello(const struct quic_state *st)
{
	uint8_t want[512];
	size_t want_len = rfc_client_hello(want, sizeof(want));
	const uint8_t *msg;
	size_t len = 0;

	msg = quic_client_hello(st, &len);
	assert_non_null(msg);
	assert_int_equal(len, want_len);
	assert_memory_equal(msg, want, len);
}

static void
test_rfc9001_keys(void **state)
{
	struct quic_initial_keys k;

	(void)state;
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_1, rfc_dcid,
	    sizeof(rfc_dcid), &k), 0);
	check_hex(k.key, sizeof(k.key), "1f369613dd76d5467730efcbe3b1a22d");
	check_hex(k.iv, sizeof(k.iv), "fa044b2f42a3fd3b46fb255c");
	check_hex(k.hp, sizeof(k.hp), "9f50449e04a0e810283a1e9933adedd2");
	assert_int_equal(quic_initial_keys(qc, 0x12345678, rfc_dcid,
	    sizeof(rfc_dcid), &k), -ENOTSUP);
}

static void
test_rfc9369_keys(void **state)
{
	struct quic_initial_keys k;

	(void)state;
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_2, rfc_dcid,
	    sizeof(rfc_dcid), &k), 0);
	check_hex(k.key, sizeof(k.key), "8b1a0bc121284290a29e0971b5cd045d");
	check_hex(k.iv, sizeof(k.iv), "91f73e2351d8fa91660e909f");
	check_hex(k.hp, sizeof(k.hp), "45b95e15235d6f45a6b19cbcb0294ba9");
}

/* The drafts' own Appendix A vectors (same DCID as RFC 9001's). */
static void
test_draft_keys(void **state)
{
	struct quic_initial_keys k;

	(void)state;
	/* draft-ietf-quic-tls-23, A.1 (the salt drafts 23 to 28 share) */
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_DRAFT(23),
	    rfc_dcid, sizeof(rfc_dcid), &k), 0);
	check_hex(k.key, sizeof(k.key), "af7fd7efebd21878ff66811248983694");
	check_hex(k.iv, sizeof(k.iv), "8681359410a70bb9c92f0420");
	check_hex(k.hp, sizeof(k.hp), "a980b8b4fb7d9fbc13e814c23164253d");
	/* draft-ietf-quic-tls-29, A.1 (drafts 29 to 32) */
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_DRAFT(31),
	    rfc_dcid, sizeof(rfc_dcid), &k), 0);
	check_hex(k.key, sizeof(k.key), "175257a31eb09dea9366d8bb79ad80ba");
	check_hex(k.iv, sizeof(k.iv), "6b26114b9cba2b63a9e8dd4f");
	check_hex(k.hp, sizeof(k.hp), "9ddd12c994c0698b89374a9c077a3077");
	/* Before draft-22 the long header differed: not read. */
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_DRAFT(21),
	    rfc_dcid, sizeof(rfc_dcid), &k), -ENOTSUP);
	assert_int_equal(quic_initial_keys(qc, QUIC_VERSION_DRAFT(33),
	    rfc_dcid, sizeof(rfc_dcid), &k), -ENOTSUP);
}

/* Every pre-RFC version opens and yields the ClientHello. */
static void
test_old_versions(void **state)
{
	static const uint32_t versions[] = {
		QUIC_VERSION_DRAFT(22), QUIC_VERSION_DRAFT(23),
		QUIC_VERSION_DRAFT(24), QUIC_VERSION_DRAFT(25),
		QUIC_VERSION_DRAFT(26), QUIC_VERSION_DRAFT27,
		QUIC_VERSION_DRAFT28, QUIC_VERSION_DRAFT29,
		QUIC_VERSION_DRAFT(30), QUIC_VERSION_DRAFT(31),
		QUIC_VERSION_DRAFT(32), QUIC_VERSION_MVFST22,
		QUIC_VERSION_MVFST27, QUIC_VERSION_MVFST_EXP,
		QUIC_VERSION_T050, QUIC_VERSION_T051,
	};
	uint8_t hello[512], frames[600], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len;

	(void)state;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct quic_state *st = quic_state_new(qc);
		bool gquic_tls = versions[i] == QUIC_VERSION_T050 ||
		    versions[i] == QUIC_VERSION_T051;

		assert_non_null(st);
		assert_true(quic_version_supported(versions[i]));
		fl = crypto_frame(frames, 0, hello, hlen);
		if (gquic_tls)
			frames[0] = 0x08;	/* Google's CRYPTO frame type */
		len = build(versions[i], rfc_dcid, sizeof(rfc_dcid), 0, frames,
		    fl, 1200, pkt, sizeof(pkt));
		assert_true(quic_looks_like_initial(pkt, len));
		assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
		assert_is_rfc_hello(st);
		assert_int_equal(quic_version(st), versions[i]);
		quic_state_free(st);
		/* The frame type is the version's: 0x06 is refused by T05x,
		 * 0x08 by the IETF versions. */
		st = quic_state_new(qc);
		fl = crypto_frame(frames, 0, hello, hlen);
		frames[0] = gquic_tls ? 0x06 : 0x08;
		len = build(versions[i], rfc_dcid, sizeof(rfc_dcid), 0, frames,
		    fl, 1200, pkt, sizeof(pkt));
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    PARSE_MALFORMED);
		quic_state_free(st);
	}
}

/* A gQUIC CHLO: SNI, VER and UAID entries (sorted by tag), then values. */
static size_t
chlo_build(uint8_t *out, const char *sni)
{
	static const char ver[] = "Q043", ua[] = "Chrome/86";
	size_t sl = strlen(sni), n = 0;
	uint32_t ends[3] = { (uint32_t)sl, (uint32_t)(sl + 4),
	    (uint32_t)(sl + 4 + sizeof(ua) - 1) };
	/* "SNI\0" < "UAID" < "VER\0" read as little-endian numbers? No:
	 * tags compare as little-endian 32-bit values: SNI 0x00494e53,
	 * VER 0x00524556, UAID 0x44494155. */
	static const char *const tags[3] = { "SNI", "VER", "UAID" };

	memcpy(out, "CHLO\x03\x00\x00\x00", 8);
	n = 8;
	for (int i = 0; i < 3; i++) {
		memset(out + n, 0, 4);
		memcpy(out + n, tags[i], strlen(tags[i]));
		out[n + 4] = (uint8_t)ends[i];
		out[n + 5] = (uint8_t)(ends[i] >> 8);
		out[n + 6] = 0;
		out[n + 7] = 0;
		n += 8;
	}
	memcpy(out + n, sni, sl);
	memcpy(out + n + sl, ver, 4);
	memcpy(out + n + sl + 4, ua, sizeof(ua) - 1);
	return n + sl + 4 + sizeof(ua) - 1;
}

static void
test_chlo_sni(void **state)
{
	uint8_t m[256];
	char sni[64];
	size_t n = chlo_build(m, "www.youtube.com");

	(void)state;
	assert_true(quic_chlo_sni(m, n, sni, sizeof(sni)));
	assert_string_equal(sni, "www.youtube.com");
	/* Too small a buffer, a cut message, no CHLO tag. */
	assert_false(quic_chlo_sni(m, n, sni, 15));
	assert_false(quic_chlo_sni(m, 8 + 3 * 8 + 3, sni, sizeof(sni)));
	m[0] = 'S';
	assert_false(quic_chlo_sni(m, n, sni, sizeof(sni)));
	m[0] = 'C';
	/* An end offset past the values. */
	m[8 + 4] = 200;
	assert_false(quic_chlo_sni(m, n, sni, sizeof(sni)));
	/* A NUL inside the name. */
	n = chlo_build(m, "a.example");
	m[8 + 3 * 8 + 1] = 0;
	assert_false(quic_chlo_sni(m, n, sni, sizeof(sni)));
}

/* Q043 and Q046 in clear: header, 12-byte hash, STREAM frame on stream 1. */
static void
test_gquic_clear(void **state)
{
	uint8_t chlo[256], pkt[1400];
	size_t cl = chlo_build(chlo, "r3.googlevideo.com"), n, h;
	char sni[64];
	size_t mlen = 0;
	const uint8_t *msg;

	(void)state;
	for (int q = 0; q < 2; q++) {
		struct quic_state *st = quic_state_new(qc);

		memset(pkt, 0, sizeof(pkt));
		if (q == 0) {
			/* flags: version, 8-byte CID, 1-byte packet number */
			memcpy(pkt, "\x09\x01\x02\x03\x04\x05\x06\x07\x08Q043\x01",
			    14);
			h = 14;
		} else {
			/* long header, DCID 8 (nibble 5), 4-byte number */
			memcpy(pkt, "\xc3Q046\x50\x01\x02\x03\x04\x05\x06\x07\x08"
			    "\x00\x00\x00\x01", 18);
			h = 18;
		}
		h += 12;		/* the null encryption's hash */
		/* STREAM, data length present, 1-byte ID 1, offset 0; then
		 * the CHLO cut in two frames (the second with a 2-byte
		 * offset), then PADDING. */
		n = h;
		pkt[n++] = 0xa0;
		pkt[n++] = 1;
		pkt[n++] = 0;
		pkt[n++] = 20;
		memcpy(pkt + n, chlo, 20);
		n += 20;
		pkt[n++] = 0xa4;
		pkt[n++] = 1;
		pkt[n++] = 0;
		pkt[n++] = 20;
		pkt[n++] = (uint8_t)((cl - 20) >> 8);
		pkt[n++] = (uint8_t)(cl - 20);
		memcpy(pkt + n, chlo + 20, cl - 20);
		n += cl - 20;
		n = 1350;
		assert_true(quic_looks_like_initial(pkt, n));
		assert_int_equal(quic_client_datagram(st, pkt, n).st, PARSE_OK);
		assert_true(quic_hello_is_chlo(st));
		assert_int_equal(quic_version(st),
		    q == 0 ? QUIC_VERSION_Q043 : QUIC_VERSION_Q046);
		msg = quic_client_hello(st, &mlen);
		assert_int_equal(mlen, cl);
		assert_true(quic_chlo_sni(msg, mlen, sni, sizeof(sni)));
		assert_string_equal(sni, "r3.googlevideo.com");
		quic_state_free(st);
	}
	/* Q039 (flags 0x0d, as Chrome sent them), a CHLO sent again at
	 * stream offset 1024 after a REJ: read from there. */
	{
		struct quic_state *st = quic_state_new(qc);

		memset(pkt, 0, sizeof(pkt));
		memcpy(pkt, "\x0d\x01\x02\x03\x04\x05\x06\x07\x08Q039\x02", 14);
		n = 14 + 12;
		pkt[n++] = 0xa4;
		pkt[n++] = 1;
		pkt[n++] = 0x04;
		pkt[n++] = 0x00;
		pkt[n++] = (uint8_t)(cl >> 8);
		pkt[n++] = (uint8_t)cl;
		memcpy(pkt + n, chlo, cl);
		assert_int_equal(quic_client_datagram(st, pkt, 1350).st,
		    PARSE_OK);
		assert_int_equal(quic_version(st), QUIC_VERSION_Q039);
		msg = quic_client_hello(st, &mlen);
		assert_true(quic_chlo_sni(msg, mlen, sni, sizeof(sni)));
		assert_string_equal(sni, "r3.googlevideo.com");
		quic_state_free(st);
	}
	/* A Q043 reset or multipath flag is not a client's first packet. */
	pkt[0] = 0x0b;
	memcpy(pkt + 9, "Q043", 4);
	assert_false(quic_looks_like_initial(pkt, 1350));
}

/* Q050: a protected Initial (own salt) whose CRYPTO frame (0x08) holds a
 * CHLO; a TLS ClientHello there is no CHLO. */
static void
test_gquic_q050(void **state)
{
	uint8_t chlo[256], frames[300], pkt[1500], hello[512];
	size_t cl = chlo_build(chlo, "play.googleapis.com"), fl, len, mlen = 0;
	struct quic_state *st = quic_state_new(qc);
	char sni[64];

	(void)state;
	fl = crypto_frame(frames, 0, chlo, cl);
	frames[0] = 0x08;
	len = build(QUIC_VERSION_Q050, rfc_dcid, sizeof(rfc_dcid), 0, frames,
	    fl, 1200, pkt, sizeof(pkt));
	assert_true(quic_looks_like_initial(pkt, len));
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_true(quic_hello_is_chlo(st));
	{
		const uint8_t *msg = quic_client_hello(st, &mlen);

		assert_non_null(msg);
		assert_int_equal(mlen, cl);
		assert_memory_equal(msg, chlo, cl);
		assert_true(quic_chlo_sni(msg, mlen, sni, sizeof(sni)));
	}
	assert_string_equal(sni, "play.googleapis.com");
	quic_state_free(st);

	st = quic_state_new(qc);
	fl = crypto_frame(frames, 0, hello, rfc_client_hello(hello,
	    sizeof(hello)) > 250 ? 250 : rfc_client_hello(hello, sizeof(hello)));
	frames[0] = 0x08;
	len = build(QUIC_VERSION_Q050, rfc_dcid, sizeof(rfc_dcid), 0, frames,
	    fl, 1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_MALFORMED);
	quic_state_free(st);
}

static void
rfc_packet(const char *file, uint32_t version)
{
	uint8_t pkt[1500], frame[512], built[1500];
	size_t len, flen, blen;
	struct quic_state *st;
	struct parse_result r;
	struct quic_build b = {
		.version = version, .dcid = rfc_dcid,
		.dcid_len = sizeof(rfc_dcid), .pn = 2, .pn_len = 4,
		.pad_to = 1200,
	};

	len = hex_file(file, pkt, sizeof(pkt));
	assert_int_equal(len, 1200);
	assert_true(quic_looks_like_initial(pkt, len));

	st = quic_state_new(qc);
	assert_non_null(st);
	assert_int_equal(quic_version(st), 0);
	assert_null(quic_client_hello(st, &flen));
	r = quic_client_datagram(st, pkt, len);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, len);
	assert_int_equal(quic_version(st), version);
	assert_is_rfc_hello(st);
	/* Later datagrams change nothing. */
	assert_int_equal(quic_client_datagram(st, pkt, 10).st, PARSE_OK);
	assert_is_rfc_hello(st);
	st = quic_state_free(st);
	assert_null(st);

	/* Sealing the RFC's plaintext must give the RFC's packet, byte for byte. */
	flen = hex_decode(rfc_crypto_frame_hex, frame, sizeof(frame));
	assert_int_equal(quic_build_initial(qc, &b, frame, flen, built,
	    sizeof(built), &blen), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(built, pkt, len);
}

static void
test_rfc9001_client_initial(void **state)
{
	(void)state;
	rfc_packet("rfc9001_a2_client_initial.hex", QUIC_VERSION_1);
}

static void
test_rfc9369_client_initial(void **state)
{
	(void)state;
	rfc_packet("rfc9369_a2_client_initial.hex", QUIC_VERSION_2);
}

static void
test_rfc_hello_tls(void **state)
{
	uint8_t pkt[1500];
	size_t len, mlen = 0;
	struct quic_state *st = quic_state_new(qc);
	struct tls_client_hello ch;
	const uint8_t *msg;

	(void)state;
	len = hex_file("rfc9001_a2_client_initial.hex", pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	msg = quic_client_hello(st, &mlen);
	assert_non_null(msg);
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(tls_client_hello_parse(NULL, msg, mlen, true, &ch).st,
	    PARSE_OK);
	assert_string_equal(ch.sni, "example.com");
	assert_string_equal(ch.alpn, "alpn");
	assert_int_equal(ch.max_version, 0x0304);
	/* JA4 over QUIC starts with 'q', TLS 1.3, SNI to a domain. */
	assert_int_equal(ch.ja4[0], 'q');
	assert_memory_equal(ch.ja4, "q13d", 4);
	quic_state_free(st);
}

/* The RFC ClientHello split over n Initials, sent in the given order. */
static void
split_and_feed(uint32_t version, size_t n, const size_t *cuts,
    const size_t *order)
{
	uint8_t hello[512], frames[600], pkts[4][1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), plen[4];
	struct quic_state *st = quic_state_new(qc);
	struct parse_result r;

	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		size_t from = i == 0 ? 0 : cuts[i - 1];
		size_t to = i == n - 1 ? hlen : cuts[i];
		size_t fl = crypto_frame(frames, from, hello + from, to - from);

		plen[i] = build(version, rfc_dcid, sizeof(rfc_dcid), i, frames,
		    fl, 1200, pkts[i], sizeof(pkts[i]));
	}
	for (size_t i = 0; i < n; i++) {
		r = quic_client_datagram(st, pkts[order[i]], plen[order[i]]);
		assert_int_equal(r.st, i == n - 1 ? PARSE_OK : PARSE_NEED_MORE);
		if (i < n - 1)
			assert_null(quic_client_hello(st, &plen[0]));
	}
	assert_is_rfc_hello(st);
	assert_int_equal(quic_version(st), version);
	quic_state_free(st);
}

static void
test_split_two(void **state)
{
	static const size_t cuts[] = { 100 }, order[] = { 0, 1 };

	(void)state;
	split_and_feed(QUIC_VERSION_1, 2, cuts, order);
	split_and_feed(QUIC_VERSION_2, 2, cuts, order);
	/* The 4-byte handshake header itself split. */
	static const size_t cuts2[] = { 2 };
	split_and_feed(QUIC_VERSION_1, 2, cuts2, order);
}

static void
test_split_three_out_of_order(void **state)
{
	static const size_t cuts[] = { 80, 160 };
	static const size_t o1[] = { 2, 0, 1 }, o2[] = { 1, 2, 0 };

	(void)state;
	split_and_feed(QUIC_VERSION_1, 3, cuts, o1);
	split_and_feed(QUIC_VERSION_2, 3, cuts, o2);
	split_and_feed(QUIC_VERSION_DRAFT29, 3, cuts, o1);
}

/* Overlapping and repeated CRYPTO frames, out of order, in one packet. */
static void
test_overlap_duplicate(void **state)
{
	uint8_t hello[512], frames[1200], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl = 0, len;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	fl += crypto_frame(frames + fl, 100, hello + 100, hlen - 100);
	frames[fl++] = 0x01;	/* PING */
	fl += crypto_frame(frames + fl, 50, hello + 50, 100);
	fl += crypto_frame(frames + fl, 0, hello, 60);
	fl += crypto_frame(frames + fl, 0, hello, 60);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);
}

/* ACK, ACK_ECN, CONNECTION_CLOSE, PING and PADDING are walked over. */
static void
test_skipped_frames(void **state)
{
	uint8_t hello[512], frames[1200], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl = 0, len;
	struct quic_state *st = quic_state_new(qc);
	static const uint8_t ack[] = {
		0x02, 0x05, 0x40, 0x10, 0x01, 0x02, 0x00, 0x01,	/* 1 range */
		0x03, 0x07, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,	/* ECN */
		0x1c, 0x00, 0x06, 0x03, 'b', 'y', 'e',		/* CLOSE */
		0x01, 0x00, 0x00,
	};

	(void)state;
	memcpy(frames, ack, sizeof(ack));
	fl = sizeof(ack);
	fl += crypto_frame(frames + fl, 0, hello, hlen);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);
}

static void
test_forbidden_frame(void **state)
{
	/* STREAM (0x08), NEW_TOKEN (0x07), a truncated ACK, a long CRYPTO. */
	static const uint8_t bad[][6] = {
		{ 0x08, 0x00, 0x01, 0x61 },
		{ 0x07, 0x01, 0x61 },
		{ 0x02, 0x05 },
		{ 0x06, 0x00, 0x44, 0x00, 0x01 },
		{ 0x1c, 0x00, 0x06, 0x05, 'b' },
	};
	static const size_t bad_len[] = { 4, 3, 2, 5, 5 };
	uint8_t frames[64], pkt[1500];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		struct quic_state *st = quic_state_new(qc);

		/* No padding: the bad frame is the last bytes of the payload. */
		memcpy(frames, bad[i], bad_len[i]);
		len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0,
		    frames, bad_len[i], 0, pkt, sizeof(pkt));
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    PARSE_MALFORMED);
		quic_state_free(st);
	}
}

/* Initial coalesced with a 0-RTT packet, then zero padding. */
static void
test_coalesced_0rtt(void **state)
{
	uint8_t hello[512], frames[600], dgram[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len, n;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	fl = crypto_frame(frames, 0, hello, hlen);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    0, dgram, sizeof(dgram));
	/* 0-RTT: type 1, same DCID, 40 bytes of opaque payload. */
	n = len;
	dgram[n++] = 0xd1;
	memcpy(dgram + n, "\x00\x00\x00\x01", 4);
	n += 4;
	dgram[n++] = sizeof(rfc_dcid);
	memcpy(dgram + n, rfc_dcid, sizeof(rfc_dcid));
	n += sizeof(rfc_dcid);
	dgram[n++] = 0;
	dgram[n++] = 40;
	memset(dgram + n, 0xa5, 40);
	n += 40;
	memset(dgram + n, 0, 1200 - n);
	n = 1200;
	assert_int_equal(quic_client_datagram(st, dgram, n).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);

	/* The 0-RTT first, then the Initial: still read. */
	st = quic_state_new(qc);
	memmove(dgram, dgram + len, 2 + 4 + 1 + 8 + 1 + 40);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    0, dgram + 56, sizeof(dgram) - 56);
	assert_int_equal(quic_client_datagram(st, dgram, 56 + len).st,
	    PARSE_OK);
	quic_state_free(st);
}

/* Two Initials coalesced, each with half the ClientHello. */
static void
test_coalesced_two_initials(void **state)
{
	uint8_t hello[512], frames[600], dgram[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	fl = crypto_frame(frames, 120, hello + 120, hlen - 120);
	len = build(QUIC_VERSION_2, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    0, dgram, sizeof(dgram));
	fl = crypto_frame(frames, 0, hello, 120);
	len += build(QUIC_VERSION_2, rfc_dcid, sizeof(rfc_dcid), 1, frames, fl,
	    1200 - len, dgram + len, sizeof(dgram) - len);
	assert_int_equal(len, 1200);
	assert_int_equal(quic_client_datagram(st, dgram, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);
}

/* After the server's Initial the client's DCID changes: keys do not. */
static void
test_new_dcid_same_keys(void **state)
{
	static const uint8_t server_cid[] = { 0xf0, 0x67, 0xa5, 0x50 };
	uint8_t hello[512], frames[600], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len;
	struct quic_state *st = quic_state_new(qc);
	struct quic_build b = {
		.version = QUIC_VERSION_1, .dcid = server_cid,
		.dcid_len = sizeof(server_cid), .key_dcid = rfc_dcid,
		.key_dcid_len = sizeof(rfc_dcid), .pn = 1, .pn_len = 1,
		.pad_to = 1200,
	};

	(void)state;
	fl = crypto_frame(frames, 0, hello, 100);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_NEED_MORE);
	fl = crypto_frame(frames, 100, hello + 100, hlen - 100);
	assert_int_equal(quic_build_initial(qc, &b, frames, fl, pkt, sizeof(pkt),
	    &len), 0);
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);
}

/* A Retry: the client starts over with keys from the server's new DCID. */
static void
test_retry_rekey(void **state)
{
	static const uint8_t retry_cid[] = { 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t hello[512], frames[600], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	/* The first attempt's stream start differs: the Retry discards it. */
	static const uint8_t other[] = { 0x01, 0x00, 0x01, 0x00, 0xee };
	fl = crypto_frame(frames, 0, other, sizeof(other));
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_NEED_MORE);
	fl = crypto_frame(frames, 0, hello, hlen);
	len = build(QUIC_VERSION_1, retry_cid, sizeof(retry_cid), 1, frames,
	    fl, 1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	quic_state_free(st);
}

/* Compatible version negotiation: v1 first, then v2 from the same DCID. */
static void
test_version_switch(void **state)
{
	static const uint8_t server_cid[] = { 0xab, 0xcd };
	uint8_t hello[512], frames[600], pkt[1500];
	size_t hlen = rfc_client_hello(hello, sizeof(hello)), fl, len;
	struct quic_state *st = quic_state_new(qc);
	struct quic_build b = {
		.version = QUIC_VERSION_2, .dcid = server_cid,
		.dcid_len = sizeof(server_cid), .key_dcid = rfc_dcid,
		.key_dcid_len = sizeof(rfc_dcid), .pn = 1, .pn_len = 2,
		.pad_to = 1200,
	};

	(void)state;
	fl = crypto_frame(frames, 0, hello, 100);
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_NEED_MORE);
	fl = crypto_frame(frames, 100, hello + 100, hlen - 100);
	assert_int_equal(quic_build_initial(qc, &b, frames, fl, pkt, sizeof(pkt),
	    &len), 0);
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	assert_is_rfc_hello(st);
	/* The connection's version is the one it started with. */
	assert_int_equal(quic_version(st), QUIC_VERSION_1);
	quic_state_free(st);
}

static void
test_wrong_version(void **state)
{
	uint8_t pkt[1500];
	size_t len;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	len = hex_file("rfc9001_a2_client_initial.hex", pkt, sizeof(pkt));
	/*
	 * draft-21 and draft-33 (never deployed past 32), gQUIC Q035, a
	 * greasing version forcing negotiation, Version Negotiation.
	 */
	static const uint32_t bad[] = { 0xff000015, 0xff000021, 0x51303335,
	    0x1a2a3a4a, 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pkt[1] = (uint8_t)(bad[i] >> 24);
		pkt[2] = (uint8_t)(bad[i] >> 16);
		pkt[3] = (uint8_t)(bad[i] >> 8);
		pkt[4] = (uint8_t)bad[i];
		assert_false(quic_looks_like_initial(pkt, len));
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    PARSE_UNSUPPORTED);
	}
	assert_int_equal(quic_version(st), 0);
	quic_state_free(st);

	/* v1 bytes labelled v2 do not decrypt (salt and type differ). */
	st = quic_state_new(qc);
	len = hex_file("rfc9001_a2_client_initial.hex", pkt, sizeof(pkt));
	memcpy(pkt + 1, "\x6b\x33\x43\xcf", 4);
	pkt[0] = (uint8_t)((pkt[0] & 0xcf) | 0x10);	/* v2 Initial type */
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_MALFORMED);
	quic_state_free(st);
}

static void
test_truncated(void **state)
{
	uint8_t pkt[1500];
	size_t len;
	struct quic_state *st = quic_state_new(qc);

	(void)state;
	len = hex_file("rfc9001_a2_client_initial.hex", pkt, sizeof(pkt));
	for (size_t cut = 1; cut < len; cut += 37) {
		assert_int_equal(quic_client_datagram(st, pkt, cut).st,
		    PARSE_TRUNCATED);
		if (cut > 22)
			assert_false(quic_looks_like_initial(pkt, cut));
	}
	assert_int_equal(quic_client_datagram(st, pkt, len - 1).st,
	    PARSE_TRUNCATED);
	/* Nothing was spoiled: the whole packet still works. */
	assert_int_equal(quic_client_datagram(st, pkt, len).st, PARSE_OK);
	quic_state_free(st);
}

static void
test_bad_tag(void **state)
{
	uint8_t pkt[1500];
	size_t len;
	static const size_t flip[] = { 1199, 1190, 600, 30, 22, 7, 18 };

	(void)state;
	len = hex_file("rfc9001_a2_client_initial.hex", pkt, sizeof(pkt));
	for (size_t i = 0; i < sizeof(flip) / sizeof(flip[0]); i++) {
		struct quic_state *st = quic_state_new(qc);

		pkt[flip[i]] ^= 0x01;
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    PARSE_MALFORMED);
		assert_null(quic_client_hello(st, &len));
		pkt[flip[i]] ^= 0x01;
		/* The good packet afterwards still opens. */
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    PARSE_OK);
		quic_state_free(st);
	}
}

static void
test_garbage(void **state)
{
	uint8_t buf[1400];
	uint32_t x = 0x12345678;
	struct quic_state *st = quic_state_new(qc);
	struct parse_result r;

	(void)state;
	assert_false(quic_looks_like_initial(NULL, 0));
	r = quic_client_datagram(st, buf, 0);
	assert_int_not_equal(r.st, PARSE_OK);
	/* A short header as first datagram is not QUIC we can read. */
	memset(buf, 0x41, sizeof(buf));
	assert_false(quic_looks_like_initial(buf, sizeof(buf)));
	assert_int_equal(quic_client_datagram(st, buf, sizeof(buf)).st,
	    PARSE_UNSUPPORTED);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		/* Half the rounds look like v1 Initials with random bytes. */
		if (round % 2 == 0) {
			memcpy(buf, "\xc3\x00\x00\x00\x01\x08", 6);
			buf[15] = 0;
			buf[16] = 0;
			buf[17] = 0x45;
			buf[18] = 0x00;
		}
		r = quic_client_datagram(st, buf, sizeof(buf));
		assert_int_not_equal(r.st, PARSE_OK);
	}
	assert_null(quic_client_hello(st, &(size_t){ 0 }));
	quic_state_free(st);
	assert_null(quic_state_free(NULL));
}

static void
test_too_big_and_not_hello(void **state)
{
	uint8_t frames[64], pkt[1500];
	size_t fl, len;
	struct quic_state *st = quic_state_new(qc);
	static const uint8_t big[] = { 0x01, 0x00, 0x40, 0x00 };	/* 16 KiB */
	static const uint8_t sh[] = { 0x02, 0x00, 0x00, 0x10 };

	(void)state;
	fl = crypto_frame(frames, 0, big, sizeof(big));
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_UNSUPPORTED);
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_UNSUPPORTED);
	quic_state_free(st);

	st = quic_state_new(qc);
	fl = crypto_frame(frames, 0, sh, sizeof(sh));
	len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), 0, frames, fl,
	    1200, pkt, sizeof(pkt));
	assert_int_equal(quic_client_datagram(st, pkt, len).st,
	    PARSE_MALFORMED);
	quic_state_free(st);
}

/* A 6000-byte ClientHello over six Initials, the last one first. */
static void
test_large_hello(void **state)
{
	static uint8_t hello[6000];
	uint8_t frames[1200], pkt[1500];
	size_t fl, len, mlen = 0;
	struct quic_state *st = quic_state_new(qc);
	const uint8_t *msg;

	(void)state;
	for (size_t i = 0; i < sizeof(hello); i++)
		hello[i] = (uint8_t)(i * 7);
	hello[0] = 0x01;
	hello[1] = 0x00;
	hello[2] = (uint8_t)((sizeof(hello) - 4) >> 8);
	hello[3] = (uint8_t)(sizeof(hello) - 4);
	for (size_t k = 0; k < 6; k++) {
		size_t i = (k + 5) % 6;

		fl = crypto_frame(frames, i * 1000, hello + i * 1000, 1000);
		len = build(QUIC_VERSION_1, rfc_dcid, sizeof(rfc_dcid), k,
		    frames, fl, 1200, pkt, sizeof(pkt));
		assert_int_equal(quic_client_datagram(st, pkt, len).st,
		    k == 5 ? PARSE_OK : PARSE_NEED_MORE);
	}
	msg = quic_client_hello(st, &mlen);
	assert_int_equal(mlen, sizeof(hello));
	assert_memory_equal(msg, hello, sizeof(hello));
	quic_state_free(st);
}

/*
 * Client Initial datagrams from real captures (UDP payloads, one per
 * line in NAME.hex), with the SNI and the JA4 "a" part in NAME.sni (see
 * data/quic/README).  n_dgrams: datagrams needed for the ClientHello.
 */
static void
real_capture(const char *name, uint32_t version, int n_dgrams)
{
	char path[512], sni[256], ja4a[64];
	static uint8_t dgram[65536];
	FILE *f;
	size_t len, mlen = 0, cap = 0;
	struct quic_state *st = quic_state_new(qc);
	struct parse_result r = { PARSE_NEED_MORE, 0, 0 };
	struct tls_client_hello ch;
	const uint8_t *msg;
	char *line = NULL;
	int fed = 0;

	snprintf(path, sizeof(path), "%s%s.sni", DATA_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(sni, sizeof(sni), f));
	assert_non_null(fgets(ja4a, sizeof(ja4a), f));
	fclose(f);
	sni[strcspn(sni, "\r\n")] = '\0';
	ja4a[strcspn(ja4a, "\r\n")] = '\0';

	snprintf(path, sizeof(path), "%s%s.hex", DATA_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(quic_looks_like_initial(dgram, 0) == false);
	while (r.st == PARSE_NEED_MORE && getline(&line, &cap, f) > 0) {
		len = hex_decode(line, dgram, sizeof(dgram));
		if (len == 0)
			continue;
		if (fed == 0)
			assert_true(quic_looks_like_initial(dgram, len));
		r = quic_client_datagram(st, dgram, len);
		fed++;
	}
	free(line);
	fclose(f);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(fed, n_dgrams);
	assert_int_equal(quic_version(st), version);
	msg = quic_client_hello(st, &mlen);
	assert_non_null(msg);
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(tls_client_hello_parse(NULL, msg, mlen, true, &ch).st,
	    PARSE_OK);
	assert_string_equal(ch.sni, sni);
	assert_int_equal(ch.ja4[0], 'q');
	if (ja4a[0] != '\0')
		assert_memory_equal(ch.ja4, ja4a, strlen(ja4a));
	quic_state_free(st);
}

static void
test_real_v1(void **state)
{
	(void)state;
	real_capture("v1_single", QUIC_VERSION_1, 1);
}

static void
test_real_v1_multi(void **state)
{
	(void)state;
	real_capture("v1_multi", QUIC_VERSION_1, 2);
}

static void
test_real_draft29(void **state)
{
	(void)state;
	real_capture("draft29", QUIC_VERSION_DRAFT29, 1);
}

static void
test_real_mvfst(void **state)
{
	(void)state;
	real_capture("mvfst27", QUIC_VERSION_MVFST27, 1);
}

static void
test_real_t050(void **state)
{
	(void)state;
	real_capture("t050", QUIC_VERSION_T050, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9001_keys),
		cmocka_unit_test(test_rfc9369_keys),
		cmocka_unit_test(test_draft_keys),
		cmocka_unit_test(test_old_versions),
		cmocka_unit_test(test_chlo_sni),
		cmocka_unit_test(test_gquic_clear),
		cmocka_unit_test(test_gquic_q050),
		cmocka_unit_test(test_rfc9001_client_initial),
		cmocka_unit_test(test_rfc9369_client_initial),
		cmocka_unit_test(test_rfc_hello_tls),
		cmocka_unit_test(test_split_two),
		cmocka_unit_test(test_split_three_out_of_order),
		cmocka_unit_test(test_overlap_duplicate),
		cmocka_unit_test(test_skipped_frames),
		cmocka_unit_test(test_forbidden_frame),
		cmocka_unit_test(test_coalesced_0rtt),
		cmocka_unit_test(test_coalesced_two_initials),
		cmocka_unit_test(test_new_dcid_same_keys),
		cmocka_unit_test(test_retry_rekey),
		cmocka_unit_test(test_version_switch),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_tag),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_too_big_and_not_hello),
		cmocka_unit_test(test_large_hello),
		cmocka_unit_test(test_real_v1),
		cmocka_unit_test(test_real_v1_multi),
		cmocka_unit_test(test_real_draft29),
		cmocka_unit_test(test_real_mvfst),
		cmocka_unit_test(test_real_t050),
	};

	return cmocka_run_group_tests(tests, ctx_setup, ctx_teardown);
}
