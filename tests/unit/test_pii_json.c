/*
 * test_pii_json.c - the field splitters: JSON paths, keys of array items
 * and object ids, string unescaping, truncated JSON, query/form/cookie
 * splitting with URL decoding, key=value lists inside a value, and
 * multipart parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/detect/pii_int.h"

struct got {
	char path[16][128], key[16][32], val[16][64], parent[16][32];
	uint32_t obj[16];
	size_t n;
};

static bool
cb(void *arg, const struct pii_field *f)
{
	struct got *g = arg;

	if (g->n < 16) {
		snprintf(g->path[g->n], 128, "%s", f->path);
		snprintf(g->key[g->n], 32, "%.*s", (int)f->key_len, f->key);
		snprintf(g->val[g->n], 64, "%.*s", (int)f->val_len,
		    (const char *)f->val);
		snprintf(g->parent[g->n], 32, "%.*s", (int)f->parent_len,
		    f->parent);
		g->obj[g->n] = f->obj;
		g->n++;
	}
	return true;
}

static uint8_t scratch[8192];

static void
test_json(void **state)
{
	static const char j[] = "{\"user\":{\"geo\":{\"lat\":38.8977,\"lon\":"
	    "-77.0365}},\"loc\":[116.39,39.9],\"e\":\"a\\u0040b.co\\/x\","
	    "\"n\":null,\"arr\":[{\"phone\":\"1\"}]}";
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	struct got g = { .n = 0 };
	uint32_t obj = 0;

	assert_true(pii_json_walk((const uint8_t *)j, strlen(j), "$", 32, &sb,
	    &obj, cb, &g));
	assert_int_equal(g.n, 7);
	assert_string_equal(g.path[0], "$.user.geo.lat");
	assert_string_equal(g.key[0], "lat");
	assert_string_equal(g.parent[0], "geo");
	assert_string_equal(g.val[0], "38.8977");
	assert_int_equal(g.obj[0], g.obj[1]);
	assert_string_equal(g.path[2], "$.loc[0]");
	assert_string_equal(g.key[2], "loc");	/* array items take its name */
	assert_string_equal(g.path[3], "$.loc[1]");
	assert_int_equal(g.obj[2], g.obj[3]);
	assert_int_not_equal(g.obj[0], g.obj[2]);
	assert_string_equal(g.val[4], "a@b.co/x");
	assert_string_equal(g.path[6], "$.arr[0].phone");
	/* truncated: what came before is kept, the walk says it failed */
	g.n = 0;
	sb.len = 0;
	assert_false(pii_json_walk((const uint8_t *)j, 40, "$", 32, &sb, &obj,
	    cb, &g));
	assert_int_equal(g.n, 2);
	/* depth cap */
	g.n = 0;
	assert_false(pii_json_walk((const uint8_t *)"[[[[1]]]]", 9, "$", 3,
	    &sb, &obj, cb, &g));
	assert_int_equal(g.n, 0);
}

static void
test_form(void **state)
{
	static const char q[] = "a=1&e=bob%40x.org&n=Emma+Lee&bare&=v&&k=";
	static const char c[] = "sid=77; uid=a%3Ab";
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	struct got g = { .n = 0 };

	pii_form_split((const uint8_t *)q, strlen(q), '&', true, "", &sb, 5, cb,
	    &g);
	assert_int_equal(g.n, 6);
	assert_string_equal(g.val[1], "bob@x.org");
	assert_string_equal(g.val[2], "Emma Lee");
	assert_string_equal(g.key[3], "");	/* bare item: a value */
	assert_string_equal(g.val[3], "bare");
	assert_string_equal(g.path[3], "-");
	assert_string_equal(g.key[5], "k");
	assert_string_equal(g.val[5], "");
	assert_int_equal(g.obj[0], 5);
	g.n = 0;
	pii_form_split((const uint8_t *)c, strlen(c), ';', false, "cookie:",
	    &sb, 6, cb, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.path[1], "cookie:uid");
	assert_string_equal(g.val[1], "a:b");
	/* scratch exhausted: stops, no overflow */
	g.n = 0;
	sb.len = sb.cap - 4;
	pii_form_split((const uint8_t *)q, strlen(q), '&', true, "", &sb, 5, cb,
	    &g);
	assert_int_equal(g.n, 0);
}

/* A key=value list inside a header or cookie value. */
static void
test_kv_list(void **state)
{
	static const char h[] = "imei=356938035643809; Mac : 3c:22:fb:12:34:56,"
	    "os=13|ANDROID-ID=\"9774d56d682e549c\"&https://x.example/a=b;"
	    "12:34:56;=v;bare;9key=1;city=Sao%20Paulo";
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	struct got g = { .n = 0 };

	assert_int_equal(pii_kv_list_split((const uint8_t *)h, strlen(h),
	    "X-Dev:", &sb, 7, cb, &g), 5);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.key[0], "imei");
	assert_string_equal(g.path[0], "X-Dev:imei");
	assert_string_equal(g.key[1], "Mac");	/* spaces around ':' */
	assert_string_equal(g.val[1], "3c:22:fb:12:34:56");
	assert_string_equal(g.key[2], "os");
	assert_string_equal(g.val[3], "9774d56d682e549c");	/* unquoted */
	/* not pairs: a URL, a time, no key, a bare word, a key not a name */
	assert_string_equal(g.key[4], "city");
	assert_string_equal(g.val[4], "Sao Paulo");
	assert_int_equal(g.obj[4], 7);
	/* scratch exhausted: stops, no overflow */
	g.n = 0;
	sb.len = sb.cap - 4;
	assert_int_equal(pii_kv_list_split((const uint8_t *)h, strlen(h),
	    "X-Dev:", &sb, 7, cb, &g), 0);
}

struct parts {
	char name[8][32], ct[8][32], body[8][32];
	size_t n;
};

static bool
pcb(void *arg, const struct pii_part *p)
{
	struct parts *ps = arg;

	snprintf(ps->name[ps->n], 32, "%s", p->name);
	snprintf(ps->ct[ps->n], 32, "%s", p->content_type);
	snprintf(ps->body[ps->n], 32, "%.*s", (int)p->body_len,
	    (const char *)p->body);
	ps->n++;
	return true;
}

static void
test_multipart(void **state)
{
	static const char b[] = "preamble\r\n--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"lat\"\r\n\r\n38.8977\r\n--XyZ\r\nContent-"
	    "Disposition: form-data; name=\"pic\"; filename=\"a.jpg\"\r\n"
	    "Content-Type: image/jpeg\r\n\r\nJPEG\r\n--XyZ--\r\n";
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	struct parts ps = { .n = 0 };

	assert_int_equal(pii_multipart_split((const uint8_t *)b, strlen(b),
	    "multipart/form-data; boundary=XyZ", 8, &sb, pcb, &ps), 2);
	assert_string_equal(ps.name[0], "lat");
	assert_string_equal(ps.body[0], "38.8977");
	assert_string_equal(ps.name[1], "pic");
	assert_string_equal(ps.ct[1], "image/jpeg");
	assert_string_equal(ps.body[1], "JPEG");
	assert_int_equal(pii_multipart_split((const uint8_t *)b, strlen(b),
	    "multipart/form-data", 8, &sb, pcb, &ps), -1);
	ps.n = 0;
	assert_int_equal(pii_multipart_split((const uint8_t *)b, strlen(b),
	    "multipart/form-data; boundary=\"XyZ\"", 1, &sb, pcb, &ps), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_kv_list),
		cmocka_unit_test(test_multipart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
