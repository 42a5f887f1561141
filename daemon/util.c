/*
 * util.c - small helpers shared by every stage: address text and hashing,
 * parse status names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "addr.h"
#include "parse.h"

char *
addr_str(const struct addr *ad, char *buf, size_t size)
{
	if (ad->family == 4) {
		if (inet_ntop(AF_INET, ad->a, buf, (socklen_t)size) != NULL)
			return buf;
	} else if (ad->family == 6) {
		if (inet_ntop(AF_INET6, ad->a, buf, (socklen_t)size) != NULL)
			return buf;
	}
	if (size > 0)
		snprintf(buf, size, "-");
	return buf;
}

int
addr_parse(const char *s, struct addr *ret)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, s, b) == 1) {
		addr_set4(ret, b);
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		addr_set6(ret, b);
		return 0;
	}
	return -EINVAL;
}

uint32_t
addr_hash(const struct addr *ad, uint32_t seed)
{
	/* FNV-1a over the significant bytes; cheap and good enough for
	 * tables whose size is a power of two once the result is mixed. */
	uint32_t h = 2166136261u ^ seed;
	size_t n = ad->family == 6 ? 16 : 4;

	for (size_t i = 0; i < n; i++) {
		h ^= ad->a[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	return h;
}

const char *
parse_status_name(enum parse_status st)
{
	switch (st) {
	case PARSE_OK:
		return "ok";
	case PARSE_NEED_MORE:
		return "need_more";
	case PARSE_TRUNCATED:
		return "truncated";
	case PARSE_MALFORMED:
		return "malformed";
	case PARSE_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}
