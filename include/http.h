/*
 * http.h - HTTP/1.x request parser (RFC 9112).
 *
 * Input is the reassembled client-to-server byte stream of a flow.  One
 * call parses one request: request line, headers (at most HTTP_MAX_HEADERS
 * lines of at most HTTP_MAX_LINE bytes) and the body, with chunked
 * transfer coding undone and gzip/deflate content coding inflated (zlib),
 * all bounded by max_body.  The result owns its memory.
 *
 * Choices where the RFC leaves one to the recipient:
 * - a bare LF ends a line as CRLF does; up to 4 empty lines before the
 *   request line are skipped (stray CRLF after a pipelined body);
 * - obsolete line folding (a header line starting with SP or HTAB) makes
 *   the request PARSE_MALFORMED, as RFC 9112 5.2 allows a server to do;
 * - NUL and bare CR inside a header value are replaced by SP in the copy
 *   (RFC 9110 5.5 allows that too), so the strings stay NUL-terminated C
 *   strings; a NUL in the request line or in a header name is malformed;
 * - Transfer-Encoding wins over Content-Length; a Transfer-Encoding whose
 *   last coding is not chunked (or that names chunked twice) is malformed;
 *   differing Content-Length values are malformed;
 * - content codings other than one of gzip, x-gzip, deflate, identity
 *   (br, zstd, stacked codings) are not undone: the de-chunked body is kept
 *   as sent and body_encoded is set;
 * - bytes after the end of a gzip/deflate stream are ignored.
 *
 * Parsing allocates once per PARSE_OK request (the store block, which
 * holds every string and the body) and never when returning anything
 * else.  zlib works in a fixed arena on the stack (about 64 KiB).
 */
#ifndef OUTFLOW_HTTP_H
#define OUTFLOW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_LINE 8192
#define HTTP_MAX_METHOD 15		/* longest method token accepted */
#define HTTP_MAX_BODY_LIMIT (64u << 20)	/* max_body is clamped to this */

struct http_header {
	const char *name;	/* as sent (case kept), NUL-terminated */
	const char *value;	/* leading/trailing whitespace removed */
};

enum http_body_state {
	HTTP_BODY_NONE = 0,	/* no body */
	HTTP_BODY_COMPLETE,	/* whole body decoded */
	HTTP_BODY_CUT,		/* longer than max_body: the first max_body bytes are kept */
	HTTP_BODY_PARTIAL,	/* stream ended (final) before the body did */
	HTTP_BODY_DECODE_ERROR,	/* bad chunk framing or bad gzip/deflate data:
				 * body holds what decoded before the error */
};

/* Content codings this parser knows how to undo. */
enum http_coding {
	HTTP_CODING_IDENTITY = 0,	/* none, or "identity" */
	HTTP_CODING_GZIP,		/* gzip, x-gzip (RFC 1952) */
	HTTP_CODING_DEFLATE,		/* deflate: zlib (RFC 1950), or raw RFC 1951 */
	HTTP_CODING_OTHER,		/* anything else: left as sent */
};

struct http_request {
	const char *method;		/* "GET", ... */
	const char *target;		/* request-target as sent */
	const char *path;		/* target up to '?', not URL-decoded; for an
					 * absolute-form target the path part only
					 * ("/" when it has none) */
	const char *query;		/* after '?', NULL if none */
	uint8_t version_minor;		/* HTTP/1.<n> */
	const char *host;		/* Host header (port kept), NULL if absent */
	const char *user_agent;
	const char *content_type;
	const char *content_encoding;
	const char *transfer_encoding;
	const char *x_requested_with;	/* Android WebView package name */
	const char *cookie;
	const char *referer;
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	bool headers_cut;		/* more than HTTP_MAX_HEADERS lines */
	size_t headers_skipped;		/* header lines past HTTP_MAX_HEADERS (not kept) */
	uint8_t *body;			/* decoded body, NUL-terminated, NULL if none */
	size_t body_len;
	uint64_t body_wire_len;		/* bytes of body as sent (before decoding) */
	enum http_body_state body_state;
	bool body_encoded;		/* a coding was not undone (HTTP_CODING_OTHER,
					 * stacked codings, or a transfer coding
					 * before chunked): body is as sent */
	char *store;			/* owns all strings above */
};

