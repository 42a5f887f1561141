/*
 * test_home.c - the night counter behind location.home (detect/home.c):
 * nights counted once each, night hours only, a window after which the
 * count starts again, one count per device, the cap and its counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "daemon/detect/home.h"

#define HOUR (3600ull * 1000000)
#define DAY (24 * HOUR)
/* 2024-05-06T00:00:00Z */
#define D0 (1714953600ull * 1000000)

static const struct pii_home_rules rules = {
	.enabled = true, .confidence = 75, .from_hour = 22, .to_hour = 6,
	.min_nights = 3, .window_days = 30,
};

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
test_nights(void **state)
{
	struct home_tracker *t = home_tracker_new(64);
	struct home_stats hs;

	(void)state;
	assert_non_null(t);
	/* 23:00 and 02:00 the next morning are one night */
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 23 * HOUR, &rules), 1);
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + DAY + 2 * HOUR,
	    &rules), 1);
	/* by day: read only */
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + DAY + 14 * HOUR,
	    &rules), 1);
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 2 * DAY + 1 * HOUR,
	    &rules), 2);
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 2 * DAY + 22 * HOUR,
	    &rules), 3);
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 3 * DAY + 12 * HOUR,
	    &rules), 3);
	/* another device, another cell: counted apart */
	assert_int_equal(home_tracker_see(t, 2, 7, D0 + 3 * DAY + 3 * HOUR,
	    &rules), 1);
	assert_int_equal(home_tracker_see(t, 1, 8, D0 + 3 * DAY + 3 * HOUR,
	    &rules), 1);
	/* an office by day is never counted, nor held */
	for (unsigned d = 0; d < 20; d++)
		assert_int_equal(home_tracker_see(t, 1, 9, D0 + d * DAY +
		    11 * HOUR, &rules), 0);
	home_tracker_stats(t, &hs);
	assert_int_equal(hs.cells, 3);
	/* past the window: by day forgotten, at night started again */
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 40 * DAY + 12 * HOUR,
	    &rules), 0);
	assert_int_equal(home_tracker_see(t, 1, 7, D0 + 40 * DAY + 1 * HOUR,
	    &rules), 1);
	home_tracker_free(t);
}

static void
test_cap(void **state)
{
	struct home_tracker *t = home_tracker_new(4);
	struct home_stats hs;

	(void)state;
	assert_non_null(t);
	for (uint64_t c = 1; c <= 6; c++)
		home_tracker_see(t, 1, c, D0 + 1 * HOUR, &rules);
	home_tracker_stats(t, &hs);
	assert_int_equal(hs.cells, 4);
	assert_int_equal(hs.max_cells, 4);
	assert_int_equal(hs.dropped, 2);
	/* when full, entries silent past the window are swept away */
	assert_int_equal(home_tracker_see(t, 1, 99, D0 + 60 * DAY + 1 * HOUR,
	    &rules), 1);
	home_tracker_stats(t, &hs);
	assert_int_equal(hs.cells, 1);
	assert_int_equal(hs.dropped, 2);
	/* and the ones still counting survive a sweep, all reachable */
	for (uint64_t c = 100; c < 103; c++)
		assert_int_equal(home_tracker_see(t, 1, c, D0 + 61 * DAY +
		    1 * HOUR, &rules), 1);
	assert_int_equal(home_tracker_see(t, 1, 200, D0 + 91 * DAY +
	    1 * HOUR, &rules), 1);
	home_tracker_stats(t, &hs);
	assert_int_equal(hs.cells, 4);
	for (uint64_t c = 100; c < 103; c++)
		assert_int_equal(home_tracker_see(t, 1, c, D0 + 91 * DAY +
		    2 * HOUR, &rules), 2);
	home_tracker_stats(t, &hs);
	assert_int_equal(hs.dropped, 2);
	home_tracker_free(t);
}

/* A night that does not wrap midnight (00:00-06:00, the default). */
static void
test_plain_night(void **state)
{
	struct pii_home_rules r = rules;
	struct home_tracker *t = home_tracker_new(8);

	(void)state;
	r.from_hour = 0;
	r.to_hour = 6;
	assert_int_equal(home_tracker_see(t, 1, 1, D0 + 23 * HOUR, &r), 0);
	assert_int_equal(home_tracker_see(t, 1, 1, D0 + 5 * HOUR, &r), 1);
	assert_int_equal(home_tracker_see(t, 1, 1, D0 + 6 * HOUR, &r), 1);
	assert_int_equal(home_tracker_see(t, 1, 1, D0 + DAY, &r), 2);
	home_tracker_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nights),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_plain_night),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
