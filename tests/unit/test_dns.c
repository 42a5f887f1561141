/*
 * test_dns.c - DNS parser: hand-built messages for every record type and
 * every name-decoding hazard, real responses from the capture corpus
 * checked against tshark, and (when the corpus and tshark are present) an
 * agreement count with tshark over every DNS message of every corpus
 * capture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"

/* A message under construction. */
struct wb {
	uint8_t b[4096];
	size_t n;
};

static void
w8(struct wb *w, uint8_t v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = v;
}

static void
w16(struct wb *w, uint16_t v)
{
	w8(w, (uint8_t)(v >> 8));
	w8(w, (uint8_t)v);
}

static void
w32(struct wb *w, uint32_t v)
{
	w16(w, (uint16_t)(v >> 16));
	w16(w, (uint16_t)v);
}

static void
wraw(struct wb *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Uncompressed name from dotted text ("" = root). */
static void
wname(struct wb *w, const char *s)
{
	/* Bound: one label per round over a short literal. */
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		w8(w, (uint8_t)l);
		wraw(w, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	w8(w, 0);
}

/* Labels then a compression pointer. */
static void
wname_ptr(struct wb *w, const char *labels, uint16_t off)
{
	if (labels[0]) {
		wname(w, labels);
		w->n--;	/* drop the root byte */
	}
	w16(w, (uint16_t)(0xc000 | off));
}

static void
whdr(struct wb *w, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
    uint16_t ns, uint16_t ar)
{
	w->n = 0;
	w16(w, id);
	w16(w, flags);
	w16(w, qd);
	w16(w, an);
	w16(w, ns);
	w16(w, ar);
}

static void
wq(struct wb *w, const char *name, uint16_t type)
{
	wname(w, name);
	w16(w, type);
	w16(w, 1);
}

/* RR header after the owner name; returns the offset of rdlength. */
static size_t
wrr(struct wb *w, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	size_t at;

	w16(w, type);
	w16(w, 1);
	w32(w, ttl);
	at = w->n;
	w16(w, rdlen);
	return at;
}

/* Patch rdlength at off to cover everything written since. */
static void
wrdlen_fix(struct wb *w, size_t off)
{
	size_t l = w->n - off - 2;

	w->b[off] = (uint8_t)(l >> 8);
	w->b[off + 1] = (uint8_t)l;
}

static struct dns_msg msg;	/* large: static scratch, as callers do */

static struct parse_result
parse(const struct wb *w)
{
	return dns_parse(w->b, w->n, &msg);
}

static void
assert_addr(const struct addr *a, const char *text)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_str(a, buf, sizeof(buf)), text);
}

/* Collects dns_msg_foreach_resolved callbacks as "addr/ttl" lines. */
struct got {
	char s[1024];
	int n;
};

static void
collect(const struct addr *a, uint32_t ttl, void *ctx)
{
	struct got *g = ctx;
	char buf[ADDR_STRLEN];
	size_t o = strlen(g->s);

	snprintf(g->s + o, sizeof(g->s) - o, "%s%s/%u", g->n ? " " : "",
	    addr_str(a, buf, sizeof(buf)), ttl);
	g->n++;
}

static void
resolved(struct got *g)
{
	memset(g, 0, sizeof(*g));
	dns_msg_foreach_resolved(&msg, collect, g);
}

static void
test_query(void **state)
{
	struct wb w;
	struct parse_result r;

	(void)state;
	whdr(&w, 0xbeef, 0x0100, 1, 0, 0, 0);
	wq(&w, "Example.COM", DNS_TYPE_A);
	r = parse(&w);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, w.n);
	assert_int_equal(msg.id, 0xbeef);
	assert_false(msg.qr);
	assert_int_equal(msg.opcode, 0);
	assert_true(msg.has_question);
	/* Case kept as sent. */
	assert_string_equal(msg.qname, "Example.COM");
	assert_int_equal(msg.qtype, DNS_TYPE_A);
	assert_int_equal(msg.qclass, 1);
	assert_int_equal(msg.n_answers, 0);
	assert_false(msg.answers_cut);
}

