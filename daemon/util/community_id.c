/*
 * community_id.c - Community ID v1 flow hashing (community_id.h), written
 * from the published specification (github.com/corelight/community-id-spec,
 * README "Pseudo code" and "Technical details") and checked against its
 * baseline vectors in tests/unit/test_community_id.c.
 */
#include <errno.h>
#include <string.h>

#include "community_id.h"
#include "crypto.h"

/* Both directions of a request/reply pair; the rest are one-way. */
static int
icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8: return 0;		/* echo request / reply */
	case 0: return 8;
	case 13: return 14;		/* timestamp */
	case 14: return 13;
	case 15: return 16;		/* information */
	case 16: return 15;
	case 10: return 9;		/* router solicitation / advertisement */
	case 9: return 10;
	case 17: return 18;		/* address mask */
	case 18: return 17;
	default: return -1;
	}
}

static int
icmp6_counterpart(uint8_t type)
{
	switch (type) {
	case 128: return 129;		/* echo request / reply */
	case 129: return 128;
	case 133: return 134;		/* router solicitation / advertisement */
	case 134: return 133;
	case 135: return 136;		/* neighbor solicitation / advertisement */
	case 136: return 135;
	case 130: return 131;		/* MLD query / report */
	case 131: return 130;
	case 139: return 140;		/* node information query / reply */
	case 140: return 139;
	case 144: return 145;		/* home agent address discovery */
	case 145: return 144;
	default: return -1;
	}
}

void
community_id_icmp(struct community_id_tuple *t, uint8_t type, uint8_t code)
{
	int peer = t->proto == 58 ? icmp6_counterpart(type) :
	    icmp4_counterpart(type);

	t->sport = type;
	t->one_way = peer < 0;
	t->dport = peer < 0 ? code : (uint16_t)peer;
}

static bool
has_ports(uint8_t proto)
{
	/* TCP, UDP, SCTP, and ICMP/ICMPv6 through community_id_icmp(). */
	return proto == 6 || proto == 17 || proto == 132 || proto == 1 ||
	    proto == 58;
}

static void
base64(const uint8_t *in, size_t len, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = tab[v & 63];
	}
	if (len - i == 1) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		*out++ = tab[v >> 10 & 63];
		*out++ = tab[v >> 4 & 63];
		*out++ = tab[(v & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

int
community_id_v1(const struct community_id_tuple *t, uint16_t seed,
    char out[COMMUNITY_ID_SIZE])
{
	/* seed(2) addr(16) addr(16) proto(1) pad(1) port(2) port(2) */
	uint8_t buf[40], md[CRYPTO_SHA1_LEN];
	const struct addr *a = &t->src, *b = &t->dst;
	uint16_t pa = t->sport, pb = t->dport;
	size_t alen, n = 0;
	int c;

	if (t->src.family != t->dst.family ||
	    (t->src.family != 4 && t->src.family != 6))
		return -EINVAL;
	alen = t->src.family == 4 ? 4 : 16;
	/* The smaller address first, then the smaller port; never flip a
	 * one-way ICMP message, whose "ports" are type and code. */
	c = memcmp(a->a, b->a, alen);
	if (!t->one_way && (c > 0 || (c == 0 && pa > pb))) {
		a = &t->dst;
		b = &t->src;
		pa = t->dport;
		pb = t->sport;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->a, alen);
	n += alen;
	memcpy(buf + n, b->a, alen);
	n += alen;
	buf[n++] = t->proto;
	buf[n++] = 0;
	if (has_ports(t->proto)) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	crypto_sha1(buf, n, md);
	out[0] = '1';
	out[1] = ':';
	base64(md, sizeof(md), out + 2);
	return 0;
}
