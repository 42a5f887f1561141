/*
 * decode.c - link, network and transport decoding.
 *
 * Link layers: Ethernet II with 802.1Q / 802.1ad tags and PPPoE session
 * frames, Linux cooked v1 and v2, raw IPv4/IPv6, BSD NULL/LOOP, raw PPP,
 * Linux NFLOG, and 802.11 data frames in clear behind radiotap.  Network:
 * IPv4 (options skipped by IHL; non-first fragments counted, first
 * fragments decoded), IPv6 (extension headers walked, at most
 * DECODE_MAX_EXT).  Transport: TCP and UDP.
 *
 * Encapsulations (the inner packet is the packet; outer headers are
 * never flows): IP-in-IP, GRE (IP, transparent Ethernet bridging, ERSPAN
 * types I, II and III, MPLS), VXLAN (UDP 4789), Geneve (UDP 6081) and
 * MPLS label stacks.  Every one counts against DECODE_MAX_TUNNEL; going
 * deeper is tunnel.too_deep.  Entering one forgets the outer MACs and
 * VLANs: they belong to the mirroring network, not to the inner hosts.
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
#define DLT_PPP_ 9
#define DLT_IEEE802_11_RADIO_ 127
#define DLT_NFLOG_ 239

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESS 0x8864
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_TEB 0x6558		/* transparent Ethernet bridging */
#define ETH_P_ERSPAN 0x88be		/* ERSPAN type I and II */
#define ETH_P_ERSPAN3 0x22eb

#define UDP_PORT_VXLAN 4789
#define UDP_PORT_GENEVE 6081

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS_UC 0x0281

/* Bound on IPv6 extension headers walked per packet. */
#define DECODE_MAX_EXT 8
/* Bound on MPLS labels in one stack (RFC 3032 sets none). */
#define DECODE_MAX_LABELS 8

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
	case DLT_PPP_:
	case DLT_IEEE802_11_RADIO_:
	case DLT_NFLOG_:
		return 1;
	}
	return 0;
}

/*
 * Bound on encapsulations removed from one packet, all kinds together:
 * a mirror's GRE or VXLAN, an MPLS stack inside, IP-in-IP inside that.
 */
#define DECODE_MAX_TUNNEL 4

static enum decode_event decode_ip(struct cur c, struct pkt *p);
static enum decode_event decode_ethertype(struct cur c, uint16_t type,
    struct pkt *p);
static enum decode_event decode_ethernet(struct cur c, struct pkt *p);
static enum decode_event decode_vxlan(struct cur c, struct pkt *p);
static enum decode_event decode_geneve(struct cur c, struct pkt *p);
static enum decode_event decode_gre(struct cur c, struct pkt *p);
static enum decode_event decode_mpls(struct cur c, struct pkt *p);

/*
 * One more encapsulation is removed: refuse past the bound, and forget
 * the outer link addresses, which are the tunnel's, not the inner hosts'.
 */
static bool
tunnel_enter(struct pkt *p)
{
	if (p->tunnel_depth >= DECODE_MAX_TUNNEL)
		return false;
	p->tunnel_depth++;
	p->has_mac = false;
	p->n_vlans = 0;
	return true;
}

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
			return DEC_TUNNEL_TOO_DEEP;
		/* The outer link is still the inner host's (a 6in4 home
		 * router): keep MACs and VLANs. */
		p->tunnel_depth++;
		return decode_ip(*c, p);
	case 47:	/* GRE */
		return decode_gre(*c, p);
	default:
		return DEC_OTHER_L4;
	}
	avail = cur_left(c);
	p->payload = c->p;
	p->payload_len = (uint32_t)(avail < p->payload_wire_len ?
	    avail : p->payload_wire_len);
	/*
	 * Overlay tunnels by their IANA port.  A datagram that does not
	 * look like one stays an ordinary UDP flow.
	 */
	if (p->ip_proto == IPPROTO_UDP && p->dport == UDP_PORT_VXLAN)
		return decode_vxlan(cur_make(p->payload, p->payload_len), p);
	if (p->ip_proto == IPPROTO_UDP && p->dport == UDP_PORT_GENEVE)
		return decode_geneve(cur_make(p->payload, p->payload_len), p);
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

