/*
 * test_pii_face.c - faces apart from images (pii_face.c): host patterns,
 * the services' loader and its errors, the value shapes of templates and
 * of images in fields, and through the engine: a service, face keys with
 * and without an image, and the hint for a face vendor's own hosts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/detect/pii_int.h"
#include "http.h"
#include "yaml_doc.h"

#define RULES TOP_SRCDIR "/rules/personal_data.yaml"
#define PERMS TOP_SRCDIR "/rules/permissions.yaml"

static void
test_host_match(void **state)
{
	(void)state;
	assert_true(pii_host_match("api-us.faceplusplus.com",
	    "API-US.faceplusplus.com", 23));
	assert_false(pii_host_match("api-us.faceplusplus.com",
	    "xapi-us.faceplusplus.com", 24));
	assert_true(pii_host_match("*.qq.com", "upload.qq.com", 13));
	assert_true(pii_host_match("*.qq.com", "a.b.qq.com", 10));
	assert_true(pii_host_match("*.qq.com", "qq.com", 6));
	assert_false(pii_host_match("*.qq.com", "notqq.com", 9));
	assert_true(pii_host_match("rekognition.*.amazonaws.com",
	    "rekognition.us-east-1.amazonaws.com", 35));
	assert_false(pii_host_match("rekognition.*.amazonaws.com",
	    "rekognition.a.b.amazonaws.com", 29));
	assert_true(pii_host_match("*-vision.googleapis.com",
	    "eu-vision.googleapis.com", 24));
	assert_false(pii_host_match("facebody.*.aliyuncs.com", "", 0));
}

static void
test_loader_errors(void **state)
{
	static const char *const bad[][2] = {
		{ "services:\n  - vendor: X\n    hosts: [Api.Example.com]\n"
		  "    paths: [/]\n", "r.yaml:" },
		{ "services:\n  - vendor: X\n    hosts: [a.example]\n"
		  "    paths: [face]\n", "path must start with '/'" },
		{ "services:\n  - vendor: X\n    paths: [/]\n",
		  "missing key 'hosts'" },
		{ "services:\n  - vendor: X\n    hosts: [a.example]\n"
		  "    paths: [/]\n    verbs: [POST]\n", "unknown key 'verbs'" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ydoc *d = NULL;
		struct pii_rules r;
		const struct ynode *n;

		memset(&r, 0, sizeof(r));
		assert_int_equal(ydoc_load_string("r.yaml", bad[i][0],
		    strlen(bad[i][0]), &d, err, sizeof(err)), 0);
		n = ynode_get(d->root, "services");
		assert_int_equal(pii_face_services_load(d, n, &r, err,
		    sizeof(err)), -EINVAL);
		if (strstr(err, bad[i][1]) == NULL)
			print_error("%s\n", err);
		assert_non_null(strstr(err, bad[i][1]));
		/* errors point at a place: FILE:LINE:COLUMN */
		assert_non_null(strstr(err, "r.yaml:"));
		pii_face_services_free(&r);
		ydoc_free(d);
	}
}

static void
test_shapes(void **state)
{
	static const char list[] = "0.12,-0.5, 3e-2;1.0 [7]";
	static const char bad[] = "0.12,abc,3";
	/* 64 float32 of 0.25 (00 00 80 3e), base64 */
	char b64[512];
	uint8_t raw[256];
	size_t dec;

	(void)state;
	assert_int_equal(pii_float_list((const uint8_t *)list, strlen(list),
	    &dec), 5);
	assert_int_equal(dec, 4);
	assert_int_equal(pii_float_list((const uint8_t *)bad, strlen(bad),
	    &dec), 0);
	for (size_t i = 0; i < sizeof(raw); i += 4) {
		raw[i] = 0;
		raw[i + 1] = 0;
		raw[i + 2] = 0x80;
		raw[i + 3] = 0x3e;
	}
	assert_true(pii_b64_encode(raw, sizeof(raw), false, true, b64,
	    sizeof(b64)) > 0);
	assert_true(pii_b64_floats((const uint8_t *)b64, strlen(b64), 64,
	    4096));
	assert_false(pii_b64_floats((const uint8_t *)b64, strlen(b64), 128,
	    4096));
	/* random-looking bytes are not floats of an embedding */
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 151 + 7);
	assert_true(pii_b64_encode(raw, sizeof(raw), false, true, b64,
	    sizeof(b64)) > 0);
	assert_false(pii_b64_floats((const uint8_t *)b64, strlen(b64), 64,
	    4096));
	memset(b64, 'A', 100);
	memcpy(b64, "/9j/", 4);
	assert_true(pii_b64_image((const uint8_t *)b64, 100));
	memcpy(b64, "data:image/png;base64,", 22);
	assert_true(pii_b64_image((const uint8_t *)b64, 100));
	memcpy(b64, "/8j/", 4);
	assert_false(pii_b64_image((const uint8_t *)b64, 100));
}

