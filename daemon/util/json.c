/*
 * json.c - JSON writer with escaping for untrusted strings.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

int
jw_init(struct jw *w, size_t cap)
{
	memset(w, 0, sizeof(*w));
	if (cap < 256)
		cap = 256;
	if ((w->buf = malloc(cap)) == NULL)
		return -ENOMEM;
	w->cap = cap;
	return 0;
}

void
jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->need_comma[0] = false;
	w->oom = false;
}

void
jw_free(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static bool
reserve(struct jw *w, size_t n)
{
	char *nb;
	size_t ncap;

	if (w->len + n <= w->cap)
		return true;
	if (w->oom)
		return false;
	ncap = w->cap ? w->cap : 256;
	while (ncap < w->len + n)
		ncap *= 2;
	if ((nb = realloc(w->buf, ncap)) == NULL) {
		w->oom = true;
		return false;
	}
	w->buf = nb;
	w->cap = ncap;
	return true;
}

static void
put(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
putc_(struct jw *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
jw_escape(struct jw *w, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	char esc[8];

	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run++;
			i++;
			continue;
		}
		if (run) {
			put(w, str + i - run, run);
			run = 0;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			if (c == '\n')
				put(w, "\\n", 2);
			else if (c == '\r')
				put(w, "\\r", 2);
			else if (c == '\t')
				put(w, "\\t", 2);
			else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				put(w, esc, 6);
			}
			i++;
		} else if ((n = utf8_seq(s + i, len - i)) > 0) {
			put(w, str + i, n);
			i += n;
		} else {
			/* Invalid UTF-8: the JSON text "\\xNN". */
			memcpy(esc, "\\\\x", 3);
			esc[3] = hex[c >> 4];
			esc[4] = hex[c & 15];
			put(w, esc, 5);
			i++;
		}
	}
	if (run)
		put(w, str + i - run, run);
}

static void
key_prefix(struct jw *w, const char *key)
{
	if (w->need_comma[w->depth])
		putc_(w, ',');
	w->need_comma[w->depth] = true;
	if (key != NULL) {
		putc_(w, '"');
		jw_escape(w, key, strlen(key));
		put(w, "\":", 2);
	}
}

void
jw_obj_begin(struct jw *w, const char *key)
{
	key_prefix(w, key);
	putc_(w, '{');
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void
jw_obj_end(struct jw *w)
{
	putc_(w, '}');
	if (w->depth > 0)
		w->depth--;
}

void
jw_arr_begin(struct jw *w, const char *key)
{
	key_prefix(w, key);
	putc_(w, '[');
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void
jw_arr_end(struct jw *w)
{
	putc_(w, ']');
	if (w->depth > 0)
		w->depth--;
}

void
jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	if (val == NULL)
		return;
	key_prefix(w, key);
	putc_(w, '"');
	jw_escape(w, val, len);
	putc_(w, '"');
}

void
jw_str(struct jw *w, const char *key, const char *val)
{
	if (val != NULL)
		jw_strn(w, key, val, strlen(val));
}

void
jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);

	key_prefix(w, key);
	put(w, b, (size_t)n);
}

void
jw_i64(struct jw *w, const char *key, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	key_prefix(w, key);
	put(w, b, (size_t)n);
}

void
jw_double(struct jw *w, const char *key, double v)
{
	char b[32];
	int n;

	key_prefix(w, key);
	if (!isfinite(v)) {
		put(w, "null", 4);
		return;
	}
	n = snprintf(b, sizeof(b), "%.6g", v);
	put(w, b, (size_t)n);
}

void
jw_bool(struct jw *w, const char *key, bool v)
{
	key_prefix(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jw_time(struct jw *w, const char *key, uint64_t ts_us)
{
	char b[40];
	struct tm tm;
	time_t secs = (time_t)(ts_us / 1000000);
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(b + n, sizeof(b) - n, ".%06uZ",
	    (unsigned)(ts_us % 1000000));
	key_prefix(w, key);
	putc_(w, '"');
	put(w, b, n);
	putc_(w, '"');
}

void
jw_newline(struct jw *w)
{
	putc_(w, '\n');
}