static void
test_a(void **state)
{
	struct wb w;
	struct got g;
	static const uint8_t ip[4] = { 93, 184, 216, 34 };

	(void)state;
	whdr(&w, 1, 0x8180, 1, 1, 0, 0);
	wq(&w, "example.com", DNS_TYPE_A);
	wname_ptr(&w, "", 12);
	wrr(&w, DNS_TYPE_A, 300, 4);
	wraw(&w, ip, 4);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_true(msg.qr);
	assert_int_equal(msg.rcode, 0);
	assert_false(msg.tc);
	assert_int_equal(msg.ancount, 1);
	assert_int_equal(msg.n_answers, 1);
	assert_string_equal(msg.answers[0].name, "example.com");
	assert_int_equal(msg.answers[0].type, DNS_TYPE_A);
	assert_int_equal(msg.answers[0].ttl, 300);
	assert_addr(&msg.answers[0].addr, "93.184.216.34");
	assert_string_equal(dns_type_name(msg.answers[0].type), "A");
	resolved(&g);
	assert_string_equal(g.s, "93.184.216.34/300");

	/* A with a wrong rdlength contradicts the format. */
	whdr(&w, 1, 0x8180, 1, 1, 0, 0);
	wq(&w, "example.com", DNS_TYPE_A);
	wname_ptr(&w, "", 12);
	wrr(&w, DNS_TYPE_A, 300, 5);
	wraw(&w, "\1\2\3\4\5", 5);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_aaaa(void **state)
{
	struct wb w;
	struct got g;
	static const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0x53 };

	(void)state;
	whdr(&w, 2, 0x8180, 1, 2, 0, 0);
	wq(&w, "v6.example", DNS_TYPE_AAAA);
	wname_ptr(&w, "", 12);
	wrr(&w, DNS_TYPE_AAAA, 60, 16);
	wraw(&w, ip, 16);
	/* An AAAA for another name must not be reported. */
	wname(&w, "other.example");
	wrr(&w, DNS_TYPE_AAAA, 60, 16);
	wraw(&w, ip, 16);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 2);
	assert_addr(&msg.answers[0].addr, "2001:db8::53");
	assert_int_equal(msg.answers[0].addr.family, 6);
	assert_string_equal(msg.answers[1].name, "other.example");
	assert_string_equal(dns_type_name(DNS_TYPE_AAAA), "AAAA");
	resolved(&g);
	assert_string_equal(g.s, "2001:db8::53/60");
}

static void
test_cname_chain(void **state)
{
	struct wb w;
	struct got g;
	size_t rl, a_off, b_off, c_off;
	static const uint8_t ip1[4] = { 10, 0, 0, 1 }, ip2[4] = { 10, 0, 0, 2 };

	(void)state;
	whdr(&w, 3, 0x8180, 1, 5, 0, 0);
	wq(&w, "www.shop.example", DNS_TYPE_A);
	/* The records come out of order on purpose: the walk follows names,
	 * not positions. */
	wname_ptr(&w, "", 12);			/* www.shop.example */
	rl = wrr(&w, DNS_TYPE_CNAME, 300, 0);
	a_off = w.n;
	wname(&w, "a.cdn.net");
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", (uint16_t)a_off);	/* a.cdn.net */
	rl = wrr(&w, DNS_TYPE_CNAME, 100, 0);
	b_off = w.n;
	wname_ptr(&w, "b", (uint16_t)(a_off + 2));	/* b.cdn.net */
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", (uint16_t)b_off);	/* b.cdn.net */
	rl = wrr(&w, DNS_TYPE_CNAME, 200, 0);
	c_off = w.n;
	wname_ptr(&w, "c", (uint16_t)(a_off + 2));	/* c.cdn.net */
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", (uint16_t)c_off);
	wrr(&w, DNS_TYPE_A, 50, 4);
	wraw(&w, ip1, 4);
	wname_ptr(&w, "", (uint16_t)c_off);
	wrr(&w, DNS_TYPE_A, 400, 4);
	wraw(&w, ip2, 4);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 5);
	assert_string_equal(msg.answers[0].target, "a.cdn.net");
	assert_string_equal(msg.answers[1].name, "a.cdn.net");
	assert_string_equal(msg.answers[1].target, "b.cdn.net");
	assert_string_equal(msg.answers[2].target, "c.cdn.net");
	assert_string_equal(msg.answers[3].name, "c.cdn.net");
	assert_string_equal(dns_type_name(DNS_TYPE_CNAME), "CNAME");
	/* TTL = minimum along the chain: 100 from the second CNAME. */
	resolved(&g);
	assert_string_equal(g.s, "10.0.0.1/50 10.0.0.2/100");
}

static void
test_cname_loop(void **state)
{
	struct wb w;
	struct got g;
	size_t rl, a_off, b_off;
	static const uint8_t ip[4] = { 192, 0, 2, 7 };

	(void)state;
	/* a -> b -> a, and an A on a (invalid beside a CNAME, but it
	 * shows each address is reported once and the walk ends). */
	whdr(&w, 4, 0x8180, 1, 3, 0, 0);
	a_off = w.n;
	wq(&w, "a.loop", DNS_TYPE_A);
	wname_ptr(&w, "", (uint16_t)a_off);
	rl = wrr(&w, DNS_TYPE_CNAME, 30, 0);
	b_off = w.n;
	wname_ptr(&w, "b", (uint16_t)(a_off + 2));
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", (uint16_t)b_off);
	rl = wrr(&w, DNS_TYPE_CNAME, 30, 0);
	wname_ptr(&w, "", (uint16_t)a_off);
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", (uint16_t)a_off);
	wrr(&w, DNS_TYPE_A, 30, 4);
	wraw(&w, ip, 4);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 3);
	resolved(&g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.s, "192.0.2.7/30");

	/* A self-loop with no address: nothing, and it ends. */
	whdr(&w, 4, 0x8180, 1, 1, 0, 0);
	wq(&w, "self.loop", DNS_TYPE_A);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_CNAME, 30, 0);
	wname_ptr(&w, "", 12);
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_OK);
	resolved(&g);
	assert_int_equal(g.n, 0);
}

