/*
 * pkt.h - the decoded view of one captured packet.
 *
 * decode_packet() fills it; every later stage reads it and none writes it.
 * Pointers point into the capture buffer and are valid only until the
 * capture callback that delivered the packet's batch returns.
 */
#ifndef OUTFLOW_PKT_H
#define OUTFLOW_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define PKT_MAX_VLANS 2

/* TCP flags, as on the wire. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct pkt {
	uint64_t ts_us;			/* capture timestamp, microseconds */
	uint32_t caplen;		/* bytes captured */
	uint32_t wirelen;		/* bytes on the wire */
	bool has_mac;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t n_vlans;
	uint16_t vlans[PKT_MAX_VLANS];	/* outermost first, VLAN ids only */
	struct addr src;
	struct addr dst;
	uint8_t ip_proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	uint16_t ip_len;		/* IP datagram length on the wire (header + payload) */
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t seq;
	uint32_t ack;
	const uint8_t *payload;		/* transport payload, captured part */
	uint32_t payload_len;		/* captured payload bytes */
	uint32_t payload_wire_len;	/* payload bytes on the wire (>= payload_len) */
	uint8_t anomaly;		/* enum decode_event tolerated, 0 if none */
	uint8_t tunnel_depth;		/* encapsulations removed (IP-in-IP,
					 * GRE, ERSPAN, VXLAN, Geneve, MPLS) */
};

#endif
