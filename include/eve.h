/*
 * eve.h - the JSON-lines event stream (output stage).
 *
 * One JSON object per line, nested as Elastic Common Schema documents
 * are written ({"source":{"ip":...}}), with event.dataset naming the
 * kind: outflow.flow, outflow.dns, outflow.http.  Our own fields sit
 * under "outflow".  The schema is documented in docs/events.md.
 */
#ifndef OUTFLOW_EVE_H
#define OUTFLOW_EVE_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

struct dns_msg;
struct http_request;
struct eve;

/** Open path for appending ("-": stdout). */
int eve_open(const char *path, struct eve **ret, char *err, size_t errlen);
/** Flush and close; NULL-safe.  Returns NULL. */
struct eve *eve_close(struct eve *e);
/** Write errors so far (disk full...): counted, capture goes on. */
uint64_t eve_write_errors(const struct eve *e);
uint64_t eve_events(const struct eve *e);

/**
 * Redaction of request data that can carry personal data (on unless the
 * lab configured raw evidence): url.query keeps its keys with values
 * masked, url.original is left out, path segments that look like
 * identifiers are masked, the Referer loses its query.
 */
void eve_set_redact(struct eve *e, bool redact);

/** outflow.flow: a flow that ended. */
void eve_flow(struct eve *e, const struct flow_record *r);

/**
 * outflow.dns: a DNS response seen on flow f (dir: who sent it).
 * sensitive: the question carries personal data, so names are masked.
 */
void eve_dns(struct eve *e, const struct flow *f, int dir,
    const struct dns_msg *msg, bool sensitive, uint64_t ts_us);

struct pii_obs;

/** outflow.observation: personal data seen on flow f. */
void eve_observation(struct eve *e, const struct flow *f,
    const struct pii_obs *o, uint64_t ts_us);

/** outflow.http: one HTTP request on flow f. */
void eve_http(struct eve *e, const struct flow *f,
    const struct http_request *req, uint64_t ts_us);

#endif
