/*
 * test_capture.c - the in-place reader of classic pcap files against
 * libpcap's rules: byte orders, nanosecond files, truncation to the
 * snapshot length, cut-off files and impossible lengths; batches; and
 * pcapng, which stays with libpcap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture_memory.h"

struct seen {
	unsigned packets;
	unsigned calls;
	unsigned max_batch;
	uint64_t ts[64];
	uint32_t caplen[64];
	uint32_t wirelen[64];
	uint8_t first[64];
};

static void
on_batch(const struct capture_packet *cps, unsigned n, int dlt, void *ctx)
{
	struct seen *s = ctx;

	assert_int_equal(dlt, 1);
	s->calls++;
	if (n > s->max_batch)
		s->max_batch = n;
	for (unsigned i = 0; i < n; i++, s->packets++) {
		if (s->packets >= 64)
			continue;
		s->ts[s->packets] = cps[i].ts_us;
		s->caplen[s->packets] = cps[i].caplen;
		s->wirelen[s->packets] = cps[i].wirelen;
		s->first[s->packets] = cps[i].caplen ? cps[i].data[0] : 0;
	}
}

struct buf {
	uint8_t b[65536];
	size_t n;
};

static void
put32(struct buf *b, uint32_t v, int swapped)
{
	if (swapped)
		v = __builtin_bswap32(v);
	memcpy(b->b + b->n, &v, 4);
	b->n += 4;
}

static void
put16(struct buf *b, uint16_t v, int swapped)
{
	if (swapped)
		v = __builtin_bswap16(v);
	memcpy(b->b + b->n, &v, 2);
	b->n += 2;
}

static void
file_header(struct buf *b, int swapped, int nsec, uint32_t snaplen)
{
	put32(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4, swapped);
	put16(b, 2, swapped);
	put16(b, 4, swapped);
	put32(b, 0, swapped);
	put32(b, 0, swapped);
	put32(b, snaplen, swapped);
	put32(b, 1, swapped);		/* Ethernet */
}

static void
record(struct buf *b, int swapped, uint32_t sec, uint32_t frac,
    uint32_t caplen, uint32_t wirelen, uint8_t fill)
{
	put32(b, sec, swapped);
	put32(b, frac, swapped);
	put32(b, caplen, swapped);
	put32(b, wirelen, swapped);
	memset(b->b + b->n, fill, caplen);
	b->n += caplen;
}

/* Write b to a temporary file; the caller unlinks it. */
static void
to_file(const struct buf *b, char *path, size_t pathlen)
{
	FILE *fp;
	int fd;

	snprintf(path, pathlen, "%s/outflow-test-capture-XXXXXX", TEST_BUILDDIR);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(b->b, 1, b->n, fp), b->n);
	fclose(fp);
}

/* Read everything from a file in the build folder or from memory (a
 * memfd, tests/support/capture_memory.c); returns the last
 * dispatch result. */
static int
read_all(const struct buf *b, int from_file, struct seen *s, char *err,
    size_t errlen)
{
	struct capture *c;
	char path[512];
	int r;

	memset(s, 0, sizeof(*s));
	if (from_file) {
		to_file(b, path, sizeof(path));
		r = capture_open_file(path, &c, err, errlen);
		unlink(path);
	} else
		r = capture_open_memory(b->b, b->n, &c, err, errlen);
	assert_int_equal(r, 0);
	while ((r = capture_dispatch(c, 1000, on_batch, s, err, errlen)) > 0)
		;
	capture_close(c);
	return r;
}

static void
test_byte_orders_and_units(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct seen s;
	char err[256];

	(void)state;
	for (int swapped = 0; swapped < 2; swapped++)
		for (int nsec = 0; nsec < 2; nsec++)
			for (int from_file = 0; from_file < 2; from_file++) {
				b->n = 0;
				file_header(b, swapped, nsec, 65535);
				record(b, swapped, 100, nsec ? 5000 : 5, 60, 60,
				    0xaa);
				record(b, swapped, 101, nsec ? 999999999 : 999999,
				    42, 1500, 0xbb);
				assert_int_equal(read_all(b, from_file, &s, err,
				    sizeof(err)), 0);
				assert_int_equal(s.packets, 2);
				assert_int_equal(s.ts[0], 100000005);
				assert_int_equal(s.ts[1], 101999999);
				assert_int_equal(s.caplen[1], 42);
				assert_int_equal(s.wirelen[1], 1500);
				assert_int_equal(s.first[0], 0xaa);
				assert_int_equal(s.first[1], 0xbb);
			}
	free(b);
}

