/*
 * proto_dhcp.c - DHCPv4 (RFC 2131):
 *
 *  0     1     2     3     4          8      10     12     16     20     24     28         44     108   236    240
 * +-----+-----+-----+-----+----------+------+------+------+------+------+------+----------+------+-----+------+--------
 * | op  |htype| hlen| hops|   xid    | secs | flags|ciaddr|yiaddr|siaddr|giaddr|  chaddr  | sname| file|cookie| options
 */
#include <string.h>

#include "cursor.h"
#include "dhcp.h"

#define DHCP_MAGIC 0x63825363u
#define OPT_PAD 0
#define OPT_HOSTNAME 12
#define OPT_REQUESTED_IP 50
#define OPT_MSG_TYPE 53
#define OPT_FQDN 81
#define OPT_END 255
/* Options walked per message: each takes at least one byte anyway. */
#define DHCP_MAX_OPTIONS 255

/* Copy a name option, replacing bytes that are not printable ASCII. */
static void
copy_name(char *dst, struct cur *v)
{
	size_t n = cur_left(v) > DHCP_HOSTNAME_MAX ? DHCP_HOSTNAME_MAX :
	    cur_left(v);
	uint8_t c;

	for (size_t i = 0; i < n && cur_u8(v, &c); i++)
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	dst[n] = '\0';
	/* Some clients count the terminating NUL in the length. */
	while (n > 0 && dst[n - 1] == '?' && v->p[-1] == 0)
		dst[--n] = '\0';
}

struct parse_result
dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *ret)
{
	struct cur c = cur_make(p, len), v;
	uint8_t htype, hlen, code, olen;
	uint32_t magic;

	memset(ret, 0, sizeof(*ret));
	if (!cur_u8(&c, &ret->op) || !cur_u8(&c, &htype) || !cur_u8(&c, &hlen) ||
	    !cur_skip(&c, 1 + 4 + 2 + 2) || !cur_bytes(&c, ret->ciaddr, 4) ||
	    !cur_bytes(&c, ret->yiaddr, 4) || !cur_skip(&c, 8) ||
	    !cur_bytes(&c, ret->chaddr, 6) || !cur_skip(&c, 10 + 64 + 128) ||
	    !cur_be32(&c, &magic))
		return parse_fail(PARSE_TRUNCATED);
	if (ret->op != 1 && ret->op != 2)
		return parse_fail(PARSE_MALFORMED);
	if (magic != DHCP_MAGIC)
		return parse_fail(PARSE_UNSUPPORTED);
	ret->chaddr_is_mac = htype == 1 && hlen == 6;

	for (int i = 0; i < DHCP_MAX_OPTIONS; i++) {
		if (!cur_u8(&c, &code))
			break;		/* no END option: tolerated */
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			break;
		if (!cur_u8(&c, &olen) || !cur_sub(&c, olen, &v))
			return parse_fail(PARSE_MALFORMED);
		switch (code) {
		case OPT_MSG_TYPE:
			if (olen == 1)
				cur_u8(&v, &ret->msg_type);
			break;
		case OPT_HOSTNAME:
			copy_name(ret->hostname, &v);
			break;
		case OPT_REQUESTED_IP:
			if (olen == 4)
				cur_bytes(&v, ret->requested, 4);
			break;
		case OPT_FQDN:
			/* flags, rcode1, rcode2, then the name (ASCII or
			 * wire form; wire-form names are not decoded). */
			if (cur_skip(&v, 3) && cur_left(&v) > 0 &&
			    !(v.p[0] < 64 && v.p[0] > 0 && cur_left(&v) > 1 &&
			    v.p[0] < cur_left(&v) && (v.p[0] < 0x20)))
				copy_name(ret->fqdn, &v);
			break;
		default:
			break;
		}
	}
	return parse_ok((uint32_t)(len - cur_left(&c)));
}
