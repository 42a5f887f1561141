/*
 * test_syslog_out.c - RFC 5424 messages and RFC 6587 framing: the header
 * field by field, cuts that never split a UTF-8 character, targets and
 * facilities parsed, and real sockets on loopback: octet-counted TCP
 * frames read back whole, a full queue counted lost while the collector
 * is away, a long UDP message cut and counted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "syslog_out.h"

static void
test_header(void **state)
{
	char buf[SYSLOG_HEADER_MAX];
	struct syslog_header h = {
		.facility = 16, .severity = 6,
		/* 2024-05-06T10:00:00.030400Z */
		.ts_us = 1714989600ULL * 1000000 + 30400,
		.hostname = "gw1", .app_name = "outflow", .procid = 42,
		.msgid = "outflow.flow",
	};
	size_t n;

	(void)state;
	n = syslog_header_format(buf, &h);
	assert_string_equal(buf, "<134>1 2024-05-06T10:00:00.030400Z gw1 "
	    "outflow 42 outflow.flow - ");
	assert_int_equal(n, strlen(buf));
	/* kern.emerg is PRI 0; local7.debug 191. */
	h.facility = 0;
	h.severity = 0;
	syslog_header_format(buf, &h);
	assert_memory_equal(buf, "<0>1 ", 5);
	h.facility = 23;
	h.severity = 7;
	syslog_header_format(buf, &h);
	assert_memory_equal(buf, "<191>1 ", 7);
	/* Not PRINTUSASCII, or too long for its field: the NILVALUE. */
	h.hostname = "my host";
	h.msgid = "a-dataset-name-longer-than-32-chars";
	syslog_header_format(buf, &h);
	assert_string_equal(buf, "<191>1 2024-05-06T10:00:00.030400Z - "
	    "outflow 42 - - ");
	h.hostname = NULL;
	h.msgid = "";
	syslog_header_format(buf, &h);
	assert_non_null(strstr(buf, "Z - outflow 42 - - "));
}

static void
test_utf8_cut(void **state)
{
	/* "a" "é" (2 bytes) "€" (3) "😀" (4) */
	const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	size_t len = sizeof(s) - 1;

	(void)state;
	assert_int_equal(syslog_utf8_cut(s, len, 100), len);
	assert_int_equal(syslog_utf8_cut(s, len, 0), 0);
	assert_int_equal(syslog_utf8_cut(s, len, 1), 1);
	assert_int_equal(syslog_utf8_cut(s, len, 2), 1);	/* inside é */
	assert_int_equal(syslog_utf8_cut(s, len, 3), 3);
	assert_int_equal(syslog_utf8_cut(s, len, 4), 3);	/* inside € */
	assert_int_equal(syslog_utf8_cut(s, len, 5), 3);
	assert_int_equal(syslog_utf8_cut(s, len, 6), 6);
	for (size_t m = 7; m < 10; m++)			/* inside 😀 */
		assert_int_equal(syslog_utf8_cut(s, len, m), 6);
	assert_int_equal(syslog_utf8_cut(s, len, 10), 10);
}

static void
test_frame_prefix(void **state)
{
	char buf[24];

	(void)state;
	assert_int_equal(syslog_frame_prefix(buf, 7), 2);
	assert_memory_equal(buf, "7 ", 2);
	assert_int_equal(syslog_frame_prefix(buf, 65536), 6);
	assert_memory_equal(buf, "65536 ", 6);
}

