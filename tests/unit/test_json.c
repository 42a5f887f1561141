/*
 * test_json.c - JSON writer: nesting, escaping of control bytes and
 * invalid UTF-8 at every offset, unescaped text the program made,
 * numbers, timestamps.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "json.h"

static const char *
done(struct jw *w)
{
	jw_newline(w);
	w->buf[w->len - 1] = '\0';
	return w->buf;
}

static void
test_nesting(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_obj_begin(&w, "source");
	jw_str(&w, "ip", "10.0.0.1");
	jw_u64(&w, "port", 443);
	jw_obj_end(&w);
	jw_arr_begin(&w, "type");
	jw_str(&w, NULL, "a");
	jw_str(&w, NULL, "b");
	jw_arr_end(&w);
	jw_bool(&w, "x", true);
	jw_i64(&w, "n", -5);
	jw_str(&w, "skipped", NULL);
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"source\":{\"ip\":\"10.0.0.1\",\"port\":443},\"type\":[\"a\",\"b\"],"
	    "\"x\":true,\"n\":-5}");
	jw_free(&w);
}

static void
test_escaping(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_strn(&w, "s", "a\"b\\c\n\x01\x7f", 8);
	/* Valid UTF-8 kept; lone continuation, overlong and truncated escaped. */
	jw_str(&w, "u", "\xc3\xa9\x80\xc0\xaf\xe2\x82");
	jw_strn(&w, "z", "a\0b", 3);
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u007f\","
	    "\"u\":\"\xc3\xa9\\\\x80\\\\xc0\\\\xaf\\\\xe2\\\\x82\","
	    "\"z\":\"a\\u0000b\"}");
	jw_free(&w);
}

/* How the writer shows one byte standing alone among plain ones. */
static void
escaped_byte(unsigned char c, char *out, size_t size)
{
	if (c == '"' || c == '\\')
		snprintf(out, size, "\\%c", c);
	else if (c == '\n')
		snprintf(out, size, "\\n");
	else if (c == '\r')
		snprintf(out, size, "\\r");
	else if (c == '\t')
		snprintf(out, size, "\\t");
	else if (c < 0x20 || c == 0x7f)
		snprintf(out, size, "\\u%04x", c);
	else if (c >= 0x80)
		snprintf(out, size, "\\\\x%02x", c);	/* invalid UTF-8 */
	else
		snprintf(out, size, "%c", c);
}

/*
 * Strings are scanned eight bytes at a time while all eight are plain:
 * every byte value, at every place in and around those eight-byte
 * steps, comes out as it does alone; so do multi-byte characters that
 * straddle a step, kept or escaped.
 */
static void
test_escaping_every_offset(void **state)
{
	static const struct {
		const char *in, *out;
	} seqs[] = {
		{ "\xc3\xa9", "\xc3\xa9" },		/* e acute: kept */
		{ "\xc2\x9b", "\\u009b" },		/* CSI */
		{ "\xe2\x80\xae", "\\u202e" },	/* right-to-left override */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xe2\x82", "\\\\xe2\\\\x82" },	/* cut short */
	};
	char in[40], want[256], esc[16];
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	for (unsigned c = 0; c < 256; c++)
		for (size_t at = 0; at < 20; at++)
			for (size_t len = at + 1; len <= at + 9; len += 4) {
				memset(in, 'a', len);
				in[at] = (char)c;
				escaped_byte((unsigned char)c, esc, sizeof(esc));
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"",
				    (int)at, in, esc, (int)(len - at - 1),
				    in + at + 1);
				jw_reset(&w);
				jw_strn(&w, NULL, in, len);
				jw_newline(&w);
				w.buf[w.len - 1] = '\0';
				assert_string_equal(w.buf, want);
			}
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		for (size_t at = 0; at < 18; at++) {
			size_t n = strlen(seqs[i].in);

			memset(in, 'b', sizeof(in));
			memcpy(in + at, seqs[i].in, n);
			in[at + n + 9] = '\0';
			snprintf(want, sizeof(want), "\"%.*s%s%s\"", (int)at, in,
			    seqs[i].out, in + at + n);
			jw_reset(&w);
			jw_str(&w, NULL, in);
			jw_newline(&w);
			w.buf[w.len - 1] = '\0';
			assert_string_equal(w.buf, want);
		}
	jw_free(&w);
}

/*
 * Text the program made is copied as it is; numbers that ECS keeps as
 * keywords are quoted.
 */
static void
test_plain_and_keywords(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_plain(&w, "ip", "2001:db8::1");
	jw_plainn(&w, "cipher", "0x1301zzz", 6);
	jw_plain(&w, "skipped", NULL);
	jw_plain(&w, "empty", "");
	jw_u64_str(&w, "iana_number", 17);
	jw_u64_str(&w, "zero", 0);
	jw_u64_str(&w, "max", UINT64_MAX);
	jw_arr_begin(&w, "a");
	jw_plain(&w, NULL, "x");
	jw_u64_str(&w, NULL, 4095);
	jw_arr_end(&w);
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"ip\":\"2001:db8::1\",\"cipher\":\"0x1301\",\"empty\":\"\","
	    "\"iana_number\":\"17\",\"zero\":\"0\","
	    "\"max\":\"18446744073709551615\",\"a\":[\"x\",\"4095\"]}");
	jw_free(&w);
}

/*
 * C1 controls and bidi overrides are valid JSON but act on a terminal
 * (--eve -): always a \u escape with four hex digits.  Their neighbours
 * stay as UTF-8.
 */