static void
test_cname_hops(void **state)
{
	struct wb w;
	struct got g;
	char name[16], next[16];
	size_t rl;
	static const uint8_t ip[4] = { 192, 0, 2, 9 };

	(void)state;
	/* n0 -> n1 -> ... -> nK, A on nK: reachable for K = 16, not 17. */
	for (int k = 16; k <= 17; k++) {
		whdr(&w, 5, 0x8180, 1, (uint16_t)(k + 1), 0, 0);
		wq(&w, "n0", DNS_TYPE_A);
		for (int i = 0; i < k; i++) {
			snprintf(name, sizeof(name), "n%d", i);
			snprintf(next, sizeof(next), "n%d", i + 1);
			wname(&w, name);
			rl = wrr(&w, DNS_TYPE_CNAME, 30, 0);
			wname(&w, next);
			wrdlen_fix(&w, rl);
		}
		snprintf(name, sizeof(name), "n%d", k);
		wname(&w, name);
		wrr(&w, DNS_TYPE_A, 30, 4);
		wraw(&w, ip, 4);
		assert_int_equal(parse(&w).st, PARSE_OK);
		resolved(&g);
		assert_int_equal(g.n, k == 16 ? 1 : 0);
	}
}

/* SvcParams: alpn "h3","h2"; port 443 (skipped); ipv4hint x2; ipv6hint. */
static void
wsvc_params(struct wb *w)
{
	static const uint8_t v4[8] = { 198, 51, 100, 1, 198, 51, 100, 2 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 1 };

	w16(w, DNS_SVC_ALPN);
	w16(w, 6);
	wraw(w, "\2h3\2h2", 6);
	w16(w, 3);
	w16(w, 2);
	w16(w, 443);
	w16(w, DNS_SVC_IPV4HINT);
	w16(w, 8);
	wraw(w, v4, 8);
	w16(w, DNS_SVC_IPV6HINT);
	w16(w, 16);
	wraw(w, v6, 16);
}

static void
test_https(void **state)
{
	struct wb w;
	struct got g;
	size_t rl;
	const struct dns_rr *rr;

	(void)state;
	whdr(&w, 6, 0x8180, 1, 1, 0, 0);
	wq(&w, "svc.example", DNS_TYPE_HTTPS);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_HTTPS, 120, 0);
	w16(&w, 1);
	wname(&w, "");	/* TargetName "." = the owner */
	wsvc_params(&w);
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.qtype, DNS_TYPE_HTTPS);
	assert_int_equal(msg.n_answers, 1);
	rr = &msg.answers[0];
	assert_int_equal(rr->type, DNS_TYPE_HTTPS);
	assert_int_equal(rr->svc_priority, 1);
	assert_string_equal(rr->target, ".");
	assert_string_equal(rr->alpn, "h3,h2");
	assert_int_equal(rr->n_hints, 3);
	assert_addr(&rr->hints[0], "198.51.100.1");
	assert_addr(&rr->hints[1], "198.51.100.2");
	assert_addr(&rr->hints[2], "2001:db8::1");
	assert_false(rr->svc_cut);
	assert_string_equal(dns_type_name(DNS_TYPE_HTTPS), "HTTPS");
	resolved(&g);
	assert_string_equal(g.s,
	    "198.51.100.1/120 198.51.100.2/120 2001:db8::1/120");

	/* ipv4hint whose length is not a multiple of 4. */
	whdr(&w, 6, 0x8180, 1, 1, 0, 0);
	wq(&w, "svc.example", DNS_TYPE_HTTPS);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_HTTPS, 120, 0);
	w16(&w, 1);
	wname(&w, "");
	w16(&w, DNS_SVC_IPV4HINT);
	w16(&w, 5);
	wraw(&w, "\1\2\3\4\5", 5);
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);

	/* A SvcParam value running past the rdata. */
	whdr(&w, 6, 0x8180, 1, 1, 0, 0);
	wq(&w, "svc.example", DNS_TYPE_HTTPS);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_HTTPS, 120, 0);
	w16(&w, 1);
	wname(&w, "");
	w16(&w, DNS_SVC_ALPN);
	w16(&w, 9);
	wraw(&w, "\2h3", 3);
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_svcb(void **state)
{
	struct wb w;
	struct got g;
	size_t rl;
	const struct dns_rr *rr;

	(void)state;
	whdr(&w, 7, 0x8180, 1, 2, 0, 0);
	wq(&w, "_dns.resolver.arpa", DNS_TYPE_SVCB);
	/* AliasMode first (no params), then ServiceMode. */
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_SVCB, 900, 0);
	w16(&w, 0);
	wname(&w, "alias.example.net");
	wrdlen_fix(&w, rl);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_SVCB, 600, 0);
	w16(&w, 2);
	wname(&w, "dns.Example.net");
	w16(&w, DNS_SVC_ALPN);
	w16(&w, 4);
	wraw(&w, "\3dot", 4);
	w16(&w, DNS_SVC_IPV4HINT);
	w16(&w, 4);
	wraw(&w, "\xc0\x00\x02\x35", 4);
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 2);
	rr = &msg.answers[0];
	assert_int_equal(rr->type, DNS_TYPE_SVCB);
	assert_int_equal(rr->svc_priority, 0);
	assert_string_equal(rr->target, "alias.example.net");
	assert_int_equal(rr->n_hints, 0);
	rr = &msg.answers[1];
	assert_int_equal(rr->svc_priority, 2);
	assert_string_equal(rr->target, "dns.Example.net");
	assert_string_equal(rr->alpn, "dot");
	assert_int_equal(rr->n_hints, 1);
	assert_addr(&rr->hints[0], "192.0.2.53");
	assert_string_equal(dns_type_name(DNS_TYPE_SVCB), "SVCB");
	resolved(&g);
	assert_string_equal(g.s, "192.0.2.53/600");

	/* Nine hints: eight kept, the cut flagged. */
	whdr(&w, 7, 0x8180, 1, 1, 0, 0);
	wq(&w, "many.example", DNS_TYPE_SVCB);
	wname_ptr(&w, "", 12);
	rl = wrr(&w, DNS_TYPE_SVCB, 600, 0);
	w16(&w, 1);
	wname(&w, "");
	w16(&w, DNS_SVC_IPV4HINT);
	w16(&w, 36);
	for (uint8_t i = 0; i < 9; i++) {
		w8(&w, 10);
		w8(&w, 0);
		w8(&w, 0);
		w8(&w, i);
	}
	wrdlen_fix(&w, rl);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.answers[0].n_hints, DNS_MAX_HINTS);
	assert_true(msg.answers[0].svc_cut);
	assert_addr(&msg.answers[0].hints[7], "10.0.0.7");
}

