/*
 * dhcp.h - DHCPv4 message parser (RFC 2131, options RFC 2132), for the
 * names devices give themselves (option 12) and the addresses they get.
 */
#ifndef OUTFLOW_DHCP_H
#define OUTFLOW_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define DHCP_HOSTNAME_MAX 64	/* longer names are cut */

struct dhcp_msg {
	uint8_t op;			/* 1 request, 2 reply */
	uint8_t msg_type;		/* option 53, 0 if absent */
	uint8_t chaddr[6];		/* client MAC (Ethernet only) */
	bool chaddr_is_mac;
	uint8_t ciaddr[4], yiaddr[4];	/* client's current and offered address */
	uint8_t requested[4];		/* option 50, zero if absent */
	char hostname[DHCP_HOSTNAME_MAX + 1];	/* option 12, "" if absent */
	char fqdn[DHCP_HOSTNAME_MAX + 1];	/* option 81 name, "" if absent */
};

/**
 * Parse one DHCP message (a UDP payload from port 67/68).  Options are
 * walked to their end with at most 255 steps; overloaded sname/file
 * fields are not read.  PARSE_UNSUPPORTED for BOOTP without the magic
 * cookie.
 */
struct parse_result dhcp_parse(const uint8_t *p, size_t len,
    struct dhcp_msg *ret);

#endif
