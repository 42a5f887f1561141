/*
 * pipeline.c - one run of the stages: decode -> flows -> app layer ->
 * detection and enrichment -> records -> every registered output.
 *
 * Time is packet time: flows expire when packet timestamps pass their
 * timeouts, checked once per second of packet time, so a capture replays
 * exactly as it was seen live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "decode.h"
#include "detect.h"
#include "device.h"
#include "dns.h"
#include "dns_cache.h"
#include "enrich.h"
#include "geoip.h"
#include "pipeline.h"
#include "policy.h"
#include "proxy.h"
#include "record_build.h"

#define PIPELINE_MAX_OUTPUTS 8

/* Storage behind the strings of the records being built. */
struct record_scratch {
	struct http_view_buf http;
	char dns_name[APPLAYER_NAME_MAX];
	char first_question[DNS_TEXT_MAX];
	char domain[APPLAYER_NAME_MAX];
	char sni[APPLAYER_NAME_MAX];
	char proxy_target[APPLAYER_NAME_MAX];
	char device[APPLAYER_NAME_MAX];
};

struct pipeline {
	struct conf *conf;
	const struct enrich *enrich;	/* the configuration's */
	struct geoip_cache *geo_cache;	/* ours: lookups through enrich */
	bool redact;
	struct flow_table *flows;
	struct applayer *al;
	struct dns_cache *dns;
	struct detect *detect;		/* NULL: detection off */
	const struct policy *policy;	/* the configuration's, NULL: none */
	struct policy_state *judge;
	struct device_table *devices;
	struct output out[PIPELINE_MAX_OUTPUTS];
	unsigned n_out;
	bool want_dns, want_http;	/* some output takes those records */
	struct record_scratch flow_scratch, obs_scratch, http_scratch,
	    name_scratch;
	struct dns_msg *dns_masked;	/* scratch for a masked response */
	struct addr resolved[DNS_MAX_ANSWERS];
	uint64_t decode[DEC__COUNT];
	uint64_t anomalies[DEC__COUNT];	/* tolerated, packet still used */
	uint64_t packets, bytes;
	uint64_t findings[SEVERITY__COUNT];
	uint64_t first_us, last_us;	/* packet time seen */
	uint64_t next_expiry_us;
	unsigned files;
	bool finished;
	/* What the command's live captures counted (statistics only). */
	bool live;
	uint64_t cap_received, cap_kernel_drops, cap_if_drops;
};

static struct record_redact
redactor(const struct pipeline *p)
{
	struct record_redact rr = { p->redact, p->detect };

	return rr;
}

/*
 * The flow as it stands, with the app-layer results, redaction and the
 * server name.  Enrichment, device and data are filled by the caller.
 */
static void
fill_record(struct pipeline *p, const struct flow *f, struct flow_record *r,
    struct record_scratch *s)
{
	const struct flow_app *a = f->app;
	struct record_redact rr = redactor(p);

