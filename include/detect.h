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

/* What one flow was seen sending. */
struct flow_data {
	struct pii_flow_budget budget;
	const char *categories[FLOW_DATA_MAX_CATEGORIES];	/* static strings */
	const char *permissions[FLOW_DATA_MAX_CATEGORIES];	/* Android, per category */
	uint8_t n_categories;
	const char *identities[FLOW_DATA_MAX_IDENTITIES];	/* engine-owned labels */
	uint8_t n_identities;
	uint64_t seen[FLOW_DATA_MAX_SEEN];	/* hashes of reported observations */
	uint8_t n_seen;
	bool dns_name_sensitive;	/* a DNS name on this flow carried data */
	uint32_t observations;		/* distinct, reported */
	uint32_t repeats;		/* seen again on the flow, not reported */
};

/** Called for each distinct observation on a flow. */
typedef void detect_obs_cb(const struct flow *f, const struct pii_obs *o,
    uint64_t ts_us, void *ctx);

struct detect_config {
	const char *rules_path;		/* rules/personal_data.yaml */
	const char *permissions_path;	/* rules/permissions.yaml */
	const char *identities_path;	/* NULL: structural detectors only */
	const char *secret_path;	/* NULL: ephemeral key for this run */
	bool raw_evidence;
	detect_obs_cb *on_obs;
	void *ctx;
};

struct detect;

int detect_new(const struct detect_config *c, struct detect **ret, char *err,
    size_t errlen);
struct detect *detect_free(struct detect *d);

/** Scan one HTTP request of flow f. */
void detect_http(struct detect *d, struct flow *f,
    const struct http_request *req, uint64_t ts_us);

/** Scan a DNS query name the client of f asked for. */
void detect_dns_query(struct detect *d, struct flow *f, const char *qname,
    uint64_t ts_us);

/** Whether a DNS name carries personal data (to redact it in outputs). */
bool detect_dns_name_sensitive(struct detect *d, const char *qname);

/** The flow's summary, NULL if nothing was seen. */
const struct flow_data *detect_flow_data(const struct flow *f);

size_t detect_identity_count(const struct detect *d);
void detect_get_stats(const struct detect *d, struct pii_stats *ret);
bool detect_raw_evidence(const struct detect *d);

#endif
