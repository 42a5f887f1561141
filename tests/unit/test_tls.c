/*
 * test_tls.c - TLS ClientHello/ServerHello parser and JA3/JA4 tests.
 *
 * Two kinds of input: handcrafted messages built below (GREASE, the JA4
 * spec's own example, malformed lengths, record splits) and real
 * handshakes cut from the nDPI test captures (tests/unit/data/tls, see
 * its README), whose expected SNI and JA3 come from tshark and whose
 * JA4 hashes are cross-checked against nDPI's.
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

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls.h"
#include "tls_fp.h"

/*
 * The certificate decoder, cache and fingerprint memo every parse here
 * shares, and a fingerprint memo of the tests' own.
 */
static struct tls_ctx *tc;
static struct tls_fp_memo *memo;

static int
ctx_setup(void **state)
{
	(void)state;
	if ((tc = tls_ctx_new()) == NULL || (memo = tls_fp_memo_new()) == NULL)
		return -1;
	return 0;
}

static int
ctx_teardown(void **state)
{
	(void)state;
	tc = tls_ctx_free(tc);
	memo = tls_fp_memo_free(memo);
	return 0;
}

#define DATA_DIR TOP_SRCDIR "/tests/unit/data/tls"

/* ------------------------------------------------------------------ */
/* A small byte builder for handcrafted messages. */

struct bb {
	uint8_t b[70000];
	size_t n;
};

static void
bb_u8(struct bb *bb, unsigned v)
{
	assert_true(bb->n + 1 <= sizeof(bb->b));
	bb->b[bb->n++] = (uint8_t)v;
}

static void
bb_u16(struct bb *bb, unsigned v)
{
	bb_u8(bb, v >> 8);
	bb_u8(bb, v & 0xff);
}

static void
bb_u24(struct bb *bb, unsigned v)
{
	bb_u8(bb, v >> 16);
	bb_u16(bb, v & 0xffff);
}

static void
bb_bytes(struct bb *bb, const void *p, size_t n)
{
	assert_true(bb->n + n <= sizeof(bb->b));
	memcpy(&bb->b[bb->n], p, n);
	bb->n += n;
}

/* Start a length field of w bytes; returns its position. */
static size_t
bb_open(struct bb *bb, int w)
{
	size_t at = bb->n;

	for (int i = 0; i < w; i++)
		bb_u8(bb, 0);
	return at;
}

static void
bb_close(struct bb *bb, size_t at, int w)
{
	size_t len = bb->n - at - (size_t)w;

	for (int i = w - 1; i >= 0; i--) {
		bb->b[at + (size_t)i] = (uint8_t)(len & 0xff);
		len >>= 8;
	}
}

/* Wrap handshake bytes into records of at most chunk bytes each. */
static void
records(struct bb *out, uint8_t type, const uint8_t *p, size_t n,
    size_t chunk)
{
	size_t off = 0;

	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		bb_u8(out, type);
		bb_u16(out, 0x0301);
		bb_u16(out, (unsigned)k);
		bb_bytes(out, &p[off], k);
		off += k;
	}
}

/* ------------------------------------------------------------------ */
/* Handcrafted ClientHello. */

struct ch_spec {
	uint16_t legacy;
	const uint16_t *ciphers;
	size_t n_ciphers;
	const uint16_t *exts;		/* extension order; contents below */
	size_t n_exts;
	const char *sni;
	const uint8_t *alpn;		/* wire ProtocolNameList contents */
	size_t alpn_len;
	const uint16_t *versions;
	size_t n_versions;
	const uint16_t *groups;
	size_t n_groups;
	const uint16_t *sigalgs;
	size_t n_sigalgs;
};

static void
ext_list16(struct bb *bb, const uint16_t *v, size_t n)
{
	size_t l = bb_open(bb, 2);

	for (size_t i = 0; i < n; i++)
		bb_u16(bb, v[i]);
	bb_close(bb, l, 2);
}

static void
build_ch(struct bb *bb, const struct ch_spec *s)
{
	size_t hs, l, ext;

	bb_u8(bb, 1);
	hs = bb_open(bb, 3);
	bb_u16(bb, s->legacy);
	for (int i = 0; i < 32; i++)
		bb_u8(bb, (unsigned)i);
	bb_u8(bb, 0);			/* empty session id */
	l = bb_open(bb, 2);
	for (size_t i = 0; i < s->n_ciphers; i++)
		bb_u16(bb, s->ciphers[i]);
	bb_close(bb, l, 2);
	bb_u8(bb, 1);
	bb_u8(bb, 0);			/* null compression */
	l = bb_open(bb, 2);
	for (size_t i = 0; i < s->n_exts; i++) {
		uint16_t t = s->exts[i];

		bb_u16(bb, t);
		ext = bb_open(bb, 2);
		switch (t) {
		case 0x0000: {
			size_t list = bb_open(bb, 2);

			bb_u8(bb, 0);
			bb_u16(bb, (unsigned)strlen(s->sni));
			bb_bytes(bb, s->sni, strlen(s->sni));
			bb_close(bb, list, 2);
			break;
		}
		case 0x0010: {
			size_t list = bb_open(bb, 2);

			bb_bytes(bb, s->alpn, s->alpn_len);
			bb_close(bb, list, 2);
			break;
		}
		case 0x002b: {
			size_t list = bb_open(bb, 1);

			for (size_t k = 0; k < s->n_versions; k++)
				bb_u16(bb, s->versions[k]);
			bb_close(bb, list, 1);
			break;
		}
		case 0x000a:
			ext_list16(bb, s->groups, s->n_groups);
			break;
		case 0x000d:
			ext_list16(bb, s->sigalgs, s->n_sigalgs);
			break;
		case 0x000b:
			bb_u8(bb, 1);
			bb_u8(bb, 0);
			break;
		default:
			break;		/* empty extension */
		}
		bb_close(bb, ext, 2);
	}
	bb_close(bb, l, 2);
	bb_close(bb, hs, 3);
}

