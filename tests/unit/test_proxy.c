/*
 * test_proxy.c - proxy handshakes: HTTP CONNECT, SOCKS4, SOCKS4a and
 * SOCKS5 (RFC 1928, RFC 1929), client and proxy sides, every prefix of
 * each (NEED_MORE until whole), refusals and broken ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proxy.h"

#define S(x) (const uint8_t *)(x), sizeof(x) - 1

/* Each shorter prefix of a whole handshake asks for more. */
static void
assert_prefixes_need_more(const uint8_t *d, size_t n)
{
	struct proxy_request req;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(proxy_client_parse(d, i, &req).st,
		    PARSE_NEED_MORE);
}

static void
assert_server_prefixes_need_more(enum proxy_kind k, const uint8_t *d,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(proxy_server_parse(k, d, i).st,
		    PARSE_NEED_MORE);
}

static void
test_connect(void **state)
{
	static const char req[] =
	    "CONNECT www.tiktok.com:443 HTTP/1.1\r\n"
	    "Host: www.tiktok.com:443\r\n"
	    "Proxy-Authorization: Basic YWxpY2U6aHVudGVyMg==\r\n\r\n";
	static const char reply[] =
	    "HTTP/1.1 200 Connection established\r\n\r\n";
	uint8_t buf[256];
	struct proxy_request r;
	struct parse_result pr;

	(void)state;
	assert_int_equal(proxy_looks_like(S(req)), PROXY_CONNECT);
	/* The tunnel's first bytes follow in the same buffer. */
	memcpy(buf, req, sizeof(req) - 1);
	memcpy(buf + sizeof(req) - 1, "\x16\x03\x01", 3);
	pr = proxy_client_parse(buf, sizeof(req) - 1 + 3, &r);
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(req) - 1);
	assert_int_equal(r.kind, PROXY_CONNECT);
	assert_string_equal(r.name, "www.tiktok.com");
	assert_int_equal(r.port, 443);
	assert_true(r.auth);
	assert_prefixes_need_more(S(req));
	pr = proxy_server_parse(PROXY_CONNECT, S(reply));
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(reply) - 1);
	assert_server_prefixes_need_more(PROXY_CONNECT, S(reply));
	assert_string_equal(proxy_kind_name(PROXY_CONNECT), "connect");
}

static void
test_connect_forms(void **state)
{
	struct proxy_request r;

	(void)state;
	/* Address literals are no server names; bare LF line ends pass. */
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT 203.0.113.10:443 HTTP/1.1\n\n"), &r).st, PARSE_OK);
	assert_string_equal(r.name, "");
	assert_false(r.auth);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT [2001:db8::1]:8443 HTTP/1.0\r\n\r\n"), &r).st, PARSE_OK);
	assert_string_equal(r.name, "");
	assert_int_equal(r.port, 8443);
	/* No port, port 0 or too big, no version, a control in the name. */
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT example.com HTTP/1.1\r\n\r\n"), &r).st, PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT example.com:0 HTTP/1.1\r\n\r\n"), &r).st, PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT example.com:65536 HTTP/1.1\r\n\r\n"), &r).st,
	    PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT example.com:443\r\n\r\n"), &r).st, PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT ex\x01mple.com:443 HTTP/1.1\r\n\r\n"), &r).st,
	    PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(S(
	    "CONNECT :443 HTTP/1.1\r\n\r\n"), &r).st, PARSE_MALFORMED);
	/* Refusals and non-HTTP answers. */
	assert_int_equal(proxy_server_parse(PROXY_CONNECT, S(
	    "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")).st,
	    PARSE_UNSUPPORTED);
	assert_int_equal(proxy_server_parse(PROXY_CONNECT, S(
	    "SSH-2.0-OpenSSH_9.2\r\n\r\n")).st, PARSE_MALFORMED);
}

