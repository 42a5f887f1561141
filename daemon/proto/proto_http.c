/*
 * proto_http.c - HTTP/1.x request parser (RFC 9112): request line,
 * header fields, message body (chunked transfer coding, gzip/deflate
 * content coding).
 *
 * A request is parsed in two passes over the same bytes.  The first
 * validates the head, finds the framing and walks the chunks without
 * allocating, so an incomplete request costs no allocation (the caller
 * re-parses with more bytes).  The second allocates the store once and
 * copies strings and the decoded body into it.  zlib gets a fixed arena on
 * the stack, so decoding allocates nothing of its own.
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   field-line   = field-name ":" OWS field-value OWS CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*"0" [ chunk-ext ] CRLF trailer-section CRLF
 *
 * Every loop driven by input is bounded by the bytes left (each round
 * consumes at least one byte) and by HTTP_MAX_LINE, HTTP_MAX_HEADERS and
 * max_body.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZLIB_CONST
#include <zlib.h>

#include "cursor.h"
#include "http.h"

#define HTTP_MAX_REQLINE (HTTP_MAX_METHOD + 1 + HTTP_MAX_LINE + 1 + 8 + 1)
#define HTTP_MAX_BLOCK ((size_t)HTTP_MAX_HEADERS * HTTP_MAX_LINE)
#define HTTP_MAX_LEADING_EOL 4	/* empty lines skipped before a request */
#define HTTP_CHUNK_DIGITS 16	/* chunk-size hex digits: fits uint64_t */
#define HTTP_ZARENA (64 * 1024)	/* inflate state (~7 KiB) + 32 KiB window */

/* Headers the struct points at directly; order matches conv_names. */
enum http_conv {
	CONV_HOST, CONV_UA, CONV_CT, CONV_CE, CONV_TE, CONV_XRW, CONV_COOKIE,
	CONV_REFERER, CONV_N
};

static const char *const conv_names[CONV_N] = {
	"host", "user-agent", "content-type", "content-encoding",
	"transfer-encoding", "x-requested-with", "cookie", "referer",
};

static const char *const known_methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT",
	"TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "PURGE", "NOTIFY",
	"SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH", "SOURCE",
};

struct hline {
	struct cur name;
	struct cur value;
};

/* What the first pass learns from the head; cursors point into buf. */
struct head {
	size_t hdr_len;			/* bytes up to and including the blank line */
	struct cur method;
	struct cur target;
	struct cur path;
	struct cur query;
	bool has_query;
	bool path_root;			/* absolute-form without a path: "/" */
	uint8_t minor;
	struct hline kept[HTTP_MAX_HEADERS];
	size_t n_kept;
	size_t n_skipped;
	struct cur conv[CONV_N];
	bool conv_seen[CONV_N];
	size_t conv_kept[CONV_N];	/* index into kept, or HTTP_MAX_HEADERS */
	bool cl_present;
	uint64_t cl;
	bool te_present;
	bool te_last_chunked;
	unsigned te_n_chunked;
	bool te_other;
	unsigned n_ce;
};

/* Where chunk walking stopped. */
enum chunk_st {
	CHUNK_DONE,	/* last-chunk and trailers seen */
	CHUNK_SHORT,	/* bytes ran out first */
	CHUNK_BAD,	/* framing violated */
};

struct chunk_res {
	enum chunk_st st;
	size_t wire;		/* bytes walked (to the end when DONE) */
	uint64_t data;		/* chunk-data bytes seen */
	uint64_t needed;	/* with SHORT: body bytes wanted if known, else 0 */
};

struct zarena {
	unsigned char *base;
	size_t size;
	size_t used;
};

/* Decoder output: chunk data (or a whole body) is fed in pieces. */
struct sink {
	uint8_t *dst;		/* cap + 1 bytes when compressed */
	size_t cap;		/* max_body */
	size_t len;		/* bytes in dst (up to cap + 1 when compressed) */
	enum http_coding coding;
	bool cut;
	bool error;
	bool z_started;
	bool z_end;
	uint8_t hold[2];	/* deflate: first bytes, to tell zlib from raw */
	size_t n_hold;
	uint64_t fed;
	z_stream zs;
	struct zarena *arena;
};

/*
 * Offset of the first needle within the first lim bytes of c.  With
 * cur_find_blank(), the only places this file turns a pointer back into
 * an offset (memchr/memmem are the fast path for finding line and head
 * ends).
 */
static bool
cur_find(const struct cur *c, size_t lim, const char *needle, size_t n,
    size_t *ret_off)
{
	size_t m = cur_left(c) < lim ? cur_left(c) : lim;
	const uint8_t *hit;

	if (m == 0)
		return false;
	if (n == 1)
		hit = memchr(c->p, needle[0], m);
	else
		hit = memmem(c->p, m, needle, n);
	if (hit == NULL)
		return false;
	*ret_off = (size_t)(hit - c->p);
	return true;
}

/*
 * The first blank line of c: offset of the LF that ends the last field
 * line, and the length of the blank line (1 for LF, 2 for CR LF), as the
 * earliest of "\n\n" in the first HTTP_MAX_BLOCK + 2 bytes and "\n\r\n"
 * in the first HTTP_MAX_BLOCK + 3.  One pass over the line ends, so a
 * large body after the head is never searched.
 */
