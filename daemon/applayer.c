/*
 * applayer.c - protocol recognition and parser dispatch per flow.
 *
 * Recognition looks at the first client bytes, not only at ports: TLS on
 * port 80 and HTTP on 8443 are both common on phones.  DNS is recognised
 * by port (53, and 5353 for mDNS), QUIC by the shape of its Initial.
 *
 * TCP data goes through the bounded reassembly window of its direction.
 * The first in-order segment is parsed in place; a buffer is taken only
 * when a message spans segments, and released as soon as the direction is
 * done, so the many flows whose first segment says it all never allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "dhcp.h"
#include "dns.h"
#include "quic.h"
#include "tls.h"

#define PORT_DNS 53
#define PORT_MDNS 5353
#define PORT_DHCP_SERVER 67
#define PORT_DHCP_CLIENT 68
/* Client datagrams fed to QUIC before giving up on a ClientHello. */
#define QUIC_MAX_INITIALS 8
/* Client segments with data seen before giving up on recognition. */
#define RECOGNISE_MAX_SEGMENTS 4

struct applayer {
	struct applayer_config cfg;
	struct applayer_stats st;
	uint32_t bufs_alive;
	struct dns_msg dns;			/* scratch, large */
	struct tls_client_hello ch;		/* scratch */
	struct tls_server_hello sh;		/* scratch */
	struct dhcp_msg dhcp;			/* scratch */
};

struct applayer *
applayer_new(const struct applayer_config *cfg)
{
	struct applayer *al;

	if ((al = calloc(1, sizeof(*al))) == NULL)
		return NULL;
	al->cfg = *cfg;
	return al;
}

struct applayer *
applayer_free(struct applayer *al)
{
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
	default:
		return NULL;
	}
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
release_buf(struct applayer *al, struct stream_dir *s)
{
	if (s->buf != NULL) {
		free(s->buf);
		s->buf = NULL;
		al->bufs_alive--;
	}
}

static void
dir_done(struct applayer *al, struct flow_app *a, int dir)
{
	a->done[dir] = 1;
	release_buf(al, &a->dir[dir]);
}

static struct flow_app *
app_get(struct flow *f)
{
	if (f->app == NULL)
		f->app = calloc(1, sizeof(*f->app));
	return f->app;
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
	copy_str(a->domain, sizeof(a->domain), name);
	a->domain_src = src;
}

/* Host header without a port ("example.com:8080" -> "example.com"). */
static void
set_domain_from_host(struct flow_app *a, const char *host)
{
	char h[APPLAYER_NAME_MAX];
	char *colon;

	if (host == NULL)
		return;
	copy_str(h, sizeof(h), host);
	/* An IPv6 literal keeps its colons inside brackets. */
	if (h[0] != '[' && (colon = strrchr(h, ':')) != NULL)
		*colon = '\0';
	set_domain(a, h, DOMAIN_SRC_HTTP_HOST);
}

static struct tls_info *
tls_get(struct flow_app *a)
{
	if (a->tls == NULL)
		a->tls = calloc(1, sizeof(*a->tls));
	return a->tls;
}

static void
keep_client_hello(struct flow_app *a, const struct tls_client_hello *ch)
{
	struct tls_info *t = tls_get(a);

	if (t == NULL)
		return;
	t->client_seen = true;
	t->client_max_version = ch->max_version;
	copy_str(t->sni, sizeof(t->sni), ch->sni);
	copy_str(t->alpn, sizeof(t->alpn), ch->alpn);
	copy_str(t->ja3, sizeof(t->ja3), ch->ja3);
	copy_str(t->ja4, sizeof(t->ja4), ch->ja4);
	set_domain(a, ch->sni, DOMAIN_SRC_SNI);
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
	if (a->dns_qname[0] == '\0' && al->dns.has_question)
		copy_str(a->dns_qname, sizeof(a->dns_qname), al->dns.qname);
	if (al->cfg.on_dns != NULL)
		al->cfg.on_dns(f, dir, &al->dns, ts_us, al->cfg.ctx);
}

/*
 * Parse what the direction holds.  data/len is the contiguous prefix
 * (the stream buffer or, on the fast path, the first segment).  final:
 * no more bytes will come.  Returns true when the direction wants no more.
 */