/* Records longer than the file's snapshot length are cut to it, as
 * libpcap does; packets come in batches of at most 32. */
static void
test_snaplen_and_batches(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct seen s;
	char err[256];

	(void)state;
	file_header(b, 0, 0, 100);
	record(b, 0, 1, 0, 300, 300, 1);
	for (int i = 0; i < 49; i++)
		record(b, 0, 2, (uint32_t)i, 60, 60, (uint8_t)i);
	assert_int_equal(read_all(b, 1, &s, err, sizeof(err)), 0);
	assert_int_equal(s.packets, 50);
	assert_int_equal(s.caplen[0], 100);
	assert_int_equal(s.wirelen[0], 300);
	assert_int_equal(s.first[49], 48);
	assert_int_equal(s.max_batch, 32);
	free(b);
}

/* A cut-off record: the packets before it are handed on, then the error
 * names the file and says what was short. */
static void
test_cut_off(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct seen s;
	char err[256];

	(void)state;
	for (int cut = 0; cut < 2; cut++) {
		b->n = 0;
		file_header(b, 0, 0, 65535);
		for (int i = 0; i < 40; i++)
			record(b, 0, 1, (uint32_t)i, 60, 60, 7);
		record(b, 0, 2, 0, 60, 60, 8);
		b->n -= cut ? 10 : 60 + 7;	/* into the body or header */
		assert_int_equal(read_all(b, cut, &s, err, sizeof(err)),
		    -EIO);
		assert_int_equal(s.packets, 40);
		assert_non_null(strstr(err, "truncated dump file"));
		assert_non_null(strstr(err, cut ? "captured bytes" :
		    "header bytes"));
	}
	free(b);
}

static void
test_impossible_length(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct seen s;
	char err[256];

	(void)state;
	file_header(b, 0, 0, 65535);
	record(b, 0, 1, 0, 60, 60, 7);
	put32(b, 2, 0);
	put32(b, 0, 0);
	put32(b, 0x7fffffff, 0);
	put32(b, 60, 0);
	assert_int_equal(read_all(b, 1, &s, err, sizeof(err)), -EIO);
	assert_int_equal(s.packets, 1);
	assert_non_null(strstr(err, "invalid packet capture length"));
	free(b);
}

/* pcapng is read by libpcap, one packet per call. */
static void
test_pcapng_through_libpcap(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct seen s;
	char err[256];

	(void)state;
	/* Section header block. */
	put32(b, 0x0a0d0d0a, 0);
	put32(b, 28, 0);
	put32(b, 0x1a2b3c4d, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 28, 0);
	/* Interface description block: Ethernet, microseconds. */
	put32(b, 1, 0);
	put32(b, 20, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 65535, 0);
	put32(b, 20, 0);
	/* Two enhanced packet blocks of 60 bytes. */
	for (int i = 0; i < 2; i++) {
		put32(b, 6, 0);
		put32(b, 32 + 60, 0);
		put32(b, 0, 0);
		put32(b, 0, 0);
		put32(b, 1000000 + (uint32_t)i, 0);
		put32(b, 60, 0);
		put32(b, 60, 0);
		memset(b->b + b->n, 0x33, 60);
		b->n += 60;
		put32(b, 32 + 60, 0);
	}
	for (int from_file = 0; from_file < 2; from_file++) {
		assert_int_equal(read_all(b, from_file, &s, err, sizeof(err)),
		    0);
		assert_int_equal(s.packets, 2);
		assert_int_equal(s.max_batch, 1);
		assert_int_equal(s.ts[1], 1000001);
	}
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_orders_and_units),
		cmocka_unit_test(test_snaplen_and_batches),
		cmocka_unit_test(test_cut_off),
		cmocka_unit_test(test_impossible_length),
		cmocka_unit_test(test_pcapng_through_libpcap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
