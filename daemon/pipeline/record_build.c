/*
 * record_build.c - builds the records outputs receive, and redacts them.
 *
 * This is the one place where request data that can carry personal data
 * is masked: every output (event stream, summary, and those to come)
 * gets records from here, so none can print what another masks.  Raw
 * values pass only when the lab configured raw evidence.
 */
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "http.h"
#include "record_build.h"

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
    const char *query, bool redact, struct http_view_buf *b)
{
	if (!redact) {
		v->original = target;
		v->path = path;
		v->query = query;
		v->referrer_len = v->referrer != NULL ? strlen(v->referrer) : 0;
		return;
	}
	v->original = NULL;
	v->path = path != NULL ? mask_path(path, b->path, sizeof(b->path)) :
	    NULL;
	v->query = query != NULL ? mask_query(query, b->query,
	    sizeof(b->query)) : NULL;
	v->referrer_len = v->referrer != NULL ?
	    strcspn(v->referrer, "?#") : 0;
}

void
record_http_summary(struct http_view *v, const struct http_summary *s,
    bool redact, struct http_view_buf *b)
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
	view_redact(v, s->target, s->path, s->query, redact, b);
}

void
record_http_request(struct http_view *v, const struct http_request *req,
    bool redact, struct http_view_buf *b)
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
	view_redact(v, req->target, req->path, req->query, redact, b);
}