static void
test_targets(void **state)
{
	struct syslog_target t;
	char err[256];

	(void)state;
	assert_int_equal(syslog_target_parse("udp://10.0.0.1", &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.transport, SYSLOG_UDP);
	assert_string_equal(t.host, "10.0.0.1");
	assert_string_equal(t.port, "514");
	assert_int_equal(syslog_target_parse("tcp://logs.example:6514", &t,
	    err, sizeof(err)), 0);
	assert_int_equal(t.transport, SYSLOG_TCP);
	assert_string_equal(t.host, "logs.example");
	assert_string_equal(t.port, "6514");
	assert_int_equal(syslog_target_parse("tcp://[2001:db8::1]", &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.host, "2001:db8::1");
	assert_string_equal(t.port, "601");
	assert_int_equal(syslog_target_parse("tcp://[::1]:10514", &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.port, "10514");

	static const char *const bad[] = {
		"10.0.0.1:514", "http://x", "udp://", "udp://:514",
		"udp://h:0", "udp://h:65536", "udp://h:5x", "udp://h:",
		"tcp://[::1", "tcp://[::1]x", "udp://h/path",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(syslog_target_parse(bad[i], &t, err,
		    sizeof(err)), 0);
		assert_true(err[0] != '\0');
	}
}

static void
test_facilities(void **state)
{
	(void)state;
	assert_int_equal(syslog_facility_parse("kern"), 0);
	assert_int_equal(syslog_facility_parse("daemon"), 3);
	assert_int_equal(syslog_facility_parse("local0"), 16);
	assert_int_equal(syslog_facility_parse("local7"), 23);
	assert_int_equal(syslog_facility_parse("local8"), -1);
	assert_int_equal(syslog_facility_parse("LOCAL0"), -1);
}

/* A listening (TCP) or bound (UDP) socket on 127.0.0.1; its port. */
static int
listener(int type, unsigned short *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

static struct syslog_out *
open_out(enum syslog_transport tr, unsigned short port, size_t max_message,
    size_t queue_bytes)
{
	struct syslog_out_options o = {
		.facility = 16, .hostname = "gw1",
		.max_message = max_message, .queue_bytes = queue_bytes,
	};
	struct syslog_out *s = NULL;
	char err[256], target[64];

	snprintf(target, sizeof(target), "%s://127.0.0.1:%u",
	    tr == SYSLOG_UDP ? "udp" : "tcp", port);
	assert_int_equal(syslog_target_parse(target, &o.target, err,
	    sizeof(err)), 0);
	assert_int_equal(syslog_out_open(&o, &s, err, sizeof(err)), 0);
	return s;
}

static void
put(struct syslog_out *s, const char *json, int severity)
{
	struct eve_line l = {
		.json = json, .len = strlen(json), .dataset = "outflow.flow",
		.ts_us = 1714989600ULL * 1000000, .severity = severity,
	};

	syslog_sink_ops.put(s, &l);
}

/* Read what the connection carries until n frames are whole. */
static size_t
read_frames(int fd, char *buf, size_t size, int n)
{
	size_t got = 0;

	for (int tries = 0; tries < 200; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		size_t off = 0;
		int frames = 0;
		ssize_t r;

		/* Count whole frames: "LEN SP" then LEN bytes. */
		while (off < got) {
			char *sp = memchr(buf + off, ' ', got - off);
			size_t len;

			if (sp == NULL)
				break;
			len = strtoul(buf + off, NULL, 10);
			if ((size_t)(sp - buf) + 1 + len > got)
				break;
			off = (size_t)(sp - buf) + 1 + len;
			frames++;
		}
		if (frames >= n)
			return got;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		r = read(fd, buf + got, size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void
test_tcp_octet_counting(void **state)
{
	unsigned short port;
	int lfd = listener(SOCK_STREAM, &port), cfd;
	struct syslog_out *s = open_out(SYSLOG_TCP, port, 8192, 1 << 16);
	struct syslog_out_counts n;
	/* A space, a newline and a multi-byte character inside: framing by
	 * count, not by delimiter, carries them whole. */
	const char *msgs[] = { "{\"a\":1}", "{\"b\":\"x y\\nz\"}",
	    "{\"c\":\"\xc3\xa9\"}" };
	char buf[4096];
	size_t got, off = 0;

	(void)state;
	put(s, msgs[0], 6);
	assert_true((cfd = accept(lfd, NULL, NULL)) >= 0);
	put(s, msgs[1], 4);
	put(s, msgs[2], 2);
	syslog_sink_ops.flush(s);
	got = read_frames(cfd, buf, sizeof(buf), 3);
	for (int i = 0; i < 3; i++) {
		char *end, expect[256];
		size_t len = strtoul(buf + off, &end, 10);
		int pri = i == 0 ? 134 : i == 1 ? 132 : 130;

		assert_true(*end == ' ');
		off = (size_t)(end - buf) + 1;
		assert_true(off + len <= got);
		snprintf(expect, sizeof(expect), "<%d>1 2024-05-06T10:00:00."
		    "000000Z gw1 outflow %lu outflow.flow - %s", pri,
		    (unsigned long)getpid(), msgs[i]);
		assert_int_equal(len, strlen(expect));
		assert_memory_equal(buf + off, expect, len);
		off += len;
	}
	assert_int_equal(off, got);
	syslog_sink_ops.finish(s);
	syslog_out_counts(s, &n);
	assert_int_equal(n.sent, 3);
	assert_int_equal(n.lost, 0);
	assert_int_equal(n.connects, 1);
	syslog_sink_ops.close(s);
	close(cfd);
	close(lfd);
}

static void
test_tcp_collector_away(void **state)
{
	unsigned short port;
	int lfd = listener(SOCK_STREAM, &port);
	struct syslog_out *s;
	struct syslog_out_counts n;
	char json[300];

	(void)state;
	/* The port is free again: connections are refused. */
	close(lfd);
	memset(json, 'x', sizeof(json) - 1);
	json[0] = '"';
	json[sizeof(json) - 2] = '"';
	json[sizeof(json) - 1] = '\0';
	/* Room for three framed messages of about 370 bytes in 1200. */
	s = open_out(SYSLOG_TCP, port, 8192, 1200);
	for (int i = 0; i < 10; i++)
		put(s, json, 6);
	syslog_out_counts(s, &n);
	assert_int_equal(n.sent, 0);
	assert_int_equal(n.lost, 7);
	assert_int_equal(syslog_sink_ops.lost(s), 7);
	/* The run ends with the collector still away: the three queued
	 * are lost too, and the wait is bounded. */
	syslog_sink_ops.finish(s);
	syslog_out_counts(s, &n);
	assert_int_equal(n.lost, 10);
	assert_int_equal(n.connects, 0);
	syslog_sink_ops.close(s);
}

static void
test_udp_cut(void **state)
{
	unsigned short port;
	int fd = listener(SOCK_DGRAM, &port);
	struct syslog_out *s = open_out(SYSLOG_UDP, port, 480, 0);
	struct syslog_out_counts n;
	char json[1200], dgram[2048];
	ssize_t r;
	size_t hlen;

	(void)state;
	/* Two-byte characters throughout: any cut could split one. */
	for (size_t i = 0; i + 2 < sizeof(json); i += 2) {
		json[i] = '\xc3';
		json[i + 1] = '\xa9';
	}
	json[sizeof(json) - 2] = 'z';
	json[sizeof(json) - 1] = '\0';
	put(s, "{\"short\":true}", 6);
	put(s, json, 6);
	r = recv(fd, dgram, sizeof(dgram), 0);
	assert_true(r > 0);
	assert_non_null(memmem(dgram, (size_t)r, "{\"short\":true}", 14));
	r = recv(fd, dgram, sizeof(dgram), 0);
	assert_true(r > 0 && r <= 480);
	hlen = (size_t)(strstr(dgram, "outflow.flow - ") - dgram) + 15;
	/* Only whole characters follow the header. */
	assert_int_equal(((size_t)r - hlen) % 2, 0);
	assert_true((unsigned char)dgram[r - 1] == 0xa9);
	syslog_out_counts(s, &n);
	assert_int_equal(n.sent, 1);
	assert_int_equal(n.cut, 1);
	assert_int_equal(n.lost, 1);
	syslog_sink_ops.close(s);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_frame_prefix),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_facilities),
		cmocka_unit_test(test_tcp_octet_counting),
		cmocka_unit_test(test_tcp_collector_away),
		cmocka_unit_test(test_udp_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