static bool
cur_find_blank(const struct cur *c, size_t *ret_off, size_t *ret_blank)
{
	size_t m = cur_left(c) < HTTP_MAX_BLOCK + 3 ? cur_left(c) :
	    HTTP_MAX_BLOCK + 3;
	const uint8_t *p = c->p, *hit;
	size_t o = 0;

	/* Bound: o grows past each LF found. */
	while (o < m && (hit = memchr(p + o, '\n', m - o)) != NULL) {
		o = (size_t)(hit - p);
		if (o + 2 <= m && o + 2 <= HTTP_MAX_BLOCK + 2 && p[o + 1] == '\n') {
			*ret_off = o;
			*ret_blank = 1;
			return true;
		}
		if (o + 3 <= m && p[o + 1] == '\r' && p[o + 2] == '\n') {
			*ret_off = o;
			*ret_blank = 2;
			return true;
		}
		o++;
	}
	return false;
}

/* Offset of the last byte b in c. */
static bool
cur_find_last(const struct cur *c, uint8_t b, size_t *ret_off)
{
	const uint8_t *hit;

	if (cur_left(c) == 0 || (hit = memrchr(c->p, b, cur_left(c))) == NULL)
		return false;
	*ret_off = (size_t)(hit - c->p);
	return true;
}

/* Keep only the first n bytes of c. */
static void
cur_keep(struct cur *c, size_t n)
{
	struct cur t = *c;

	if (!cur_sub(&t, n, c))
		return;
}

static bool
is_tchar(uint8_t b)
{
	if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	    (b >= '0' && b <= '9'))
		return true;
	return b != 0 && strchr("!#$%&'*+-.^_`|~", b) != NULL;
}

static bool
is_ows(uint8_t b)
{
	return b == ' ' || b == '\t';
}

static void
cur_trim_ows(struct cur *c)
{
	uint8_t b;

	/* Bound: each round removes one byte. */
	while (cur_peek_u8(c, 0, &b) && is_ows(b))
		(void)cur_skip(c, 1);
	while (cur_left(c) > 0 && cur_peek_u8(c, cur_left(c) - 1, &b) &&
	    is_ows(b))
		cur_keep(c, cur_left(c) - 1);
}

/* Case-insensitive equality with a lowercase literal. */
static bool
cur_ieq(const struct cur *c, const char *lit)
{
	size_t n = strlen(lit);
	uint8_t b;

	if (cur_left(c) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!cur_peek_u8(c, i, &b))
			return false;
		if (b >= 'A' && b <= 'Z')
			b = (uint8_t)(b - 'A' + 'a');
		if (b != (uint8_t)lit[i])
			return false;
	}
	return true;
}

/* Whether c starts with the literal lit (exact case). */
static bool
cur_prefix(const struct cur *c, const char *lit)
{
	uint8_t b;

	for (size_t i = 0; lit[i] != '\0'; i++)
		if (!cur_peek_u8(c, i, &b) || b != (uint8_t)lit[i])
			return false;
	return true;
}

enum line_st { LINE_OK, LINE_SHORT, LINE_LONG };

/*
 * Take one line (LF or CRLF ended) of at most max bytes without its end.
 * A bare CR before the LF is dropped, as is the LF.
 */
static enum line_st
line_take(struct cur *c, size_t max, struct cur *ret)
{
	struct cur line;
	size_t off;
	uint8_t b;

	if (!cur_find(c, max + 2, "\n", 1, &off))
		return cur_left(c) > max + 1 ? LINE_LONG : LINE_SHORT;
	if (!cur_sub(c, off, &line) || !cur_skip(c, 1))
		return LINE_SHORT;
	if (cur_left(&line) > 0 && cur_peek_u8(&line, cur_left(&line) - 1, &b) &&
	    b == '\r')
		cur_keep(&line, cur_left(&line) - 1);
	if (cur_left(&line) > max)
		return LINE_LONG;
	*ret = line;
	return LINE_OK;
}

static struct parse_result
head_short(bool final)
{
	return final ? parse_fail(PARSE_TRUNCATED) : parse_need(0);
}

/*
 * Request line.  The method was checked by the caller; the target is any
 * run of visible bytes (obs-text included: real clients send raw UTF-8).
 */
