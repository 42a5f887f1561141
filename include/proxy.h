/*
 * proxy.h - the handshakes that open a tunnel through a proxy, so the TLS
 * inside it can be read: HTTP CONNECT (RFC 9110 §9.3.6), SOCKS4 and its
 * 4a extension (names resolved by the proxy), SOCKS5 (RFC 1928, with the
 * RFC 1929 username/password subnegotiation).
 *
 * Both directions are parsed from their first byte; the parse says how
 * many bytes the handshake takes, and the tunnel's bytes follow.  The
 * target is kept when it is a name (the CONNECT authority, the SOCKS4a or
 * SOCKS5 domain); credentials (SOCKS user id, username and password,
 * Proxy-Authorization) are skipped and never copied.
 */
#ifndef OUTFLOW_PROXY_H
#define OUTFLOW_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

enum proxy_kind {
	PROXY_NONE = 0,
	PROXY_CONNECT,
	PROXY_SOCKS4,
	PROXY_SOCKS4A,
	PROXY_SOCKS5,
};

#define PROXY_NAME_MAX	256	/* a DNS name fits (255 + NUL) */

/* The client's side of the handshake. */
struct proxy_request {
	enum proxy_kind kind;
	bool auth;			/* credentials were given (not kept) */
	uint16_t port;			/* target port */
	char name[PROXY_NAME_MAX];	/* target name, "" for an address */
};

/**
 * Cheap check on a TCP flow's first client bytes: a CONNECT request line
 * start, a SOCKS4 CONNECT request, or a SOCKS5 greeting (alone or followed
 * by what comes next).  PROXY_NONE otherwise.
 */
enum proxy_kind proxy_looks_like(const uint8_t *d, size_t n);

/**
 * Parse the client's handshake at the start of d.  PARSE_OK with
 * consumed = its length (the tunnel starts there) and ret filled;
 * PARSE_NEED_MORE; PARSE_MALFORMED when it is not one; PARSE_UNSUPPORTED
 * for a command other than CONNECT (BIND, UDP ASSOCIATE) or a method
 * other than none or username/password.  Allocates nothing.
 */
struct parse_result proxy_client_parse(const uint8_t *d, size_t n,
    struct proxy_request *ret);

/**
 * Parse the proxy's answer of a handshake of this kind at the start of
 * d.  PARSE_OK with consumed = its length when the tunnel is open;
 * PARSE_NEED_MORE; PARSE_UNSUPPORTED when the proxy refused (a non-2xx
 * status, SOCKS4 reply other than 90, SOCKS5 failure or no acceptable
 * method); PARSE_MALFORMED.
 */
struct parse_result proxy_server_parse(enum proxy_kind kind, const uint8_t *d,
    size_t n);

/** "connect", "socks4", "socks4a", "socks5", or NULL. */
const char *proxy_kind_name(enum proxy_kind kind);

#endif
