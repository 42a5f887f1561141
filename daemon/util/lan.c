/*
 * lan.c - the LAN side as prefixes: a configured list, or the ranges
 * that are never routed on the Internet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lan.h"

/* Prefixes in network order with their length in bits. */
struct prefix {
	uint8_t b[16];
	unsigned len;
};

static const struct prefix local4[] = {
	{ { 0 }, 8 },			/* "this network", unspecified */
	{ { 10 }, 8 },
	{ { 100, 64 }, 10 },		/* CGNAT */
	{ { 127 }, 8 },
	{ { 169, 254 }, 16 },
	{ { 172, 16 }, 12 },
	{ { 192, 168 }, 16 },
	{ { 224 }, 4 },			/* multicast */
	{ { 255, 255, 255, 255 }, 32 },	/* limited broadcast */
};

static const struct prefix local6[] = {
	{ { 0 }, 128 },			/* :: */
	{ { [15] = 1 }, 128 },		/* ::1 */
	{ { 0xfc }, 7 },		/* ULA */
	{ { 0xfe, 0x80 }, 10 },		/* link-local */
	{ { 0xfe, 0xc0 }, 10 },		/* site-local (deprecated) */
	{ { 0xff }, 8 },		/* multicast */
};

static const uint8_t v4mapped[12] =
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };

static bool
bits_match(const uint8_t *a, const uint8_t *net, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ net[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* IPv4-mapped and NAT64 addresses reach an IPv4 host: answer for it. */
static void
normalize(const struct addr *in, struct addr *out)
{
	if (in->family == 6 && (memcmp(in->a, v4mapped, 12) == 0 ||
	    memcmp(in->a, nat64, 12) == 0)) {
		addr_set4(out, in->a + 12);
		return;
	}
	*out = *in;
}

static bool
default_local(const struct addr *a)
{
	const struct prefix *tab = a->family == 4 ? local4 : local6;
	size_t n = a->family == 4 ? sizeof(local4) / sizeof(local4[0]) :
	    sizeof(local6) / sizeof(local6[0]);

	for (size_t i = 0; i < n; i++)
		if (bits_match(a->a, tab[i].b, tab[i].len))
			return true;
	return false;
}

bool
lan_contains(const struct lan *l, const struct addr *addr)
{
	struct addr a;

	if (addr->family != 4 && addr->family != 6)
		return false;
	normalize(addr, &a);
	if (l == NULL)
		return default_local(&a);
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].net.family == a.family &&
		    bits_match(a.a, l->p[i].net.a, l->p[i].len))
			return true;
	return false;
}

int
lan_prefix_parse(const char *s, struct lan_prefix *ret, char *err,
    size_t errlen)
{
	const char *slash = strchr(s, '/');
	char host[64];
	size_t hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	struct lan_prefix p;
	unsigned max, len = 0;

	memset(&p, 0, sizeof(p));
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(err, errlen, "expected an address/length such as "
		    "192.168.1.0/24 or 2001:db8::/48");
		return -EINVAL;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (addr_parse(host, &p.net) != 0) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address",
		    host);
		return -EINVAL;
	}
	max = p.net.family == 4 ? 32 : 128;
	if (slash == NULL) {
		len = max;
	} else {
		const char *d = slash + 1;
		size_t i;

		for (i = 0; d[i] >= '0' && d[i] <= '9' && i < 4; i++)
			len = len * 10 + (unsigned)(d[i] - '0');
		if (i == 0 || d[i] != '\0' || len > max) {
			snprintf(err, errlen, "expected a prefix length of "
			    "0-%u after '/'", max);
			return -EINVAL;
		}
	}
	for (unsigned b = len; b < max; b++)
		if (p.net.a[b / 8] & (0x80 >> (b % 8))) {
			snprintf(err, errlen, "host bits set in %s (the "
			    "network is shorter than /%u)", s, len);
			return -EINVAL;
		}
	p.len = len;
	*ret = p;
	return 0;
}