static bool
reqline_parse(struct cur line, struct head *h)
{
	static const char scheme_end[] = "://";
	struct cur target, ver, rest;
	size_t off, qoff;
	uint8_t b, d;

	if (!cur_find(&line, HTTP_MAX_METHOD + 1, " ", 1, &off) || off == 0 ||
	    !cur_sub(&line, off, &h->method) || !cur_skip(&line, 1))
		return false;
	if (!cur_find(&line, cur_left(&line), " ", 1, &off) || off == 0 ||
	    off > HTTP_MAX_LINE || !cur_sub(&line, off, &target) ||
	    !cur_skip(&line, 1))
		return false;
	ver = line;
	if (cur_left(&ver) != 8 || !cur_prefix(&ver, "HTTP/1.") ||
	    !cur_peek_u8(&ver, 7, &d) || d < '0' || d > '9')
		return false;
	h->minor = (uint8_t)(d - '0');
	/* Bound: the target, at most HTTP_MAX_LINE bytes. */
	for (size_t i = 0; i < cur_left(&target); i++)
		if (!cur_peek_u8(&target, i, &b) || b <= 0x20 || b == 0x7f)
			return false;
	h->target = target;

	rest = target;
	/* absolute-form: scheme "://" authority [path]; keep the path only. */
	if (cur_peek_u8(&rest, 0, &b) &&
	    ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) &&
	    cur_find(&rest, 32, scheme_end, 3, &off)) {
		bool scheme_ok = true;

		/* Bound: off < 32, the scheme. */
		for (size_t i = 0; i < off; i++) {
			(void)cur_peek_u8(&rest, i, &b);
			if (!((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
			    (b >= '0' && b <= '9') || b == '+' || b == '-' ||
			    b == '.'))
				scheme_ok = false;
		}
		if (scheme_ok) {
			size_t auth_end = cur_left(&rest) - off - 3;
			struct cur auth = rest;

			(void)cur_skip(&auth, off + 3);
			/*
			 * The authority ends at the first '/', '?' or the end.
			 * Bound: the target.
			 */
			for (size_t i = 0; i < cur_left(&auth); i++) {
				(void)cur_peek_u8(&auth, i, &b);
				if (b == '/' || b == '?') {
					auth_end = i;
					break;
				}
			}
			(void)cur_skip(&auth, auth_end);
			rest = auth;
			if (!cur_peek_u8(&rest, 0, &b) || b != '/')
				h->path_root = true;
		}
	}
	if (cur_find(&rest, cur_left(&rest), "?", 1, &qoff)) {
		h->has_query = true;
		h->query = rest;
		(void)cur_skip(&h->query, qoff + 1);
		cur_keep(&rest, qoff);
	}
	h->path = rest;
	return true;
}

/* Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 8.6). */
static bool
cl_parse(struct cur v, struct head *h)
{
	bool any = false;
	uint8_t b;

	/* Bound: each round consumes at least one byte of v. */
	while (cur_left(&v) > 0) {
		uint64_t n = 0;
		size_t digits = 0;

		while (cur_peek_u8(&v, 0, &b) && is_ows(b))
			(void)cur_skip(&v, 1);
		while (cur_peek_u8(&v, 0, &b) && b >= '0' && b <= '9') {
			if (n > (UINT64_MAX - (uint64_t)(b - '0')) / 10)
				return false;
			n = n * 10 + (uint64_t)(b - '0');
			digits++;
			(void)cur_skip(&v, 1);
		}
		if (digits == 0)
			return false;
		while (cur_peek_u8(&v, 0, &b) && is_ows(b))
			(void)cur_skip(&v, 1);
		if (cur_peek_u8(&v, 0, &b)) {
			if (b != ',')
				return false;
			(void)cur_skip(&v, 1);
			if (cur_left(&v) == 0)
				return false;
		}
		if ((h->cl_present || any) && h->cl != n)
			return false;
		h->cl = n;
		any = true;
	}
	if (!any)
		return false;
	h->cl_present = true;
	return true;
}

/* Transfer-Encoding: a list of codings; only the last may be chunked. */
static void
te_parse(struct cur v, struct head *h)
{
	h->te_present = true;
	/* Bound: each round consumes one list element and its comma. */
	while (cur_left(&v) > 0) {
		struct cur tok = v;
		size_t off, semi;

		if (cur_find(&v, cur_left(&v), ",", 1, &off)) {
			cur_keep(&tok, off);
			(void)cur_skip(&v, off + 1);
		} else {
			(void)cur_skip(&v, cur_left(&v));
		}
		if (cur_find(&tok, cur_left(&tok), ";", 1, &semi))
			cur_keep(&tok, semi);
		cur_trim_ows(&tok);
		if (cur_left(&tok) == 0)
			continue;
		if (cur_ieq(&tok, "chunked")) {
			h->te_n_chunked++;
			h->te_last_chunked = true;
		} else {
			h->te_last_chunked = false;
			h->te_other = true;
		}
	}
}

static struct parse_result
field_line(struct cur line, struct head *h)
{
	struct cur name, value;
	size_t i;
	uint8_t b;

	/* Obsolete folding and whitespace before a name: rejected (5.2). */
	if (!cur_peek_u8(&line, 0, &b) || is_ows(b))
		return parse_fail(PARSE_MALFORMED);
	/* Bound: the line, at most HTTP_MAX_LINE bytes. */
	for (i = 0; cur_peek_u8(&line, i, &b) && b != ':'; i++)
		if (!is_tchar(b))
			return parse_fail(PARSE_MALFORMED);
	if (i == 0 || !cur_sub(&line, i, &name) || !cur_skip(&line, 1))
		return parse_fail(PARSE_MALFORMED);
	value = line;
	cur_trim_ows(&value);

	if (cur_ieq(&name, "content-length")) {
		if (!cl_parse(value, h))
			return parse_fail(PARSE_MALFORMED);
	} else if (cur_ieq(&name, "transfer-encoding")) {
		te_parse(value, h);
	} else if (cur_ieq(&name, "content-encoding")) {
		h->n_ce++;
	}
	for (int k = 0; k < CONV_N; k++) {
		if (!h->conv_seen[k] && cur_ieq(&name, conv_names[k])) {
			h->conv_seen[k] = true;
			h->conv[k] = value;
			h->conv_kept[k] = h->n_kept < HTTP_MAX_HEADERS ?
			    h->n_kept : HTTP_MAX_HEADERS;
		}
	}
	if (h->n_kept < HTTP_MAX_HEADERS) {
		h->kept[h->n_kept].name = name;
		h->kept[h->n_kept].value = value;
		h->n_kept++;
	} else {
		h->n_skipped++;
	}
	return parse_ok(0);
}