/* The example ClientHello of FoxIO's JA4.md. */
static const uint16_t spec_ciphers[] = {
	0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
	0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
};
static const uint16_t spec_exts[] = {
	0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
	0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
};
static const uint16_t spec_sigalgs[] = {
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};
static const uint16_t spec_versions[] = { 0x0304, 0x0303 };
static const uint16_t spec_groups[] = { 0x001d, 0x0017, 0x0018 };
static const uint8_t alpn_h2_h11[] = {
	2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1',
};

static struct ch_spec
spec_example(void)
{
	struct ch_spec s = {
		.legacy = 0x0303,
		.ciphers = spec_ciphers, .n_ciphers = 15,
		.exts = spec_exts, .n_exts = 16,
		.sni = "example.com",
		.alpn = alpn_h2_h11, .alpn_len = sizeof(alpn_h2_h11),
		.versions = spec_versions, .n_versions = 2,
		.groups = spec_groups, .n_groups = 3,
		.sigalgs = spec_sigalgs, .n_sigalgs = 8,
	};
	return s;
}

static void
test_ja4_spec_example(void **state)
{
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();
	struct parse_result r;
	char raw[1024];

	(void)state;
	bb.n = 0;
	build_ch(&bb, &s);
	r = tls_client_hello_parse(tc, bb.b, bb.n, false, &ch);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, bb.n);
	assert_string_equal(ch.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_true(tls_ja4_raw(&ch, false, raw, sizeof(raw)) > 0);
	assert_string_equal(raw, "t13d1516h2_"
	    "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
	    "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
	    "0403,0804,0401,0503,0805,0501,0806,0601");
	assert_string_equal(ch.sni, "example.com");
	assert_string_equal(ch.alpn, "h2,http/1.1");
	assert_string_equal(ch.alpn_first, "h2");
	assert_int_equal(ch.max_version, 0x0304);
	assert_int_equal(ch.n_ciphers, 15);
	assert_int_equal(ch.n_extensions, 16);
	assert_int_equal(ch.n_groups, 3);
	assert_int_equal(ch.n_point_formats, 1);
	assert_int_equal(ch.n_sig_algs, 8);
	assert_false(ch.lists_cut);

	/* QUIC: same hello, 'q' prefix. */
	r = tls_client_hello_parse(tc, bb.b, bb.n, true, &ch);
	assert_int_equal(r.st, PARSE_OK);
	assert_string_equal(ch.ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
}

static void
test_grease(void **state)
{
	static const uint16_t ciphers[] = {
		0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
		0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
	};
	static const uint16_t exts[] = {
		0x2a2a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d,
		0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a,
		0x0015, 0xfafa,
	};
	static const uint16_t versions[] = { 0x7a7a, 0x0304, 0x0303 };
	static const uint16_t groups[] = { 0x3a3a, 0x001d, 0x0017, 0x0018 };
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();
	char ja3[TLS_JA3_STR_MAX];

	(void)state;
	s.ciphers = ciphers;
	s.n_ciphers = 16;
	s.exts = exts;
	s.n_exts = 18;
	s.versions = versions;
	s.n_versions = 3;
	s.groups = groups;
	s.n_groups = 4;
	bb.n = 0;
	build_ch(&bb, &s);
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_OK);
	/* GREASE is kept in the lists but ignored by both fingerprints. */
	assert_int_equal(ch.n_ciphers, 16);
	assert_int_equal(ch.max_version, 0x0304);
	assert_string_equal(ch.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_true(tls_ja3_string(&ch, ja3, sizeof(ja3)) > 0);
	assert_string_equal(ja3, "771,"
	    "4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
	    "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,"
	    "29-23-24,0");
	assert_true(tls_is_grease(0x0a0a));
	assert_true(tls_is_grease(0xfafa));
	assert_false(tls_is_grease(0x0a1a));
	assert_false(tls_is_grease(0x1301));

	/* The JA3 hash is MD5 of that string. */
	{
		struct tls_client_hello ch2 = ch;
		uint8_t d[16];
		unsigned dl = 0;
		char hex[33];

		assert_int_equal(EVP_Digest(ja3, strlen(ja3), d, &dl,
		    EVP_md5(), NULL), 1);
		for (int i = 0; i < 16; i++)
			snprintf(&hex[2 * i], 3, "%02x", d[i]);
		assert_string_equal(ch2.ja3, hex);
	}
}

/* ------------------------------------------------------------------ */
/* Fingerprints remembered by their lists agree with fresh ones. */

static void
digest_hex_of(const EVP_MD *md, const char *s, size_t len, size_t nhex,
    char *out)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned dl = 0;

	assert_int_equal(EVP_Digest(s, len, d, &dl, md, NULL), 1);
	assert_true(nhex <= 2 * (size_t)dl);
	for (unsigned i = 0; i < dl; i++)
		snprintf(&hex[2 * i], 3, "%02x", d[i]);
	memcpy(out, hex, nhex);
	out[nhex] = '\0';
}

