/*
 * proto_proxy.c - proxy handshakes before a tunnel: HTTP CONNECT, SOCKS4,
 * SOCKS4a and SOCKS5 (see proxy.h).
 *
 * Every read goes through a cursor over the bytes given; nothing is
 * allocated.  A handshake longer than PROXY_HEAD_MAX is not one we read.
 */
#include <string.h>

#include "cursor.h"
#include "proxy.h"

/* CONNECT request or response head, SOCKS4 user id: longer is refused. */
#define PROXY_HEAD_MAX	8192

enum {
	SOCKS4_VERSION = 4,
	SOCKS5_VERSION = 5,
	SOCKS_CMD_CONNECT = 1,
	SOCKS4_GRANTED = 90,
	SOCKS5_METHOD_NONE = 0x00,
	SOCKS5_METHOD_USERPASS = 0x02,
	SOCKS5_METHOD_REFUSED = 0xff,
	SOCKS5_AUTH_VERSION = 1,	/* RFC 1929 subnegotiation */
	SOCKS5_ATYP_IPV4 = 1,
	SOCKS5_ATYP_NAME = 3,
	SOCKS5_ATYP_IPV6 = 4,
};

static const char connect_method[] = "CONNECT ";

const char *
proxy_kind_name(enum proxy_kind kind)
{
	switch (kind) {
	case PROXY_CONNECT:
		return "connect";
	case PROXY_SOCKS4:
		return "socks4";
	case PROXY_SOCKS4A:
		return "socks4a";
	case PROXY_SOCKS5:
		return "socks5";
	default:
		return NULL;
	}
}

/* Visible ASCII only: a target name is a DNS name, never a control. */
static bool
name_byte_ok(uint8_t b)
{
	return b > 0x20 && b < 0x7f;
}