/* First pass over the head: validate it and find where it ends. */
static struct parse_result
head_scan(struct cur c, bool final, struct head *h)
{
	struct cur line, block;
	size_t start = cur_left(&c), off = 0, blank = 0;
	uint8_t b, b2;
	int i;

	memset(h, 0, sizeof(*h));
	for (int k = 0; k < CONV_N; k++)
		h->conv_kept[k] = HTTP_MAX_HEADERS;

	/* RFC 9112 2.2: ignore empty lines before the request line. */
	for (i = 0; i <= HTTP_MAX_LEADING_EOL; i++) {
		if (!cur_peek_u8(&c, 0, &b))
			return head_short(final);
		if (b == '\n') {
			(void)cur_skip(&c, 1);
		} else if (b == '\r') {
			if (!cur_peek_u8(&c, 1, &b2))
				return head_short(final);
			if (b2 != '\n')
				return parse_fail(PARSE_MALFORMED);
			(void)cur_skip(&c, 2);
		} else {
			break;
		}
	}
	if (i > HTTP_MAX_LEADING_EOL)
		return parse_fail(PARSE_MALFORMED);

	/* Reject non-HTTP on the first bytes, before waiting for a line. */
	for (i = 0; i <= HTTP_MAX_METHOD; i++) {
		if (!cur_peek_u8(&c, (size_t)i, &b))
			return head_short(final);
		if (b == ' ')
			break;
		if (!is_tchar(b))
			return parse_fail(PARSE_MALFORMED);
	}
	if (i == 0 || i > HTTP_MAX_METHOD)
		return parse_fail(PARSE_MALFORMED);

	switch (line_take(&c, HTTP_MAX_REQLINE, &line)) {
	case LINE_OK:
		break;
	case LINE_SHORT:
		return head_short(final);
	case LINE_LONG:
		return parse_fail(PARSE_MALFORMED);
	}
	if (!reqline_parse(line, h))
		return parse_fail(PARSE_MALFORMED);

	/*
	 * Fast path: find the blank line ending the head before looking at
	 * any field, so a head still arriving costs one pass over its line
	 * ends.
	 */
	block = c;
	cur_keep(&block, 0);
	if (cur_peek_u8(&c, 0, &b) && b == '\n') {
		(void)cur_skip(&c, 1);
	} else if (cur_peek_u8(&c, 0, &b) && b == '\r' &&
	    cur_peek_u8(&c, 1, &b2) && b2 == '\n') {
		(void)cur_skip(&c, 2);
	} else {
		if (!cur_find_blank(&c, &off, &blank)) {
			size_t last;

			if (cur_left(&c) > HTTP_MAX_BLOCK + 2)
				return parse_fail(PARSE_MALFORMED);
			/* A line still arriving that is already too long. */
			if (!cur_find_last(&c, '\n', &last))
				last = 0;
			else
				last++;
			if (cur_left(&c) - last > HTTP_MAX_LINE + 1)
				return parse_fail(PARSE_MALFORMED);
			return head_short(final);
		}
		/* block = the field lines, each ending in LF. */
		if (!cur_sub(&c, off + 1, &block) || !cur_skip(&c, blank))
			return parse_fail(PARSE_MALFORMED);
	}
	h->hdr_len = start - cur_left(&c);

	/* Bound: each round consumes one line (>= 1 byte) of block. */
	while (cur_left(&block) > 0) {
		struct parse_result r;

		if (line_take(&block, HTTP_MAX_LINE, &line) != LINE_OK)
			return parse_fail(PARSE_MALFORMED);
		r = field_line(line, h);
		if (r.st != PARSE_OK)
			return r;
	}
	if (h->te_present && (!h->te_last_chunked || h->te_n_chunked != 1))
		return parse_fail(PARSE_MALFORMED);
	return parse_ok((uint32_t)h->hdr_len);
}

/* zlib allocator over a fixed arena: inflate never calls malloc. */
static voidpf
zarena_alloc(voidpf opaque, uInt items, uInt size)
{
	struct zarena *a = opaque;
	size_t n;
	void *p;

	if (size != 0 && items > SIZE_MAX / size)
		return Z_NULL;
	n = (size_t)items * size;
	n = (n + 15) & ~(size_t)15;
	if (n > a->size - a->used)
		return Z_NULL;
	p = a->base + a->used;
	a->used += n;
	return p;
}

static void
zarena_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

static void
sink_init(struct sink *s, uint8_t *dst, size_t cap, enum http_coding coding,
    struct zarena *arena)
{
	memset(s, 0, sizeof(*s));
	s->dst = dst;
	s->cap = cap;
	s->coding = coding;
	s->arena = arena;
}

static bool
sink_compressed(const struct sink *s)
{
	return s->coding == HTTP_CODING_GZIP || s->coding == HTTP_CODING_DEFLATE;
}