/* JA3 and JA4 computed the long way: the strings, then the digests. */
static void
fingerprints_fresh(const struct tls_client_hello *ch, bool quic,
    char ja3[33], char ja4[40])
{
	char s[TLS_JA3_STR_MAX], raw[8192], *b, *c, *sig;
	int n;

	assert_true((n = tls_ja3_string(ch, s, sizeof(s))) >= 0);
	digest_hex_of(EVP_md5(), s, (size_t)n, 32, ja3);
	assert_true(tls_ja4_raw(ch, quic, raw, sizeof(raw)) > 0);
	/* raw: a_ciphers_extensions[_sigalgs] */
	b = strchr(raw, '_');
	assert_non_null(b);
	*b++ = '\0';
	c = strchr(b, '_');
	assert_non_null(c);
	*c++ = '\0';
	sig = strchr(c, '_');
	/* a (10 characters), '_', b's hash, '_', c's hash */
	assert_int_equal(strlen(raw), 10);
	memcpy(ja4, raw, 10);
	ja4[10] = '_';
	if (*b == '\0')
		memcpy(ja4 + 11, "000000000000", 12);
	else
		digest_hex_of(EVP_sha256(), b, strlen(b), 12, ja4 + 11);
	ja4[23] = '_';
	if (*c == '\0' || c == sig)
		memcpy(ja4 + 24, "000000000000", 13);
	else
		digest_hex_of(EVP_sha256(), c, strlen(c), 12, ja4 + 24);
}

static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void
random_list(uint32_t *x, uint16_t *v, size_t *n, size_t max, bool grease)
{
	*n = rnd(x) % (max + 1);
	for (size_t i = 0; i < *n; i++) {
		/* Few distinct values, so lists often share prefixes. */
		v[i] = (uint16_t)(rnd(x) % 24);
		if (grease && rnd(x) % 8 == 0)
			v[i] = (uint16_t)(0x0a0a + 0x1010 * (rnd(x) % 16));
	}
}

static void
check_fingerprints(const struct tls_client_hello *ch, bool quic)
{
	char ja3[33], ja4[40], want3[33], want4[40];

	fingerprints_fresh(ch, quic, want3, want4);
	assert_int_equal(tls_ja3(ch, ja3), 0);
	assert_int_equal(tls_ja4(ch, quic, ja4), 0);
	assert_string_equal(ja3, want3);
	assert_string_equal(ja4, want4);
	assert_int_equal(tls_fingerprints(memo, ch, quic, ja3, ja4), 0);
	assert_string_equal(ja3, want3);
	assert_string_equal(ja4, want4);
}

/* Move the last value of list a to the front of list b. */
static void
shift_boundary(uint16_t *a, size_t *na, uint16_t *b, size_t *nb)
{
	if (*na == 0 || *nb >= TLS_MAX_LIST)
		return;
	memmove(&b[1], &b[0], *nb * sizeof(b[0]));
	b[0] = a[--*na];
	++*nb;
}

static void
test_fingerprint_memo(void **state)
{
	static struct tls_client_hello base, ch;
	uint32_t x = 12345;

	(void)state;
	/*
	 * Random hellos, each followed by near copies that the remembered
	 * digest of the one before must not answer for: QUIC or not, the
	 * highest version, SNI, ALPN, point formats, a value moved across a
	 * list boundary, one signature algorithm, the legacy version, GREASE
	 * added, the extensions reordered.  400 hellos in a
	 * memo of 128 slots also evict, and some lists are too long to
	 * remember (up to 128 values).
	 */
	for (int i = 0; i < 400; i++) {
		bool quic = i % 3 == 0;

		memset(&base, 0, sizeof(base));
		base.legacy_version = rnd(&x) % 2 ? 0x0303 : 0x0301;
		base.max_version = 0x0304;
		random_list(&x, base.ciphers, &base.n_ciphers,
		    i % 50 == 0 ? TLS_MAX_LIST : 6, true);
		random_list(&x, base.extensions, &base.n_extensions, 6, true);
		random_list(&x, base.groups, &base.n_groups, 3, true);
		random_list(&x, base.sig_algs, &base.n_sig_algs, 3, true);
		base.n_point_formats = rnd(&x) % 3;
		for (size_t k = 0; k < base.n_point_formats; k++)
			base.point_formats[k] = (uint8_t)(rnd(&x) % 3);
		base.has_sni_ext = rnd(&x) % 2;
		if (rnd(&x) % 2) {
			base.alpn_first_len = 2;
			base.alpn_first_edge[0] = (uint8_t)("h\x01"[rnd(&x) % 2]);
			base.alpn_first_edge[1] = (uint8_t)("2\xff"[rnd(&x) % 2]);
		}
		check_fingerprints(&base, quic);
		check_fingerprints(&base, quic);

		/* What only JA4's first part reads. */
		check_fingerprints(&base, !quic);
		ch = base;
		ch.max_version = 0x0303;
		check_fingerprints(&ch, quic);
		ch = base;
		ch.has_sni_ext = !ch.has_sni_ext;
		check_fingerprints(&ch, quic);
		ch = base;
		ch.alpn_first_len = ch.alpn_first_len ? 0 : 2;
		check_fingerprints(&ch, quic);
		ch = base;
		ch.alpn_first_len = 2;
		ch.alpn_first_edge[1] ^= 0x01;
		check_fingerprints(&ch, quic);

		ch = base;
		ch.point_formats[ch.n_point_formats++] = 1;
		check_fingerprints(&ch, quic);
		ch = base;
		if (ch.n_point_formats > 0)
			ch.point_formats[0] ^= 1;
		check_fingerprints(&ch, quic);
		ch = base;
		shift_boundary(ch.ciphers, &ch.n_ciphers, ch.extensions,
		    &ch.n_extensions);
		check_fingerprints(&ch, quic);
		ch = base;
		shift_boundary(ch.extensions, &ch.n_extensions, ch.groups,
		    &ch.n_groups);
		check_fingerprints(&ch, quic);
		ch = base;
		ch.sig_algs[ch.n_sig_algs++] = 0x0403;
		check_fingerprints(&ch, quic);
		ch = base;
		ch.legacy_version ^= 0x0002;
		check_fingerprints(&ch, quic);
		ch = base;
		if (ch.n_ciphers < TLS_MAX_LIST)
			ch.ciphers[ch.n_ciphers++] = 0x2a2a;
		check_fingerprints(&ch, quic);
		ch = base;
		for (size_t k = 0; k + 1 < ch.n_extensions; k += 2) {
			uint16_t t = ch.extensions[k];

			ch.extensions[k] = ch.extensions[k + 1];
			ch.extensions[k + 1] = t;
		}
		check_fingerprints(&ch, quic);
	}
}

