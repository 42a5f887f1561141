/*
 * pii_json.c - splitting message bodies into fields for the detectors:
 * a JSON walker (every scalar with its path, "$.user.geo.lat"), the
 * key=value splitter of query strings, form bodies and cookies, and the
 * multipart/form-data splitter (RFC 7578).
 *
 * All three read the untrusted bytes through a struct cur, write decoded
 * strings into a bounded bump buffer owned by the caller (no allocation),
 * and stop cleanly when that buffer or their own caps are exhausted.
 * They are lenient: whatever parsed before an error is kept, since a
 * truncated body still carries data worth reporting.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "pii_int.h"

#define PATH_MAX_LEN 128
#define MAX_FORM_PAIRS 4096	/* pairs per query/form/cookie */
#define KV_MAX_KEY 48		/* key of a key=value list item */
#define MAX_PART_HEADERS 16

uint8_t *
pii_buf_alloc(struct pii_buf *b, size_t n)
{
	uint8_t *p;

	if (b->cap - b->len < n)
		return NULL;
	p = b->p + b->len;
	b->len += n;
	return p;
}

static int
peek(const struct cur *c)
{
	uint8_t v;

	return cur_peek_u8(c, 0, &v) ? v : -1;
}

static void
skip_ws(struct cur *c)
{
	int ch;

	/* Bounded by the cursor length. */
	while ((ch = peek(c)) == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		cur_skip(c, 1);
}

/* Path append with truncation (locations are evidence, not identity). */
static void
path_add(char *path, size_t *plen, const char *fmt_key, size_t klen,
    uint32_t idx, bool arr)
{
	int w;

	if (arr)
		w = snprintf(path + *plen, PATH_MAX_LEN - *plen, "[%u]", idx);
	else
		w = snprintf(path + *plen, PATH_MAX_LEN - *plen, ".%.*s",
		    (int)(klen > 64 ? 64 : klen), fmt_key);
	if (w > 0)
		*plen = *plen + (size_t)w >= PATH_MAX_LEN ? PATH_MAX_LEN - 1 :
		    *plen + (size_t)w;
}

/*
 * Read a JSON string (cursor on the opening quote).  raw/rawlen: the
 * bytes between the quotes; the unescaped copy goes to sb.  Returns
 * false on a syntax error or when sb is full.
 */
static bool
json_string(struct cur *c, struct pii_buf *sb, const uint8_t **ret_raw,
    size_t *ret_rawlen, const uint8_t **ret_val, size_t *ret_vallen)
{
	struct cur start;
	size_t before, n = 0;
	uint8_t *out = sb->p + sb->len;
	size_t room = sb->cap - sb->len;
	uint8_t ch;

	if (!cur_skip(c, 1))
		return false;
	start = *c;
	before = cur_left(c);
	/* Bounded by the cursor length. */
	for (;;) {
		if (!cur_u8(c, &ch))
			return false;
		if (ch == '"')
			break;
		if (ch == '\\') {
			uint8_t e;

			if (!cur_u8(c, &e))
				return false;
			switch (e) {
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				uint8_t hx[4];
				int v = 0;

				if (!cur_bytes(c, hx, 4))
					return false;
				for (int k = 0; k < 4; k++) {
					int h = pii_hexval(hx[k]);

					if (h < 0)
						return false;
					v = v << 4 | h;
				}
				if (v >= 0x80) {
					/* UTF-8; lone surrogates kept as their
					 * 3-byte encoding (we only search it) */
					uint8_t u[3];
					size_t ul;

					if (v < 0x800) {
						u[0] = (uint8_t)(0xc0 | v >> 6);
						u[1] = (uint8_t)(0x80 | (v & 63));
						ul = 2;
					} else {
						u[0] = (uint8_t)(0xe0 | v >> 12);
						u[1] = (uint8_t)(0x80 |
						    (v >> 6 & 63));
						u[2] = (uint8_t)(0x80 | (v & 63));
						ul = 3;
					}
					if (n + ul > room)
						return false;
					memcpy(out + n, u, ul);
					n += ul;
					continue;
				}
				ch = (uint8_t)v;
				break;
			}
			default:
				ch = e;	/* \" \\ \/ and lenient others */
				break;
			}
		}
		if (n + 1 > room)
			return false;
		out[n++] = ch;
	}
	if (n + 1 > room)
		return false;
	out[n] = '\0';
	sb->len += n + 1;
	*ret_raw = start.p;
	*ret_rawlen = before - cur_left(c) - 1;
	*ret_val = out;
	*ret_vallen = n;
	return true;
}

