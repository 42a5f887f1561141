/*
 * fuzz_pii_body.c - the body splitters on arbitrary bytes: the form
 * splitter (query, form and cookie separators), the key=value list
 * splitter of header and cookie values, the multipart splitter
 * (the first line of the input is the Content-Type, the rest the body),
 * the text coordinate-pair scanner and the structural detectors over
 * every field they produce.
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
	if (h->category == NULL || strlen(h->masked) >= 96)
		__builtin_trap();
}

static bool
field_cb(void *arg, const struct pii_field *f)
{
	pii_struct_field(rules, &st, f, hit_cb, NULL);
	return true;
}

static void
pair_cb(void *arg, double a, double b, unsigned dec)
{
	(void)a;
	(void)b;
	(void)dec;
}

static bool
part_cb(void *arg, const struct pii_part *p)
{
	struct pii_buf *sb = arg;
	bool magic;

	(void)pii_struct_is_image(p->body, p->body_len, p->content_type,
	    &magic);
	pii_form_split(p->body, p->body_len, '&', true, p->name, sb, 1,
	    field_cb, NULL);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[1 << 16];
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	const uint8_t *nl = memchr(data, '\n', size);
	char ct[256];
	char err[256];

	if (rules == NULL && pii_rules_load_file(OUTFLOW_SRC_RULESDIR
	    "/personal_data.yaml", &rules, err, sizeof(err)) != 0)
		abort();
	pii_struct_begin(&st);
	pii_form_split(data, size, '&', true, "", &sb, 1, field_cb, NULL);
	sb.len = 0;
	pii_form_split(data, size, ';', false, "cookie:", &sb, 2, field_cb,
	    NULL);
	sb.len = 0;
	(void)pii_kv_list_split(data, size, "X-Device-Info:", &sb, 3, field_cb,
	    NULL);
	pii_text_pairs(data, size, pair_cb, NULL);
	if (nl != NULL && (size_t)(nl - data) < sizeof(ct)) {
		size_t cl = (size_t)(nl - data);

		memcpy(ct, data, cl);
		ct[cl] = '\0';
		sb.len = 0;
		(void)pii_multipart_split(nl + 1, size - cl - 1, ct, 32, &sb,
		    part_cb, &sb);
	}
	pii_struct_end(rules, &st, hit_cb, NULL);
	return 0;
}
