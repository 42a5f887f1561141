/*
 * eve.h - the JSON-lines event stream (an output, output.h).
 *
 * One JSON object per line, nested as Elastic Common Schema documents
 * are written ({"source":{"ip":...}}), with event.dataset naming the
 * kind: outflow.flow, outflow.observation, outflow.dns, outflow.http and,
 * for a daemon, outflow.stats.
 * Our own fields sit under "outflow".  The schema is documented in
 * docs/events.md.  Records arrive redacted (record.h): this module prints
 * what it is given.
 */
#ifndef OUTFLOW_EVE_H
#define OUTFLOW_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

struct eve_options {
	bool dns;			/* an event per DNS response */
	bool http;			/* an event per HTTP request */
	uint16_t community_id_seed;	/* network.community_id's seed (0) */
	const char *hostname;		/* observer.hostname, NULL: none */
	const char *interface;		/* observer.ingress.interface.name */
					/* (both copied by eve_open()) */
	bool stats;			/* an outflow.stats event per run_stats */
};

/* The ECS release the events follow (ecs.version). */
#define EVE_ECS_VERSION "9.4.0"


struct eve;

/*
 * One event as a sink receives it: the JSON text (without its newline),
 * the dataset that names its kind, its time, and how serious it is on
 * the syslog scale (RFC 5424 severity: findings by their severity,
 * every other event 6, informational).
 */
struct eve_line {
	const char *json;
	size_t len;
	const char *dataset;		/* event.dataset */
	uint64_t ts_us;			/* @timestamp */
	int severity;			/* 0 (emergency) .. 7 (debug) */
};

/*
 * Where events go when not to a file: eve builds each event and hands it
 * over at once.  The sink owns its delivery and counts what it took but
 * could not deliver; eve counts the rest.
 */
struct eve_sink_ops {
	/* Take one event; it is copied if kept.  Never blocks. */
	void (*put)(void *ctx, const struct eve_line *l);
	/* Move what is queued on, never blocking (a live timer calls it). */
	void (*flush)(void *ctx);
	/* The run ends: a last, bounded, chance to deliver what is queued. */
	void (*finish)(void *ctx);
	/* Events taken so far that were, or will be, lost. */
	uint64_t (*lost)(const void *ctx);
	/* Free; NULL-safe. */
	void (*close)(void *ctx);
};

/** Open path for appending ("-": stdout). */
int eve_open(const char *path, const struct eve_options *opt,
    struct eve **ret, char *err, size_t errlen);
/**
 * Events into a sink (sink_ops over sink, owned by the eve from now on,
 * closed with it even when this fails).
 */
int eve_open_sink(const struct eve_sink_ops *sink_ops, void *sink,
    const struct eve_options *opt, struct eve **ret, char *err,
    size_t errlen);
/**
 * Write the events gathered so far (they go out in batches of whole
 * lines) and flush the stream; a live reader's timer calls this.  NULL
 * is a no-op.  0, or -EIO when events were lost (counted as errors).
 */
int eve_flush(struct eve *e);
/**
 * Write what is gathered, close the file and open its path again (after
 * logrotate moved it).  stdout stays.  0, or the -errno of the open with
 * err saying so; then the old file is kept open.
 */
int eve_reopen(struct eve *e, char *err, size_t errlen);

/** Flush and close; NULL-safe.  Returns NULL. */
struct eve *eve_close(struct eve *e);

/** The output's operations; its context is a struct eve. */
extern const struct output_ops eve_output_ops;

#endif
