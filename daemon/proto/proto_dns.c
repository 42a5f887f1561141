/*
 * proto_dns.c - DNS message parser: header, first question, answer
 * section with A, AAAA, CNAME, SVCB and HTTPS rdata (RFC 1035, RFC 3596,
 * RFC 9460), and the CNAME-chain walk that turns an answer into
 * (address, TTL) pairs for the per-client cache.
 *
 * Invariants: packet bytes are read only through struct cur; positions in
 * the message are offsets, never pointers; every loop driven by the
 * message has its bound stated; nothing is allocated.
 *
 * Header (RFC 1035 4.1.1):
 *
 *     0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   |QR|  Opcode   |AA|TC|RD|RA|   Z    |   RCODE   |
 *   |                    QDCOUNT                    |
 *   |                    ANCOUNT                    |
 *   |                    NSCOUNT                    |
 *   |                    ARCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * Resource record (RFC 1035 4.1.3): NAME, TYPE(16), CLASS(16), TTL(32),
 * RDLENGTH(16), RDATA.  Names are labels (length byte 1..63 then bytes)
 * ended by a zero byte or by a compression pointer (two bytes, top bits
 * 11, 14-bit offset from the message start, RFC 1035 4.1.4).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "dns.h"

#define DNS_HDR_LEN 12
#define DNS_NAME_WIRE_MAX 255	/* RFC 1035 2.3.4 */
#define DNS_LABEL_MAX 63

/*
 * How a byte inside a label is written in presentation form:
 * 0 as is, 1 behind a backslash, 2 as \DDD.  Space is \032 so a name is
 * one token wherever it is printed.
 */
static inline int
esc_class(uint8_t b)
{
	if (b <= 0x20 || b >= 0x7f)
		return 2;
	return b == '.' || b == '\\';
}

/*
 * A cursor over msg bytes [from, to).  False when from is past to or to
 * past the message end.
 */
static bool
seg(const struct cur *msg, size_t from, size_t to, struct cur *ret)
{
	struct cur c = *msg;

	if (from > to || !cur_skip(&c, from))
		return false;
	return cur_sub(&c, to - from, ret);
}

/*
 * Append one label in presentation form at out[*o].  The caller checked
 * that 4 bytes per label byte plus a dot and the NUL fit.
 */
static void
label_put(const uint8_t *lab, size_t n, char *out, size_t *o)
{
	static const char dig[] = "0123456789";
	size_t k = *o;
	size_t i = 0;

	/* Nearly every byte is written as is: copy those without the
	 * switch below. */
	while (i < n && lab[i] > 0x20 && lab[i] < 0x7f && lab[i] != '.' &&
	    lab[i] != '\\') {
		out[k + i] = (char)lab[i];
		i++;
	}
	k += i;
	/* Bound: n <= 63 for a label, 1 for an ALPN byte. */
	for (; i < n; i++) {
		uint8_t b = lab[i];

		switch (esc_class(b)) {
		case 0:
			out[k++] = (char)b;
			break;
		case 1:
			out[k++] = '\\';
			out[k++] = (char)b;
			break;
		default:
			out[k++] = '\\';
			out[k++] = dig[b / 100];
			out[k++] = dig[b / 10 % 10];
			out[k++] = dig[b % 10];
			break;
		}
	}
	*o = k;
}

/*
 * Read the name that starts at offset pos of msg into out (size bytes;
 * NULL to only validate).  Bytes read in place must lie before lim (the
 * message end, or the end of the rdata that holds the name); compression
 * pointers may lead anywhere earlier in the message.
 *
 * Loop safety: every pointer must point strictly below the start of the
 * run of labels it ends (so the offsets visited strictly decrease and no
 * loop is possible), and at most DNS_MAX_PTR_HOPS pointers are followed.
 * Each label adds at least 2 to the wire length, which is capped at 255,
 * so at most 127 labels are read.
 *
 * *ret_next is the offset just past the name where it sits (after its
 * first pointer, if any).  TRUNCATED when the bytes in place end before
 * the name does; everything else wrong is MALFORMED.
 */