/*
 * VXLAN (RFC 7348 5):
 *  0       1                4          7       8
 * +-------+----------------+----------+-------+
 * |flags  | reserved       | VNI      | rsvd  |   then an Ethernet frame
 * The I flag (0x08) must be set; without it the datagram is not VXLAN
 * and stays a UDP flow.
 */
static enum decode_event
decode_vxlan(struct cur c, struct pkt *p)
{
	uint8_t flags;

	/* Cut by the snaplen before the flags: a datagram to the VXLAN
	 * port that cannot be told apart, counted rather than made a flow. */
	if (!cur_peek_u8(&c, 0, &flags))
		return p->payload_wire_len > 0 ? DEC_VXLAN_TRUNCATED : DEC_OK;
	if ((flags & 0x08) == 0)
		return DEC_OK;
	if (!cur_skip(&c, 8))
		return DEC_VXLAN_TRUNCATED;
	if (!tunnel_enter(p))
		return DEC_TUNNEL_TOO_DEEP;
	return decode_ethernet(c, p);
}

/*
 * Geneve (RFC 8926 3.4):
 *  0          1            2          4       7      8
 * +---+------+-+-+--------+----------+-------+------+---------
 * |ver|optlen|O|C| rsvd   | protocol | VNI   | rsvd | options (optlen * 4)
 * A version other than 0 is not Geneve: the datagram stays a UDP flow.
 */
static enum decode_event
decode_geneve(struct cur c, struct pkt *p)
{
	uint8_t vo;
	uint16_t proto;

	if (!cur_peek_u8(&c, 0, &vo))
		return p->payload_wire_len > 0 ? DEC_GENEVE_TRUNCATED : DEC_OK;
	if ((vo >> 6) != 0)
		return DEC_OK;
	if (!cur_skip(&c, 2) || !cur_be16(&c, &proto) || !cur_skip(&c, 4) ||
	    !cur_skip(&c, (size_t)(vo & 0x3f) * 4))
		return DEC_GENEVE_TRUNCATED;
	if (!tunnel_enter(p))
		return DEC_TUNNEL_TOO_DEEP;
	switch (proto) {
	case ETH_P_TEB:
		return decode_ethernet(c, p);
	case ETH_P_IPV4:
		return decode_ipv4(c, p);
	case ETH_P_IPV6:
		return decode_ipv6(c, p);
	}
	return DEC_OTHER_TUNNEL_PAYLOAD;
}

/*
 * ERSPAN type II and III (draft-foschiano-erspan-03), after GRE:
 *
 * type II (version 1), 8 bytes:
 *  |ver|VLAN | COS|En|T|session id | reserved(12) index(20) |
 * type III (version 2), 12 bytes, then 8 more when O is set:
 *  |ver|VLAN | COS|BSO|T|session id | timestamp(32) |
 *  | SGT(16) | P|FT(5)|HW ID(6)|D|Gra(2)|O | [platform subheader(64)]
 * Type II mirrors an Ethernet frame; type III an Ethernet frame (FT 0)
 * or an IP packet (FT 2).
 */
static enum decode_event
decode_erspan(struct cur c, bool type3, struct pkt *p)
{
	uint16_t ver_vlan, flags;
	uint8_t frame_type;

	if (!cur_be16(&c, &ver_vlan) || !cur_skip(&c, 6))
		return DEC_ERSPAN_TRUNCATED;
	if ((ver_vlan >> 12) != (type3 ? 2 : 1))
		return DEC_ERSPAN_INVALID;
	if (!type3)
		return decode_ethernet(c, p);
	if (!cur_skip(&c, 2) || !cur_be16(&c, &flags))
		return DEC_ERSPAN_TRUNCATED;
	if ((flags & 0x0001) != 0 && !cur_skip(&c, 8))
		return DEC_ERSPAN_TRUNCATED;
	frame_type = (uint8_t)((flags >> 10) & 0x1f);
	if (frame_type == 0)
		return decode_ethernet(c, p);
	if (frame_type == 2)
		return decode_ip(c, p);
	return DEC_OTHER_TUNNEL_PAYLOAD;
}