static void
test_no_sni_no_alpn(void **state)
{
	static const uint16_t exts[] = { 0x000a, 0x000b, 0x000d };
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();

	(void)state;
	s.exts = exts;
	s.n_exts = 3;
	bb.n = 0;
	build_ch(&bb, &s);
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_OK);
	assert_string_equal(ch.sni, "");
	assert_false(ch.has_sni_ext);
	assert_string_equal(ch.alpn, "");
	/* No supported_versions: the legacy version decides ("12"). */
	assert_int_equal(ch.max_version, 0x0303);
	assert_memory_equal(ch.ja4, "t12i150300_8daaf6152771_", 24);
}

static void
test_alpn_edges(void **state)
{
	static const uint8_t single[] = { 1, 'h' };
	static const uint8_t binary[] = { 2, 0xab, 0xcd };
	static const uint8_t mixed[] = { 4, 0x30, 0xab, 0xcd, 0x31 };
	static const uint8_t empty_first[] = { 0, 2, 'h', '2' };
	/* The JA4 spec's examples (technical_details/JA4.md, "ALPN
	 * Extension Value"): a first or last byte that is not ASCII
	 * alphanumeric gives the first and last hex digits of the value.
	 * The older Python and Rust references printed "99" for these;
	 * FoxIO's maintainers hold the written spec as correct. */
	static const uint8_t spec_ab[] = { 1, 0xab };
	static const uint8_t spec_abcdef[] = { 3, 0xab, 0xcd, 0xef };
	static const uint8_t spec_30ab[] = { 2, 0x30, 0xab };
	static const uint8_t spec_b0d[] = { 2, 0xba, 0xcd };
	static const uint8_t http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
	static const uint8_t dash_end[] = { 3, 'h', '2', '-' };
	static const struct {
		const uint8_t *alpn;
		size_t len;
		const char *want;
	} cases[] = {
		{ single, sizeof(single), "hh" },
		{ binary, sizeof(binary), "ad" },
		{ mixed, sizeof(mixed), "01" },
		{ empty_first, sizeof(empty_first), "00" },
		{ spec_ab, sizeof(spec_ab), "ab" },
		{ spec_abcdef, sizeof(spec_abcdef), "af" },
		{ spec_30ab, sizeof(spec_30ab), "3b" },
		{ spec_b0d, sizeof(spec_b0d), "bd" },
		{ http11, sizeof(http11), "h1" },
		{ dash_end, sizeof(dash_end), "6d" },
	};
	static struct bb bb;
	struct tls_client_hello ch;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ch_spec s = spec_example();

		s.alpn = cases[i].alpn;
		s.alpn_len = cases[i].len;
		bb.n = 0;
		build_ch(&bb, &s);
		assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false,
		    &ch).st, PARSE_OK);
		assert_memory_equal(&ch.ja4[8], cases[i].want, 2);
	}
}

static void
test_lists_cut(void **state)
{
	static uint16_t ciphers[200];
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();

	(void)state;
	for (size_t i = 0; i < 200; i++)
		ciphers[i] = (uint16_t)(0x0100 + i);
	s.ciphers = ciphers;
	s.n_ciphers = 200;
	bb.n = 0;
	build_ch(&bb, &s);
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_OK);
	assert_int_equal(ch.n_ciphers, TLS_MAX_LIST);
	assert_true(ch.lists_cut);
	assert_memory_equal(ch.ja4, "t13d9916h2_", 11);
}

/* Find the extension of type t in a built hello; returns its offset. */
static size_t
find_ext(const struct bb *bb, uint16_t t)
{
	/* type(1) len(3) version(2) random(32) sid(1) */
	size_t off = 4 + 2 + 32 + 1, cl, end;

	cl = (size_t)bb->b[off] << 8 | bb->b[off + 1];
	off += 2 + cl;
	off += 1 + bb->b[off];
	end = off + 2 + ((size_t)bb->b[off] << 8 | bb->b[off + 1]);
	off += 2;
	while (off < end) {
		uint16_t et = (uint16_t)(bb->b[off] << 8 | bb->b[off + 1]);
		size_t el = (size_t)bb->b[off + 2] << 8 | bb->b[off + 3];

		if (et == t)
			return off;
		off += 4 + el;
	}
	fail();
	return 0;
}

