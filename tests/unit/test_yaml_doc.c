/*
 * test_yaml_doc.c - the strict YAML loader: tree shape, positions, every
 * rejection with its exact "PATH:LINE:COL: message", and the typed getters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "yaml_doc.h"

static struct ydoc *
load_ok(const char *s)
{
	struct ydoc *d = NULL;
	char err[512];
	int r;

	r = ydoc_load_string("t.yaml", s, strlen(s), &d, err, sizeof(err));
	if (r != 0)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(r, 0);
	assert_non_null(d);
	assert_non_null(d->root);
	return d;
}

static void
load_fails(const char *s, const char *want)
{
	struct ydoc *d = (struct ydoc *)0x1;
	char err[512];
	int r;

	r = ydoc_load_string("t.yaml", s, strlen(s), &d, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	/* ret untouched on failure */
	assert_ptr_equal(d, (struct ydoc *)0x1);
	assert_string_equal(err, want);
}

static void
test_map_seq_scalars(void **state)
{
	struct ydoc *d = load_ok(
	    "# comment\n"
	    "name: tiktok\n"
	    "ports: [80, 443]\n"
	    "hosts:\n"
	    "  - a.example\n"
	    "  - \"123\"\n"
	    "nested:\n"
	    "  deep: {x: 1}\n"
	    "empty:\n");
	const struct ynode *r = d->root, *v;

	assert_int_equal(r->type, YNODE_MAP);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->line, 2);
	assert_int_equal(r->col, 1);
	assert_string_equal(r->keys[0]->scalar, "name");
	assert_int_equal(r->keys[0]->line, 2);
	assert_int_equal(r->keys[0]->col, 1);

	v = ynode_get(r, "name");
	assert_non_null(v);
	assert_int_equal(v->type, YNODE_SCALAR);
	assert_string_equal(v->scalar, "tiktok");
	assert_int_equal(v->scalar_len, 6);
	assert_false(v->quoted);
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 7);

	v = ynode_get(r, "ports");
	assert_int_equal(v->type, YNODE_SEQ);
	assert_int_equal(v->n, 2);
	assert_int_equal(v->line, 3);
	assert_int_equal(v->col, 8);
	assert_string_equal(v->items[1]->scalar, "443");
	assert_int_equal(v->items[1]->col, 13);

	v = ynode_get(r, "hosts");
	assert_int_equal(v->type, YNODE_SEQ);
	assert_int_equal(v->n, 2);
	assert_int_equal(v->items[0]->line, 5);
	assert_int_equal(v->items[0]->col, 5);
	assert_string_equal(v->items[1]->scalar, "123");
	assert_true(v->items[1]->quoted);

	v = ynode_get(ynode_get(ynode_get(r, "nested"), "deep"), "x");
	assert_non_null(v);
	assert_string_equal(v->scalar, "1");
	assert_int_equal(v->line, 8);
	assert_int_equal(v->col, 13);

	v = ynode_get(r, "empty");
	assert_non_null(v);
	assert_true(ynode_is_null(v));

	assert_null(ynode_get(r, "absent"));
	assert_null(ynode_get(ynode_get(r, "name"), "x"));
	assert_null(ynode_get(NULL, "x"));
	assert_null(ydoc_free(d));
	assert_null(ydoc_free(NULL));
}