static void
test_compression(void **state)
{
	struct wb w;
	size_t rl, mail_off;

	(void)state;
	whdr(&w, 8, 0x8180, 1, 2, 0, 0);
	wq(&w, "www.example.org", DNS_TYPE_A);
	/* Owner "mail" + pointer to "example.org" inside the question
	 * (offset 16), then a CNAME whose target points at that owner. */
	mail_off = w.n;
	wname_ptr(&w, "mail", 16);
	rl = wrr(&w, DNS_TYPE_CNAME, 10, 0);
	wname_ptr(&w, "smtp", (uint16_t)mail_off);
	wrdlen_fix(&w, rl);
	/* Pointer to a pointer. */
	wname_ptr(&w, "", (uint16_t)mail_off);
	wrr(&w, 99, 10, 3);
	wraw(&w, "\2hi", 3);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 2);
	assert_string_equal(msg.answers[0].name, "mail.example.org");
	assert_string_equal(msg.answers[0].target, "smtp.mail.example.org");
	assert_string_equal(msg.answers[1].name, "mail.example.org");
	/* Unknown type skipped by rdlength, but recorded. */
	assert_int_equal(msg.answers[1].type, 99);
	assert_int_equal(msg.answers[1].rdlength, 3);
	assert_int_equal(msg.answers[1].addr.family, 0);
}

