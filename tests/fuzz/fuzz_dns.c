/*
 * fuzz_dns.c - fuzz target for the DNS parser and the per-client cache.
 *
 * The input is parsed as one UDP message and as a DNS-over-TCP stream;
 * every address a parsed answer resolves goes through the cache.  Beyond
 * the sanitizers, it checks the parser's promises: names are
 * NUL-terminated and printable, counts stay within their caps, TCP
 * consumption never exceeds the input, and a hit returns the name put.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "dns.h"
#include "dns_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_msg msg;
static struct dns_cache *cache;
static uint64_t now_us;

static void
check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

static void
check_msg(void)
{
	if (msg.n_answers > DNS_MAX_ANSWERS)
		abort();
	if (msg.has_question)
		check_text(msg.qname, sizeof(msg.qname));
	for (size_t i = 0; i < msg.n_answers; i++) {
		const struct dns_rr *rr = &msg.answers[i];

		check_text(rr->name, sizeof(rr->name));
		check_text(rr->target, sizeof(rr->target));
		check_text(rr->alpn, sizeof(rr->alpn));
		if (rr->n_hints > DNS_MAX_HINTS)
			abort();
	}
}

static void
on_resolved(const struct addr *a, uint32_t ttl, void *ctx)
{
	static const struct addr client = { 4, { 0 }, { 192, 168, 0, 2 } };
	char name[DNS_CACHE_NAME_MAX + 1];

	(void)ctx;
	if (a->family != 4 && a->family != 6)
		abort();
	dns_cache_put(cache, &client, a, msg.qname, ttl, now_us);
	if (!dns_cache_get(cache, &client, a, now_us, name, sizeof(name)))
		abort();
	if (strlen(msg.qname) <= DNS_CACHE_NAME_MAX &&
	    strcmp(name, msg.qname) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_result r;

	if (cache == NULL && (cache = dns_cache_new(64)) == NULL)
		abort();
	now_us += 1000000;

	r = dns_parse(data, size, &msg);
	if (r.st == PARSE_OK) {
		if (r.consumed != size)
			abort();
		check_msg();
		dns_msg_foreach_resolved(&msg, on_resolved, NULL);
	}

	/* Bound: each round consumes at least the 2-byte prefix. */
	for (struct cur c = cur_make(data, size); cur_left(&c) > 0;) {
		r = dns_parse_tcp(c.p, cur_left(&c), &msg);
		if (r.st == PARSE_NEED_MORE) {
			if (r.needed <= cur_left(&c))
				abort();
			break;
		}
		if (r.consumed < 2 || !cur_skip(&c, r.consumed))
			abort();
		if (r.st == PARSE_OK) {
			check_msg();
			dns_msg_foreach_resolved(&msg, on_resolved, NULL);
		}
	}
	return 0;
}
