/*
 * record_build.c - builds the records outputs receive, and redacts them.
 *
 * This is the one place where data that can carry personal data is
 * masked: every output (event stream, summary, and those to come) gets
 * records from here, so none can print what another masks.  Every string
 * of a record passes one of two steps: record_redact_text() masks the
 * spans where a known value (any form the matcher knows) or an e-mail
 * occurs, after the structural masking of paths and queries;
 * record_redact_name() masks a server or DNS name the DNS-name scan
 * flags.  Raw values pass only when the lab configured raw evidence.
 */
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "dns.h"
#include "http.h"
#include "record_build.h"

/*
 * Whether a query key or path segment looks like an identifier rather
 * than a word: six or more digits, an '@' or '%', or a long run of
 * letters and digits mixing both.
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

/* Append n bytes of s to buf at *o, keeping room for "#*" and the NUL. */
static void
put(char *buf, size_t size, size_t *o, const char *s, size_t n)
{
	if (*o + 3 >= size)
		return;
	if (n > size - *o - 3)
		n = size - *o - 3;
	memcpy(buf + *o, s, n);
	*o += n;
}

/*
 * Masked copy of a query string: every value and every bare item (no
 * '=') becomes "*", so does a key that looks like an identifier (trackers
 * send values as keys too), and a fragment.
 */
static const char *
mask_query(const char *q, char *buf, size_t size)
{
	size_t o = 0, end = strcspn(q, "#");

	for (size_t i = 0; i < end;) {
		size_t n = strcspn(q + i, "&#"), k;

		if (n > end - i)
			n = end - i;
		k = strcspn(q + i, "=&#");
		if (k >= n) {
			if (n > 0)
				put(buf, size, &o, "*", 1);
		} else if (looks_like_identifier(q + i, k)) {
			put(buf, size, &o, "*=*", 3);
		} else {
			put(buf, size, &o, q + i, k);
			put(buf, size, &o, "=*", 2);
		}
		i += n;
		if (i < end && q[i] == '&') {
			put(buf, size, &o, "&", 1);
			i++;
		}
	}
	if (q[end] == '#') {
		/* put() kept room for it. */
		memcpy(buf + o, "#*", 2);
		o += 2;
	}
	buf[o] = '\0';
	return buf;
}

/* Whether the n bytes at s are all digits (n > 0), and how many. */
static size_t
digit_segment(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n;
}

/*
 * Path with identifier-looking segments replaced by "*", and a fragment
 * by "#*".  A run of all-digit segments holding seven digits or more
 * together ("/202/555/0142") is masked whole: a number cut over
 * segments is still the number.
 */
static const char *
mask_path(const char *p, char *buf, size_t size)
{
	const char *end = p + strcspn(p, "#"), *masked_to = p;
	size_t o = 0;

	while (p < end) {
		size_t n = strcspn(p, "/#");

		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (p >= masked_to && digit_segment(p, n) > 0) {
			const char *q = p;
			size_t digits = 0, segs = 0, m;

			while (q < end && (m = digit_segment(q,
			    strcspn(q, "/#"))) > 0) {
				digits += m;
				segs++;
				q += m;
				if (*q == '/')
					q++;
			}
			if (segs > 1 && digits >= 7)
				masked_to = q;
		}
		if (n > 0 && (p < masked_to || looks_like_identifier(p, n)))
			put(buf, size, &o, "*", 1);
		else
			put(buf, size, &o, p, n);
		p += n;
		if (p < end && *p == '/') {
			put(buf, size, &o, "/", 1);
			p++;
		}
	}
	if (*end == '#') {
		/* put() kept room for it. */
		memcpy(buf + o, "#*", 2);
		o += 2;
	}
	buf[o] = '\0';
	return buf;
}

const char *
record_redact_text(const struct record_redact *rr, const char *s, char *buf,
    size_t size)
{
	size_t n;

	if (s == NULL || rr == NULL || !rr->on || size == 0)
		return s;
	n = strlen(s);
	if (n >= size)
		n = size - 1;
	/* s may already be buf (a path or query masked in place). */
	if (s != buf)
		memcpy(buf, s, n);
	buf[n] = '\0';
	/* Unchanged: hand back the original, a copy cut short would lose. */
	return detect_mask_text(rr->detect, buf, n) ? buf : s;
}

const char *
record_redact_name(const struct record_redact *rr, const char *name,
    bool sensitive, char *buf, size_t size)
{
	if (name == NULL || rr == NULL || !rr->on)
		return name;
	if (!sensitive && rr->detect != NULL)
		sensitive = detect_dns_name_sensitive(rr->detect, name);
	return sensitive ? record_mask_dns_name(name, buf, size) : name;
}

const char *
record_client_mac(const struct record_redact *rr, const uint8_t mac[6],
    char buf[RECORD_MAC_TEXT])
{
	static const char hex[] = "0123456789ABCDEF";

	/* ECS writes MACs upper-case with dashes. */
	for (int i = 0; i < 6; i++) {
		buf[i * 3] = hex[mac[i] >> 4];
		buf[i * 3 + 1] = hex[mac[i] & 15];
		buf[i * 3 + 2] = i < 5 ? '-' : '\0';
	}
	/* A configured MAC keeps its OUI, as its observations do: the
	 * vendor, not the person. */
	if (!rr->on || rr->detect == NULL ||
	    !detect_mask_text(rr->detect, buf, RECORD_MAC_TEXT - 1))
		return buf;
	for (int i = 0; i < 6; i++) {
		buf[i * 3] = i < 3 ? hex[mac[i] >> 4] : '*';
		buf[i * 3 + 1] = i < 3 ? hex[mac[i] & 15] : '*';
		buf[i * 3 + 2] = i < 5 ? '-' : '\0';
	}
	return buf;
}