static void
test_escaping_terminal(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	/* U+0080, U+009B CSI, U+009D OSC, U+009F; U+00A0 kept. */
	jw_str(&w, "c1", "\xc2\x80\xc2\x9b[2J\xc2\x9d" "0;x\xc2\x9f\xc2\xa0");
	/* U+202A-U+202E, U+2066-U+2069; U+2029, U+202F, U+2065, U+206A kept. */
	jw_str(&w, "bidi", "\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9"
	    "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"c1\":\"\\u0080\\u009b[2J\\u009d0;x\\u009f\xc2\xa0\","
	    "\"bidi\":\"\\u202a\\u202e\\u2066\\u2069"
	    "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\"}");
	jw_free(&w);
}

static void
test_time(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_time(&w, "t", 1700000000123456ULL);
	jw_double(&w, "d", 0.5);
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"t\":\"2023-11-14T22:13:20.123456Z\",\"d\":0.5}");
	jw_free(&w);
}

/* The date arithmetic agrees with gmtime_r and strftime, past 9999 too. */
static void
test_time_range(void **state)
{
	static const uint64_t fixed[] = { 0, 59, 86399, 86400, 951782400,
	    951868799, 951868800, 4107542400ULL, 4107542399ULL,
	    253402300799ULL, 253402300800ULL, 253402387200ULL,
	    1000000000000ULL };
	struct jw w;
	uint64_t secs = 0;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	for (size_t i = 0; i < 20000 + sizeof(fixed) / sizeof(fixed[0]); i++) {
		char want[64];
		struct tm tm;
		time_t t;
		size_t n;

		if (i < sizeof(fixed) / sizeof(fixed[0]))
			secs = fixed[i];
		else
			secs = secs * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i >= sizeof(fixed) / sizeof(fixed[0]))
			secs %= 300000000000ULL;
		t = (time_t)secs;
		assert_non_null(gmtime_r(&t, &tm));
		n = strftime(want, sizeof(want), "\"%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof(want) - n, ".%06uZ\"",
		    (unsigned)(secs % 1000000));
		jw_reset(&w);
		jw_time(&w, NULL, secs * 1000000 + secs % 1000000);
		jw_newline(&w);
		w.buf[w.len - 1] = '\0';
		assert_string_equal(w.buf, want);
	}
	jw_free(&w);
}

static void
test_numbers(void **state)
{
	struct jw w;
	char want[32];

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_arr_begin(&w, NULL);
	jw_u64(&w, NULL, 0);
	jw_u64(&w, NULL, 9);
	jw_u64(&w, NULL, 10);
	jw_u64(&w, NULL, UINT64_MAX);
	jw_i64(&w, NULL, INT64_MIN);
	jw_i64(&w, NULL, INT64_MAX);
	jw_i64(&w, NULL, 0);
	jw_bool(&w, NULL, false);
	jw_arr_end(&w);
	assert_string_equal(done(&w),
	    "[0,9,10,18446744073709551615,-9223372036854775808,"
	    "9223372036854775807,0,false]");
	/* Every number of digits, at and around each power of ten. */
	for (uint64_t p = 1, i = 0; i < 20; i++, p *= 10)
		for (uint64_t v = p - 1; v <= p + 1; v++) {
			snprintf(want, sizeof(want), "%" PRIu64, v);
			jw_reset(&w);
			jw_u64(&w, NULL, v);
			assert_string_equal(done(&w), want);
		}
	jw_free(&w);
}

/*
 * Keys of any length come out whole (they are names, never escaped), and
 * so do plain values.
 */
static void
test_keys(void **state)
{
	struct jw w;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "abcdefghijklmnopqrstuvwxyz0123456789", 1);
	jw_u64(&w, "abcdefghijklmnopqrstuvwxyz012345", 2);
	jw_bool(&w, "event.dataset", true);
	jw_str(&w, "", "");
	jw_obj_end(&w);
	assert_string_equal(done(&w),
	    "{\"abcdefghijklmnopqrstuvwxyz0123456789\":1,"
	    "\"abcdefghijklmnopqrstuvwxyz012345\":2,\"event.dataset\":true,"
	    "\"\":\"\"}");
	/* Short keys and plain values are copied in overlapping words:
	 * every length, each byte where it belongs. */
	for (size_t n = 0; n <= 40; n++) {
		char text[41], want[100];

		for (size_t i = 0; i < n; i++)
			text[i] = (char)('A' + i % 26 + (i / 26) * 6);
		text[n] = '\0';
		snprintf(want, sizeof(want), "{\"%s\":\"%s\"}", text, text);
		jw_reset(&w);
		jw_obj_begin(&w, NULL);
		jw_plain_k(&w, text, n, text, n);
		jw_obj_end(&w);
		assert_string_equal(done(&w), want);
	}
	jw_free(&w);
}

/* Documents one after another in a buffer; a failed one is cut away. */
static void
test_batch(void **state)
{
	struct jw w;
	size_t mark;

	(void)state;
	assert_int_equal(jw_init(&w, 16), 0);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "a", 1);
	jw_obj_end(&w);
	jw_newline(&w);
	mark = w.len;
	jw_next(&w);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "dropped", "x");
	jw_truncate(&w, mark);
	assert_false(w.oom);
	jw_next(&w);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "b", 2);
	jw_obj_end(&w);
	assert_string_equal(done(&w), "{\"a\":1}\n{\"b\":2}");
	jw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_terminal),
		cmocka_unit_test(test_escaping_every_offset),
		cmocka_unit_test(test_plain_and_keywords),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
