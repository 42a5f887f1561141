/*
 * test_stream.c - reassembly: in order, out of order, retransmission,
 * overlap (first copy wins), the window cap, wrap-around.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stream.h"

static struct stream_dir
mk(uint32_t cap, uint32_t isn)
{
	struct stream_dir s;

	memset(&s, 0, sizeof(s));
	s.cap = cap;
	assert_true(stream_buf_resize(&s, cap));
	stream_set_isn(&s, isn);
	return s;
}

static void
test_in_order_and_reorder(void **state)
{
	struct stream_dir s = mk(64, 999);
	const char *msg = "ABCDEFGHIJKLMNOP";

	(void)state;
	assert_true(stream_add(&s, 1000, (const uint8_t *)msg, 4));
	assert_int_equal(s.contig, 4);
	/* 12..16 before 4..12: an island, then the hole fills. */
	assert_false(stream_add(&s, 1012, (const uint8_t *)msg + 12, 4));
	assert_int_equal(s.contig, 4);
	assert_int_equal(s.n_islands, 1);
	assert_true(stream_add(&s, 1004, (const uint8_t *)msg + 4, 8));
	assert_int_equal(s.contig, 16);
	assert_int_equal(s.n_islands, 0);
	assert_memory_equal(s.buf, msg, 16);
	/* Retransmission of old data changes nothing. */
	assert_false(stream_add(&s, 1000, (const uint8_t *)"XXXX", 4));
	assert_int_equal(s.retransmits, 1);
	assert_memory_equal(s.buf, msg, 16);
	stream_buf_free(&s);
}

static void
test_overlap_first_wins(void **state)
{
	struct stream_dir s = mk(64, 0);

	(void)state;
	stream_add(&s, 1, (const uint8_t *)"aaaa", 4);
	stream_add(&s, 9, (const uint8_t *)"cccc", 4);
	/* Covers 3..11: only the hole 5..8 is taken from it. */
	stream_add(&s, 3, (const uint8_t *)"XXbbbbYY", 8);
	assert_int_equal(s.contig, 12);
	assert_memory_equal(s.buf, "aaaabbbbcccc", 12);
	assert_true(s.overlaps >= 2);
	stream_buf_free(&s);
}

static void
test_cap_and_midstream(void **state)
{
	struct stream_dir s;
	uint8_t big[100];

	(void)state;
	memset(big, 'z', sizeof(big));
	memset(&s, 0, sizeof(s));
	s.cap = 32;
	assert_true(stream_buf_resize(&s, 32));
	/* No SYN: the first segment defines byte 0; near the seq wrap. */
	stream_add(&s, 0xfffffff0u, big, 20);
	assert_int_equal(s.contig, 20);
	stream_add(&s, 0x00000004u, big, 100);
	assert_int_equal(s.contig, 32);
	assert_true(s.full);
	/* Beyond the window: ignored. */
	assert_false(stream_add(&s, 0x00000100u, big, 10));
	stream_buf_free(&s);
}

static void
test_too_many_islands(void **state)
{
	struct stream_dir s = mk(256, 0);

	(void)state;
	for (uint32_t i = 0; i < STREAM_MAX_ISLANDS + 3; i++)
		stream_add(&s, 1 + 10 + i * 10, (const uint8_t *)"xx", 2);
	assert_int_equal(s.n_islands, STREAM_MAX_ISLANDS);
	assert_int_equal(s.dropped, 3);
	stream_buf_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_reorder),
		cmocka_unit_test(test_overlap_first_wins),
		cmocka_unit_test(test_cap_and_midstream),
		cmocka_unit_test(test_too_many_islands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