static void
test_connect_head_bound(void **state)
{
	static uint8_t big[9000];
	struct proxy_request r;

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "CONNECT a.example:443 HTTP/1.1\r\nX: ", 35);
	/* No empty line within the bound: refused, not waited for. */
	assert_int_equal(proxy_client_parse(big, sizeof(big), &r).st,
	    PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(big, 4000, &r).st,
	    PARSE_NEED_MORE);
}

static void
test_socks4(void **state)
{
	/* CONNECT 142.250.185.68:443, user id "emma" */
	static const uint8_t v4[] = { 4, 1, 0x01, 0xbb, 142, 250, 185, 68,
	    'e', 'm', 'm', 'a', 0 };
	/* SOCKS4a: 0.0.0.1, empty user id, then the name */
	static const uint8_t v4a[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0,
	    'w', 'w', 'w', '.', 'b', 'a', 'i', 'd', 'u', '.', 'c', 'o', 'm',
	    0 };
	static const uint8_t reply[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
	static const uint8_t refused[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
	static const uint8_t bind[] = { 4, 2, 0x01, 0xbb, 1, 2, 3, 4, 0 };
	struct proxy_request r;
	struct parse_result pr;

	(void)state;
	assert_int_equal(proxy_looks_like(v4, sizeof(v4)), PROXY_SOCKS4);
	pr = proxy_client_parse(v4, sizeof(v4), &r);
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(v4));
	assert_int_equal(r.kind, PROXY_SOCKS4);
	assert_string_equal(r.name, "");
	assert_true(r.auth);		/* a user id, never copied */
	assert_prefixes_need_more(v4, sizeof(v4));

	assert_int_equal(proxy_looks_like(v4a, sizeof(v4a)), PROXY_SOCKS4A);
	pr = proxy_client_parse(v4a, sizeof(v4a), &r);
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(v4a));
	assert_int_equal(r.kind, PROXY_SOCKS4A);
	assert_string_equal(r.name, "www.baidu.com");
	assert_false(r.auth);
	assert_prefixes_need_more(v4a, sizeof(v4a));

	assert_int_equal(proxy_server_parse(PROXY_SOCKS4, reply,
	    sizeof(reply)).consumed, 8);
	assert_server_prefixes_need_more(PROXY_SOCKS4A, reply, sizeof(reply));
	assert_int_equal(proxy_server_parse(PROXY_SOCKS4, refused,
	    sizeof(refused)).st, PARSE_UNSUPPORTED);
	assert_int_equal(proxy_client_parse(bind, sizeof(bind), &r).st,
	    PARSE_UNSUPPORTED);
	assert_int_equal(proxy_looks_like(bind, sizeof(bind)), PROXY_NONE);
}

