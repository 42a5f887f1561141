/*
 * applayer.c - protocol recognition and parser dispatch per flow.
 *
 * Recognition looks at the first client bytes, not only at ports: TLS on
 * port 80 and HTTP on 8443 are both common on phones.  DNS is recognised
 * by port (53, and 5353 for mDNS), DHCP by its port pair, QUIC by the
 * shape of its Initial.
 *
 * TCP data goes through the bounded reassembly window of its direction.
 * The first in-order segment is parsed in place; a buffer is taken only
 * when a message spans segments, grows to what the message needs (never
 * past the window), and is released as soon as the direction is done or,
 * for HTTP and DNS over TCP, as soon as every byte in it belongs to a
 * parsed message: the window then slides on, so later requests on a
 * keep-alive connection are parsed in place too, up to inspect_limit bytes
 * per direction.  The many flows whose first segment says it all never
 * allocate a buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "dhcp.h"
#include "dns.h"
#include "proxy.h"
#include "quic.h"
#include "tls.h"

#define PORT_DNS 53
#define PORT_MDNS 5353
#define PORT_DHCP_SERVER 67
#define PORT_DHCP_CLIENT 68
/* Client datagrams fed to QUIC before giving up on a ClientHello. */
#define QUIC_MAX_INITIALS 8
/* Segments with data seen before giving up on recognition. */
#define RECOGNISE_MAX_SEGMENTS 4
/* First size of a reassembly buffer; it doubles up to the window. */
#define STREAM_BUF_MIN 1024

struct applayer {
	struct applayer_config cfg;
	struct applayer_stats st;
	uint64_t buf_bytes;			/* reassembly memory in use */
	struct dns_msg dns;			/* scratch, large */
	struct tls_client_hello ch;		/* scratch */
	struct tls_server_hello sh;		/* scratch */
	struct dhcp_msg dhcp;			/* scratch */
	/* The parsers' state kept between flows, this pipeline's only. */
	struct quic_ctx *quic;
	struct tls_ctx *tls;
	struct http_ctx *http;
};

struct applayer *
applayer_new(const struct applayer_config *cfg)
{
	struct applayer *al;

	if ((al = calloc(1, sizeof(*al))) == NULL)
		return NULL;
	al->cfg = *cfg;
	if ((al->quic = quic_ctx_new()) == NULL ||
	    (al->tls = tls_ctx_new()) == NULL ||
	    (al->http = http_ctx_new()) == NULL)
		return applayer_free(al);
	return al;
}

struct applayer *
applayer_free(struct applayer *al)
{
	if (al == NULL)
		return NULL;
	quic_ctx_free(al->quic);
	tls_ctx_free(al->tls);
	http_ctx_free(al->http);
	free(al);
	return NULL;
}

const struct applayer_stats *
applayer_stats(const struct applayer *al)
{
	return &al->st;
}

void
applayer_stats_foreach(const struct applayer *al,
    void (*cb)(const char *name, uint64_t v, void *ctx), void *ctx)
{
#define APPLAYER_EMIT(f, s) cb(s, al->st.f, ctx);
	APPLAYER_COUNTERS(APPLAYER_EMIT)
#undef APPLAYER_EMIT
}

const char *
app_proto_name(enum app_proto p)
{
	switch (p) {
	case APP_PROTO_DNS:
		return "dns";
	case APP_PROTO_TLS:
		return "tls";
	case APP_PROTO_QUIC:
		return "quic";
	case APP_PROTO_HTTP:
		return "http";
	case APP_PROTO_DHCP:
		return "dhcp";
	default:
		return NULL;
	}
}

const char *
domain_source_name(enum domain_source s)
{
	switch (s) {
	case DOMAIN_SRC_SNI:
		return "sni";
	case DOMAIN_SRC_HTTP_HOST:
		return "http_host";
	case DOMAIN_SRC_DNS:
		return "dns";
	case DOMAIN_SRC_CONNECT:
		return "connect";
	case DOMAIN_SRC_SOCKS:
		return "socks";
	default:
		return NULL;
	}
}