	memset(r, 0, sizeof(*r));
	r->flow = f;
	flow_client(f, &r->client, &r->client_port);
	flow_server(f, &r->server, &r->server_port);
	r->protocol = app_proto_name((enum app_proto)f->app_proto);
	if (f->has_mac)
		r->client_mac = record_client_mac(&rr, f->client_mac,
		    r->client_mac_buf);
	if (a != NULL && a->domain_src != DOMAIN_SRC_NONE) {
		bool flagged = a->data != NULL && a->data->server_name_sensitive;
		const char *d = flow_app_domain(a);

		/*
		 * An SNI was scanned when the ClientHello gave it
		 * (detect_server_name() in on_name) and carries the verdict:
		 * no second scan per flow.  A Host (reported by the header
		 * scan) is scanned here.
		 */
		r->domain = a->domain_src == DOMAIN_SRC_SNI ?
		    (flagged && rr.on ? record_mask_dns_name(d, s->domain,
		    sizeof(s->domain)) : d) :
		    record_redact_name(&rr, d, flagged, s->domain,
		    sizeof(s->domain));
		r->domain_src = (enum domain_source)a->domain_src;
	} else if (f->app_proto != APP_PROTO_DNS && p->dns != NULL &&
	    dns_cache_get(p->dns, &r->client, &r->server, f->first_us,
	    s->dns_name, sizeof(s->dns_name))) {
		r->domain = s->dns_name;
		r->domain_src = DOMAIN_SRC_DNS;
	}
	if (a == NULL)
		return;
	r->proxy = proxy_kind_name((enum proxy_kind)a->proxy);
	if (a->proxy_target != NULL)
		r->proxy_target = r->domain_src == DOMAIN_SRC_CONNECT ||
		    r->domain_src == DOMAIN_SRC_SOCKS ? r->domain :
		    record_redact_name(&rr, a->proxy_target, false,
		    s->proxy_target, sizeof(s->proxy_target));
	r->tls = a->tls;
	if (a->tls != NULL && (r->sni = tls_str(a->tls, TLS_STR_SNI)) != NULL) {
		if (a->domain_src == DOMAIN_SRC_SNI)
			r->sni = r->domain;
		else
			r->sni = record_redact_name(&rr, r->sni, false, s->sni,
			    sizeof(s->sni));
	}
	if (a->http != NULL) {
		r->has_http = true;
		record_http_summary(&r->http, a->http, &rr, &s->http);
		r->http_requests = a->http_seen;
	}
	if (a->dns_queries || a->dns_responses) {
		r->has_dns = true;
		r->dns_queries = a->dns_queries;
		r->dns_responses = a->dns_responses;
		if (a->dns_qname != NULL && a->data != NULL &&
		    a->data->dns_name_sensitive && p->redact)
			r->dns_first_question = record_mask_dns_name(
			    a->dns_qname, s->first_question,
			    sizeof(s->first_question));
		else
			r->dns_first_question = a->dns_qname;
	}
	r->data = a->data;
}

/* Who and where: as far as it is known now. */
static void
enrich_record(struct pipeline *p, const struct flow *f, struct flow_record *r,
    struct record_scratch *s)
{
	struct record_redact rr = redactor(p);

	enrich_flow(p->enrich, p->geo_cache, r);
	/* A configured LAN says what is local, GeoIP or not. */
	if (conf_lan(p->conf) != NULL)
		r->dest_local = f->lan_ends & FLOW_LAN_SERVER;
	/* A name DHCP taught is the device's own word: it may hold data. */
	r->device_name = record_redact_text(&rr, device_name(p->devices,
	    f->has_mac ? f->client_mac : NULL, &r->client), s->device,
	    sizeof(s->device));
}

static void
emit_finding(const struct finding_record *fr, void *ctx)
{
	struct pipeline *p = ctx;

	if ((unsigned)fr->severity < SEVERITY__COUNT)
		p->findings[fr->severity]++;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->finding != NULL)
			p->out[i].ops->finding(p->out[i].ctx, fr);
}

/* The flow's rule state lives with its app-layer state when it has one. */
static void
judge(struct pipeline *p, struct flow *f, const struct flow_record *r,
    enum policy_moment m, const struct pii_obs *o, uint64_t ts_us)
{
	struct policy_flow *alone = NULL;
	struct policy_flow **pf = f->app != NULL ? &f->app->policy : &alone;

	if (o != NULL)
		policy_note_data(p->judge, pf, o);
	policy_judge(p->judge, p->policy, pf, r, m, o, ts_us, emit_finding, p);
	policy_flow_free(alone);
}

/*
 * A server name was learned (TLS/QUIC ClientHello, or a first HTTP
 * request): the app and the destination can be judged now rather than
 * when the flow ends, which may be hours later.
 */
static void
judge_named(struct pipeline *p, struct flow *f, uint64_t ts_us)
{
	struct flow_record r;

	if (!policy_wants(p->policy, POLICY_AT_NAME))
		return;
	fill_record(p, f, &r, &p->name_scratch);
	enrich_record(p, f, &r, &p->name_scratch);
	judge(p, f, &r, POLICY_AT_NAME, NULL, ts_us);
}

/*
 * Server names are scanned like DNS names, once, as soon as the
 * ClientHello gives one: any record built from now on (the rules'
 * included) shows it masked if it carried data.
 */
