/*
 * test_interim.c - what a daemon asks of the pipeline besides packets:
 * interim records of open flows (pipeline_interim()), statistics while it
 * runs (pipeline_report_stats()) and its captures' counters.  A flow is
 * ended once however many interim records it had.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "pipeline.h"

struct seen {
	unsigned ended, interim, stats, final_stats;
	uint32_t active_at_stats;
	uint64_t at_us, received, kernel_drops;
	bool live;
};

static void
on_flow(void *ctx, const struct flow_record *r)
{
	struct seen *s = ctx;

	if (r->ended)
		s->ended++;
	else
		s->interim++;
}

static void
on_stats(void *ctx, const struct run_stats *t)
{
	struct seen *s = ctx;

	if (t->final) {
		s->final_stats++;
		return;
	}
	s->stats++;
	s->active_at_stats = t->active_flows;
	s->at_us = t->at_us;
	s->live = t->live;
	s->received = t->capture_received;
	s->kernel_drops = t->capture_kernel_drops;
}

static const struct output_ops seen_ops = {
	.name = "seen",
	.flow = on_flow,
	.stats = on_stats,
};

static void
test_interim_and_stats(void **state)
{
	struct pipeline_config pc;
	struct conf *c;
	struct pipeline *p;
	struct capture *cap;
	struct seen s;
	char err[512];
	unsigned open_flows;

	(void)state;
	memset(&s, 0, sizeof(s));
	pipeline_config_defaults(&pc);
	if (conf_load(&pc, NULL, &c, err, sizeof(err)) != 0)
		fail_msg("conf_load: %s", err);
	assert_int_equal(pipeline_new(c, &p, err, sizeof(err)), 0);
	conf_unref(c);
	assert_int_equal(pipeline_add_output(p, &seen_ops, &s), 0);
	assert_int_equal(capture_open_file(TEST_BUILDDIR "/conf_swap.pcap",
	    &cap, err, sizeof(err)), 0);
	while (capture_dispatch(cap, 64, pipeline_packets, p, err,
	    sizeof(err)) > 0)
		;
	capture_close(cap);

	/* Statistics while running: what is open now, the captures' counts. */
	pipeline_set_capture_counts(p, 1000, 7, 0);
	pipeline_report_stats(p, 123456789);
	assert_int_equal(s.stats, 1);
	assert_int_equal(s.final_stats, 0);
	assert_int_equal(s.at_us, 123456789);
	assert_true(s.live);
	assert_int_equal(s.received, 1000);
	assert_int_equal(s.kernel_drops, 7);
	open_flows = s.active_at_stats;
	assert_true(open_flows > 0);

	/* Every open flow began at least 0 us ago; none an age before the
	 * latest packet. */
	pipeline_interim(p, 0, 0);
	assert_int_equal(s.interim, open_flows);
	pipeline_interim(p, 0, UINT64_MAX / 2);
	assert_int_equal(s.interim, open_flows);
	pipeline_interim(p, 0, 0);
	assert_int_equal(s.interim, 2 * open_flows);
	/* Live, the wall clock ages quiet flows: an age later, all of them. */
	pipeline_interim(p, UINT64_MAX / 2 + (uint64_t)4e15, UINT64_MAX / 2);
	assert_int_equal(s.interim, 3 * open_flows);

	/* Each flow still ends once, and the last statistics say final. */
	pipeline_finish(p);
	assert_int_equal(s.final_stats, 1);
	assert_true(s.ended >= open_flows);
	pipeline_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interim_and_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