static void
test_pointer_loop(void **state)
{
	struct wb w;

	(void)state;
	/* Question name is a pointer to itself. */
	whdr(&w, 9, 0x0100, 1, 0, 0, 0);
	w16(&w, 0xc000 | 12);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);

	/* Label then a pointer back to the label: a loop through data
	 * that lies before the pointer, refused because it does not lie
	 * before the start of the name. */
	whdr(&w, 9, 0x0100, 1, 0, 0, 0);
	wname_ptr(&w, "a", 12);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);

	/* An owner whose pointer leads to itself. */
	whdr(&w, 9, 0x8180, 1, 1, 0, 0);
	wq(&w, "x", 1);				/* 12..18 */
	wname_ptr(&w, "b", 21);			/* 19: "b", 21: -> 21 */
	wrr(&w, 1, 1, 4);
	wraw(&w, "\1\2\3\4", 4);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_forward_pointer(void **state)
{
	struct wb w;

	(void)state;
	whdr(&w, 10, 0x0100, 1, 0, 0, 0);
	w16(&w, 0xc000 | 16);
	w16(&w, 1);
	w16(&w, 1);
	wname(&w, "later");
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_oob_pointer(void **state)
{
	struct wb w;

	(void)state;
	whdr(&w, 11, 0x8180, 1, 1, 0, 0);
	wq(&w, "x.example", DNS_TYPE_A);
	w16(&w, 0xc000 | 0x3fff);
	wrr(&w, DNS_TYPE_A, 1, 4);
	wraw(&w, "\1\2\3\4", 4);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
	/* A CNAME target pointing past the end. */
	whdr(&w, 11, 0x8180, 1, 1, 0, 0);
	wq(&w, "x.example", DNS_TYPE_A);
	wname_ptr(&w, "", 12);
	wrr(&w, DNS_TYPE_CNAME, 1, 2);
	w16(&w, 0xc000 | 0x200);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_pointer_hops(void **state)
{
	struct wb w;
	size_t rdata;

	(void)state;
	/* Rdata of an unknown type holds a chain of 17 pointers, each to
	 * the previous; then names entering the chain at hop 15 and 16. */
	for (int enter = 14; enter <= 15; enter++) {
		whdr(&w, 12, 0x8180, 1, 2, 0, 0);
		wq(&w, "a", DNS_TYPE_A);		/* 12..18 */
		wname_ptr(&w, "", 12);
		wrr(&w, 0xff00, 1, 2 * 17);
		rdata = w.n;
		w16(&w, 0xc000 | 12);
		for (int i = 1; i < 17; i++)
			w16(&w, (uint16_t)(0xc000 | (rdata + 2 * (size_t)(i - 1))));
		/* 1 pointer here + (enter + 1) in the chain. */
		wname_ptr(&w, "", (uint16_t)(rdata + 2 * (size_t)enter));
		wrr(&w, DNS_TYPE_A, 1, 4);
		wraw(&w, "\1\2\3\4", 4);
		if (enter == 14) {
			assert_int_equal(parse(&w).st, PARSE_OK);
			assert_string_equal(msg.answers[1].name, "a");
		} else {
			assert_int_equal(parse(&w).st, PARSE_MALFORMED);
		}
	}
}

static void
test_label_len(void **state)
{
	struct wb w;
	char lab[70];

	(void)state;
	memset(lab, 'x', sizeof(lab));
	whdr(&w, 13, 0x0100, 1, 0, 0, 0);
	w8(&w, 63);
	wraw(&w, lab, 63);
	w8(&w, 0);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(strlen(msg.qname), 63);

	whdr(&w, 13, 0x0100, 1, 0, 0, 0);
	w8(&w, 64);
	wraw(&w, lab, 64);
	w8(&w, 0);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);

	/* 0x80 label type (reserved). */
	whdr(&w, 13, 0x0100, 1, 0, 0, 0);
	w8(&w, 0x81);
	w8(&w, 'x');
	w8(&w, 0);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);
}

static void
test_name_len(void **state)
{
	struct wb w;
	char lab[64];

	(void)state;
	memset(lab, 'y', sizeof(lab));
	/* 63+63+63+61 = 3*64 + 62 + 1 root = 255 wire bytes: the maximum. */
	whdr(&w, 14, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		w8(&w, 63);
		wraw(&w, lab, 63);
	}
	w8(&w, 61);
	wraw(&w, lab, 61);
	w8(&w, 0);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(strlen(msg.qname), 253);

	/* One byte more. */
	whdr(&w, 14, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		w8(&w, 63);
		wraw(&w, lab, 63);
	}
	w8(&w, 62);
	wraw(&w, lab, 62);
	w8(&w, 0);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_MALFORMED);

	/* Over 255 only through a pointer: three 63-byte labels, then a
	 * pointer to the question's one-label name; a 61-byte label makes
	 * 1 + 192 + 62 = 255 wire bytes, 62 one too many. */
	for (int ql = 61; ql <= 62; ql++) {
		whdr(&w, 14, 0x8180, 1, 1, 0, 0);
		w8(&w, (uint8_t)ql);
		wraw(&w, lab, (size_t)ql);
		w8(&w, 0);
		w16(&w, 1);
		w16(&w, 1);
		for (int i = 0; i < 3; i++) {
			w8(&w, 63);
			wraw(&w, lab, 63);
		}
		w16(&w, 0xc000 | 12);
		wrr(&w, DNS_TYPE_A, 1, 4);
		wraw(&w, "\1\2\3\4", 4);
		if (ql == 61) {
			assert_int_equal(parse(&w).st, PARSE_OK);
			assert_int_equal(strlen(msg.answers[0].name), 253);
		} else {
			assert_int_equal(parse(&w).st, PARSE_MALFORMED);
		}
	}
}