static void
on_name(struct flow *f, uint64_t ts_us, void *ctx)
{
	struct pipeline *p = ctx;

	if (p->detect != NULL)
		detect_server_name(p->detect, f, flow_app_domain(f->app), "sni",
		    ts_us);
	judge_named(p, f, ts_us);
}

static void
on_flow_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct pipeline *p = ctx;
	struct flow_record r;

	applayer_flow_end(p->al, f);
	fill_record(p, f, &r, &p->flow_scratch);
	r.why = why;
	r.ended = true;
	enrich_record(p, f, &r, &p->flow_scratch);
	if (p->policy != NULL)
		judge(p, f, &r, POLICY_AT_END, NULL, f->last_us);
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->flow != NULL)
			p->out[i].ops->flow(p->out[i].ctx, &r);
	if (f->app != NULL) {
		policy_flow_free(f->app->policy);
		f->app->policy = NULL;
	}
	detect_flow_end(f);
	applayer_flow_free(p->al, f);
}

struct interim_ctx {
	struct pipeline *p;
	uint64_t now_us;
	uint64_t min_age_us;
};

static void
interim_flow(struct flow *f, void *ctx)
{
	struct interim_ctx *ic = ctx;
	struct pipeline *p = ic->p;
	struct flow_record r;

	/* Open that long, whether busy or quiet now. */
	if (ic->now_us < f->first_us || ic->now_us - f->first_us < ic->min_age_us)
		return;
	fill_record(p, f, &r, &p->flow_scratch);
	r.ended = false;
	enrich_record(p, f, &r, &p->flow_scratch);
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->flow != NULL)
			p->out[i].ops->flow(p->out[i].ctx, &r);
}

void
pipeline_interim(struct pipeline *p, uint64_t now_us, uint64_t min_age_us)
{
	struct interim_ctx ic = {
		.p = p,
		.now_us = now_us > p->last_us ? now_us : p->last_us,
		.min_age_us = min_age_us,
	};

	flow_foreach(p->flows, interim_flow, &ic);
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

struct resolved_ctx {
	struct addr *v;
	size_t n;
};

static void
collect_resolved(const struct addr *a, uint32_t ttl, void *ctx)
{
	struct resolved_ctx *c = ctx;

	(void)ttl;
	if (c->n < DNS_MAX_ANSWERS)
		c->v[c->n++] = *a;
}

static void
on_dns(struct flow *f, int dir, const struct dns_msg *msg,
    uint64_t ts_us, void *ctx)
{
	struct pipeline *p = ctx;
	struct addr client;
	uint16_t port;
	struct dns_put_ctx c;
	struct dns_record dr;
	struct resolved_ctx rc = { p->resolved, 0 };
	bool sensitive = false;
	char masked[DNS_TEXT_MAX];

	if (!msg->qr) {
		/* Data hidden in the names a client asks for. */
		if (p->detect != NULL && dir == FLOW_TO_SERVER &&
		    msg->has_question)
			detect_dns_query(p->detect, f, msg->qname, ts_us);
		return;
	}
	/*
	 * Every response when they are printed; for the cache only those
	 * whose query on this flow carried data, so a response costs no
	 * scan in the common case.
	 */
	if (p->detect != NULL && msg->has_question && (p->want_dns ||
	    (p->dns != NULL && msg->n_answers > 0 && f->app != NULL &&
	    f->app->data != NULL && f->app->data->dns_name_sensitive)))
		sensitive = detect_dns_name_sensitive(p->detect, msg->qname);
	if (p->dns != NULL && msg->has_question && msg->n_answers > 0) {
		/* The querier is the flow's client. */
		flow_client(f, &client, &port);
		c.p = p;
		c.client = &client;
		/* Flows that inherit the name inherit its masking. */
		c.name = sensitive && p->redact ? record_mask_dns_name(
		    msg->qname, masked, sizeof(masked)) : msg->qname;
		c.ts_us = ts_us;
		dns_msg_foreach_resolved(msg, dns_put, &c);
	}
	if (!p->want_dns)
		return;
	if (msg->n_answers > 0)
		dns_msg_foreach_resolved(msg, collect_resolved, &rc);
	dr.flow = f;
	dr.msg = record_dns_msg(msg, sensitive, p->redact, p->dns_masked);
	dr.resolved = p->resolved;
	dr.n_resolved = rc.n;
	dr.ts_us = ts_us;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->dns != NULL)
			p->out[i].ops->dns(p->out[i].ctx, &dr);
}

