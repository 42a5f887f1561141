/*
 * applayer.h - per-flow application-layer state and results (stage 4).
 *
 * The app layer recognises DNS, TLS, QUIC and HTTP/1.x on a flow from its
 * first payload bytes, feeds the bounded reassembled streams to the
 * protocol parsers, and keeps their results on the flow for enrichment,
 * detectors and outputs.  State is allocated per flow when the first
 * payload arrives, never per packet, and freed when the flow ends.
 */
#ifndef OUTFLOW_APPLAYER_H
#define OUTFLOW_APPLAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "http.h"
#include "pkt.h"
#include "stream.h"

struct dhcp_msg;
struct dns_msg;
struct quic_state;

enum app_proto {
	APP_PROTO_UNKNOWN = 0,	/* not decided yet */
	APP_PROTO_NONE,		/* nothing we parse */
	APP_PROTO_DNS,
	APP_PROTO_TLS,
	APP_PROTO_QUIC,
	APP_PROTO_HTTP,
	APP_PROTO_DHCP,
};

enum domain_source {
	DOMAIN_SRC_NONE = 0,
	DOMAIN_SRC_SNI,
	DOMAIN_SRC_HTTP_HOST,
	DOMAIN_SRC_DNS,
};

#define APPLAYER_NAME_MAX 256
#define FLOW_MAX_HTTP 4		/* requests kept per flow for detectors */

struct tls_info {
	bool client_seen;
	bool server_seen;
	bool have_cert;
	uint16_t client_max_version;
	uint16_t version;		/* negotiated, from the server */
	uint16_t cipher;
	char sni[APPLAYER_NAME_MAX];
	char alpn[128];
	char ja3[33];
	char ja4[40];
	char cert_subject[256];
	char cert_issuer[256];
	char cert_org[256];
};

/* Counters of app-layer outcomes, summed over all flows. */
#define APPLAYER_COUNTERS(X)						\
	X(dns_messages, "dns.messages")					\
	X(dns_malformed, "dns.malformed")				\
	X(tls_client_hellos, "tls.client_hellos")			\
	X(tls_malformed, "tls.malformed")				\
	X(tls_server_hellos, "tls.server_hellos")			\
	X(quic_initials, "quic.client_hellos")				\
	X(quic_undecryptable, "quic.undecryptable")			\
	X(http_requests, "http.requests")				\
	X(http_malformed, "http.malformed")				\
	X(dhcp_messages, "dhcp.messages")				\
	X(dhcp_malformed, "dhcp.malformed")				\
	X(stream_overflows, "stream.window_full")			\
	X(stream_gaps, "stream.gap_at_end")				\
	X(stream_overlaps, "stream.overlaps")				\
	X(stream_no_memory, "stream.no_memory")

struct applayer_stats {
#define APPLAYER_FIELD(f, s) uint64_t f;
	APPLAYER_COUNTERS(APPLAYER_FIELD)
#undef APPLAYER_FIELD
};

struct flow_app {
	struct stream_dir dir[2];
	uint8_t done[2];		/* nothing more wanted from this direction */
	uint32_t parsed[2];		/* stream bytes consumed by whole messages */
	struct quic_state *quic;
	struct tls_info *tls;
	struct http_request *http;	/* FLOW_MAX_HTTP slots, allocated on first request */
	uint8_t n_http;
	uint32_t http_seen;		/* requests parsed, kept or not */
	char domain[APPLAYER_NAME_MAX];
	enum domain_source domain_src;
	char dns_qname[APPLAYER_NAME_MAX];	/* first question on a DNS flow */
	uint32_t dns_queries;
	uint32_t dns_responses;
};

struct applayer;

/** Callback for every DNS message parsed (responses feed the cache). */
typedef void applayer_dns_cb(const struct flow *f, int dir,
    const struct dns_msg *msg, uint64_t ts_us, void *ctx);
/** Callback for every HTTP request parsed (events, detectors). */
typedef void applayer_http_cb(const struct flow *f,
    const struct http_request *req, uint64_t ts_us, void *ctx);

/** Callback for every DHCP message parsed (device names). */
typedef void applayer_dhcp_cb(const struct dhcp_msg *msg, void *ctx);

struct applayer_config {
	uint32_t stream_cap[2];		/* reassembly window per direction */
	uint32_t max_body;		/* decoded HTTP body kept */
	uint32_t max_stream_bufs;	/* reassembly buffers alive at once */
	applayer_dns_cb *on_dns;
	applayer_http_cb *on_http;
	applayer_dhcp_cb *on_dhcp;
	void *ctx;
};

struct applayer *applayer_new(const struct applayer_config *cfg);
struct applayer *applayer_free(struct applayer *al);

/** Feed one packet of flow f in direction dir. */
void applayer_packet(struct applayer *al, struct flow *f, int dir,
    const struct pkt *p);

/** The flow ends: parse what is buffered with final=true, keep results. */
void applayer_flow_end(struct applayer *al, struct flow *f);

/** Free the flow's app-layer state (after outputs have read it). */
void applayer_flow_free(struct applayer *al, struct flow *f);

const struct applayer_stats *applayer_stats(const struct applayer *al);
/** Emit every counter as (name, value). */
void applayer_stats_foreach(const struct applayer *al,
    void (*cb)(const char *name, uint64_t v, void *ctx), void *ctx);

/** "dns", "tls", "quic", "http", "dhcp" or NULL. */
const char *app_proto_name(enum app_proto p);
/** "sni", "http_host", "dns" or NULL. */
const char *domain_source_name(enum domain_source s);

#endif