static bool
parse_dir(struct applayer *al, struct flow *f, int dir, const uint8_t *data,
    uint32_t len, bool final, uint64_t ts_us)
{
	struct flow_app *a = f->app;
	struct parse_result r;

	switch (f->app_proto) {
	case APP_PROTO_TLS:
		if (dir == FLOW_TO_SERVER) {
			r = tls_client_hello_from_records(data, len, &al->ch);
			if (r.st == PARSE_OK) {
				al->st.tls_client_hellos++;
				keep_client_hello(a, &al->ch);
				return true;
			}
		} else {
			r = tls_server_from_records(data, len, &al->sh);
			if (r.st == PARSE_OK || (final && al->sh.version != 0)) {
				struct tls_info *t = tls_get(a);

				al->st.tls_server_hellos++;
				if (t != NULL) {
					t->server_seen = true;
					t->version = al->sh.version;
					t->cipher = al->sh.cipher;
					t->have_cert = al->sh.have_cert;
					copy_str(t->cert_subject, sizeof(t->cert_subject), al->sh.cert_subject);
					copy_str(t->cert_issuer, sizeof(t->cert_issuer), al->sh.cert_issuer);
					copy_str(t->cert_org, sizeof(t->cert_org), al->sh.cert_org);
				}
				return true;
			}
		}
		if (r.st == PARSE_NEED_MORE)
			return false;
		al->st.tls_malformed++;
		return true;
	case APP_PROTO_HTTP:
		if (dir == FLOW_TO_CLIENT)
			return true;
		/* Pipelined requests: bounded by the window size. */
		while (a->parsed[0] < len) {
			struct http_request req;

			memset(&req, 0, sizeof(req));
			r = http_request_parse(data + a->parsed[0],
			    len - a->parsed[0], al->cfg.max_body, final, &req);
			if (r.st == PARSE_NEED_MORE)
				return false;
			if (r.st != PARSE_OK) {
				al->st.http_malformed++;
				return true;
			}
			al->st.http_requests++;
			a->http_seen++;
			a->parsed[0] += r.consumed;
			set_domain_from_host(a, req.host);
			if (al->cfg.on_http != NULL)
				al->cfg.on_http(f, &req, ts_us, al->cfg.ctx);
			if (a->http == NULL)
				a->http = calloc(FLOW_MAX_HTTP, sizeof(*a->http));
			if (a->http != NULL && a->n_http < FLOW_MAX_HTTP)
				a->http[a->n_http++] = req;
			else
				http_request_clear(&req);
			if (r.consumed == 0)
				return true;
		}
		return final;
	case APP_PROTO_DNS:
		/* DNS over TCP: length-prefixed messages, both directions;
		 * bounded by the window size. */
		while (a->parsed[dir] < len) {
			r = dns_parse_tcp(data + a->parsed[dir],
			    len - a->parsed[dir], &al->dns);
			if (r.st == PARSE_NEED_MORE)
				return final;
			if (r.st != PARSE_OK || r.consumed == 0) {
				al->st.dns_malformed++;
				return true;
			}
			dns_message(al, f, dir, ts_us);
			a->parsed[dir] += r.consumed;
		}
		return final;
	default:
		return true;
	}
}

/* Decide the protocol of a TCP flow from the first client bytes. */
static enum app_proto
recognise_tcp(const uint8_t *d, uint32_t n)
{
	if (tls_looks_like_handshake(d, n))
		return APP_PROTO_TLS;
	if (http_looks_like_request(d, n))
		return APP_PROTO_HTTP;
	return APP_PROTO_NONE;
}

/* Take a reassembly buffer for s; false (counted) when none is left. */
static bool
take_buf(struct applayer *al, struct stream_dir *s, uint32_t cap)
{
	if (s->buf != NULL)
		return true;
	if (al->bufs_alive >= al->cfg.max_stream_bufs ||
	    (s->buf = malloc(cap)) == NULL) {
		al->st.stream_no_memory++;
		return false;
	}
	al->bufs_alive++;
	return true;
}