static enum parse_status
name_read(const struct cur *msg, size_t pos, size_t lim, char *out,
    size_t size, size_t *ret_next)
{
	struct cur r;
	size_t floor = pos, next = 0, wire = 1, o = 0;
	unsigned hops = 0;
	bool jumped = false;

	if (!seg(msg, pos, lim, &r))
		return PARSE_TRUNCATED;
	for (;;) {
		const uint8_t *lab;
		uint8_t l, lo;

		if (!cur_u8(&r, &l))
			return jumped ? PARSE_MALFORMED : PARSE_TRUNCATED;
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (!cur_u8(&r, &lo))
				return jumped ? PARSE_MALFORMED :
				    PARSE_TRUNCATED;
			target = (size_t)(l & 0x3f) << 8 | lo;
			if (target >= floor || ++hops > DNS_MAX_PTR_HOPS)
				return PARSE_MALFORMED;
			if (!jumped) {
				next = pos + (lim - pos - cur_left(&r));
				jumped = true;
			}
			floor = target;
			/* target < floor <= message length, so this holds;
			 * bytes after a jump may run to the message end. */
			if (!seg(msg, target, cur_left(msg), &r))
				return PARSE_MALFORMED;
			continue;
		}
		/* 01 (RFC 6891 extended) and 10 label types are obsolete or
		 * reserved; a length above 63 cannot be anything else. */
		if (l > DNS_LABEL_MAX)
			return PARSE_MALFORMED;
		wire += (size_t)l + 1;
		if (wire > DNS_NAME_WIRE_MAX)
			return PARSE_MALFORMED;
		if (!cur_ptr(&r, l, &lab))
			return jumped ? PARSE_MALFORMED : PARSE_TRUNCATED;
		if (out == NULL)
			continue;
		/* 255 wire bytes need at most 4 * 253 + 126 < 1024 chars, so
		 * this only fires for a caller's smaller buffer. */
		if (o + 1 + 4 * (size_t)l + 2 > size)
			return PARSE_MALFORMED;
		if (o > 0)
			out[o++] = '.';
		label_put(lab, l, out, &o);
	}
	if (!jumped)
		next = pos + (lim - pos - cur_left(&r));
	if (out != NULL) {
		if (size < 2)
			return PARSE_MALFORMED;
		if (o == 0)
			out[o++] = '.';
		out[o] = '\0';
	}
	*ret_next = next;
	return PARSE_OK;
}

/*
 * Append one ALPN id to rr->alpn, joined with ','.  ',' and '\' in an id
 * are escaped with a backslash and non-printable bytes as \DDD, so the
 * list splits back unambiguously.  An id that does not fit whole sets
 * svc_cut.
 */
static void
alpn_put(struct dns_rr *rr, struct cur id)
{
	size_t o = strlen(rr->alpn), need = 0, n = cur_left(&id);
	const uint8_t *b;
	char tmp[4 * 255];
	size_t t = 0;

	if (n == 0 || !cur_ptr(&id, n, &b))
		return;
	/* Bound (both loops): n <= 255, the id's 1-byte length. */
	for (size_t i = 0; i < n; i++) {
		if (b[i] == ',' || b[i] == '\\')
			need += 2;
		else
			need += esc_class(b[i]) == 2 ? 4 : 1;
	}
	if (o + (o > 0) + need + 1 > sizeof(rr->alpn)) {
		rr->svc_cut = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i] == ',' || b[i] == '\\') {
			tmp[t++] = '\\';
			tmp[t++] = (char)b[i];
		} else if (esc_class(b[i]) == 2) {
			label_put(&b[i], 1, tmp, &t);
		} else {
			tmp[t++] = (char)b[i];
		}
	}
	if (o > 0)
		rr->alpn[o++] = ',';
	memcpy(rr->alpn + o, tmp, t);
	rr->alpn[o + t] = '\0';
}

/*
 * SVCB / HTTPS rdata (RFC 9460 2.2):
 *
 *   SvcPriority(16) TargetName(uncompressed name)
 *   SvcParams: { SvcParamKey(16) SvcParamValue<0..65535> }*
 *
 * alpn (key 1) is a list of 1-byte-length-prefixed ids; ipv4hint (4) and
 * ipv6hint (6) are arrays of 4- and 16-byte addresses.  Other keys are
 * skipped.  RFC 9460 forbids compressing TargetName; a pointer is
 * followed anyway (the same safe reader), because refusing it gains
 * nothing.  Keys out of order are tolerated for the same reason.
 */
