/*
 * pipeline.h - wires the stages together for one run: decode, flows,
 * app layer, enrichment, detection, and the outputs registered with it.
 * Fed packet by packet from any source; all time comes from packet
 * timestamps, so replaying a capture gives what live capture would have
 * given.
 *
 * What was loaded from files lives in a configuration (conf.h) that the
 * pipeline holds a reference to; everything that changes while packets
 * flow (flows, streams, caches, outputs) belongs to the pipeline.
 */
#ifndef OUTFLOW_PIPELINE_H
#define OUTFLOW_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "conf.h"
#include "output.h"

struct pipeline;

/**
 * A pipeline over configuration c (the pipeline takes its own reference).
 * err says why it failed.
 */
int pipeline_new(struct conf *c, struct pipeline **ret, char *err,
    size_t errlen);

/**
 * Register an output: from now on it receives every record.  The
 * pipeline owns it from this call on, and closes it on failure too.
 */
int pipeline_add_output(struct pipeline *p, const struct output_ops *ops,
    void *ctx);

/**
 * Use configuration c from the next packet batch on (a reload).  Flows
 * open now keep what they hold; the sizes of tables are those of the
 * first configuration.  The old configuration is dropped once nothing
 * holds it.  0, or an error in err with the old configuration in force.
 */
int pipeline_set_conf(struct pipeline *p, struct conf *c, char *err,
    size_t errlen);

/* Packets looked up together (see pipeline_packets()). */
#define PIPELINE_BATCH 32

/** capture_cb: a batch of packets, handled in order. */
void pipeline_packets(const struct capture_packet *cps, unsigned n, int dlt,
    void *ctx);

/** Live capture: expire idle flows at wall-clock time now_us. */
void pipeline_tick(struct pipeline *p, uint64_t now_us);

/** Let every output write what it buffers (live capture: each second). */
void pipeline_flush(struct pipeline *p);

/** Note that one more input file was read (for the summary). */
void pipeline_file_done(struct pipeline *p);

/**
 * End every flow (end of input), then hand the run's statistics to every
 * output.
 */
void pipeline_finish(struct pipeline *p);

/**
 * Interim records: every open flow that began at least min_age_us before
 * now goes to the outputs as it is (flow_record.ended false), so a flow
 * open for hours is not invisible until it ends.  now_us is the wall
 * clock of a live capture (a quiet link does not stop time); 0 means
 * packet time, the latest packet's, as when reading files.  A daemon
 * calls this every interim interval.
 */
void pipeline_interim(struct pipeline *p, uint64_t now_us,
    uint64_t min_age_us);

/**
 * What the command's live captures counted so far (summed over them),
 * for the statistics (run_stats.capture_*).
 */
void pipeline_set_capture_counts(struct pipeline *p, uint64_t received,
    uint64_t kernel_drops, uint64_t if_drops);

/**
 * Hand the statistics so far to every output (run_stats.final false),
 * taken at wall-clock time now_us: a daemon's periodic and on-demand
 * statistics.
 */
void pipeline_report_stats(struct pipeline *p, uint64_t now_us);

/** Close the outputs and free everything; NULL-safe, returns NULL. */
struct pipeline *pipeline_free(struct pipeline *p);

/**
 * 0, or the first output that lost data (output_ops.write_error):
 * its negative errno, with its name in *ret_name.  Asked after
 * pipeline_finish().
 */
int pipeline_output_error(const struct pipeline *p, const char **ret_name);

/** Packets seen and packets skipped as malformed or truncated. */
void pipeline_packet_counts(const struct pipeline *p, uint64_t *ret_packets,
    uint64_t *ret_errors);

/** Findings made so far, by severity (SEVERITY_*). */
void pipeline_finding_counts(const struct pipeline *p,
    uint64_t ret[SEVERITY__COUNT]);

#endif