static void
test_truncated(void **state)
{
	struct wb full;
	static const uint8_t ip[4] = { 1, 2, 3, 4 };
	size_t second;

	(void)state;
	whdr(&full, 15, 0x8180, 1, 2, 0, 0);
	wq(&full, "cut.example", DNS_TYPE_A);
	wname_ptr(&full, "", 12);
	wrr(&full, DNS_TYPE_A, 5, 4);
	wraw(&full, ip, 4);
	second = full.n;
	wname_ptr(&full, "", 12);
	wrr(&full, DNS_TYPE_A, 5, 4);
	wraw(&full, ip, 4);
	assert_int_equal(dns_parse(full.b, full.n, &msg).st, PARSE_OK);
	assert_int_equal(msg.n_answers, 2);
	assert_false(msg.answers_cut);

	/* Header cut. */
	assert_int_equal(dns_parse(full.b, 11, &msg).st, PARSE_TRUNCATED);
	assert_int_equal(dns_parse(full.b, 0, &msg).st, PARSE_TRUNCATED);
	assert_int_equal(dns_parse(NULL, 0, &msg).st, PARSE_TRUNCATED);
	/* Question cut inside the name, then inside qclass. */
	assert_int_equal(dns_parse(full.b, 18, &msg).st, PARSE_TRUNCATED);
	assert_int_equal(dns_parse(full.b, 28, &msg).st, PARSE_TRUNCATED);
	/* Question whole, no answers. */
	assert_int_equal(dns_parse(full.b, 29, &msg).st, PARSE_OK);
	assert_true(msg.has_question);
	assert_string_equal(msg.qname, "cut.example");
	assert_int_equal(msg.n_answers, 0);
	assert_true(msg.answers_cut);
	/* Second answer cut in every possible place. */
	for (size_t n = second; n < full.n; n++) {
		struct parse_result r = dns_parse(full.b, n, &msg);

		assert_int_equal(r.st, PARSE_OK);
		assert_int_equal(r.consumed, n);
		assert_int_equal(msg.n_answers, 1);
		assert_true(msg.answers_cut);
	}
}

static void
test_many_answers(void **state)
{
	struct wb w;
	struct got g;

	(void)state;
	whdr(&w, 16, 0x8180, 1, 40, 0, 0);
	wq(&w, "big.example", DNS_TYPE_A);
	for (uint8_t i = 0; i < 40; i++) {
		wname_ptr(&w, "", 12);
		wrr(&w, DNS_TYPE_A, 60, 4);
		w8(&w, 10);
		w8(&w, 1);
		w8(&w, 0);
		w8(&w, i);
	}
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.n_answers, DNS_MAX_ANSWERS);
	assert_true(msg.answers_cut);
	resolved(&g);
	assert_int_equal(g.n, DNS_MAX_ANSWERS);
}

static void
test_tcp(void **state)
{
	struct wb a, b;
	uint8_t buf[1024];
	size_t n = 0;
	struct parse_result r;

	(void)state;
	whdr(&a, 0x1111, 0x0100, 1, 0, 0, 0);
	wq(&a, "first.example", DNS_TYPE_A);
	whdr(&b, 0x2222, 0x8180, 1, 1, 0, 0);
	wq(&b, "second.example", DNS_TYPE_AAAA);
	wname_ptr(&b, "", 12);
	wrr(&b, DNS_TYPE_AAAA, 9, 16);
	wraw(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2", 16);

	buf[n++] = (uint8_t)(a.n >> 8);
	buf[n++] = (uint8_t)a.n;
	memcpy(buf + n, a.b, a.n);
	n += a.n;
	buf[n++] = (uint8_t)(b.n >> 8);
	buf[n++] = (uint8_t)b.n;
	memcpy(buf + n, b.b, b.n);
	n += b.n;

	/* Both messages from one buffer. */
	r = dns_parse_tcp(buf, n, &msg);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, 2 + a.n);
	assert_int_equal(msg.id, 0x1111);
	assert_string_equal(msg.qname, "first.example");
	r = dns_parse_tcp(buf + 2 + a.n, n - 2 - a.n, &msg);
	assert_int_equal(r.st, PARSE_OK);
	assert_int_equal(r.consumed, 2 + b.n);
	assert_int_equal(msg.id, 0x2222);
	assert_addr(&msg.answers[0].addr, "2001:db8::2");

	/* The second one split: every prefix asks for more. */
	r = dns_parse_tcp(buf + 2 + a.n, 1, &msg);
	assert_int_equal(r.st, PARSE_NEED_MORE);
	assert_int_equal(r.needed, 2);
	for (size_t k = 2; k < 2 + b.n; k++) {
		r = dns_parse_tcp(buf + 2 + a.n, k, &msg);
		assert_int_equal(r.st, PARSE_NEED_MORE);
		assert_int_equal(r.needed, 2 + b.n);
	}
	assert_int_equal(dns_parse_tcp(buf, 0, &msg).st, PARSE_NEED_MORE);

	/* A complete frame holding a cut message: malformed, skippable. */
	buf[0] = 0;
	buf[1] = 20;
	memcpy(buf + 2, a.b, 20);
	r = dns_parse_tcp(buf, 22, &msg);
	assert_int_equal(r.st, PARSE_MALFORMED);
	assert_int_equal(r.consumed, 22);
}

