/*
 * store.h - the SQLite store: an output that keeps per-day aggregates,
 * findings, coverage and the GeoIP data in force in one file, and the
 * read API the report uses.  The schema is described in docs/store.md.
 *
 * Days are UTC calendar days written "YYYY-MM-DD".  The store receives
 * redacted records only (record.h), so it holds nothing the event stream
 * would not print.
 */
#ifndef OUTFLOW_STORE_H
#define OUTFLOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* The schema version this outflow writes and reads (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

#define STORE_DAY_TEXT 11		/* "2026-12-05" and a NUL */

struct store_options {
	uint32_t interval_s;	/* capture time per batch (1-3600, default 5) */
	uint32_t retention_days; /* days kept (1-36500, default 400) */
	uint64_t max_bytes;	/* size cap of the live data, default 1 GiB */
	uint32_t retry_s;	/* wall seconds between retries (default 5) */
	/* Reading capture files: a batch is an interval of wall time, not
	 * of capture time, which jumps between files (default false). */
	bool from_files;
};

/* The defaults above. */
void store_options_defaults(struct store_options *o);

struct store;

/*
 * Open (creating it, mode 0640) and upgrade the store at path for
 * writing, and start its writer thread.  Fails, with a sentence in err,
 * when another writer holds the store, when the store is newer than this
 * outflow, or when it cannot be opened.  Returns 0 or a negative errno.
 */
int store_open(const char *path, const struct store_options *opt,
    struct store **ret, char *err, size_t errlen);

/* The output on the output interface; ctx is a struct store. */
extern const struct output_ops store_output_ops;

/* What the writer did so far (for tests and the log). */
struct store_counters {
	uint64_t batches;		/* transactions committed */
	uint64_t write_errors;		/* failed attempts (disk full, locked) */
	uint64_t rows_dropped;		/* over the in-memory row cap */
	uint64_t days_expired;		/* dropped for retention */
	uint64_t days_dropped_size;	/* dropped for the size cap */
};

void store_get_counters(struct store *s, struct store_counters *ret);

/* --- Reading (the report) --- */

struct store_reader;

/*
 * Open a store read-only.  Refuses a store of another schema version
 * with a sentence in err.  Returns 0 or a negative errno.
 */
int store_open_readonly(const char *path, struct store_reader **ret,
    char *err, size_t errlen);

struct store_reader *store_reader_close(struct store_reader *r);

/* One row of traffic_day, or of data_day (category non-empty). */
struct store_flow_row {
	const char *day;
	const char *device;
	const char *app;		/* app id, "" unattributed */
	const char *app_name;
	const char *destination;	/* server name, or address */
	const char *country;		/* ISO code, "local", "" unknown */
	uint32_t asn;
	const char *operator_name;
	const char *operator_jurisdiction;
	const char *vendor_jurisdiction;
	const char *category;		/* data_day only, else "" */
	const char *permission;		/* data_day only, else "" */
	uint64_t flows, flows_encrypted, packets;
	uint64_t bytes_sent, bytes_received, bytes_encrypted;
};

struct store_finding_row {
	const char *day;
	const char *rule_id;
	const char *device;
	const char *app;
	const char *destination;
	const char *ruleset;
	const char *title;
	int severity;			/* enum severity */
	const char *jurisdiction_by;
	const char *jurisdiction;
	const char *categories;		/* comma-separated */
	uint64_t first_us, last_us;
	uint64_t count;
	const char *evidence_category;
	const char *evidence_where;
	const char *evidence_location;
	const char *evidence_masked;
	const char *evidence_hmac;
};

struct store_coverage_row {
	const char *day;
	uint64_t packets, bytes, flows, flows_encrypted;
	uint64_t bytes_encrypted, bytes_not_inspected;
	uint64_t malformed;		/* packets malformed or truncated */
	uint64_t flows_evicted;		/* cut short by a full flow table */
};

struct store_geoip_row {
	const char *country_desc;
	const char *attribution;
	const char *first_day, *last_day;
};

/* Callbacks get rows valid for the call; a non-zero return stops. */
typedef int store_flow_cb(const struct store_flow_row *r, void *ctx);
typedef int store_finding_cb(const struct store_finding_row *r, void *ctx);
typedef int store_coverage_cb(const struct store_coverage_row *r, void *ctx);
typedef int store_geoip_cb(const struct store_geoip_row *r, void *ctx);

/*
 * Rows of the days from..to (inclusive, "YYYY-MM-DD"), in key order.
 * data false: traffic_day; true: data_day.  Each returns 0, the
 * callback's non-zero value, or a negative errno.
 */
int store_read_flows(struct store_reader *r, bool data, const char *from,
    const char *to, store_flow_cb *cb, void *ctx);
int store_read_findings(struct store_reader *r, const char *from,
    const char *to, store_finding_cb *cb, void *ctx);
int store_read_coverage(struct store_reader *r, const char *from,
    const char *to, store_coverage_cb *cb, void *ctx);
/* The GeoIP data in force on any day of from..to. */
int store_read_geoip(struct store_reader *r, const char *from,
    const char *to, store_geoip_cb *cb, void *ctx);

/* The last error of r, for messages. */
const char *store_reader_error(const struct store_reader *r);

#endif
