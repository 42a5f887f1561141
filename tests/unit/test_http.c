/*
 * test_http.c - HTTP/1.x request parser: request line, headers, framing,
 * chunked and gzip/deflate bodies (compressed at test time with zlib),
 * bounds, and real client streams extracted from nDPI captures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "http.h"

/* The inflate scratch every parse in this file shares. */
static struct http_ctx *hc;

static int
ctx_setup(void **state)
{
	(void)state;
	return (hc = http_ctx_new()) == NULL ? -1 : 0;
}

static int
ctx_teardown(void **state)
{
	(void)state;
	hc = http_ctx_free(hc);
	return 0;
}

#define KIB 1024

/* Build a request into a heap buffer (test data, not wire input). */
static size_t
cat(char *dst, size_t size, const char *s)
{
	size_t n = strlen(dst), m = strlen(s);

	assert_true(n + m < size);
	memcpy(dst + n, s, m + 1);
	return n + m;
}

static struct parse_result
parse_str(const char *s, bool final, struct http_request *req)
{
	return http_request_parse(hc, (const uint8_t *)s, strlen(s), 64 * KIB,
	    final, req);
}

/* Compress with zlib: wbits 31 gzip, 15 zlib, -15 raw deflate. */
static uint8_t *
zcompress(const uint8_t *in, size_t n, int wbits, size_t *ret_len)
{
	z_stream zs;
	uint8_t *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	cap = deflateBound(&zs, (uLong)n);
	out = malloc(cap);
	assert_non_null(out);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*ret_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* head + body as one buffer. */
static uint8_t *
join(const char *head, const uint8_t *body, size_t blen, size_t *ret_len)
{
	size_t hl = strlen(head);
	uint8_t *b = malloc(hl + blen + 1);

	assert_non_null(b);
	memcpy(b, head, hl);
	if (blen)
		memcpy(b + hl, body, blen);
	*ret_len = hl + blen;
	return b;
}

static void
test_simple_get(void **state)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n"
	    "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.target, "/index.html");
	assert_string_equal(req.path, "/index.html");
	assert_null(req.query);
	assert_int_equal(req.version_minor, 1);
	assert_string_equal(req.host, "example.com");
	assert_string_equal(req.user_agent, "curl/8.0");
	assert_null(req.cookie);
	assert_int_equal(req.n_headers, 3);
	assert_string_equal(req.headers[2].name, "Accept");
	assert_string_equal(req.headers[2].value, "*/*");
	assert_false(req.headers_cut);
	assert_null(req.body);
	assert_int_equal(req.body_state, HTTP_BODY_NONE);
	assert_string_equal(http_header_get(&req, "user-AGENT"), "curl/8.0");
	assert_null(http_header_get(&req, "X-Missing"));
	assert_non_null(req.store);
	http_request_clear(&req);
	assert_null(req.store);
	assert_null(req.method);
	http_request_clear(NULL);
}

/* The head ends at its first blank line, LF or CR LF, whichever comes
 * first, whatever the body holds after it. */
static void
test_head_end(void **state)
{
	const char *lf = "POST /a HTTP/1.1\nHost: a.example\nContent-Length: 6"
	    "\n\nx\r\n\r\ny";
	const char *crlf = "POST /b HTTP/1.1\r\nHost: b.example\r\n"
	    "Content-Length: 4\r\n\r\nx\n\ny";
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(lf, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.n_headers, 2);
	assert_int_equal(req.body_len, 6);
	assert_memory_equal(req.body, "x\r\n\r\ny", 6);
	http_request_clear(&req);
	r = parse_str(crlf, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.n_headers, 2);
	assert_string_equal(req.host, "b.example");
	assert_int_equal(req.body_len, 4);
	assert_memory_equal(req.body, "x\n\ny", 4);
	http_request_clear(&req);
	/* No blank line yet: the head is still arriving. */
	r = parse_str("GET / HTTP/1.1\r\nHost: c\r\n", false, &req);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	http_request_clear(&req);
}

static void
test_query_split(void **state)
{
	const char *s = "GET /a/b?x=1&y=2?z HTTP/1.0\r\nHost: h\r\n"
	    "Cookie: sid=42\r\nReferer:   http://r/p  \r\n\r\n";
	struct http_request req;

	(void)state;
	assert_int_equal(parse_str(s, false, &req).st, PARSE_OK);
	assert_string_equal(req.target, "/a/b?x=1&y=2?z");
	assert_string_equal(req.path, "/a/b");
	assert_string_equal(req.query, "x=1&y=2?z");
	assert_int_equal(req.version_minor, 0);
	assert_string_equal(req.cookie, "sid=42");
	assert_string_equal(req.referer, "http://r/p");
	http_request_clear(&req);

	assert_int_equal(parse_str("GET /p? HTTP/1.1\r\n\r\n", false, &req).st,
	    PARSE_OK);
	assert_string_equal(req.path, "/p");
	assert_string_equal(req.query, "");
	assert_null(req.host);
	http_request_clear(&req);
}