static enum parse_status
svc_read(const struct cur *msg, size_t rdstart, size_t rdend,
    struct dns_rr *rr)
{
	struct cur rd, params;
	size_t next;
	enum parse_status st;

	if (!seg(msg, rdstart, rdend, &rd) || !cur_be16(&rd, &rr->svc_priority))
		return PARSE_MALFORMED;
	st = name_read(msg, rdstart + 2, rdend, rr->target,
	    sizeof(rr->target), &next);
	if (st != PARSE_OK)
		return PARSE_MALFORMED;
	if (!seg(msg, next, rdend, &params))
		return PARSE_MALFORMED;
	/* Bound: each parameter consumes at least 4 of <= 65535 bytes. */
	while (cur_left(&params) > 0) {
		struct cur val, id;
		uint16_t key;
		uint8_t b4[4], b16[16];

		if (!cur_be16(&params, &key) || !cur_vec16(&params, &val))
			return PARSE_MALFORMED;
		switch (key) {
		case DNS_SVC_ALPN:
			/* Bound: each id consumes at least 1 byte of val. */
			while (cur_left(&val) > 0) {
				if (!cur_vec8(&val, &id))
					return PARSE_MALFORMED;
				alpn_put(rr, id);
			}
			break;
		case DNS_SVC_IPV4HINT:
			if (cur_left(&val) == 0 || cur_left(&val) % 4 != 0)
				return PARSE_MALFORMED;
			/* Bound: 4 bytes consumed per round. */
			while (cur_bytes(&val, b4, 4)) {
				if (rr->n_hints == DNS_MAX_HINTS) {
					rr->svc_cut = true;
					break;
				}
				addr_set4(&rr->hints[rr->n_hints++], b4);
			}
			break;
		case DNS_SVC_IPV6HINT:
			if (cur_left(&val) == 0 || cur_left(&val) % 16 != 0)
				return PARSE_MALFORMED;
			/* Bound: 16 bytes consumed per round. */
			while (cur_bytes(&val, b16, 16)) {
				if (rr->n_hints == DNS_MAX_HINTS) {
					rr->svc_cut = true;
					break;
				}
				addr_set6(&rr->hints[rr->n_hints++], b16);
			}
			break;
		default:
			break;
		}
	}
	return PARSE_OK;
}

/*
 * Read one resource record at *pos into rr.  TRUNCATED when the bytes
 * end inside it (the caller keeps what came before); MALFORMED when the
 * bytes that are there are wrong.
 */
static enum parse_status
rr_read(const struct cur *msg, size_t *pos, struct dns_rr *rr)
{
	struct cur c, rd;
	size_t at, rdstart, rdend, next;
	uint8_t b[16];
	enum parse_status st;

	st = name_read(msg, *pos, cur_left(msg), rr->name, sizeof(rr->name),
	    &at);
	if (st != PARSE_OK)
		return st;
	if (!seg(msg, at, cur_left(msg), &c) ||
	    !cur_be16(&c, &rr->type) || !cur_be16(&c, &rr->rclass) ||
	    !cur_be32(&c, &rr->ttl) || !cur_be16(&c, &rr->rdlength) ||
	    !cur_sub(&c, rr->rdlength, &rd))
		return PARSE_TRUNCATED;
	rdstart = at + 10;
	rdend = rdstart + rr->rdlength;
	memset(&rr->addr, 0, sizeof(rr->addr));
	rr->target[0] = '\0';
	rr->svc_priority = 0;
	rr->alpn[0] = '\0';
	rr->n_hints = 0;
	rr->svc_cut = false;

	switch (rr->type) {
	case DNS_TYPE_A:
		/* Bit 15 of the class is mDNS's cache-flush flag. */
		if ((rr->rclass & 0x7fff) != DNS_CLASS_IN)
			break;
		if (!cur_bytes(&rd, b, 4) || cur_left(&rd) != 0)
			return PARSE_MALFORMED;
		addr_set4(&rr->addr, b);
		break;
	case DNS_TYPE_AAAA:
		if ((rr->rclass & 0x7fff) != DNS_CLASS_IN)
			break;
		if (!cur_bytes(&rd, b, 16) || cur_left(&rd) != 0)
			return PARSE_MALFORMED;
		addr_set6(&rr->addr, b);
		break;
	case DNS_TYPE_CNAME:
		/* The rdata is all there, so a name running past it is
		 * wrong, not cut.  Bytes after the name are tolerated. */
		if (name_read(msg, rdstart, rdend, rr->target,
		    sizeof(rr->target), &next) != PARSE_OK)
			return PARSE_MALFORMED;
		break;
	case DNS_TYPE_SVCB:
	case DNS_TYPE_HTTPS:
		st = svc_read(msg, rdstart, rdend, rr);
		if (st != PARSE_OK)
			return st;
		break;
	default:
		/* Unknown and uninteresting types: skipped by rdlength. */
		break;
	}
	*pos = rdend;
	return PARSE_OK;
}