/* Inflate n bytes at p; output stops at cap + 1 bytes (bomb guard). */
static void
sink_inflate(struct sink *s, const uint8_t *p, size_t n)
{
	s->zs.next_in = p;
	s->zs.avail_in = (uInt)n;
	/*
	 * Bound: each round consumes input or fills output; stream end,
	 * error, no progress (Z_BUF_ERROR) or cap + 1 output bytes stop it.
	 */
	while (s->zs.avail_in > 0) {
		size_t room = s->cap + 1 - s->len;
		int rc;

		s->zs.next_out = s->dst + s->len;
		s->zs.avail_out = (uInt)room;
		rc = inflate(&s->zs, Z_NO_FLUSH);
		s->len += room - s->zs.avail_out;
		if (rc == Z_STREAM_END)
			s->z_end = true;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			s->error = true;
		if (s->len > s->cap)
			s->cut = true;
		if (s->z_end || s->error || s->cut || rc == Z_BUF_ERROR)
			break;
	}
}

/*
 * Start inflate.  deflate: a valid zlib header (RFC 1950 2.2: CM 8,
 * CINFO <= 7, check bits) selects zlib, anything else raw deflate; some
 * servers and clients send raw deflate under that name.
 */
static void
sink_zstart(struct sink *s)
{
	int wbits = 15 + 16;

	if (s->coding == HTTP_CODING_DEFLATE) {
		unsigned cmf = s->hold[0], flg = s->hold[1];

		if (s->n_hold == 2 && (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 &&
		    (cmf * 256 + flg) % 31 == 0)
			wbits = 15;
		else
			wbits = -15;
	}
	s->zs.zalloc = zarena_alloc;
	s->zs.zfree = zarena_free;
	s->zs.opaque = s->arena;
	if (inflateInit2(&s->zs, wbits) != Z_OK) {
		s->error = true;
		return;
	}
	s->z_started = true;
	if (s->n_hold > 0)
		sink_inflate(s, s->hold, s->n_hold);
}

static void
sink_feed(struct sink *s, struct cur data)
{
	size_t n;

	s->fed += cur_left(&data);
	if (s->cut || s->error || s->z_end)
		return;
	if (!sink_compressed(s)) {
		n = cur_left(&data);
		if (n > s->cap - s->len) {
			n = s->cap - s->len;
			s->cut = true;
		}
		if (cur_bytes(&data, s->dst + s->len, n))
			s->len += n;
		return;
	}
	if (!s->z_started && s->coding == HTTP_CODING_DEFLATE) {
		/* Bound: at most two bytes held. */
		while (s->n_hold < 2 && cur_u8(&data, &s->hold[s->n_hold]))
			s->n_hold++;
		if (s->n_hold < 2)
			return;
	}
	if (!s->z_started) {
		sink_zstart(s);
		if (s->error || s->cut || s->z_end)
			return;
	}
	/* uInt may be narrower than size_t: feed in pieces. */
	while (cur_left(&data) > 0 && !s->cut && !s->error && !s->z_end) {
		const uint8_t *p;

		n = cur_left(&data) > (1u << 30) ? (1u << 30) : cur_left(&data);
		if (!cur_ptr(&data, n, &p))
			break;
		sink_inflate(s, p, n);
	}
}

/*
 * Close the decoder.  complete says the framing delivered the whole body:
 * a compressed stream that has not ended by then is corrupt.
 */
static void
sink_finish(struct sink *s, bool complete)
{
	if (sink_compressed(s) && !s->z_started && s->n_hold > 0 &&
	    !s->error)
		sink_zstart(s);
	if (s->z_started) {
		(void)inflateEnd(&s->zs);
		s->z_started = false;
	}
	if (complete && sink_compressed(s) && s->fed > 0 && !s->z_end &&
	    !s->cut)
		s->error = true;
	if (s->len > s->cap)
		s->len = s->cap;
	s->dst[s->len] = 0;
}

/* Chunk size line: 1*16HEXDIG, then nothing, extensions or whitespace. */
static bool
chunk_size_parse(struct cur line, uint64_t *ret)
{
	uint64_t n = 0;
	size_t digits = 0;
	uint8_t b;

	/* Bound: HTTP_CHUNK_DIGITS digits. */
	while (cur_peek_u8(&line, 0, &b)) {
		unsigned d;

		if (b >= '0' && b <= '9')
			d = (unsigned)(b - '0');
		else if (b >= 'a' && b <= 'f')
			d = (unsigned)(b - 'a' + 10);
		else if (b >= 'A' && b <= 'F')
			d = (unsigned)(b - 'A' + 10);
		else
			break;
		if (++digits > HTTP_CHUNK_DIGITS)
			return false;
		n = n << 4 | d;
		(void)cur_skip(&line, 1);
	}
	if (digits == 0)
		return false;
	if (cur_peek_u8(&line, 0, &b) && b != ';' && !is_ows(b))
		return false;
	*ret = n;
	return true;
}

/*
 * Walk chunked framing (RFC 9112 7.1); chunk data goes to sink when set.
 * Trailer fields are skipped: at most HTTP_MAX_HEADERS lines.
 */
static struct chunk_res
chunked_walk(struct cur c, struct sink *sink)
{
	struct chunk_res r = { CHUNK_SHORT, 0, 0, 0 };
	size_t start = cur_left(&c);
	struct cur line, data;
	uint64_t size;
	uint8_t b, b2;

	/* Bound: each round consumes a size line and its data (>= 2 bytes). */
	for (;;) {
		switch (line_take(&c, HTTP_MAX_LINE, &line)) {
		case LINE_SHORT:
			r.st = CHUNK_SHORT;
			goto out;
		case LINE_LONG:
			r.st = CHUNK_BAD;
			goto out;
		case LINE_OK:
			break;
		}
		if (!chunk_size_parse(line, &size)) {
			r.st = CHUNK_BAD;
			goto out;
		}
		if (size == 0)
			break;
		if (size > cur_left(&c)) {
			/* Deliver what arrived: final callers keep it. */
			r.data += cur_left(&c);
			/* Only a size that fits says how much to wait for. */
			r.needed = size <= UINT32_MAX ?
			    start - cur_left(&c) + size + 2 : 0;
			if (sink != NULL)
				sink_feed(sink, c);
			(void)cur_skip(&c, cur_left(&c));
			r.st = CHUNK_SHORT;
			goto out;
		}
		if (!cur_sub(&c, (size_t)size, &data)) {
			r.st = CHUNK_BAD;
			goto out;
		}
		r.data += size;
		if (sink != NULL)
			sink_feed(sink, data);
		if (!cur_peek_u8(&c, 0, &b)) {
			r.st = CHUNK_SHORT;
			goto out;
		}
		if (b == '\n') {
			(void)cur_skip(&c, 1);
		} else if (b == '\r') {
			if (!cur_peek_u8(&c, 1, &b2)) {
				r.st = CHUNK_SHORT;
				goto out;
			}
			if (b2 != '\n') {
				r.st = CHUNK_BAD;
				goto out;
			}
			(void)cur_skip(&c, 2);
		} else {
			r.st = CHUNK_BAD;
			goto out;
		}
	}
	/* trailer-section CRLF */
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++) {
		switch (line_take(&c, HTTP_MAX_LINE, &line)) {
		case LINE_SHORT:
			r.st = CHUNK_SHORT;
			goto out;
		case LINE_LONG:
			r.st = CHUNK_BAD;
			goto out;
		case LINE_OK:
			break;
		}
		if (cur_left(&line) == 0) {
			r.st = CHUNK_DONE;
			goto out;
		}
	}
	r.st = CHUNK_BAD;
out:
	r.wire = start - cur_left(&c);
	return r;
}

