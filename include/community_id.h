/*
 * community_id.h - the Community ID flow hash, version 1
 * (github.com/corelight/community-id-spec): a string that names a flow
 * the same way in every tool that computes it (Zeek, Suricata, Arkime,
 * Wireshark, Elastic's network.community_id), so a SIEM joins outflow's
 * events to theirs with a string comparison.
 *
 * "1:" and the base64 of SHA-1(seed . addr . addr . proto . 0 . port .
 * port), the endpoints ordered so the smaller address (then port) comes
 * first and both directions of a flow hash alike.
 */
#ifndef OUTFLOW_COMMUNITY_ID_H
#define OUTFLOW_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* "1:" + 28 base64 characters + NUL. */
#define COMMUNITY_ID_SIZE 31

/*
 * An endpoint pair: for TCP, UDP and SCTP the ports; for ICMP and ICMPv6
 * what community_id_icmp() makes of type and code; ignored for other
 * protocols, which are hashed without ports.
 */
struct community_id_tuple {
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;		/* IP protocol number */
	bool one_way;		/* ICMP message with no reply: keep the order */
};

/**
 * Ports for an ICMP (proto 1) or ICMPv6 (58) message, as Zeek maps them:
 * a request or reply becomes (type, the type of its counterpart) and is
 * ordered like any flow; any other message becomes (type, code) and is
 * one-way.  Fills t's sport, dport and one_way.
 */
void community_id_icmp(struct community_id_tuple *t, uint8_t type,
    uint8_t code);

/**
 * The Community ID of t under seed into out (COMMUNITY_ID_SIZE bytes,
 * NUL-terminated).  0, or -EINVAL when the addresses are not both IPv4
 * or both IPv6 (out untouched).
 */
int community_id_v1(const struct community_id_tuple *t, uint16_t seed,
    char out[COMMUNITY_ID_SIZE]);

#endif