static void
test_absolute_form(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(parse_str("GET http://host.example:8080/p/q?k=v "
	    "HTTP/1.1\r\nHost: host.example:8080\r\n\r\n", false, &req).st,
	    PARSE_OK);
	assert_string_equal(req.target, "http://host.example:8080/p/q?k=v");
	assert_string_equal(req.path, "/p/q");
	assert_string_equal(req.query, "k=v");
	assert_string_equal(req.host, "host.example:8080");
	http_request_clear(&req);

	assert_int_equal(parse_str("GET http://h?a=b HTTP/1.1\r\n\r\n", false,
	    &req).st, PARSE_OK);
	assert_string_equal(req.path, "/");
	assert_string_equal(req.query, "a=b");
	http_request_clear(&req);

	/* authority-form and asterisk-form stay as sent */
	assert_int_equal(parse_str("CONNECT h.example:443 HTTP/1.1\r\n\r\n",
	    false, &req).st, PARSE_OK);
	assert_string_equal(req.method, "CONNECT");
	assert_string_equal(req.path, "h.example:443");
	http_request_clear(&req);
	assert_int_equal(parse_str("OPTIONS * HTTP/1.1\r\n\r\n", false,
	    &req).st, PARSE_OK);
	assert_string_equal(req.path, "*");
	http_request_clear(&req);
}

static void
test_many_headers(void **state)
{
	char *s = calloc(1, 64 * KIB);
	char line[64];
	struct http_request req;
	struct parse_result r;

	(void)state;
	assert_non_null(s);
	cat(s, 64 * KIB, "POST /m HTTP/1.1\r\n");
	for (int i = 0; i < 65; i++) {
		snprintf(line, sizeof(line), "X-H%d: v%d\r\n", i, i);
		cat(s, 64 * KIB, line);
	}
	/* Past the kept lines: still framing, and still the Host pointer. */
	cat(s, 64 * KIB, "Host: late.example\r\nContent-Length: 3\r\n\r\nabc");
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
	assert_int_equal(req.n_headers, HTTP_MAX_HEADERS);
	assert_true(req.headers_cut);
	assert_int_equal(req.headers_skipped, 3);
	assert_string_equal(req.headers[63].name, "X-H63");
	assert_string_equal(req.headers[63].value, "v63");
	assert_string_equal(req.host, "late.example");
	assert_null(http_header_get(&req, "X-H64"));
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_string_equal((char *)req.body, "abc");
	http_request_clear(&req);
	free(s);
}

static void
test_long_line(void **state)
{
	size_t size = 3 * HTTP_MAX_LINE;
	char *s = calloc(1, size);
	struct http_request req;
	size_t n;

	(void)state;
	assert_non_null(s);
	/* A header line of exactly HTTP_MAX_LINE bytes is fine... */
	cat(s, size, "GET / HTTP/1.1\r\nX-Long: ");
	n = strlen(s);
	memset(s + n, 'a', HTTP_MAX_LINE - strlen("X-Long: "));
	cat(s, size, "\r\n\r\n");
	assert_int_equal(parse_str(s, false, &req).st, PARSE_OK);
	assert_int_equal(strlen(req.headers[0].value),
	    HTTP_MAX_LINE - strlen("X-Long: "));
	http_request_clear(&req);

	/* ...one more byte is not. */
	memset(s, 0, size);
	cat(s, size, "GET / HTTP/1.1\r\nX-Long: ");
	n = strlen(s);
	memset(s + n, 'a', HTTP_MAX_LINE - strlen("X-Long: ") + 1);
	cat(s, size, "\r\n\r\n");
	assert_int_equal(parse_str(s, false, &req).st, PARSE_MALFORMED);
	assert_null(req.store);

	/* Still arriving but already too long: no need to wait. */
	n = strlen(s);
	s[n - 4] = 'a';
	s[n - 3] = '\0';
	assert_int_equal(parse_str(s, false, &req).st, PARSE_MALFORMED);

	/* A request target over HTTP_MAX_LINE. */
	memset(s, 0, size);
	cat(s, size, "GET /");
	n = strlen(s);
	memset(s + n, 'b', HTTP_MAX_LINE);
	cat(s, size, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse_str(s, false, &req).st, PARSE_MALFORMED);
	free(s);
}

