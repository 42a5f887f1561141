/*
 * json.c - JSON writer with escaping for untrusted strings.
 *
 * Every event goes through here, so each call reserves room for its
 * worst case once (a key, its value escaped at ESC_MAX bytes per input
 * byte) and then writes through a plain pointer with no further checks.
 * The buffer still grows only for a document larger than any before it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

/* The longest escape of one input byte: \u00XX. */
#define ESC_MAX 6

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
jw_next(struct jw *w)
{
	w->depth = 0;
	w->need_comma[0] = false;
}

void
jw_truncate(struct jw *w, size_t len)
{
	if (len < w->len)
		w->len = len;
	w->oom = false;
}

void
jw_free(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static bool
grow(struct jw *w, size_t n)
{
	char *nb;
	size_t ncap;

	if (w->oom)
		return false;
	if (n > SIZE_MAX / 4 - w->len) {
		w->oom = true;
		return false;
	}
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

/* Room for n more bytes; the common case stays inline. */
static inline bool
reserve(struct jw *w, size_t n)
{
	if (w->len + n <= w->cap)
		return true;
	return grow(w, n);
}

/* Worst-case escaped size of len bytes, or SIZE_MAX (refused by grow). */
static inline size_t
esc_room(size_t len)
{
	return len <= (SIZE_MAX / 4) / ESC_MAX ? len * ESC_MAX : SIZE_MAX / 2;
}

/*
 * Copy n bytes: keys and most values are under 16 bytes, where two
 * overlapping fixed-size moves beat a call to memcpy.  Every read stays
 * within s[0..n), every write within d[0..n).
 */
static inline char *
copy_short(char *d, const char *s, size_t n)
{
	if (n > 16)
		memcpy(d, s, n);
	else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
	return d + n;
}

static void
putc_(struct jw *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

/*
 * What each byte needs: 0 is written as it is (printable ASCII but quote
 * and backslash), 1 is escaped, 2 starts a multi-byte UTF-8 sequence or
 * is invalid, decided by utf8_seq().
 */
static const uint8_t esc_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x10 */
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 " */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* 0x50 \ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* 0x70 DEL */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x80 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static const char hex[] = "0123456789abcdef";

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

/*
 * The code point of the valid n-byte sequence at s when a terminal would
 * act on it rather than show it: a C1 control (U+0080-U+009F, U+009B is
 * CSI and U+009D OSC on many terminals) or a bidi override or isolate
 * (U+202A-U+202E, U+2066-U+2069); else 0.  Escaped as a six-byte \u
 * escape, each stays within ESC_MAX bytes per input byte.
 */
static inline uint32_t
term_unsafe(const unsigned char *s, size_t n)
{
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return s[1];
	if (n == 3 && s[0] == 0xe2) {
		if (s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
			return 0x2000u | (s[2] & 0x3f);
		if (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
			return 0x2040u | (s[2] & 0x3f);
	}
	return 0;
}

/*
 * Whether all 8 bytes of v are written as they are (esc_class 0): none
 * below 0x20, none from 0x7f up, no quote or backslash.  Each test is the
 * usual "some byte is zero / less than n" bit trick; it can misplace which
 * byte matched, never whether one did.
 */
static inline bool
plain8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t below_space = v - ones * 0x20;
	uint64_t quote = v ^ (ones * '"');
	uint64_t backslash = v ^ (ones * '\\');
	uint64_t del = v ^ (ones * 0x7f);

	below_space = below_space & ~v;
	quote = (quote - ones) & ~quote;
	backslash = (backslash - ones) & ~backslash;
	del = (del - ones) & ~del;
	return ((below_space | quote | backslash | del | v) & high) == 0;
}

/*
 * Escape len bytes at s into d, which has room for esc_room(len) bytes;
 * returns the end.
 */
static char *
escape_into(char *d, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end = s + len;

	while (s < end) {
		unsigned char c;
		size_t n;

		/* Names, addresses and hashes are mostly plain ASCII: eight
		 * bytes at a time while every one of them is. */
		while (end - s >= 8) {
			uint64_t v;

			memcpy(&v, s, 8);
			if (!plain8(v))
				break;
			memcpy(d, &v, 8);
			d += 8;
			s += 8;
		}
		if (s == end)
			return d;
		/* Short tails: copying while scanning beats a memcpy call
		 * per run. */
		while (esc_class[*s] == 0) {
			*d++ = (char)*s++;
			if (s == end)
				return d;
		}
		c = *s;
		if (esc_class[c] == 1) {
			*d++ = '\\';
			if (c == '"' || c == '\\')
				*d++ = (char)c;
			else if (c == '\n')
				*d++ = 'n';
			else if (c == '\r')
				*d++ = 'r';
			else if (c == '\t')
				*d++ = 't';
			else {
				memcpy(d, "u00", 3);
				d[3] = hex[c >> 4];
				d[4] = hex[c & 15];
				d += 5;
			}
			s++;
		} else if ((n = utf8_seq(s, (size_t)(end - s))) > 0) {
			uint32_t cp;

			if ((cp = term_unsafe(s, n)) != 0) {
				/* Valid JSON either way, but events go to a
				 * terminal with --eve -: C1 controls would run
				 * there as escape sequences, bidi overrides
				 * would reorder what is shown. */
				memcpy(d, "\\u", 2);
				d[2] = hex[cp >> 12 & 15];
				d[3] = hex[cp >> 8 & 15];
				d[4] = hex[cp >> 4 & 15];
				d[5] = hex[cp & 15];
				d += 6;
			} else {
				memcpy(d, s, n);
				d += n;
			}
			s += n;
		} else {
			/* Invalid UTF-8: the JSON text "\\xNN". */
			memcpy(d, "\\\\x", 3);
			d[3] = hex[c >> 4];
			d[4] = hex[c & 15];
			d += 5;
			s++;
		}
	}
	return d;
}

void
jw_escape(struct jw *w, const char *s, size_t len)
{
	if (!reserve(w, esc_room(len)))
		return;
	w->len = (size_t)(escape_into(w->buf + w->len, s, len) - w->buf);
}

/*
 * Reserve room for a comma, key and a value of at most room bytes, write
 * the comma and key, and return where the value goes (NULL: out of
 * memory).  The caller sets w->len from the end of what it writes.  Keys
 * are copied as they are (see json.h): no scan, the length is known.
 */
static char *
begin_value(struct jw *w, const char *key, size_t klen, size_t room)
{
	char *d;

	if (!reserve(w, 4 + klen + room))
		return NULL;
	d = w->buf + w->len;
	if (w->need_comma[w->depth])
		*d++ = ',';
	w->need_comma[w->depth] = true;
	if (key == NULL)
		return d;
	*d++ = '"';
	d = copy_short(d, key, klen);
	*d++ = '"';
	*d++ = ':';
	return d;
}

static void
open_container(struct jw *w, const char *key, size_t klen, char c)
{
	char *d;

	if ((d = begin_value(w, key, klen, 1)) == NULL)
		return;
	*d++ = c;
	w->len = (size_t)(d - w->buf);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void
jw_raw(struct jw *w, const char *frag, size_t len)
{
	char *d;

	if ((d = begin_value(w, NULL, 0, len)) == NULL)
		return;
	memcpy(d, frag, len);
	w->len = (size_t)(d - w->buf) + len;
}

void
jw_raw_open(struct jw *w, const char *frag, size_t len)
{
	jw_raw(w, frag, len);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	/* The fragment's object has members already. */
	w->need_comma[w->depth] = true;
}

void
jw_obj_begin_k(struct jw *w, const char *key, size_t klen)
{
	open_container(w, key, klen, '{');
}

void
jw_obj_end(struct jw *w)
{
	putc_(w, '}');
	if (w->depth > 0)
		w->depth--;
}

void
jw_arr_begin_k(struct jw *w, const char *key, size_t klen)
{
	open_container(w, key, klen, '[');
}

void
jw_arr_end(struct jw *w)
{
	putc_(w, ']');
	if (w->depth > 0)
		w->depth--;
}

void
jw_strn_k(struct jw *w, const char *key, size_t klen, const char *val, size_t len)
{
	char *d;

	if (val == NULL)
		return;
	if ((d = begin_value(w, key, klen, 2 + esc_room(len))) == NULL)
		return;
	*d++ = '"';
	d = escape_into(d, val, len);
	*d++ = '"';
	w->len = (size_t)(d - w->buf);
}

void
jw_plain_k(struct jw *w, const char *key, size_t klen, const char *val,
    size_t len)
{
	char *d;

	if ((d = begin_value(w, key, klen, 2 + len)) == NULL)
		return;
	*d++ = '"';
	d = copy_short(d, val, len);
	*d++ = '"';
	w->len = (size_t)(d - w->buf);
}

void
jw_str_k(struct jw *w, const char *key, size_t klen, const char *val)
{
	if (val != NULL)
		jw_strn_k(w, key, klen, val, strlen(val));
}

/* Number of decimal digits of v. */
static inline size_t
u64_digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/*
 * Decimal digits of v into d (room for 20); returns the end.  Written
 * from the last digit back, two at a time: ports, counts and ids in
 * every event.
 */
static char *
u64_into(char *d, uint64_t v)
{
	static const char pairs[201] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char *end = d + u64_digits(v), *p = end;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		p[0] = pairs[2 * r];
		p[1] = pairs[2 * r + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = pairs[2 * v];
		p[1] = pairs[2 * v + 1];
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

void
jw_u64_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char *d;

	if ((d = begin_value(w, key, klen, 20)) == NULL)
		return;
	w->len = (size_t)(u64_into(d, v) - w->buf);
}

void
jw_u64_str_k(struct jw *w, const char *key, size_t klen, uint64_t v)
{
	char *d;

	if ((d = begin_value(w, key, klen, 22)) == NULL)
		return;
	*d++ = '"';
	d = u64_into(d, v);
	*d++ = '"';
	w->len = (size_t)(d - w->buf);
}

void
jw_i64_k(struct jw *w, const char *key, size_t klen, int64_t v)
{
	char *d;

	if ((d = begin_value(w, key, klen, 21)) == NULL)
		return;
	if (v < 0) {
		*d++ = '-';
		/* Negated as unsigned so INT64_MIN does not overflow. */
		d = u64_into(d, -(uint64_t)v);
	} else
		d = u64_into(d, (uint64_t)v);
	w->len = (size_t)(d - w->buf);
}

void
jw_double_k(struct jw *w, const char *key, size_t klen, double v)
{
	char b[32];
	char *d;
	int n;

	if (!isfinite(v)) {
		if ((d = begin_value(w, key, klen, 4)) == NULL)
			return;
		memcpy(d, "null", 4);
		w->len = (size_t)(d + 4 - w->buf);
		return;
	}
	n = snprintf(b, sizeof(b), "%.6g", v);
	if (n < 0 || (size_t)n >= sizeof(b))
		n = 0;
	if ((d = begin_value(w, key, klen, (size_t)n)) == NULL)
		return;
	memcpy(d, b, (size_t)n);
	w->len = (size_t)(d + n - w->buf);
}

void
jw_bool_k(struct jw *w, const char *key, size_t klen, bool v)
{
	char *d;

	if ((d = begin_value(w, key, klen, 5)) == NULL)
		return;
	if (v) {
		memcpy(d, "true", 4);
		d += 4;
	} else {
		memcpy(d, "false", 5);
		d += 5;
	}
	w->len = (size_t)(d - w->buf);
}

static char *
two_digits(char *d, unsigned v)
{
	d[0] = (char)('0' + v / 10);
	d[1] = (char)('0' + v % 10);
	return d + 2;
}

/* Seconds before year 10000, the range with four-digit years. */
#define SECS_Y10K 253402300800ULL

/*
 * "YYYY-MM-DDTHH:MM:SS" for secs since the epoch into b (24 bytes), as
 * gmtime_r and strftime("%Y-%m-%dT%H:%M:%S") write it, without either:
 * days to a civil date (H. Hinnant's days_from_civil inverse) for the
 * four-digit years, the C library beyond them.
 */
static size_t
format_secs(char *b, uint64_t secs)
{
	uint64_t days, sod;
	unsigned yoe, doy, mp, m, dd, era, doe;
	uint64_t y;
	char *d = b;

	if (secs >= SECS_Y10K) {
		struct tm tm;
		time_t t = (time_t)secs;

		if (gmtime_r(&t, &tm) == NULL)
			return 0;
		return strftime(b, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	days = secs / 86400;
	sod = secs % 86400;
	/* Days since 0000-03-01, in 400-year eras of 146097 days. */
	days += 719468;
	era = (unsigned)(days / 146097);
	doe = (unsigned)(days - (uint64_t)era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (uint64_t)yoe + (uint64_t)era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dd = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	d = two_digits(d, (unsigned)(y / 100));
	d = two_digits(d, (unsigned)(y % 100));
	*d++ = '-';
	d = two_digits(d, m);
	*d++ = '-';
	d = two_digits(d, dd);
	*d++ = 'T';
	d = two_digits(d, (unsigned)(sod / 3600));
	*d++ = ':';
	d = two_digits(d, (unsigned)(sod / 60 % 60));
	*d++ = ':';
	d = two_digits(d, (unsigned)(sod % 60));
	return (size_t)(d - b);
}

void
jw_time_k(struct jw *w, const char *key, size_t klen, uint64_t ts_us)
{
	uint64_t secs = ts_us / 1000000;
	unsigned us = (unsigned)(ts_us % 1000000);
	char *d;

	/* Events of one stretch of traffic mostly share their second. */
	if (!w->time_valid || w->time_secs != secs) {
		w->time_len = format_secs(w->time_text, secs);
		w->time_secs = secs;
		w->time_valid = true;
	}
	if ((d = begin_value(w, key, klen, w->time_len + 10)) == NULL)
		return;
	*d++ = '"';
	memcpy(d, w->time_text, w->time_len);
	d += w->time_len;
	*d++ = '.';
	for (int i = 5; i >= 0; i--) {
		d[i] = (char)('0' + us % 10);
		us /= 10;
	}
	d += 6;
	*d++ = 'Z';
	*d++ = '"';
	w->len = (size_t)(d - w->buf);
}

void
jw_newline(struct jw *w)
{
	putc_(w, '\n');
}
