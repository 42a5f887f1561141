/*
 * record.h - what the stages before the outputs hand to them: a flow
 * (when it ends, or as it stands when an observation is made), a DNS
 * response, an HTTP request, a personal-data observation.  Records are
 * built in one place (daemon/pipeline/record_build.c), where redaction is
 * applied, so an output prints what it is given and cannot forget to
 * mask anything.  Outputs read records only, never the flow's app state.
 * Everything a record points to is valid for the duration of the call.
 */
#ifndef OUTFLOW_RECORD_H
#define OUTFLOW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "applayer.h"
#include "flow.h"

#define RECORD_MAC_TEXT 18		/* "3C-22-FB-12-34-56" and a NUL */

struct dns_msg;
struct flow_data;
struct pii_obs;

/*
 * The printable fields of one HTTP request, redacted: without raw
 * evidence the target is left out, identifier-looking path segments,
 * query values, bare items and identifier-looking keys are masked, the
 * Referer is cut to scheme and host, the Host and the Referer's host are
 * masked like server names, and known values and e-mails are masked in
 * every string (record_build.c).
 */
struct http_view {
	const char *method;
	const char *original;		/* request-target, NULL when redacted */
	const char *path;
	const char *query;
	const char *referrer;
	size_t referrer_len;
	const char *user_agent;
	const char *mime_type;
	const char *host;
	const char *content_encoding;
	const char *transfer_encoding;
	const char *requested_with;
	uint64_t body_wire_len;
	uint32_t body_len;
	uint8_t body_state;		/* enum http_body_state */
	uint8_t version_minor;
};

/* Storage behind a redacted http_view's masked strings. */
struct http_view_buf {
	char path[HTTP_MAX_LINE];
	char query[HTTP_MAX_LINE];
	char referrer[APPLAYER_NAME_MAX + 40];
	char user_agent[HTTP_MAX_LINE];
	char requested_with[APPLAYER_NAME_MAX];
	char mime_type[APPLAYER_NAME_MAX];
	char host[APPLAYER_NAME_MAX];
};

struct flow_record {
	const struct flow *flow;	/* endpoints, counters, times, flags */
	enum flow_end_reason why;
	bool ended;			/* false: a flow still open (observation, */
					/* or a flow output's interim record) */
	struct addr client, server;
	uint16_t client_port, server_port;
	const char *protocol;		/* "tls", "http", ... or NULL */
	const char *domain;		/* server name, NULL if none; masked
					 * when it carried data */
	const char *sni;		/* TLS/QUIC SNI, masked alike */
	const char *client_mac;		/* "3C-22-FB-12-34-56", NULL if none;
					 * a configured one keeps its OUI */
	char client_mac_buf[RECORD_MAC_TEXT];
	enum domain_source domain_src;
	const char *proxy;		/* "connect", "socks4", "socks4a",
					 * "socks5" for a tunnelled flow */
	const char *proxy_target;	/* the name asked of the proxy, masked
					 * like a server name; NULL if none */

	/* App-layer results. */
	const struct tls_info *tls;	/* NULL: no TLS seen */
	bool has_http;
	struct http_view http;		/* first request, when has_http */
	uint32_t http_requests;
	bool has_dns;
	const char *dns_first_question;	/* masked when it carried data */
	uint32_t dns_queries, dns_responses;

	/* Destination: filled when GeoIP is configured. */
	bool geo_done;
	bool dest_local;
	char country[3];
	uint32_t asn;
	char as_org[128];

	/* Jurisdictions (ISO codes, "" unknown) and the rule entries behind them. */
	char jur_location[3];
	char jur_operator[3];
	char jur_vendor[3];
	const char *operator_name;

	/* App attribution. */
	const char *app_id;
	const char *app_name;
	const char *app_kind;
	const char *app_vendor;
	const char *app_evidence;
	uint8_t app_confidence;

	/* Device on the LAN side. */
	const char *device_name;

	/* Personal data the flow was seen sending, NULL if none. */
	const struct flow_data *data;
};

/* A DNS response seen on a flow. */
struct dns_record {
	const struct flow *flow;
	const struct dns_msg *msg;	/* names masked when they carried data */
	const struct addr *resolved;	/* the question's addresses, CNAMEs */
	size_t n_resolved;		/* followed (before any masking) */
	uint64_t ts_us;
};

/* One HTTP request on a flow, as it was parsed. */
struct http_record {
	const struct flow *flow;
	struct http_view http;
	uint64_t ts_us;
};

/*
 * Personal data seen on a flow, with the flow enriched as far as it was
 * known at that moment (destination, operator, app, device).
 */
struct obs_record {
	const struct flow_record *flow;
	const char *domain;		/* NULL when the name carried data */
	const struct pii_obs *obs;
	uint64_t ts_us;
};

/* How serious a policy finding is; numbers as ECS event.severity wants. */
enum severity {
	SEVERITY_INFO,
	SEVERITY_LOW,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
	SEVERITY_CRITICAL,
	SEVERITY__COUNT
};

#define FINDING_MAX_CATEGORIES 16

/*
 * A policy rule matched a flow: at most one per (flow, rule).  The flow
 * is as known at the moment of the match (enriched, redacted); the title
 * is filled in from those redacted fields only.
 */
struct finding_record {
	const struct flow_record *flow;
	const char *rule_id;
	const char *ruleset;		/* the pack's name, e.g. "default" */
	const char *title;		/* filled in */
	const char *title_template;	/* as written: the same for every
					 * finding of the rule */
	const char *description;	/* NULL if none */
	enum severity severity;
	const char *const *tags;
	size_t n_tags;
	const char *const *references;
	size_t n_references;
	/* Which jurisdiction matched: "location", "operator", "vendor", or
	 * NULL when the rule tests none; and its ISO code. */
	const char *jurisdiction_by;
	const char *jurisdiction;
	/* Data categories the rule matched on (all of the flow's when it
	 * has no data condition), with the permissions they imply. */
	const char *categories[FINDING_MAX_CATEGORIES];
	const char *permissions_android[FINDING_MAX_CATEGORIES];
	const char *permissions_ios[FINDING_MAX_CATEGORIES];
	size_t n_categories;
	/* The observation that completed the match, NULL when none did
	 * (a traffic rule, or the flow's end): redacted, like every obs. */
	const struct pii_obs *evidence;
	uint32_t observations;		/* the flow's observations so far */
	uint64_t first_us, last_us;	/* the flow's first packet, the match */
	/* The flow record is as it was for the finding given just before
	 * (several rules held at one moment): outputs may reuse what they
	 * made of it. */
	bool same_flow_as_previous;
};

#endif
