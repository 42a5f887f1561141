/*
 * eve.c - JSON-lines events with ECS field names.
 *
 * Each event is built in one reusable buffer and written with a single
 * fwrite, so a reader never sees half a line from us.  Strings that came
 * from the network go through the JSON writer's escaping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "dns.h"
#include "eve.h"
#include "http.h"
#include "json.h"
#include "tls.h"

struct eve {
	FILE *fp;
	bool is_stdout;
	bool redact;
	struct jw w;
	uint64_t events;
	uint64_t write_errors;
};

int
eve_open(const char *path, struct eve **ret, char *err, size_t errlen)
{
	struct eve *e;

	if ((e = calloc(1, sizeof(*e))) == NULL || jw_init(&e->w, 4096) != 0) {
		free(e);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (strcmp(path, "-") == 0) {
		e->fp = stdout;
		e->is_stdout = true;
	} else if ((e->fp = fopen(path, "a")) == NULL) {
		int r = -errno;

		snprintf(err, errlen, "%s: cannot open event file: %s", path,
		    strerror(errno));
		jw_free(&e->w);
		free(e);
		return r;
	}
	e->redact = true;
	*ret = e;
	return 0;
}

void
eve_set_redact(struct eve *e, bool redact)
{
	e->redact = redact;
}

struct eve *
eve_close(struct eve *e)
{
	if (e == NULL)
		return NULL;
	if (e->is_stdout)
		fflush(e->fp);
	else
		fclose(e->fp);
	jw_free(&e->w);
	free(e);
	return NULL;
}

uint64_t
eve_write_errors(const struct eve *e)
{
	return e->write_errors;
}

uint64_t
eve_events(const struct eve *e)
{
	return e->events;
}

static void
emit(struct eve *e)
{
	struct jw *w = &e->w;

	jw_newline(w);
	if (w->oom) {
		e->write_errors++;
		return;
	}
	if (fwrite(w->buf, 1, w->len, e->fp) != w->len)
		e->write_errors++;
	else
		e->events++;
}

/*
 * Start an event: the top-level object with @timestamp, and event{} with
 * kind, dataset, category and type (NULL-terminated lists) left open for
 * the caller to add to and close.
 */
static struct jw *
begin(struct eve *e, const char *dataset, uint64_t ts_us,
    const char *const *category, const char *const *type)
{
	struct jw *w = &e->w;

	jw_reset(w);
	jw_obj_begin(w, NULL);
	jw_time(w, "@timestamp", ts_us);
	jw_obj_begin(w, "event");
	jw_str(w, "kind", "event");
	jw_str(w, "dataset", dataset);
	jw_arr_begin(w, "category");
	for (; *category != NULL; category++)
		jw_str(w, NULL, *category);
	jw_arr_end(w);
	jw_arr_begin(w, "type");
	for (; *type != NULL; type++)
		jw_str(w, NULL, *type);
	jw_arr_end(w);
	return w;
}

static const char *const cat_network[] = { "network", NULL };
static const char *const cat_web[] = { "network", "web", NULL };

static void
end(struct eve *e)
{
	struct jw *w = &e->w;

	jw_obj_end(w);
	emit(e);
}

static void
put_addr(struct jw *w, const char *key, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	jw_str(w, key, addr_str(a, buf, sizeof(buf)));
}

static void
put_mac(struct jw *w, const char *key, const uint8_t *m)
{
	char buf[18];

	/* ECS writes MACs upper-case with dashes. */
	snprintf(buf, sizeof(buf), "%02X-%02X-%02X-%02X-%02X-%02X",
	    m[0], m[1], m[2], m[3], m[4], m[5]);
	jw_str(w, key, buf);
}

static const char *
transport_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "other";
}

/*
 * source{ip,port[,mac]}, destination{ip,port[,domain]} and
 * network{transport,protocol} of a message event on flow f.
 */