static void
on_http(struct flow *f, const struct http_request *req, uint64_t ts_us,
    void *ctx)
{
	struct pipeline *p = ctx;
	struct http_record hr;
	struct record_redact rr = redactor(p);

	/* The Host header is scanned with the others (location "Host"). */
	if (p->detect != NULL)
		detect_http(p->detect, f, req, ts_us);
	/* The first request names the server (and maybe the app). */
	if (f->app != NULL && f->app->http_seen == 1)
		judge_named(p, f, ts_us);
	if (!p->want_http)
		return;
	hr.flow = f;
	record_http_request(&hr.http, req, &rr, &p->http_scratch.http);
	hr.ts_us = ts_us;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->http != NULL)
			p->out[i].ops->http(p->out[i].ctx, &hr);
}

/*
 * An observation carries its flow enriched as far as it is known now,
 * so a reader needs no join with the flow event that comes later.
 */
static void
on_observation(struct flow *f, const struct pii_obs *o, uint64_t ts_us,
    void *ctx)
{
	struct pipeline *p = ctx;
	const struct flow_app *a = f->app;
	struct flow_record r;
	struct obs_record or;

	fill_record(p, f, &r, &p->obs_scratch);
	enrich_record(p, f, &r, &p->obs_scratch);
	or.flow = &r;
	/* A DNS name that itself carried the data is not repeated; a server
	 * name is, masked like the flow's. */
	or.domain = a != NULL && a->domain_src != DOMAIN_SRC_NONE &&
	    !(a->data != NULL && a->data->dns_name_sensitive && p->redact) ?
	    r.domain : NULL;
	or.obs = o;
	or.ts_us = ts_us;
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->observation != NULL)
			p->out[i].ops->observation(p->out[i].ctx, &or);
	if (p->policy != NULL)
		judge(p, f, &r, POLICY_AT_DATA, o, ts_us);
}

static void
on_dhcp(const struct dhcp_msg *msg, void *ctx)
{
	struct pipeline *p = ctx;

	device_learn_dhcp(p->devices, msg);
}

/*
 * Make the configuration's parts current (a new run, or a reload).  The
 * detection stage has already been switched to its engine.
 */
static void
use_conf(struct pipeline *p, struct conf *c)
{
	p->conf = c;
	p->enrich = conf_enrich(c);
	p->policy = conf_policy(c);
	p->redact = !conf_options(c)->raw_evidence;
	/* Flows created from now on; open ones keep their sorted ends. */
	if (p->flows != NULL)
		flow_table_set_lan(p->flows, conf_lan(c));
}

int
pipeline_new(struct conf *conf, struct pipeline **ret, char *err,
    size_t errlen)
{
	const struct pipeline_config *c = conf_options(conf);
	struct pipeline *p;
	struct applayer_config ac;
	int r;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory for the pipeline");
		return -ENOMEM;
	}
	use_conf(p, conf_ref(conf));
	r = -ENOMEM;
	if ((p->dns_masked = malloc(sizeof(*p->dns_masked))) == NULL ||
	    geoip_cache_new(&p->geo_cache) != 0)
		goto nomem;
	if (conf_pii(conf) != NULL &&
	    (p->detect = detect_new(conf_pii(conf), on_observation, p)) == NULL)
		goto nomem;
	if ((p->devices = device_table_new(c->max_devices)) == NULL)
		goto nomem;
	if ((r = conf_apply_devices(conf, p->devices, err, errlen)) != 0)
		goto fail;
	r = -ENOMEM;
	if ((p->judge = policy_state_new()) == NULL)
		goto nomem;
	memset(&ac, 0, sizeof(ac));
	ac.stream_cap[FLOW_TO_SERVER] = c->stream_cap_client;
	ac.stream_cap[FLOW_TO_CLIENT] = c->stream_cap_server;
	ac.stream_memcap = c->stream_memcap;
	ac.inspect_limit = c->inspect_limit;
	ac.max_body = c->max_body;
	ac.on_dns = on_dns;
	ac.on_http = on_http;
	ac.on_dhcp = on_dhcp;
	ac.on_name = on_name;
	ac.ctx = p;
	r = -ENOMEM;
	if ((p->al = applayer_new(&ac)) == NULL)
		goto nomem;
	if (c->dns_cache_entries > 0 &&
	    (p->dns = dns_cache_new(c->dns_cache_entries)) == NULL)
		goto nomem;
	if ((p->flows = flow_table_new(c->max_flows, &c->timeouts,
	    on_flow_end, p)) == NULL)
		goto nomem;
	flow_table_set_lan(p->flows, conf_lan(conf));
	*ret = p;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for %u flows", c->max_flows);
