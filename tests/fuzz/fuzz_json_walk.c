/*
 * fuzz_json_walk.c - the JSON walker on arbitrary bytes with a small
 * scratch buffer, checking that every field it reports lies inside the
 * input or the scratch buffer and that paths are NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "daemon/detect/pii_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const uint8_t *in;
	size_t len;
	const struct pii_buf *sb;
	size_t n;
};

static bool
inside(const struct ctx *c, const uint8_t *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return (a >= (uintptr_t)c->in && a + n <= (uintptr_t)c->in + c->len) ||
	    (a >= (uintptr_t)c->sb->p && a + n <= (uintptr_t)c->sb->p +
	    c->sb->cap);
}

static bool
cb(void *arg, const struct pii_field *f)
{
	struct ctx *c = arg;

	if (!inside(c, f->val, f->val_len) || !inside(c, f->raw, f->raw_len) ||
	    strlen(f->path) >= 128 || f->raw_len > c->len)
		__builtin_trap();
	(void)strlen(f->parent);
	c->n++;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[4096];
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	struct ctx c = { data, size, &sb, 0 };
	uint32_t obj = 0;

	(void)pii_json_walk(data, size, "$", PII_JSON_MAX_DEPTH, &sb, &obj, cb,
	    &c);
	sb.len = 0;
	(void)pii_json_walk(data, size, "p:$", 3, &sb, &obj, cb, &c);
	return 0;
}
