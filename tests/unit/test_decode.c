/*
 * test_decode.c - link/network/transport decoding on hand-built frames.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

#define DLT_EN10MB 1
#define DLT_RAW 12
#define DLT_NULL 0
#define DLT_LOOP 108
#define DLT_SLL 113
#define DLT_SLL2 276
#define DLT_PPP 9
#define DLT_RADIOTAP 127
#define DLT_NFLOG 239

static size_t
put_ipv4_udp(uint8_t *b, uint16_t payload, uint16_t udp_len_override)
{
	uint16_t total = (uint16_t)(20 + 8 + payload);
	uint16_t ul = udp_len_override ? udp_len_override : (uint16_t)(8 + payload);
	uint8_t h[28] = {
		0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 1, 0, 0,
		64, 17, 0, 0, 192, 168, 1, 23, 8, 8, 8, 8,
		0xd4, 0x31, 0, 53, (uint8_t)(ul >> 8), (uint8_t)ul, 0, 0,
	};

	memcpy(b, h, sizeof(h));
	memset(b + 28, 'x', payload);
	return 28 + payload;
}

static size_t
put_eth(uint8_t *b, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0x3c, 0x22, 0xfb,
	    0x12, 0x34, 0x56 };

	memcpy(b, macs, 12);
	b[12] = (uint8_t)(type >> 8);
	b[13] = (uint8_t)type;
	return 14;
}

static void
test_eth_ipv4_udp(void **state)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = put_eth(f, 0x0800);

	(void)state;
	n += put_ipv4_udp(f + n, 10, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_true(p.has_mac);
	assert_int_equal(p.src_mac[0], 0x3c);
	assert_int_equal(p.src.family, 4);
	assert_int_equal(p.src.a[3], 23);
	assert_int_equal(p.dst.a[0], 8);
	assert_int_equal(p.ip_proto, 17);
	assert_int_equal(p.sport, 54321);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 10);
	assert_int_equal(p.payload_wire_len, 10);
	assert_int_equal(p.ip_len, 38);
}

static void
test_ethernet_padding_is_cut(void **state)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = put_eth(f, 0x0800);

	(void)state;
	n += put_ipv4_udp(f + n, 2, 0);
	memset(f + n, 0xee, 16);	/* padding to the Ethernet minimum */
	n += 16;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.payload_len, 2);
}

static void
test_vlan_qinq_pppoe(void **state)
{
	uint8_t f[160];
	struct pkt p;
	size_t n;

	(void)state;
	/* QinQ: 802.1ad outer 100, 802.1Q inner 200. */
	n = put_eth(f, 0x88a8);
	memcpy(f + n, "\x00\x64\x81\x00\x00\xc8\x08\x00", 8);
	n += 8;
	n += put_ipv4_udp(f + n, 4, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.n_vlans, 2);
	assert_int_equal(p.vlans[0], 100);
	assert_int_equal(p.vlans[1], 200);

	/* Three tags: refused with a name. */
	n = put_eth(f, 0x8100);
	memcpy(f + n, "\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03\x08\x00", 12);
	n += 12;
	n += put_ipv4_udp(f + n, 4, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_VLAN_TOO_DEEP);

	/* PPPoE session carrying IPv4. */
	n = put_eth(f, 0x8864);
	memcpy(f + n, "\x11\x00\x12\x34\x00\x26\x00\x21", 8);
	n += 8;
	n += put_ipv4_udp(f + n, 8, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	f[14] = 0x12;	/* bad version/type */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_PPPOE_INVALID);
}

