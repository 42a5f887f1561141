/*
 * test_json.c - JSON writer: nesting, escaping of control bytes and
 * invalid UTF-8, timestamps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