/* Bytes to allocate for the decoded body, NUL included. */
static size_t
body_alloc_size(enum http_coding coding, uint64_t data_len, size_t cap)
{
	if (coding == HTTP_CODING_GZIP || coding == HTTP_CODING_DEFLATE)
		return cap + 1;
	return (data_len < cap ? (size_t)data_len : cap) + 1;
}

/*
 * Second pass: decode wire (chunked or not) into dst.  For a non-chunked
 * body complete says whether wire is all of it.
 */
static void
body_decode(struct cur wire, bool chunked, bool complete,
    enum http_coding coding, uint8_t *dst, size_t cap, size_t *ret_len,
    enum http_body_state *ret_state)
{
	union {
		max_align_t align;
		unsigned char b[HTTP_ZARENA];
	} zmem;
	struct zarena arena = { zmem.b, sizeof(zmem.b), 0 };
	struct sink s;
	bool bad = false;

	sink_init(&s, dst, cap, coding, &arena);
	if (chunked) {
		struct chunk_res r = chunked_walk(wire, &s);

		complete = r.st == CHUNK_DONE;
		bad = r.st == CHUNK_BAD;
	} else {
		sink_feed(&s, wire);
	}
	sink_finish(&s, complete);
	*ret_len = s.len;
	if (bad || s.error)
		*ret_state = HTTP_BODY_DECODE_ERROR;
	else if (s.cut)
		*ret_state = HTTP_BODY_CUT;
	else if (!complete && !bad)
		*ret_state = HTTP_BODY_PARTIAL;
	else
		*ret_state = HTTP_BODY_COMPLETE;
}

/*
 * Scratch for inflated bodies, kept between requests by the caller's
 * context.  An inflated body's size is known only once it is decoded;
 * reserving max_body (64 KiB) for every request was a large block
 * allocated and freed per request, which glibc's malloc answered by
 * consolidating its bins each time.  Decoded here first, a request keeps
 * only what its body turned out to be.
 */
struct http_ctx {
	uint8_t *inflate_buf;
	size_t inflate_cap;
};

struct http_ctx *
http_ctx_new(void)
{
	return calloc(1, sizeof(struct http_ctx));
}

struct http_ctx *
http_ctx_free(struct http_ctx *hc)
{
	if (hc == NULL)
		return NULL;
	free(hc->inflate_buf);
	free(hc);
	return NULL;
}

static uint8_t *
inflate_scratch(struct http_ctx *hc, size_t size)
{
	uint8_t *p;

	if (size <= hc->inflate_cap)
		return hc->inflate_buf;
	if ((p = malloc(size)) == NULL)
		return NULL;
	free(hc->inflate_buf);
	hc->inflate_buf = p;
	hc->inflate_cap = size;
	return p;
}