static void
test_cooked_raw_null(void **state)
{
	uint8_t f[160];
	struct pkt p;
	size_t n;

	(void)state;
	/* SLL: pkttype, hatype 1, halen 6, address, protocol. */
	memcpy(f, "\x00\x00\x00\x01\x00\x06\x3c\x22\xfb\x12\x34\x56\x00\x00\x08\x00", 16);
	n = 16 + put_ipv4_udp(f + 16, 3, 0);
	assert_int_equal(decode_packet(DLT_SLL, f, (uint32_t)n, &p), DEC_OK);
	assert_true(p.has_mac);
	assert_int_equal(p.src_mac[5], 0x56);
	/* SLL2: protocol first. */
	memcpy(f, "\x08\x00\x00\x00\x00\x00\x00\x02\x00\x01\x00\x06\x3c\x22\xfb\x12\x34\x56\x00\x00", 20);
	n = 20 + put_ipv4_udp(f + 20, 3, 0);
	assert_int_equal(decode_packet(DLT_SLL2, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.src_mac[0], 0x3c);
	/* Raw IP. */
	n = put_ipv4_udp(f, 3, 0);
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p), DEC_OK);
	/* NULL, little-endian AF_INET; LOOP, big-endian AF_INET6 (wrong
	 * here: the payload is IPv4, so the version check fires). */
	memcpy(f, "\x02\x00\x00\x00", 4);
	n = 4 + put_ipv4_udp(f + 4, 3, 0);
	assert_int_equal(decode_packet(DLT_NULL, f, (uint32_t)n, &p), DEC_OK);
	memcpy(f, "\x00\x00\x00\x1e", 4);
	assert_int_equal(decode_packet(DLT_LOOP, f, (uint32_t)n, &p),
	    DEC_IP_BAD_VERSION);
	memcpy(f, "\x00\x00\x00\x63", 4);
	assert_int_equal(decode_packet(DLT_LOOP, f, (uint32_t)n, &p),
	    DEC_NULL_UNKNOWN_FAMILY);
}

static void
test_ipv4_errors_and_fragments(void **state)
{
	uint8_t f[128];
	struct pkt p;
	size_t n = put_ipv4_udp(f, 20, 0);

	(void)state;
	/* Every prefix shorter than the headers is truncated, never read past. */
	for (size_t cut = 0; cut < 28; cut++) {
		enum decode_event ev = decode_packet(DLT_RAW, f, (uint32_t)cut, &p);

		assert_true(decode_event_is_error(ev));
	}
	/* Snaplen cut inside the payload: decoded, payload shortened. */
	assert_int_equal(decode_packet(DLT_RAW, f, 30, &p), DEC_OK);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.payload_wire_len, 20);

	f[0] = 0x44;	/* IHL 4 */
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p),
	    DEC_IPV4_BAD_HLEN);
	f[0] = 0x45;
	f[2] = 0;
	f[3] = 10;	/* total < header */
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p),
	    DEC_IPV4_BAD_LEN);
	n = put_ipv4_udp(f, 20, 0);
	/* Later fragment: counted, not decoded. */
	f[6] = 0x00;
	f[7] = 0x10;
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p),
	    DEC_OTHER_FRAGMENT);
	/* First fragment whose UDP length covers later fragments. */
	n = put_ipv4_udp(f, 20, 1400);
	f[6] = 0x20;	/* MF */
	f[7] = 0x00;
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.payload_len, 20);
	assert_int_equal(p.anomaly, 0);
	/* Not a fragment, UDP longer than IP: tolerated, flagged. */
	n = put_ipv4_udp(f, 20, 1400);
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.anomaly, DEC_UDP_BAD_LEN);
	/* UDP length below its header. */
	n = put_ipv4_udp(f, 20, 4);
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p),
	    DEC_UDP_BAD_LEN);
}

static void
test_ipv6_ext_and_tcp(void **state)
{
	uint8_t f[160];
	struct pkt p;
	size_t n = 0;
	static const uint8_t ip6[8] = { 0x60, 0, 0, 0, 0, 8 + 8 + 20 + 5, 0, 64 };

	(void)state;
	memcpy(f, ip6, 8);
	memset(f + 8, 0, 32);
	f[8] = 0x20;
	f[9] = 0x01;
	f[23] = 1;
	f[24] = 0x2a;
	f[39] = 2;
	n = 40;
	/* hop-by-hop (8 bytes), destination options (8 bytes) -> TCP */
	memcpy(f + n, "\x3c\x00\x01\x04\x00\x00\x00\x00", 8);
	n += 8;
	memcpy(f + n, "\x06\x00\x01\x04\x00\x00\x00\x00", 8);
	n += 8;
	/* TCP 50000 -> 443, seq 1000, SYN|ACK? no: PSH|ACK, hlen 20 */
	memcpy(f + n, "\xc3\x50\x01\xbb\x00\x00\x03\xe8\x00\x00\x00\x01\x50\x18\xff\xff\x00\x00\x00\x00", 20);
	n += 20;
	memcpy(f + n, "hello", 5);
	n += 5;
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.src.family, 6);
	assert_int_equal(p.ip_proto, 6);
	assert_int_equal(p.sport, 50000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.tcp_flags, TCP_PSH | TCP_ACK);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "hello", 5);
	/* Bad TCP data offset. */
	f[56 + 12] = 0x40;
	assert_int_equal(decode_packet(DLT_RAW, f, (uint32_t)n, &p),
	    DEC_TCP_BAD_HLEN);
	/* An extension header chain longer than the bound. */
	memcpy(f, ip6, 8);
	f[5] = 96;
	f[6] = 60;
	for (int i = 0; i < 12; i++)
		memcpy(f + 40 + i * 8, "\x3c\x00\x00\x00\x00\x00\x00\x00", 8);
	assert_int_equal(decode_packet(DLT_RAW, f, 136, &p),
	    DEC_IPV6_TOO_MANY_EXT);
}

