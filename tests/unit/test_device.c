/*
 * test_device.c - device names from configuration, leases and DHCP, and
 * the DHCP parser on a hand-built DHCPREQUEST.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>

#include "device.h"
#include "dhcp.h"

/* A DHCPREQUEST from 3c:22:fb:12:34:56 asking for 192.168.1.23 as "emma-phone". */
static size_t
build_request(uint8_t *b, const char *host, uint8_t op, uint8_t type)
{
	size_t n = 0, hl = strlen(host);

	memset(b, 0, 240);
	b[0] = op;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 28, "\x3c\x22\xfb\x12\x34\x56", 6);
	if (op == 2)
		memcpy(b + 16, "\xc0\xa8\x01\x17", 4);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	n = 240;
	b[n++] = 53;
	b[n++] = 1;
	b[n++] = type;
	b[n++] = 50;
	b[n++] = 4;
	memcpy(b + n, "\xc0\xa8\x01\x17", 4);
	n += 4;
	b[n++] = 12;
	b[n++] = (uint8_t)hl;
	memcpy(b + n, host, hl);
	n += hl;
	b[n++] = 255;
	return n;
}

static void
test_dhcp_parse(void **state)
{
	uint8_t b[400];
	struct dhcp_msg m;
	size_t n = build_request(b, "emma-phone", 1, 3);

	(void)state;
	assert_int_equal(dhcp_parse(b, n, &m).st, PARSE_OK);
	assert_int_equal(m.msg_type, 3);
	assert_string_equal(m.hostname, "emma-phone");
	assert_true(m.chaddr_is_mac);
	assert_memory_equal(m.requested, "\xc0\xa8\x01\x17", 4);
	/* Every truncation is refused without reading past the end. */
	for (size_t cut = 0; cut < 240; cut += 7)
		assert_int_not_equal(dhcp_parse(b, cut, &m).st, PARSE_OK);
	/* An option longer than the message. */
	b[n - 1 - 10 - 1] = 200;
	assert_int_equal(dhcp_parse(b, n, &m).st, PARSE_MALFORMED);
	/* No magic cookie: plain BOOTP. */
	n = build_request(b, "x", 1, 3);
	b[236] = 0;
	assert_int_equal(dhcp_parse(b, n, &m).st, PARSE_UNSUPPORTED);
	/* Control bytes in a name are replaced. */
	n = build_request(b, "a\x01" "b", 1, 3);
	assert_int_equal(dhcp_parse(b, n, &m).st, PARSE_OK);
	assert_string_equal(m.hostname, "a?b");
}

static void
test_names_by_source(void **state)
{
	struct device_table *t = device_table_new(8);
	uint8_t b[400], mac[6];
	struct dhcp_msg m;
	struct addr ip;
	char err[256], path[] = TEST_BUILDDIR "/outflow-leases-XXXXXX";
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(t);
	assert_int_equal(device_parse_mac("3c:22:fb:12:34:56", mac), 0);
	assert_int_equal(addr_parse("192.168.1.23", &ip), 0);
	assert_null(device_name(t, mac, &ip));

	/* DHCP request names it; the ACK ties the address to it. */
	build_request(b, "emma-phone", 1, 3);
	assert_int_equal(dhcp_parse(b, 300, &m).st, PARSE_OK);
	device_learn_dhcp(t, &m);
	assert_string_equal(device_name(t, mac, NULL), "emma-phone");
	assert_string_equal(device_name(t, NULL, &ip), "emma-phone");

	/* A leases file is stronger than sniffed DHCP. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "1700000000 3c:22:fb:12:34:56 192.168.1.23 Emmas-Pixel 01:3c:22:fb:12:34:56\n"
	    "1700000000 aa:bb:cc:dd:ee:ff 192.168.1.40 * *\n");
	fclose(fp);
	assert_int_equal(device_load_leases(t, path, err, sizeof(err)), 0);
	assert_string_equal(device_name(t, mac, &ip), "Emmas-Pixel");
	/* Configuration is strongest. */
	assert_int_equal(device_add_config(t, "3C-22-FB-12-34-56=Emma's phone",
	    err, sizeof(err)), 0);
	assert_string_equal(device_name(t, mac, &ip), "Emma's phone");
	device_learn_dhcp(t, &m);
	assert_string_equal(device_name(t, mac, &ip), "Emma's phone");

	/* Errors name the problem. */
	assert_int_not_equal(device_add_config(t, "nonsense", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "MAC=NAME"));
	assert_int_not_equal(device_add_config(t, "3c:22:fb:12:34=x", err,
	    sizeof(err)), 0);
	fp = fopen(path, "w");
	fprintf(fp, "garbage line\n");
	fclose(fp);
	assert_int_not_equal(device_load_leases(t, path, err, sizeof(err)), 0);
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
	device_table_free(t);
}