/*
 * GRE (RFC 2784, key and sequence number of RFC 2890):
 *  0 1 2 3         13  16         32
 * +-+-+-+-+-------+---+-----------+------------------+-----+-----+
 * |C|R|K|S| flags |ver| protocol  | [checksum, rsvd] |[key]|[seq]|
 * Version 1 is PPTP's enhanced GRE (PPP inside): counted, not followed.
 * The routing field of RFC 1701 (R) is obsolete and refused.
 */
static enum decode_event
decode_gre(struct cur c, struct pkt *p)
{
	uint16_t flags, proto;

	if (!cur_be16(&c, &flags) || !cur_be16(&c, &proto))
		return DEC_GRE_TRUNCATED;
	if ((flags & 0x0007) == 1)
		return DEC_OTHER_TUNNEL_PAYLOAD;
	if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0)
		return DEC_GRE_INVALID;
	if (((flags & 0x8000) != 0 && !cur_skip(&c, 4)) ||
	    ((flags & 0x2000) != 0 && !cur_skip(&c, 4)) ||
	    ((flags & 0x1000) != 0 && !cur_skip(&c, 4)))
		return DEC_GRE_TRUNCATED;
	switch (proto) {
	case ETH_P_MPLS_UC:
	case ETH_P_MPLS_MC:
		return decode_mpls(c, p);
	}
	if (!tunnel_enter(p))
		return DEC_TUNNEL_TOO_DEEP;
	switch (proto) {
	case ETH_P_IPV4:
		return decode_ipv4(c, p);
	case ETH_P_IPV6:
		return decode_ipv6(c, p);
	case ETH_P_TEB:
		return decode_ethernet(c, p);
	case ETH_P_ERSPAN:
		/* Type I has no sequence number and no header of its own. */
		if ((flags & 0x1000) == 0)
			return decode_ethernet(c, p);
		return decode_erspan(c, false, p);
	case ETH_P_ERSPAN3:
		return decode_erspan(c, true, p);
	}
	return DEC_OTHER_TUNNEL_PAYLOAD;
}

/*
 * MPLS (RFC 3032): 4-byte label stack entries
 *  | label(20) | TC(3) | S(1) | TTL(8) |
 * down to the one with S set.  What follows is not named anywhere: as
 * routers and tshark do, an IPv4 or IPv6 packet is told by its first
 * nibble (4 or 6), and a first nibble 0 is a pseudowire control word
 * (RFC 4385) before an Ethernet frame (RFC 4448).  An Ethernet
 * pseudowire without control word whose destination MAC starts with 4
 * or 6 is misread as IP: RFC 4385 asks for the control word for this
 * reason.
 */
static enum decode_event
decode_mpls(struct cur c, struct pkt *p)
{
	uint32_t lse;
	uint8_t first;

	if (!tunnel_enter(p))
		return DEC_TUNNEL_TOO_DEEP;
	for (int i = 0; ; i++) {
		if (i == DECODE_MAX_LABELS)
			return DEC_MPLS_TOO_DEEP;
		if (!cur_be32(&c, &lse))
			return DEC_MPLS_TRUNCATED;
		if ((lse & 0x100) != 0)
			break;
	}
	if (!cur_peek_u8(&c, 0, &first))
		return DEC_MPLS_TRUNCATED;
	switch (first >> 4) {
	case 4:
		return decode_ipv4(c, p);
	case 6:
		return decode_ipv6(c, p);
	case 0:
		if (!cur_skip(&c, 4))
			return DEC_MPLS_TRUNCATED;
		return decode_ethernet(c, p);
	}
	return DEC_OTHER_TUNNEL_PAYLOAD;
}

/*
 * Ethernet II: destination, source, then the ethertype; a value up to
 * 1500 is an 802.3 length (LLC follows, not IP).
 */
static enum decode_event
decode_ethernet(struct cur c, struct pkt *p)
{
	uint16_t type;

	if (!cur_bytes(&c, p->dst_mac, 6) ||
	    !cur_bytes(&c, p->src_mac, 6) || !cur_be16(&c, &type))
		return DEC_ETH_TRUNCATED;
	p->has_mac = true;
	if (type <= 1500)
		return DEC_OTHER_L2;
	return decode_ethertype(c, type, p);
}


