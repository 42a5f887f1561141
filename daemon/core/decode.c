/*
 * decode.c - link, network and transport decoding.
 *
 * Link layers: Ethernet II with 802.1Q / 802.1ad tags and PPPoE session
 * frames, Linux cooked v1 and v2, raw IPv4/IPv6, BSD NULL/LOOP.  Network:
 * IPv4 (options skipped by IHL; non-first fragments counted, first
 * fragments decoded), IPv6 (extension headers walked, at most
 * DECODE_MAX_EXT).  Transport: TCP and UDP.
 *
 * Lengths: the IP header's length is authoritative for what is on the
 * wire (Ethernet padding is cut off), and the captured length bounds what
 * may be read (snaplen); payload_len is the smaller of the two.
 */
#include <netinet/in.h>
#include <string.h>

#include "cursor.h"
#include "decode.h"

/* DLT values as libpcap reports them (not the file LINKTYPE_ numbers). */
#define DLT_NULL_ 0
#define DLT_EN10MB_ 1
#define DLT_RAW_LINUX 12
#define DLT_RAW_BSD 14
#define DLT_LOOP_ 108
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESS 0x8864

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

/* Bound on IPv6 extension headers walked per packet. */
#define DECODE_MAX_EXT 8

static const char *const decode_names[] = {
#define DECODE_NAME(e, s) s,
	DECODE_EVENTS(DECODE_NAME)
#undef DECODE_NAME
};

const char *
decode_event_name(enum decode_event ev)
{
	if ((unsigned)ev >= DEC__COUNT)
		return "unknown";
	return decode_names[ev];
}

int
decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL_:
	case DLT_EN10MB_:
	case DLT_RAW_LINUX:
	case DLT_RAW_BSD:
	case DLT_LOOP_:
	case DLT_LINUX_SLL_:
	case DLT_IPV4_:
	case DLT_IPV6_:
	case DLT_LINUX_SLL2_:
		return 1;
	}
	return 0;
}

/* Bound on IP-in-IP (4in6, 6in4) layers removed. */
#define DECODE_MAX_TUNNEL 2

static enum decode_event decode_ip(struct cur c, struct pkt *p);

/*
 * TCP (RFC 9293 3.1) and UDP (RFC 768).  c holds the transport header and
 * payload as captured; wire_len is the transport length the IP header
 * claims.  first_fragment: the IP datagram continues in other fragments,
 * so the UDP length may exceed what this packet holds.
 */
static enum decode_event
decode_transport(struct cur *c, uint32_t wire_len, bool first_fragment,
    struct pkt *p)
{
	uint16_t off_flags, udp_len;
	uint8_t hlen;
	size_t avail;

	switch (p->ip_proto) {
	case IPPROTO_TCP:
		/*
		 *  0      2      4          8          12   13    14
		 * +------+------+----------+----------+----+-----+-----
		 * |sport |dport | seq      | ack      |off |flags| ...
		 */
		if (!cur_be16(c, &p->sport) || !cur_be16(c, &p->dport) ||
		    !cur_be32(c, &p->seq) || !cur_be32(c, &p->ack) ||
		    !cur_be16(c, &off_flags))
			return DEC_TCP_TRUNCATED;
		hlen = (uint8_t)((off_flags >> 12) * 4);
		p->tcp_flags = (uint8_t)(off_flags & 0xff);
		if (hlen < 20 || hlen > wire_len)
			return DEC_TCP_BAD_HLEN;
		/* window, checksum, urgent pointer and options */
		if (!cur_skip(c, (size_t)hlen - 14))
			return DEC_TCP_TRUNCATED;
		p->payload_wire_len = wire_len - hlen;
		break;
	case IPPROTO_UDP:
		if (!cur_be16(c, &p->sport) || !cur_be16(c, &p->dport) ||
		    !cur_be16(c, &udp_len) || !cur_skip(c, 2))
			return DEC_UDP_TRUNCATED;
		/* A UDP length of 0 happens with IPv6 jumbograms only; trust IP. */
		if (udp_len != 0 && udp_len < 8)
			return DEC_UDP_BAD_LEN;
		if (udp_len > wire_len && !first_fragment) {
			/* Longer than its IP datagram: believe IP, as the
			 * receiving stack would have had only those bytes. */
			p->anomaly = DEC_UDP_BAD_LEN;
		} else if (udp_len != 0)
			wire_len = udp_len;
		p->payload_wire_len = wire_len - 8;
		break;
	case 4:		/* IPv4 in IP */
	case 41:	/* IPv6 in IP (6in4, 4in6) */
		if (p->tunnel_depth >= DECODE_MAX_TUNNEL)
			return DEC_OTHER_L4;
		p->tunnel_depth++;
		return decode_ip(*c, p);
	default:
		return DEC_OTHER_L4;
	}
	avail = cur_left(c);
	p->payload = c->p;
	p->payload_len = (uint32_t)(avail < p->payload_wire_len ?
	    avail : p->payload_wire_len);
	return DEC_OK;
}