static void
test_malformed(void **state)
{
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();
	struct parse_result r;
	size_t at;

	(void)state;
	/* An extension length running past the extension block. */
	bb.n = 0;
	build_ch(&bb, &s);
	at = find_ext(&bb, 0x0017);
	bb.b[at + 3] = 0x40;
	r = tls_client_hello_parse(tc, bb.b, bb.n, false, &ch);
	assert_int_equal(r.st, PARSE_MALFORMED);

	/* server_name list length shorter than the extension. */
	bb.n = 0;
	build_ch(&bb, &s);
	at = find_ext(&bb, 0x0000);
	bb.b[at + 5] -= 1;
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_MALFORMED);

	/* supported_versions with an odd length. */
	bb.n = 0;
	build_ch(&bb, &s);
	at = find_ext(&bb, 0x002b);
	bb.b[at + 4] = 3;
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_MALFORMED);

	/* Odd cipher suite vector. */
	bb.n = 0;
	build_ch(&bb, &s);
	bb.b[4 + 2 + 32 + 1 + 1] = 29;
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_MALFORMED);

	/* Not a ClientHello. */
	bb.n = 0;
	build_ch(&bb, &s);
	bb.b[0] = 2;
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_MALFORMED);

	/* Message cut short: NEED_MORE with the full length. */
	bb.n = 0;
	build_ch(&bb, &s);
	r = tls_client_hello_parse(tc, bb.b, bb.n - 10, false, &ch);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	assert_int_equal(r.needed, bb.n);
	r = tls_client_hello_parse(tc, bb.b, 2, false, &ch);
	assert_int_equal(r.st, PARSE_NEED_MORE);
}

static void
test_sni_nul(void **state)
{
	static struct bb bb;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();
	size_t at;

	(void)state;
	s.sni = "evil.com.good.com";
	bb.n = 0;
	build_ch(&bb, &s);
	at = find_ext(&bb, 0x0000);
	/* ext hdr(4) list len(2) type(1) name len(2) "evil.com" */
	bb.b[at + 9 + 8] = '\0';
	assert_int_equal(tls_client_hello_parse(tc, bb.b, bb.n, false, &ch).st,
	    PARSE_OK);
	assert_string_equal(ch.sni, "");
	assert_true(ch.sni_bad);
	assert_true(ch.has_sni_ext);
}

static void
test_records(void **state)
{
	static struct bb hs, st;
	struct tls_client_hello ch;
	struct ch_spec s = spec_example();
	struct parse_result r;
	size_t chunk;

	(void)state;
	hs.n = 0;
	build_ch(&hs, &s);

	/* Single record. */
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	r = tls_client_hello_from_records(tc, st.b, st.n, &ch);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, st.n);
	assert_string_equal(ch.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	/* Every shorter prefix asks for more, and says how much at least. */
	for (size_t n = 0; n < st.n; n++) {
		r = tls_client_hello_from_records(tc, st.b, n, &ch);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_true(r.needed > n);
		if (n >= 9)
			assert_int_equal(r.needed, st.n);
	}

	/* Spanning many records (2-byte ones split even the handshake
	 * header), then exactly 3 records. */
	for (chunk = 2; chunk <= hs.n / 3 + 1; chunk = chunk * 3 + 1) {
		st.n = 0;
		records(&st, 22, hs.b, hs.n, chunk);
		r = tls_client_hello_from_records(tc, st.b, st.n, &ch);
		assert_int_equal(r.st, PARSE_OK);
		assert_int_equal(r.consumed, st.n);
		assert_string_equal(ch.ja4,
		    "t13d1516h2_8daaf6152771_e5627efa2ab1");
		assert_string_equal(ch.sni, "example.com");
	}
	st.n = 0;
	records(&st, 22, hs.b, hs.n, hs.n / 3 + 1);
	assert_int_equal(st.n, hs.n + 15);
	for (size_t n = 0; n < st.n; n++) {
		r = tls_client_hello_from_records(tc, st.b, n, &ch);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_true(r.needed > n);
		assert_true(r.needed <= st.n);
	}

	/* Interleaved alert inside the message: malformed. */
	st.n = 0;
	records(&st, 22, hs.b, 100, 100);
	records(&st, 21, (const uint8_t *)"\x02\x28", 2, 2);
	records(&st, 22, &hs.b[100], hs.n - 100, 16384);
	assert_int_equal(tls_client_hello_from_records(tc, st.b, st.n, &ch).st,
	    PARSE_MALFORMED);

	/* Not TLS at all. */
	assert_int_equal(tls_client_hello_from_records(tc,
	    (const uint8_t *)"GET / HTTP/1.1\r\n", 16, &ch).st,
	    PARSE_MALFORMED);
	assert_int_equal(tls_client_hello_from_records(tc,
	    (const uint8_t *)"\x16\x07", 2, &ch).st, PARSE_MALFORMED);
	/* A record longer than TLS allows. */
	assert_int_equal(tls_client_hello_from_records(tc,
	    (const uint8_t *)"\x16\x03\x01\x48\x01\x01", 6, &ch).st,
	    PARSE_MALFORMED);
	/* Empty handshake record. */
	assert_int_equal(tls_client_hello_from_records(tc,
	    (const uint8_t *)"\x16\x03\x01\x00\x00", 5, &ch).st,
	    PARSE_MALFORMED);
	/* A ServerHello where a ClientHello belongs. */
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	st.b[5] = 2;
	assert_int_equal(tls_client_hello_from_records(tc, st.b, st.n, &ch).st,
	    PARSE_MALFORMED);
}

