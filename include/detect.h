/*
 * detect.h - personal-data detection stage: runs the detectors (pii.h)
 * over what flows send, keeps a bounded per-flow summary (categories,
 * matched identity labels) and hands each distinct observation to the
 * outputs.  Only redacted evidence ever leaves this stage, unless the lab
 * configured raw evidence.
 */
#ifndef OUTFLOW_DETECT_H
#define OUTFLOW_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "pii.h"

struct http_request;

#define FLOW_DATA_MAX_CATEGORIES 16
#define FLOW_DATA_MAX_IDENTITIES 8
#define FLOW_DATA_MAX_SEEN 32	/* distinct observations remembered per flow */

/*
 * What one flow was seen sending.  Owned by this stage: allocated when a
 * flow first sends something, freed by detect_flow_end().  Labels and
 * permissions point into strings this stage interns for the life of the
 * pipeline, not into the engine, so a flow outlives the configuration it
 * started under (a reload swaps rules while flows are open).
 */
struct flow_data {
	struct pii_flow_budget budget;
	const char *categories[FLOW_DATA_MAX_CATEGORIES];	/* static strings */
	const char *permissions[FLOW_DATA_MAX_CATEGORIES];	/* Android, per
							 * category, or NULL */
	uint8_t n_categories;
	const char *identities[FLOW_DATA_MAX_IDENTITIES];
	uint8_t n_identities;
	uint64_t seen[FLOW_DATA_MAX_SEEN];	/* hashes of reported observations */
	uint8_t n_seen;
	bool dns_name_sensitive;	/* a DNS name on this flow carried data */
	bool server_name_sensitive;	/* so did its SNI */
	uint32_t observations;		/* distinct, reported */
	uint32_t repeats;		/* seen again on the flow, not reported */
};

/** Called for each distinct observation on a flow. */
typedef void detect_obs_cb(struct flow *f, const struct pii_obs *o,
    uint64_t ts_us, void *ctx);

struct detect;

/**
 * The detection stage of one pipeline over a loaded engine (held by the
 * configuration, see conf.h, and only read): the stage keeps its own
 * scanner (scratch and counters).  Observations go to on_obs.  NULL on
 * allocation failure.
 */
struct detect *detect_new(const struct pii_engine *pii, detect_obs_cb *on_obs,
    void *ctx);
struct detect *detect_free(struct detect *d);

/**
 * Scan with another engine from now on (a new configuration).  Returns 0,
 * or -ENOMEM with the engine in use unchanged; switching back to an
 * engine used before does not fail.
 */
int detect_set_engine(struct detect *d, const struct pii_engine *pii);

/** The scanner's counters: every scan of this stage, over all engines. */
void detect_pii_stats(const struct detect *d, struct pii_stats *ret);

/*
 * Home from night-time coordinates: (device, cell) entries held, of at
 * most DETECT_HOME_MAX_CELLS, and night sightings dropped when full.
 */
#define DETECT_HOME_MAX_CELLS 4096
struct detect_home_stats {
	uint64_t cells, max_cells, dropped;
};
void detect_home_stats(const struct detect *d, struct detect_home_stats *ret);

/** Scan one HTTP request of flow f. */
void detect_http(struct detect *d, struct flow *f,
    const struct http_request *req, uint64_t ts_us);

/** Scan a DNS query name the client of f asked for. */
void detect_dns_query(struct detect *d, struct flow *f, const char *qname,
    uint64_t ts_us);

/**
 * Scan the server name of f (TLS or QUIC SNI: source "sni") like a DNS
 * name, and report what it carries.  A Host header is scanned with the
 * request's other headers.
 */
void detect_server_name(struct detect *d, struct flow *f, const char *name,
    const char *source, uint64_t ts_us);

/**
 * Whether a DNS or server name carries personal data (to redact it in
 * outputs).  Safe to call while observations are being reported.
 */
bool detect_dns_name_sensitive(struct detect *d, const char *qname);

/**
 * Mask in place every known value and e-mail address in the n bytes at
 * text (pii_mask_text()); d may be NULL.  Returns whether any was.
 */
bool detect_mask_text(const struct detect *d, char *text, size_t n);

/** The flow's summary, NULL if nothing was seen. */
const struct flow_data *detect_flow_data(const struct flow *f);

/** The flow ended and its records were written: free its summary. */
void detect_flow_end(struct flow *f);

#endif