/* An outer IPv4 header 198.18.0.1 -> 198.18.0.2 around payload. */
static size_t
put_ipv4(uint8_t *b, uint8_t proto, const uint8_t *payload, size_t len)
{
	uint16_t total = (uint16_t)(20 + len);
	uint8_t h[20] = {
		0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 2, 0x40, 0,
		64, proto, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
	};

	memcpy(b, h, sizeof(h));
	memmove(b + 20, payload, len);
	return 20 + len;
}

/* An outer UDP datagram to dport, in outer IPv4. */
static size_t
put_udp4(uint8_t *b, uint16_t dport, const uint8_t *payload, size_t len)
{
	uint8_t u[1600];
	uint16_t ul = (uint16_t)(8 + len);

	u[0] = 0xd4;
	u[1] = 0x31;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)(ul >> 8);
	u[5] = (uint8_t)ul;
	u[6] = u[7] = 0;
	memcpy(u + 8, payload, len);
	return put_ipv4(b, 17, u, 8 + len);
}

/* Every prefix of a frame shorter than cut decodes to something other
 * than DEC_OK, and nothing reads past it (ASan). */
static void
assert_prefixes_not_ok(int dlt, const uint8_t *f, size_t cut)
{
	struct pkt p;

	for (size_t n = 0; n < cut; n++)
		assert_int_not_equal(decode_packet(dlt, f, (uint32_t)n, &p),
		    DEC_OK);
}

