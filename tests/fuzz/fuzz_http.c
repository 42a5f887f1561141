/*
 * fuzz_http.c - HTTP/1.x request parser on arbitrary client streams.
 *
 * The input is a client-to-server byte stream.  It is parsed as the
 * pipeline would, request after request, with final false and true and
 * with a large and a tiny max_body; every result is checked against the
 * API's promises (bounds, NUL termination, empty results on failure).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_str(const char *s)
{
	if (s != NULL)
		check(strlen(s) <= (HTTP_MAX_LINE + 1));
}

static void
run(struct http_ctx *hc, const uint8_t *data, size_t size, size_t max_body,
    bool final)
{
	size_t off = 0;

	/* Bound: each PARSE_OK consumes at least one byte. */
	while (off < size) {
		struct http_request req;
		struct parse_result r;

		r = http_request_parse(hc, data + off, size - off, max_body,
		    final, &req);
		if (r.st != PARSE_OK) {
			check(req.store == NULL && req.method == NULL &&
			    req.body == NULL && req.n_headers == 0);
			break;
		}
		check(r.consumed > 0 && r.consumed <= size - off);
		check(req.method != NULL && req.target != NULL &&
		    req.path != NULL);
		check(strlen(req.method) <= HTTP_MAX_METHOD);
		check(strlen(req.target) <= HTTP_MAX_LINE);
		check_str(req.path);
		check_str(req.query);
		check(req.n_headers <= HTTP_MAX_HEADERS);
		check(req.headers_cut == (req.headers_skipped > 0));
		for (size_t i = 0; i < req.n_headers; i++) {
			check(strlen(req.headers[i].name) > 0);
			check(strlen(req.headers[i].value) <= HTTP_MAX_LINE);
		}
		check_str(req.host);
		check_str(req.user_agent);
		check_str(req.cookie);
		check_str(req.referer);
		check_str(req.x_requested_with);
		(void)http_header_get(&req, "content-type");
		if (req.body != NULL) {
			check(req.body_len <= max_body);
			check(req.body[req.body_len] == 0);
			check(req.body_wire_len <= size - off);
		} else {
			check(req.body_len == 0 &&
			    req.body_state == HTTP_BODY_NONE);
		}
		if (req.body_state == HTTP_BODY_PARTIAL)
			check(final);
		http_request_clear(&req);
		check(req.store == NULL);
		off += r.consumed;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_ctx *hc;

	(void)http_looks_like_request(data, size);
	/* A context per input, so no input depends on the ones before. */
	if ((hc = http_ctx_new()) == NULL)
		return 0;
	run(hc, data, size, 64 * 1024, false);
	run(hc, data, size, 64 * 1024, true);
	run(hc, data, size, 7, true);
	hc = http_ctx_free(hc);
	return 0;
}
