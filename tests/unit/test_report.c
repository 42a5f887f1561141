/*
 * test_report.c - the report's pieces that need no store: the escaping
 * functions of each format (hostile server names), ISO weeks and day
 * ranges, and the summary model's report tables read back.  The whole
 * report, from stores built by outflow audit, is tested by
 * tests/report/report_test.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "summary.h"
#include "daemon/report/report_int.h"

/* What fn writes for s, in a static buffer. */
static const char *
written(void (*fn)(FILE *, const char *), const char *s)
{
	static char buf[4096];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	memset(buf, 0, sizeof(buf));
	assert_non_null(fp);
	fn(fp, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void
html_escape(void **state)
{
	(void)state;
	assert_string_equal(written(report_html_escape,
	    "<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(written(report_html_escape,
	    "\"><img src=x onerror=alert(2)>"),
	    "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
	assert_string_equal(written(report_html_escape, "a'b&c"),
	    "a&#39;b&amp;c");
	/* Controls and invalid UTF-8 become U+FFFD; valid UTF-8 stays. */
	assert_string_equal(written(report_html_escape, "a\x1b[2Jb\n"),
	    "a\xef\xbf\xbd[2Jb\xef\xbf\xbd");
	assert_string_equal(written(report_html_escape, "\xc3\xa9t\xc3\xa9"),
	    "\xc3\xa9t\xc3\xa9");
	assert_string_equal(written(report_html_escape, "x\xc0\xafy\xff"),
	    "x\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd");
	/* A sequence cut by the end of the string. */
	assert_string_equal(written(report_html_escape, "x\xe2\x80"),
	    "x\xef\xbf\xbd\xef\xbf\xbd");
}

static void
csv_field(void **state)
{
	(void)state;
	assert_string_equal(written(report_csv_field, "plain"), "plain");
	assert_string_equal(written(report_csv_field, "a,b"), "\"a,b\"");
	assert_string_equal(written(report_csv_field, "say \"hi\""),
	    "\"say \"\"hi\"\"\"");
	assert_string_equal(written(report_csv_field, "two\r\nlines"),
	    "\"two\r\nlines\"");
	/* Formula injection: a leading apostrophe, inside the quotes. */
	assert_string_equal(written(report_csv_field, "=cmd|calc!A0"),
	    "'=cmd|calc!A0");
	assert_string_equal(written(report_csv_field, "+1"), "'+1");
	assert_string_equal(written(report_csv_field, "-1"), "'-1");
	assert_string_equal(written(report_csv_field, "@SUM(A1)"), "'@SUM(A1)");
	assert_string_equal(written(report_csv_field,
	    "=HYPERLINK(\"http://x\",\"y\")"),
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_string_equal(written(report_csv_field, ""), "");
}

static void
md_escape(void **state)
{
	(void)state;
	assert_string_equal(written(report_md_escape,
	    "<script>alert(1)</script>"),
	    "\\<script\\>alert(1)\\</script\\>");
	assert_string_equal(written(report_md_escape, "[a](http://x) |b|"),
	    "\\[a\\](http://x) \\|b\\|");
	assert_string_equal(written(report_md_escape, "a\nb\tc"), "a b c");
	assert_string_equal(written(report_md_escape, "*_`!&~"),
	    "\\*\\_\\`\\!\\&\\~");
}

static void
weeks(void **state)
{
	struct report_period p;

	(void)state;
	assert_int_equal(report_period_week("2026-W49", &p), 0);
	assert_string_equal(p.from, "2026-11-30");
	assert_string_equal(p.to, "2026-12-06");
	assert_string_equal(p.prev_from, "2026-11-23");
	assert_string_equal(p.prev_to, "2026-11-29");
	assert_string_equal(p.label, "2026-W49");
	assert_int_equal(p.days, 7);
	/* Week 1 of 2026 starts in 2025; 2020 had 53 weeks, 2021 not. */
	assert_int_equal(report_period_week("2026-W01", &p), 0);
	assert_string_equal(p.from, "2025-12-29");
	assert_int_equal(report_period_week("2020-W53", &p), 0);
	assert_string_equal(p.from, "2020-12-28");
	assert_string_equal(p.to, "2021-01-03");
	assert_int_equal(report_period_week("2021-W53", &p), -EINVAL);
	assert_int_equal(report_period_week("2026-W00", &p), -EINVAL);
	assert_int_equal(report_period_week("2026-49", &p), -EINVAL);
	assert_int_equal(report_period_week("2026-W4x", &p), -EINVAL);
	/* 2026-12-06T10:00Z is a Sunday: the last complete week is W48. */
	assert_int_equal(report_period_last_week(1796551200, &p), 0);
	assert_string_equal(p.label, "2026-W48");
	/* Monday 2026-12-07T00:00Z: W49 has just ended. */
	assert_int_equal(report_period_last_week(1796601600, &p), 0);
	assert_string_equal(p.label, "2026-W49");
	/* New Year: 2026 has 53 weeks; W53 ends on Sunday 2027-01-03. */
	assert_int_equal(report_period_last_week(1798934400, &p), 0);
	assert_string_equal(p.label, "2026-W52");
	assert_int_equal(report_period_last_week(1799020800, &p), 0);
	assert_string_equal(p.label, "2026-W53");
	assert_string_equal(p.to, "2027-01-03");
}

static void
ranges(void **state)
{
	struct report_period p;

	(void)state;
	assert_int_equal(report_period_range("2026-12-01", "2026-12-09", &p), 0);
	assert_int_equal(p.days, 9);
	assert_string_equal(p.prev_from, "2026-11-22");
	assert_string_equal(p.prev_to, "2026-11-30");
	assert_string_equal(p.label, "2026-12-01 to 2026-12-09");
	/* A range that is one ISO week is labelled as one. */
	assert_int_equal(report_period_range("2026-11-30", "2026-12-06", &p), 0);
	assert_string_equal(p.label, "2026-W49");
	assert_int_equal(report_period_range("2024-02-29", "2024-02-29", &p), 0);
	assert_int_equal(report_period_range("2026-02-29", "2026-03-01", &p),
	    -EINVAL);
	assert_int_equal(report_period_range("2026-12-09", "2026-12-01", &p),
	    -EINVAL);
	assert_int_equal(report_period_range("2026-1-01", "2026-12-01", &p),
	    -EINVAL);
	assert_int_equal(report_period_range("1970-01-01", "2070-12-31", &p),
	    -EINVAL);
}

static void
model_tables(void **state)
{
	struct summary_model *m = summary_new();
	struct summary_traffic t = { 2, 100, 50 };
	struct summary_route_key k = { "TikTok", "www.tiktok.com", "US", 64500,
	    "-", "CN" };
	struct summary_row row;

	(void)state;
	assert_non_null(m);
	assert_int_equal(summary_add_route(m, &k, "Example US Net", &t), 0);
	assert_int_equal(summary_add_route(m, &k, "ignored label", &t), 0);
	k.asn = 64501;
	assert_int_equal(summary_add_route(m, &k, NULL, &t), 0);
	assert_int_equal(summary_rows(m, SUMMARY_ROUTES), 2);
	assert_int_equal(summary_row_get(m, SUMMARY_ROUTES, 0, &row), 0);
	assert_string_equal(row.str[1], "www.tiktok.com");
	assert_int_equal(row.num[3], 64500);
	assert_string_equal(row.str[6], "Example US Net");
	assert_int_equal(row.t.flows, 4);
	assert_int_equal(summary_row_get(m, SUMMARY_ROUTES, 2, &row), -EINVAL);
	assert_int_equal(summary_add_device(m, "phone", "TikTok", "US", &t), 0);
	assert_int_equal(summary_add_device(m, "phone", NULL, "US", &t),
	    -EINVAL);
	assert_int_equal(summary_rows(m, SUMMARY_DEVICES), 1);
	/* Report tables are not printed by the summary. */
	{
		char buf[8192];
		FILE *fp = fmemopen(buf, sizeof(buf), "w");

		summary_print_json(m, fp, 20);
		fclose(fp);
		assert_null(strstr(buf, "routes"));
		assert_null(strstr(buf, "www.tiktok.com"));
	}
	summary_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_escape),
		cmocka_unit_test(csv_field),
		cmocka_unit_test(md_escape),
		cmocka_unit_test(weeks),
		cmocka_unit_test(ranges),
		cmocka_unit_test(model_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