static enum decode_event
decode_ethertype(struct cur c, uint16_t type, struct pkt *p)
{
	uint16_t tci, ppp_proto, sess_len;
	uint8_t vt;

	/* Tags stack: at most PKT_MAX_VLANS + 1 are looked at. */
	for (;;) {
		switch (type) {
		case ETH_P_IPV4:
			return decode_ipv4(c, p);
		case ETH_P_IPV6:
			return decode_ipv6(c, p);
		case ETH_P_8021Q:
		case ETH_P_8021AD:
		case ETH_P_QINQ_OLD:
			if (p->n_vlans >= PKT_MAX_VLANS)
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
			if (ppp_proto == PPP_MPLS_UC)
				return decode_mpls(c, p);
			return DEC_OTHER_L2;
		case ETH_P_MPLS_UC:
		case ETH_P_MPLS_MC:
			return decode_mpls(c, p);
		default:
			return DEC_OTHER_L2;
		}
	}
}

/*
 * Raw PPP (RFC 1661, HDLC-like framing of RFC 1662): address 0xff and
 * control 0x03 unless compressed away, then the protocol, a single byte
 * when compressed (RFC 1661 6.5: a protocol byte with its low bit set
 * ends the field).
 */
static enum decode_event
decode_ppp(struct cur c, struct pkt *p)
{
	uint8_t b0, b1;
	uint16_t proto;

	if (cur_peek_u8(&c, 0, &b0) && cur_peek_u8(&c, 1, &b1) &&
	    b0 == 0xff && b1 == 0x03)
		(void)cur_skip(&c, 2);
	if (!cur_u8(&c, &b0))
		return DEC_PPP_TRUNCATED;
	if ((b0 & 1) != 0)
		proto = b0;
	else if (!cur_u8(&c, &b1))
		return DEC_PPP_TRUNCATED;
	else
		proto = (uint16_t)(b0 << 8 | b1);
	switch (proto) {
	case PPP_IPV4:
		return decode_ipv4(c, p);
	case PPP_IPV6:
		return decode_ipv6(c, p);
	case PPP_MPLS_UC:
		return decode_mpls(c, p);
	}
	return DEC_OTHER_L2;
}

/*
 * Linux NFLOG (LINKTYPE_NFLOG): family(1) version(1) resource id(2),
 * then TLVs: length(2) type(2), the value, padding to 4 bytes; the
 * length counts the TLV header but not the padding.  Length and type
 * are in the byte order of the host that logged; types are small, so
 * the first TLV's type tells the order.  The packet, from its network
 * header on, is the value of NFULA_PAYLOAD.  The loop is bounded by the
 * captured length: every TLV is at least 4 bytes.
 */
#define NFULA_PAYLOAD 9

static enum decode_event
decode_nflog(struct cur c, struct pkt *p)
{
	uint8_t family, version, t0, t1;
	uint16_t tlv_len, tlv_type;
	bool big_endian;
	struct cur value;
	size_t pad;

	if (!cur_u8(&c, &family) || !cur_u8(&c, &version) || !cur_skip(&c, 2))
		return DEC_NFLOG_TRUNCATED;
	if (version != 0)
		return DEC_NFLOG_INVALID;
	big_endian = cur_peek_u8(&c, 2, &t0) && cur_peek_u8(&c, 3, &t1) &&
	    t0 == 0 && t1 != 0;
	while (cur_left(&c) > 0) {
		if (!(big_endian ? cur_be16(&c, &tlv_len) :
		    cur_le16(&c, &tlv_len)) ||
		    !(big_endian ? cur_be16(&c, &tlv_type) :
		    cur_le16(&c, &tlv_type)))
			return DEC_NFLOG_TRUNCATED;
		if (tlv_len < 4)
			return DEC_NFLOG_INVALID;
		if ((tlv_type & 0x7fff) == NFULA_PAYLOAD) {
			/* Cut by the snaplen: decode what was captured. */
			value = c;
			if (cur_left(&value) > (size_t)tlv_len - 4)
				value.len = (size_t)tlv_len - 4;
			if (family == 2)
				return decode_ipv4(value, p);
			if (family == 10)
				return decode_ipv6(value, p);
			return decode_ip(value, p);
		}
		if (!cur_sub(&c, (size_t)tlv_len - 4, &value))
			return DEC_NFLOG_TRUNCATED;
		pad = (4 - (tlv_len & 3)) & 3;
		(void)cur_skip(&c, pad < cur_left(&c) ? pad : cur_left(&c));
	}
	return DEC_OTHER_NFLOG_NO_PAYLOAD;
}