static void
test_ppp(void **state)
{
	uint8_t f[128];
	struct pkt p;
	size_t n;

	(void)state;
	memcpy(f, "\xff\x03\x00\x21", 4);
	n = 4 + put_ipv4_udp(f + 4, 8, 0);
	assert_int_equal(decode_packet(DLT_PPP, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_false(p.has_mac);
	assert_prefixes_not_ok(DLT_PPP, f, 4 + 28);
	/* Address/control and protocol compressed (RFC 1661 6.5, 6.6). */
	f[0] = 0x21;
	n = 1 + put_ipv4_udp(f + 1, 8, 0);
	assert_int_equal(decode_packet(DLT_PPP, f, (uint32_t)n, &p), DEC_OK);
	/* LCP: not IP. */
	memcpy(f, "\xff\x03\xc0\x21\x01\x01\x00\x04", 8);
	assert_int_equal(decode_packet(DLT_PPP, f, 8, &p), DEC_OTHER_L2);
	assert_int_equal(decode_packet(DLT_PPP, f, 3, &p), DEC_PPP_TRUNCATED);
	assert_true(decode_linktype_supported(DLT_PPP));
}

static void
test_nflog(void **state)
{
	/* family 2, version 0, group 5; packet header TLV (hw protocol,
	 * hook), prefix "fwd:" + NUL padded to 8, then the payload. */
	static const uint8_t le[] = { 2, 0, 0, 5, 8, 0, 1, 0, 8, 0, 2, 0,
	    9, 0, 10, 0, 'f', 'w', 'd', ':', 0, 0, 0, 0, 4 + 36, 0, 9, 0 };
	static const uint8_t be[] = { 2, 0, 0, 5, 0, 8, 0, 1, 8, 0, 2, 0,
	    0, 9, 0, 10, 'f', 'w', 'd', ':', 0, 0, 0, 0, 0, 4 + 36, 0, 9 };
	uint8_t f[128];
	struct pkt p;
	size_t n;

	(void)state;
	memcpy(f, le, sizeof(le));
	n = sizeof(le) + put_ipv4_udp(f + sizeof(le), 8, 0);
	assert_int_equal(decode_packet(DLT_NFLOG, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 8);
	assert_prefixes_not_ok(DLT_NFLOG, f, sizeof(le) + 28);
	/* Logged on a big-endian host. */
	memcpy(f, be, sizeof(be));
	assert_int_equal(decode_packet(DLT_NFLOG, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	/* No payload TLV (copy mode "none"). */
	assert_int_equal(decode_packet(DLT_NFLOG, f, 24, &p),
	    DEC_OTHER_NFLOG_NO_PAYLOAD);
	/* A TLV shorter than its own header. */
	memcpy(f, le, sizeof(le));
	f[4] = 2;
	assert_int_equal(decode_packet(DLT_NFLOG, f, (uint32_t)n, &p),
	    DEC_NFLOG_INVALID);
	f[4] = 8;
	f[1] = 1;	/* version */
	assert_int_equal(decode_packet(DLT_NFLOG, f, (uint32_t)n, &p),
	    DEC_NFLOG_INVALID);
}

static void
test_radiotap_wlan(void **state)
{
	/* radiotap (no fields), QoS data to the AP: addr1 BSSID, addr2 SA,
	 * addr3 DA, sequence, QoS control, LLC/SNAP, IPv4. */
	static const uint8_t hdr[] = { 0, 0, 8, 0, 0, 0, 0, 0,
	    0x88, 0x01, 0, 0, 0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
	    0x3c, 0x22, 0xfb, 0x12, 0x34, 0x56, 0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
	    0x10, 0, 0, 0, 0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00 };
	uint8_t f[160];
	struct pkt p;
	size_t n;

	(void)state;
	memcpy(f, hdr, sizeof(hdr));
	n = sizeof(hdr) + put_ipv4_udp(f + sizeof(hdr), 8, 0);
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OK);
	assert_true(p.has_mac);
	assert_memory_equal(p.src_mac, "\x3c\x22\xfb\x12\x34\x56", 6);
	assert_int_equal(p.dport, 53);
	assert_prefixes_not_ok(DLT_RADIOTAP, f, sizeof(hdr) + 28);
	/* From the AP: the source is addr3. */
	f[9] = 0x02;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OK);
	assert_memory_equal(p.src_mac, "\x00\x1a\x2b\x3c\x4d\x5e", 6);
	/* Protected: counted, not followed. */
	f[9] = 0x41;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OTHER_WLAN_PROTECTED);
	f[9] = 0x01;
	/* A-MSDU. */
	f[32] = 0x80;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OTHER_L2);
	f[32] = 0;
	/* Not SNAP. */
	f[34] = 0xe0;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OTHER_L2);
	f[34] = 0xaa;
	/* A beacon (management). */
	f[8] = 0x80;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_OTHER_L2);
	f[8] = 0x88;
	/* Radiotap version and a length beyond the capture. */
	f[0] = 1;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_RADIOTAP_INVALID);
	f[0] = 0;
	f[2] = 0xff;
	assert_int_equal(decode_packet(DLT_RADIOTAP, f, (uint32_t)n, &p),
	    DEC_RADIOTAP_TRUNCATED);
}

