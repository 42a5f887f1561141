/*
 * pipeline.c - one run of the stages: decode -> flows -> app layer ->
 * (flow end) enrichment -> event stream and summary.
 *
 * Time is packet time: flows expire when packet timestamps pass their
 * timeouts, checked once per second of packet time, so a capture replays
 * exactly as it was seen live.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "summary.h"
#include "decode.h"
#include "detect.h"
#include "device.h"
#include "dns.h"
#include "dns_cache.h"
#include "enrich.h"
#include "eve.h"
#include "pipeline.h"
#include "record.h"

struct pipeline {
	struct pipeline_config cfg;
	struct flow_table *flows;
	struct applayer *al;
	struct dns_cache *dns;
	struct enrich *enrich;
	struct detect *detect;
	struct device_table *devices;
	struct eve *eve;
	struct summary_model *summary;
	uint64_t decode[DEC__COUNT];
	uint64_t anomalies[DEC__COUNT];	/* tolerated, packet still used */
	uint64_t packets, bytes;
	uint64_t first_us, last_us;	/* packet time seen */
	uint64_t next_expiry_us;
	unsigned files;
	bool finished;
};

void
pipeline_config_defaults(struct pipeline_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_flows = 131072;
	c->timeouts.udp_s = 60;
	c->timeouts.tcp_new_s = 30;
	c->timeouts.tcp_s = 600;
	c->timeouts.closed_s = 10;
	c->stream_cap_client = 32768;
	c->stream_cap_server = 16384;
	c->stream_memcap = 16u << 20;
	c->inspect_limit = 1u << 20;
	c->max_body = 65536;
	c->dns_cache_entries = 16384;
	c->max_devices = 4096;
	c->eve_dns = true;
	c->eve_http = true;
	c->summary = true;
}

static void
fill_record(struct pipeline *p, struct flow *f, enum flow_end_reason why,
    struct flow_record *r)
{
	static char dns_name[APPLAYER_NAME_MAX];
	const struct flow_app *a = f->app;

	memset(r, 0, sizeof(*r));
	r->flow = f;
	r->app = a;
	r->why = why;
	flow_client(f, &r->client, &r->client_port);
	flow_server(f, &r->server, &r->server_port);
	r->protocol = app_proto_name((enum app_proto)f->app_proto);
	if (a != NULL && a->domain_src != DOMAIN_SRC_NONE) {
		r->domain = flow_app_domain(a);
		r->domain_src = (enum domain_source)a->domain_src;
	} else if (f->app_proto != APP_PROTO_DNS && p->dns != NULL &&
	    dns_cache_get(p->dns, &r->client, &r->server, f->first_us,
	    dns_name, sizeof(dns_name))) {
		r->domain = dns_name;
		r->domain_src = DOMAIN_SRC_DNS;
	}
}

static void
on_flow_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct pipeline *p = ctx;
	struct flow_record r;

	applayer_flow_end(p->al, f);
	fill_record(p, f, why, &r);
	enrich_flow(p->enrich, &r);
	r.data = detect_flow_data(f);
	r.device_name = device_name(p->devices,
	    f->has_mac ? f->client_mac : NULL, &r.client);
	if (p->eve != NULL)
		eve_flow(p->eve, &r);
	if (p->summary != NULL)
		summary_flow(p->summary, &r);
	applayer_flow_free(p->al, f);
}

struct dns_put_ctx {
	struct pipeline *p;
	const struct addr *client;
	const char *name;
	uint64_t ts_us;
};

static void
dns_put(const struct addr *a, uint32_t ttl, void *ctx)
{
	struct dns_put_ctx *c = ctx;

	dns_cache_put(c->p->dns, c->client, a, c->name, ttl, c->ts_us);
}

static void
on_dns(struct flow *f, int dir, const struct dns_msg *msg,
    uint64_t ts_us, void *ctx)
{
	struct pipeline *p = ctx;
	struct addr client;
	uint16_t port;
	struct dns_put_ctx c;
	bool sensitive = false;

	if (!msg->qr) {
		/* Data hidden in the names a client asks for. */
		if (p->detect != NULL && dir == FLOW_TO_SERVER &&
		    msg->has_question)
			detect_dns_query(p->detect, f, msg->qname, ts_us);
		return;
	}
	if (p->dns != NULL && msg->has_question && msg->n_answers > 0) {
		/* The querier is the flow's client. */
		flow_client(f, &client, &port);
		c.p = p;
		c.client = &client;
		c.name = msg->qname;
		c.ts_us = ts_us;
		dns_msg_foreach_resolved(msg, dns_put, &c);
	}
	if (p->eve != NULL && p->cfg.eve_dns) {
		if (p->detect != NULL && msg->has_question)
			sensitive = detect_dns_name_sensitive(p->detect, msg->qname);
		eve_dns(p->eve, f, dir, msg, sensitive, ts_us);
	}
}

static void
on_http(struct flow *f, const struct http_request *req, uint64_t ts_us,
    void *ctx)
{
	struct pipeline *p = ctx;

	if (p->detect != NULL)
		detect_http(p->detect, f, req, ts_us);
	if (p->eve != NULL && p->cfg.eve_http)
		eve_http(p->eve, f, req, ts_us);
}