fail:
	pipeline_free(p);
	return r;
}

int
pipeline_add_output(struct pipeline *p, const struct output_ops *ops,
    void *ctx)
{
	if (p->n_out == PIPELINE_MAX_OUTPUTS) {
		if (ops->close != NULL)
			ops->close(ctx);
		return -E2BIG;
	}
	p->out[p->n_out].ops = ops;
	p->out[p->n_out].ctx = ctx;
	p->n_out++;
	p->want_dns |= ops->dns != NULL;
	p->want_http |= ops->http != NULL;
	return 0;
}

int
pipeline_set_conf(struct pipeline *p, struct conf *c, char *err,
    size_t errlen)
{
	struct conf *old = p->conf;
	int r;

	/* Detection cannot be turned on without a restart: flows lack state. */
	if ((conf_pii(c) != NULL) != (p->detect != NULL)) {
		snprintf(err, errlen, "personal-data detection cannot be turned "
		    "%s by a reload", p->detect != NULL ? "off" : "on");
		return -EINVAL;
	}
	if (p->detect != NULL &&
	    (r = detect_set_engine(p->detect, conf_pii(c))) != 0) {
		snprintf(err, errlen, "out of memory for the new rules");
		return r;
	}
	if ((r = conf_apply_devices(c, p->devices, err, errlen)) != 0) {
		/* Back to the engine in force: that cannot fail (detect.h). */
		if (p->detect != NULL)
			detect_set_engine(p->detect, conf_pii(old));
		return r;
	}
	use_conf(p, conf_ref(c));
	conf_unref(old);
	return 0;
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
		/* A forged or broken record; the captured bytes are used. */
		if (cps[i].caplen > cps[i].wirelen)
			p->anomalies[DEC_CAPLEN_OVER_LEN]++;
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
pipeline_flush(struct pipeline *p)
{
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->flush != NULL)
			p->out[i].ops->flush(p->out[i].ctx);
}

