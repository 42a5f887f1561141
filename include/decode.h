/*
 * decode.h - link, network and transport decoding (stage 2).
 *
 * Turns captured bytes into a struct pkt.  Every rejection is a named
 * event with a counter; nothing is dropped silently.
 */
#ifndef OUTFLOW_DECODE_H
#define OUTFLOW_DECODE_H

#include <stdint.h>

#include "pkt.h"

/*
 * Decode outcomes.  DEC_OK means a TCP or UDP packet ready for the flow
 * table.  The DEC_OTHER_* outcomes are valid traffic we do not follow
 * (counted, not errors; DEC_OTHER_FRAGMENT stays the last of them, as
 * decode_event_is_error() relies on it); the rest are malformed or
 * truncated packets.
 * DEC_CAPLEN_OVER_LEN is never an outcome, only an anomaly: a capture
 * record claiming more bytes captured than were on the wire, counted by
 * the pipeline, which sees both lengths, and the packet still used.
 */
#define DECODE_EVENTS(X)						\
	X(DEC_OK, "ok")							\
	X(DEC_OTHER_L2, "other.non_ip_frame")				\
	X(DEC_OTHER_L4, "other.non_tcp_udp")				\
	X(DEC_OTHER_WLAN_PROTECTED, "other.wlan_protected")		\
	X(DEC_OTHER_TUNNEL_PAYLOAD, "other.tunnel_payload")		\
	X(DEC_OTHER_NFLOG_NO_PAYLOAD, "other.nflog_no_payload")		\
	X(DEC_OTHER_FRAGMENT, "other.ip_fragment_not_first")		\
	X(DEC_ETH_TRUNCATED, "eth.truncated")				\
	X(DEC_VLAN_TRUNCATED, "vlan.truncated")				\
	X(DEC_VLAN_TOO_DEEP, "vlan.too_many_tags")			\
	X(DEC_PPPOE_TRUNCATED, "pppoe.truncated")			\
	X(DEC_PPPOE_INVALID, "pppoe.invalid")				\
	X(DEC_SLL_TRUNCATED, "sll.truncated")				\
	X(DEC_NULL_TRUNCATED, "null.truncated")				\
	X(DEC_NULL_UNKNOWN_FAMILY, "null.unknown_family")		\
	X(DEC_PPP_TRUNCATED, "ppp.truncated")				\
	X(DEC_NFLOG_TRUNCATED, "nflog.truncated")			\
	X(DEC_NFLOG_INVALID, "nflog.invalid")				\
	X(DEC_RADIOTAP_TRUNCATED, "radiotap.truncated")			\
	X(DEC_RADIOTAP_INVALID, "radiotap.invalid")			\
	X(DEC_WLAN_TRUNCATED, "wlan.truncated")				\
	X(DEC_GRE_TRUNCATED, "gre.truncated")				\
	X(DEC_GRE_INVALID, "gre.invalid")				\
	X(DEC_ERSPAN_TRUNCATED, "erspan.truncated")			\
	X(DEC_ERSPAN_INVALID, "erspan.invalid")				\
	X(DEC_VXLAN_TRUNCATED, "vxlan.truncated")			\
	X(DEC_GENEVE_TRUNCATED, "geneve.truncated")			\
	X(DEC_MPLS_TRUNCATED, "mpls.truncated")				\
	X(DEC_MPLS_TOO_DEEP, "mpls.too_many_labels")			\
	X(DEC_TUNNEL_TOO_DEEP, "tunnel.too_deep")			\
	X(DEC_IPV4_TRUNCATED, "ipv4.truncated")				\
	X(DEC_IPV4_BAD_HLEN, "ipv4.bad_header_length")			\
	X(DEC_IPV4_BAD_LEN, "ipv4.bad_total_length")			\
	X(DEC_IPV6_TRUNCATED, "ipv6.truncated")				\
	X(DEC_IPV6_EXT_TRUNCATED, "ipv6.ext_header_truncated")		\
	X(DEC_IPV6_TOO_MANY_EXT, "ipv6.too_many_ext_headers")		\
	X(DEC_IP_BAD_VERSION, "ip.bad_version")				\
	X(DEC_TCP_TRUNCATED, "tcp.truncated")				\
	X(DEC_TCP_BAD_HLEN, "tcp.bad_header_length")			\
	X(DEC_UDP_TRUNCATED, "udp.truncated")				\
	X(DEC_UDP_BAD_LEN, "udp.bad_length")				\
	X(DEC_CAPLEN_OVER_LEN, "capture.caplen_over_len")

enum decode_event {
#define DECODE_ENUM(e, s) e,
	DECODE_EVENTS(DECODE_ENUM)
#undef DECODE_ENUM
	DEC__COUNT
};

/** Stable counter name of an event ("ipv4.truncated"). */
const char *decode_event_name(enum decode_event ev);

/** Whether an event is an error (malformed or truncated), not "other". */
static inline int
decode_event_is_error(enum decode_event ev)
{
	return ev > DEC_OTHER_FRAGMENT;
}

/** Whether the link type (DLT_* as libpcap reports it) is supported. */
int decode_linktype_supported(int dlt);

/**
 * Decode one frame of link type dlt.  Sets every field of *p except
 * ts_us and wirelen, which the caller sets.  Never reads past
 * data + caplen.
 */
enum decode_event decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
    struct pkt *p);

#endif