/*
 * IPv4 (RFC 791):
 *  0        1        2        4        6        8    9     10   12    16    20
 * +--------+--------+--------+--------+--------+----+-----+----+-----+-----+
 * |ver|ihl | tos    | total  | id     |fl|frag | ttl|proto| sum| src | dst |
 */
static enum decode_event
decode_ipv4(struct cur c, struct pkt *p)
{
	uint8_t vihl, proto;
	uint16_t total, frag;
	const uint8_t *src, *dst;
	size_t hlen;
	struct cur body;

	if (!cur_u8(&c, &vihl))
		return DEC_IPV4_TRUNCATED;
	if ((vihl >> 4) != 4)
		return DEC_IP_BAD_VERSION;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return DEC_IPV4_BAD_HLEN;
	if (!cur_skip(&c, 1) || !cur_be16(&c, &total) || !cur_skip(&c, 2) ||
	    !cur_be16(&c, &frag) || !cur_skip(&c, 1) || !cur_u8(&c, &proto) ||
	    !cur_skip(&c, 2) || !cur_ptr(&c, 4, &src) || !cur_ptr(&c, 4, &dst))
		return DEC_IPV4_TRUNCATED;
	if (total < hlen)
		return DEC_IPV4_BAD_LEN;
	/* Options: skipped whole; nothing in them matters here. */
	if (!cur_skip(&c, hlen - 20))
		return DEC_IPV4_TRUNCATED;
	addr_set4(&p->src, src);
	addr_set4(&p->dst, dst);
	p->ip_proto = proto;
	p->ip_len = total;
	if ((frag & 0x1fff) != 0)
		return DEC_OTHER_FRAGMENT;
	/* Ethernet padding lies beyond total; snaplen may cut before it. */
	body = c;
	if (cur_left(&body) > total - hlen)
		body.len = total - hlen;
	return decode_transport(&body, (uint32_t)(total - hlen),
	    (frag & 0x2000) != 0, p);
}

/*
 * IPv6 (RFC 8200):
 *  0               4       6      7     8       24      40
 * +---------------+-------+------+-----+-------+-------+
 * |ver|tc|flow    |paylen |next  |hop  | src   | dst   |
 * then extension headers, each starting with (next, length).
 */