static void
test_empty_and_document_markers(void **state)
{
	struct ydoc *d = load_ok("");
	char err[256];

	assert_int_equal(d->root->type, YNODE_SCALAR);
	assert_true(ynode_is_null(d->root));
	assert_int_equal(ynode_map(d, d->root, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:1:1: expected a mapping");
	ydoc_free(d);

	d = load_ok("---\na: 1\n...\n");
	assert_int_equal(d->root->type, YNODE_MAP);
	ydoc_free(d);

	/* A NUL-free string with an explicit length shorter than strlen. */
	assert_int_equal(ydoc_load_string("t", "a: 1\nb: 2", 4, &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d->root->n, 1);
	ydoc_free(d);
}

static void
test_multiple_documents(void **state)
{
	load_fails("a: 1\n---\nb: 2\n",
	    "t.yaml:2:1: more than one document in the file");
}

static void
test_anchors_aliases(void **state)
{
	load_fails("a: &x 1\nb: *x\n",
	    "t.yaml:1:4: anchors are not allowed");
	load_fails("a: *x\n", "t.yaml:1:4: aliases are not allowed");
	load_fails("a: &x [1]\n", "t.yaml:1:4: anchors are not allowed");
	load_fails("a: &x {b: 1}\n", "t.yaml:1:4: anchors are not allowed");
	/* billion laughs: refused at the first anchor, nothing expanded */
	load_fails(
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
	    "t.yaml:1:4: anchors are not allowed");
}

static void
test_tags(void **state)
{
	load_fails("a: !!str 1\n", "t.yaml:1:4: tags are not allowed");
	load_fails("a: !!python/object:os.system [ls]\n",
	    "t.yaml:1:4: tags are not allowed");
}

static void
test_duplicate_keys(void **state)
{
	load_fails("a: 1\nb: 2\na: 3\n",
	    "t.yaml:3:1: duplicate key 'a' (first at line 1, column 1)");
	load_fails("x:\n  k: 1\n  \"k\": 2\n",
	    "t.yaml:3:3: duplicate key 'k' (first at line 2, column 3)");
	load_fails("{a: 1, a: 1}\n",
	    "t.yaml:1:8: duplicate key 'a' (first at line 1, column 2)");

	/* The same key in two different maps is fine. */
	struct ydoc *d = load_ok("- a: 1\n- a: 2\n");
	assert_int_equal(d->root->n, 2);
	ydoc_free(d);
	/* Keys are compared as bytes: "1" and "01" differ. */
	d = load_ok("1: a\n01: b\n");
	ydoc_free(d);
}

static void
test_duplicate_keys_large_map(void **state)
{
	/* 20,000 distinct keys then a repeat of the first: needs the hash
	 * table, a quadratic scan would still pass but slowly. */
	size_t cap = 20001 * 16, o = 0;
	char *buf = malloc(cap), err[256];
	struct ydoc *d;
	int r;

	assert_non_null(buf);
	for (int i = 0; i < 20000; i++)
		o += (size_t)snprintf(buf + o, cap - o, "k%d: %d\n", i, i);
	assert_int_equal(ydoc_load_string("big", buf, o, &d, err, sizeof(err)),
	    0);
	assert_int_equal(d->root->n, 20000);
	assert_string_equal(ynode_get(d->root, "k19999")->scalar, "19999");
	ydoc_free(d);
	o += (size_t)snprintf(buf + o, cap - o, "k0: again\n");
	r = ydoc_load_string("big", buf, o, &d, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err,
	    "big:20001:1: duplicate key 'k0' (first at line 1, column 1)");

	/* The same keys in 5,000 maps: equal hashes of the key bytes, told
	 * apart by the map, across every growth; then a repeat in the last
	 * map only. */
	o = 0;
	for (int i = 0; i < 5000; i++)
		o += (size_t)snprintf(buf + o, cap - o, "- {a: 1, b: 2}\n");
	assert_int_equal(ydoc_load_string("maps", buf, o, &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d->root->n, 5000);
	ydoc_free(d);
	o += (size_t)snprintf(buf + o, cap - o, "- {b: 1, a: 2, b: 3}\n");
	r = ydoc_load_string("maps", buf, o, &d, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err,
	    "maps:5001:16: duplicate key 'b' (first at line 5001, column 4)");
	free(buf);
}

static void
test_non_scalar_keys(void **state)
{
	load_fails("? [a, b]\n: 1\n", "t.yaml:1:3: mapping keys must be scalars");
	load_fails("{[a]: 1}\n", "t.yaml:1:2: mapping keys must be scalars");
	load_fails("? {a: 1}\n: 1\n", "t.yaml:1:3: mapping keys must be scalars");
}

static void
test_depth(void **state)
{
	char buf[256];
	struct ydoc *d;
	int i;

	/* 64 nested flow sequences load ... */
	for (i = 0; i < 64; i++)
		buf[i] = '[';
	for (i = 0; i < 64; i++)
		buf[64 + i] = ']';
	buf[128] = '\0';
	d = load_ok(buf);
	assert_int_equal(d->root->type, YNODE_SEQ);
	ydoc_free(d);

	/* ... the 65th is refused where it opens. */
	for (i = 0; i < 65; i++)
		buf[i] = '[';
	for (i = 0; i < 65; i++)
		buf[65 + i] = ']';
	buf[130] = '\0';
	load_fails(buf, "t.yaml:1:65: nesting deeper than 64 levels");

	/* Block mappings count the same way. */
	char blk[8192];
	size_t o = 0;
	for (i = 0; i < 65; i++)
		o += (size_t)snprintf(blk + o, sizeof(blk) - o, "%*sk:\n",
		    i, "");
	load_fails(blk, "t.yaml:65:65: nesting deeper than 64 levels");
}

static void
test_node_limit(void **state)
{
	/* 1,000,001 scalars in one flow sequence: "1," per item. */
	size_t n = YDOC_MAX_NODES + 1, len = 2 + n * 2;
	char *buf = malloc(len + 1), err[256];
	struct ydoc *d = NULL;
	int r;

	assert_non_null(buf);
	buf[0] = '[';
	for (size_t i = 0; i < n; i++) {
		buf[1 + 2 * i] = '1';
		buf[2 + 2 * i] = ',';
	}
	buf[len - 1] = ']';
	r = ydoc_load_string("t.yaml", buf, len, &d, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	/* The sequence is node 1, so item 1,000,000 (column 2,000,000) is
	 * the first one over the limit. */
	assert_string_equal(err,
	    "t.yaml:1:2000000: too many nodes (more than 1000000)");
	free(buf);
}

static void
test_size_limit(void **state)
{
	char err[256];
	struct ydoc *d = NULL;
	char *path;
	FILE *f;

	assert_int_equal(ydoc_load_string("s", "", YDOC_MAX_BYTES + 1, &d,
	    err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "s: file larger than 32 MiB");

	assert_true(asprintf(&path, "%s/yaml_doc_big.yaml", TEST_BUILDDIR) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)YDOC_MAX_BYTES, SEEK_SET), 0);
	assert_int_equal(fputc('\n', f), '\n');
	fclose(f);
	assert_int_equal(ydoc_load_file(path, &d, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, ": file larger than 32 MiB"));
	unlink(path);
	free(path);
}

static void
test_file_errors(void **state)
{
	char err[256];
	struct ydoc *d = NULL;

	assert_int_equal(ydoc_load_file("/nonexistent/x.yaml", &d, err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.yaml: No such file or directory");
	assert_int_equal(ydoc_load_file("/", &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/: not a regular file");
	assert_null(d);
}

static void
test_load_file_ok(void **state)
{
	char err[256], *path;
	struct ydoc *d = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/yaml_doc_ok.yaml", TEST_BUILDDIR) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("a:\n  - b\n  - c: d\n", f);
	fclose(f);
	assert_int_equal(ydoc_load_file(path, &d, err, sizeof(err)), 0);
	assert_string_equal(d->path, path);
	assert_string_equal(ynode_get(ynode_get(d->root, "a")->items[1], "c")
	    ->scalar, "d");
	assert_int_equal(ynode_error(d, ynode_get(d->root, "a")->items[1],
	    err, sizeof(err), "bad %s", "thing"), -EINVAL);
	char want[512];
	snprintf(want, sizeof(want), "%s:3:5: bad thing", path);
	assert_string_equal(err, want);
	ydoc_free(d);
	unlink(path);
	free(path);
}

static void
test_syntax_errors(void **state)
{
	load_fails("a: [1, 2\n",
	    "t.yaml:2:1: while parsing a flow sequence did not find expected "
	    "',' or ']' (started at line 1, column 4)");
	load_fails("a: 1\n b: 2\n",
	    "t.yaml:2:3: mapping values are not allowed in this context");
	load_fails("a: \"x\n",
	    "t.yaml:2:1: while scanning a quoted scalar found unexpected end "
	    "of stream (started at line 1, column 4)");
	load_fails("a:\n\tb: 1\n",
	    "t.yaml:2:1: while scanning for the next token found character "
	    "that cannot start any token (started at line 2, column 1)");
	/* Invalid UTF-8 at byte 3 (line 1, column 4). */
	load_fails("a: \xff\n", "t.yaml:1:4: invalid leading UTF-8 octet");
}

static void
test_nul_in_scalar(void **state)
{
	load_fails("a: \"x\\0y\"\n", "t.yaml:1:4: NUL byte in scalar");
}

static void
test_check_keys(void **state)
{
	static const char *const allowed[] = { "name", "domains", "owner",
	    NULL };
	struct ydoc *d = load_ok("name: x\nowner: y\n");
	char err[512];

	assert_int_equal(ynode_check_keys(d, d->root, allowed, err,
	    sizeof(err)), 0);
	ydoc_free(d);

	d = load_ok("name: x\n  \nownr: y\n");
	assert_int_equal(ynode_check_keys(d, d->root, allowed, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:3:1: unknown key 'ownr' (expected "
	    "one of: name, domains, owner)");
	ydoc_free(d);

	/* Hostile key bytes are escaped in the message. */
	d = load_ok("\"a\\nb\\e\": 1\n");
	assert_int_equal(ynode_check_keys(d, d->root, allowed, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:1:1: unknown key 'a\\x0ab\\x1b' "
	    "(expected one of: name, domains, owner)");
	ydoc_free(d);

	d = load_ok("- a\n");
	assert_int_equal(ynode_check_keys(d, d->root, allowed, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:1:1: expected a mapping");
	ydoc_free(d);
}

static void
test_getters(void **state)
{
	struct ydoc *d = load_ok(
	    "s: hello\n"		/* 1 */
	    "q: \"42\"\n"		/* 2 */
	    "i: 42\n"			/* 3 */
	    "big: 18446744073709551615\n"	/* 4 */
	    "over: 18446744073709551616\n"	/* 5 */
	    "neg: -1\n"		/* 6 */
	    "hex: 0x10\n"		/* 7 */
	    "f: 0.75\n"		/* 8 */
	    "e: -1.5e3\n"		/* 9 */
	    "inf: .inf\n"		/* 10 */
	    "t: true\n"		/* 11 */
	    "F: False\n"		/* 12 */
	    "yes: yes\n"		/* 13 */
	    "n: ~\n"			/* 14 */
	    "l: [a, b]\n"		/* 15 */
	    "m: {k: v}\n"		/* 16 */
	    "nan: nan\n");		/* 17 */
	const struct ynode *r = d->root;
	const char *s;
	uint64_t u;
	double f;
	bool b;
	char err[256];

	assert_int_equal(ynode_string(d, ynode_get(r, "s"), &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(ynode_string(d, ynode_get(r, "q"), &s, err,
	    sizeof(err)), 0);
	assert_string_equal(s, "42");
	assert_int_equal(ynode_string(d, ynode_get(r, "i"), &s, err,
	    sizeof(err)), 0);
	assert_int_equal(ynode_string(d, ynode_get(r, "n"), &s, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:14:4: expected a string");
	assert_int_equal(ynode_string(d, ynode_get(r, "l"), &s, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:15:4: expected a string");
	assert_int_equal(ynode_string(d, NULL, &s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml: expected a string");

	u = 7;
	assert_int_equal(ynode_uint(d, ynode_get(r, "i"), 0, 100, &u, err,
	    sizeof(err)), 0);
	assert_int_equal(u, 42);
	assert_int_equal(ynode_uint(d, ynode_get(r, "big"), 0, UINT64_MAX, &u,
	    err, sizeof(err)), 0);
	assert_true(u == UINT64_MAX);
	u = 7;
	assert_int_equal(ynode_uint(d, ynode_get(r, "i"), 0, 41, &u, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:3:4: expected an integer in [0, 41]");
	assert_int_equal(u, 7);
	assert_int_equal(ynode_uint(d, ynode_get(r, "q"), 0, 100, &u, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:2:4: expected an integer in [0, 100]");
	assert_int_equal(ynode_uint(d, ynode_get(r, "over"), 0, UINT64_MAX, &u,
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:5:7: expected an integer in "
	    "[0, 18446744073709551615]");
	assert_int_equal(ynode_uint(d, ynode_get(r, "neg"), 0, 10, &u, err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(ynode_uint(d, ynode_get(r, "hex"), 0, 100, &u, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:7:6: expected an integer in [0, 100]");
	assert_int_equal(ynode_uint(d, ynode_get(r, "i"), 43, 100, &u, err,
	    sizeof(err)), -EINVAL);

	assert_int_equal(ynode_double(d, ynode_get(r, "f"), &f, err,
	    sizeof(err)), 0);
	assert_true(f == 0.75);
	assert_int_equal(ynode_double(d, ynode_get(r, "e"), &f, err,
	    sizeof(err)), 0);
	assert_true(f == -1500.0);
	assert_int_equal(ynode_double(d, ynode_get(r, "i"), &f, err,
	    sizeof(err)), 0);
	assert_true(f == 42.0);
	assert_int_equal(ynode_double(d, ynode_get(r, "inf"), &f, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:10:6: expected a number");
	assert_int_equal(ynode_double(d, ynode_get(r, "nan"), &f, err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(ynode_double(d, ynode_get(r, "hex"), &f, err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(ynode_double(d, ynode_get(r, "q"), &f, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:2:4: expected a number");

	assert_int_equal(ynode_bool(d, ynode_get(r, "t"), &b, err,
	    sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(ynode_bool(d, ynode_get(r, "F"), &b, err,
	    sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(ynode_bool(d, ynode_get(r, "yes"), &b, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:13:6: expected true or false");

	assert_int_equal(ynode_seq(d, ynode_get(r, "l"), err, sizeof(err)), 0);
	assert_int_equal(ynode_seq(d, ynode_get(r, "m"), err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "t.yaml:16:4: expected a list");
	assert_int_equal(ynode_map(d, ynode_get(r, "m"), err, sizeof(err)), 0);

	const struct ynode *v = NULL;
	assert_int_equal(ynode_get_required(d, ynode_get(r, "m"), "k", &v, err,
	    sizeof(err)), 0);
	assert_string_equal(v->scalar, "v");
	assert_int_equal(ynode_get_required(d, ynode_get(r, "m"), "z", &v, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:16:4: missing key 'z'");
	ydoc_free(d);
}

struct collect {
	char buf[128];
	size_t n;
};

static int
collect_cb(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct collect *c = arg;

	if (strcmp(s, "stop") == 0)
		return ynode_error(d, item, err, errlen, "stopped");
	size_t o = strlen(c->buf);

	snprintf(c->buf + o, sizeof(c->buf) - o, "%s;", s);
	c->n++;
	return 0;
}

static void
test_strings(void **state)
{
	struct ydoc *d = load_ok(
	    "one: a.com\n"
	    "many: [b.com, c.com]\n"
	    "bad: [d.com, [x]]\n"
	    "map: {x: y}\n"
	    "stop: [e, stop]\n");
	struct collect c;
	char err[256];

	memset(&c, 0, sizeof(c));
	assert_int_equal(ynode_strings(d, ynode_get(d->root, "one"),
	    collect_cb, &c, err, sizeof(err)), 0);
	assert_int_equal(ynode_strings(d, ynode_get(d->root, "many"),
	    collect_cb, &c, err, sizeof(err)), 0);
	assert_string_equal(c.buf, "a.com;b.com;c.com;");
	assert_int_equal(c.n, 3);
	assert_int_equal(ynode_strings(d, ynode_get(d->root, "bad"),
	    collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:3:14: expected a string");
	assert_int_equal(ynode_strings(d, ynode_get(d->root, "map"),
	    collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
	    "t.yaml:4:6: expected a string or a list of strings");
	assert_int_equal(ynode_strings(d, ynode_get(d->root, "stop"),
	    collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.yaml:5:11: stopped");
	ydoc_free(d);
}

static void
test_small_err_buffer(void **state)
{
	struct ydoc *d = NULL;
	char err[8];

	memset(err, 'x', sizeof(err));
	assert_int_equal(ydoc_load_string("long-name.yaml", "a: *b", 5, &d,
	    err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(ydoc_load_string("n", "a: *b", 5, &d, NULL, 0),
	    -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_seq_scalars),
		cmocka_unit_test(test_empty_and_document_markers),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_anchors_aliases),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_duplicate_keys_large_map),
		cmocka_unit_test(test_non_scalar_keys),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_load_file_ok),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nul_in_scalar),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_small_err_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