static void
test_socks5(void **state)
{
	/* greeting (none), CONNECT v16-webapp.tiktok.com:443 */
	static const uint8_t plain[] = { 5, 1, 0, 5, 1, 0, 3, 21,
	    'v', '1', '6', '-', 'w', 'e', 'b', 'a', 'p', 'p', '.', 't', 'i',
	    'k', 't', 'o', 'k', '.', 'c', 'o', 'm', 0x01, 0xbb };
	/* greeting (none, user/pass), RFC 1929 emma/pw, CONNECT to an
	 * IPv6 address */
	static const uint8_t auth[] = { 5, 2, 0, 2, 1, 4, 'e', 'm', 'm', 'a',
	    2, 'p', 'w', 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 1, 0x01, 0xbb };
	static const uint8_t reply[] = { 5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t reply_auth[] = { 5, 2, 1, 0, 5, 0, 0, 1, 0, 0,
	    0, 0, 0, 0 };
	static const uint8_t no_method[] = { 5, 0xff };
	static const uint8_t auth_failed[] = { 5, 2, 1, 1 };
	static const uint8_t conn_refused[] = { 5, 0, 5, 5, 0, 1, 0, 0, 0, 0,
	    0, 0 };
	static const uint8_t udp[] = { 5, 1, 0, 5, 3, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t greeting[] = { 5, 1, 0 };
	static const uint8_t bad_atyp[] = { 5, 1, 0, 5, 1, 0, 9, 0, 0 };
	static const uint8_t empty_name[] = { 5, 1, 0, 5, 1, 0, 3, 0, 1, 187 };
	struct proxy_request r;
	struct parse_result pr;

	(void)state;
	assert_int_equal(proxy_looks_like(greeting, sizeof(greeting)),
	    PROXY_SOCKS5);
	assert_int_equal(proxy_looks_like(plain, sizeof(plain)), PROXY_SOCKS5);
	pr = proxy_client_parse(plain, sizeof(plain), &r);
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(plain));
	assert_int_equal(r.kind, PROXY_SOCKS5);
	assert_string_equal(r.name, "v16-webapp.tiktok.com");
	assert_int_equal(r.port, 443);
	assert_false(r.auth);
	assert_prefixes_need_more(plain, sizeof(plain));

	pr = proxy_client_parse(auth, sizeof(auth), &r);
	assert_int_equal(pr.st, PARSE_OK);
	assert_int_equal(pr.consumed, sizeof(auth));
	assert_string_equal(r.name, "");
	assert_true(r.auth);
	assert_prefixes_need_more(auth, sizeof(auth));

	assert_int_equal(proxy_server_parse(PROXY_SOCKS5, reply,
	    sizeof(reply)).consumed, sizeof(reply));
	assert_server_prefixes_need_more(PROXY_SOCKS5, reply, sizeof(reply));
	assert_int_equal(proxy_server_parse(PROXY_SOCKS5, reply_auth,
	    sizeof(reply_auth)).consumed, sizeof(reply_auth));
	assert_int_equal(proxy_server_parse(PROXY_SOCKS5, no_method,
	    sizeof(no_method)).st, PARSE_UNSUPPORTED);
	assert_int_equal(proxy_server_parse(PROXY_SOCKS5, auth_failed,
	    sizeof(auth_failed)).st, PARSE_UNSUPPORTED);
	assert_int_equal(proxy_server_parse(PROXY_SOCKS5, conn_refused,
	    sizeof(conn_refused)).st, PARSE_UNSUPPORTED);
	assert_int_equal(proxy_client_parse(udp, sizeof(udp), &r).st,
	    PARSE_UNSUPPORTED);
	assert_int_equal(proxy_client_parse(bad_atyp, sizeof(bad_atyp),
	    &r).st, PARSE_MALFORMED);
	assert_int_equal(proxy_client_parse(empty_name, sizeof(empty_name),
	    &r).st, PARSE_MALFORMED);
}

/* What must not be taken for a proxy handshake. */
static void
test_not_proxy(void **state)
{
	static const uint8_t tls[] = { 0x16, 3, 1, 0, 200, 1 };
	static const uint8_t s5_bad_method[] = { 5, 1, 0x42 };
	static const uint8_t s5_trailing[] = { 5, 1, 0, 0x99 };
	static const uint8_t s4_no_nul[] = { 4, 1, 0, 80, 1, 2, 3, 4, 'a' };

	(void)state;
	assert_int_equal(proxy_looks_like(S("GET / HTTP/1.1\r\n")),
	    PROXY_NONE);
	assert_int_equal(proxy_looks_like(S("CONNEC")), PROXY_NONE);
	assert_int_equal(proxy_looks_like(tls, sizeof(tls)), PROXY_NONE);
	assert_int_equal(proxy_looks_like(s5_bad_method,
	    sizeof(s5_bad_method)), PROXY_NONE);
	assert_int_equal(proxy_looks_like(s5_trailing, sizeof(s5_trailing)),
	    PROXY_NONE);
	assert_int_equal(proxy_looks_like(s4_no_nul, sizeof(s4_no_nul)),
	    PROXY_NONE);
	assert_int_equal(proxy_looks_like(NULL, 0), PROXY_NONE);
	assert_null(proxy_kind_name(PROXY_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_connect_forms),
		cmocka_unit_test(test_connect_head_bound),
		cmocka_unit_test(test_socks4),
		cmocka_unit_test(test_socks5),
		cmocka_unit_test(test_not_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