/* Exact-size copy of a network string, or NULL for empty/absent. */
static char *
dup_str(const char *s, size_t max)
{
	size_t n;
	char *d;

	if (s == NULL || s[0] == '\0')
		return NULL;
	n = strnlen(s, max);
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
release_buf(struct applayer *al, struct stream_dir *s)
{
	if (s->buf != NULL) {
		al->buf_bytes -= s->buf_size + STREAM_BUF_OVERHEAD;
		stream_buf_free(s);
	}
}

/* Grow s->buf to hold at least `need` window bytes (doubling, capped). */
static bool
grow_buf(struct applayer *al, struct stream_dir *s, uint32_t need)
{
	uint32_t size = s->buf_size ? s->buf_size : STREAM_BUF_MIN;
	uint64_t more;

	if (need <= s->buf_size)
		return true;
	while (size < need)
		size *= 2;
	if (size > s->cap)
		size = s->cap;
	more = size - s->buf_size + (s->buf == NULL ? STREAM_BUF_OVERHEAD : 0);
	if (al->buf_bytes + more > al->cfg.stream_memcap ||
	    !stream_buf_resize(s, size)) {
		al->st.stream_no_memory++;
		return false;
	}
	al->buf_bytes += more;
	return true;
}

/*
 * Nothing more is wanted from this direction.  The flow record keeps a
 * copy of the bit, so later packets of the direction (bulk data, nearly
 * all of a flow) are dropped without reading the app state.
 */
static void
dir_done(struct applayer *al, struct flow *f, int dir)
{
	struct flow_app *a = f->app;

	f->app_flags |= (uint8_t)(APP_F_DONE_TO_SERVER << dir);
	a->done[dir] = 1;
	if (a->st == NULL)
		return;
	release_buf(al, &a->st->dir[dir]);
	if (a->done[0] && a->done[1]) {
		free(a->st);
		a->st = NULL;
	}
}

static struct flow_app *
app_get(struct flow *f)
{
	if (f->app == NULL)
		f->app = calloc(1, sizeof(*f->app));
	return f->app;
}

static struct app_streams *
streams_get(struct flow_app *a)
{
	if (a->st == NULL)
		a->st = calloc(1, sizeof(*a->st));
	return a->st;
}

static void
give_up(struct applayer *al, struct flow *f)
{
	f->app_proto = APP_PROTO_NONE;
	applayer_flow_free(al, f);
}

static void
set_domain(struct flow_app *a, const char *name, enum domain_source src)
{
	if (a->domain_src != DOMAIN_SRC_NONE || name == NULL || name[0] == '\0')
		return;
	if ((a->domain = dup_str(name, APPLAYER_NAME_MAX - 1)) != NULL)
		a->domain_src = (uint8_t)src;
}

/*
 * In a tunnel, the name the proxy was asked for gives way to the one the
 * client then tells the server (SNI, Host), as a direct flow would have.
 */
static void
drop_proxy_domain(struct flow_app *a)
{
	if (a->domain_src != DOMAIN_SRC_CONNECT &&
	    a->domain_src != DOMAIN_SRC_SOCKS)
		return;
	free(a->domain);
	a->domain = NULL;
	a->domain_src = DOMAIN_SRC_NONE;
}

/* Host header without a port ("example.com:8080" -> "example.com"). */
static void
set_domain_from_host(struct flow_app *a, const char *host)
{
	char h[APPLAYER_NAME_MAX];
	char *colon;

	if (host == NULL)
		return;
	snprintf(h, sizeof(h), "%s", host);
	/* An IPv6 literal keeps its colons inside brackets. */
	if (h[0] != '[' && (colon = strrchr(h, ':')) != NULL)
		*colon = '\0';
	if (h[0] != '\0')
		drop_proxy_domain(a);
	set_domain(a, h, DOMAIN_SRC_HTTP_HOST);
}

/* The flow's TLS block, made with room for `room` bytes of strings. */
static struct tls_info *
tls_get(struct flow_app *a, size_t room)
{
	if (a->tls == NULL)
		a->tls = calloc(1, sizeof(*a->tls) + room);
	return a->tls;
}

/*
 * Append network strings to t's block as strings first, first + 1, ...;
 * an empty or absent one stays absent.  Returns the block, which may have
 * moved; on allocation failure the strings are left out.
 */
static struct tls_info *
tls_add_strings(struct tls_info *t, enum tls_string first,
    const char *const *src, size_t n)
{
	size_t len[TLS_STR__COUNT], total = t->strings_len, o = t->strings_len;
	struct tls_info *nt;

	if (first + n > TLS_STR__COUNT)
		return t;
	for (size_t i = 0; i < n; i++) {
		len[i] = src[i] != NULL ? strnlen(src[i], TLS_NAME_MAX) : 0;
		total += len[i] > 0 ? len[i] + 1 : 0;
	}
	if (total == t->strings_len || total > UINT16_MAX)
		return t;
	/* A block made for these strings already has the room. */
	if ((nt = realloc(t, sizeof(*t) + total)) == NULL)
		return t;
	for (size_t i = 0; i < n; i++) {
		if (len[i] == 0)
			continue;
		memcpy(nt->strings + o, src[i], len[i]);
		nt->strings[o + len[i]] = '\0';
		nt->str[first + i] = (uint16_t)(o + 1);
		o += len[i] + 1;
	}
	nt->strings_len = (uint16_t)total;
	return nt;
}

/* Keep what a ClientHello says; tell the pipeline when it named the
 * server, so a flow is judged as soon as its app may be known. */
static void
keep_client_hello(struct applayer *al, struct flow *f, struct flow_app *a,
    const struct tls_client_hello *ch, uint64_t ts_us)
{
	const char *src[2] = { ch->sni, ch->alpn };
	struct tls_info *t = tls_get(a, strnlen(ch->sni, TLS_NAME_MAX) +
	    strnlen(ch->alpn, TLS_NAME_MAX) + 2);

	if (t == NULL || t->client_seen)
		return;
	t->client_seen = true;
	t->client_max_version = ch->max_version;
	memcpy(t->ja3, ch->ja3, sizeof(t->ja3));
	t->ja3[sizeof(t->ja3) - 1] = '\0';
	memcpy(t->ja4, ch->ja4, sizeof(t->ja4));
	t->ja4[sizeof(t->ja4) - 1] = '\0';
	a->tls = tls_add_strings(t, TLS_STR_SNI, src, 2);
	/* The name is kept once, in the TLS block (flow_app_domain()). */
	if (a->tls->str[TLS_STR_SNI] != 0)
		drop_proxy_domain(a);
	if (a->domain_src == DOMAIN_SRC_NONE && a->tls->str[TLS_STR_SNI] != 0) {
		a->domain_src = DOMAIN_SRC_SNI;
		if (al->cfg.on_name != NULL)
			al->cfg.on_name(f, ts_us, al->cfg.ctx);
	}
}

static void
keep_server_hello(struct flow_app *a, const struct tls_server_hello *sh)
{
	const char *src[3] = { sh->cert_subject, sh->cert_issuer,
	    sh->cert_org };
	struct tls_info *t = tls_get(a, 0);

	if (t == NULL || t->server_seen)
		return;
	t->server_seen = true;
	t->version = sh->version;
	t->cipher = sh->cipher;
	t->have_cert = sh->have_cert;
	if (sh->have_cert)
		a->tls = tls_add_strings(t, TLS_STR_CERT_SUBJECT, src, 3);
}

/* Keep the first request's fields in one exact-size block. */
static struct http_summary *
summarize_http(const struct http_request *req)
{
	const char *const src[] = { req->method, req->target, req->path,
	    req->query, req->host, req->user_agent, req->content_type,
	    req->content_encoding, req->transfer_encoding,
	    req->x_requested_with, req->referer };
	const char **dst[11];
	struct http_summary *h;
	size_t total = 0, o = 0;

	for (size_t i = 0; i < 11; i++)
		total += src[i] ? strnlen(src[i], HTTP_MAX_LINE) + 1 : 0;
	if ((h = calloc(1, sizeof(*h) + total)) == NULL)
		return NULL;
	dst[0] = &h->method;
	dst[1] = &h->target;
	dst[2] = &h->path;
	dst[3] = &h->query;
	dst[4] = &h->host;
	dst[5] = &h->user_agent;
	dst[6] = &h->content_type;
	dst[7] = &h->content_encoding;
	dst[8] = &h->transfer_encoding;
	dst[9] = &h->x_requested_with;
	dst[10] = &h->referer;
	for (size_t i = 0; i < 11; i++) {
		size_t n;

		if (src[i] == NULL)
			continue;
		n = strnlen(src[i], HTTP_MAX_LINE);
		memcpy(h->strings + o, src[i], n);
		h->strings[o + n] = '\0';
		*dst[i] = h->strings + o;
		o += n + 1;
	}
	h->body_wire_len = req->body_wire_len;
	h->body_len = (uint32_t)req->body_len;
	h->body_state = (uint8_t)req->body_state;
	h->version_minor = req->version_minor;
	return h;
}

/* Account a parsed DNS message (in al->dns) and hand it on. */
static void
dns_message(struct applayer *al, struct flow *f, int dir, uint64_t ts_us)
{
	struct flow_app *a = f->app;

	al->st.dns_messages++;
	if (al->dns.qr)
		a->dns_responses++;
	else
		a->dns_queries++;
	if (a->dns_qname == NULL && al->dns.has_question)
		a->dns_qname = dup_str(al->dns.qname, APPLAYER_NAME_MAX - 1);
	if (al->cfg.on_dns != NULL)
		al->cfg.on_dns(f, dir, &al->dns, ts_us, al->cfg.ctx);
}

static bool parse_dir(struct applayer *al, struct flow *f, int dir,
    const uint8_t *data, uint32_t len, uint32_t *parsed, bool final,
    uint64_t ts_us);

/*
 * A flow through a proxy: get past this direction's handshake (at
 * *parsed, which moves past it) to the tunnel.  PARSE_OK when the tunnel
 * holds TLS, PARSE_NEED_MORE, PARSE_UNSUPPORTED when the client speaks
 * HTTP in it (the flow is HTTP from now on), PARSE_MALFORMED when the
 * direction is done with (a broken or refused handshake, or a tunnel that
 * carries something else).
 */
static enum parse_status
tunnel_open(struct applayer *al, struct flow *f, struct flow_app *a, int dir,
    const uint8_t *data, uint32_t len, uint32_t *parsed)
{
	struct parse_result r;
	const uint8_t *t;
	uint32_t n;

	if (!a->tunnel[dir]) {
		if (dir == FLOW_TO_SERVER) {
			struct proxy_request req;

			r = proxy_client_parse(data + *parsed, len - *parsed,
			    &req);
			if (r.st == PARSE_OK) {
				if (req.kind == PROXY_CONNECT)
					al->st.proxy_connect++;
				else if (req.kind == PROXY_SOCKS5)
					al->st.proxy_socks5++;
				else
					al->st.proxy_socks4++;
				if (req.name[0] != '\0' && a->proxy_target == NULL)
					a->proxy_target = dup_str(req.name,
					    APPLAYER_NAME_MAX - 1);
				/* The SNI, when the hello has one, takes over. */
				set_domain(a, req.name, req.kind == PROXY_CONNECT ?
				    DOMAIN_SRC_CONNECT : DOMAIN_SRC_SOCKS);
			}
		} else
			r = proxy_server_parse((enum proxy_kind)a->proxy,
			    data + *parsed, len - *parsed);
		if (r.st == PARSE_NEED_MORE)
			return r.st;
		if (r.st != PARSE_OK) {
			if (r.st == PARSE_UNSUPPORTED)
				al->st.proxy_refused++;
			else {
				/* Not a proxy after all: nothing we read. */
				al->st.proxy_malformed++;
				a->proxy = PROXY_NONE;
				f->app_proto = APP_PROTO_NONE;
			}
			return PARSE_MALFORMED;
		}
		*parsed += r.consumed;
		a->tunnel[dir] = 1;
	}
	if (dir == FLOW_TO_CLIENT)
		return PARSE_OK;
	/* The client's first bytes in the tunnel say what it carries. */
	t = data + *parsed;
	n = len - *parsed;
	if (n < 6)
		return PARSE_NEED_MORE;
	if (tls_looks_like_handshake(t, n))
		return PARSE_OK;
	if (http_looks_like_request(t, n)) {
		f->app_proto = APP_PROTO_HTTP;
		return PARSE_UNSUPPORTED;
	}
	/* SSH, a VPN...: the flow keeps its proxy, not the "tls" label. */
	al->st.proxy_tunnel_other++;
	f->app_proto = APP_PROTO_NONE;
	return PARSE_MALFORMED;
}

/*
 * Parse what the direction holds.  data/len is the window from its start
 * (the stream buffer or, on the fast path, the segment).  *parsed is where
 * the next message starts in it.  final: no more bytes will come.
 * Returns true when the direction wants no more.
 */
static bool
parse_dir(struct applayer *al, struct flow *f, int dir, const uint8_t *data,
    uint32_t len, uint32_t *parsed, bool final, uint64_t ts_us)
{
	struct flow_app *a = f->app;
	struct parse_result r;

	switch (f->app_proto) {
	case APP_PROTO_TLS:
		if (a->proxy != PROXY_NONE) {
			switch (tunnel_open(al, f, a, dir, data, len, parsed)) {
			case PARSE_OK:
				break;
			case PARSE_NEED_MORE:
				return final;
			case PARSE_UNSUPPORTED:	/* HTTP in the tunnel */
				return parse_dir(al, f, dir, data, len, parsed,
				    final, ts_us);
			default:
				return true;
			}
			/* The tunnel's bytes follow the handshake. */
			data += *parsed;
			len -= *parsed;
		}
		if (dir == FLOW_TO_SERVER) {
			r = tls_client_hello_from_records(al->tls, data, len,
			    &al->ch);
			if (r.st == PARSE_OK) {
				al->st.tls_client_hellos++;
				keep_client_hello(al, f, a, &al->ch, ts_us);
				return true;
			}
		} else {
			r = tls_server_from_records(al->tls, data, len,
			    &al->sh);
			if (r.st == PARSE_OK || (final && al->sh.version != 0)) {
				al->st.tls_server_hellos++;
				keep_server_hello(a, &al->sh);
				return true;
			}
		}
		if (r.st == PARSE_NEED_MORE)
			return final;
		al->st.tls_malformed++;
		return true;
	case APP_PROTO_HTTP:
		if (dir == FLOW_TO_CLIENT)
			return true;
		/* Pipelined requests: bounded by the window size. */
		while (*parsed < len) {
			struct http_request req;

			r = http_request_parse(al->http, data + *parsed,
			    len - *parsed, al->cfg.max_body, final, &req);
			if (r.st == PARSE_NEED_MORE)
				return final;
			if (r.st != PARSE_OK || r.consumed == 0) {
				al->st.http_malformed++;
				return true;
			}
			al->st.http_requests++;
			a->http_seen++;
			*parsed += r.consumed;
			set_domain_from_host(a, req.host);
			/* First, so what is seen in this request can name the app. */
			if (a->http == NULL)
				a->http = summarize_http(&req);
			if (al->cfg.on_http != NULL)
				al->cfg.on_http(f, &req, ts_us, al->cfg.ctx);
			http_request_clear(&req);
		}
		return final;
	case APP_PROTO_DNS:
		/* DNS over TCP: length-prefixed messages, both directions. */
		while (*parsed < len) {
			r = dns_parse_tcp(data + *parsed, len - *parsed, &al->dns);
			if (r.st == PARSE_NEED_MORE)
				return final;
			if (r.consumed == 0) {
				al->st.dns_malformed++;
				return true;
			}
			/* A broken message in a whole frame is skipped. */
			if (r.st == PARSE_OK)
				dns_message(al, f, dir, ts_us);
			else
				al->st.dns_malformed++;
			*parsed += r.consumed;
		}
		return final;
	default:
		return true;
	}
}

/* Decide the protocol of a TCP flow from the first client bytes. */
static enum app_proto
recognise_tcp(struct flow_app *a, const uint8_t *d, uint32_t n)
{
	enum proxy_kind k;

	if (tls_looks_like_handshake(d, n))
		return APP_PROTO_TLS;
	/* A proxy's handshake, then (we expect) TLS in the tunnel; before
	 * HTTP, which would take a CONNECT for a request. */
	if ((k = proxy_looks_like(d, n)) != PROXY_NONE) {
		a->proxy = (uint8_t)k;
		return APP_PROTO_TLS;
	}
	if (http_looks_like_request(d, n))
		return APP_PROTO_HTTP;
	return APP_PROTO_NONE;
}

/*
 * After a parse: release the buffer when everything in it was consumed by
 * whole messages (HTTP, DNS), sliding the window past them; stop when the
 * inspection limit is reached.  Returns true if the direction is done.
 */
static bool
after_parse(struct applayer *al, struct app_streams *st, int dir, bool done)
{
	struct stream_dir *s = &st->dir[dir];
	uint32_t consumed = st->parsed[dir];

	if (done)
		return true;
	if (consumed == 0 || consumed != s->contig || s->n_islands > 0)
		return false;
	st->inspected[dir] += consumed;
	if (st->inspected[dir] >= al->cfg.inspect_limit)
		return true;
	stream_slide(s, consumed);
	st->parsed[dir] = 0;
	release_buf(al, s);
	return false;
}

static void
tcp_packet(struct applayer *al, struct flow *f, int dir, const struct pkt *p)
{
	struct flow_app *a;
	struct app_streams *st;
	struct stream_dir *s;
	uint32_t cap = al->cfg.stream_cap[dir], end, parsed = 0;
	int isn_flag = dir == FLOW_TO_SERVER ? FLOW_F_ISN_CLIENT : FLOW_F_ISN_SERVER;
	bool in_order_start, done;

	if (p->payload_len == 0) {
		/* Flags first: a bare ACK must not touch the app state. */
		if ((p->tcp_flags & (TCP_FIN | TCP_RST)) && f->app != NULL &&
		    f->app->st != NULL)
			f->app->st->dir[dir].closed = 1;
		return;
	}
	if (f->app_proto == APP_PROTO_UNKNOWN &&
	    (p->sport == PORT_DNS || p->dport == PORT_DNS))
		f->app_proto = APP_PROTO_DNS;
	if (f->app_proto == APP_PROTO_UNKNOWN && dir == FLOW_TO_CLIENT) {
		/* Server spoke first; wait a little for the client. */
		if (f->payload_pkts[FLOW_TO_CLIENT] > RECOGNISE_MAX_SEGMENTS)
			give_up(al, f);
		return;
	}
	if ((f->app_flags & (APP_F_DONE_TO_SERVER << dir)) ||
	    (a = app_get(f)) == NULL || a->done[dir])
		return;
	/*
	 * Stream state exists only once a message spans segments or the
	 * window has moved; until then the first segment is the window.
	 */
	st = a->st;
	s = st != NULL ? &st->dir[dir] : NULL;
	if (s == NULL)
		in_order_start = !(f->flags & isn_flag) ||
		    p->seq == f->isn[dir] + 1;
	else
		in_order_start = s->buf == NULL && s->contig == 0 &&
		    s->n_islands == 0 && (!s->base_set || p->seq == s->base_seq);

	if (f->app_proto == APP_PROTO_UNKNOWN && in_order_start) {
		f->app_proto = recognise_tcp(a, p->payload, p->payload_len);
		if (f->app_proto == APP_PROTO_NONE) {
			give_up(al, f);
			return;
		}
	}

	/* Fast path: the window's first bytes, in order, parsed in place. */
	if (in_order_start) {
		uint32_t n = p->payload_len < cap ? p->payload_len : cap;

		if (st != NULL)
			parsed = st->parsed[dir];
		done = parse_dir(al, f, dir, p->payload, n, &parsed,
		    p->payload_len >= cap, p->ts_us);
		if (done) {
			dir_done(al, f, dir);
			return;
		}
		if ((st = streams_get(a)) == NULL) {
			dir_done(al, f, dir);
			return;
		}
		s = &st->dir[dir];
		s->cap = cap;
		if (!s->base_set)
			stream_set_isn(s, p->seq - 1);
		st->parsed[dir] = parsed;
		if (parsed == n && n == p->payload_len) {
			/* Every byte used by whole messages: the window
			 * moves past them. */
			st->inspected[dir] += n;
			s->base_seq += n;
			st->parsed[dir] = 0;
			if (st->inspected[dir] >= al->cfg.inspect_limit)
				dir_done(al, f, dir);
			return;
		}
		/* Part of a message: keep the segment and wait for the rest. */
	} else if (st == NULL) {
		/* The first bytes are missing: hold what came meanwhile. */
		if ((st = streams_get(a)) == NULL) {
			dir_done(al, f, dir);
			return;
		}
		s = &st->dir[dir];
		s->cap = cap;
		if (f->flags & isn_flag)
			stream_set_isn(s, f->isn[dir]);
	}

	end = stream_segment_end(s, p->seq, p->payload_len);
	if (end == 0 && !s->full)
		return;
	if (!grow_buf(al, s, end)) {
		if (f->app_proto == APP_PROTO_UNKNOWN)
			give_up(al, f);
		else
			dir_done(al, f, dir);
		return;
	}
	if (!stream_add(s, p->seq, p->payload, p->payload_len)) {
		if (s->full && s->contig == cap) {
			al->st.stream_overflows++;
			if (f->app_proto != APP_PROTO_UNKNOWN)
				parse_dir(al, f, dir, s->buf, s->contig,
				    &st->parsed[dir], true, p->ts_us);
			dir_done(al, f, dir);
		}
		return;
	}
	if (f->app_proto == APP_PROTO_UNKNOWN) {
		/* The first bytes arrived late: recognise from the window. */
		f->app_proto = recognise_tcp(a, s->buf, s->contig);
		if (f->app_proto == APP_PROTO_NONE) {
			give_up(al, f);
			return;
		}
	}
	done = parse_dir(al, f, dir, s->buf, s->contig, &st->parsed[dir],
	    s->contig == cap, p->ts_us) || s->contig == cap;
	if (after_parse(al, st, dir, done))
		dir_done(al, f, dir);
}

static void
udp_packet(struct applayer *al, struct flow *f, int dir, const struct pkt *p)
{
	struct flow_app *a;
	struct parse_result r;

	if (f->app_proto == APP_PROTO_UNKNOWN) {
		if (p->sport == PORT_DNS || p->dport == PORT_DNS ||
		    p->sport == PORT_MDNS || p->dport == PORT_MDNS)
			f->app_proto = APP_PROTO_DNS;
		else if ((p->sport == PORT_DHCP_CLIENT && p->dport == PORT_DHCP_SERVER) ||
		    (p->sport == PORT_DHCP_SERVER && p->dport == PORT_DHCP_CLIENT))
			f->app_proto = APP_PROTO_DHCP;
		else if (dir == FLOW_TO_SERVER &&
		    quic_looks_like_initial(p->payload, p->payload_len))
			f->app_proto = APP_PROTO_QUIC;
		else {
			f->app_proto = APP_PROTO_NONE;
			return;
		}
	}
	switch (f->app_proto) {
	case APP_PROTO_DHCP:
		r = dhcp_parse(p->payload, p->payload_len, &al->dhcp);
		if (r.st != PARSE_OK) {
			al->st.dhcp_malformed++;
			return;
		}
		al->st.dhcp_messages++;
		if (al->cfg.on_dhcp != NULL)
			al->cfg.on_dhcp(&al->dhcp, al->cfg.ctx);
		return;
	case APP_PROTO_DNS:
		r = dns_parse(p->payload, p->payload_len, &al->dns);
		if (r.st != PARSE_OK) {
			al->st.dns_malformed++;
			return;
		}
		if (app_get(f) != NULL)
			dns_message(al, f, dir, p->ts_us);
		return;
	case APP_PROTO_QUIC:
		if (dir != FLOW_TO_SERVER ||
		    (f->app_flags & APP_F_DONE_TO_SERVER) ||
		    (a = app_get(f)) == NULL || a->done[0])
			return;
		if (a->quic == NULL &&
		    (a->quic = quic_state_new(al->quic)) == NULL) {
			a->done[0] = 1;
			f->app_flags |= APP_F_DONE_TO_SERVER;
			return;
		}
		r = quic_client_datagram(a->quic, p->payload, p->payload_len);
		if (r.st == PARSE_OK && quic_hello_is_chlo(a->quic)) {
			size_t n;
			const uint8_t *msg = quic_client_hello(a->quic, &n);

			/* Google's own handshake: a name, no TLS to
			 * fingerprint. */
			al->st.quic_gquic_chlo++;
			memset(&al->ch, 0, sizeof(al->ch));
			if (quic_chlo_sni(msg, n, al->ch.sni, sizeof(al->ch.sni)))
				keep_client_hello(al, f, a, &al->ch, p->ts_us);
		} else if (r.st == PARSE_OK) {
			size_t n;
			const uint8_t *msg = quic_client_hello(a->quic, &n);

			if (tls_client_hello_parse(al->tls, msg, n, true,
			    &al->ch).st == PARSE_OK) {
				uint32_t v = quic_version(a->quic);

				al->st.quic_initials++;
				/* Drafts, mvfst and Google T05x: how much of the
				 * traffic still needs the old salts. */
				if (v != QUIC_VERSION_1 && v != QUIC_VERSION_2)
					al->st.quic_pre_rfc++;
				keep_client_hello(al, f, a, &al->ch, p->ts_us);
			} else
				al->st.tls_malformed++;
		} else if (r.st == PARSE_NEED_MORE &&
		    f->pkts[FLOW_TO_SERVER] < QUIC_MAX_INITIALS)
			return;
		else if (r.st != PARSE_NEED_MORE)
			al->st.quic_undecryptable++;
		a->done[0] = 1;
		f->app_flags |= APP_F_DONE_TO_SERVER;
		a->quic = quic_state_free(a->quic);
		return;
	default:
		return;
	}
}

void
applayer_packet(struct applayer *al, struct flow *f, int dir,
    const struct pkt *p)
{
	if (f->app_proto == APP_PROTO_NONE)
		return;
	if (p->ip_proto == 6)
		tcp_packet(al, f, dir, p);
	else if (p->ip_proto == 17 && p->payload_len > 0)
		udp_packet(al, f, dir, p);
}

void
applayer_flow_end(struct applayer *al, struct flow *f)
{
	struct flow_app *a = f->app;

	if (a == NULL || a->st == NULL)
		return;
	for (int dir = 0; dir < 2; dir++) {
		struct stream_dir *s = &a->st->dir[dir];

		if (a->done[dir])
			continue;
		if (s->n_islands > 0)
			al->st.stream_gaps++;
		if (s->buf != NULL && s->contig > 0 &&
		    f->app_proto != APP_PROTO_UNKNOWN)
			parse_dir(al, f, dir, s->buf, s->contig,
			    &a->st->parsed[dir], true, f->last_us);
		dir_done(al, f, dir);
		if (a->st == NULL)
			break;
	}
}

void
applayer_flow_free(struct applayer *al, struct flow *f)
{
	struct flow_app *a = f->app;

	if (a == NULL)
		return;
	if (a->st != NULL) {
		for (int dir = 0; dir < 2; dir++)
			release_buf(al, &a->st->dir[dir]);
		free(a->st);
	}
	free(a->tls);
	free(a->http);
	/* a->data is the detection stage's, freed by detect_flow_end(). */
	free(a->domain);
	free(a->dns_qname);
	free(a->proxy_target);
	quic_state_free(a->quic);
	free(a);
	f->app = NULL;
}