static void
test_escaping(void **state)
{
	struct wb w;
	static const uint8_t odd[] = { 'a', '.', 'b', '\\', 0x00, ' ', 0xff,
	    'Z', 0x7f, '"' };

	(void)state;
	whdr(&w, 17, 0x0100, 1, 0, 0, 0);
	w8(&w, sizeof(odd));
	wraw(&w, odd, sizeof(odd));
	wname(&w, "Tail");
	w16(&w, DNS_TYPE_TXT);
	w16(&w, 1);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_string_equal(msg.qname,
	    "a\\.b\\\\\\000\\032\\255Z\\127\".Tail");

	/* The root. */
	whdr(&w, 17, 0x0100, 1, 0, 0, 0);
	wq(&w, "", DNS_TYPE_NS);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_string_equal(msg.qname, ".");

	/* ALPN ids with ',' and a control byte. */
	{
		size_t rl;

		whdr(&w, 17, 0x8180, 1, 1, 0, 0);
		wq(&w, "x", DNS_TYPE_HTTPS);
		wname_ptr(&w, "", 12);
		rl = wrr(&w, DNS_TYPE_HTTPS, 1, 0);
		w16(&w, 1);
		wname(&w, "");
		w16(&w, DNS_SVC_ALPN);
		w16(&w, 8);
		wraw(&w, "\3a,b\3c\1\\", 8);
		wrdlen_fix(&w, rl);
		assert_int_equal(parse(&w).st, PARSE_OK);
		assert_string_equal(msg.answers[0].alpn, "a\\,b,c\\001\\\\");
	}
}

static void
test_name_equal(void **state)
{
	(void)state;
	assert_true(dns_name_equal("WWW.Example.COM", "www.example.com"));
	assert_true(dns_name_equal(".", "."));
	assert_false(dns_name_equal("www.example.com", "www.example.co"));
	assert_false(dns_name_equal("a\\.b", "a.b"));
	assert_null(dns_type_name(0xff00));
	assert_string_equal(dns_type_name(255), "ANY");
}

static void
test_header_flags(void **state)
{
	struct wb w;

	(void)state;
	/* NXDOMAIN, TC, opcode 0; and an UPDATE (opcode 5). */
	whdr(&w, 18, 0x8383, 1, 0, 0, 0);
	wq(&w, "nx.example", DNS_TYPE_A);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.rcode, 3);
	assert_true(msg.tc);
	assert_int_equal(msg.flags, 0x8383);
	whdr(&w, 18, 0x2800, 0, 0, 0, 0);
	assert_int_equal(parse(&w).st, PARSE_OK);
	assert_int_equal(msg.opcode, 5);
	assert_false(msg.has_question);
	assert_string_equal(msg.qname, "");
}

/* Hex text to bytes; returns the length or -1. */
static long
unhex(const char *s, size_t n, uint8_t *out, size_t size)
{
	size_t o = 0;

	if (n % 2 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		unsigned v;

		if (o == size || sscanf(s + i, "%2x", &v) != 1)
			return -1;
		out[o++] = (uint8_t)v;
	}
	return (long)o;
}

/* The A and AAAA answers of msg reached from any owner, in order, joined
 * with ','. */
static void
answer_addrs(int family, char *out, size_t size)
{
	char buf[ADDR_STRLEN];
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < msg.n_answers; i++) {
		const struct dns_rr *rr = &msg.answers[i];

		if (rr->addr.family != family)
			continue;
		o += (size_t)snprintf(out + o, size - o, "%s%s", o ? "," : "",
		    addr_str(&rr->addr, buf, sizeof(buf)));
		if (o >= size)
			return;
	}
}

/*
 * One tshark-derived line: hex, qname, A list, AAAA list.  Returns 1 if
 * the parser agrees, 0 if not, -1 if the line is not a DNS message
 * tshark decoded.
 */
static int
check_line(char *line, char *why, size_t why_size)
{
	static uint8_t pkt[65536];
	char *f[4] = { "", "", "", "" }, *s = line, got[1024];
	long n;
	int nf = 0;
	struct parse_result r;

	line[strcspn(line, "\r\n")] = '\0';
	/* Bound: 4 fields. */
	while (nf < 4) {
		f[nf++] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			break;
		*s++ = '\0';
	}
	if (nf < 2 || f[0][0] == '\0')
		return -1;
	n = unhex(f[0], strlen(f[0]), pkt, sizeof(pkt));
	if (n < 0)
		return -1;
	r = dns_parse(pkt, (size_t)n, &msg);
	/* Neither side found a question in a few bytes of a message. */
	if (r.st == PARSE_TRUNCATED && f[1][0] == '\0')
		return 1;
	if (r.st != PARSE_OK) {
		snprintf(why, why_size, "%s: %s", f[1], parse_status_name(r.st));
		return 0;
	}
	if (strcmp(msg.qname, f[1]) != 0) {
		snprintf(why, why_size, "qname %s != %s", msg.qname, f[1]);
		return 0;
	}
	answer_addrs(4, got, sizeof(got));
	if (strcmp(got, f[2]) != 0) {
		snprintf(why, why_size, "%s: A %s != %s", f[1], got, f[2]);
		return 0;
	}
	answer_addrs(6, got, sizeof(got));
	if (strcmp(got, f[3]) != 0) {
		snprintf(why, why_size, "%s: AAAA %s != %s", f[1], got, f[3]);
		return 0;
	}
	return 1;
}

