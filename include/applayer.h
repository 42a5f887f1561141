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
struct policy_flow;
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
	DOMAIN_SRC_CONNECT,	/* the target of an HTTP CONNECT */
	DOMAIN_SRC_SOCKS,	/* the domain of a SOCKS4a or SOCKS5 request */
};

#define APPLAYER_NAME_MAX 256

/*
 * Results are kept compact because one exists per live flow: fixed-size
 * fingerprints inline, names as exact-size strings (NULL when absent).
 */
/* The strings kept of a TLS flow, in tls_info.str[]. */
enum tls_string {
	TLS_STR_SNI,
	TLS_STR_ALPN,		/* all offered, comma-separated */
	TLS_STR_CERT_SUBJECT,
	TLS_STR_CERT_ISSUER,
	TLS_STR_CERT_ORG,
	TLS_STR__COUNT
};

/*
 * One allocation per TLS flow: the fixed fields, then the strings back to
 * back.  str[] holds each string's offset in strings[] plus one, 0 for
 * absent; read them with tls_str().
 */
struct tls_info {
	bool client_seen;
	bool server_seen;
	bool have_cert;
	uint16_t client_max_version;
	uint16_t version;		/* negotiated, from the server */
	uint16_t cipher;
	uint16_t str[TLS_STR__COUNT];
	uint16_t strings_len;
	char ja3[33];			/* "" if no ClientHello */
	char ja4[37];
	char strings[];
};

/** String s of t, NULL if absent. */
static inline const char *
tls_str(const struct tls_info *t, enum tls_string s)
{
	return t->str[s] != 0 ? t->strings + t->str[s] - 1 : NULL;
}

/* The first HTTP request of a flow, for its flow event and attribution. */
struct http_summary {
	const char *method, *target, *path, *query, *host, *user_agent;
	const char *content_type, *content_encoding, *transfer_encoding;
	const char *x_requested_with, *referer;
	uint64_t body_wire_len;
	uint32_t body_len;
	uint8_t body_state;		/* enum http_body_state */
	uint8_t version_minor;
	char strings[];			/* the strings above, back to back */
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
	X(quic_pre_rfc, "quic.pre_rfc_versions")			\
	X(quic_gquic_chlo, "quic.gquic_chlos")				\
	X(proxy_connect, "proxy.connect")				\
	X(proxy_socks4, "proxy.socks4")					\
	X(proxy_socks5, "proxy.socks5")					\
	X(proxy_refused, "proxy.refused")				\
	X(proxy_malformed, "proxy.malformed")				\
	X(proxy_tunnel_other, "proxy.tunnel_not_tls")			\
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

/* TCP parsing state, alive only while a direction still wants bytes. */
struct app_streams {
	struct stream_dir dir[2];
	uint32_t parsed[2];		/* window bytes consumed by whole messages */
	uint32_t inspected[2];		/* bytes given to parsers, over window slides */
};

struct flow_app {
	struct app_streams *st;		/* NULL once both directions are done */
	struct quic_state *quic;
	struct tls_info *tls;
	struct http_summary *http;	/* first request */
	struct flow_data *data;		/* personal data seen: detect.c allocates
					 * and frees it (detect_flow_end) */
	struct policy_flow *policy;	/* what the rules keep: the pipeline
					 * frees it (policy_flow_free) */
	char *domain;			/* server name unless it is the SNI;
					 * read with flow_app_domain() */
	char *dns_qname;		/* first question on a DNS flow */
	char *proxy_target;		/* name a proxy was asked for, or NULL */
	uint8_t done[2];		/* nothing more wanted from this direction */
	uint8_t domain_src;		/* enum domain_source */
	uint8_t proxy;			/* enum proxy_kind: a tunnel's handshake
					 * comes first in each direction */
	uint8_t tunnel[2];		/* that direction's handshake is behind */
	uint32_t http_seen;		/* requests parsed */
	uint32_t dns_queries;
	uint32_t dns_responses;
};

/* Bits of flow.app_flags: a direction the app layer is done with. */
#define APP_F_DONE_TO_SERVER	0x01
#define APP_F_DONE_TO_CLIENT	0x02

/** The flow's server name (see domain_src), or NULL. */
static inline const char *
flow_app_domain(const struct flow_app *a)
{
	if (a->domain != NULL)
		return a->domain;
	/* From the ClientHello: kept once, with the TLS strings. */
	if (a->domain_src == DOMAIN_SRC_SNI && a->tls != NULL)
		return tls_str(a->tls, TLS_STR_SNI);
	return NULL;
}

struct applayer;

/** Callback for every DNS message parsed (responses feed the cache). */
typedef void applayer_dns_cb(struct flow *f, int dir,
    const struct dns_msg *msg, uint64_t ts_us, void *ctx);
/** Callback for every HTTP request parsed (events, detectors). */
typedef void applayer_http_cb(struct flow *f,
    const struct http_request *req, uint64_t ts_us, void *ctx);

/** Callback when a flow's server name is first learned from a TLS or
 * QUIC ClientHello (an HTTP Host comes with on_http). */
typedef void applayer_name_cb(struct flow *f, uint64_t ts_us, void *ctx);

/** Callback for every DHCP message parsed (device names). */
typedef void applayer_dhcp_cb(const struct dhcp_msg *msg, void *ctx);

struct applayer_config {
	uint32_t stream_cap[2];		/* reassembly window per direction */
	uint32_t inspect_limit;		/* bytes parsed per direction in all */
	uint32_t max_body;		/* decoded HTTP body kept */
	uint64_t stream_memcap;		/* bytes of reassembly buffers at once */
	applayer_dns_cb *on_dns;
	applayer_http_cb *on_http;
	applayer_dhcp_cb *on_dhcp;
	applayer_name_cb *on_name;
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
/** "sni", "http_host", "dns", "connect", "socks" or NULL. */
const char *domain_source_name(enum domain_source s);

#endif
