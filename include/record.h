/*
 * record.h - what the enrichment stage hands to the outputs for a flow
 * that ended: the flow, its app-layer results and who/where it went.
 * Outputs (event stream, summary, later the store) only read it.
 */
#ifndef OUTFLOW_RECORD_H
#define OUTFLOW_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "applayer.h"
#include "flow.h"

struct flow_data;

struct flow_record {
	const struct flow *flow;
	const struct flow_app *app;	/* NULL: no app-layer data */
	enum flow_end_reason why;
	struct addr client, server;
	uint16_t client_port, server_port;
	const char *protocol;		/* "tls", "http", ... or NULL */
	const char *domain;		/* server name, NULL if none */
	enum domain_source domain_src;

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

#endif