struct frame {
	bool arr;
	const char *key;	/* member name this container sits under */
	size_t klen;
	uint32_t idx;
	uint32_t obj;
	size_t plen;		/* path length at this container */
};

bool
pii_json_walk(const uint8_t *buf, size_t len, const char *prefix,
    unsigned max_depth, struct pii_buf *sb, uint32_t *ret_obj,
    pii_field_cb *cb, void *arg)
{
	struct frame st[PII_JSON_MAX_DEPTH];
	unsigned depth = 0;
	struct cur c = cur_make(buf, len);
	char path[PATH_MAX_LEN];
	size_t plen;
	const char *key = "";	/* member name of the value being read */
	size_t klen = 0;
	uint32_t obj = *ret_obj;
	bool ok = false;
	int ch;

	if (max_depth > PII_JSON_MAX_DEPTH)
		max_depth = PII_JSON_MAX_DEPTH;
	plen = (size_t)snprintf(path, sizeof(path), "%s", prefix);
	if (plen >= sizeof(path))
		plen = sizeof(path) - 1;

	/*
	 * Each iteration reads one value and then the separators after it;
	 * every iteration consumes at least one byte, so the loop is bounded
	 * by len.
	 */
	for (;;) {
		struct pii_field f;
		size_t vplen = plen;

		skip_ws(&c);
		/* Path of this value inside its container. */
		if (depth > 0) {
			struct frame *t = &st[depth - 1];

			plen = t->plen;
			path_add(path, &plen, key, klen, t->idx, t->arr);
			vplen = plen;
		}
		ch = peek(&c);
		if (ch == '{' || ch == '[') {
			if (depth >= max_depth)
				goto out;
			cur_skip(&c, 1);
			st[depth] = (struct frame){ .arr = ch == '[', .key = key,
			    .klen = klen, .idx = 0, .obj = ++obj,
			    .plen = vplen };
			depth++;
			skip_ws(&c);
			if (peek(&c) == (ch == '{' ? '}' : ']')) {
				cur_skip(&c, 1);
				depth--;
				goto after_value;
			}
			if (ch == '{')
				goto read_key;
			continue;
		}
		memset(&f, 0, sizeof(f));
		if (ch == '"') {
			if (!json_string(&c, sb, &f.raw, &f.raw_len, &f.val,
			    &f.val_len))
				goto out;
		} else {
			struct cur s = c;
			size_t before = cur_left(&c);

			/* Literal: number, true, false, null. */
			while ((ch = peek(&c)) != -1 &&
			    ((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' ||
			    ch == '.' || (ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z')))
				cur_skip(&c, 1);
			if (before == cur_left(&c))
				goto out;
			f.raw = f.val = s.p;
			f.raw_len = f.val_len = before - cur_left(&c);
			f.is_number = s.p[0] == '-' ||
			    (s.p[0] >= '0' && s.p[0] <= '9');
		}
		path[plen] = '\0';
		f.key = key;
		f.key_len = klen;
		if (depth > 0) {
			f.obj = st[depth - 1].obj;
			if (st[depth - 1].arr) {
				/* array items take the array's name */
				f.key = st[depth - 1].key;
				f.key_len = st[depth - 1].klen;
			}
			f.parent = depth >= 2 || !st[depth - 1].arr ?
			    st[depth - 1].key : "";
			f.parent_len = depth >= 2 || !st[depth - 1].arr ?
			    st[depth - 1].klen : 0;
		} else
			f.parent = "";
		f.path = path;
		if (!cb(arg, &f))
			goto out;
after_value:
		/* Close containers and find the next value; bounded by depth
		 * per byte consumed. */
		for (;;) {
			struct frame *t;

			skip_ws(&c);
			if (depth == 0) {
				ok = true;
				goto out;
			}
			t = &st[depth - 1];
			ch = peek(&c);
			if (ch == ',') {
				cur_skip(&c, 1);
				t->idx++;
				if (t->arr) {
					key = t->key;
					klen = t->klen;
					break;
				}
				goto read_key;
			}
			if (ch == (t->arr ? ']' : '}')) {
				cur_skip(&c, 1);
				depth--;
				continue;
			}
			goto out;
		}
		continue;
read_key:
		{
			const uint8_t *kr, *kv;
			size_t krl, kvl;

			skip_ws(&c);
			if (peek(&c) != '"' ||
			    !json_string(&c, sb, &kr, &krl, &kv, &kvl))
				goto out;
			key = (const char *)kv;
			klen = kvl;
			skip_ws(&c);
			if (peek(&c) != ':')
				goto out;
			cur_skip(&c, 1);
		}
	}
out:
	*ret_obj = obj;
	return ok;
}

void
pii_form_split(const uint8_t *buf, size_t len, char sep, bool plus,
    const char *prefix, struct pii_buf *sb, uint32_t obj, pii_field_cb *cb,
    void *arg)
{
	struct cur c = cur_make(buf, len);
	size_t plen = strlen(prefix);

	/* At most MAX_FORM_PAIRS pairs, each consuming ≥ 1 byte. */
	for (unsigned pairs = 0; cur_left(&c) > 0 && pairs < MAX_FORM_PAIRS;
	    pairs++) {
		struct cur kc = c, vc = c;
		size_t before = cur_left(&c), klen = 0, vlen = 0, vraw, klen_raw, n;
		struct pii_field f;
		uint8_t ch = 0, *kd, *vd, *pd;
		bool has_eq = false;

		while (cur_u8(&c, &ch) && ch != (uint8_t)sep) {
			if (ch == '=' && !has_eq) {
				has_eq = true;
				klen = before - cur_left(&c) - 1;
				vc = c;
			}
		}
		n = before - cur_left(&c) - (ch == (uint8_t)sep ? 1 : 0);
		if (has_eq)
			vlen = n - klen - 1;
		else
			klen = n;
		vraw = vlen;
		/* Cookies put a space after the separator. */
		while (klen > 0 && kc.p[0] == ' ' && cur_skip(&kc, 1))
			klen--;
		klen_raw = klen;
		if (n == 0)
			continue;
		if ((kd = pii_buf_alloc(sb, klen + 1)) == NULL ||
		    (vd = pii_buf_alloc(sb, vlen + 1)) == NULL ||
		    (pd = pii_buf_alloc(sb, plen + klen + 1)) == NULL)
			return;
		klen = pii_url_decode((const char *)kc.p, klen, plus,
		    (char *)kd, klen);
		kd[klen] = '\0';
		if (has_eq)
			vlen = pii_url_decode((const char *)vc.p, vlen, plus,
			    (char *)vd, vlen);
		vd[vlen] = '\0';
		memcpy(pd, prefix, plen);
		memcpy(pd + plen, kd, klen + 1);
		memset(&f, 0, sizeof(f));
		f.key = (const char *)kd;
		f.key_len = klen;
		f.parent = "";
		f.path = (const char *)pd;
		f.val = vd;
		f.val_len = vlen;
		f.raw = has_eq ? vc.p : vd;
		f.raw_len = has_eq ? vraw : 0;
		if (!has_eq) {
			/* a bare item ("?<data>"): it is a value, not a key,
			 * and its text must not become the location */
			f.key = "";
			f.key_len = 0;
			f.val = kd;
			f.val_len = klen;
			f.raw = kc.p;
			f.raw_len = klen_raw;
			f.is_text = true;
			memcpy(pd, prefix, plen);
			pd[plen] = '\0';
			if (plen == 0)
				f.path = "-";
		}
		f.obj = obj;
		if (!cb(arg, &f))
			return;
	}
}

/* A key of a key=value list item: a letter, then a name's characters. */
static bool
kv_key_ok(const uint8_t *k, size_t n)
{
	if (n == 0 || n > KV_MAX_KEY ||
	    !((k[0] | 0x20) >= 'a' && (k[0] | 0x20) <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((k[i] | 0x20) >= 'a' && (k[i] | 0x20) <= 'z') &&
		    !(k[i] >= '0' && k[i] <= '9') && k[i] != '_' &&
		    k[i] != '-' && k[i] != '.')
			return false;
	return true;
}

static bool
kv_item_sep(uint8_t ch)
{
	return ch == ';' || ch == ',' || ch == '&' || ch == '|';
}

size_t
pii_kv_list_split(const uint8_t *buf, size_t len, const char *prefix,
    struct pii_buf *sb, uint32_t obj, pii_field_cb *cb, void *arg)
{
	struct cur c = cur_make(buf, len);
	size_t plen = strlen(prefix), pairs = 0;

	/* At most MAX_FORM_PAIRS items, each consuming ≥ 1 byte. */
	for (unsigned items = 0; cur_left(&c) > 0 && items < MAX_FORM_PAIRS;
	    items++) {
		struct cur item = c, kc, vc;
		size_t n = 0, at = 0, klen, vlen;
		uint8_t ch = 0, *vd, *pd;
		struct pii_field f;
		bool assigned = false;

		while (cur_u8(&c, &ch) && !kv_item_sep(ch)) {
			if (!assigned && (ch == '=' || ch == ':')) {
				assigned = true;
				at = n;
			}
			n++;
		}
		if (!assigned || !cur_sub(&item, n, &kc))
			continue;
		vc = kc;
		if (!cur_skip(&vc, at + 1))
			continue;
		/* "https://...", not a pair */
		if (cur_left(&vc) > 0 && vc.p[0] == '/')
			continue;
		klen = at;
		while (klen > 0 && (kc.p[0] == ' ' || kc.p[0] == '\t') &&
		    cur_skip(&kc, 1))
			klen--;
		while (klen > 0 && kc.p[klen - 1] == ' ')
			klen--;
		if (!kv_key_ok(kc.p, klen))
			continue;
		vlen = cur_left(&vc);
		while (vlen > 0 && vc.p[0] == ' ' && cur_skip(&vc, 1))
			vlen--;
		while (vlen > 0 && vc.p[vlen - 1] == ' ')
			vlen--;
		if (vlen >= 2 && vc.p[0] == '"' && vc.p[vlen - 1] == '"' &&
		    cur_skip(&vc, 1))
			vlen -= 2;
		if ((vd = pii_buf_alloc(sb, vlen + 1)) == NULL ||
		    (pd = pii_buf_alloc(sb, plen + klen + 1)) == NULL)
			break;
		vlen = pii_url_decode((const char *)vc.p, vlen, false,
		    (char *)vd, vlen);
		vd[vlen] = '\0';
		memcpy(pd, prefix, plen);
		memcpy(pd + plen, kc.p, klen);
		pd[plen + klen] = '\0';
		memset(&f, 0, sizeof(f));
		f.key = (const char *)pd + plen;
		f.key_len = klen;
		f.parent = "";
		f.path = (const char *)pd;
		f.val = vd;
		f.val_len = vlen;
		f.raw = vc.p;
		f.raw_len = vlen;
		f.obj = obj;
		f.in_list = true;
		pairs++;
		if (!cb(arg, &f))
			break;
	}
	return pairs;
}

/* Case-insensitive prefix test on a bounded span. */
static bool
span_prefix(const uint8_t *p, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && strncasecmp((const char *)p, pfx, n) == 0;
}

/* Parameter value from a header ("boundary=", "name="), unquoted. */
static bool
header_param(const uint8_t *h, size_t len, const char *name, char *out,
    size_t outlen)
{
	size_t nl = strlen(name), i = 0;

	/* Bounded by len. */
	while (i + nl <= len) {
		if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' ||
		    h[i - 1] == '\t') && strncasecmp((const char *)h + i, name,
		    nl) == 0 && i + nl < len && h[i + nl] == '=') {
			size_t j = i + nl + 1, o = 0;
			bool q = j < len && h[j] == '"';

			if (q)
				j++;
			while (j < len && o + 1 < outlen &&
			    (q ? h[j] != '"' : (h[j] != ';' && h[j] != ' ' &&
			    h[j] != '\r' && h[j] != '\n')))
				out[o++] = (char)h[j++];
			out[o] = '\0';
			return o > 0;
		}
		i++;
	}
	return false;
}

static char *
buf_str(struct pii_buf *sb, const char *s)
{
	size_t n = strlen(s);
	uint8_t *p = pii_buf_alloc(sb, n + 1);

	if (p != NULL)
		memcpy(p, s, n + 1);
	return (char *)p;
}

int
pii_multipart_split(const uint8_t *buf, size_t len, const char *content_type,
    unsigned max_parts, struct pii_buf *sb, pii_part_cb *cb, void *arg)
{
	char bnd[80], delim[84];
	size_t dl;
	struct cur c = cur_make(buf, len);
	const uint8_t *hit;
	int parts = 0;

	if (content_type == NULL || !header_param((const uint8_t *)content_type,
	    strlen(content_type), "boundary", bnd, sizeof(bnd)) ||
	    strlen(bnd) > 70)
		return -1;
	dl = (size_t)snprintf(delim, sizeof(delim), "--%s", bnd);
	/* First delimiter (preamble skipped). */
	if ((hit = memmem(c.p, c.len, delim, dl)) == NULL)
		return 0;
	cur_skip(&c, (size_t)(hit - c.p) + dl);
	/* At most max_parts parts; each consumes its delimiter. */
	while ((unsigned)parts < max_parts) {
		struct pii_part part = { "", "", "", NULL, 0 };
		struct cur hdrs;
		const uint8_t *end;
		size_t hlen = 0;
		uint8_t ch;

		if (span_prefix(c.p, c.len, "--"))
			break;	/* close delimiter */
		/* rest of the delimiter line */
		while (cur_u8(&c, &ch) && ch != '\n')
			;
		hdrs = c;
		/* Header lines up to an empty line, at most MAX_PART_HEADERS. */
		for (int h = 0; h <= MAX_PART_HEADERS; h++) {
			const uint8_t *nl = memchr(c.p, '\n', c.len);
			size_t ll;

			if (nl == NULL)
				return parts;
			ll = (size_t)(nl - c.p);
			if (ll == 0 || (ll == 1 && c.p[0] == '\r')) {
				cur_skip(&c, ll + 1);
				break;
			}
			if (span_prefix(c.p, ll, "content-disposition:")) {
				char v[128];

				if (header_param(c.p, ll, "name", v, sizeof(v)))
					part.name = buf_str(sb, v);
				if (header_param(c.p, ll, "filename", v,
				    sizeof(v)))
					part.filename = buf_str(sb, v);
			} else if (span_prefix(c.p, ll, "content-type:")) {
				char v[128];
				size_t k = 13, o = 0;

				while (k < ll && c.p[k] == ' ')
					k++;
				while (k < ll && o + 1 < sizeof(v) &&
				    c.p[k] != '\r' && c.p[k] != ';')
					v[o++] = (char)c.p[k++];
				v[o] = '\0';
				part.content_type = buf_str(sb, v);
			}
			hlen += ll + 1;
			cur_skip(&c, ll + 1);
		}
		(void)hdrs;
		(void)hlen;
		if (part.name == NULL)
			part.name = "";
		if (part.filename == NULL)
			part.filename = "";
		if (part.content_type == NULL)
			part.content_type = "";
		end = memmem(c.p, c.len, delim, dl);
		part.body = c.p;
		part.body_len = end ? (size_t)(end - c.p) : c.len;
		/* the CRLF before the delimiter belongs to it */
		if (end && part.body_len > 0 && part.body[part.body_len - 1] ==
		    '\n')
			part.body_len--;
		if (end && part.body_len > 0 && part.body[part.body_len - 1] ==
		    '\r')
			part.body_len--;
		parts++;
		if (!cb(arg, &part))
			break;
		if (end == NULL)
			break;
		cur_skip(&c, (size_t)(end - c.p) + dl);
	}
	return parts;
}