static void
test_gre_erspan(void **state)
{
	uint8_t in[256], g[256], f[512];
	struct pkt p;
	size_t ni, n;

	(void)state;
	/* GRE with checksum, key and sequence number, IPv4 inside. */
	memcpy(g, "\xb0\x00\x08\x00\0\0\0\0\0\0\0\x07\0\0\0\x01", 16);
	ni = put_ipv4_udp(g + 16, 8, 0);
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 47, g, 16 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.src.a[3], 23);	/* the inner 192.168.1.23 */
	assert_int_equal(p.tunnel_depth, 1);
	assert_false(p.has_mac);		/* the outer MACs are the mirror's */
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 20 + 16 + 28);
	/* PPTP's enhanced GRE: counted, not followed; routing: refused. */
	f[34 + 1] = 0x01;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_OTHER_TUNNEL_PAYLOAD);
	f[34 + 1] = 0x02;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_GRE_INVALID);
	f[34] = 0xf0;
	f[34 + 1] = 0;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_GRE_INVALID);

	/* Transparent Ethernet bridging: the inner frame's MACs. */
	ni = put_eth(in, 0x0800);
	ni += put_ipv4_udp(in + ni, 8, 0);
	memcpy(g, "\x00\x00\x65\x58", 4);
	memcpy(g + 4, in, ni);
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 47, g, 4 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_true(p.has_mac);
	assert_memory_equal(p.src_mac, "\x3c\x22\xfb\x12\x34\x56", 6);

	/* ERSPAN type I: 0x88be without sequence number, no header. */
	memcpy(g, "\x00\x00\x88\xbe", 4);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);

	/* ERSPAN type II: sequence number, 8-byte header, version 1. */
	memcpy(g, "\x10\x00\x88\xbe\0\0\0\x01\x10\x00\x00\x0c\0\0\0\0", 16);
	memcpy(g + 16, in, ni);
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 47, g, 16 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 20 + 16 + 14 + 28);
	f[34 + 8] = 0x20;	/* version 2 under 0x88be */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_ERSPAN_INVALID);

	/* ERSPAN type III with the platform subheader (O), IP inside (FT 2). */
	memcpy(g, "\x10\x00\x22\xeb\0\0\0\x02"
	    "\x20\x00\x00\x09\x12\x34\x56\x78\x00\x00\x88\x11"
	    "\x0c\x00\x00\x00\x00\x00\x00\x01", 28);
	ni = put_ipv4_udp(g + 28, 8, 0);
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 47, g, 28 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 20 + 28 + 28);
	f[34 + 18] = 0x80 | 0x14;	/* FT 5: not followed */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_OTHER_TUNNEL_PAYLOAD);
}

static void
test_vxlan_geneve(void **state)
{
	uint8_t in[256], t[256], f[512];
	struct pkt p;
	size_t ni, n;

	(void)state;
	ni = put_eth(in, 0x0800);
	ni += put_ipv4_udp(in + ni, 8, 0);
	memcpy(t, "\x08\x00\x00\x00\x00\x00\x64\x00", 8);
	memcpy(t + 8, in, ni);
	n = put_eth(f, 0x0800);
	n += put_udp4(f + n, 4789, t, 8 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.src.a[3], 23);
	assert_true(p.has_mac);
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 28 + 8 + 14 + 28);
	/* Without the I flag it is not VXLAN: the outer UDP is the flow. */
	f[42] = 0;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 4789);
	/* A datagram too short for the VXLAN header. */
	n = put_eth(f, 0x0800);
	n += put_udp4(f + n, 4789, (const uint8_t *)"\x08\0\0\0", 4);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_VXLAN_TRUNCATED);

	/* Geneve with one 8-byte option, Ethernet inside. */
	memcpy(t, "\x02\x00\x65\x58\x00\x00\x05\x00"
	    "\x01\x01\x01\x01\x5e\x5e\x5e\x5e", 16);
	memcpy(t + 16, in, ni);
	n = put_eth(f, 0x0800);
	n += put_udp4(f + n, 6081, t, 16 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 28 + 16 + 14 + 28);
	f[42 + 3] = 0x01;	/* protocol 0x6501: not followed */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_OTHER_TUNNEL_PAYLOAD);
	f[42] = 0x3f;		/* options beyond the datagram */
	f[42 + 3] = 0x58;
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_GENEVE_TRUNCATED);
	f[42] = 0x42;		/* version 1: not Geneve, plain UDP */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 6081);
	/* IP inside. */
	memcpy(t, "\x00\x00\x08\x00\x00\x00\x06\x00", 8);
	ni = put_ipv4_udp(t + 8, 8, 0);
	n = put_eth(f, 0x0800);
	n += put_udp4(f + n, 6081, t, 8 + ni);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_false(p.has_mac);
}

