/*
 * summary.h - the summary `outflow audit` prints (output stage).
 *
 * A summary model holds the run's totals and one table per aggregate:
 * server names, apps, destination countries, operators and personal
 * data.  Each table is a list of rows with typed key fields (strings
 * copied into the row, the ASN as a number) and traffic counters; adding
 * a row whose key is already present sums the counters.  The model is
 * filled from live flows (summary_flow()) or directly, row by row (the
 * summary_add_*() functions, for reports built from stored rows), and
 * printed as text or as one JSON object from the same rows.
 *
 * Nothing is silently merged: a key that does not fit (a string over
 * SUMMARY_STR_MAX bytes) or a row beyond SUMMARY_MAX_KEYS is summed under
 * the table's "(other)" counters, and the text summary says how many
 * flows went there and why.
 */
#ifndef OUTFLOW_SUMMARY_H
#define OUTFLOW_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "record.h"

struct summary_model;

/* Rows kept per table; flows beyond are summed under "(other)". */
#define SUMMARY_MAX_KEYS 16384
/*
 * Bytes kept of one string field.  A longer key field puts the row in
 * "(other)" (cutting it could merge it with another row); a longer label
 * (app name, operator, permission: not part of the key) is cut.  Server
 * names are at most 255 bytes (APPLAYER_NAME_MAX, DNS_CACHE_NAME_MAX).
 */
#define SUMMARY_STR_MAX 255

/** Traffic summed into a row. */
struct summary_traffic {
	uint64_t flows;
	uint64_t bytes_out;	/* client to server */
	uint64_t bytes_in;
};

/** Key of a personal-data row: who sent which category where. */
struct summary_data_key {
	const char *app;		/* app name, else server name */
	const char *category;
	const char *destination;	/* server name or address */
	const char *country;		/* "local", ISO code or "-" */
	const char *operator_jur;	/* ISO code or "-" */
	const char *vendor_jur;
};

/** A finding row: findings of one rule with the same sentence merge. */
struct summary_finding {
	enum severity severity;
	const char *rule_id;
	const char *ruleset;
	const char *title;		/* filled in; cut at SUMMARY_STR_MAX */
	const char *app;		/* app name, NULL: unknown */
	const char *device;
	const char *destination;	/* operator, else server name */
};

/*
 * The tables, in the order a report reads them.  Cells of a row, as
 * summary_row_get() returns them (str, or num for a number):
 *   SUMMARY_SERVERS   0 name, 1 protocol
 *   SUMMARY_APPS      0 app id, 1 app name (label)
 *   SUMMARY_COUNTRIES 0 country
 *   SUMMARY_OPERATORS num[0] ASN, 1 operator name (label)
 *   SUMMARY_DATA      the summary_data_key in order, 6 permission (label)
 *   SUMMARY_FINDINGS  0 severity digit, 1 rule, 2 app, 3 device, 4 title,
 *                     5 destination, 6 ruleset; t.flows counts findings
 *   SUMMARY_ROUTES    the summary_route_key in order (num[3] ASN),
 *                     6 operator name (label)
 *   SUMMARY_DEVICES   0 device, 1 app, 2 country
 * The summary prints the first six; the last two are filled only by
 * summary_add_route() and summary_add_device(), for the report.
 */
enum summary_table {
	SUMMARY_SERVERS, SUMMARY_APPS, SUMMARY_COUNTRIES, SUMMARY_OPERATORS,
	SUMMARY_DATA, SUMMARY_FINDINGS, SUMMARY_ROUTES, SUMMARY_DEVICES,
	SUMMARY_TABLES
};

#define SUMMARY_MAX_CELLS 7

/** A row as read back: valid until the model is changed or freed. */
struct summary_row {
	const char *str[SUMMARY_MAX_CELLS];	/* "" for a number cell */
	uint64_t num[SUMMARY_MAX_CELLS];
	struct summary_traffic t;
};

/** Key of a route row: where an app's traffic went. */
struct summary_route_key {
	const char *app;		/* app name, "(unattributed)" */
	const char *destination;	/* server name or address */
	const char *country;		/* "local", ISO code or "-" */
	uint32_t asn;			/* 0 unknown */
	const char *operator_jur;	/* ISO code or "-" */
	const char *vendor_jur;
};

/** b bytes as people read them: "812 B", "20.0 KiB", "1.5 GiB"; buf. */
const char *summary_bytes(uint64_t b, char *buf, size_t size);

/** An empty model; NULL when out of memory. */
struct summary_model *summary_new(void);
/** Free the model and its rows; accepts NULL, returns NULL. */
struct summary_model *summary_free(struct summary_model *m);

/** Account one ended flow in every table it belongs to. */
void summary_flow(struct summary_model *m, const struct flow_record *r);
/** Count a finding (a row of the findings table). */
void summary_finding(struct summary_model *m, const struct finding_record *fr);
/** Add count findings (t->flows) to a findings row. */
int summary_add_finding(struct summary_model *m, const struct summary_finding *f,
    const struct summary_traffic *t);

/*
 * Add traffic to the row with this key, creating it; key strings must
 * not be NULL.  A label (the name shown next to the key) is copied when
 * the row is created and kept after, and may be NULL.  Returns 0;
 * -EINVAL for a NULL key string; -E2BIG for a key string over
 * SUMMARY_STR_MAX bytes, -ENOSPC when the table already holds
 * SUMMARY_MAX_KEYS rows, -ENOMEM: in these three cases the traffic is
 * summed under "(other)" so the table still adds up.
 */
int summary_add_server(struct summary_model *m, const char *name,
    const char *protocol, const struct summary_traffic *t);
int summary_add_app(struct summary_model *m, const char *app_id,
    const char *app_name, const struct summary_traffic *t);
int summary_add_country(struct summary_model *m, const char *country,
    const struct summary_traffic *t);
int summary_add_operator(struct summary_model *m, uint32_t asn,
    const char *operator_name, const struct summary_traffic *t);
int summary_add_data(struct summary_model *m, const struct summary_data_key *k,
    const char *permission, const struct summary_traffic *t);
/* Report-only tables (see enum summary_table); same returns as above. */
int summary_add_route(struct summary_model *m, const struct summary_route_key *k,
    const char *operator_name, const struct summary_traffic *t);
int summary_add_device(struct summary_model *m, const char *device,
    const char *app, const char *country, const struct summary_traffic *t);

/** Rows in table t, in stored order (see summary_sort()). */
size_t summary_rows(const struct summary_model *m, enum summary_table t);
/** Row i of table t; 0, or -EINVAL out of range. */
int summary_row_get(const struct summary_model *m, enum summary_table t,
    size_t i, struct summary_row *ret);
/** What table t summed under "(other)". */
void summary_other(const struct summary_model *m, enum summary_table t,
    struct summary_traffic *ret);

/*
 * Set the run's totals.  The struct is copied; the counter arrays and
 * strings it points to are borrowed and must outlive the printing.
 */
void summary_set_totals(struct summary_model *m, const struct run_stats *t);

/*
 * Sort every table busiest first (bytes, then flows, then key).  The
 * printers show rows in stored order, so call this before them unless
 * the rows were added already in order.  Adding rows after is fine.
 */
void summary_sort(struct summary_model *m);

/** Print the readable summary; top = rows per table. */
void summary_print_text(const struct summary_model *m, FILE *fp,
    unsigned top);
/** Print the summary as one JSON object and a newline. */
void summary_print_json(const struct summary_model *m, FILE *fp,
    unsigned top);

#endif