/*
 * What a pipeline's HTTP parsing keeps between requests: the scratch
 * buffer gzip/deflate bodies are inflated into first.  One per thread.
 */
struct http_ctx;

/** A context, or NULL when out of memory. */
struct http_ctx *http_ctx_new(void);

/** Free hc (NULL is fine).  Returns NULL. */
struct http_ctx *http_ctx_free(struct http_ctx *hc);

/**
 * Parse one request at the start of buf, with hc's scratch.
 *
 * final says no more bytes will come (flow ended or the reassembly window
 * is full): an incomplete body is then returned as HTTP_BODY_PARTIAL
 * instead of PARSE_NEED_MORE, and an incomplete head as PARSE_TRUNCATED.
 *
 * max_body bounds the decoded body kept (HTTP_BODY_CUT beyond it); for a
 * gzip/deflate body it is also the size allocated for the output, so pass
 * a sane value (the stream window, e.g. 64 KiB).  Values above
 * HTTP_MAX_BODY_LIMIT are clamped.  Inflating never produces more than
 * max_body + 1 bytes, whatever the compression ratio.
 *
 * When several body states apply the first of DECODE_ERROR, CUT, PARTIAL,
 * COMPLETE wins.  A Content-Length of 0 gives HTTP_BODY_NONE.
 *
 * @return PARSE_OK with consumed = bytes of this request (so the next
 * request starts at buf + consumed; with HTTP_BODY_PARTIAL, or a chunk
 * framing error, that is all of buf since the stream cannot be resynced);
 * PARSE_NEED_MORE (needed = total bytes wanted when known, else 0);
 * PARSE_TRUNCATED when final and the head is incomplete; PARSE_MALFORMED
 * when this is not an HTTP/1.x request; PARSE_UNSUPPORTED when the store
 * could not be allocated.  On anything but PARSE_OK *ret is left empty
 * (zeroed, nothing to free).  Only the first 4 GiB of buf are looked at.
 */
struct parse_result http_request_parse(struct http_ctx *hc,
    const uint8_t *buf, size_t len, size_t max_body, bool final,
    struct http_request *ret);

/** Free what a parsed request owns and zero it; NULL-safe. */
void http_request_clear(struct http_request *req);

/** Value of the first header named name (case-insensitive), or NULL. */
const char *http_header_get(const struct http_request *req, const char *name);

/**
 * Whether buf starts like an HTTP/1.x request line: a known method (GET,
 * POST, ... PROPFIND) and a space, and, when the first line is already
 * complete, " HTTP/1.<digit>" at its end.  Cheap enough for every new
 * flow on any port.
 */
bool http_looks_like_request(const uint8_t *buf, size_t len);

/** Coding named by a Content-Encoding value (case-insensitive; NULL or
 * empty is identity; a list of several codings is HTTP_CODING_OTHER). */
enum http_coding http_coding_from_name(const char *value);

/* A body decoded on its own (http_body_decode). */
struct http_body {
	uint8_t *data;			/* decoded, NUL-terminated; owned */
	size_t len;
	uint64_t wire_len;		/* body bytes walked, framing included */
	enum http_body_state state;
};

/**
 * Decode a message body alone: undo chunked framing when chunked is set
 * (otherwise all len bytes are the body), then the content coding, with
 * the same bounds and states as http_request_parse.  Used by the request
 * parser's tests and fuzzers, and for bodies framed elsewhere.
 *
 * @return PARSE_OK with consumed = body bytes on the wire (all of buf for
 * a non-chunked body, a partial one, or bad framing); PARSE_NEED_MORE when
 * chunked, not final and the last chunk has not arrived;
 * PARSE_UNSUPPORTED when out of memory.  *ret is written on PARSE_OK
 * only; free it with http_body_clear.
 */
struct parse_result http_body_decode(struct http_ctx *hc, const uint8_t *buf,
    size_t len, bool chunked, enum http_coding coding, size_t max_body,
    bool final, struct http_body *ret);

/** Free a decoded body and zero it; NULL-safe. */
void http_body_clear(struct http_body *body);

#endif