static void
test_content_length(void **state)
{
	const char *s = "POST /form HTTP/1.1\r\nHost: h\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 27\r\n\r\nemail=a%40b.c&phone=5551234";
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_int_equal(req.body_len, 27);
	assert_int_equal(req.body_wire_len, 27);
	assert_string_equal((char *)req.body, "email=a%40b.c&phone=5551234");
	assert_string_equal(req.content_type,
	    "application/x-www-form-urlencoded");
	assert_false(req.body_encoded);
	http_request_clear(&req);

	/* Content-Length: 0 is no body. */
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
	    false, &req).st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_NONE);
	assert_null(req.body);
	http_request_clear(&req);

	/* Identical repeats are allowed (RFC 9110 8.6), the rest is not. */
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n"
	    "Content-Length: 2\r\n\r\nok", false, &req).st, PARSE_OK);
	assert_string_equal((char *)req.body, "ok");
	http_request_clear(&req);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 2\r\n"
	    "Content-Length: 3\r\n\r\nok!", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 2, 3\r\n"
	    "\r\nok!", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: -1\r\n"
	    "\r\n", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: +1\r\n"
	    "\r\nx", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length:\r\n"
	    "\r\n", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: "
	    "18446744073709551616\r\n\r\n", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nContent-Length: 1x\r\n"
	    "\r\nx", false, &req).st, PARSE_MALFORMED);
	/* The largest value parses, and then waits (needed unknown). */
	{
		struct parse_result r2 = parse_str("POST / HTTP/1.1\r\n"
		    "Content-Length: 18446744073709551615\r\n\r\n", false, &req);

		assert_int_equal(r2.st, PARSE_NEED_MORE);
		assert_int_equal(r2.needed, 0);
	}
}

static void
test_body_in_pieces(void **state)
{
	const char *s = "PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n"
	    "\r\n0123456789";
	size_t n = strlen(s);
	struct http_request req;
	struct parse_result r;

	(void)state;
	/* Every proper prefix wants more and leaves req empty. */
	for (size_t i = 0; i < n; i++) {
		memset(&req, 0xa5, sizeof(req));
		r = http_request_parse(hc, (const uint8_t *)s, i, 64 * KIB,
		    false, &req);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_null(req.store);
		assert_null(req.method);
		if (i >= n - 10)
			assert_int_equal(r.needed, n);
	}
	r = http_request_parse(hc, (const uint8_t *)s, n, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, n);
	assert_string_equal((char *)req.body, "0123456789");
	http_request_clear(&req);
}

static void
test_chunked(void **state)
{
	const char *s = "POST /c HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n"
	    "1;name=val;x\r\n,\r\n"
	    "6 ; ext=\"q\"\r\n world\r\n"
	    "000\r\nX-Trailer: 1\r\nY-Trailer: 2\r\n\r\n";
	size_t n = strlen(s);
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, n);
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_string_equal((char *)req.body, "hello, world");
	assert_int_equal(req.body_len, 12);
	assert_int_equal(req.body_wire_len, n - (strstr(s, "\r\n\r\n") + 4 - s));
	assert_string_equal(req.transfer_encoding, "chunked");
	http_request_clear(&req);

	/* Pieces: each prefix is NEED_MORE, then OK. */
	for (size_t i = 0; i < n; i++) {
		r = http_request_parse(hc, (const uint8_t *)s, i, 64 * KIB,
		    false, &req);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_null(req.store);
	}
	/* Final in the middle of chunk data: what arrived is kept. */
	r = http_request_parse(hc, (const uint8_t *)s, strstr(s, "wor") - s,
	    64 * KIB, true, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_PARTIAL);
	assert_string_equal((char *)req.body, "hello, ");
	http_request_clear(&req);

	/* Chunk size with 17 digits, or not hex: framing error. */
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nok\r\n00000000000000001\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
	    false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	assert_string_equal((char *)req.body, "ok");
	/* Unsyncable: everything is consumed. */
	assert_int_equal(r.consumed, strlen("POST / HTTP/1.1\r\nTransfer-"
	    "Encoding: chunked\r\n\r\n2\r\nok\r\n00000000000000001\r\nx\r\n0\r\n"
	    "\r\nGET / HTTP/1.1\r\n\r\n"));
	http_request_clear(&req);
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nokX\r\n0\r\n\r\n", false, &req);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	http_request_clear(&req);
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	assert_int_equal(req.body_len, 0);
	http_request_clear(&req);

	/* CR not followed by LF after chunk data. */
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nok\rX0\r\n\r\n", false, &req);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	http_request_clear(&req);

	/* 16 digits is allowed; such a size just waits for data. */
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "ffffffffffffffff\r\nabc", false, &req);
	assert_int_equal(r.st, PARSE_NEED_MORE);

	/* Transfer-Encoding wins over Content-Length; bare LF framing. */
	r = parse_str("POST / HTTP/1.1\nContent-Length: 100\n"
	    "Transfer-Encoding: CHUNKED\n\n3\nabc\n0\n\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_string_equal((char *)req.body, "abc");
	http_request_clear(&req);

	/* A last coding other than chunked: length unknown, malformed. */
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked, gzip\r\n\r\n", false, &req).st, PARSE_MALFORMED);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: "
	    "chunked\r\nTransfer-Encoding: chunked\r\n\r\n", false, &req).st,
	    PARSE_MALFORMED);
	/* gzip, chunked: framing undone, transfer coding left. */
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n"
	    "\r\n1\r\nz\r\n0\r\n\r\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(req.body_encoded);
	assert_string_equal((char *)req.body, "z");
	http_request_clear(&req);
}