static void
test_mpls(void **state)
{
	uint8_t f[512];
	struct pkt p;
	size_t n;

	(void)state;
	/* Two labels, then IPv4 told by its first nibble. */
	n = put_eth(f, 0x8847);
	memcpy(f + n, "\x00\x06\x40\x40\x00\x0c\x81\x40", 8);
	n += 8;
	n += put_ipv4_udp(f + n, 8, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.tunnel_depth, 1);
	assert_prefixes_not_ok(DLT_EN10MB, f, 14 + 8 + 28);
	f[22] = 0x55;		/* first nibble 5: not followed */
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_OTHER_TUNNEL_PAYLOAD);
	/* Ethernet pseudowire with control word. */
	n = put_eth(f, 0x8847);
	memcpy(f + n, "\x00\x01\x01\x40\x00\x00\x00\x00", 8);
	n += 8;
	n += put_eth(f + n, 0x0800);
	n += put_ipv4_udp(f + n, 8, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p), DEC_OK);
	assert_true(p.has_mac);
	assert_int_equal(p.dport, 53);
	/* A stack longer than the bound. */
	n = put_eth(f, 0x8847);
	for (int i = 0; i < 9; i++, n += 4)
		memcpy(f + n, "\x00\x01\x00\x40", 4);
	n += put_ipv4_udp(f + n, 8, 0);
	assert_int_equal(decode_packet(DLT_EN10MB, f, (uint32_t)n, &p),
	    DEC_MPLS_TOO_DEEP);
}

static void
test_tunnel_depth(void **state)
{
	uint8_t a[1024], b[1024];
	struct pkt p;
	size_t n;

	(void)state;
	/* IPv4 in GRE in GRE ...: four layers are removed, not five. */
	for (int layers = 4; layers <= 5; layers++) {
		n = put_ipv4_udp(a, 8, 0);
		for (int i = 0; i < layers; i++) {
			memcpy(b, "\x00\x00\x08\x00", 4);
			memcpy(b + 4, a, n);
			n = put_ipv4(a, 47, b, 4 + n);
		}
		assert_int_equal(decode_packet(DLT_RAW, a, (uint32_t)n, &p),
		    layers == 4 ? DEC_OK : DEC_TUNNEL_TOO_DEEP);
	}
	/* Two outer tags and two inner ones: the inner ones are the flow's,
	 * and the outer ones do not add up past PKT_MAX_VLANS. */
	n = put_eth(b, 0x8100);
	memcpy(b + n, "\x00\x0a\x81\x00\x00\x0b\x08\x00", 8);
	n += 8;
	n += put_ipv4_udp(b + n, 8, 0);
	memcpy(a, "\x00\x00\x65\x58", 4);
	memcpy(a + 4, b, n);
	n = put_ipv4(b + 22, 47, a, 4 + n);
	put_eth(b, 0x8100);
	memcpy(b + 14, "\x00\x01\x81\x00\x00\x02\x08\x00", 8);
	assert_int_equal(decode_packet(DLT_EN10MB, b, (uint32_t)(22 + n), &p),
	    DEC_OK);
	assert_int_equal(p.n_vlans, 2);
	assert_int_equal(p.vlans[0], 10);
	assert_int_equal(p.vlans[1], 11);
}

static void
test_linktypes(void **state)
{
	(void)state;
	assert_true(decode_linktype_supported(DLT_EN10MB));
	assert_true(decode_linktype_supported(DLT_SLL2));
	assert_true(decode_linktype_supported(DLT_NFLOG));
	assert_true(decode_linktype_supported(DLT_RADIOTAP));
	assert_false(decode_linktype_supported(147));
	assert_string_equal(decode_event_name(DEC_IPV4_TRUNCATED), "ipv4.truncated");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_udp),
		cmocka_unit_test(test_ethernet_padding_is_cut),
		cmocka_unit_test(test_vlan_qinq_pppoe),
		cmocka_unit_test(test_cooked_raw_null),
		cmocka_unit_test(test_ipv4_errors_and_fragments),
		cmocka_unit_test(test_ipv6_ext_and_tcp),
		cmocka_unit_test(test_ppp),
		cmocka_unit_test(test_nflog),
		cmocka_unit_test(test_radiotap_wlan),
		cmocka_unit_test(test_gre_erspan),
		cmocka_unit_test(test_vxlan_geneve),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_tunnel_depth),
		cmocka_unit_test(test_linktypes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
