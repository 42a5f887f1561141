/*
 * summary.h - the summary `outflow audit` prints (output stage).
 *
 * Aggregates ended flows by server name, app, destination country and
 * operator in bounded tables, and prints them with the pipeline's
 * counters as text or as one JSON object.
 */
#ifndef OUTFLOW_SUMMARY_H
#define OUTFLOW_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"

struct summary;

/* Keys kept per table; flows beyond are summed under "(other)". */
#define SUMMARY_MAX_KEYS 16384

struct summary *summary_new(void);
struct summary *summary_free(struct summary *a);

/** Account one ended flow. */
void summary_flow(struct summary *a, const struct flow_record *r);

/** A (name, value) counter list for the summary: decode, app layer... */
struct summary_counter {
	const char *name;
	uint64_t value;
};

struct summary_totals {
	unsigned files;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_us, last_us;
	uint64_t flows;
	uint64_t flows_ended[4];	/* by enum flow_end_reason */
	uint32_t peak_flows, max_flows;
	uint64_t events;
	uint64_t event_write_errors;
	const struct summary_counter *decode;	/* every decode outcome */
	size_t n_decode;
	const struct summary_counter *anomalies;	/* tolerated, packet used */
	size_t n_anomalies;
	const struct summary_counter *applayer;
	size_t n_applayer;
	const char *geoip_country_desc;		/* NULL when not in use */
	const char *geoip_asn_desc;
	const char *geoip_attribution;
	size_t apps_loaded;
	bool pii_enabled;
	size_t pii_identities;
	uint64_t pii_observations;
	uint64_t pii_bytes_scanned;
	uint64_t pii_bytes_cut;
	bool raw_evidence;		/* flagged: raw values are in the events */
};

/** Print the readable summary; top = rows per table. */
void summary_print_text(const struct summary *a, const struct summary_totals *t,
    FILE *fp, unsigned top);
/** Print the summary as one JSON object and a newline. */
void summary_print_json(const struct summary *a, const struct summary_totals *t,
    FILE *fp, unsigned top);

#endif