static void
on_observation(const struct flow *f, const struct pii_obs *o, uint64_t ts_us,
    void *ctx)
{
	struct pipeline *p = ctx;

	if (p->eve != NULL)
		eve_observation(p->eve, f, o, ts_us);
}

static void
on_dhcp(const struct dhcp_msg *msg, void *ctx)
{
	struct pipeline *p = ctx;

	device_learn_dhcp(p->devices, msg);
}

int
pipeline_new(const struct pipeline_config *c, struct pipeline **ret,
    char *err, size_t errlen)
{
	struct pipeline *p;
	struct applayer_config ac;
	struct enrich_config ec;
	int r;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	p->cfg = *c;
	if (c->eve_path != NULL &&
	    (r = eve_open(c->eve_path, &p->eve, err, errlen)) != 0)
		goto fail;
	if (c->pii_rules != NULL) {
		struct detect_config dc;

		memset(&dc, 0, sizeof(dc));
		dc.rules_path = c->pii_rules;
		dc.permissions_path = c->pii_permissions;
		dc.identities_path = c->identities;
		dc.secret_path = c->secret;
		dc.raw_evidence = c->raw_evidence;
		dc.on_obs = on_observation;
		dc.ctx = p;
		if ((r = detect_new(&dc, &p->detect, err, errlen)) != 0)
			goto fail;
	}
	if (p->eve != NULL)
		eve_set_redact(p->eve, !c->raw_evidence);
	memset(&ec, 0, sizeof(ec));
	ec.geoip_country = c->geoip_country;
	ec.geoip_asn = c->geoip_asn;
	ec.apps_path = c->apps_path;
	ec.jurisdictions_path = c->jurisdictions_path;
	if ((r = enrich_new(&ec, &p->enrich, err, errlen)) != 0)
		goto fail;
	r = -ENOMEM;
	if ((p->devices = device_table_new(c->max_devices)) == NULL)
		goto nomem;
	for (size_t i = 0; c->devices != NULL && c->devices[i] != NULL; i++)
		if ((r = device_add_config(p->devices, c->devices[i], err,
		    errlen)) != 0)
			goto fail;
	if (c->dhcp_leases != NULL &&
	    (r = device_load_leases(p->devices, c->dhcp_leases, err, errlen)) != 0)
		goto fail;
	memset(&ac, 0, sizeof(ac));
	ac.stream_cap[FLOW_TO_SERVER] = c->stream_cap_client;
	ac.stream_cap[FLOW_TO_CLIENT] = c->stream_cap_server;
	ac.stream_memcap = c->stream_memcap;
	ac.inspect_limit = c->inspect_limit;
	ac.max_body = c->max_body;
	ac.on_dns = on_dns;
	ac.on_http = on_http;
	ac.on_dhcp = on_dhcp;
	ac.ctx = p;
	r = -ENOMEM;
	if ((p->al = applayer_new(&ac)) == NULL)
		goto nomem;
	if (c->dns_cache_entries > 0 &&
	    (p->dns = dns_cache_new(c->dns_cache_entries)) == NULL)
		goto nomem;
	if (c->summary && (p->summary = summary_new()) == NULL)
		goto nomem;
	if ((p->flows = flow_table_new(c->max_flows, &c->timeouts,
	    on_flow_end, p)) == NULL)
		goto nomem;
	*ret = p;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for %u flows", c->max_flows);
fail:
	pipeline_free(p);
	return r;
}

static void
packet_time(struct pipeline *p, const struct capture_packet *cp)
{
	p->packets++;
	p->bytes += cp->wirelen;
	if (p->first_us == 0 || cp->ts_us < p->first_us)
		p->first_us = cp->ts_us;
	if (cp->ts_us > p->last_us)
		p->last_us = cp->ts_us;
	if (p->last_us >= p->next_expiry_us) {
		flow_expire(p->flows, p->last_us);
		p->next_expiry_us = p->last_us + 1000000;
	}
}

/*
 * A batch goes through in three passes so that its memory misses overlap
 * rather than follow one another: decode every packet and prefetch its
 * hash bucket; read the buckets and prefetch the flows; then account each
 * packet in order, exactly as one at a time would.  The prefetches are
 * only hints: a flow ended or created by an earlier packet of the batch
 * is found (or not) by the real lookup.
 */