struct parse_result
dns_parse(const uint8_t *p, size_t len, struct dns_msg *ret)
{
	struct cur msg = cur_make(p, len), c = msg;
	size_t pos = DNS_HDR_LEN;
	enum parse_status st;

	if (len > UINT32_MAX)
		return parse_fail(PARSE_MALFORMED);
	if (!cur_be16(&c, &ret->id) || !cur_be16(&c, &ret->flags) ||
	    !cur_be16(&c, &ret->qdcount) || !cur_be16(&c, &ret->ancount) ||
	    !cur_be16(&c, &ret->nscount) || !cur_be16(&c, &ret->arcount))
		return parse_fail(PARSE_TRUNCATED);
	ret->qr = ret->flags >> 15;
	ret->opcode = (uint8_t)(ret->flags >> 11 & 0xf);
	ret->tc = ret->flags >> 9 & 1;
	ret->rcode = (uint8_t)(ret->flags & 0xf);
	ret->qname[0] = '\0';
	ret->qtype = ret->qclass = 0;
	ret->has_question = false;
	ret->n_answers = 0;
	ret->answers_cut = false;

	if (ret->qdcount > 0) {
		st = name_read(&msg, pos, len, ret->qname, sizeof(ret->qname),
		    &pos);
		if (st != PARSE_OK)
			return parse_fail(st);
		if (!seg(&msg, pos, len, &c) || !cur_be16(&c, &ret->qtype) ||
		    !cur_be16(&c, &ret->qclass))
			return parse_fail(PARSE_TRUNCATED);
		pos += 4;
		ret->has_question = true;
	}
	/* Further questions (almost never sent) are stepped over.  Bound:
	 * qdcount <= 65535, and each one consumes at least 5 bytes. */
	for (uint32_t i = 1; i < ret->qdcount; i++) {
		st = name_read(&msg, pos, len, NULL, 0, &pos);
		if (st == PARSE_MALFORMED)
			return parse_fail(st);
		if (st != PARSE_OK || !seg(&msg, pos, len, &c) ||
		    !cur_skip(&c, 4)) {
			ret->answers_cut = ret->ancount > 0;
			return parse_ok((uint32_t)len);
		}
		pos += 4;
	}
	/* Bound: ancount <= 65535, at most DNS_MAX_ANSWERS kept, and each
	 * record consumes at least 11 bytes. */
	for (uint32_t i = 0; i < ret->ancount; i++) {
		if (ret->n_answers == DNS_MAX_ANSWERS) {
			ret->answers_cut = true;
			break;
		}
		st = rr_read(&msg, &pos, &ret->answers[ret->n_answers]);
		if (st == PARSE_TRUNCATED) {
			ret->answers_cut = true;
			break;
		}
		if (st != PARSE_OK)
			return parse_fail(st);
		ret->n_answers++;
	}
	/* The authority and additional sections are not read: nothing in
	 * them names what the client will connect to. */
	return parse_ok((uint32_t)len);
}

struct parse_result
dns_parse_tcp(const uint8_t *p, size_t len, struct dns_msg *ret)
{
	struct cur c = cur_make(p, len);
	const uint8_t *m;
	struct parse_result r;
	uint16_t mlen;

	if (!cur_be16(&c, &mlen))
		return parse_need(2);
	if (!cur_ptr(&c, mlen, &m))
		return parse_need(2 + (uint32_t)mlen);
	r = dns_parse(m, mlen, ret);
	if (r.st == PARSE_OK)
		return parse_ok(2 + (uint32_t)mlen);
	/* The frame is complete, so bytes missing inside it are the
	 * sender's fault, not the capture's. */
	r.st = PARSE_MALFORMED;
	r.consumed = 2 + (uint32_t)mlen;
	r.needed = 0;
	return r;
}