/* ------------------------------------------------------------------ */
/* Real handshakes. */

static size_t
read_hex(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	int c, hi = -1;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s.hex", DATA_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((c = fgetc(f)) != EOF) {
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < cap);
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	return n;
}

/* Split a tab-separated line in place; returns the field count. */
static int
split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *t;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		if ((t = strchr(p, '\t')) == NULL)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

/* Re-frame a single-record ClientHello into records of chunk bytes. */
static void
reframe(const uint8_t *st, size_t n, size_t chunk, struct bb *out)
{
	size_t hl;

	assert_true(n > 9 && st[0] == 22);
	hl = 4 + ((size_t)st[6] << 16 | (size_t)st[7] << 8 | st[8]);
	assert_true(5 + hl <= n);
	out->n = 0;
	records(out, 22, &st[5], hl, chunk);
}

static void
check_client(char **f, bool quic, unsigned *count)
{
	static uint8_t buf[65536];
	static struct bb split;
	struct tls_client_hello ch;
	struct parse_result r;
	size_t n = read_hex(f[0], buf, sizeof(buf));

	if (quic)
		r = tls_client_hello_parse(tc, buf, n, true, &ch);
	else
		r = tls_client_hello_from_records(tc, buf, n, &ch);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, n);
	assert_string_equal(ch.sni, strcmp(f[2], "-") ? f[2] : "");
	if (strcmp(f[3], "-") != 0)
		assert_string_equal(ch.ja3, f[3]);
	assert_string_equal(ch.ja4, f[4]);
	/* nDPI agrees on the cipher hash; on the extension hash too except
	 * for an empty list, which nDPI hashes where the spec writes zeros. */
	assert_memory_equal(&ch.ja4[11], &f[5][11], 12);
	if (strcmp(&ch.ja4[24], "000000000000") != 0)
		assert_string_equal(&ch.ja4[24], &f[5][24]);
	(*count)++;
	if (quic)
		return;

	/* The same hello over 3 records and as TCP chunks. */
	reframe(buf, n, (n - 5) / 3 + 1, &split);
	r = tls_client_hello_from_records(tc, split.b, split.n, &ch);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, split.n);
	assert_string_equal(ch.ja4, f[4]);
	for (size_t cut = 1; cut < split.n; cut += 97) {
		r = tls_client_hello_from_records(tc, split.b, cut, &ch);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_true(r.needed > cut);
	}
}

static void
check_server(char **f, unsigned *count)
{
	static uint8_t buf[65536];
	struct tls_server_hello sh;
	struct parse_result r;
	size_t n = read_hex(f[0], buf, sizeof(buf));
	char v[8];

	r = tls_server_from_records(tc, buf, n, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(sh.done);
	assert_true(sh.seen_hello);
	assert_true(sh.have_cert);
	snprintf(v, sizeof(v), "0x%04x", sh.version);
	assert_string_equal(v, f[2]);
	snprintf(v, sizeof(v), "0x%04x", sh.cipher);
	assert_string_equal(v, f[3]);
	assert_string_equal(sh.cert_org, f[4]);
	assert_string_equal(sh.cert_subject, f[5]);
	/* Every prefix that stops inside the flight asks for more. */
	for (size_t cut = 1; cut < n; cut += 61) {
		r = tls_server_from_records(tc, buf, cut, &sh);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_false(sh.done);
	}
	(*count)++;
}

static void
test_real_hellos(void **state)
{
	char line[1024], *f[8];
	unsigned clients = 0, servers = 0;
	FILE *fp;
	int nf;

	(void)state;
	fp = fopen(DATA_DIR "/expected.tsv", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		nf = split_tabs(line, f, 8);
		assert_int_equal(nf, 6);
		if (strcmp(f[1], "records") == 0)
			check_client(f, false, &clients);
		else if (strcmp(f[1], "quic") == 0)
			check_client(f, true, &clients);
		else if (strcmp(f[1], "server") == 0)
			check_server(f, &servers);
		else
			fail_msg("bad kind %s", f[1]);
	}
	fclose(fp);
	assert_true(clients >= 10);
	assert_true(servers >= 2);
}

/* ------------------------------------------------------------------ */
/* Server side. */

static void
build_server_hello(struct bb *bb, uint16_t legacy, const uint8_t *random,
    uint16_t cipher, uint16_t selected, const char *alpn)
{
	size_t hs, exts, e;

	bb_u8(bb, 2);
	hs = bb_open(bb, 3);
	bb_u16(bb, legacy);
	if (random != NULL)
		bb_bytes(bb, random, 32);
	else
		for (int i = 0; i < 32; i++)
			bb_u8(bb, 0x40 + (unsigned)i);
	bb_u8(bb, 0);
	bb_u16(bb, cipher);
	bb_u8(bb, 0);
	exts = bb_open(bb, 2);
	if (selected) {
		bb_u16(bb, 0x002b);
		bb_u16(bb, 2);
		bb_u16(bb, selected);
	}
	if (alpn != NULL) {
		size_t l;

		bb_u16(bb, 0x0010);
		e = bb_open(bb, 2);
		l = bb_open(bb, 2);
		bb_u8(bb, (unsigned)strlen(alpn));
		bb_bytes(bb, alpn, strlen(alpn));
		bb_close(bb, l, 2);
		bb_close(bb, e, 2);
	}
	bb_close(bb, exts, 2);
	bb_close(bb, hs, 3);
}

/* A self-signed EC certificate with O=Example Org, CN=example.com. */
static size_t
make_cert(uint8_t *out, size_t cap)
{
	EVP_PKEY *key;
	X509 *x;
	X509_NAME *name;
	unsigned char *p = out;
	int n;

	key = EVP_EC_gen("P-256");
	assert_non_null(key);
	x = X509_new();
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"Example Org", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"example.com", -1, -1, 0);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	n = i2d_X509(x, NULL);
	assert_true(n > 0 && (size_t)n <= cap);
	assert_int_equal(i2d_X509(x, &p), n);
	X509_free(x);
	EVP_PKEY_free(key);
	return (size_t)n;
}