static void
put_message_endpoints(struct jw *w, const struct flow *f, bool mac,
    const char *domain, const char *protocol)
{
	struct addr cl, sv;
	uint16_t cp, sp;

	flow_client(f, &cl, &cp);
	flow_server(f, &sv, &sp);
	jw_obj_begin(w, "source");
	put_addr(w, "ip", &cl);
	jw_u64(w, "port", cp);
	if (mac && f->has_mac)
		put_mac(w, "mac", f->client_mac);
	jw_obj_end(w);
	jw_obj_begin(w, "destination");
	put_addr(w, "ip", &sv);
	jw_u64(w, "port", sp);
	jw_str(w, "domain", domain);
	jw_obj_end(w);
	jw_obj_begin(w, "network");
	jw_str(w, "transport", transport_name(f->key.proto));
	jw_str(w, "protocol", protocol);
	jw_obj_end(w);
}

static void
put_network(struct jw *w, const struct flow *f, const char *protocol)
{
	jw_obj_begin(w, "network");
	jw_str(w, "transport", transport_name(f->key.proto));
	jw_str(w, "type", f->key.family == 6 ? "ipv6" : "ipv4");
	if (protocol != NULL)
		jw_str(w, "protocol", protocol);
	if (f->key.vlan != 0) {
		/* QinQ keys hold outer << 12 | inner. */
		jw_obj_begin(w, "vlan");
		jw_u64(w, "id", f->key.vlan > 0xfff ? f->key.vlan >> 12 :
		    f->key.vlan);
		jw_obj_end(w);
		if (f->key.vlan > 0xfff) {
			jw_obj_begin(w, "inner");
			jw_obj_begin(w, "vlan");
			jw_u64(w, "id", f->key.vlan & 0xfff);
			jw_obj_end(w);
			jw_obj_end(w);
		}
	}
	jw_u64(w, "bytes", f->bytes[0] + f->bytes[1]);
	jw_u64(w, "packets", (uint64_t)f->pkts[0] + f->pkts[1]);
	jw_obj_end(w);
}