/*
 * 802.11 behind radiotap.  Radiotap: version(1) = 0, pad(1), length(2,
 * little-endian) of the whole radiotap header, skipped whole (a trailing
 * FCS needs no cutting: IP's own length ends the packet before it).
 * 802.11 (IEEE 802.11-2020 9.2.3): frame control(2) duration(2) addr1
 * addr2 addr3 sequence(2) [addr4 when ToDS and FromDS] [QoS control(2)]
 * [HT control(4) when QoS and +HTC/Order], then LLC/SNAP
 * (aa aa 03 00 00 00) and the ethertype.  Only data frames in clear are
 * followed; protected ones are counted (other.wlan_protected), as are
 * A-MSDUs and null data, which are not read (other.non_ip_frame).
 */
static enum decode_event
decode_radiotap(struct cur c, struct pkt *p)
{
	uint8_t version, fc0, fc1, qos0 = 0;
	uint16_t rt_len, type;
	const uint8_t *a1, *a2, *a3, *a4 = NULL, *snap;

	if (!cur_u8(&c, &version) || !cur_skip(&c, 1) ||
	    !cur_le16(&c, &rt_len))
		return DEC_RADIOTAP_TRUNCATED;
	if (version != 0 || rt_len < 8)
		return DEC_RADIOTAP_INVALID;
	if (!cur_skip(&c, (size_t)rt_len - 4))
		return DEC_RADIOTAP_TRUNCATED;
	if (!cur_u8(&c, &fc0) || !cur_u8(&c, &fc1))
		return DEC_WLAN_TRUNCATED;
	if (((fc0 >> 2) & 3) != 2)		/* management, control */
		return DEC_OTHER_L2;
	if ((fc1 & 0x40) != 0)
		return DEC_OTHER_WLAN_PROTECTED;
	if ((fc0 & 0x40) != 0)			/* null data: no body */
		return DEC_OTHER_L2;
	if (!cur_skip(&c, 2) || !cur_ptr(&c, 6, &a1) || !cur_ptr(&c, 6, &a2) ||
	    !cur_ptr(&c, 6, &a3) || !cur_skip(&c, 2) ||
	    ((fc1 & 3) == 3 && !cur_ptr(&c, 6, &a4)))
		return DEC_WLAN_TRUNCATED;
	if ((fc0 & 0x80) != 0) {		/* QoS data */
		if (!cur_u8(&c, &qos0) || !cur_skip(&c, 1) ||
		    ((fc1 & 0x80) != 0 && !cur_skip(&c, 4)))
			return DEC_WLAN_TRUNCATED;
		if ((qos0 & 0x80) != 0)		/* A-MSDU */
			return DEC_OTHER_L2;
	}
	if (!cur_ptr(&c, 6, &snap) || !cur_be16(&c, &type))
		return DEC_WLAN_TRUNCATED;
	if (memcmp(snap, "\xaa\xaa\x03\x00\x00\x00", 6) != 0)
		return DEC_OTHER_L2;
	/* Addresses by direction (ToDS, FromDS): DA and SA. */
	switch (fc1 & 3) {
	case 0:
		memcpy(p->dst_mac, a1, 6);
		memcpy(p->src_mac, a2, 6);
		break;
	case 1:
		memcpy(p->dst_mac, a3, 6);
		memcpy(p->src_mac, a2, 6);
		break;
	case 2:
		memcpy(p->dst_mac, a1, 6);
		memcpy(p->src_mac, a3, 6);
		break;
	default:
		memcpy(p->dst_mac, a3, 6);
		memcpy(p->src_mac, a4, 6);
		break;
	}
	p->has_mac = true;
	return decode_ethertype(c, type, p);
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
		return decode_ethernet(c, p);
	case DLT_PPP_:
		return decode_ppp(c, p);
	case DLT_NFLOG_:
		return decode_nflog(c, p);
	case DLT_IEEE802_11_RADIO_:
		return decode_radiotap(c, p);
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