void
pipeline_file_done(struct pipeline *p)
{
	p->files++;
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

void
pipeline_finding_counts(const struct pipeline *p,
    uint64_t ret[SEVERITY__COUNT])
{
	memcpy(ret, p->findings, sizeof(p->findings));
}

/* Room for every app-layer counter; applayer.h lists them. */
#define APPLAYER_N_COUNTERS (sizeof(struct applayer_stats) / sizeof(uint64_t))

struct counter_list {
	struct run_counter v[APPLAYER_N_COUNTERS];
	size_t n;
};

static void
collect(const char *name, uint64_t v, void *ctx)
{
	struct counter_list *l = ctx;

	if (l->n < APPLAYER_N_COUNTERS) {
		l->v[l->n].name = name;
		l->v[l->n].value = v;
		l->n++;
	}
}

/* The run's statistics, to every output. */
static void
report_stats(struct pipeline *p, bool final, uint64_t at_us)
{
	struct run_stats t;
	struct run_counter dec[DEC__COUNT], anom[DEC__COUNT];
	size_t n_anom = 0;
	struct counter_list al = { .n = 0 };
	struct flow_stats fs;
	const struct pii_engine *pii = conf_pii(p->conf);

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
	for (int i = 0; i < FLOW_END__COUNT; i++)
		t.flows_ended[i] = fs.ended[i];
	t.peak_flows = fs.peak_active;
	t.active_flows = fs.active;
	t.final = final;
	t.at_us = at_us;
	t.live = p->live;
	t.capture_received = p->cap_received;
	t.capture_kernel_drops = p->cap_kernel_drops;
	t.capture_if_drops = p->cap_if_drops;
	t.max_flows = fs.capacity;
	t.decode = dec;
	t.n_decode = DEC__COUNT;
	t.applayer = al.v;
	t.n_applayer = al.n;
	t.geoip_attribution = enrich_attribution(p->enrich);
	t.geoip_country_desc = enrich_geoip_desc(p->enrich);
	t.apps_loaded = enrich_apps_count(p->enrich);
	if (pii != NULL && p->detect != NULL) {
		struct pii_stats ps;

		detect_pii_stats(p->detect, &ps);
		t.pii_enabled = true;
		t.pii_identities = pii_identity_count(pii);
		t.pii_observations = ps.obs;
		t.pii_bytes_scanned = ps.bytes_scanned;
		t.pii_bytes_cut = ps.bytes_cut;
		{
			struct detect_home_stats hs;

			detect_home_stats(p->detect, &hs);
			t.pii_home_cells = hs.cells;
			t.pii_home_dropped = hs.dropped;
		}
		t.raw_evidence = !p->redact;
	}
	if (p->policy != NULL) {
		struct policy_counters pc;

		policy_state_counters(p->judge, &pc);
		t.policy_rules = policy_rule_count(p->policy);
		t.findings = pc.findings;
		t.policy_evaluations = pc.evaluations;
		t.policy_rules_tried = pc.rules_tried;
		t.policy_state_failed = pc.flow_state_failed + pc.fired_cap;
	}
	for (unsigned i = 0; i < p->n_out; i++) {
		uint64_t written = 0, lost = 0;

		if (p->out[i].ops->counts == NULL)
			continue;
		p->out[i].ops->counts(p->out[i].ctx, &written, &lost);
		t.events += written;
		t.event_write_errors += lost;
	}
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->stats != NULL)
			p->out[i].ops->stats(p->out[i].ctx, &t);
}

int
pipeline_output_error(const struct pipeline *p, const char **ret_name)
{
	for (unsigned i = 0; i < p->n_out; i++) {
		int r;

		if (p->out[i].ops->write_error == NULL ||
		    (r = p->out[i].ops->write_error(p->out[i].ctx)) == 0)
			continue;
		*ret_name = p->out[i].ops->name;
		return r;
	}
	return 0;
}

void
pipeline_finish(struct pipeline *p)
{
	if (p->finished)
		return;
	p->finished = true;
	flow_end_all(p->flows);
	/* Written before counting, so the statistics count what was lost. */
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->finish != NULL)
			p->out[i].ops->finish(p->out[i].ctx);
	pipeline_flush(p);
	report_stats(p, true, p->last_us);
}

void
pipeline_set_capture_counts(struct pipeline *p, uint64_t received,
    uint64_t kernel_drops, uint64_t if_drops)
{
	p->live = true;
	p->cap_received = received;
	p->cap_kernel_drops = kernel_drops;
	p->cap_if_drops = if_drops;
}

void
pipeline_report_stats(struct pipeline *p, uint64_t now_us)
{
	/* Events counted in the statistics are those written by now. */
	pipeline_flush(p);
	report_stats(p, false, now_us);
}

struct pipeline *
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return NULL;
	/* Ending the flows writes their records, so outputs close last. */
	p->flows = flow_table_free(p->flows);
	p->al = applayer_free(p->al);
	p->dns = dns_cache_free(p->dns);
	p->detect = detect_free(p->detect);
	p->judge = policy_state_free(p->judge);
	p->devices = device_table_free(p->devices);
	for (unsigned i = 0; i < p->n_out; i++)
		if (p->out[i].ops->close != NULL)
			p->out[i].ops->close(p->out[i].ctx);
	free(p->dns_masked);
	p->geo_cache = geoip_cache_free(p->geo_cache);
	p->conf = conf_unref(p->conf);
	free(p);
	return NULL;
}