void
pipeline_packets(const struct capture_packet *cps, unsigned n, int dlt,
    void *ctx)
{
	struct pipeline *p = ctx;
	struct pkt pk[PIPELINE_BATCH];
	struct flow_ref ref[PIPELINE_BATCH];
	uint8_t ok[PIPELINE_BATCH];

	while (n > PIPELINE_BATCH) {
		pipeline_packets(cps, PIPELINE_BATCH, dlt, ctx);
		cps += PIPELINE_BATCH;
		n -= PIPELINE_BATCH;
	}
	for (unsigned i = 0; i < n; i++) {
		enum decode_event ev = decode_packet(dlt, cps[i].data,
		    cps[i].caplen, &pk[i]);

		p->decode[ev]++;
		ok[i] = ev == DEC_OK;
		if (!ok[i])
			continue;
		if (pk[i].anomaly != 0)
			p->anomalies[pk[i].anomaly]++;
		flow_ref_of(&pk[i], &ref[i]);
		if (ref[i].valid)
			flow_prefetch_bucket(p->flows, &ref[i]);
	}
	if (n > 1)
		for (unsigned i = 0; i < n; i++)
			if (ok[i] && ref[i].valid)
				flow_prefetch(p->flows, &ref[i]);
	for (unsigned i = 0; i < n; i++) {
		struct flow *f;
		int dir;

		packet_time(p, &cps[i]);
		if (!ok[i])
			continue;
		/* Timestamps may step back a little in merged captures. */
		pk[i].ts_us = p->last_us;
		pk[i].wirelen = cps[i].wirelen;
		if ((f = flow_packet_ref(p->flows, &pk[i], &ref[i], &dir)) == NULL)
			continue;
		applayer_packet(p->al, f, dir, &pk[i]);
	}
}

void
pipeline_tick(struct pipeline *p, uint64_t now_us)
{
	if (now_us > p->last_us)
		flow_expire(p->flows, now_us);
}

void
pipeline_file_done(struct pipeline *p)
{
	p->files++;
}

void
pipeline_finish(struct pipeline *p)
{
	if (p->finished)
		return;
	p->finished = true;
	flow_end_all(p->flows);
}

void
pipeline_packet_counts(const struct pipeline *p, uint64_t *ret_packets,
    uint64_t *ret_errors)
{
	uint64_t e = 0;

	for (int i = 0; i < DEC__COUNT; i++)
		if (decode_event_is_error((enum decode_event)i))
			e += p->decode[i];
	*ret_packets = p->packets;
	*ret_errors = e;
}

struct counter_list {
	struct summary_counter v[32];
	size_t n;
};

static void
collect(const char *name, uint64_t v, void *ctx)
{
	struct counter_list *l = ctx;

	if (l->n < sizeof(l->v) / sizeof(l->v[0])) {
		l->v[l->n].name = name;
		l->v[l->n].value = v;
		l->n++;
	}
}

void
pipeline_print_summary(struct pipeline *p, FILE *fp, bool json, unsigned top)
{
	struct summary_totals t;
	struct summary_counter dec[DEC__COUNT], anom[DEC__COUNT];
	size_t n_anom = 0;
	struct counter_list al = { .n = 0 };
	struct flow_stats fs;

	if (p->summary == NULL)
		return;
	memset(&t, 0, sizeof(t));
	for (int i = 0; i < DEC__COUNT; i++) {
		dec[i].name = decode_event_name((enum decode_event)i);
		dec[i].value = p->decode[i];
	}
	for (int i = 0; i < DEC__COUNT; i++) {
		if (p->anomalies[i] == 0)
			continue;
		anom[n_anom].name = decode_event_name((enum decode_event)i);
		anom[n_anom++].value = p->anomalies[i];
	}
	t.anomalies = anom;
	t.n_anomalies = n_anom;
	applayer_stats_foreach(p->al, collect, &al);
	flow_table_stats(p->flows, &fs);
	t.files = p->files;
	t.packets = p->packets;
	t.bytes = p->bytes;
	t.first_us = p->first_us;
	t.last_us = p->last_us;
	t.flows = fs.created;
	memcpy(t.flows_ended, fs.ended, sizeof(t.flows_ended));
	t.peak_flows = fs.peak_active;
	t.max_flows = fs.capacity;
	t.decode = dec;
	t.n_decode = DEC__COUNT;
	t.applayer = al.v;
	t.n_applayer = al.n;
	t.geoip_attribution = enrich_attribution(p->enrich);
	t.geoip_country_desc = enrich_geoip_desc(p->enrich);
	t.apps_loaded = enrich_apps_count(p->enrich);
	if (p->detect != NULL) {
		struct pii_stats ps;

		detect_get_stats(p->detect, &ps);
		t.pii_enabled = true;
		t.pii_identities = detect_identity_count(p->detect);
		t.pii_observations = ps.obs;
		t.pii_bytes_scanned = ps.bytes_scanned;
		t.pii_bytes_cut = ps.bytes_cut;
		t.raw_evidence = detect_raw_evidence(p->detect);
	}
	if (p->eve != NULL) {
		t.events = eve_events(p->eve);
		t.event_write_errors = eve_write_errors(p->eve);
	}
	summary_set_totals(p->summary, &t);
	summary_sort(p->summary);
	if (json)
		summary_print_json(p->summary, fp, top);
	else
		summary_print_text(p->summary, fp, top);
}

struct pipeline *
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return NULL;
	/* Ending the flows writes their events, so outputs close last. */
	p->flows = flow_table_free(p->flows);
	p->al = applayer_free(p->al);
	p->dns = dns_cache_free(p->dns);
	p->enrich = enrich_free(p->enrich);
	p->detect = detect_free(p->detect);
	p->devices = device_table_free(p->devices);
	p->summary = summary_free(p->summary);
	p->eve = eve_close(p->eve);
	free(p);
	return NULL;
}