static void
test_chunked_bounds(void **state)
{
	size_t size = 4 * HTTP_MAX_LINE;
	char *s = calloc(1, size);
	struct http_request req;
	struct parse_result r;
	size_t n;

	(void)state;
	assert_non_null(s);
	/* A chunk-size line (extensions included) over HTTP_MAX_LINE. */
	cat(s, size, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1;x=");
	n = strlen(s);
	memset(s + n, 'e', HTTP_MAX_LINE);
	cat(s, size, "\r\na\r\n0\r\n\r\n");
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	http_request_clear(&req);
	/* Still arriving but already too long: decided without the rest. */
	s[n + HTTP_MAX_LINE] = '\0';
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	http_request_clear(&req);

	/* Trailers: 64 lines are skipped, 65 are too many. */
	for (int lines = 64; lines <= 65; lines++) {
		memset(s, 0, size);
		cat(s, size, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n1\r\nz\r\n0\r\n");
		for (int i = 0; i < lines; i++)
			cat(s, size, "T: v\r\n");
		cat(s, size, "\r\n");
		r = parse_str(s, false, &req);
		assert_int_equal(r.st, PARSE_OK);
		assert_int_equal(req.body_state, lines == 64 ?
		    HTTP_BODY_COMPLETE : HTTP_BODY_DECODE_ERROR);
		if (lines == 64)
			assert_int_equal(r.consumed, strlen(s));
		http_request_clear(&req);
	}

	/* Transfer-Encoding list oddities: empty elements, parameters. */
	r = parse_str("POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked;x=1 ,\r\n"
	    "\r\n0\r\n\r\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_false(req.body_encoded);
	http_request_clear(&req);
	/* Not a scheme: origin-less target kept whole as the path. */
	r = parse_str("GET a_b://x/y HTTP/1.1\r\n\r\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_string_equal(req.path, "a_b://x/y");
	http_request_clear(&req);
	free(s);
}

static const char *
sample_text(size_t *ret_len)
{
	static const char t[] = "{\"email\":\"someone@example.org\","
	    "\"lat\":48.8566,\"lon\":2.3522,\"imei\":\"356938035643809\","
	    "\"pad\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";

	*ret_len = sizeof(t) - 1;
	return t;
}

static void
test_chunked_gzip(void **state)
{
	size_t tl, zl, hl, total;
	const char *text = sample_text(&tl);
	uint8_t *z = zcompress((const uint8_t *)text, tl, 31, &zl);
	char *buf = calloc(1, 4 * KIB);
	struct http_request req;
	struct parse_result r;
	size_t off = 0;

	(void)state;
	assert_non_null(buf);
	hl = cat(buf, 4 * KIB, "POST /gz HTTP/1.1\r\nHost: h\r\n"
	    "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
	total = hl;
	/* Split the gzip stream into 7-byte chunks. */
	while (off < zl) {
		size_t n = zl - off < 7 ? zl - off : 7;
		char sz[16];

		snprintf(sz, sizeof(sz), "%zx\r\n", n);
		memcpy(buf + total, sz, strlen(sz));
		total += strlen(sz);
		memcpy(buf + total, z + off, n);
		total += n;
		memcpy(buf + total, "\r\n", 2);
		total += 2;
		off += n;
	}
	memcpy(buf + total, "0\r\n\r\n", 5);
	total += 5;
	r = http_request_parse(hc, (uint8_t *)buf, total, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, total);
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_int_equal(req.body_len, tl);
	assert_memory_equal(req.body, text, tl);
	assert_int_equal(req.body[tl], 0);
	assert_int_equal(req.body_wire_len, total - hl);
	assert_string_equal(req.content_encoding, "gzip");
	http_request_clear(&req);
	free(z);
	free(buf);
}

static void
test_deflate(void **state)
{
	static const int wbits[] = { 15, -15, 31 };
	static const char *const names[] = { "deflate", "deflate", "x-gzip" };
	size_t tl;
	const char *text = sample_text(&tl);
	struct http_request req;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char head[128];
		size_t zl, bl;
		uint8_t *z = zcompress((const uint8_t *)text, tl, wbits[i], &zl);
		uint8_t *b;
		struct parse_result r;

		snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nContent-Encoding:"
		    " %s\r\nContent-Length: %zu\r\n\r\n", names[i], zl);
		b = join(head, z, zl, &bl);
		r = http_request_parse(hc, b, bl, 64 * KIB, false, &req);
		assert_int_equal(r.st, PARSE_OK);
		assert_int_equal(r.consumed, bl);
		assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
		assert_int_equal(req.body_len, tl);
		assert_memory_equal(req.body, text, tl);
		assert_int_equal(req.body_wire_len, zl);
		http_request_clear(&req);
		free(b);
		free(z);
	}
}

static void
test_corrupt_gzip(void **state)
{
	uint8_t *text = malloc(8 * KIB), *z, *b;
	size_t zl, bl;
	char head[128];
	struct http_request req;
	struct parse_result r;

	(void)state;
	assert_non_null(text);
	/* Poorly compressible, so the damage lands well after the start. */
	srand(7);
	for (size_t i = 0; i < 8 * KIB; i++)
		text[i] = (uint8_t)('a' + rand() % 26);
	z = zcompress(text, 8 * KIB, 31, &zl);
	for (size_t i = zl / 2; i < zl / 2 + 64; i++)
		z[i] ^= 0x55;
	snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nContent-Encoding: gzip"
	    "\r\nContent-Length: %zu\r\n\r\n", zl);
	b = join(head, z, zl, &bl);
	r = http_request_parse(hc, b, bl, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, bl);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	/* What decoded before the damage is there and is right. */
	/* (Garbled deflate data may still decode; the gzip CRC then fails.) */
	assert_true(req.body_len > 1024);
	assert_memory_equal(req.body, text, 1024);
	assert_int_equal(req.body[req.body_len], 0);
	http_request_clear(&req);
	free(b);

	/* A gzip stream cut short although framing says complete. */
	free(z);
	snprintf(head, sizeof(head), "POST / HTTP/1.1\r\nContent-Encoding: gzip"
	    "\r\nContent-Length: %zu\r\n\r\n", (size_t)20);
	z = zcompress(text, 8 * KIB, 31, &zl);
	b = join(head, z, 20, &bl);
	r = http_request_parse(hc, b, bl, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	http_request_clear(&req);
	free(b);

	/* Not gzip at all. */
	r = parse_str("POST / HTTP/1.1\r\nContent-Encoding: gzip\r\n"
	    "Content-Length: 5\r\n\r\nhello", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_DECODE_ERROR);
	assert_int_equal(req.body_len, 0);
	assert_string_equal((char *)req.body, "");
	http_request_clear(&req);
	free(z);
	free(text);
}

static void
test_gzip_bomb(void **state)
{
	static const char cut[] = "POST / HTTP/1.1\r\nContent-Length: 10\r\n"
	    "\r\n0123456789";
	size_t n = 1024 * KIB, zl, bl;
	uint8_t *zeros = calloc(1, n), *z, *b;
	char head[128];
	struct http_request req;
	struct parse_result r;
	struct http_body body;

	(void)state;
	assert_non_null(zeros);
	z = zcompress(zeros, n, 31, &zl);
	assert_true(zl < 2 * KIB);
	snprintf(head, sizeof(head), "POST /bomb HTTP/1.1\r\nContent-Encoding: "
	    "gzip\r\nContent-Length: %zu\r\n\r\n", zl);
	b = join(head, z, zl, &bl);
	r = http_request_parse(hc, b, bl, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, bl);
	assert_int_equal(req.body_state, HTTP_BODY_CUT);
	assert_int_equal(req.body_len, 64 * KIB);
	assert_int_equal(req.body[64 * KIB], 0);
	assert_memory_equal(req.body, zeros, 64 * KIB);
	http_request_clear(&req);

	/* Identity body over max_body: cut too, the first bytes kept. */
	r = http_request_parse(hc, (const uint8_t *)cut, strlen(cut), 4, false,
	    &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_state, HTTP_BODY_CUT);
	assert_string_equal((char *)req.body, "0123");
	assert_int_equal(req.body_wire_len, 10);
	http_request_clear(&req);

	/* Exactly max_body decoded bytes is complete, not cut. */
	assert_int_equal(http_body_decode(hc, z, zl, false, HTTP_CODING_GZIP, n,
	    true, &body).st, PARSE_OK);
	assert_int_equal(body.state, HTTP_BODY_COMPLETE);
	assert_int_equal(body.len, n);
	http_body_clear(&body);
	assert_int_equal(http_body_decode(hc, z, zl, false, HTTP_CODING_GZIP,
	    n - 1, true, &body).st, PARSE_OK);
	assert_int_equal(body.state, HTTP_BODY_CUT);
	assert_int_equal(body.len, n - 1);
	http_body_clear(&body);
	http_body_clear(NULL);
	free(b);
	free(z);
	free(zeros);
}

static void
test_pipelined(void **state)
{
	const char *s = "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "\r\nabc\r\nGET /two?x HTTP/1.1\r\nHost: b\r\n\r\n";
	size_t n = strlen(s);
	struct http_request req;
	struct parse_result r;
	size_t off;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_string_equal(req.path, "/one");
	assert_string_equal((char *)req.body, "abc");
	off = r.consumed;
	assert_int_equal(off, strstr(s, "abc") + 3 - s);
	http_request_clear(&req);
	/* The stray CRLF before the second request is skipped. */
	r = http_request_parse(hc, (const uint8_t *)s + off, n - off, 64 * KIB,
	    false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(off + r.consumed, n);
	assert_string_equal(req.path, "/two");
	assert_string_equal(req.query, "x");
	assert_string_equal(req.host, "b");
	http_request_clear(&req);
}

static void
test_final_partial(void **state)
{
	const char *s = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial";
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	assert_int_equal(r.needed, strlen(s) - 7 + 100);
	r = parse_str(s, true, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
	assert_int_equal(req.body_state, HTTP_BODY_PARTIAL);
	assert_string_equal((char *)req.body, "partial");
	assert_int_equal(req.body_wire_len, 7);
	http_request_clear(&req);

	/* Incomplete head with final: truncated, nothing returned. */
	r = parse_str("GET / HTTP/1.1\r\nHost: h\r\n", true, &req);
	assert_int_equal(r.st, PARSE_TRUNCATED);
	assert_null(req.store);
	r = parse_str("GET / HTTP/1.1\r\nHost: h\r\n", false, &req);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	r = parse_str("GE", true, &req);
	assert_int_equal(r.st, PARSE_TRUNCATED);
}

static void
test_bare_lf(void **state)
{
	const char *s = "GET /lf HTTP/1.1\nHost: lf.example\nUser-Agent: x\n\n";
	struct http_request req;
	struct parse_result r;

	(void)state;
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
	assert_string_equal(req.host, "lf.example");
	assert_string_equal(req.user_agent, "x");
	http_request_clear(&req);
	/* Mixed endings; the blank line is a bare LF after CRLF lines. */
	s = "GET / HTTP/1.1\r\nHost: m\n\nGET";
	r = parse_str(s, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, strlen(s) - 3);
	assert_string_equal(req.host, "m");
	http_request_clear(&req);
	/* No headers at all. */
	r = parse_str("GET / HTTP/1.0\n\n", false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, 16);
	assert_int_equal(req.n_headers, 0);
	http_request_clear(&req);
}

static void
test_not_http(void **state)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
	    0x00, 0x01, 0xfc, 0x03, 0x03 };
	static const char *const bad[] = {
		"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2\r\n\r\n",
		"GET / HTTP/1.x\r\n\r\n",
		"GET /\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"ABCDEFGHIJKLMNOP / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\n: empty\r\n\r\n",
		"GET / HTTP/1.1\r\nName : x\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\n\tA: b\r\n\r\n",
		"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",
		"\rGET / HTTP/1.1\r\n\r\n",
	};
	struct http_request req;

	(void)state;
	assert_int_equal(http_request_parse(hc, tls, sizeof(tls), 64 * KIB,
	    false, &req).st, PARSE_MALFORMED);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct parse_result r = parse_str(bad[i], false, &req);

		if (r.st != PARSE_MALFORMED)
			fail_msg("case %zu (%s): %s", i, bad[i],
			    parse_status_name(r.st));
		assert_null(req.store);
	}
	/* A long token of tchars is rejected before any line arrives. */
	assert_int_equal(parse_str("AAAAAAAAAAAAAAAAAAAAAAAAA", false, &req).st,
	    PARSE_MALFORMED);
	/* Any token method of <= 15 chars is accepted. */
	assert_int_equal(parse_str("X-CUSTOM_M3THOD / HTTP/1.1\r\n\r\n", false,
	    &req).st, PARSE_OK);
	assert_string_equal(req.method, "X-CUSTOM_M3THOD");
	http_request_clear(&req);
	/* Up to 4 leading empty lines are skipped. */
	assert_int_equal(parse_str("\r\n\n\r\n\nGET / HTTP/1.1\r\n\r\n", false,
	    &req).st, PARSE_OK);
	http_request_clear(&req);
}

static void
test_nul_in_header(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X-A: one\0two\rthree\r\n\r\n";
	static const char name[] = "GET / HTTP/1.1\r\nX\0A: v\r\n\r\n";
	static const char target[] = "GET /a\0b HTTP/1.1\r\n\r\n";
	struct http_request req;
	struct parse_result r;

	(void)state;
	/* In a value: replaced by SP (RFC 9110 5.5), the rest kept. */
	r = http_request_parse(hc, (const uint8_t *)s, sizeof(s) - 1, 64 * KIB,
	    false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, sizeof(s) - 1);
	assert_string_equal(http_header_get(&req, "x-a"), "one two three");
	http_request_clear(&req);
	/* In a name or the request line: malformed. */
	assert_int_equal(http_request_parse(hc, (const uint8_t *)name,
	    sizeof(name) - 1, 64 * KIB, false, &req).st, PARSE_MALFORMED);
	assert_int_equal(http_request_parse(hc, (const uint8_t *)target,
	    sizeof(target) - 1, 64 * KIB, false, &req).st, PARSE_MALFORMED);
}

static void
test_other_coding(void **state)
{
	struct http_request req;
	struct parse_result r;
	static const char br[] = "POST / HTTP/1.1\r\nContent-Encoding: br\r\n"
	    "Content-Length: 4\r\n\r\n\x1b\x03\x00\x01";

	(void)state;
	r = http_request_parse(hc, (const uint8_t *)br, sizeof(br) - 1, 64 * KIB,
	    false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_true(req.body_encoded);
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_int_equal(req.body_len, 4);
	assert_memory_equal(req.body, "\x1b\x03\x00\x01", 4);
	http_request_clear(&req);
	assert_int_equal(http_coding_from_name(NULL), HTTP_CODING_IDENTITY);
	assert_int_equal(http_coding_from_name(" GZip "), HTTP_CODING_GZIP);
	assert_int_equal(http_coding_from_name("x-gzip"), HTTP_CODING_GZIP);
	assert_int_equal(http_coding_from_name("Deflate"), HTTP_CODING_DEFLATE);
	assert_int_equal(http_coding_from_name("identity"),
	    HTTP_CODING_IDENTITY);
	assert_int_equal(http_coding_from_name("gzip, br"), HTTP_CODING_OTHER);
	assert_int_equal(http_coding_from_name("zstd"), HTTP_CODING_OTHER);
}

static void
test_looks_like(void **state)
{
	static const struct {
		const char *s;
		bool yes;
	} cases[] = {
		{ "GET / HTTP/1.1\r\n", true },
		{ "POST ", true },
		{ "PROPFIND /dav HTTP/1.1\n", true },
		{ "GET / HTTP/2.0\r\n", false },
		{ "GET /", true },
		{ "GE", false },
		{ "get / HTTP/1.1\r\n", false },
		{ "GETX / HTTP/1.1\r\n", false },
		{ "SSH-2.0-x\r\n", false },
		{ "\x16\x03\x01", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (http_looks_like_request((const uint8_t *)cases[i].s,
		    strlen(cases[i].s)) != cases[i].yes)
			fail_msg("case %zu: %s", i, cases[i].s);
	assert_false(http_looks_like_request(NULL, 0));
}

static void
test_body_decode_api(void **state)
{
	static const char ch[] = "3\r\nabc\r\n0\r\n\r\ntail";
	struct http_body b;
	struct parse_result r;

	(void)state;
	r = http_body_decode(hc, (const uint8_t *)ch, 10, true,
	    HTTP_CODING_IDENTITY, 64, false, &b);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	r = http_body_decode(hc, (const uint8_t *)ch, sizeof(ch) - 1, true,
	    HTTP_CODING_IDENTITY, 64, false, &b);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, sizeof(ch) - 1 - 4);
	assert_int_equal(b.wire_len, sizeof(ch) - 1 - 4);
	assert_string_equal((char *)b.data, "abc");
	assert_int_equal(b.state, HTTP_BODY_COMPLETE);
	http_body_clear(&b);
	assert_null(b.data);
	/* A one-byte deflate body: not a stream, decode error. */
	r = http_body_decode(hc, (const uint8_t *)"x", 1, false,
	    HTTP_CODING_DEFLATE, 64, true, &b);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(b.state, HTTP_BODY_DECODE_ERROR);
	http_body_clear(&b);
}

/* Real client streams from nDPI captures (data/http/extract.py). */
static uint8_t *
load(const char *name, size_t *ret_len)
{
	char path[512];
	FILE *f;
	uint8_t *b;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/data/http/%s", TOP_SRCDIR,
	    name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*ret_len = (size_t)n;
	return b;
}

/* Parse every request of a stream; check that all bytes are used. */
static size_t
parse_all(const uint8_t *b, size_t n, struct http_request *first)
{
	size_t off = 0, count = 0;

	/* Bound: each request consumes at least one byte. */
	while (off < n) {
		struct http_request req;
		struct parse_result r = http_request_parse(hc, b + off, n - off,
		    64 * KIB, true, &req);

		if (r.st != PARSE_OK)
			fail_msg("request %zu at %zu: %s", count, off,
			    parse_status_name(r.st));
		assert_true(r.consumed > 0);
		if (count == 0)
			*first = req;
		else
			http_request_clear(&req);
		off += r.consumed;
		count++;
	}
	assert_int_equal(off, n);
	return count;
}

static void
test_real_gt(void **state)
{
	char path[512], line[4096];
	FILE *f;
	size_t rows = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/unit/data/http/expected.tsv",
	    TOP_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	/* Bound: the fixture file. */
	while (fgets(line, sizeof(line), f) != NULL) {
		char *field[6], *p = line, url[4096];
		struct http_request req;
		uint8_t *b;
		size_t n, i;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 6 && p != NULL; i++) {
			field[i] = p;
			p = strchr(p, '\t');
			if (p != NULL)
				*p++ = '\0';
		}
		assert_int_equal(i, 6);
		snprintf(path, sizeof(path), "%s.bin", field[0]);
		b = load(path, &n);
		assert_true(parse_all(b, n, &req) >= 1);
		assert_non_null(req.host);
		/* nDPI's hostname drops the port. */
		snprintf(url, sizeof(url), "%s", req.host);
		url[strcspn(url, ":")] = '\0';
		assert_string_equal(url, field[3]);
		assert_non_null(req.user_agent);
		assert_string_equal(req.user_agent, field[4]);
		/* nDPI's url is host + target (origin-form) or the target. */
		if (req.target[0] == '/')
			snprintf(url, sizeof(url), "%s%s", req.host, req.target);
		else
			snprintf(url, sizeof(url), "%s", req.target);
		/* nDPI truncates long urls: its url is a prefix of ours. */
		if (strncmp(url, field[5], strlen(field[5])) != 0)
			fail_msg("%s: url %s, gt %s", field[0], url, field[5]);
		http_request_clear(&req);
		free(b);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 5);
}

static void
test_real_streams(void **state)
{
	struct http_request req;
	struct parse_result r;
	uint8_t *b;
	size_t n, count;

	(void)state;
	/* 1kxun flow 2: okhttp keep-alive, several GETs. */
	b = load("1kxun_okhttp.bin", &n);
	count = parse_all(b, n, &req);
	assert_true(count >= 2);
	assert_string_equal(req.path, "/video_kankan/images/releases/296/"
	    "4701-e14d0481c8fbe8a42795abb879cda2d2.jpg");
	assert_string_equal(http_header_get(&req, "accept-encoding"), "gzip");
	http_request_clear(&req);
	free(b);

	/* Two form POSTs, one after the other on one connection. */
	b = load("1kxun_post_pipelined.bin", &n);
	assert_int_equal(parse_all(b, n, &req), 2);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.path, "/getvinfo");
	assert_string_equal(req.host, "vv.video.qq.com");
	assert_int_equal(req.body_state, HTTP_BODY_COMPLETE);
	assert_int_equal(req.body_len, 445);
	assert_true(strncmp((char *)req.body, "encryptVer=5.4&otype=xml", 24) ==
	    0);
	assert_non_null(strstr((char *)req.body, "guid=F5EB01CC01A8E08CD836"));
	http_request_clear(&req);
	free(b);

	/* Content-Encoding: rc4,gzip: not undone, kept as sent. */
	b = load("1kxun_post_rc4gzip.bin", &n);
	r = http_request_parse(hc, b, n, 64 * KIB, true, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_string_equal(req.host, "pingma.qq.com:80");
	assert_true(req.body_encoded);
	assert_int_equal(req.body_len, 372);
	assert_int_equal(req.body_wire_len, 372);
	http_request_clear(&req);
	free(b);

	/* A 2199-byte form body over several segments, fed in two halves. */
	b = load("1kxun_post_rayjump.bin", &n);
	r = http_request_parse(hc, b, n / 2, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	r = http_request_parse(hc, b, n, 64 * KIB, false, &req);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(req.body_len, 2199);
	assert_string_equal(req.user_agent,
	    "Apache-HttpClient/UNAVAILABLE (java 1.4)");
	assert_non_null(strstr((char *)req.body,
	    "package_name=com.sceneway.kankan"));
	http_request_clear(&req);
	free(b);

	/* http-lines-split: byte by byte, NEED_MORE until the blank line. */
	b = load("lines_split.bin", &n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(http_request_parse(hc, b, i, 64 * KIB, false,
		    &req).st, PARSE_NEED_MORE);
	assert_int_equal(http_request_parse(hc, b, n, 64 * KIB, false, &req).st,
	    PARSE_OK);
	assert_string_equal(req.host, "toni.lan:31337");
	http_request_clear(&req);
	free(b);

	/* Every fixture is recognised by the cheap check. */
	b = load("proxy_absolute.bin", &n);
	assert_true(http_looks_like_request(b, n));
	assert_int_equal(http_request_parse(hc, b, n, 64 * KIB, false, &req).st,
	    PARSE_OK);
	assert_string_equal(req.path, "/");
	assert_string_equal(req.target, "http://http.com/");
	http_request_clear(&req);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_head_end),
		cmocka_unit_test(test_query_split),
		cmocka_unit_test(test_absolute_form),
		cmocka_unit_test(test_many_headers),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_body_in_pieces),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_bounds),
		cmocka_unit_test(test_chunked_gzip),
		cmocka_unit_test(test_deflate),
		cmocka_unit_test(test_corrupt_gzip),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_final_partial),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_nul_in_header),
		cmocka_unit_test(test_other_coding),
		cmocka_unit_test(test_looks_like),
		cmocka_unit_test(test_body_decode_api),
		cmocka_unit_test(test_real_gt),
		cmocka_unit_test(test_real_streams),
	};

	return cmocka_run_group_tests(tests, ctx_setup, ctx_teardown);
}
