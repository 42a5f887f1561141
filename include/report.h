/*
 * report.h - the weekly report (report stage): the summary model filled
 * from one or more stores, with the findings, coverage and GeoIP rows,
 * written as HTML, Markdown, JSON or CSV.  docs/report.md describes the
 * sections and the JSON and CSV schemas.
 *
 * The report reads only stores (store.h); it never sees a raw personal
 * value because the store never holds one.
 */
#ifndef OUTFLOW_REPORT_H
#define OUTFLOW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

enum report_format {
	REPORT_HTML,
	REPORT_MARKDOWN,
	REPORT_JSON,
	REPORT_CSV_FINDINGS,	/* one row per stored finding row */
	REPORT_CSV_AGGREGATES,	/* one row per app x destination */
};

/* The days a report covers, and the same span just before it. */
struct report_period {
	char from[STORE_DAY_TEXT], to[STORE_DAY_TEXT];
	char prev_from[STORE_DAY_TEXT], prev_to[STORE_DAY_TEXT];
	char label[32];		/* "2026-W49", "2026-12-01 to 2026-12-09" */
	int64_t days;		/* from..to inclusive */
};

/* "2026-W49" as a period (Monday to Sunday); 0 or -EINVAL. */
int report_period_week(const char *week, struct report_period *ret);
/* from..to ("YYYY-MM-DD", to not before from, at most 36600 days). */
int report_period_range(const char *from, const char *to,
    struct report_period *ret);
/* The last complete ISO week before the UTC day holding unix time now. */
int report_period_last_week(int64_t now, struct report_period *ret);

struct report;

/* An empty report of period p; NULL when out of memory. */
struct report *report_new(const struct report_period *p);
struct report *report_free(struct report *r);

/*
 * Add the rows of one store (period and the one before it).  Several
 * stores add up: the same day's traffic of two sensors is summed.
 * Returns 0 or a negative errno, with a sentence in err.
 */
int report_add_store(struct report *r, struct store_reader *s, char *err,
    size_t errlen);

/* Sort the tables and work out the headline and what is new.  Call once
 * after the last report_add_store(). */
int report_finish(struct report *r);

/* The headline, in plain words (after report_finish()). */
const char *report_headline(const struct report *r);

/* Write the report; 0, or -EIO when fp failed. */
int report_write(const struct report *r, enum report_format f, FILE *fp);

#endif