static enum decode_event
decode_ipv6(struct cur c, struct pkt *p)
{
	uint8_t v, next, ext_len;
	uint16_t paylen, frag;
	const uint8_t *src, *dst;
	uint32_t wire_len;
	bool more_frags = false;
	struct cur body;

	if (!cur_peek_u8(&c, 0, &v))
		return DEC_IPV6_TRUNCATED;
	if ((v >> 4) != 6)
		return DEC_IP_BAD_VERSION;
	if (!cur_skip(&c, 4) || !cur_be16(&c, &paylen) || !cur_u8(&c, &next) ||
	    !cur_skip(&c, 1) || !cur_ptr(&c, 16, &src) || !cur_ptr(&c, 16, &dst))
		return DEC_IPV6_TRUNCATED;
	addr_set6(&p->src, src);
	addr_set6(&p->dst, dst);
	p->ip_len = (uint16_t)(paylen + 40);
	/* Jumbo payload (length 0): take what was captured. */
	wire_len = paylen ? paylen : (uint32_t)cur_left(&c);
	body = c;
	if (cur_left(&body) > wire_len)
		body.len = wire_len;

	for (int i = 0; ; i++) {
		if (i == DECODE_MAX_EXT)
			return DEC_IPV6_TOO_MANY_EXT;
		switch (next) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
			if (!cur_u8(&body, &next) || !cur_u8(&body, &ext_len) ||
			    !cur_skip(&body, (size_t)ext_len * 8 + 6))
				return DEC_IPV6_EXT_TRUNCATED;
			if (wire_len < (uint32_t)ext_len * 8 + 8)
				return DEC_IPV6_EXT_TRUNCATED;
			wire_len -= (uint32_t)ext_len * 8 + 8;
			continue;
		case 51:	/* AH: length in 4-byte units minus 2 */
			if (!cur_u8(&body, &next) || !cur_u8(&body, &ext_len) ||
			    !cur_skip(&body, (size_t)ext_len * 4 + 6))
				return DEC_IPV6_EXT_TRUNCATED;
			if (wire_len < (uint32_t)ext_len * 4 + 8)
				return DEC_IPV6_EXT_TRUNCATED;
			wire_len -= (uint32_t)ext_len * 4 + 8;
			continue;
		case 44:	/* fragment */
			if (!cur_u8(&body, &next) || !cur_skip(&body, 1) ||
			    !cur_be16(&body, &frag) || !cur_skip(&body, 4))
				return DEC_IPV6_EXT_TRUNCATED;
			if (wire_len < 8)
				return DEC_IPV6_EXT_TRUNCATED;
			wire_len -= 8;
			p->ip_proto = next;
			if ((frag & 0xfff8) != 0)
				return DEC_OTHER_FRAGMENT;
			more_frags = (frag & 1) != 0;
			continue;
		default:
			break;
		}
		break;
	}
	p->ip_proto = next;
	return decode_transport(&body, wire_len, more_frags, p);
}

static enum decode_event
decode_ip(struct cur c, struct pkt *p)
{
	uint8_t v;

	if (!cur_peek_u8(&c, 0, &v))
		return DEC_IPV4_TRUNCATED;
	if ((v >> 4) == 4)
		return decode_ipv4(c, p);
	if ((v >> 4) == 6)
		return decode_ipv6(c, p);
	return DEC_IP_BAD_VERSION;
}

static enum decode_event
decode_ethertype(struct cur c, uint16_t type, struct pkt *p)
{
	uint16_t tci, ppp_proto, sess_len;
	uint8_t vt;

	/* Tags stack: at most PKT_MAX_VLANS + 1 are looked at. */
	for (int depth = 0; ; depth++) {
		switch (type) {
		case ETH_P_IPV4:
			return decode_ipv4(c, p);
		case ETH_P_IPV6:
			return decode_ipv6(c, p);
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ_OLD:
			if (depth >= PKT_MAX_VLANS)
				return DEC_VLAN_TOO_DEEP;
			if (!cur_be16(&c, &tci) || !cur_be16(&c, &type))
				return DEC_VLAN_TRUNCATED;
			p->vlans[p->n_vlans++] = tci & 0x0fff;
			continue;
		case ETH_P_PPPOE_SESS:
			/*
			 * RFC 2516: ver/type 0x11, code 0, session id,
			 * length, then the PPP protocol field.
			 */
			if (!cur_u8(&c, &vt) || !cur_skip(&c, 3) ||
			    !cur_be16(&c, &sess_len) || !cur_be16(&c, &ppp_proto))
				return DEC_PPPOE_TRUNCATED;
			if (vt != 0x11 || sess_len < 2)
				return DEC_PPPOE_INVALID;
			if (ppp_proto == PPP_IPV4)
				return decode_ipv4(c, p);
			if (ppp_proto == PPP_IPV6)
				return decode_ipv6(c, p);
			return DEC_OTHER_L2;
		default:
			return DEC_OTHER_L2;
		}
	}
}

