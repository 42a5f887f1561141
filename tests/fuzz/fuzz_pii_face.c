/*
 * fuzz_pii_face.c - what tells a face apart (pii_face.c) on arbitrary
 * bytes: the first line is a Host, the second a path, the third an
 * action, the rest a body; the face services are matched against them,
 * every line is tried as a host pattern against the others, and the body
 * goes to the template shapes (decimal lists, base64 float32 vectors)
 * and the in-field image check.  The JSON landmark and embedding
 * counters run over the body through the JSON walker and the structural
 * detectors.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildconf.h"
#include "daemon/detect/pii_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pii_rules *rules;
static struct pii_struct_state st;

static void
hit_cb(void *arg, const struct pii_hit *h)
{
	(void)arg;
	if (h->category == NULL || strlen(h->masked) >= 96)
		__builtin_trap();
}

static bool
field_cb(void *arg, const struct pii_field *f)
{
	(void)arg;
	pii_struct_field(rules, &st, f, hit_cb, NULL);
	return true;
}

/* The next line of [*p, end) as a NUL-terminated copy in out. */
static void
next_line(const uint8_t **p, const uint8_t *end, char *out, size_t outlen)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = nl ? nl + 1 : end;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[1 << 16];
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	const uint8_t *p = data, *end = data + size;
	const struct pii_face_service *vendor;
	char host[256], path[256], action[256], err[256];
	struct pii_face_req q;
	uint32_t obj = 1;
	size_t dec;

	if (rules == NULL && pii_rules_load_file(OUTFLOW_SRC_RULESDIR
	    "/personal_data.yaml", &rules, err, sizeof(err)) != 0)
		abort();
	next_line(&p, end, host, sizeof(host));
	next_line(&p, end, path, sizeof(path));
	next_line(&p, end, action, sizeof(action));
	memset(&q, 0, sizeof(q));
	q.host = host;
	q.path = path;
	q.action = action;
	q.action_len = strlen(action);
	q.body = p;
	q.body_len = (size_t)(end - p);
	(void)pii_face_service_match(rules, &q, &vendor);
	(void)pii_host_match(host, path, strlen(path));
	(void)pii_host_match(path, host, strlen(host));
	(void)pii_float_list(p, (size_t)(end - p), &dec);
	(void)pii_b64_floats(p, (size_t)(end - p), 64, 4096);
	(void)pii_b64_image(p, (size_t)(end - p));
	pii_struct_begin(&st);
	(void)pii_json_walk(p, (size_t)(end - p), "$", 32, &sb, &obj, field_cb,
	    NULL);
	sb.len = 0;
	pii_form_split(p, (size_t)(end - p), '&', true, "", &sb, ++obj,
	    field_cb, NULL);
	pii_struct_end(rules, &st, hit_cb, NULL);
	return 0;
}