/*
 * A Referer as scheme and host: its path, query and fragment are another
 * request's (the app's own pages carry the same identifiers), userinfo
 * is a credential, and the host is a server name like any other.
 */
static const char *
reduce_referrer(const struct record_redact *rr, const char *ref, char *buf,
    size_t size)
{
	const char *sep = strstr(ref, "://"), *host, *at;
	char name[APPLAYER_NAME_MAX];
	size_t n;

	if (sep == NULL || (size_t)(sep - ref) > 32) {
		snprintf(buf, size, "*");
		return buf;
	}
	host = sep + 3;
	n = strcspn(host, "/?#");
	at = memchr(host, '@', n);
	if (at != NULL) {
		n -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, host, n);
	name[n] = '\0';
	snprintf(buf, size, "%.*s://", (int)(sep - ref), ref);
	n = strlen(buf);
	if (record_redact_name(rr, name, false, buf + n, size - n) == name)
		snprintf(buf + n, size - n, "%s", name);
	return buf;
}

const char *
record_mask_dns_name(const char *name, char *buf, size_t size)
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

const struct dns_msg *
record_dns_msg(const struct dns_msg *msg, bool sensitive, bool redact,
    struct dns_msg *scratch)
{
	char nb[DNS_TEXT_MAX];

	if (!sensitive || !redact)
		return msg;
	/* Rare (a name that carried data): a masked copy costs little. */
	memcpy(scratch, msg, sizeof(*scratch));
	if (msg->has_question)
		snprintf(scratch->qname, sizeof(scratch->qname), "%s",
		    record_mask_dns_name(msg->qname, nb, sizeof(nb)));
	for (size_t i = 0; i < msg->n_answers; i++) {
		struct dns_rr *rr = &scratch->answers[i];

		snprintf(rr->name, sizeof(rr->name), "%s",
		    record_mask_dns_name(msg->answers[i].name, nb, sizeof(nb)));
		if (rr->addr.family == 0 && rr->target[0] != '\0')
			snprintf(rr->target, sizeof(rr->target), "%s",
			    record_mask_dns_name(msg->answers[i].target, nb,
			    sizeof(nb)));
	}
	return scratch;
}

/* The parts common to a kept summary and a request just parsed. */
static void
view_redact(struct http_view *v, const char *target, const char *path,
    const char *query, const struct record_redact *rr,
    struct http_view_buf *b)
{
	if (!rr->on) {
		v->original = target;
		v->path = path;
		v->query = query;
		v->referrer_len = v->referrer != NULL ? strlen(v->referrer) : 0;
		return;
	}
	v->original = NULL;
	if (path != NULL)
		v->path = record_redact_text(rr, mask_path(path, b->path,
		    sizeof(b->path)), b->path, sizeof(b->path));
	if (query != NULL)
		v->query = record_redact_text(rr, mask_query(query, b->query,
		    sizeof(b->query)), b->query, sizeof(b->query));
	if (v->referrer != NULL) {
		v->referrer = reduce_referrer(rr, v->referrer, b->referrer,
		    sizeof(b->referrer));
		v->referrer_len = strlen(v->referrer);
	}
	v->user_agent = record_redact_text(rr, v->user_agent, b->user_agent,
	    sizeof(b->user_agent));
	v->requested_with = record_redact_text(rr, v->requested_with,
	    b->requested_with, sizeof(b->requested_with));
	v->mime_type = record_redact_text(rr, v->mime_type, b->mime_type,
	    sizeof(b->mime_type));
	v->host = record_redact_name(rr, v->host, false, b->host,
	    sizeof(b->host));
}

void
record_http_summary(struct http_view *v, const struct http_summary *s,
    const struct record_redact *rr, struct http_view_buf *b)
{
	memset(v, 0, sizeof(*v));
	v->method = s->method;
	v->referrer = s->referer;
	v->user_agent = s->user_agent;
	v->mime_type = s->content_type;
	v->host = s->host;
	v->content_encoding = s->content_encoding;
	v->transfer_encoding = s->transfer_encoding;
	v->requested_with = s->x_requested_with;
	v->body_wire_len = s->body_wire_len;
	v->body_len = s->body_len;
	v->body_state = s->body_state;
	v->version_minor = s->version_minor;
	view_redact(v, s->target, s->path, s->query, rr, b);
}

void
record_http_request(struct http_view *v, const struct http_request *req,
    const struct record_redact *rr, struct http_view_buf *b)
{
	memset(v, 0, sizeof(*v));
	v->method = req->method;
	v->referrer = req->referer;
	v->user_agent = req->user_agent;
	v->mime_type = req->content_type;
	v->host = req->host;
	v->content_encoding = req->content_encoding;
	v->transfer_encoding = req->transfer_encoding;
	v->requested_with = req->x_requested_with;
	v->body_wire_len = req->body_wire_len;
	v->body_len = (uint32_t)req->body_len;
	v->body_state = (uint8_t)req->body_state;
	v->version_minor = req->version_minor;
	view_redact(v, req->target, req->path, req->query, rr, b);
}