static void
test_real(void **state)
{
	FILE *fp;
	char line[16384], why[4096];
	int n = 0, ok = 0;

	(void)state;
	fp = fopen(TEST_SRCDIR "/data/dns/real.txt", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		int rc = check_line(line, why, sizeof(why));

		if (rc < 0)
			continue;
		n++;
		if (rc == 1)
			ok++;
		else
			print_message("real.txt: %s\n", why);
	}
	fclose(fp);
	assert_true(n >= 30);
	assert_int_equal(ok, n);
}

/*
 * Every DNS message over UDP, and over TCP when one segment holds the
 * whole framed message, in every corpus capture, against tshark.  Skipped
 * when the corpus or tshark is missing.  Messages tshark itself could not
 * decode cleanly (a "<Name too long>" or malformed marker) are counted
 * apart: rejecting those is the point of the strict name reader.
 */
static void
test_corpus(void **state)
{
	static const char *dir = TOP_SRCDIR "/../shared/corpus/ndpi/pcap";
	char cmd[4096], why[4096];
	static char line[200000];
	FILE *ts;
	int total = 0, agree = 0, bad_total = 0, bad_agree = 0;

	(void)state;
	if (access(dir, R_OK) != 0 || strchr(dir, '\'') != NULL ||
	    system("command -v tshark >/dev/null 2>&1 && "
	    "command -v mergecap >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	/*
	 * One tshark over all captures merged (one process per capture
	 * costs a minute).  The awk step is the one gen_real.sh documents;
	 * a TCP payload is used when it holds exactly one framed message.
	 */
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && mergecap -F pcapng -w - * 2>/dev/null | "
	    "tshark -r - -Y dns -T fields -E separator=/t "
	    "-E occurrence=a -E aggregator=, -e udp.payload "
	    "-e tcp.payload -e dns.qry.name -e dns.count.answers "
	    "-e dns.resp.type -e dns.a -e dns.aaaa -e _ws.malformed "
	    "-e frame.number 2>/dev/null | awk -F '\\t' '{"
	    "p = $1; bad = ($8 != \"\" || index($3, \"<\") > 0);"
	    "if (p == \"\" && $2 != \"\") {"
	    "  l = length($2) / 2 - 2; v = 0;"
	    "  for (i = 1; i <= 4; i++)"
	    "    v = v * 16 + index(\"0123456789abcdef\", substr($2, i, 1)) - 1;"
	    "  if (v != l) next;"
	    "  p = substr($2, 5) }"
	    "if (p == \"\") next;"
	    "split($3, q, \",\"); n = $4 + 0;"
	    "nt = split($5, t, \",\"); na = split($6, a, \",\");"
	    "n6 = split($7, b, \",\"); ka = 0; k6 = 0;"
	    "for (i = 1; i <= n && i <= nt; i++) {"
	    "  if (t[i] == 1) ka++; if (t[i] == 28) k6++ }"
	    "sa = \"\"; for (i = 1; i <= ka && i <= na; i++)"
	    "  sa = sa (i > 1 ? \",\" : \"\") a[i];"
	    "s6 = \"\"; for (i = 1; i <= k6 && i <= n6; i++)"
	    "  s6 = s6 (i > 1 ? \",\" : \"\") b[i];"
	    "printf \"%%s\\t%%s\\t%%s\\t%%s\\t%%d %%s\\n\", p, q[1], sa, s6, "
	    "bad, $9 }'", dir);
	ts = popen(cmd, "r");
	assert_non_null(ts);
	while (fgets(line, sizeof(line), ts) != NULL) {
		char *last = strrchr(line, '\t'), *frame;
		int bad, rc;

		if (last == NULL)
			continue;
		*last++ = '\0';
		bad = last[0] == '1';
		frame = strchr(last, ' ');
		frame = frame ? frame + 1 : last;
		frame[strcspn(frame, "\r\n")] = '\0';
		rc = check_line(line, why, sizeof(why));
		if (rc < 0)
			continue;
		if (bad) {
			bad_total++;
			bad_agree += rc;
		} else {
			total++;
			agree += rc;
		}
		if (rc == 0)
			print_message("merged frame %s%s: %s\n", frame,
			    bad ? " (tshark: malformed)" : "", why);
	}
	pclose(ts);
	print_message("corpus: %d/%d messages agree with tshark (%.2f%%); "
	    "%d/%d of those tshark marks malformed also agree\n",
	    agree, total, total ? 100.0 * agree / total : 0.0,
	    bad_agree, bad_total);
	assert_true(total > 0);
	assert_true(agree * 100 >= total * 99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_a),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_cname_hops),
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_svcb),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_forward_pointer),
		cmocka_unit_test(test_oob_pointer),
		cmocka_unit_test(test_pointer_hops),
		cmocka_unit_test(test_label_len),
		cmocka_unit_test(test_name_len),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_many_answers),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_name_equal),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_real),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