/*
 * A TLS 1.2 server flight into hs: ServerHello, then Certificate, a
 * list<3> of cert<3> holding der and, with junk, a second (junk) cert.
 */
static void
cert_flight(struct bb *hs, const uint8_t *der, size_t dlen, bool junk)
{
	size_t h, l1, l2;

	hs->n = 0;
	build_server_hello(hs, 0x0303, NULL, 0xc02f, 0, "h2");
	bb_u8(hs, 11);
	h = bb_open(hs, 3);
	l1 = bb_open(hs, 3);
	l2 = bb_open(hs, 3);
	bb_bytes(hs, der, dlen);
	bb_close(hs, l2, 3);
	if (junk) {
		l2 = bb_open(hs, 3);
		bb_bytes(hs, "junk", 4);
		bb_close(hs, l2, 3);
	}
	bb_close(hs, l1, 3);
	bb_close(hs, h, 3);
}

static void
test_server_tls12_cert(void **state)
{
	static struct bb hs, st;
	static uint8_t der[4096];
	struct tls_server_hello sh;
	struct parse_result r;
	size_t dlen;

	(void)state;
	dlen = make_cert(der, sizeof(der));
	cert_flight(&hs, der, dlen, true);
	bb_u8(&hs, 14);			/* ServerHelloDone */
	bb_u24(&hs, 0);

	/* All in one record, then split into 100-byte records. */
	for (size_t chunk = 16384; chunk >= 100; chunk = chunk == 16384 ?
	    100 : 0) {
		st.n = 0;
		records(&st, 22, hs.b, hs.n, chunk);
		r = tls_server_from_records(tc, st.b, st.n, &sh);
		assert_int_equal(r.st, PARSE_OK);
		assert_true(sh.done);
		assert_true(sh.seen_hello);
		assert_false(sh.hello_retry);
		assert_int_equal(sh.version, 0x0303);
		assert_int_equal(sh.cipher, 0xc02f);
		assert_string_equal(sh.alpn, "h2");
		assert_true(sh.have_cert);
		assert_string_equal(sh.cert_org, "Example Org");
		assert_string_equal(sh.cert_cn, "example.com");
		assert_string_equal(sh.cert_subject,
		    "CN=example.com,O=Example Org");
		assert_string_equal(sh.cert_issuer,
		    "CN=example.com,O=Example Org");
		/* Stops after the Certificate: ServerHelloDone not needed. */
		r = tls_server_from_records(tc, st.b, st.n - 4, &sh);
		assert_int_equal(r.st, PARSE_OK);
		assert_true(sh.have_cert);
		/* Cut inside the certificate: need more, hello known. */
		r = tls_server_from_records(tc, st.b, st.n / 2, &sh);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_true(r.needed > st.n / 2);
		assert_true(sh.seen_hello);
		assert_false(sh.done);
		if (chunk == 100)
			break;
	}

	/* A broken DER certificate: done, no certificate fields. */
	st.n = 0;
	assert_int_equal(hs.b[hs.n - 11 - dlen], 0x30);
	hs.b[hs.n - 11 - dlen] = 0x31;
	records(&st, 22, hs.b, hs.n, 16384);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(sh.done);
	assert_false(sh.have_cert);
	assert_string_equal(sh.cert_subject, "");
}

/* A TLS 1.2 server flight carrying der; the names it yields. */
static void
server_names_of(const uint8_t *der, size_t dlen, struct tls_server_hello *sh)
{
	static struct bb hs, st;

	cert_flight(&hs, der, dlen, false);
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	assert_int_equal(tls_server_from_records(tc, st.b, st.n, sh).st,
	    PARSE_OK);
	assert_true(sh->have_cert);
}

static void
test_cert_cache_same_length(void **state)
{
	static uint8_t der[4096], other[4096];
	struct tls_server_hello sh;
	size_t dlen;
	uint8_t *at;

	(void)state;
	/*
	 * Two certificates of one length, first and last 16 bytes alike:
	 * only the hash of the whole DER tells them apart, so the names
	 * remembered for one must not come back for the other.
	 */
	dlen = make_cert(der, sizeof(der));
	memcpy(other, der, dlen);
	/* Self-signed: the name is there twice, issuer then subject. */
	for (int i = 0; i < 2; i++) {
		at = memmem(other, dlen, "example.com", 11);
		assert_non_null(at);
		at[2] = 'b';
	}
	for (int round = 0; round < 2; round++) {
		server_names_of(der, dlen, &sh);
		assert_string_equal(sh.cert_cn, "example.com");
		server_names_of(other, dlen, &sh);
		assert_string_equal(sh.cert_cn, "exbmple.com");
	}
}