const char *
dns_type_name(uint16_t type)
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 13: return "HINFO";
	case 15: return "MX";
	case 16: return "TXT";
	case 17: return "RP";
	case 18: return "AFSDB";
	case 24: return "SIG";
	case 25: return "KEY";
	case 28: return "AAAA";
	case 29: return "LOC";
	case 33: return "SRV";
	case 35: return "NAPTR";
	case 36: return "KX";
	case 37: return "CERT";
	case 39: return "DNAME";
	case 41: return "OPT";
	case 42: return "APL";
	case 43: return "DS";
	case 44: return "SSHFP";
	case 45: return "IPSECKEY";
	case 46: return "RRSIG";
	case 47: return "NSEC";
	case 48: return "DNSKEY";
	case 49: return "DHCID";
	case 50: return "NSEC3";
	case 51: return "NSEC3PARAM";
	case 52: return "TLSA";
	case 53: return "SMIMEA";
	case 55: return "HIP";
	case 59: return "CDS";
	case 60: return "CDNSKEY";
	case 61: return "OPENPGPKEY";
	case 62: return "CSYNC";
	case 63: return "ZONEMD";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 99: return "SPF";
	case 249: return "TKEY";
	case 250: return "TSIG";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 256: return "URI";
	case 257: return "CAA";
	default: return NULL;
	}
}

static inline unsigned char
ascii_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

bool
dns_name_equal(const char *a, const char *b)
{
	/* Most names compared are the same bytes: strcmp is vectorised. */
	if (strcmp(a, b) == 0)
		return true;
	/* Bound: both strings are NUL-terminated. */
	for (;; a++, b++) {
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return false;
		if (*a == '\0')
			return true;
	}
}

static inline uint32_t
ttl_eff(uint32_t ttl)
{
	/* RFC 2181 8: a TTL with the top bit set is treated as zero. */
	return ttl > INT32_MAX ? 0 : ttl;
}

void
dns_msg_foreach_resolved(const struct dns_msg *msg,
    void (*cb)(const struct addr *a, uint32_t ttl, void *ctx), void *ctx)
{
	const char *visited[DNS_MAX_CNAME_HOPS + 1];
	size_t n_visited = 0;
	const char *name;
	uint32_t chain = UINT32_MAX;

	if (!msg->has_question)
		return;
	name = msg->qname;
	visited[n_visited++] = name;
	/* Bound: DNS_MAX_CNAME_HOPS + 1 names, each over <= 32 answers. */
	for (;;) {
		const struct dns_rr *cname = NULL;

		for (size_t i = 0; i < msg->n_answers; i++) {
			const struct dns_rr *rr = &msg->answers[i];
			uint32_t ttl;

			if (!dns_name_equal(rr->name, name))
				continue;
			ttl = ttl_eff(rr->ttl);
			if (ttl > chain)
				ttl = chain;
			switch (rr->type) {
			case DNS_TYPE_A:
			case DNS_TYPE_AAAA:
				if (rr->addr.family != 0)
					cb(&rr->addr, ttl, ctx);
				break;
			case DNS_TYPE_SVCB:
			case DNS_TYPE_HTTPS:
				/* Hints belong to TargetName, but the client
				 * reached them by asking for this name. */
				for (size_t h = 0; h < rr->n_hints; h++)
					cb(&rr->hints[h], ttl, ctx);
				break;
			case DNS_TYPE_CNAME:
				/* A name has one CNAME (RFC 2181 10.1);
				 * extra ones are ignored. */
				if (cname == NULL)
					cname = rr;
				break;
			default:
				break;
			}
		}
		if (cname == NULL || n_visited > DNS_MAX_CNAME_HOPS)
			return;
		for (size_t v = 0; v < n_visited; v++)
			if (dns_name_equal(visited[v], cname->target))
				return;
		if (ttl_eff(cname->ttl) < chain)
			chain = ttl_eff(cname->ttl);
		name = cname->target;
		visited[n_visited++] = name;
	}
}