static bool
coding_inflates(enum http_coding coding)
{
	return coding == HTTP_CODING_GZIP || coding == HTTP_CODING_DEFLATE;
}

static enum http_coding
coding_from_cur(struct cur v)
{
	size_t off;

	cur_trim_ows(&v);
	if (cur_left(&v) == 0 || cur_ieq(&v, "identity"))
		return HTTP_CODING_IDENTITY;
	if (cur_find(&v, cur_left(&v), ",", 1, &off))
		return HTTP_CODING_OTHER;
	if (cur_ieq(&v, "gzip") || cur_ieq(&v, "x-gzip"))
		return HTTP_CODING_GZIP;
	if (cur_ieq(&v, "deflate"))
		return HTTP_CODING_DEFLATE;
	return HTTP_CODING_OTHER;
}

enum http_coding
http_coding_from_name(const char *value)
{
	if (value == NULL)
		return HTTP_CODING_IDENTITY;
	return coding_from_cur(cur_make(value, strlen(value)));
}

/* Bump copier into the store; capacity was sized from the head. */
struct store {
	char *p;
	size_t cap;
	size_t used;
};

/* Copy src as a C string; NUL and CR become SP (RFC 9110 5.5). */
static const char *
store_put(struct store *s, struct cur src)
{
	size_t n = cur_left(&src);
	char *d;

	if (n + 1 > s->cap - s->used)
		return NULL;
	d = s->p + s->used;
	if (!cur_bytes(&src, d, n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (d[i] == '\0' || d[i] == '\r')
			d[i] = ' ';
	d[n] = '\0';
	s->used += n + 1;
	return d;
}

static bool
head_store(const struct head *h, struct store *s, struct http_request *req)
{
	const char **conv_ptr[CONV_N] = {
		&req->host, &req->user_agent, &req->content_type,
		&req->content_encoding, &req->transfer_encoding,
		&req->x_requested_with, &req->cookie, &req->referer,
	};

	if ((req->method = store_put(s, h->method)) == NULL ||
	    (req->target = store_put(s, h->target)) == NULL)
		return false;
	if (h->path_root)
		req->path = "/";
	else if ((req->path = store_put(s, h->path)) == NULL)
		return false;
	if (h->has_query && (req->query = store_put(s, h->query)) == NULL)
		return false;
	req->version_minor = h->minor;
	for (size_t i = 0; i < h->n_kept; i++) {
		if ((req->headers[i].name = store_put(s, h->kept[i].name)) ==
		    NULL ||
		    (req->headers[i].value = store_put(s, h->kept[i].value)) ==
		    NULL)
			return false;
	}
	req->n_headers = h->n_kept;
	req->headers_skipped = h->n_skipped;
	req->headers_cut = h->n_skipped > 0;
	for (int k = 0; k < CONV_N; k++) {
		if (!h->conv_seen[k])
			continue;
		if (h->conv_kept[k] < h->n_kept)
			*conv_ptr[k] = req->headers[h->conv_kept[k]].value;
		else if ((*conv_ptr[k] = store_put(s, h->conv[k])) == NULL)
			return false;
	}
	return true;
}

struct parse_result
http_request_parse(struct http_ctx *hc, const uint8_t *buf, size_t len,
    size_t max_body, bool final, struct http_request *ret)
{
	struct http_request req;
	struct head h;
	struct parse_result r;
	struct store st;
	struct cur c, rest, wire;
	struct chunk_res cr = { CHUNK_DONE, 0, 0, 0 };
	enum http_coding coding = HTTP_CODING_IDENTITY;
	bool chunked = false, has_body = false, complete = true;
	size_t body_cap = 0, consumed;
	uint64_t data_len = 0;
	uint8_t *inflated = NULL;

	memset(ret, 0, sizeof(*ret));
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (max_body > HTTP_MAX_BODY_LIMIT)
		max_body = HTTP_MAX_BODY_LIMIT;
	c = cur_make(buf, len);
	r = head_scan(c, final, &h);
	if (r.st != PARSE_OK)
		return r;
	rest = c;
	(void)cur_skip(&rest, h.hdr_len);
	wire = rest;
	cur_keep(&wire, 0);

	if (h.te_present) {
		chunked = true;
		has_body = true;
		cr = chunked_walk(rest, NULL);
		if (cr.st == CHUNK_SHORT && !final) {
			return parse_need(cr.needed != 0 &&
			    cr.needed <= UINT32_MAX - h.hdr_len ?
			    (uint32_t)(h.hdr_len + cr.needed) : 0);
		}
		wire = rest;
		if (cr.st == CHUNK_DONE)
			cur_keep(&wire, cr.wire);
		data_len = cr.data;
	} else if (h.cl_present && h.cl > 0) {
		has_body = true;
		if (h.cl > cur_left(&rest)) {
			if (!final)
				return parse_need(h.cl <= UINT32_MAX - h.hdr_len ?
				    (uint32_t)(h.hdr_len + h.cl) : 0);
			complete = false;
			wire = rest;
		} else {
			wire = rest;
			cur_keep(&wire, (size_t)h.cl);
		}
		data_len = cur_left(&wire);
	}
	memset(&req, 0, sizeof(req));
	if (has_body) {
		coding = h.n_ce > 1 ? HTTP_CODING_OTHER :
		    h.n_ce == 1 ? coding_from_cur(h.conv[CONV_CE]) :
		    HTTP_CODING_IDENTITY;
		body_cap = body_alloc_size(coding, data_len, max_body);
		if (coding_inflates(coding)) {
			if ((inflated = inflate_scratch(hc, body_cap)) == NULL)
				return parse_fail(PARSE_UNSUPPORTED);
			body_decode(wire, chunked, complete, coding, inflated,
			    max_body, &req.body_len, &req.body_state);
			body_cap = req.body_len + 1;
		}
	}

	st.cap = 2 * h.hdr_len + 16;
	st.used = 0;
	if ((st.p = malloc(st.cap + body_cap)) == NULL)
		return parse_fail(PARSE_UNSUPPORTED);
	req.store = st.p;
	if (!head_store(&h, &st, &req)) {
		free(st.p);
		return parse_fail(PARSE_UNSUPPORTED);
	}
	consumed = h.hdr_len + cur_left(&wire);
	if (has_body) {
		req.body = (uint8_t *)st.p + st.cap;
		req.body_wire_len = cur_left(&wire);
		req.body_encoded = coding == HTTP_CODING_OTHER || h.te_other;
		if (inflated != NULL)
			memcpy(req.body, inflated, req.body_len + 1);
		else
			body_decode(wire, chunked, complete, coding, req.body,
			    max_body, &req.body_len, &req.body_state);
		/* No way to find the next request after broken or cut framing. */
		if (cr.st != CHUNK_DONE || !complete)
			consumed = len;
	}
	*ret = req;
	return parse_ok((uint32_t)consumed);
}

void
http_request_clear(struct http_request *req)
{
	if (req == NULL)
		return;
	free(req->store);
	memset(req, 0, sizeof(*req));
}

const char *
http_header_get(const struct http_request *req, const char *name)
{
	if (req == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < req->n_headers && i < HTTP_MAX_HEADERS; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

bool
http_looks_like_request(const uint8_t *buf, size_t len)
{
	struct cur c = cur_make(buf, len), line;
	size_t n, off;
	uint8_t d;
	bool known = false;

	for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]);
	    i++) {
		n = strlen(known_methods[i]);
		if (cur_prefix(&c, known_methods[i]) &&
		    cur_peek_u8(&c, n, &d) && d == ' ') {
			known = true;
			break;
		}
	}
	if (!known)
		return false;
	/* When the line is there, its end must name HTTP/1.x. */
	if (!cur_find(&c, HTTP_MAX_REQLINE + 2, "\n", 1, &off))
		return true;
	line = c;
	cur_keep(&line, off);
	if (cur_left(&line) > 0 && cur_peek_u8(&line, cur_left(&line) - 1, &d) &&
	    d == '\r')
		cur_keep(&line, cur_left(&line) - 1);
	if (cur_left(&line) < 9 ||
	    !cur_skip(&line, cur_left(&line) - 9) ||
	    !cur_prefix(&line, " HTTP/1.") ||
	    !cur_peek_u8(&line, 8, &d) || d < '0' || d > '9')
		return false;
	return true;
}

struct parse_result
http_body_decode(struct http_ctx *hc, const uint8_t *buf, size_t len,
    bool chunked, enum http_coding coding, size_t max_body, bool final,
    struct http_body *ret)
{
	struct cur wire = cur_make(buf, len);
	struct chunk_res cr = { CHUNK_DONE, 0, 0, 0 };
	struct http_body b;
	uint64_t data_len = len;
	uint8_t *inflated = NULL;
	size_t size;

	if (len > UINT32_MAX) {
		len = UINT32_MAX;
		cur_keep(&wire, len);
	}
	if (max_body > HTTP_MAX_BODY_LIMIT)
		max_body = HTTP_MAX_BODY_LIMIT;
	if (chunked) {
		cr = chunked_walk(wire, NULL);
		if (cr.st == CHUNK_SHORT && !final)
			return parse_need(cr.needed <= UINT32_MAX ?
			    (uint32_t)cr.needed : 0);
		if (cr.st == CHUNK_DONE)
			cur_keep(&wire, cr.wire);
		data_len = cr.data;
	}
	memset(&b, 0, sizeof(b));
	size = body_alloc_size(coding, data_len, max_body);
	if (coding_inflates(coding)) {
		if ((inflated = inflate_scratch(hc, size)) == NULL)
			return parse_fail(PARSE_UNSUPPORTED);
		body_decode(wire, chunked, true, coding, inflated, max_body,
		    &b.len, &b.state);
		size = b.len + 1;
	}
	if ((b.data = malloc(size)) == NULL)
		return parse_fail(PARSE_UNSUPPORTED);
	b.wire_len = cur_left(&wire);
	if (inflated != NULL)
		memcpy(b.data, inflated, b.len + 1);
	else
		body_decode(wire, chunked, true, coding, b.data, max_body,
		    &b.len, &b.state);
	*ret = b;
	return parse_ok((uint32_t)cur_left(&wire));
}

void
http_body_clear(struct http_body *body)
{
	if (body == NULL)
		return;
	free(body->data);
	memset(body, 0, sizeof(*body));
}