enum decode_event
decode_packet(int dlt, const uint8_t *data, uint32_t caplen, struct pkt *p)
{
	struct cur c = cur_make(data, caplen);
	uint16_t type, hatype, halen;
	uint8_t halen8;
	uint32_t family;
	const uint8_t *mac;

	p->caplen = caplen;
	p->has_mac = false;
	p->n_vlans = 0;
	p->ip_proto = 0;
	p->tcp_flags = 0;
	p->sport = p->dport = 0;
	p->seq = p->ack = 0;
	p->payload = NULL;
	p->payload_len = p->payload_wire_len = 0;
	p->anomaly = 0;
	p->tunnel_depth = 0;

	switch (dlt) {
	case DLT_EN10MB_:
		if (!cur_bytes(&c, p->dst_mac, 6) ||
		    !cur_bytes(&c, p->src_mac, 6) || !cur_be16(&c, &type))
			return DEC_ETH_TRUNCATED;
		p->has_mac = true;
		if (type <= 1500)	/* 802.3 length field: LLC, not IP */
			return DEC_OTHER_L2;
		return decode_ethertype(c, type, p);
	case DLT_LINUX_SLL_:
		/*
		 * pkttype(2) hatype(2) halen(2) addr(8) protocol(2).  The
		 * address is the sender's: for Ethernet, its MAC.
		 */
		if (!cur_skip(&c, 2) || !cur_be16(&c, &hatype) ||
		    !cur_be16(&c, &halen) || !cur_ptr(&c, 8, &mac) ||
		    !cur_be16(&c, &type))
			return DEC_SLL_TRUNCATED;
		if (hatype == 1 && halen == 6) {
			memcpy(p->src_mac, mac, 6);
			memset(p->dst_mac, 0, 6);
			p->has_mac = true;
		}
		return decode_ethertype(c, type, p);
	case DLT_LINUX_SLL2_:
		/*
		 * protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
		 * halen(1) addr(8).
		 */
		if (!cur_be16(&c, &type) || !cur_skip(&c, 6) ||
		    !cur_be16(&c, &hatype) || !cur_skip(&c, 1) ||
		    !cur_u8(&c, &halen8) || !cur_ptr(&c, 8, &mac))
			return DEC_SLL_TRUNCATED;
		if (hatype == 1 && halen8 == 6) {
			memcpy(p->src_mac, mac, 6);
			memset(p->dst_mac, 0, 6);
			p->has_mac = true;
		}
		return decode_ethertype(c, type, p);
	case DLT_RAW_LINUX:
	case DLT_RAW_BSD:
		return decode_ip(c, p);
	case DLT_IPV4_:
		return decode_ipv4(c, p);
	case DLT_IPV6_:
		return decode_ipv6(c, p);
	case DLT_NULL_:
	case DLT_LOOP_:
		/* 4-byte family: host order for NULL, network order for LOOP. */
		if (!(dlt == DLT_LOOP_ ? cur_be32(&c, &family) :
		    cur_le32(&c, &family)))
			return DEC_NULL_TRUNCATED;
		/* NULL written on a host of the other byte order. */
		if (dlt == DLT_NULL_ && (family & 0xffff) == 0)
			family >>= 24;
		switch (family) {
		case 2:
			return decode_ipv4(c, p);
		case 10: case 24: case 28: case 30:	/* AF_INET6 per OS */
			return decode_ipv6(c, p);
		}
		return DEC_NULL_UNKNOWN_FAMILY;
	}
	return DEC_OTHER_L2;
}