static void
test_server_tls13_hrr(void **state)
{
	static const uint8_t hrr[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
		0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
		0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
		0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};
	static struct bb hs, st;
	struct tls_server_hello sh;
	struct parse_result r;
	size_t first;

	(void)state;
	/* Plain TLS 1.3: ServerHello then CCS then encrypted records. */
	hs.n = 0;
	build_server_hello(&hs, 0x0303, NULL, 0x1301, 0x0304, NULL);
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	first = st.n;
	records(&st, 20, (const uint8_t *)"\x01", 1, 1);
	records(&st, 23, (const uint8_t *)"encrypted", 9, 9);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, first);
	assert_true(sh.done);
	assert_int_equal(sh.version, 0x0304);
	assert_int_equal(sh.legacy_version, 0x0303);
	assert_int_equal(sh.cipher, 0x1301);
	assert_false(sh.have_cert);
	assert_string_equal(tls_version_name(sh.version), "TLSv1.3");

	/* HelloRetryRequest alone: not final. */
	hs.n = 0;
	build_server_hello(&hs, 0x0303, hrr, 0x1302, 0x0304, NULL);
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	assert_true(sh.hello_retry);
	assert_false(sh.seen_hello);
	assert_false(sh.done);

	/* HRR, middlebox CCS, then the real ServerHello. */
	records(&st, 20, (const uint8_t *)"\x01", 1, 1);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	hs.n = 0;
	build_server_hello(&hs, 0x0303, NULL, 0x1302, 0x0304, "h2");
	records(&st, 22, hs.b, hs.n, 16384);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(sh.hello_retry);
	assert_true(sh.seen_hello);
	assert_true(sh.done);
	assert_int_equal(sh.cipher, 0x1302);
	assert_string_equal(sh.alpn, "h2");
}

static void
test_server_misc(void **state)
{
	static struct bb hs, st;
	struct tls_server_hello sh;
	struct parse_result r;

	(void)state;
	/* TLS 1.2 resumption: ServerHello, CCS. */
	hs.n = 0;
	build_server_hello(&hs, 0x0303, NULL, 0xc02f, 0, NULL);
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	records(&st, 20, (const uint8_t *)"\x01", 1, 1);
	r = tls_server_from_records(tc, st.b, st.n, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(sh.done);
	assert_false(sh.have_cert);
	assert_int_equal(sh.version, 0x0303);

	/* An alert instead of a ServerHello. */
	r = tls_server_from_records(tc,
	    (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28", 7, &sh);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(sh.done);
	assert_false(sh.seen_hello);

	/* A ClientHello from the server side, and junk. */
	st.b[5] = 1;
	assert_int_equal(tls_server_from_records(tc, st.b, st.n, &sh).st,
	    PARSE_MALFORMED);
	assert_int_equal(tls_server_from_records(tc, 
	    (const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, &sh).st,
	    PARSE_MALFORMED);
	/* A selected_version length running past the extensions. */
	hs.n = 0;
	build_server_hello(&hs, 0x0303, NULL, 0x1301, 0x0304, NULL);
	hs.b[hs.n - 3] = 3;
	st.n = 0;
	records(&st, 22, hs.b, hs.n, 16384);
	assert_int_equal(tls_server_from_records(tc, st.b, st.n, &sh).st,
	    PARSE_MALFORMED);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tls_version_name(0x0303), "TLSv1.2");
	assert_string_equal(tls_version_name(0x0301), "TLSv1");
	assert_string_equal(tls_version_name(0x1234), "unknown");
	assert_string_equal(tls_version_ecs(0x0304), "1.3");
	assert_string_equal(tls_version_ecs(0x0300), "ssl3.0");
	assert_null(tls_version_ecs(0x7f1c));
	assert_true(tls_looks_like_handshake(
	    (const uint8_t *)"\x16\x03\x01\x02\x00\x01", 6));
	assert_true(tls_looks_like_handshake(
	    (const uint8_t *)"\x16\x03\x01\x02\x00", 5));
	assert_false(tls_looks_like_handshake(
	    (const uint8_t *)"\x16\x03\x01\x02\x00\x0b", 6));
	assert_false(tls_looks_like_handshake(
	    (const uint8_t *)"\x17\x03\x03\x02\x00\x01", 6));
	assert_false(tls_looks_like_handshake(
	    (const uint8_t *)"\x16\x03\x01\x50\x00\x01", 6));
	assert_false(tls_looks_like_handshake(
	    (const uint8_t *)"\x16\x03", 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ja4_spec_example),
		cmocka_unit_test(test_fingerprint_memo),
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_no_sni_no_alpn),
		cmocka_unit_test(test_alpn_edges),
		cmocka_unit_test(test_lists_cut),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sni_nul),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_real_hellos),
		cmocka_unit_test(test_server_tls12_cert),
		cmocka_unit_test(test_cert_cache_same_length),
		cmocka_unit_test(test_server_tls13_hrr),
		cmocka_unit_test(test_server_misc),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, ctx_setup, ctx_teardown);
}
