/*
 * lan.h - which addresses are the LAN side: the prefixes a configuration
 * names (outflow.yaml `lan:`, --lan), or, when it names none, the ranges
 * that are never routed on the Internet (private, loopback, link-local,
 * CGNAT, multicast, ULA).
 *
 * A flow's ends are sorted once, when it is created (flow.h): that
 * decides network.direction, and with a configured LAN also which end is
 * the device (client) when the packets do not say, and which
 * destinations are local.  IPv4-mapped and NAT64 addresses are taken as
 * the IPv4 address they carry.
 */
#ifndef OUTFLOW_LAN_H
#define OUTFLOW_LAN_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define LAN_MAX_PREFIXES 64

struct lan_prefix {
	struct addr net;		/* host bits zero */
	unsigned len;			/* bits */
};

/* A configured LAN: read-only once built, shared by pipeline threads. */
struct lan {
	struct lan_prefix p[LAN_MAX_PREFIXES];
	size_t n;
};

/**
 * "ADDR/LEN" (IPv4 or IPv6) or a bare address (a host).  Host bits must
 * be zero.  0 and *ret, or -EINVAL with err saying why.
 */
int lan_prefix_parse(const char *s, struct lan_prefix *ret, char *err,
    size_t errlen);

/**
 * Is addr on the LAN: in one of l's prefixes; with l NULL, in the
 * never-routed ranges above.
 */
bool lan_contains(const struct lan *l, const struct addr *addr);

#endif