static void
put_tls(struct jw *w, const struct tls_info *t)
{
	const char *v, *alpn = tls_str(t, TLS_STR_ALPN);

	jw_obj_begin(w, "tls");
	if ((v = tls_version_ecs(t->version ? t->version :
	    t->client_max_version)) != NULL) {
		jw_str(w, "version", v);
		jw_str(w, "version_protocol", "tls");
	}
	jw_bool(w, "established", t->server_seen);
	if (alpn != NULL) {
		char first[64];
		size_t n = strcspn(alpn, ",");

		if (n >= sizeof(first))
			n = sizeof(first) - 1;
		memcpy(first, alpn, n);
		first[n] = '\0';
		jw_str(w, "next_protocol", first);
	}
	if (t->client_seen) {
		jw_obj_begin(w, "client");
		jw_str(w, "server_name", tls_str(t, TLS_STR_SNI));
		jw_str(w, "ja3", t->ja3);
		jw_obj_end(w);
	}
	if (t->have_cert) {
		jw_obj_begin(w, "server");
		jw_obj_begin(w, "x509");
		jw_obj_begin(w, "subject");
		jw_str(w, "distinguished_name", tls_str(t, TLS_STR_CERT_SUBJECT));
		if (t->str[TLS_STR_CERT_ORG] != 0) {
			jw_arr_begin(w, "organization");
			jw_str(w, NULL, tls_str(t, TLS_STR_CERT_ORG));
			jw_arr_end(w);
		}
		jw_obj_end(w);
		jw_obj_begin(w, "issuer");
		jw_str(w, "distinguished_name", tls_str(t, TLS_STR_CERT_ISSUER));
		jw_obj_end(w);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

/* Masked copy of a query string: keys kept, values replaced by "*". */
static const char *
mask_query(const char *q, char *buf, size_t size)
{
	size_t o = 0;
	bool in_value = false;

	for (; *q != '\0' && o + 2 < size; q++) {
		if (*q == '&') {
			in_value = false;
			buf[o++] = '&';
		} else if (*q == '=' && !in_value) {
			in_value = true;
			buf[o++] = '=';
			buf[o++] = '*';
		} else if (!in_value)
			buf[o++] = *q;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Whether a path segment looks like an identifier rather than a word: six
 * or more digits, an '@', or a long run of letters and digits mixing both.
 */
static bool
looks_like_identifier(const char *s, size_t n)
{
	size_t digits = 0, letters = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@' || c == '%')
			return true;
		if (c >= '0' && c <= '9')
			digits++;
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			letters++;
	}
	return digits >= 6 || (n >= 16 && digits > 0 && letters > 0);
}

/* Path with identifier-looking segments replaced by "*". */
static const char *
mask_path(const char *p, char *buf, size_t size)
{
	size_t o = 0;

	while (*p != '\0' && o + 2 < size) {
		size_t n = strcspn(p, "/");

		if (n > 0 && looks_like_identifier(p, n)) {
			buf[o++] = '*';
		} else {
			if (n > size - o - 2)
				n = size - o - 2;
			memcpy(buf + o, p, n);
			o += n;
		}
		p += strcspn(p, "/");
		if (*p == '/' && o + 2 < size) {
			buf[o++] = '/';
			p++;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* DNS name with every label but the last two masked. */
static const char *
mask_dns_name(const char *name, char *buf, size_t size)
{
	const char *keep = name + strlen(name);
	int dots = 0;
	size_t o = 0;

	while (keep > name) {
		if (keep[-1] == '.' && ++dots == 2)
			break;
		keep--;
	}
	for (const char *q = name; q < keep && o + 3 < size; q++)
		if (*q == '.') {
			buf[o++] = '*';
			buf[o++] = '.';
		}
	snprintf(buf + o, size - o, "%s", keep);
	return buf;
}

static void
put_http_request(struct jw *w, const struct http_summary *req, bool redact)
{
	char buf[HTTP_MAX_LINE];

	jw_obj_begin(w, "http");
	jw_obj_begin(w, "request");
	jw_str(w, "method", req->method);
	if (req->body_wire_len > 0) {
		jw_obj_begin(w, "body");
		jw_u64(w, "bytes", req->body_wire_len);
		jw_obj_end(w);
	}
	if (req->content_type != NULL)
		jw_str(w, "mime_type", req->content_type);
	if (req->referer != NULL && !redact)
		jw_str(w, "referrer", req->referer);
	else if (req->referer != NULL)
		jw_strn(w, "referrer", req->referer, strcspn(req->referer, "?#"));
	jw_obj_end(w);
	jw_str(w, "version", req->version_minor == 0 ? "1.0" : "1.1");
	jw_obj_end(w);
	jw_obj_begin(w, "url");
	if (!redact) {
		jw_str(w, "original", req->target);
		jw_str(w, "path", req->path);
		jw_str(w, "query", req->query);
	} else {
		if (req->path != NULL)
			jw_str(w, "path", mask_path(req->path, buf, sizeof(buf)));
		if (req->query != NULL)
			jw_str(w, "query", mask_query(req->query, buf, sizeof(buf)));
	}
	jw_obj_end(w);
	if (req->user_agent != NULL) {
		jw_obj_begin(w, "user_agent");
		jw_str(w, "original", req->user_agent);
		jw_obj_end(w);
	}
}

static const char *
body_state_name(enum http_body_state s)
{
	switch (s) {
	case HTTP_BODY_COMPLETE:
		return "complete";
	case HTTP_BODY_CUT:
		return "cut";
	case HTTP_BODY_PARTIAL:
		return "partial";
	case HTTP_BODY_DECODE_ERROR:
		return "decode_error";
	default:
		return NULL;
	}
}

static void
put_outflow_http(struct jw *w, const struct http_summary *req)
{
	jw_obj_begin(w, "http");
	if (req->host != NULL)
		jw_str(w, "host", req->host);
	if (req->content_encoding != NULL)
		jw_str(w, "content_encoding", req->content_encoding);
	if (req->transfer_encoding != NULL)
		jw_str(w, "transfer_encoding", req->transfer_encoding);
	if (req->x_requested_with != NULL)
		jw_str(w, "requested_with", req->x_requested_with);
	if (req->body_state != HTTP_BODY_NONE) {
		jw_str(w, "body_state",
		    body_state_name((enum http_body_state)req->body_state));
		jw_u64(w, "body_decoded_bytes", req->body_len);
	}
	jw_obj_end(w);
}

void
eve_flow(struct eve *e, const struct flow_record *r)
{
	const struct flow *f = r->flow;
	const struct flow_app *a = r->app;
	struct jw *w = begin(e, "outflow.flow", f->first_us,
	    cat_network, (const char *const[]){ "connection", "end", NULL });

	jw_time(w, "start", f->first_us);
	jw_time(w, "end", f->last_us);
	jw_u64(w, "duration", (f->last_us - f->first_us) * 1000);
	jw_obj_end(w);

	jw_obj_begin(w, "source");
	put_addr(w, "ip", &r->client);
	jw_u64(w, "port", r->client_port);
	if (f->has_mac)
		put_mac(w, "mac", f->client_mac);
	jw_u64(w, "bytes", f->bytes[FLOW_TO_SERVER]);
	jw_u64(w, "packets", f->pkts[FLOW_TO_SERVER]);
	jw_obj_end(w);

	jw_obj_begin(w, "destination");
	put_addr(w, "ip", &r->server);
	jw_u64(w, "port", r->server_port);
	if (r->domain != NULL)
		jw_str(w, "domain", r->domain);
	jw_u64(w, "bytes", f->bytes[FLOW_TO_CLIENT]);
	jw_u64(w, "packets", f->pkts[FLOW_TO_CLIENT]);
	if (r->country[0] != '\0') {
		jw_obj_begin(w, "geo");
		jw_str(w, "country_iso_code", r->country);
		jw_obj_end(w);
	}
	if (r->asn != 0) {
		jw_obj_begin(w, "as");
		jw_u64(w, "number", r->asn);
		if (r->as_org[0] != '\0') {
			jw_obj_begin(w, "organization");
			jw_str(w, "name", r->as_org);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);

	put_network(w, f, r->protocol);
	if (a != NULL && a->tls != NULL)
		put_tls(w, a->tls);
	if (a != NULL && a->http != NULL)
		put_http_request(w, a->http, e->redact);

	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	jw_str(w, "end_reason", flow_end_reason_name(r->why));
	if (r->domain != NULL)
		jw_str(w, "domain_source", domain_source_name(r->domain_src));
	if (f->flags & FLOW_F_MIDSTREAM)
		jw_bool(w, "midstream", true);
	if (r->geo_done && r->dest_local)
		jw_bool(w, "destination_local", true);
	if (a != NULL && a->tls != NULL) {
		jw_obj_begin(w, "tls");
		if (a->tls->ja4[0] != '\0')
			jw_str(w, "ja4", a->tls->ja4);
		jw_str(w, "alpn", tls_str(a->tls, TLS_STR_ALPN));
		if (a->tls->server_seen) {
			char cs[8];

			snprintf(cs, sizeof(cs), "0x%04x", a->tls->cipher);
			jw_str(w, "cipher", cs);
		}
		jw_obj_end(w);
	}
	if (a != NULL && a->http != NULL) {
		put_outflow_http(w, a->http);
		jw_u64(w, "http_requests", a->http_seen);
	}
	if (a != NULL && (a->dns_queries || a->dns_responses)) {
		jw_obj_begin(w, "dns");
		if (a->dns_qname != NULL && a->data != NULL &&
		    a->data->dns_name_sensitive && e->redact) {
			char nb[DNS_TEXT_MAX];

			jw_str(w, "first_question",
			    mask_dns_name(a->dns_qname, nb, sizeof(nb)));
		} else
			jw_str(w, "first_question", a->dns_qname);
		jw_u64(w, "queries", a->dns_queries);
		jw_u64(w, "responses", a->dns_responses);
		jw_obj_end(w);
	}
	if (r->app_id != NULL) {
		jw_obj_begin(w, "app");
		jw_str(w, "id", r->app_id);
		jw_str(w, "name", r->app_name);
		jw_str(w, "kind", r->app_kind);
		jw_str(w, "vendor", r->app_vendor);
		jw_str(w, "evidence", r->app_evidence);
		jw_u64(w, "confidence", r->app_confidence);
		jw_obj_end(w);
	}
	if (r->jur_location[0] || r->jur_operator[0] || r->jur_vendor[0]) {
		jw_obj_begin(w, "jurisdiction");
		if (r->jur_location[0])
			jw_str(w, "location", r->jur_location);
		if (r->jur_operator[0])
			jw_str(w, "operator", r->jur_operator);
		if (r->jur_vendor[0])
			jw_str(w, "vendor", r->jur_vendor);
		jw_obj_end(w);
	}
	if (r->operator_name != NULL) {
		jw_obj_begin(w, "operator");
		jw_str(w, "name", r->operator_name);
		jw_obj_end(w);
	}
	if (r->device_name != NULL) {
		jw_obj_begin(w, "device");
		jw_str(w, "name", r->device_name);
		jw_obj_end(w);
	}
	if (r->data != NULL && r->data->observations > 0) {
		const struct flow_data *fd = r->data;

		jw_obj_begin(w, "data");
		jw_arr_begin(w, "categories");
		for (uint8_t i = 0; i < fd->n_categories; i++)
			jw_str(w, NULL, fd->categories[i]);
		jw_arr_end(w);
		if (fd->n_identities > 0) {
			jw_arr_begin(w, "identities");
			for (uint8_t i = 0; i < fd->n_identities; i++)
				jw_str(w, NULL, fd->identities[i]);
			jw_arr_end(w);
		}
		jw_arr_begin(w, "permissions");
		for (uint8_t i = 0; i < fd->n_categories; i++)
			if (fd->permissions[i] != NULL)
				jw_str(w, NULL, fd->permissions[i]);
		jw_arr_end(w);
		jw_u64(w, "observations", fd->observations);
		jw_u64(w, "repeats", fd->repeats);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	end(e);
}

void
eve_observation(struct eve *e, const struct flow *f, const struct pii_obs *o,
    uint64_t ts_us)
{
	struct jw *w = begin(e, "outflow.observation", ts_us,
	    cat_network, (const char *const[]){ "info", NULL });
	const struct flow_app *a = f->app;

	jw_obj_end(w);
	put_message_endpoints(w, f, true, a != NULL &&
	    !(a->data != NULL && a->data->dns_name_sensitive) ?
	    flow_app_domain(a) : NULL,
	    app_proto_name((enum app_proto)f->app_proto));
	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	jw_obj_begin(w, "observation");
	jw_str(w, "category", o->category);
	jw_str(w, "where", pii_where_name(o->where));
	jw_str(w, "location", o->location);
	jw_str(w, "encoding", o->encoding);
	jw_str(w, "identity", o->identity);
	jw_u64(w, "confidence", o->confidence);
	jw_str(w, "masked", o->masked);
	jw_str(w, "hmac", o->hmac);
	if (o->permission_android != NULL || o->permission_ios != NULL) {
		jw_obj_begin(w, "permission");
		jw_str(w, "android", o->permission_android);
		jw_str(w, "ios", o->permission_ios);
		jw_obj_end(w);
	}
	if (o->raw[0] != '\0') {
		/* Only with raw_evidence: flagged so no reader mistakes it. */
		jw_str(w, "raw", o->raw);
		jw_bool(w, "raw_evidence", true);
	}
	jw_obj_end(w);
	jw_obj_end(w);
	end(e);
}

static const char *
rcode_name(uint8_t rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED" };

	return rcode < 6 ? names[rcode] : NULL;
}

static void
put_type(struct jw *w, const char *key, uint16_t type)
{
	const char *n = dns_type_name(type);
	char buf[16];

	if (n == NULL) {
		snprintf(buf, sizeof(buf), "TYPE%u", type);
		n = buf;
	}
	jw_str(w, key, n);
}

static void
put_resolved(const struct addr *a, uint32_t ttl, void *ctx)
{
	put_addr(ctx, NULL, a);
}

void
eve_dns(struct eve *e, const struct flow *f, int dir,
    const struct dns_msg *msg, bool sensitive, uint64_t ts_us)
{
	char nb[DNS_TEXT_MAX];
	bool mask = sensitive && e->redact;
	struct jw *w;
	char buf[ADDR_STRLEN];
	const char *rc;

	if (!msg->qr)
		return;
	w = begin(e, "outflow.dns", ts_us, cat_network,
	    (const char *const[]){ "protocol", NULL });
	jw_obj_end(w);

	/* The querier is the source, as for the flow. */
	(void)dir;
	put_message_endpoints(w, f, false, NULL, "dns");

	jw_obj_begin(w, "dns");
	jw_str(w, "type", "answer");
	jw_u64(w, "id", msg->id);
	if ((rc = rcode_name(msg->rcode)) != NULL)
		jw_str(w, "response_code", rc);
	else
		jw_u64(w, "response_code", msg->rcode);
	if (msg->has_question) {
		jw_obj_begin(w, "question");
		jw_str(w, "name", mask ? mask_dns_name(msg->qname, nb,
		    sizeof(nb)) : msg->qname);
		put_type(w, "type", msg->qtype);
		jw_obj_end(w);
	}
	if (msg->n_answers > 0) {
		jw_arr_begin(w, "answers");
		for (size_t i = 0; i < msg->n_answers; i++) {
			const struct dns_rr *rr = &msg->answers[i];

			jw_obj_begin(w, NULL);
			jw_str(w, "name", mask ? mask_dns_name(rr->name, nb,
			    sizeof(nb)) : rr->name);
			put_type(w, "type", rr->type);
			jw_u64(w, "ttl", rr->ttl);
			if (rr->addr.family != 0)
				jw_str(w, "data", addr_str(&rr->addr, buf, sizeof(buf)));
			else if (rr->target[0] != '\0')
				jw_str(w, "data", mask ? mask_dns_name(rr->target,
				    nb, sizeof(nb)) : rr->target);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_arr_begin(w, "resolved_ip");
		dns_msg_foreach_resolved(msg, put_resolved, w);
		jw_arr_end(w);
	}
	jw_obj_end(w);
	if (msg->answers_cut) {
		jw_obj_begin(w, "outflow");
		jw_bool(w, "dns_answers_cut", true);
		jw_obj_end(w);
	}
	end(e);
}

void
eve_http(struct eve *e, const struct flow *f, const struct http_request *req,
    uint64_t ts_us)
{
	struct jw *w = begin(e, "outflow.http", ts_us, cat_web,
	    (const char *const[]){ "protocol", NULL });
	struct http_summary v;

	/* The request's fields seen through the summary's layout. */
	memset(&v, 0, sizeof(v));
	v.method = req->method;
	v.target = req->target;
	v.path = req->path;
	v.query = req->query;
	v.host = req->host;
	v.user_agent = req->user_agent;
	v.content_type = req->content_type;
	v.content_encoding = req->content_encoding;
	v.transfer_encoding = req->transfer_encoding;
	v.x_requested_with = req->x_requested_with;
	v.referer = req->referer;
	v.body_wire_len = req->body_wire_len;
	v.body_len = (uint32_t)req->body_len;
	v.body_state = (uint8_t)req->body_state;
	v.version_minor = req->version_minor;

	jw_obj_end(w);
	put_message_endpoints(w, f, false, NULL, "http");
	put_http_request(w, &v, e->redact);
	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	put_outflow_http(w, &v);
	jw_obj_end(w);
	end(e);
}
