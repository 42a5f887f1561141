/*
 * pipeline.h - wires the stages together for one run: decode, flows,
 * app layer, enrichment, outputs.  Fed packet by packet from any source;
 * all time comes from packet timestamps, so replaying a capture gives what
 * live capture would have given.
 */
#ifndef OUTFLOW_PIPELINE_H
#define OUTFLOW_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "flow.h"

struct pipeline_config {
	uint32_t max_flows;
	struct flow_timeouts timeouts;
	uint32_t stream_cap_client;	/* reassembly window, client to server */
	uint32_t stream_cap_server;
	uint64_t stream_memcap;		/* reassembly buffer bytes at once */
	uint32_t inspect_limit;		/* bytes parsed per direction in all */
	uint32_t max_body;		/* decoded HTTP body kept per request */
	uint32_t dns_cache_entries;
	const char *eve_path;		/* NULL: no event stream */
	bool eve_http;			/* also an event per HTTP request */
	bool eve_dns;			/* an event per DNS response */
	const char *geoip_country;	/* NULL: no country lookups */
	const char *geoip_asn;
	const char *apps_path;		/* NULL: no app attribution */
	const char *jurisdictions_path;
	const char *dhcp_leases;	/* dnsmasq leases file, or NULL */
	const char *const *devices;	/* "MAC=NAME" entries, NULL-terminated */
	uint32_t max_devices;
	bool summary;			/* aggregate for summary_print_* */
	const char *pii_rules;		/* rules/personal_data.yaml; NULL: no detection */
	const char *pii_permissions;	/* rules/permissions.yaml */
	const char *identities;		/* known values (YAML `identities:`) */
	const char *secret;		/* HMAC key file; NULL: ephemeral */
	bool raw_evidence;		/* lab opt-in: raw values in observations */
};

/** Defaults: 131072 flows, 4096 devices, 32/16 KiB windows, 64 KiB bodies. */
void pipeline_config_defaults(struct pipeline_config *c);

struct pipeline;

/** Open outputs and load data files; err says which file failed and why. */
int pipeline_new(const struct pipeline_config *c, struct pipeline **ret,
    char *err, size_t errlen);

/* Packets looked up together (see pipeline_packets()). */
#define PIPELINE_BATCH 32

/** capture_cb: a batch of packets, handled in order. */
void pipeline_packets(const struct capture_packet *cps, unsigned n, int dlt,
    void *ctx);

/** Live capture: expire idle flows at wall-clock time now_us. */
void pipeline_tick(struct pipeline *p, uint64_t now_us);

/** Note that one more input file was read (for the summary). */
void pipeline_file_done(struct pipeline *p);

/** End every flow (end of input) and flush outputs. */
void pipeline_finish(struct pipeline *p);

/** Print the audit summary (text or JSON). */
void pipeline_print_summary(struct pipeline *p, FILE *fp, bool json,
    unsigned top);

struct pipeline *pipeline_free(struct pipeline *p);

/** Packets seen and packets skipped as malformed or truncated. */
void pipeline_packet_counts(const struct pipeline *p, uint64_t *ret_packets,
    uint64_t *ret_errors);

#endif
