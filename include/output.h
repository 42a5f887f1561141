/*
 * output.h - the one interface every output implements (event stream
 * to a file or to syslog, summary, store).
 *
 * The pipeline keeps a list of outputs and hands each of them the same
 * records (record.h), already redacted, and at the end of a run the run's
 * statistics.  An output never reaches into flows or app-layer state, so
 * adding one cannot leak what the others mask.
 */
#ifndef OUTFLOW_OUTPUT_H
#define OUTFLOW_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* A (name, value) counter: decode outcomes, app-layer counters... */
struct run_counter {
	const char *name;
	uint64_t value;
};

/*
 * What one run saw, handed to outputs when it ends (final) and, for a
 * daemon, at intervals and on request while it runs (not final).
 */
struct run_stats {
	bool final;			/* the run ended: the last statistics */
	uint64_t at_us;			/* when they were taken */
	unsigned files;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_us, last_us;
	uint64_t flows;
	uint64_t flows_ended[FLOW_END__COUNT];
	uint32_t peak_flows, max_flows;
	uint32_t active_flows;
	/* Live capture only (the command's captures, summed): */
	bool live;
	uint64_t capture_received;	/* handed to the pipeline */
	uint64_t capture_kernel_drops;	/* libpcap: dropped by the kernel */
	uint64_t capture_if_drops;	/* libpcap: dropped by the interface */
	uint64_t events;		/* written by the event outputs */
	uint64_t event_write_errors;
	const struct run_counter *decode;	/* every decode outcome */
	size_t n_decode;
	const struct run_counter *anomalies;	/* tolerated, packet used */
	size_t n_anomalies;
	const struct run_counter *applayer;
	size_t n_applayer;
	const char *geoip_country_desc;		/* NULL when not in use */
	const char *geoip_attribution;
	size_t apps_loaded;
	bool pii_enabled;
	size_t pii_identities;
	uint64_t pii_observations;
	uint64_t pii_bytes_scanned;
	uint64_t pii_bytes_cut;
	uint64_t pii_home_cells;	/* (device, cell) night counts held */
	uint64_t pii_home_dropped;	/* night sightings past the cap */
	bool raw_evidence;		/* flagged: raw values are in the events */
	size_t policy_rules;		/* rules in force, 0: none */
	uint64_t findings;
	uint64_t policy_evaluations;	/* (flow, moment) pairs judged */
	uint64_t policy_rules_tried;	/* rules whose condition was tested */
	uint64_t policy_state_failed;	/* a flow's rule state lost (memory,
					 * or more rules fired than kept) */
};

struct output_ops {
	const char *name;
	/*
	 * Each may be NULL: the output does not want that record.  flow
	 * gets ended flows and, from a daemon, interim records of open ones
	 * (r->ended false).
	 */
	void (*flow)(void *ctx, const struct flow_record *r);
	void (*observation)(void *ctx, const struct obs_record *r);
	void (*dns)(void *ctx, const struct dns_record *r);
	void (*http)(void *ctx, const struct http_record *r);
	void (*finding)(void *ctx, const struct finding_record *r);
	/*
	 * Write out what is buffered: called at least once a second on a
	 * live capture, and before the run's statistics are gathered.
	 */
	void (*flush)(void *ctx);
	/*
	 * The run is ending, before its last statistics: deliver what is
	 * queued, waiting a bounded time at most (a collector over TCP).
	 */
	void (*finish)(void *ctx);
	/* The run ended, or statistics were asked for (s->final says). */
	void (*stats)(void *ctx, const struct run_stats *s);
	/* Events written and lost so far, for the run's statistics. */
	void (*counts)(const void *ctx, uint64_t *ret_written,
	    uint64_t *ret_errors);
	/*
	 * 0, or the negative errno of the first write that failed (or
	 * -ENOMEM for output dropped for want of memory): this output lost
	 * data, and the run must not pass for complete.
	 */
	int (*write_error)(const void *ctx);
	/* Flush and free; NULL-safe on ctx. */
	void (*close)(void *ctx);
};

struct output {
	const struct output_ops *ops;
	void *ctx;
};

#endif
