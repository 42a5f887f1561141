/*
 * record_build.h - building and redacting records (record_build.c); private
 * to the pipeline stage, the only one that builds records.
 */
#ifndef OUTFLOW_RECORD_BUILD_H
#define OUTFLOW_RECORD_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

struct detect;
struct dns_msg;
struct http_request;

/*
 * How records are redacted: not at all (the lab's raw evidence), or
 * with the detection stage's matcher (NULL: structural masking only).
 */
struct record_redact {
	bool on;
	struct detect *detect;
};

/**
 * s, or a copy in buf (size bytes) with every known value and e-mail
 * masked when it holds one.  NULL stays NULL; not redacting gives s.
 */
const char *record_redact_text(const struct record_redact *rr, const char *s,
    char *buf, size_t size);

/**
 * The client's MAC as ECS writes it ("3C-22-FB-12-34-56") in buf, with
 * all but the OUI masked when it is a configured value.
 */
const char *record_client_mac(const struct record_redact *rr,
    const uint8_t mac[6], char buf[RECORD_MAC_TEXT]);

/**
 * name, or (sensitive, or the DNS-name scan finds data in it) a copy in
 * buf with every label but the last two masked.
 */
const char *record_redact_name(const struct record_redact *rr,
    const char *name, bool sensitive, char *buf, size_t size);

/** Every label of name but the last two masked ("*.*.example.com"). */
const char *record_mask_dns_name(const char *name, char *buf, size_t size);

/**
 * msg as outputs may see it: itself, or (sensitive and redacting) a copy
 * in scratch with every name masked.
 */
const struct dns_msg *record_dns_msg(const struct dns_msg *msg,
    bool sensitive, bool redact, struct dns_msg *scratch);

/** The view of a flow's first request, masked into b when redacting. */
void record_http_summary(struct http_view *v, const struct http_summary *s,
    const struct record_redact *rr, struct http_view_buf *b);

/** The view of a request just parsed, masked into b when redacting. */
void record_http_request(struct http_view *v, const struct http_request *req,
    const struct record_redact *rr, struct http_view_buf *b);

#endif
