/*
 * test_community_id.c - Community ID v1 against the specification's
 * baseline (github.com/corelight/community-id-spec, baseline/
 * baseline_deflt.json for seed 0 and baseline_seed1.json for seed 1):
 * TCP and UDP over IPv4 and IPv6, SCTP, ICMP and ICMPv6 (requests,
 * replies and one-way messages) and a protocol without ports, each in
 * both directions where the baseline has them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "community_id.h"

/*
 * The baseline's rows.  For ICMP the baseline's ports are what the
 * type/code mapping yields; here type and code are given and the mapped
 * ports are checked against the baseline's too.
 */
static const struct vec {
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport;		/* ICMP: type, code */
	const char *seed0, *seed1;
} vecs[] = {
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
	    "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0,
	    "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0,
	    "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0,
	    "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	    "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e",
	    "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	    "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0,
	    "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
	    "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0,
	    "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0,
	    "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, "192.168.0.89", "192.168.0.1", 8, 0,
	    "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, "192.168.0.1", "192.168.0.89", 0, 0,
	    "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, "10.0.0.1", "10.0.0.2", 11, 0,
	    "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a",
	    63943, 25,
	    "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887",
	    25, 63943,
	    "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7,
	    "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7,
	    "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80,
	    "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855,
	    "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53,
	    "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585,
	    "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 46, "10.1.12.1", "10.1.12.2", 0, 0,
	    "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 46, "10.1.12.2", "10.1.12.1", 0, 0,
	    "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static void
tuple(const struct vec *v, struct community_id_tuple *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(addr_parse(v->saddr, &t->src), 0);
	assert_int_equal(addr_parse(v->daddr, &t->dst), 0);
	t->proto = v->proto;
	if (v->proto == 1 || v->proto == 58) {
		community_id_icmp(t, (uint8_t)v->sport, (uint8_t)v->dport);
	} else {
		t->sport = v->sport;
		t->dport = v->dport;
	}
}

static void
test_baseline(void **state)
{
	char out[COMMUNITY_ID_SIZE];
	struct community_id_tuple t;

	(void)state;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		tuple(&vecs[i], &t);
		assert_int_equal(community_id_v1(&t, 0, out), 0);
		assert_string_equal(out, vecs[i].seed0);
		assert_int_equal(community_id_v1(&t, 1, out), 0);
		assert_string_equal(out, vecs[i].seed1);
	}
}

static void
test_icmp_mapping(void **state)
{
	struct community_id_tuple t = { .proto = 1 };

	(void)state;
	/* Echo reply: (0, 8), ordered like a flow. */
	community_id_icmp(&t, 0, 0);
	assert_int_equal(t.sport, 0);
	assert_int_equal(t.dport, 8);
	assert_false(t.one_way);
	/* Destination unreachable: (type, code), one-way. */
	community_id_icmp(&t, 3, 3);
	assert_int_equal(t.sport, 3);
	assert_int_equal(t.dport, 3);
	assert_true(t.one_way);
	/* ICMPv6 neighbour solicitation pairs with the advertisement. */
	t.proto = 58;
	community_id_icmp(&t, 135, 0);
	assert_int_equal(t.dport, 136);
	assert_false(t.one_way);
}

static void
test_one_way_keeps_order(void **state)
{
	struct community_id_tuple t, r;
	char a[COMMUNITY_ID_SIZE], b[COMMUNITY_ID_SIZE];

	(void)state;
	/* A one-way message from the larger address is not flipped. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(addr_parse("10.0.0.2", &t.src), 0);
	assert_int_equal(addr_parse("10.0.0.1", &t.dst), 0);
	t.proto = 1;
	community_id_icmp(&t, 11, 0);
	r = t;
	r.src = t.dst;
	r.dst = t.src;
	assert_int_equal(community_id_v1(&t, 0, a), 0);
	assert_int_equal(community_id_v1(&r, 0, b), 0);
	assert_string_not_equal(a, b);
	assert_string_equal(b, "1:YHxtAirCG//0OzkcVAukqKQN9xM=");
}

static void
test_bad_families(void **state)
{
	struct community_id_tuple t;
	char out[COMMUNITY_ID_SIZE] = "untouched";

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(addr_parse("10.0.0.1", &t.src), 0);
	assert_int_equal(addr_parse("::1", &t.dst), 0);
	t.proto = 6;
	assert_int_equal(community_id_v1(&t, 0, out), -EINVAL);
	memset(&t, 0, sizeof(t));
	assert_int_equal(community_id_v1(&t, 0, out), -EINVAL);
	assert_string_equal(out, "untouched");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_icmp_mapping),
		cmocka_unit_test(test_one_way_keeps_order),
		cmocka_unit_test(test_bad_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