static bool
copy_name(char *dst, const uint8_t *src, size_t n)
{
	if (n == 0 || n >= PROXY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_byte_ok(src[i]))
			return false;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

/* A SOCKS5 method byte that RFC 1928 assigns or reserves. */
static bool
socks5_method_ok(uint8_t m)
{
	return m <= 0x09 || (m >= 0x80 && m <= 0xfe);
}

enum proxy_kind
proxy_looks_like(const uint8_t *d, size_t n)
{
	struct cur c = cur_make(d, n);
	uint8_t v, x;

	if (n >= sizeof(connect_method) - 1 &&
	    memcmp(d, connect_method, sizeof(connect_method) - 1) == 0)
		return PROXY_CONNECT;
	if (!cur_u8(&c, &v) || !cur_u8(&c, &x))
		return PROXY_NONE;
	if (v == SOCKS4_VERSION && x == SOCKS_CMD_CONNECT && n > 8) {
		/* port, address, then a NUL-terminated user id */
		if (memchr(d + 8, 0, n - 8) == NULL)
			return PROXY_NONE;
		return d[4] == 0 && d[5] == 0 && d[6] == 0 && d[7] != 0 ?
		    PROXY_SOCKS4A : PROXY_SOCKS4;
	}
	if (v == SOCKS5_VERSION && x >= 1 && n >= (size_t)2 + x) {
		for (size_t i = 0; i < x; i++)
			if (!socks5_method_ok(d[2 + i]))
				return PROXY_NONE;
		/* The greeting alone, or followed by the RFC 1929
		 * subnegotiation or the request. */
		if (n == (size_t)2 + x || d[2 + x] == SOCKS5_AUTH_VERSION ||
		    d[2 + x] == SOCKS5_VERSION)
			return PROXY_SOCKS5;
	}
	return PROXY_NONE;
}

/*
 * Length of an HTTP head (up to and with its empty line), 0 while the
 * empty line is still to come; lines end in CRLF or LF.
 */
static size_t
head_len(const uint8_t *d, size_t n)
{
	size_t lim = n < PROXY_HEAD_MAX ? n : PROXY_HEAD_MAX;

	for (size_t i = 0; i + 1 < lim; i++) {
		if (d[i] != '\n')
			continue;
		if (d[i + 1] == '\n')
			return i + 2;
		if (d[i + 1] == '\r' && i + 2 < lim && d[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Whether the head has a header of this name (ASCII case-insensitive). */
static bool
head_has(const uint8_t *d, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i + len < n; i++) {
		size_t k;

		if (i > 0 && d[i - 1] != '\n')
			continue;
		for (k = 0; k < len; k++) {
			uint8_t b = d[i + k];

			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b - 'A' + 'a');
			if (b != (uint8_t)name[k])
				break;
		}
		if (k == len && d[i + len] == ':')
			return true;
	}
	return false;
}

static bool
parse_port(const uint8_t *d, size_t n, uint16_t *ret)
{
	uint32_t v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(d[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*ret = (uint16_t)v;
	return true;
}

/* An IPv4 literal is no server name (nor is a bracketed IPv6 one). */
static bool
is_ipv4_literal(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || d[i] == '.'))
			return false;
	return true;
}

/* "CONNECT host:port HTTP/1.x" then headers and an empty line. */
static struct parse_result
connect_parse(const uint8_t *d, size_t n, struct proxy_request *ret)
{
	size_t total = head_len(d, n), i, start, colon, end;
	const size_t m = sizeof(connect_method) - 1;

	if (total == 0)
		return n >= PROXY_HEAD_MAX ? parse_fail(PARSE_MALFORMED) :
		    parse_need(0);
	start = m;
	for (i = start; i < total && d[i] != ' ' && d[i] != '\r' &&
	    d[i] != '\n'; i++)
		;
	end = i;
	if (end == start || total - end < 9 ||
	    memcmp(d + end, " HTTP/1.", 8) != 0)
		return parse_fail(PARSE_MALFORMED);
	/* The port follows the last colon (IPv6 literals are bracketed). */
	for (colon = end; colon > start && d[colon - 1] != ':'; colon--)
		;
	if (colon <= start + 1 || !parse_port(d + colon, end - colon,
	    &ret->port))
		return parse_fail(PARSE_MALFORMED);
	colon--;		/* at the ':' */
	ret->kind = PROXY_CONNECT;
	ret->name[0] = '\0';
	if (d[start] == '[') {
		if (d[colon - 1] != ']')
			return parse_fail(PARSE_MALFORMED);
	} else if (!is_ipv4_literal(d + start, colon - start) &&
	    !copy_name(ret->name, d + start, colon - start))
		return parse_fail(PARSE_MALFORMED);
	ret->auth = head_has(d, total, "proxy-authorization");
	return parse_ok((uint32_t)total);
}

/* SOCKS4: VN CD DSTPORT DSTIP USERID NUL [4a: NAME NUL]. */
static struct parse_result
socks4_parse(const uint8_t *d, size_t n, struct proxy_request *ret)
{
	struct cur c = cur_make(d, n);
	uint8_t ip[4];
	const uint8_t *nul, *name;
	size_t used;

	if (!cur_skip(&c, 2) || !cur_be16(&c, &ret->port) ||
	    !cur_bytes(&c, ip, sizeof(ip)))
		return parse_need(0);
	if (d[1] != SOCKS_CMD_CONNECT)
		return parse_fail(PARSE_UNSUPPORTED);
	if ((nul = memchr(c.p, 0, cur_left(&c))) == NULL)
		return cur_left(&c) > PROXY_NAME_MAX ?
		    parse_fail(PARSE_MALFORMED) : parse_need(0);
	/* The user id is a credential of sorts: skipped, never copied. */
	ret->auth = nul != c.p;
	(void)cur_skip(&c, (size_t)(nul - c.p) + 1);
	ret->name[0] = '\0';
	ret->kind = PROXY_SOCKS4;
	if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
		ret->kind = PROXY_SOCKS4A;
		name = c.p;
		if ((nul = memchr(name, 0, cur_left(&c))) == NULL)
			return cur_left(&c) > PROXY_NAME_MAX ?
			    parse_fail(PARSE_MALFORMED) : parse_need(0);
		if (!copy_name(ret->name, name, (size_t)(nul - name)))
			return parse_fail(PARSE_MALFORMED);
		(void)cur_skip(&c, (size_t)(nul - name) + 1);
	}
	used = n - cur_left(&c);
	return parse_ok((uint32_t)used);
}

/* SOCKS5 address: ATYP then IPv4, length-prefixed name or IPv6; port. */
static enum parse_status
socks5_addr(struct cur *c, char *name, uint16_t *port)
{
	uint8_t atyp, len;
	const uint8_t *p;

	if (!cur_u8(c, &atyp))
		return PARSE_NEED_MORE;
	switch (atyp) {
	case SOCKS5_ATYP_IPV4:
		if (!cur_skip(c, 4))
			return PARSE_NEED_MORE;
		break;
	case SOCKS5_ATYP_IPV6:
		if (!cur_skip(c, 16))
			return PARSE_NEED_MORE;
		break;
	case SOCKS5_ATYP_NAME:
		if (!cur_u8(c, &len) || !cur_ptr(c, len, &p))
			return PARSE_NEED_MORE;
		if (name != NULL && !copy_name(name, p, len))
			return PARSE_MALFORMED;
		break;
	default:
		return PARSE_MALFORMED;
	}
	if (!cur_be16(c, port))
		return PARSE_NEED_MORE;
	return PARSE_OK;
}

/* SOCKS5: greeting, [RFC 1929 username/password], CONNECT request. */
static struct parse_result
socks5_parse(const uint8_t *d, size_t n, struct proxy_request *ret)
{
	struct cur c = cur_make(d, n), v;
	uint8_t ver, nm, b, cmd, rsv;
	enum parse_status st;

	if (!cur_u8(&c, &ver) || !cur_u8(&c, &nm) || !cur_skip(&c, nm))
		return parse_need(0);
	if (nm == 0)
		return parse_fail(PARSE_MALFORMED);
	ret->kind = PROXY_SOCKS5;
	ret->auth = false;
	ret->name[0] = '\0';
	if (!cur_peek_u8(&c, 0, &b))
		return parse_need(0);
	if (b == SOCKS5_AUTH_VERSION) {
		/* Username and password: skipped, never copied. */
		if (!cur_skip(&c, 1) || !cur_vec8(&c, &v) || !cur_vec8(&c, &v))
			return parse_need(0);
		ret->auth = true;
	} else if (b != SOCKS5_VERSION)
		return parse_fail(PARSE_UNSUPPORTED);	/* GSSAPI, private */
	if (!cur_u8(&c, &ver) || !cur_u8(&c, &cmd) || !cur_u8(&c, &rsv))
		return parse_need(0);
	if (ver != SOCKS5_VERSION || rsv != 0)
		return parse_fail(PARSE_MALFORMED);
	if (cmd != SOCKS_CMD_CONNECT)
		return parse_fail(PARSE_UNSUPPORTED);
	if ((st = socks5_addr(&c, ret->name, &ret->port)) == PARSE_NEED_MORE)
		return parse_need(0);
	if (st != PARSE_OK)
		return parse_fail(st);
	return parse_ok((uint32_t)(n - cur_left(&c)));
}

struct parse_result
proxy_client_parse(const uint8_t *d, size_t n, struct proxy_request *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (n == 0)
		return parse_need(0);
	if (memcmp(d, connect_method, n < sizeof(connect_method) - 1 ? n :
	    sizeof(connect_method) - 1) == 0)
		return n < sizeof(connect_method) - 1 ? parse_need(0) :
		    connect_parse(d, n, ret);
	if (d[0] == SOCKS4_VERSION)
		return socks4_parse(d, n, ret);
	if (d[0] == SOCKS5_VERSION)
		return socks5_parse(d, n, ret);
	return parse_fail(PARSE_MALFORMED);
}

/* "HTTP/1.x 2xx ..." and headers: the tunnel opens after them. */
static struct parse_result
connect_reply(const uint8_t *d, size_t n)
{
	size_t total;

	if (n < 12)
		return parse_need(0);
	if (memcmp(d, "HTTP/1.", 7) != 0 || d[8] != ' ' ||
	    d[9] < '1' || d[9] > '5' || d[10] < '0' || d[10] > '9' ||
	    d[11] < '0' || d[11] > '9')
		return parse_fail(PARSE_MALFORMED);
	/* 1xx interim answers before the 200 are not expected of proxies. */
	if (d[9] != '2')
		return parse_fail(PARSE_UNSUPPORTED);
	if ((total = head_len(d, n)) == 0)
		return n >= PROXY_HEAD_MAX ? parse_fail(PARSE_MALFORMED) :
		    parse_need(0);
	return parse_ok((uint32_t)total);
}

static struct parse_result
socks4_reply(const uint8_t *d, size_t n)
{
	/* VN (0; some proxies echo 4) CD DSTPORT DSTIP */
	if (n < 8)
		return parse_need(0);
	if (d[0] != 0 && d[0] != SOCKS4_VERSION)
		return parse_fail(PARSE_MALFORMED);
	if (d[1] != SOCKS4_GRANTED)
		return parse_fail(PARSE_UNSUPPORTED);
	return parse_ok(8);
}

static struct parse_result
socks5_reply(const uint8_t *d, size_t n)
{
	struct cur c = cur_make(d, n);
	uint8_t ver, m, st, rep, rsv;
	uint16_t port;
	enum parse_status s;

	if (!cur_u8(&c, &ver) || !cur_u8(&c, &m))
		return parse_need(0);
	if (ver != SOCKS5_VERSION)
		return parse_fail(PARSE_MALFORMED);
	if (m == SOCKS5_METHOD_USERPASS) {
		if (!cur_u8(&c, &ver) || !cur_u8(&c, &st))
			return parse_need(0);
		if (ver != SOCKS5_AUTH_VERSION)
			return parse_fail(PARSE_MALFORMED);
		if (st != 0)
			return parse_fail(PARSE_UNSUPPORTED);
	} else if (m != SOCKS5_METHOD_NONE)
		return parse_fail(PARSE_UNSUPPORTED);
	if (!cur_u8(&c, &ver) || !cur_u8(&c, &rep) || !cur_u8(&c, &rsv))
		return parse_need(0);
	if (ver != SOCKS5_VERSION || rsv != 0)
		return parse_fail(PARSE_MALFORMED);
	if (rep != 0)
		return parse_fail(PARSE_UNSUPPORTED);
	if ((s = socks5_addr(&c, NULL, &port)) == PARSE_NEED_MORE)
		return parse_need(0);
	if (s != PARSE_OK)
		return parse_fail(s);
	return parse_ok((uint32_t)(n - cur_left(&c)));
}

struct parse_result
proxy_server_parse(enum proxy_kind kind, const uint8_t *d, size_t n)
{
	switch (kind) {
	case PROXY_CONNECT:
		return connect_reply(d, n);
	case PROXY_SOCKS4:
	case PROXY_SOCKS4A:
		return socks4_reply(d, n);
	case PROXY_SOCKS5:
		return socks5_reply(d, n);
	default:
		return parse_fail(PARSE_MALFORMED);
	}
}
