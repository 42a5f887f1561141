/*
 * addr.h - IPv4/IPv6 addresses as plain values.
 *
 * IPv4 addresses sit in the first 4 bytes of a[] and the rest is zero, so
 * addresses compare and hash with memcmp over the whole struct.
 */
#ifndef OUTFLOW_ADDR_H
#define OUTFLOW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ADDR_STRLEN 46	/* INET6_ADDRSTRLEN */

struct addr {
	uint8_t family;		/* 4 or 6; 0 = none */
	uint8_t pad[3];		/* always zero */
	uint8_t a[16];
};

/** Build an IPv4 address from 4 network-order bytes. */
static inline void
addr_set4(struct addr *ad, const uint8_t *b)
{
	memset(ad, 0, sizeof(*ad));
	ad->family = 4;
	memcpy(ad->a, b, 4);
}

/** Build an IPv6 address from 16 bytes. */
static inline void
addr_set6(struct addr *ad, const uint8_t *b)
{
	memset(ad, 0, sizeof(*ad));
	ad->family = 6;
	memcpy(ad->a, b, 16);
}

static inline bool
addr_eq(const struct addr *x, const struct addr *y)
{
	return memcmp(x, y, sizeof(*x)) == 0;
}

/** Text form into buf (at least ADDR_STRLEN bytes); returns buf. */
char *addr_str(const struct addr *ad, char *buf, size_t size);

/** Parse text form; 0 on success, -EINVAL otherwise (*ret untouched). */
int addr_parse(const char *s, struct addr *ret);

/** hash_bytes() of the family and the significant bytes, cut to 32 bits. */
uint32_t addr_hash(const struct addr *ad);

#endif
