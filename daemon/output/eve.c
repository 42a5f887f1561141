/*
 * eve.c - JSON-lines events with ECS field names.
 *
 * Events are built one after another in one reusable buffer and written
 * in batches of whole lines, at least EVE_BATCH bytes at a time, by a
 * single fwrite on an unbuffered stream, so a reader never sees half a
 * line from us.  The batch is written when it fills, on eve_flush() and
 * at close; a live stream should call eve_flush() on a timer so events
 * do not wait for traffic.  Standard output is shared with other writers,
 * so there each event goes to stdio at once, in order with theirs.  A
 * sink (eve.h: syslog) gets each event as soon as it is built, with its
 * dataset and severity.
 * Strings that came from the network go through the JSON writer's
 * escaping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildconf.h"
#include "community_id.h"
#include "detect.h"
#include "dns.h"
#include "domain.h"
#include "ecs.h"
#include "eve.h"
#include "http.h"
#include "json.h"
#include "pii.h"
#include "policy.h"
#include "tls.h"
#include "tls_cipher.h"

/* RFC 5424 severities (section 6.2.1) that events carry to a sink. */
enum {
	EVE_SYSLOG_CRIT = 2,
	EVE_SYSLOG_ERR = 3,
	EVE_SYSLOG_WARNING = 4,
	EVE_SYSLOG_NOTICE = 5,
	EVE_SYSLOG_INFO = 6,
};

/* Bytes of whole events gathered before one write. */
#define EVE_BATCH (64 * 1024)

/* The kinds of event, each with its fixed event{} members. */
enum eve_kind {
	EVE_FLOW,
	EVE_FLOW_INTERIM,
	EVE_OBSERVATION,
	EVE_DNS,
	EVE_HTTP,
	EVE_FINDING,
	EVE_STATS,
	EVE_KIND__COUNT
};

static const struct {
	const char *kind;		/* event.kind */
	const char *dataset;
	const char *const *category, *const *type;
} eve_kinds[EVE_KIND__COUNT] = {
	[EVE_FLOW] = { "event", "outflow.flow", (const char *const[]){ "network", NULL },
	    (const char *const[]){ "connection", "end", NULL } },
	/* A flow still open: the daemon's interim record of it. */
	[EVE_FLOW_INTERIM] = { "event", "outflow.flow",
	    (const char *const[]){ "network", NULL },
	    (const char *const[]){ "connection", "info", NULL } },
	[EVE_OBSERVATION] = { "event", "outflow.observation",
	    (const char *const[]){ "network", NULL },
	    (const char *const[]){ "info", NULL } },
	[EVE_DNS] = { "event", "outflow.dns", (const char *const[]){ "network", NULL },
	    (const char *const[]){ "protocol", NULL } },
	[EVE_HTTP] = { "event", "outflow.http",
	    (const char *const[]){ "network", "web", NULL },
	    (const char *const[]){ "access", NULL } },
	/* A policy rule's judgement: what a SIEM lists as an alert. */
	[EVE_FINDING] = { "alert", "outflow.finding",
	    (const char *const[]){ "network", NULL },
	    (const char *const[]){ "info", NULL } },
	/* The sensor's own counters: an ECS metric event. */
	[EVE_STATS] = { "metric", "outflow.stats",
	    (const char *const[]){ "network", NULL },
	    (const char *const[]){ "info", NULL } },
};

/* A member list written once and copied into every event. */
struct frag {
	char *text;
	size_t len;
};

struct eve {
	FILE *fp;			/* NULL with a sink */
	char *path;			/* for eve_reopen() */
	bool is_stdout;
	const struct eve_sink_ops *sink;	/* or NULL: fp */
	void *sink_ctx;
	enum eve_kind kind;		/* of the event being built */
	int severity;			/* its syslog severity */
	uint64_t ts_us;			/* its time */
	struct eve_options opt;
	struct domain_psl *psl;		/* NULL: no public suffix split */
	struct domain_memo *psl_memo;	/* splits of names asked before */
	struct jw w;
	size_t start;			/* where the event being built starts */
	size_t batch;			/* write once this much is gathered */
	uint64_t pending;		/* events in the buffer, not yet written */
	uint64_t events;		/* counted when gathered, as stdio would */
	uint64_t write_errors;
	int io_err;			/* the first failed write's -errno */
	/* What every event repeats: ecs{}, observer{}, the start of event{}. */
	struct frag ecs, observer, event[EVE_KIND__COUNT];
	/*
	 * The flow's parts of the last finding event: its ends and related{}
	 * (part 0), its app, jurisdictions, operator and device (part 1).
	 * Several rules that hold at one moment give findings about the
	 * same flow record one after another; those after the first copy
	 * these rather than build them again.
	 */
	struct finding_memo {
		char *text;
		size_t cap, len[2];
		bool have_ends, valid;
	} memo;
};

/*
 * Keep what w holds as a fragment.  open: the last object is left open
 * (its closing brace is not kept) for jw_raw_open().
 */
static int
frag_take(struct frag *f, struct jw *w, bool open)
{
	size_t n = w->len - (open ? 1 : 0);

	if (w->oom || (f->text = malloc(n)) == NULL)
		return -ENOMEM;
	memcpy(f->text, w->buf, n);
	f->len = n;
	jw_truncate(w, 0);
	jw_next(w);
	return 0;
}

