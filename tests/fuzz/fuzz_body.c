/*
 * fuzz_body.c - body decoders alone: chunked framing and gzip/deflate
 * inflate (http_body_decode) on arbitrary bytes.
 *
 * Input: one option byte, then the body bytes.
 *   bit 0     chunked
 *   bits 1-2  coding: identity, gzip, deflate, other
 *   bit 3     final
 *   bits 4-7  max_body: 0, 1, 7, 64, 1 KiB, 64 KiB, ...
 */
#include <stdint.h>
#include <stdlib.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t max_bodies[16] = {
	0, 1, 7, 64, 1024, 65536, 3, 16, 255, 256, 4096, 8191, 100000,
	1 << 20, 2, 32768,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_ctx *hc;
	struct http_body b;
	struct parse_result r;
	size_t max_body;
	bool chunked, final;
	enum http_coding coding;

	if (size < 1)
		return 0;
	chunked = data[0] & 1;
	coding = (enum http_coding)((data[0] >> 1) & 3);
	final = data[0] & 8;
	max_body = max_bodies[data[0] >> 4];
	/* A context per input, so no input depends on the ones before. */
	if ((hc = http_ctx_new()) == NULL)
		return 0;
	r = http_body_decode(hc, data + 1, size - 1, chunked, coding,
	    max_body, final, &b);
	hc = http_ctx_free(hc);
	if (r.st != PARSE_OK) {
		if (r.st != PARSE_NEED_MORE || !chunked || final)
			abort();
		return 0;
	}
	if (r.consumed > size - 1 || b.wire_len != r.consumed ||
	    b.len > max_body || b.data == NULL || b.data[b.len] != 0)
		abort();
	if (b.state == HTTP_BODY_PARTIAL && !final)
		abort();
	if (!chunked && b.state == HTTP_BODY_PARTIAL)
		abort();
	http_body_clear(&b);
	return 0;
}
