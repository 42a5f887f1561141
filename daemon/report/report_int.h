/*
 * report_int.h - what the report's format writers share: the report
 * itself and helpers over its tables.  Private to daemon/report/.
 *
 * Every string in here that came from the network (server names,
 * operator and device names, app names from DHCP, evidence locations)
 * is raw text: each writer escapes it for its format on the way out.
 */
#ifndef OUTFLOW_REPORT_INT_H
#define OUTFLOW_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "summary.h"

/* The app label of unattributed traffic. */
#define REPORT_UNATTRIBUTED "(unattributed)"

/* A stored finding row, copied (strings in one block, mem). */
struct report_finding {
	const char *day, *rule_id, *device, *app, *destination, *ruleset;
	const char *title, *jurisdiction_by, *jurisdiction, *categories;
	const char *ev_category, *ev_where, *ev_location, *ev_masked;
	const char *ev_hmac;
	int severity;
	uint64_t first_us, last_us, count;
	char *mem;
};

/* One day's coverage, summed over the stores. */
struct report_coverage {
	char day[STORE_DAY_TEXT];
	uint64_t packets, bytes, flows, flows_encrypted;
	uint64_t bytes_encrypted, bytes_not_inspected, malformed;
	uint64_t flows_evicted;
};

struct report_geoip {
	char *country_desc, *attribution, *first_day, *last_day;
};

/* A list of strings borrowed from a model. */
struct report_list {
	const char **v;
	size_t n, cap;
};

struct report {
	struct report_period period;
	struct summary_model *cur;	/* the period */
	struct summary_model *prev;	/* the period before, for "new" */
	struct report_finding *findings;
	size_t n_findings, cap_findings;
	struct report_coverage *cov;	/* sorted by day */
	size_t n_cov, cap_cov;
	struct report_coverage cov_total;	/* day "" */
	struct report_geoip *geo;
	size_t n_geo, cap_geo;
	unsigned stores;
	uint64_t flows, flows_encrypted, bytes_sent, bytes_received;
	uint64_t bytes_encrypted, prev_flows;
	uint64_t findings_by_severity[SEVERITY__COUNT];
	/* After report_finish(). */
	struct report_list new_apps, new_destinations, new_countries;
	struct report_list new_categories;
	struct report_list apps;	/* app labels, busiest first */
	struct report_list devices;	/* busiest first */
	struct report_list categories;	/* data categories seen */
	size_t apps_with_data;		/* apps that sent personal data */
	char headline[512];
};

/* 1234567 as "1,234,567"; returns buf. */
const char *report_count(uint64_t v, char *buf, size_t size);
/* A share in percent of total, 0 when total is 0. */
double report_share(uint64_t part, uint64_t total);
/* The jurisdiction a data row is shown under: the operator's, else the
 * location's country, else "unknown". */
const char *report_data_jurisdiction(const struct summary_row *row);
/* Traffic of app label across the route table. */
void report_app_traffic(const struct report *r, const char *app,
    struct summary_traffic *ret);
/* Distinct values of one string cell of the rows of table t whose cell
 * key_cell equals key (key NULL: every row), first-seen order. */
int report_distinct(const struct summary_model *m, enum summary_table t,
    int key_cell, const char *key, int cell, struct report_list *ret);
void report_list_free(struct report_list *l);
/* "CN" -> "CN", "local" -> "local network", "" -> "unknown". */
const char *report_country_text(const char *c);
/* The model's "-" (unknown) as "" for CSV and JSON; s otherwise. */
const char *report_blank(const char *s);
/* A severity's word, "info" .. "critical". */
const char *report_severity(int s);

/* The writers, one per file. */
int report_write_html(const struct report *r, FILE *fp);
int report_write_markdown(const struct report *r, FILE *fp);
int report_write_json(const struct report *r, FILE *fp);
int report_write_csv(const struct report *r, bool findings, FILE *fp);

/*
 * Escape s for HTML text and for double-quoted attribute values alike:
 * & < > " ' as entities, control bytes (other than tab) and invalid
 * UTF-8 as U+FFFD, so no network string can open a tag, close an
 * attribute or hide text.  Writes to fp.
 */
void report_html_escape(FILE *fp, const char *s);
/* s as one RFC 4180 field: quoted when it holds , " CR or LF, quotes
 * doubled; a cell starting with = + - @ tab or CR gets a leading
 * apostrophe so that spreadsheets do not run it as a formula. */
void report_csv_field(FILE *fp, const char *s);
/* s for Markdown text or a table cell: punctuation backslash-escaped,
 * control bytes and newlines as spaces. */
void report_md_escape(FILE *fp, const char *s);

#endif
