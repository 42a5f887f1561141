/*
 * dns.h - DNS message parser (RFC 1035, RFC 3596 AAAA, RFC 9460 SVCB/HTTPS).
 *
 * The parser reads the header, the first question and up to
 * DNS_MAX_ANSWERS records of the answer section of one message; the
 * authority and additional sections are not read.  Names come out in
 * presentation form, case kept as sent, with bytes that are not printable
 * ASCII written as \DDD and '.' / '\' inside a label as "\." / "\\"; the
 * root is "." and other names carry no trailing dot.  Because the escaping
 * is canonical, one wire name has exactly one presentation form and names
 * compare with dns_name_equal().
 *
 * Nothing is allocated: the caller owns struct dns_msg (about 80 KiB) and
 * keeps one as scratch.  After a failed parse its contents are unspecified.
 */
#ifndef OUTFLOW_DNS_H
#define OUTFLOW_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "parse.h"

#define DNS_TEXT_MAX 1024	/* presentation form incl. \DDD escapes */
#define DNS_MAX_ANSWERS 32
#define DNS_MAX_HINTS 8
#define DNS_MAX_PTR_HOPS 16	/* compression pointers followed per name */
#define DNS_MAX_CNAME_HOPS 16	/* CNAMEs followed by dns_msg_foreach_resolved */
#define DNS_ALPN_MAX 128

/** RR types the parser or its callers name (IANA DNS parameters). */
enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_ANY = 255,
};

/** The only class whose A/AAAA rdata is read. */
enum dns_class {
	DNS_CLASS_IN = 1,
};

/** SvcParamKeys (RFC 9460 section 14.3.2) that the parser keeps. */
enum dns_svc_key {
	DNS_SVC_ALPN = 1,
	DNS_SVC_IPV4HINT = 4,
	DNS_SVC_IPV6HINT = 6,
};

/** One answer-section record; fields not of its type are zero or "". */
struct dns_rr {
	char name[DNS_TEXT_MAX];	/* owner */
	uint16_t type, rclass;		/* rclass as sent (mDNS sets bit 15) */
	uint32_t ttl;			/* as sent */
	uint16_t rdlength;
	struct addr addr;		/* A / AAAA in class IN; family 0 otherwise */
	char target[DNS_TEXT_MAX];	/* CNAME target, SVCB/HTTPS TargetName ("." kept) */
	uint16_t svc_priority;		/* SVCB/HTTPS; 0 = AliasMode */
	char alpn[DNS_ALPN_MAX];	/* SVCB/HTTPS alpn ids joined with ',' */
	struct addr hints[DNS_MAX_HINTS];	/* ipv4hint then ipv6hint, wire order */
	size_t n_hints;
	bool svc_cut;			/* alpn or hints longer than kept */
};

/** One parsed message: header, first question, answers kept in order. */
struct dns_msg {
	uint16_t id, flags;
	bool qr;			/* response */
	uint8_t opcode, rcode;
	bool tc;			/* truncated by the server (TC bit) */
	uint16_t qdcount, ancount, nscount, arcount;
	char qname[DNS_TEXT_MAX];	/* first question; "" without one */
	uint16_t qtype, qclass;
	bool has_question;
	struct dns_rr answers[DNS_MAX_ANSWERS];
	size_t n_answers;
	/* Fewer answers kept than ancount says: more than DNS_MAX_ANSWERS,
	 * or the bytes ended inside the answer section. */
	bool answers_cut;
};

/**
 * Parse one DNS message (a UDP payload) of len bytes into *ret.
 *
 * PARSE_OK (consumed = len) once the header and the first question (if
 * qdcount > 0) were read; answers that the bytes cut off set answers_cut.
 * PARSE_TRUNCATED when the header or the first question is cut off.
 * PARSE_MALFORMED for a bad name (forward or looping compression pointer,
 * more than DNS_MAX_PTR_HOPS pointers, label > 63, name > 255 wire bytes,
 * reserved label type) anywhere that is read, or bad A/AAAA/SVCB rdata.
 */
struct parse_result dns_parse(const uint8_t *p, size_t len,
    struct dns_msg *ret);

/**
 * Parse one DNS-over-TCP message (RFC 1035 4.2.2: 2-byte length prefix).
 *
 * PARSE_NEED_MORE (needed = total bytes wanted) until the whole framed
 * message is there.  PARSE_OK with consumed = 2 + message length, so the
 * caller loops over a stream.  A complete frame whose message is cut short
 * is PARSE_MALFORMED; in that case (only) consumed is still set to the
 * frame length, so the caller can skip the frame and go on.
 */
struct parse_result dns_parse_tcp(const uint8_t *p, size_t len,
    struct dns_msg *ret);

/** Mnemonic of an RR type ("A", "AAAA", "CNAME", "HTTPS", ...) or NULL. */
const char *dns_type_name(uint16_t type);

/** Compare two presentation-form names, ASCII case-insensitively. */
bool dns_name_equal(const char *a, const char *b);

/**
 * Resolve the CNAME chain in msg starting at its qname: for every A/AAAA
 * record and every SVCB/HTTPS ipv4hint/ipv6hint in the answer section
 * whose owner is reached from qname (following at most DNS_MAX_CNAME_HOPS
 * CNAMEs; a CNAME already followed ends the walk), call
 * cb(addr, ttl, ctx).  ttl is the minimum TTL along the chain (RFC 2181
 * 8: a TTL with the top bit set counts as 0).  Nothing is called without
 * a question.
 */
void dns_msg_foreach_resolved(const struct dns_msg *msg,
    void (*cb)(const struct addr *a, uint32_t ttl, void *ctx), void *ctx);

#endif
