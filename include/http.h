/*
 * http.h - HTTP/1.x request parser (RFC 9112).
 *
 * Input is the reassembled client-to-server byte stream of a flow.  One
 * call parses one request: request line, headers (at most HTTP_MAX_HEADERS
 * lines of at most HTTP_MAX_LINE bytes) and the body, with chunked
 * transfer coding undone and gzip/deflate content coding inflated (zlib),
 * all bounded by max_body.  The result owns its memory.
 */
#ifndef OUTFLOW_HTTP_H
#define OUTFLOW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_LINE 8192

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

struct http_request {
	const char *method;		/* "GET", ... */
	const char *target;		/* request-target as sent */
	const char *path;		/* target up to '?', not URL-decoded */
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
	uint8_t *body;			/* decoded body, NUL-terminated, NULL if none */
	size_t body_len;
	uint64_t body_wire_len;		/* bytes of body as sent (before decoding) */
	enum http_body_state body_state;
	char *store;			/* owns all strings above */
};

/**
 * Parse one request at the start of buf.
 *
 * final says no more bytes will come (flow ended or the reassembly window
 * is full): an incomplete body is then returned as HTTP_BODY_PARTIAL
 * instead of PARSE_NEED_MORE.
 *
 * @return PARSE_OK with consumed = bytes of this request (so the next
 * request starts at buf + consumed); PARSE_NEED_MORE; PARSE_MALFORMED when
 * this is not an HTTP/1.x request.  On anything but PARSE_OK *ret is
 * left empty (nothing to free).
 */
struct parse_result http_request_parse(const uint8_t *buf, size_t len,
    size_t max_body, bool final, struct http_request *ret);

/** Free what a parsed request owns and zero it; NULL-safe. */
void http_request_clear(struct http_request *req);

/** Value of the first header named name (case-insensitive), or NULL. */
const char *http_header_get(const struct http_request *req, const char *name);

/** Whether buf starts like an HTTP/1.x request line (method + space). */
bool http_looks_like_request(const uint8_t *buf, size_t len);

#endif