/* An ACK from the server for mac (last byte i) giving it a.b.c.d. */
static void
ack(struct device_table *t, uint8_t i, const uint8_t ip[4])
{
	struct dhcp_msg m;

	memset(&m, 0, sizeof(m));
	m.op = 2;
	m.msg_type = 5;
	m.chaddr_is_mac = true;
	memcpy(m.chaddr, "\x02\0\0\0\0", 5);
	m.chaddr[5] = i;
	memcpy(m.yiaddr, ip, 4);
	device_learn_dhcp(t, &m);
}

static const char *
name_at(const struct device_table *t, uint8_t last)
{
	struct addr a;
	char s[32];

	snprintf(s, sizeof(s), "10.0.0.%u", last);
	assert_int_equal(addr_parse(s, &a), 0);
	return device_name(t, NULL, &a);
}

/*
 * The address index follows devices as they move: an address names the
 * device that took it last, and only while it still has it.  Then churn:
 * 200 devices each moving through ten addresses, so entries are removed
 * from the middle of probe runs over and over.
 */
static void
test_addresses_move(void **state)
{
	struct device_table *t = device_table_new(256);
	char err[64], spec[64];

	(void)state;
	assert_non_null(t);
	for (unsigned i = 1; i <= 200; i++) {
		snprintf(spec, sizeof(spec), "02:00:00:00:00:%02x=d%u", i, i);
		assert_int_equal(device_add_config(t, spec, err, sizeof(err)),
		    0);
	}
	ack(t, 1, (const uint8_t *)"\x0a\0\0\x05");
	assert_string_equal(name_at(t, 5), "d1");
	ack(t, 2, (const uint8_t *)"\x0a\0\0\x05");	/* taken over */
	assert_string_equal(name_at(t, 5), "d2");
	ack(t, 2, (const uint8_t *)"\x0a\0\0\x06");	/* d2 moves on */
	assert_null(name_at(t, 5));
	assert_string_equal(name_at(t, 6), "d2");
	ack(t, 1, (const uint8_t *)"\x0a\0\0\x05");	/* d1 renews */
	assert_string_equal(name_at(t, 5), "d1");

	for (unsigned round = 0; round < 10; round++)
		for (unsigned i = 1; i <= 200; i++) {
			uint8_t ip[4] = { 10, (uint8_t)round, 1,
			    (uint8_t)i };

			ack(t, (uint8_t)i, ip);
		}
	for (unsigned i = 1; i <= 200; i++) {
		struct addr a;
		char s[32], want[8];

		snprintf(want, sizeof(want), "d%u", i);
		snprintf(s, sizeof(s), "10.9.1.%u", i);
		assert_int_equal(addr_parse(s, &a), 0);
		assert_string_equal(device_name(t, NULL, &a), want);
		snprintf(s, sizeof(s), "10.8.1.%u", i);
		assert_int_equal(addr_parse(s, &a), 0);
		assert_null(device_name(t, NULL, &a));
	}
	assert_null(name_at(t, 5));
	assert_int_equal(device_refused(t), 0);
	device_table_free(t);
}

static void
test_bounded(void **state)
{
	struct device_table *t = device_table_new(2);
	char err[128], spec[64];

	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "00:00:00:00:00:0%d=d%d", i, i);
		assert_int_equal(device_add_config(t, spec, err, sizeof(err)), 0);
	}
	assert_int_equal(device_add_config(t, "00:00:00:00:00:09=x", err,
	    sizeof(err)), -ENOSPC);
	assert_int_equal(device_count(t), 2);
	assert_int_equal(device_refused(t), 1);
	device_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp_parse),
		cmocka_unit_test(test_names_by_source),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_addresses_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