static int
build_frags(struct eve *e)
{
	struct jw w;
	int r = 0;

	if (jw_init(&w, 512) != 0)
		return -ENOMEM;
	jw_next(&w);
	jw_obj_begin(&w, "ecs");
	jw_str(&w, "version", EVE_ECS_VERSION);
	jw_obj_end(&w);
	r |= frag_take(&e->ecs, &w, false);
	/* The sensor that saw it, so events from several sensors, or from
	 * outflow and other tools, stay apart. */
	jw_obj_begin(&w, "observer");
	jw_str(&w, "type", "sensor");
	jw_str(&w, "vendor", "outflow");
	jw_str(&w, "product", "outflow");
	jw_str(&w, "version", OUTFLOW_VERSION);
	jw_str(&w, "hostname", e->opt.hostname);
	if (e->opt.interface != NULL) {
		jw_obj_begin(&w, "ingress");
		jw_obj_begin(&w, "interface");
		jw_str(&w, "name", e->opt.interface);
		jw_obj_end(&w);
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	r |= frag_take(&e->observer, &w, false);
	for (int k = 0; k < EVE_KIND__COUNT; k++) {
		jw_obj_begin(&w, "event");
		jw_str(&w, "kind", eve_kinds[k].kind);
		jw_str(&w, "module", "outflow");
		jw_str(&w, "dataset", eve_kinds[k].dataset);
		jw_arr_begin(&w, "category");
		for (const char *const *c = eve_kinds[k].category; *c; c++)
			jw_str(&w, NULL, *c);
		jw_arr_end(&w);
		jw_arr_begin(&w, "type");
		for (const char *const *t = eve_kinds[k].type; *t; t++)
			jw_str(&w, NULL, *t);
		jw_arr_end(&w);
		jw_obj_end(&w);
		r |= frag_take(&e->event[k], &w, true);
	}
	jw_free(&w);
	return r != 0 ? -ENOMEM : 0;
}

/* What a file and a sink alike need: copies of the options, fragments. */
static int
eve_init(struct eve *e, const char *name, const struct eve_options *opt,
    char *err, size_t errlen)
{
	e->opt = *opt;
	e->opt.hostname = e->opt.interface = NULL;
	if ((e->path = strdup(name)) == NULL || (opt->hostname != NULL &&
	    (e->opt.hostname = strdup(opt->hostname)) == NULL) ||
	    (opt->interface != NULL &&
	    (e->opt.interface = strdup(opt->interface)) == NULL) ||
	    build_frags(e) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	/* Without the list DNS events only lack the registered domain. */
	e->psl = domain_psl_load();
	if (e->psl != NULL && (e->psl_memo = domain_memo_new(e->psl)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	return 0;
}

int
eve_open(const char *path, const struct eve_options *opt, struct eve **ret,
    char *err, size_t errlen)
{
	struct eve *e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    jw_init(&e->w, 2 * EVE_BATCH) != 0) {
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
	} else {
		/* Our batches are whole lines: stdio must not split them. */
		setvbuf(e->fp, NULL, _IONBF, 0);
		e->batch = EVE_BATCH;
	}
	if (eve_init(e, path, opt, err, errlen) != 0) {
		eve_close(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

int
eve_open_sink(const struct eve_sink_ops *sink_ops, void *sink,
    const struct eve_options *opt, struct eve **ret, char *err,
    size_t errlen)
{
	struct eve *e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    jw_init(&e->w, 2 * EVE_BATCH) != 0) {
		free(e);
		sink_ops->close(sink);
		snprintf(err, errlen, "event sink: out of memory");
		return -ENOMEM;
	}
	e->sink = sink_ops;
	e->sink_ctx = sink;
	if (eve_init(e, "event sink", opt, err, errlen) != 0) {
		eve_close(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

/* Write the gathered events; stdio's buffer, if any, keeps its own. */
static int
write_batch(struct eve *e)
{
	struct jw *w = &e->w;
	int r = 0;

	if (w->len > 0 && fwrite(w->buf, 1, w->len, e->fp) != w->len) {
		/* Counted as written when gathered; they were lost. */
		e->events -= e->pending;
		e->write_errors += e->pending;
		r = errno != 0 ? -errno : -EIO;
		if (e->io_err == 0)
			e->io_err = r;
	}
	jw_reset(w);
	e->pending = 0;
	return r;
}

int
eve_flush(struct eve *e)
{
	int r;

	if (e == NULL)
		return 0;
	if (e->sink != NULL) {
		e->sink->flush(e->sink_ctx);
		return 0;
	}
	r = write_batch(e);
	/* stdout is buffered: what it held is lost, uncounted, but the
	 * run still fails (eve_write_error()). */
	if (fflush(e->fp) != 0 && r == 0) {
		r = errno != 0 ? -errno : -EIO;
		if (e->io_err == 0)
			e->io_err = r;
	}
	return r;
}

struct eve *
eve_close(struct eve *e)
{
	if (e == NULL)
		return NULL;
	eve_flush(e);
	if (e->sink != NULL)
		e->sink->close(e->sink_ctx);
	else if (!e->is_stdout)
		fclose(e->fp);
	jw_free(&e->w);
	domain_memo_free(e->psl_memo);
	domain_psl_free(e->psl);
	free(e->path);
	free((char *)e->opt.hostname);
	free((char *)e->opt.interface);
	free(e->ecs.text);
	free(e->observer.text);
	free(e->memo.text);
	for (int k = 0; k < EVE_KIND__COUNT; k++)
		free(e->event[k].text);
	free(e);
	return NULL;
}

static void
emit(struct eve *e)
{
	struct jw *w = &e->w;

	jw_newline(w);
	if (w->oom) {
		/* Drop this event only; those before it are whole. */
		jw_truncate(w, e->start);
		e->write_errors++;
		if (e->io_err == 0)
			e->io_err = -ENOMEM;
		return;
	}
	e->events++;
	if (e->sink != NULL) {
		struct eve_line l = {
			.json = w->buf + e->start,
			/* The sink frames it: no newline. */
			.len = w->len - e->start - 1,
			.dataset = eve_kinds[e->kind].dataset,
			.ts_us = e->ts_us,
			.severity = e->severity,
		};

		e->sink->put(e->sink_ctx, &l);
		jw_reset(w);
		return;
	}
	e->pending++;
	if (w->len >= e->batch)
		write_batch(e);
}

/*
 * Start an event: the top-level object with @timestamp, ecs{}, and
 * event{} with kind, module, dataset, category and type (built once per
 * kind) left open for the caller to add to and close.
 */
static struct jw *
begin(struct eve *e, enum eve_kind kind, uint64_t ts_us)
{
	struct jw *w = &e->w;

	e->start = w->len;
	e->kind = kind;
	e->ts_us = ts_us;
	e->severity = EVE_SYSLOG_INFO;
	jw_next(w);
	jw_obj_begin(w, NULL);
	jw_time(w, "@timestamp", ts_us);
	jw_raw(w, e->ecs.text, e->ecs.len);
	jw_raw_open(w, e->event[kind].text, e->event[kind].len);
	return w;
}

static void
put_addr(struct jw *w, const char *key, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	jw_plain(w, key, addr_str(a, buf, sizeof(buf)));
}

/*
 * The client and the server of an event, with their text: each address
 * appears in source or destination and again in related.ip, and is
 * formatted once.
 */
enum { END_CLIENT, END_SERVER };

struct ends {
	struct addr ip[2];
	char text[2][ADDR_STRLEN];
	size_t len[2];
};

static void
ends_set(struct ends *ends, const struct addr *client,
    const struct addr *server)
{
	ends->ip[END_CLIENT] = *client;
	ends->ip[END_SERVER] = *server;
	for (int i = END_CLIENT; i <= END_SERVER; i++)
		ends->len[i] = strlen(addr_str(&ends->ip[i], ends->text[i],
		    sizeof(ends->text[i])));
}

static void
put_end(struct jw *w, const char *key, const struct ends *ends, int which)
{
	jw_plainn(w, key, ends->text[which], ends->len[which]);
}


/* Close the event with observer{} (see build_frags()). */
static void
end(struct eve *e)
{
	struct jw *w = &e->w;

	jw_raw(w, e->observer.text, e->observer.len);
	jw_obj_end(w);
	emit(e);
}

/*
 * network.direction from the flow's ends on the LAN side (lan.h: the
 * configured LAN, or the never-routed ranges), as sorted when the flow
 * was created.
 */
static const char *
direction(const struct flow *f)
{
	bool cl = f->lan_ends & FLOW_LAN_CLIENT, sv = f->lan_ends & FLOW_LAN_SERVER;

	if (cl && sv)
		return "internal";
	if (cl)
		return "outbound";
	return sv ? "inbound" : "external";
}

/* network.iana_number: the IP protocol number, a keyword in ECS. */
static void
put_iana_number(struct jw *w, uint8_t proto)
{
	jw_u64_str(w, "iana_number", proto);
}

/*
 * related.ip and related.hosts: every address and name of the event, so
 * one search on an address or a name finds it whatever its role.  Names
 * repeat often (SNI, Host, DNS name); each is written once.
 */
#define RELATED_MAX 4

struct related {
	const struct ends *ends;
	const struct addr *extra_ip;	/* more addresses (DNS answers) */
	size_t n_extra_ip;
	const char *host[RELATED_MAX];
	size_t host_len[RELATED_MAX];
	size_t n_host;
};

static void
related_host(struct related *rel, const char *h, size_t len)
{
	if (h == NULL || len == 0 || rel->n_host == RELATED_MAX)
		return;
	/* The flow's domain is often its SNI, the very same string. */
	for (size_t i = 0; i < rel->n_host; i++)
		if (rel->host[i] == h || (rel->host_len[i] == len &&
		    memcmp(rel->host[i], h, len) == 0))
			return;
	rel->host[rel->n_host] = h;
	rel->host_len[rel->n_host++] = len;
}

static void
put_related(struct jw *w, const struct related *rel)
{
	const struct addr *ip = rel->ends->ip;

	jw_obj_begin(w, "related");
	jw_arr_begin(w, "ip");
	put_end(w, NULL, rel->ends, END_CLIENT);
	if (!addr_eq(&ip[END_CLIENT], &ip[END_SERVER]))
		put_end(w, NULL, rel->ends, END_SERVER);
	for (size_t i = 0; i < rel->n_extra_ip; i++) {
		const struct addr *a = &rel->extra_ip[i];
		bool seen = addr_eq(a, &ip[END_CLIENT]) ||
		    addr_eq(a, &ip[END_SERVER]);

		for (size_t j = 0; j < i && !seen; j++)
			seen = addr_eq(a, &rel->extra_ip[j]);
		if (!seen)
			put_addr(w, NULL, a);
	}
	jw_arr_end(w);
	if (rel->n_host > 0) {
		jw_arr_begin(w, "hosts");
		for (size_t i = 0; i < rel->n_host; i++)
			jw_strn(w, NULL, rel->host[i], rel->host_len[i]);
		jw_arr_end(w);
	}
	jw_obj_end(w);
}

/*
 * A Host header cut into url.domain and url.port: "name:port",
 * "[v6]:port" (brackets kept, as ECS asks), or no port.  A port that is
 * not a number from 1 to 65535 leaves the whole header as the domain.
 */
struct host_parts {
	const char *domain;
	size_t domain_len;
	uint16_t port;		/* 0: none */
	bool is_ip;		/* an address literal: no destination.domain */
};

static void
split_host(const char *host, struct host_parts *ret)
{
	size_t n = strlen(host), colon = n;
	bool digits_dots = true;

	ret->domain = host;
	ret->port = 0;
	ret->is_ip = host[0] == '[';
	if (ret->is_ip) {
		const char *rb = strchr(host, ']');

		if (rb != NULL && rb[1] == ':')
			colon = (size_t)(rb + 1 - host);
	} else if (strchr(host, ':') == strrchr(host, ':') &&
	    strchr(host, ':') != NULL) {
		colon = (size_t)(strchr(host, ':') - host);
	}
	if (colon < n && colon + 1 < n && n - colon - 1 <= 5) {
		unsigned long v = 0;
		size_t i;

		for (i = colon + 1; i < n && host[i] >= '0' && host[i] <= '9';
		    i++)
			v = v * 10 + (unsigned long)(host[i] - '0');
		if (i == n && v >= 1 && v <= 65535)
			ret->port = (uint16_t)v;
		else
			colon = n;
	} else {
		colon = n;
	}
	ret->domain_len = colon;
	for (size_t i = 0; i < colon && !ret->is_ip; i++)
		if (!(host[i] == '.' || (host[i] >= '0' && host[i] <= '9')))
			digits_dots = false;
	if (!ret->is_ip)
		ret->is_ip = digits_dots;
}

/*
 * network.community_id of the flow between client and server, so a SIEM
 * joins our events to Zeek's, Suricata's or a firewall's for the same
 * connection.
 */
static void
put_community_id(struct eve *e, const struct addr *cl, uint16_t cp,
    const struct addr *sv, uint16_t sp, uint8_t proto)
{
	struct community_id_tuple t = { .src = *cl, .dst = *sv, .sport = cp,
	    .dport = sp, .proto = proto };
	char id[COMMUNITY_ID_SIZE];

	if (community_id_v1(&t, e->opt.community_id_seed, id) == 0)
		jw_plainn(&e->w, "community_id", id, COMMUNITY_ID_SIZE - 1);
}

static const char *
transport_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "other";
}

/*
 * source{ip,port}, destination{ip,port[,domain]} and network{} of a
 * message event on flow f; the client and server are left in *ends for
 * related.ip.
 */
static void
put_message_endpoints(struct eve *e, const struct flow *f,
    const char *domain, size_t domain_len, const char *protocol,
    struct ends *ends)
{
	struct jw *w = &e->w;
	struct addr cl, sv;
	uint16_t cp, sp;

	flow_client(f, &cl, &cp);
	flow_server(f, &sv, &sp);
	ends_set(ends, &cl, &sv);
	jw_obj_begin(w, "source");
	put_end(w, "ip", ends, END_CLIENT);
	jw_u64(w, "port", cp);
	jw_obj_end(w);
	jw_obj_begin(w, "destination");
	put_end(w, "ip", ends, END_SERVER);
	jw_u64(w, "port", sp);
	if (domain != NULL)
		jw_strn(w, "domain", domain, domain_len);
	jw_obj_end(w);
	jw_obj_begin(w, "network");
	jw_plain(w, "transport", transport_name(f->key.proto));
	put_iana_number(w, f->key.proto);
	jw_plain(w, "type", f->key.family == 6 ? "ipv6" : "ipv4");
	jw_plain(w, "protocol", protocol);
	jw_plain(w, "direction", direction(f));
	put_community_id(e, &cl, cp, &sv, sp, f->key.proto);
	jw_obj_end(w);
}

static void
put_vlan(struct jw *w, uint32_t id)
{
	jw_obj_begin(w, "vlan");
	jw_u64_str(w, "id", id & 0xfff);
	jw_obj_end(w);
}

static void
put_network(struct eve *e, const struct flow_record *r)
{
	struct jw *w = &e->w;
	const struct flow *f = r->flow;
	const char *protocol = r->protocol;

	jw_obj_begin(w, "network");
	jw_plain(w, "transport", transport_name(f->key.proto));
	put_iana_number(w, f->key.proto);
	jw_plain(w, "type", f->key.family == 6 ? "ipv6" : "ipv4");
	if (protocol != NULL)
		jw_plain(w, "protocol", protocol);
	/* ECS: lower case, the service identified (our app id is). */
	jw_str(w, "application", r->app_id);
	jw_plain(w, "direction", direction(f));
	if (f->key.vlan != 0) {
		/* QinQ keys hold outer << 12 | inner; ECS ids are keywords. */
		put_vlan(w, f->key.vlan > 0xfff ? f->key.vlan >> 12 :
		    f->key.vlan);
		if (f->key.vlan > 0xfff) {
			jw_obj_begin(w, "inner");
			put_vlan(w, f->key.vlan & 0xfff);
			jw_obj_end(w);
		}
	}
	jw_u64(w, "bytes", f->bytes[0] + f->bytes[1]);
	jw_u64(w, "packets", (uint64_t)f->pkts[0] + f->pkts[1]);
	put_community_id(e, &r->client, r->client_port, &r->server,
	    r->server_port, f->key.proto);
	jw_obj_end(w);
}

/*
 * A TLS version as ECS writes it: "1.2" with version_protocol "tls", and
 * SSL 3.0 as "3.0" with "ssl".
 */
static const char *
tls_version_text(uint16_t v, const char **ret_protocol)
{
	*ret_protocol = v == 0x0300 ? "ssl" : "tls";
	return v == 0x0300 ? "3.0" : tls_version_ecs(v);
}

static void
put_tls(struct jw *w, const struct tls_info *t, const char *sni)
{
	const char *v, *proto, *alpn = tls_str(t, TLS_STR_ALPN);

	jw_obj_begin(w, "tls");
	/* Only what the server chose: the client's offer is not the
	 * version in use (it is outflow.tls.client_version). */
	if (t->server_seen && t->version != 0 &&
	    (v = tls_version_text(t->version, &proto)) != NULL) {
		jw_plain(w, "version", v);
		jw_plain(w, "version_protocol", proto);
	}
	if (t->server_seen && (v = tls_cipher_name(t->cipher)) != NULL)
		jw_plain(w, "cipher", v);
	jw_bool(w, "established", t->server_seen);
	if (alpn != NULL) {
		char first[64];
		size_t n = strcspn(alpn, ",");

		if (n >= sizeof(first))
			n = sizeof(first) - 1;
		/* IANA's ALPN ids are lower case, and ECS asks for it. */
		for (size_t i = 0; i < n; i++)
			first[i] = alpn[i] >= 'A' && alpn[i] <= 'Z' ?
			    (char)(alpn[i] - 'A' + 'a') : alpn[i];
		first[n] = '\0';
		jw_str(w, "next_protocol", first);
	}
	if (t->client_seen) {
		jw_obj_begin(w, "client");
		jw_str(w, "server_name", sni);
		/* None for gQUIC, whose CHLO is no TLS hello. */
		if (t->ja3[0] != '\0')
			jw_plain(w, "ja3", t->ja3);
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

static void
put_http_request(struct jw *w, const struct http_view *v)
{
	jw_obj_begin(w, "http");
	jw_obj_begin(w, "request");
	jw_str(w, "method", v->method);
	if (v->body_wire_len > 0) {
		jw_obj_begin(w, "body");
		jw_u64(w, "bytes", v->body_wire_len);
		jw_obj_end(w);
	}
	if (v->referrer != NULL)
		jw_strn(w, "referrer", v->referrer, v->referrer_len);
	jw_obj_end(w);
	jw_plain(w, "version", v->version_minor == 0 ? "1.0" : "1.1");
	jw_obj_end(w);
	jw_obj_begin(w, "url");
	if (v->host != NULL) {
		struct host_parts h;

		split_host(v->host, &h);
		jw_strn(w, "domain", h.domain, h.domain_len);
		if (h.port != 0)
			jw_u64(w, "port", h.port);
	}
	if (v->original != NULL) {
		jw_str(w, "original", v->original);
		jw_str(w, "path", v->path);
		jw_str(w, "query", v->query);
	} else {
		if (v->path != NULL)
			jw_str(w, "path", v->path);
		if (v->query != NULL)
			jw_str(w, "query", v->query);
	}
	jw_obj_end(w);
	if (v->user_agent != NULL) {
		jw_obj_begin(w, "user_agent");
		jw_str(w, "original", v->user_agent);
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
put_outflow_http(struct jw *w, const struct http_view *v)
{
	jw_obj_begin(w, "http");
	if (v->host != NULL)
		jw_str(w, "host", v->host);
	/* The header as sent: ECS's http.request.mime_type is sniffed. */
	if (v->mime_type != NULL)
		jw_str(w, "content_type", v->mime_type);
	if (v->content_encoding != NULL)
		jw_str(w, "content_encoding", v->content_encoding);
	if (v->transfer_encoding != NULL)
		jw_str(w, "transfer_encoding", v->transfer_encoding);
	if (v->requested_with != NULL)
		jw_str(w, "requested_with", v->requested_with);
	if (v->body_state != HTTP_BODY_NONE) {
		jw_plain(w, "body_state",
		    body_state_name((enum http_body_state)v->body_state));
		jw_u64(w, "body_decoded_bytes", v->body_len);
	}
	jw_obj_end(w);
}

/* outflow.app, .jurisdiction, .operator, .device: who is behind it. */
static void
put_outflow_who(struct jw *w, const struct flow_record *r)
{
	if (r->app_id != NULL) {
		jw_obj_begin(w, "app");
		jw_str(w, "id", r->app_id);
		jw_str(w, "name", r->app_name);
		jw_str(w, "kind", r->app_kind);
		jw_str(w, "vendor", r->app_vendor);
		jw_plain(w, "evidence", r->app_evidence);
		jw_u64(w, "confidence", r->app_confidence);
		jw_obj_end(w);
	}
	ecs_jurisdiction(w, r);
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
}

/* related{} of a flow or observation event: its endpoints and names. */
static void
put_flow_related(struct jw *w, const struct flow_record *r,
    const struct ends *ends)
{
	struct related rel = { .ends = ends };
	const char *sni;

	if (r->domain != NULL)
		related_host(&rel, r->domain, strlen(r->domain));
	if ((sni = r->sni) != NULL)
		related_host(&rel, sni, strlen(sni));
	if (r->has_http && r->http.host != NULL) {
		struct host_parts h;

		split_host(r->http.host, &h);
		if (!h.is_ip)
			related_host(&rel, h.domain, h.domain_len);
	}
	put_related(w, &rel);
}

static void
eve_flow(void *ctx, const struct flow_record *r)
{
	struct eve *e = ctx;
	const struct flow *f = r->flow;
	/* An interim record is dated when it is made, an end at the start. */
	struct jw *w = r->ended ? begin(e, EVE_FLOW, f->first_us) :
	    begin(e, EVE_FLOW_INTERIM, f->last_us);
	struct ends ends;

	ends_set(&ends, &r->client, &r->server);

	jw_time(w, "start", f->first_us);
	if (r->ended)
		jw_time(w, "end", f->last_us);
	jw_u64(w, "duration", (f->last_us - f->first_us) * 1000);
	if (r->ended)
		jw_plain(w, "reason", flow_end_reason_name(r->why));
	jw_obj_end(w);

	jw_obj_begin(w, "source");
	put_end(w, "ip", &ends, END_CLIENT);
	jw_u64(w, "port", r->client_port);
	if (r->client_mac != NULL)
		jw_plain(w, "mac", r->client_mac);
	jw_u64(w, "bytes", f->bytes[FLOW_TO_SERVER]);
	jw_u64(w, "packets", f->pkts[FLOW_TO_SERVER]);
	jw_obj_end(w);

	jw_obj_begin(w, "destination");
	put_end(w, "ip", &ends, END_SERVER);
	jw_u64(w, "port", r->server_port);
	if (r->domain != NULL)
		jw_str(w, "domain", r->domain);
	jw_u64(w, "bytes", f->bytes[FLOW_TO_CLIENT]);
	jw_u64(w, "packets", f->pkts[FLOW_TO_CLIENT]);
	ecs_destination_where(w, r);
	jw_obj_end(w);

	put_network(e, r);
	if (r->tls != NULL)
		put_tls(w, r->tls, r->sni);
	if (r->has_http)
		put_http_request(w, &r->http);
	put_flow_related(w, r, &ends);

	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	if (r->ended)
		jw_plain(w, "end_reason", flow_end_reason_name(r->why));
	else
		jw_bool(w, "interim", true);
	if (r->domain != NULL)
		jw_plain(w, "domain_source", domain_source_name(r->domain_src));
	if (r->proxy != NULL) {
		/* The destination address is the proxy's; this is where the
		 * client asked it to go. */
		jw_obj_begin(w, "proxy");
		jw_str(w, "type", r->proxy);
		jw_str(w, "target", r->proxy_target);
		jw_obj_end(w);
	}
	if (f->flags & FLOW_F_MIDSTREAM)
		jw_bool(w, "midstream", true);
	if (r->geo_done && r->dest_local)
		jw_bool(w, "destination_local", true);
	/* A gQUIC CHLO gives a name only: nothing to put here. */
	if (r->tls != NULL && (r->tls->client_max_version != 0 ||
	    r->tls->server_seen)) {
		jw_obj_begin(w, "tls");
		if (r->tls->ja4[0] != '\0')
			jw_str(w, "ja4", r->tls->ja4);
		jw_str(w, "alpn", tls_str(r->tls, TLS_STR_ALPN));
		if (!r->tls->server_seen || r->tls->version == 0) {
			const char *proto, *v = tls_version_text(
			    r->tls->client_max_version, &proto);

			jw_plain(w, "client_version", v);
		}
		if (r->tls->server_seen) {
			static const char hex[] = "0123456789abcdef";
			uint16_t c = r->tls->cipher;
			char cs[6] = { '0', 'x', hex[c >> 12 & 15],
			    hex[c >> 8 & 15], hex[c >> 4 & 15], hex[c & 15] };

			jw_plainn(w, "cipher", cs, sizeof(cs));
		}
		jw_obj_end(w);
	}
	if (r->has_http) {
		put_outflow_http(w, &r->http);
		jw_u64(w, "http_requests", r->http_requests);
	}
	if (r->has_dns) {
		jw_obj_begin(w, "dns");
		jw_str(w, "first_question", r->dns_first_question);
		jw_u64(w, "queries", r->dns_queries);
		jw_u64(w, "responses", r->dns_responses);
		jw_obj_end(w);
	}
	put_outflow_who(w, r);
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

/*
 * source{}, destination{} and network{} of an event about a flow still
 * open (an observation, a finding): endpoints without counters, the
 * server name given (NULL: none), and where the server is.
 */
static void
put_flow_ends(struct eve *e, const struct flow_record *r,
    const struct ends *ends, const char *domain)
{
	struct jw *w = &e->w;
	const struct flow *f = r->flow;

	jw_obj_begin(w, "source");
	put_end(w, "ip", ends, END_CLIENT);
	jw_u64(w, "port", r->client_port);
	if (r->client_mac != NULL)
		jw_plain(w, "mac", r->client_mac);
	jw_obj_end(w);
	jw_obj_begin(w, "destination");
	put_end(w, "ip", ends, END_SERVER);
	jw_u64(w, "port", r->server_port);
	jw_str(w, "domain", domain);
	ecs_destination_where(w, r);
	jw_obj_end(w);
	jw_obj_begin(w, "network");
	jw_plain(w, "transport", transport_name(f->key.proto));
	put_iana_number(w, f->key.proto);
	jw_plain(w, "type", f->key.family == 6 ? "ipv6" : "ipv4");
	jw_plain(w, "protocol", r->protocol);
	jw_str(w, "application", r->app_id);
	jw_plain(w, "direction", direction(f));
	put_community_id(e, &r->client, r->client_port, &r->server,
	    r->server_port, f->key.proto);
	jw_obj_end(w);
}

static void
eve_observation(void *ctx, const struct obs_record *or)
{
	struct eve *e = ctx;
	const struct flow_record *r = or->flow;
	const struct flow *f = r->flow;
	const struct pii_obs *o = or->obs;
	struct jw *w = begin(e, EVE_OBSERVATION, or->ts_us);
	struct ends ends;

	ends_set(&ends, &r->client, &r->server);
	jw_obj_end(w);
	put_flow_ends(e, r, &ends, or->domain);
	{
		struct related rel = { .ends = &ends };

		if (or->domain != NULL)
			related_host(&rel, or->domain, strlen(or->domain));
		put_related(w, &rel);
	}
	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	jw_obj_begin(w, "observation");
	jw_str(w, "category", o->category);
	jw_plain(w, "where", pii_where_name(o->where));
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
	put_outflow_who(w, r);
	jw_obj_end(w);
	end(e);
}

/* A finding's severity on the syslog scale: info stays informational. */
static int
syslog_severity(enum severity s)
{
	static const int level[SEVERITY__COUNT] = {
		[SEVERITY_INFO] = EVE_SYSLOG_INFO,
		[SEVERITY_LOW] = EVE_SYSLOG_NOTICE,
		[SEVERITY_MEDIUM] = EVE_SYSLOG_WARNING,
		[SEVERITY_HIGH] = EVE_SYSLOG_ERR,
		[SEVERITY_CRITICAL] = EVE_SYSLOG_CRIT,
	};

	return (unsigned)s < SEVERITY__COUNT ? level[s] : EVE_SYSLOG_INFO;
}

/*
 * Where the members written next start: after the comma the writer puts
 * before them when its level has members already.
 */
static size_t
memo_mark(const struct jw *w)
{
	return w->len + (w->need_comma[w->depth] ? 1 : 0);
}

/*
 * Keep what was written since mark as the memo's part: the ends first
 * (which forgets the memo), then the flow's who, which completes it.
 */
static void
memo_keep(struct finding_memo *m, const struct jw *w, size_t mark,
    unsigned part)
{
	size_t n = w->len > mark ? w->len - mark : 0;
	size_t at = part == 0 ? 0 : m->len[0];

	if (part == 0)
		m->valid = m->have_ends = false;
	else if (!m->have_ends)
		return;
	if (w->oom)
		return;
	if (at + n > m->cap) {
		size_t cap = (at + n) * 2 + 256;
		char *t;

		if ((t = realloc(m->text, cap)) == NULL)
			return;
		m->text = t;
		m->cap = cap;
	}
	memcpy(m->text + at, w->buf + mark, n);
	m->len[part] = n;
	if (part == 0)
		m->have_ends = true;
	else
		m->valid = true;
}

static void
memo_put(struct jw *w, const struct finding_memo *m, unsigned part)
{
	if (m->len[part] > 0)
		jw_raw(w, m->text + (part == 0 ? 0 : m->len[0]), m->len[part]);
}

/*
 * One finding: the rule (ECS rule.*, event.severity as a risk score and
 * outflow.finding.severity as its name), the flow as known when the rule
 * matched, and the evidence, redacted like every observation.
 */
static void
eve_finding(void *ctx, const struct finding_record *fr)
{
	struct eve *e = ctx;
	const struct flow_record *r = fr->flow;
	const struct flow *f = r->flow;
	const struct pii_obs *o = fr->evidence;
	struct jw *w = begin(e, EVE_FINDING, fr->last_us);
	struct ends ends;
	bool reuse;

	e->severity = syslog_severity(fr->severity);
	jw_u64(w, "severity", (uint64_t)severity_ecs(fr->severity));
	jw_time(w, "start", fr->first_us);
	jw_obj_end(w);
	jw_str(w, "message", fr->title);
	jw_obj_begin(w, "rule");
	jw_str(w, "id", fr->rule_id);
	jw_str(w, "name", fr->title_template);
	jw_str(w, "ruleset", fr->ruleset);
	if (fr->description != NULL)
		jw_str(w, "description", fr->description);
	if (fr->n_references > 0)
		jw_str(w, "reference", fr->references[0]);
	jw_obj_end(w);
	if (fr->n_tags > 0) {
		jw_arr_begin(w, "tags");
		for (size_t i = 0; i < fr->n_tags; i++)
			jw_str(w, NULL, fr->tags[i]);
		jw_arr_end(w);
	}
	reuse = fr->same_flow_as_previous && e->memo.valid;
	if (reuse)
		memo_put(w, &e->memo, 0);
	else {
		size_t mark = memo_mark(w);

		ends_set(&ends, &r->client, &r->server);
		put_flow_ends(e, r, &ends, r->domain);
		put_flow_related(w, r, &ends);
		memo_keep(&e->memo, w, mark, 0);
	}
	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", f->id);
	jw_obj_begin(w, "finding");
	jw_str(w, "severity", severity_name(fr->severity));
	if (fr->jurisdiction_by != NULL) {
		jw_str(w, "jurisdiction_by", fr->jurisdiction_by);
		jw_str(w, "jurisdiction", fr->jurisdiction);
	}
	jw_u64(w, "observations", fr->observations);
	if (o != NULL) {
		jw_obj_begin(w, "evidence");
		jw_str(w, "category", o->category);
		jw_str(w, "where", pii_where_name(o->where));
		jw_str(w, "location", o->location);
		jw_str(w, "encoding", o->encoding);
		jw_str(w, "identity", o->identity);
		jw_str(w, "masked", o->masked);
		jw_str(w, "hmac", o->hmac);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	if (fr->n_categories > 0) {
		jw_obj_begin(w, "data");
		jw_arr_begin(w, "categories");
		for (size_t i = 0; i < fr->n_categories; i++)
			jw_str(w, NULL, fr->categories[i]);
		jw_arr_end(w);
		jw_obj_begin(w, "permissions");
		jw_arr_begin(w, "android");
		for (size_t i = 0; i < fr->n_categories; i++)
			if (fr->permissions_android[i] != NULL)
				jw_str(w, NULL, fr->permissions_android[i]);
		jw_arr_end(w);
		jw_arr_begin(w, "ios");
		for (size_t i = 0; i < fr->n_categories; i++)
			if (fr->permissions_ios[i] != NULL)
				jw_str(w, NULL, fr->permissions_ios[i]);
		jw_arr_end(w);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	if (reuse)
		memo_put(w, &e->memo, 1);
	else {
		size_t mark = memo_mark(w);

		put_outflow_who(w, r);
		memo_keep(&e->memo, w, mark, 1);
	}
	jw_obj_end(w);
	end(e);
}

/*
 * The IANA registry's name of a response code (RFC 6895 "DNS RCODEs"),
 * else "RCODE" and the number, so dns.response_code is always a keyword.
 */
static const char *
rcode_name(uint8_t rcode, char *buf, size_t size)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
	    "NOTAUTH", "NOTZONE", "DSOTYPENI" };

	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(buf, size, "RCODE%u", rcode);
	return buf;
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
	jw_plain(w, key, n);
}

static void
eve_dns(void *ctx, const struct dns_record *dr)
{
	struct eve *e = ctx;
	const struct dns_msg *msg = dr->msg;
	struct jw *w;
	struct ends ends;
	char buf[ADDR_STRLEN];

	if (!e->opt.dns)
		return;
	w = begin(e, EVE_DNS, dr->ts_us);
	jw_obj_end(w);

	/* The querier is the source, as for the flow. */
	put_message_endpoints(e, dr->flow, NULL, 0, "dns", &ends);

	jw_obj_begin(w, "dns");
	jw_plain(w, "type", "answer");
	/* ECS keeps the id a keyword. */
	jw_u64_str(w, "id", msg->id);
	jw_plain(w, "response_code", rcode_name(msg->rcode, buf, sizeof(buf)));
	if (msg->has_question) {
		struct domain_parts dp;

		jw_obj_begin(w, "question");
		jw_str(w, "name", msg->qname);
		put_type(w, "type", msg->qtype);
		if (e->psl_memo != NULL &&
		    domain_split_memo(e->psl_memo, msg->qname, &dp) == 0) {
			jw_str(w, "registered_domain", dp.registered);
			jw_str(w, "top_level_domain", dp.tld);
			if (dp.subdomain[0] != '\0')
				jw_str(w, "subdomain", dp.subdomain);
		}
		jw_obj_end(w);
	}
	if (msg->n_answers > 0) {
		jw_arr_begin(w, "answers");
		for (size_t i = 0; i < msg->n_answers; i++) {
			const struct dns_rr *rr = &msg->answers[i];

			jw_obj_begin(w, NULL);
			jw_str(w, "name", rr->name);
			put_type(w, "type", rr->type);
			jw_u64(w, "ttl", rr->ttl);
			if (rr->addr.family != 0)
				jw_plain(w, "data", addr_str(&rr->addr, buf, sizeof(buf)));
			else if (rr->target[0] != '\0')
				jw_str(w, "data", rr->target);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_arr_begin(w, "resolved_ip");
		for (size_t i = 0; i < dr->n_resolved; i++)
			put_addr(w, NULL, &dr->resolved[i]);
		jw_arr_end(w);
	}
	jw_obj_end(w);
	{
		struct related rel = { .ends = &ends,
		    .extra_ip = dr->resolved, .n_extra_ip = dr->n_resolved };

		if (msg->has_question)
			related_host(&rel, msg->qname, strlen(msg->qname));
		put_related(w, &rel);
	}
	if (msg->answers_cut) {
		jw_obj_begin(w, "outflow");
		jw_bool(w, "dns_answers_cut", true);
		jw_obj_end(w);
	}
	end(e);
}

static void
eve_http(void *ctx, const struct http_record *hr)
{
	struct eve *e = ctx;
	struct host_parts h = { 0 };
	struct ends ends;
	struct jw *w;

	if (!e->opt.http)
		return;
	/* ECS's web category has no "protocol" type: a request is access. */
	w = begin(e, EVE_HTTP, hr->ts_us);
	jw_obj_end(w);
	if (hr->http.host != NULL)
		split_host(hr->http.host, &h);
	/* The Host names the server unless it is an address. */
	put_message_endpoints(e, hr->flow, h.domain != NULL && !h.is_ip ?
	    h.domain : NULL, h.domain_len, "http", &ends);
	put_http_request(w, &hr->http);
	{
		struct related rel = { .ends = &ends };

		if (h.domain != NULL && !h.is_ip)
			related_host(&rel, h.domain, h.domain_len);
		put_related(w, &rel);
	}
	jw_obj_begin(w, "outflow");
	jw_u64(w, "flow_id", hr->flow->id);
	put_outflow_http(w, &hr->http);
	jw_obj_end(w);
	end(e);
}

int
eve_reopen(struct eve *e, char *err, size_t errlen)
{
	FILE *fp;
	int r;

	eve_flush(e);
	if (e->is_stdout || e->sink != NULL)
		return 0;
	if ((fp = fopen(e->path, "a")) == NULL) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot reopen event file: %s",
		    e->path, strerror(errno));
		return r;
	}
	setvbuf(fp, NULL, _IONBF, 0);
	fclose(e->fp);
	e->fp = fp;
	return 0;
}

static void
put_counters(struct jw *w, const char *key, const struct run_counter *c,
    size_t n)
{
	jw_obj_begin(w, key);
	for (size_t i = 0; i < n; i++)
		if (c[i].value > 0)
			jw_u64(w, c[i].name, c[i].value);
	jw_obj_end(w);
}

/*
 * outflow.stats: the sensor's counters, all under outflow.stats (ECS has
 * no fields for them).  Counters are totals since the start, so a lost
 * event loses nothing but its point in time.
 */
static void
eve_stats(void *ctx, const struct run_stats *s)
{
	struct eve *e = ctx;
	struct jw *w;

	if (!e->opt.stats)
		return;
	w = begin(e, EVE_STATS, s->at_us);
	jw_obj_end(w);
	jw_obj_begin(w, "outflow");
	jw_obj_begin(w, "stats");
	jw_bool(w, "final", s->final);
	jw_u64(w, "packets", s->packets);
	jw_u64(w, "bytes", s->bytes);
	if (s->live) {
		jw_obj_begin(w, "capture");
		jw_u64(w, "received", s->capture_received);
		jw_u64(w, "kernel_dropped", s->capture_kernel_drops);
		jw_u64(w, "interface_dropped", s->capture_if_drops);
		jw_obj_end(w);
	}
	put_counters(w, "decode", s->decode, s->n_decode);
	put_counters(w, "anomalies", s->anomalies, s->n_anomalies);
	jw_obj_begin(w, "flows");
	jw_u64(w, "created", s->flows);
	jw_u64(w, "active", s->active_flows);
	jw_u64(w, "peak", s->peak_flows);
	jw_u64(w, "capacity", s->max_flows);
	jw_obj_begin(w, "ended");
	for (int i = 0; i < FLOW_END__COUNT; i++)
		jw_u64(w, flow_end_reason_name((enum flow_end_reason)i),
		    s->flows_ended[i]);
	jw_obj_end(w);
	jw_obj_end(w);
	put_counters(w, "applayer", s->applayer, s->n_applayer);
	if (s->pii_enabled) {
		jw_obj_begin(w, "personal_data");
		jw_u64(w, "observations", s->pii_observations);
		jw_u64(w, "bytes_scanned", s->pii_bytes_scanned);
		jw_u64(w, "bytes_cut", s->pii_bytes_cut);
		jw_obj_end(w);
	}
	/* Counted before this one was written. */
	jw_obj_begin(w, "events");
	jw_u64(w, "written", s->events);
	jw_u64(w, "lost", s->event_write_errors);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	end(e);
	eve_flush(e);
}

static void
eve_counts(const void *ctx, uint64_t *ret_written, uint64_t *ret_errors)
{
	const struct eve *e = ctx;
	uint64_t lost = e->sink != NULL ? e->sink->lost(e->sink_ctx) : 0;

	*ret_written = e->events - lost;
	*ret_errors = e->write_errors + lost;
}

static int
eve_write_error(const void *ctx)
{
	const struct eve *e = ctx;

	return e->io_err;
}

static void
eve_flush_output(void *ctx)
{
	eve_flush(ctx);
}

static void
eve_finish_output(void *ctx)
{
	struct eve *e = ctx;

	if (e->sink != NULL)
		e->sink->finish(e->sink_ctx);
}

static void
eve_close_output(void *ctx)
{
	eve_close(ctx);
}

const struct output_ops eve_output_ops = {
	.name = "eve",
	.flow = eve_flow,
	.observation = eve_observation,
	.dns = eve_dns,
	.http = eve_http,
	.finding = eve_finding,
	.flush = eve_flush_output,
	.finish = eve_finish_output,
	.stats = eve_stats,
	.counts = eve_counts,
	.write_error = eve_write_error,
	.close = eve_close_output,
};