static void
tcp_packet(struct applayer *al, struct flow *f, int dir, const struct pkt *p)
{
	struct flow_app *a;
	struct stream_dir *s;
	uint32_t cap = al->cfg.stream_cap[dir];
	int isn_flag = dir == FLOW_TO_SERVER ? FLOW_F_ISN_CLIENT : FLOW_F_ISN_SERVER;
	bool in_order_start;

	if (p->payload_len == 0) {
		if (f->app != NULL && (p->tcp_flags & (TCP_FIN | TCP_RST)))
			f->app->dir[dir].closed = 1;
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
	if ((a = app_get(f)) == NULL || a->done[dir])
		return;
	s = &a->dir[dir];
	if (!s->base_set && (f->flags & isn_flag))
		stream_set_isn(s, f->isn[dir]);
	s->cap = cap;
	in_order_start = s->buf == NULL && s->contig == 0 && s->n_islands == 0 &&
	    (!s->base_set || p->seq == s->base_seq);

	if (f->app_proto == APP_PROTO_UNKNOWN) {
		if (!in_order_start) {
			/* The first bytes are still missing: hold what came. */
			if (!take_buf(al, s, cap)) {
				give_up(al, f);
				return;
			}
			stream_add(s, p->seq, p->payload, p->payload_len);
			if (s->contig == 0) {
				if (f->payload_pkts[FLOW_TO_SERVER] > RECOGNISE_MAX_SEGMENTS)
					give_up(al, f);
				return;
			}
			f->app_proto = recognise_tcp(s->buf, s->contig);
		} else
			f->app_proto = recognise_tcp(p->payload, p->payload_len);
		if (f->app_proto == APP_PROTO_NONE) {
			give_up(al, f);
			return;
		}
		if (!in_order_start) {
			if (parse_dir(al, f, dir, s->buf, s->contig,
			    s->contig == cap, p->ts_us) || s->contig == cap)
				dir_done(al, a, dir);
			return;
		}
	}

	/* Fast path: the first bytes of the direction, in order, in place. */
	if (in_order_start) {
		uint32_t n = p->payload_len < cap ? p->payload_len : cap;

		if (parse_dir(al, f, dir, p->payload, n,
		    p->payload_len >= cap, p->ts_us)) {
			dir_done(al, a, dir);
			return;
		}
		/* Whole messages parsed in place advanced parsed[dir]; the
		 * buffer continues from there. */
	}
	if (!take_buf(al, s, cap)) {
		dir_done(al, a, dir);
		return;
	}
	if (!stream_add(s, p->seq, p->payload, p->payload_len)) {
		if (s->full && s->contig == cap) {
			al->st.stream_overflows++;
			parse_dir(al, f, dir, s->buf, s->contig, true, p->ts_us);
			dir_done(al, a, dir);
		}
		return;
	}
	if (parse_dir(al, f, dir, s->buf, s->contig,
	    s->contig == cap, p->ts_us) || s->contig == cap)
		dir_done(al, a, dir);
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
		if (dir != FLOW_TO_SERVER || (a = app_get(f)) == NULL ||
		    a->done[0])
			return;
		if (a->quic == NULL && (a->quic = quic_state_new()) == NULL) {
			dir_done(al, a, 0);
			return;
		}
		r = quic_client_datagram(a->quic, p->payload, p->payload_len);
		if (r.st == PARSE_OK) {
			size_t n;
			const uint8_t *msg = quic_client_hello(a->quic, &n);

			if (tls_client_hello_parse(msg, n, true, &al->ch).st == PARSE_OK) {
				al->st.quic_initials++;
				keep_client_hello(a, &al->ch);
			} else
				al->st.tls_malformed++;
		} else if (r.st == PARSE_NEED_MORE &&
		    f->pkts[FLOW_TO_SERVER] < QUIC_MAX_INITIALS)
			return;
		else if (r.st != PARSE_NEED_MORE)
			al->st.quic_undecryptable++;
		a->done[0] = 1;
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

	if (a == NULL)
		return;
	for (int dir = 0; dir < 2; dir++) {
		struct stream_dir *s = &a->dir[dir];

		if (a->done[dir] || s->buf == NULL)
			continue;
		if (s->n_islands > 0)
			al->st.stream_gaps++;
		if (s->contig > 0)
			parse_dir(al, f, dir, s->buf, s->contig, true, f->last_us);
		dir_done(al, a, dir);
	}
}

void
applayer_flow_free(struct applayer *al, struct flow *f)
{
	struct flow_app *a = f->app;

	if (a == NULL)
		return;
	for (int dir = 0; dir < 2; dir++)
		release_buf(al, &a->dir[dir]);
	if (a->http != NULL) {
		for (uint8_t i = 0; i < a->n_http; i++)
			http_request_clear(&a->http[i]);
		free(a->http);
	}
	quic_state_free(a->quic);
	free(a->tls);
	free(a);
	f->app = NULL;
}