static struct http_ctx *hc;
static struct pii_scanner *sc;
static struct pii_result res;

static bool
has(const char *cat, const char *masked_part)
{
	for (size_t i = 0; i < res.n; i++)
		if (strcmp(res.obs[i].category, cat) == 0 &&
		    (masked_part == NULL ||
		    strstr(res.obs[i].masked, masked_part) != NULL))
			return true;
	return false;
}

static void
scan(const char *msg, size_t len)
{
	struct http_request req;
	struct parse_result pr = http_request_parse(hc, (const uint8_t *)msg,
	    len, 1 << 20, true, &req);

	assert_int_equal(pr.st, PARSE_OK);
	pii_scan_http(sc, &req, &res);
	http_request_clear(&req);
}

static void
test_engine(void **state)
{
	struct pii_config c = { .rules_path = RULES, .permissions_path = PERMS };
	struct pii_engine *e = NULL;
	char err[512], msg[2048], img[400];
	int n;

	(void)state;
	assert_int_equal(pii_engine_new(&c, &e, err, sizeof(err)), 0);
	assert_int_equal(pii_scanner_new(e, &sc), 0);
	assert_non_null(hc = http_ctx_new());
	memset(img, 'Q', sizeof(img) - 1);
	img[sizeof(img) - 1] = '\0';
	memcpy(img, "/9j/", 4);

	/* a face service: Tencent by its action header, not by its host */
	n = snprintf(msg, sizeof(msg), "POST / HTTP/1.1\r\nHost: "
	    "iai.tencentcloudapi.com\r\nX-TC-Action: DetectFace\r\n"
	    "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n"
	    "{\"Url\":\"u\"}");
	scan(msg, (size_t)n);
	assert_true(has("biometric.face", "Tencent Cloud"));
	assert_string_equal(res.obs[0].permission_android,
	    "CAMERA / READ_MEDIA_IMAGES");
	n = snprintf(msg, sizeof(msg), "POST / HTTP/1.1\r\nHost: "
	    "iai.tencentcloudapi.com\r\nX-TC-Action: GetGroupList\r\n"
	    "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n"
	    "{\"Url\":\"u\"}");
	scan(msg, (size_t)n);
	assert_false(has("biometric.face", NULL));

	/* face keys with an image in a field; without one, nothing */
	n = snprintf(msg, sizeof(msg), "POST /v HTTP/1.1\r\nHost: a.example\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n"
	    "{\"face_field\":\"age\",\"image\":\"%s\"}", strlen(img) + 35, img);
	scan(msg, (size_t)n);
	assert_true(has("biometric.face", NULL));
	n = snprintf(msg, sizeof(msg), "POST /v HTTP/1.1\r\nHost: a.example\r\n"
	    "Content-Type: application/json\r\nContent-Length: 32\r\n\r\n"
	    "{\"face_field\":\"age\",\"image\":\"x\"}");
	scan(msg, (size_t)n);
	assert_false(has("biometric.face", NULL));

	/* an image to a face vendor's own host: media.image with a hint */
	n = snprintf(msg, sizeof(msg), "POST /up HTTP/1.1\r\nHost: "
	    "api16-normal-c-useast1a.tiktokv.com\r\nContent-Type: image/jpeg"
	    "\r\nContent-Length: 8\r\n\r\n\xff\xd8\xff\xe0zzzz");
	scan(msg, (size_t)n);
	assert_true(has("media.image", "ByteDance Volcano Engine has face"));
	assert_false(has("biometric.face", NULL));

	hc = http_ctx_free(hc);
	sc = pii_scanner_free(sc);
	pii_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_match),
		cmocka_unit_test(test_loader_errors),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
