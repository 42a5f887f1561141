/*
 * util.c - small helpers shared by every stage: address text and hashing,
 * parse status names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "hash.h"
#include "parse.h"

/* Dotted quad by hand: inet_ntop goes through sprintf, and addresses
 * are formatted for every flow in the summary and the events. */
static char *
ipv4_str(const uint8_t *a, char *buf, size_t size)
{
	char tmp[16];
	/* Straight into buf when it has room for the longest, as every
	 * caller's has: events format two addresses or more each. */
	char *t = size >= sizeof(tmp) ? buf : tmp;
	size_t o = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			t[o++] = (char)('0' + v / 100);
		if (v >= 10)
			t[o++] = (char)('0' + v / 10 % 10);
		t[o++] = (char)('0' + v % 10);
		if (i < 3)
			t[o++] = '.';
	}
	if (o >= size)
		return NULL;
	if (t != buf)
		memcpy(buf, tmp, o);
	buf[o] = '\0';
	return buf;
}

char *
addr_str(const struct addr *ad, char *buf, size_t size)
{
	if (ad->family == 4) {
		if (ipv4_str(ad->a, buf, size) != NULL)
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
addr_hash(const struct addr *ad)
{
	uint8_t k[17];
	size_t n = ad->family == 6 ? 16 : 4;

	k[0] = ad->family;
	memcpy(k + 1, ad->a, n);
	return (uint32_t)hash_bytes(k, n + 1);
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
