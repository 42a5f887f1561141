/*
 * yaml_doc.c - libyaml event stream → strict node tree (see yaml_doc.h).
 *
 * The only file that includes <yaml.h>.  libyaml's event parser is used,
 * not its document loader, so that anchors and aliases are refused as
 * they arrive (nothing is ever expanded), and so that depth, node count
 * and duplicate keys are checked while building.  Nodes and strings are
 * carved from an arena owned by the document; the temporary building
 * stacks and the duplicate-key table are malloc'd and freed before
 * returning.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "hash.h"
#include "yaml_doc.h"

/* ---- arena ---- */

#define YARENA_CHUNK	(64 * 1024)

struct yarena_chunk {
	struct yarena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct yarena {
	struct yarena_chunk *head;
};

static void *
yarena_alloc(struct yarena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct yarena_chunk *c = a->head;
	size_t need, size;

	if (n > SIZE_MAX - align)
		return NULL;
	need = (n + align - 1) / align * align;
	if (need == 0)
		need = align;
	if (c == NULL || c->size - c->used < need) {
		size = need > YARENA_CHUNK ? need : YARENA_CHUNK;
		if (size > SIZE_MAX - sizeof(*c))
			return NULL;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		/* A big one-off block goes behind the current chunk so the
		 * current chunk's free tail is not wasted. */
		if (a->head != NULL && size > YARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

static void
yarena_free(struct yarena *a)
{
	struct yarena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* ---- error formatting ---- */

/*
 * Write s (len bytes) quoted for an error message: at most 64 bytes, with
 * control and non-ASCII bytes as \xNN, so a hostile key can't inject
 * newlines or terminal escapes into logs.
 */
static const char *
yesc(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0, i;

	if (size == 0)
		return buf;
	/* Bounded by len and by the 64-byte cap. */
	for (i = 0; i < len && i < 64; i++) {
		unsigned char ch = (unsigned char)s[i];
		int w;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			w = snprintf(buf + o, size - o, "%c", ch);
		else
			w = snprintf(buf + o, size - o, "\\x%02x", ch);
		if (w < 0 || (size_t)w >= size - o)
			break;
		o += (size_t)w;
	}
	if (i < len && size - o > 3)
		snprintf(buf + o, size - o, "...");
	return buf;
}

static void
verr_at(char *err, size_t errlen, const char *path, unsigned line,
    unsigned col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void
verr_at(char *err, size_t errlen, const char *path, unsigned line,
    unsigned col, const char *fmt, va_list ap)
{
	int w;

	if (err == NULL || errlen == 0)
		return;
	if (line > 0)
		w = snprintf(err, errlen, "%s:%u:%u: ", path, line, col);
	else
		w = snprintf(err, errlen, "%s: ", path);
	if (w < 0 || (size_t)w >= errlen)
		return;
	vsnprintf(err + w, errlen - (size_t)w, fmt, ap);
}

static int
err_at(char *err, size_t errlen, const char *path, unsigned line,
    unsigned col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
err_at(char *err, size_t errlen, const char *path, unsigned line,
    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_at(err, errlen, path, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
ynode_error(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_at(err, errlen, d != NULL && d->path != NULL ? d->path : "?",
	    n != NULL ? n->line : 0, n != NULL ? n->col : 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- loader ---- */

/* A collection being built: its node and its children so far (maps store
 * key, value, key, value ...). */
struct yframe {
	struct ynode *node;
	struct ynode **kids;
	size_t nkids, cap;
};

/* A (map, key) pair seen so far; the shared map (hash.h) indexes them,
 * for duplicate keys in O(1) each instead of a quadratic scan of huge
 * maps. */
struct yseen {
	const struct ynode *map;
	const struct ynode *key;
};

struct yload {
	const char *path;
	const char *buf;
	size_t len;
	struct ydoc *doc;
	struct yframe stack[YDOC_MAX_DEPTH];
	unsigned depth;
	size_t nodes;
	struct yseen *seen;
	uint32_t seen_cap, seen_n;
	struct hmap seen_map;
	char *err;
	size_t errlen;
};

static uint32_t
ykey_hash(const struct ynode *map, const char *s, size_t len)
{
	return (uint32_t)hash_mix(hash_bytes(s, len), (uintptr_t)map);
}

/* The pair equal to (map, key), or NULL with p where it would go. */
static const struct yseen *
yseen_find(const struct yload *l, const struct ynode *map,
    const struct ynode *key, struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&l->seen_map, ykey_hash(map, key->scalar,
	    key->scalar_len), p); idx != 0; idx = hmap_next(&l->seen_map, p)) {
		const struct yseen *e = &l->seen[idx - 1];

		if (e->map == map && e->key->scalar_len == key->scalar_len &&
		    memcmp(e->key->scalar, key->scalar, key->scalar_len) == 0)
			return e;
	}
	return NULL;
}

/* 0, or -EINVAL with the error set if map already has this key. */
static int
yseen_add(struct yload *l, const struct ynode *map, const struct ynode *key)
{
	const struct yseen *e;
	struct hmap_probe p;
	int r;

	if ((e = yseen_find(l, map, key, &p)) != NULL) {
		char q[300];

		return err_at(l->err, l->errlen, l->path, key->line, key->col,
		    "duplicate key '%s' (first at line %u, column %u)",
		    yesc(key->scalar, key->scalar_len, q, sizeof(q)),
		    e->key->line, e->key->col);
	}
	if (l->seen_n == l->seen_cap) {
		/* Doubling; at most one pair per node, so bounded by
		 * YDOC_MAX_NODES. */
		uint32_t ncap = l->seen_cap ? l->seen_cap * 2 : 128;
		struct yseen *n;

		if ((r = hmap_reserve(&l->seen_map, ncap)) < 0)
			return r;
		if ((n = realloc(l->seen, ncap * sizeof(*n))) == NULL)
			return -ENOMEM;
		l->seen = n;
		l->seen_cap = ncap;
		(void)yseen_find(l, map, key, &p);
	}
	if ((r = hmap_insert(&l->seen_map, &p, l->seen_n)) < 0)
		return r;
	l->seen[l->seen_n].map = map;
	l->seen[l->seen_n].key = key;
	l->seen_n++;
	return 0;
}

static int
ymark_err(struct yload *l, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ymark_err(struct yload *l, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_at(l->err, l->errlen, l->path, (unsigned)m->line + 1,
	    (unsigned)m->column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct ynode *
ynode_new(struct yload *l, enum ynode_type type, const yaml_mark_t *m,
    int *r)
{
	struct ynode *n;

	if (l->nodes >= YDOC_MAX_NODES) {
		*r = ymark_err(l, m, "too many nodes (more than %u)",
		    YDOC_MAX_NODES);
		return NULL;
	}
	if ((n = yarena_alloc(l->doc->arena, sizeof(*n))) == NULL) {
		*r = -ENOMEM;
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	l->nodes++;
	return n;
}

/* Hang a finished node on the innermost open collection (or the root). */
static int
yattach(struct yload *l, struct ynode *n, const yaml_mark_t *m)
{
	struct yframe *f;

	if (l->depth == 0) {
		l->doc->root = n;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (f->node->type == YNODE_MAP && f->nkids % 2 == 0) {
		int r;

		if (n->type != YNODE_SCALAR)
			return ymark_err(l, m,
			    "mapping keys must be scalars");
		if ((r = yseen_add(l, f->node, n)) < 0)
			return r;
	}
	if (f->nkids == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		struct ynode **k;

		if ((k = realloc(f->kids, ncap * sizeof(*k))) == NULL)
			return -ENOMEM;
		f->kids = k;
		f->cap = ncap;
	}
	f->kids[f->nkids++] = n;
	return 0;
}

static int
yopen(struct yload *l, enum ynode_type type, const yaml_mark_t *m)
{
	struct ynode *n;
	int r = 0;

	if (l->depth >= YDOC_MAX_DEPTH)
		return ymark_err(l, m, "nesting deeper than %d levels",
		    YDOC_MAX_DEPTH);
	if ((n = ynode_new(l, type, m, &r)) == NULL)
		return r;
	/* A collection as a key is refused at once, before it is built. */
	if (l->depth > 0) {
		struct yframe *p = &l->stack[l->depth - 1];

		if (p->node->type == YNODE_MAP && p->nkids % 2 == 0)
			return ymark_err(l, m, "mapping keys must be scalars");
	}
	l->stack[l->depth].node = n;
	l->stack[l->depth].nkids = 0;
	l->depth++;
	return 0;
}

static int
yclose(struct yload *l)
{
	struct yframe *f = &l->stack[l->depth - 1];
	struct ynode *n = f->node;
	size_t i;

	if (n->type == YNODE_MAP) {
		n->n = f->nkids / 2;
		if (n->n > 0) {
			n->keys = yarena_alloc(l->doc->arena,
			    n->n * sizeof(*n->keys));
			n->items = yarena_alloc(l->doc->arena,
			    n->n * sizeof(*n->items));
			if (n->keys == NULL || n->items == NULL)
				return -ENOMEM;
		}
		/* Bounded by the pairs collected (≤ node limit). */
		for (i = 0; i < n->n; i++) {
			n->keys[i] = f->kids[2 * i];
			n->items[i] = f->kids[2 * i + 1];
		}
	} else {
		n->n = f->nkids;
		if (n->n > 0) {
			n->items = yarena_alloc(l->doc->arena,
			    n->n * sizeof(*n->items));
			if (n->items == NULL)
				return -ENOMEM;
			memcpy(n->items, f->kids, n->n * sizeof(*n->items));
		}
	}
	l->depth--;
	return yattach(l, n, &(yaml_mark_t){ 0, n->line - 1, n->col - 1 });
}

static int
yscalar(struct yload *l, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct ynode *n;
	char *s;
	int r = 0;

	if (memchr(v, '\0', len) != NULL)
		return ymark_err(l, &ev->start_mark, "NUL byte in scalar");
	if ((n = ynode_new(l, YNODE_SCALAR, &ev->start_mark, &r)) == NULL)
		return r;
	if ((s = yarena_alloc(l->doc->arena, len + 1)) == NULL)
		return -ENOMEM;
	memcpy(s, v, len);
	s[len] = '\0';
	n->scalar = s;
	n->scalar_len = len;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	return yattach(l, n, &ev->start_mark);
}

/* Line and column (1-based, bytes) of a byte offset, for reader errors
 * that carry only an offset.  Bounded by the input length. */
static void
yoffset_pos(const struct yload *l, size_t off, unsigned *line, unsigned *col)
{
	unsigned ln = 1, c = 1;

	for (size_t i = 0; i < off && i < l->len; i++) {
		if (l->buf[i] == '\n') {
			ln++;
			c = 1;
		} else
			c++;
	}
	*line = ln;
	*col = c;
}

static int
yparser_err(struct yload *l, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	unsigned line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return -ENOMEM;
	case YAML_READER_ERROR:
		yoffset_pos(l, p->problem_offset, &line, &col);
		return err_at(l->err, l->errlen, l->path, line, col, "%s",
		    problem);
	default:
		if (p->context != NULL)
			return err_at(l->err, l->errlen, l->path,
			    (unsigned)p->problem_mark.line + 1,
			    (unsigned)p->problem_mark.column + 1,
			    "%s %s (started at line %u, column %u)",
			    p->context, problem,
			    (unsigned)p->context_mark.line + 1,
			    (unsigned)p->context_mark.column + 1);
		return err_at(l->err, l->errlen, l->path,
		    (unsigned)p->problem_mark.line + 1,
		    (unsigned)p->problem_mark.column + 1, "%s", problem);
	}
}

/* Process one event; *done is set at the end of the stream. */
static int
yevent(struct yload *l, const yaml_event_t *ev, unsigned *ndocs, bool *done)
{
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > 1)
			return ymark_err(l, m,
			    "more than one document in the file");
		return 0;
	case YAML_ALIAS_EVENT:
		return ymark_err(l, m, "aliases are not allowed");
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor != NULL)
			return ymark_err(l, m, "anchors are not allowed");
		if (ev->data.scalar.tag != NULL)
			return ymark_err(l, m, "tags are not allowed");
		return yscalar(l, ev);
	case YAML_SEQUENCE_START_EVENT:
		if (ev->data.sequence_start.anchor != NULL)
			return ymark_err(l, m, "anchors are not allowed");
		if (ev->data.sequence_start.tag != NULL)
			return ymark_err(l, m, "tags are not allowed");
		return yopen(l, YNODE_SEQ, m);
	case YAML_MAPPING_START_EVENT:
		if (ev->data.mapping_start.anchor != NULL)
			return ymark_err(l, m, "anchors are not allowed");
		if (ev->data.mapping_start.tag != NULL)
			return ymark_err(l, m, "tags are not allowed");
		return yopen(l, YNODE_MAP, m);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		/* libyaml pairs start and end events, so depth > 0 here. */
		if (l->depth == 0)
			return ymark_err(l, m, "unbalanced collection end");
		return yclose(l);
	}
	return ymark_err(l, m, "unexpected YAML event");
}

static int
yload_run(struct yload *l)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned ndocs = 0;
	bool done = false;
	int r = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)l->buf,
	    l->len);
	/* Each event consumes input or closes a collection, and the node
	 * and depth caps stop pathological streams early. */
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			r = yparser_err(l, &parser);
			goto out;
		}
		r = yevent(l, &ev, &ndocs, &done);
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
	}
	if (l->doc->root == NULL) {
		/* Empty stream: a null scalar at 1:1, so callers just see
		 * "expected a mapping" instead of a special case. */
		yaml_mark_t m0 = { 0, 0, 0 };
		struct ynode *n;

		if ((n = ynode_new(l, YNODE_SCALAR, &m0, &r)) == NULL)
			goto out;
		n->scalar = "";
		l->doc->root = n;
	}
out:
	yaml_parser_delete(&parser);
	return r;
}

int
ydoc_load_string(const char *name, const char *buf, size_t len,
    struct ydoc **ret, char *err, size_t errlen)
{
	struct yload l;
	struct ydoc *d = NULL;
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (name == NULL)
		name = "<string>";
	if (len > YDOC_MAX_BYTES) {
		err_at(err, errlen, name, 0, 0, "file larger than %zu MiB",
		    YDOC_MAX_BYTES >> 20);
		return -EFBIG;
	}
	memset(&l, 0, sizeof(l));
	l.path = name;
	l.buf = buf != NULL ? buf : "";
	l.len = buf != NULL ? len : 0;
	l.err = err;
	l.errlen = errlen;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->path = strdup(name)) == NULL ||
	    (d->arena = calloc(1, sizeof(*d->arena))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	l.doc = d;
	r = yload_run(&l);
out:
	/* Frames are reused by depth; free every one that ever grew. */
	for (size_t i = 0; i < YDOC_MAX_DEPTH; i++)
		free(l.stack[i].kids);
	free(l.seen);
	hmap_fini(&l.seen_map);
	if (r < 0) {
		if (r == -ENOMEM && err != NULL && errlen > 0)
			err_at(err, errlen, name, 0, 0, "out of memory");
		ydoc_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

int
ydoc_load_file(const char *path, struct ydoc **ret, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		err_at(err, errlen, path, 0, 0, "%s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		err_at(err, errlen, path, 0, 0, "%s", strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		err_at(err, errlen, path, 0, 0, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > YDOC_MAX_BYTES) {
		r = -EFBIG;
		err_at(err, errlen, path, 0, 0, "file larger than %zu MiB",
		    YDOC_MAX_BYTES >> 20);
		goto out;
	}
	/* One byte more than fstat said, so a file that grew meanwhile is
	 * caught; the loop ends at EOF or when the buffer is full. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = -ENOMEM;
		err_at(err, errlen, path, 0, 0, "out of memory");
		goto out;
	}
	for (;;) {
		size_t cap = (size_t)st.st_size + 1;
		ssize_t n;

		if (len == cap) {
			r = -EFBIG;
			err_at(err, errlen, path, 0, 0,
			    "file changed while reading");
			goto out;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			err_at(err, errlen, path, 0, 0, "%s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = ydoc_load_string(path, buf, len, ret, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

struct ydoc *
ydoc_free(struct ydoc *d)
{
	if (d == NULL)
		return NULL;
	yarena_free(d->arena);
	free(d->path);
	free(d);
	return NULL;
}

/* ---- accessors ---- */

static bool
ynode_key_eq(const struct ynode *k, const char *key, size_t klen)
{
	return k->scalar_len == klen && memcmp(k->scalar, key, klen) == 0;
}

const struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	size_t klen;

	if (map == NULL || map->type != YNODE_MAP || key == NULL)
		return NULL;
	klen = strlen(key);
	/* Linear: rule-pack maps have a handful of keys. */
	for (size_t i = 0; i < map->n; i++)
		if (ynode_key_eq(map->keys[i], key, klen))
			return map->items[i];
	return NULL;
}

int
ynode_get_required(const struct ydoc *d, const struct ynode *map,
    const char *key, const struct ynode **ret, char *err, size_t errlen)
{
	const struct ynode *v;
	int r;

	if ((r = ynode_map(d, map, err, errlen)) < 0)
		return r;
	if ((v = ynode_get(map, key)) == NULL)
		return ynode_error(d, map, err, errlen, "missing key '%s'",
		    key);
	*ret = v;
	return 0;
}

int
ynode_check_keys(const struct ydoc *d, const struct ynode *map,
    const char *const *allowed, char *err, size_t errlen)
{
	int r;

	if ((r = ynode_map(d, map, err, errlen)) < 0)
		return r;
	/* Bounded by the map's pairs times the allowed list. */
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];
		char list[512], q[300];
		size_t o = 0;
		bool ok = false;

		for (size_t j = 0; allowed != NULL && allowed[j] != NULL; j++)
			if (ynode_key_eq(k, allowed[j], strlen(allowed[j]))) {
				ok = true;
				break;
			}
		if (ok)
			continue;
		list[0] = '\0';
		for (size_t j = 0; allowed != NULL && allowed[j] != NULL; j++) {
			int w = snprintf(list + o, sizeof(list) - o, "%s%s",
			    j ? ", " : "", allowed[j]);

			if (w < 0 || (size_t)w >= sizeof(list) - o)
				break;
			o += (size_t)w;
		}
		return ynode_error(d, k, err, errlen,
		    "unknown key '%s' (expected one of: %s)",
		    yesc(k->scalar, k->scalar_len, q, sizeof(q)), list);
	}
	return 0;
}

bool
ynode_is_null(const struct ynode *n)
{
	if (n == NULL || n->type != YNODE_SCALAR || n->quoted)
		return false;
	return n->scalar_len == 0 || strcmp(n->scalar, "~") == 0 ||
	    strcmp(n->scalar, "null") == 0 || strcmp(n->scalar, "Null") == 0 ||
	    strcmp(n->scalar, "NULL") == 0;
}

int
ynode_string(const struct ydoc *d, const struct ynode *n, const char **ret,
    char *err, size_t errlen)
{
	if (n == NULL || n->type != YNODE_SCALAR || ynode_is_null(n))
		return ynode_error(d, n, err, errlen, "expected a string");
	*ret = n->scalar;
	return 0;
}

int
ynode_uint(const struct ydoc *d, const struct ynode *n, uint64_t lo,
    uint64_t hi, uint64_t *ret, char *err, size_t errlen)
{
	uint64_t v = 0;
	size_t i;

	if (n == NULL || n->type != YNODE_SCALAR || n->quoted ||
	    n->scalar_len == 0)
		goto bad;
	/* Decimal digits only: no sign, no 0x, no 1_000 (YAML 1.1 would
	 * read those differently from what a human expects). */
	for (i = 0; i < n->scalar_len; i++) {
		unsigned dg;

		if (n->scalar[i] < '0' || n->scalar[i] > '9')
			goto bad;
		dg = (unsigned)(n->scalar[i] - '0');
		if (v > (UINT64_MAX - dg) / 10)
			goto bad;
		v = v * 10 + dg;
	}
	if (v < lo || v > hi)
		goto bad;
	*ret = v;
	return 0;
bad:
	return ynode_error(d, n, err, errlen,
	    "expected an integer in [%llu, %llu]", (unsigned long long)lo,
	    (unsigned long long)hi);
}

int
ynode_double(const struct ydoc *d, const struct ynode *n, double *ret,
    char *err, size_t errlen)
{
	const char *s;
	char *end;
	double v;

	if (n == NULL || n->type != YNODE_SCALAR || n->quoted ||
	    n->scalar_len == 0 || n->scalar_len > 64)
		goto bad;
	s = n->scalar;
	/* strtod also takes hex, inf and nan; allow only [-+]digits[.digits][e..]. */
	for (size_t i = 0; i < n->scalar_len; i++)
		if (strchr("0123456789+-.eE", s[i]) == NULL)
			goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		goto bad;
	*ret = v;
	return 0;
bad:
	return ynode_error(d, n, err, errlen, "expected a number");
}

int
ynode_bool(const struct ydoc *d, const struct ynode *n, bool *ret, char *err,
    size_t errlen)
{
	if (n != NULL && n->type == YNODE_SCALAR && !n->quoted) {
		if (strcmp(n->scalar, "true") == 0 ||
		    strcmp(n->scalar, "True") == 0 ||
		    strcmp(n->scalar, "TRUE") == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(n->scalar, "false") == 0 ||
		    strcmp(n->scalar, "False") == 0 ||
		    strcmp(n->scalar, "FALSE") == 0) {
			*ret = false;
			return 0;
		}
	}
	return ynode_error(d, n, err, errlen, "expected true or false");
}

int
ynode_seq(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen)
{
	if (n == NULL || n->type != YNODE_SEQ)
		return ynode_error(d, n, err, errlen, "expected a list");
	return 0;
}

int
ynode_map(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen)
{
	if (n == NULL || n->type != YNODE_MAP)
		return ynode_error(d, n, err, errlen, "expected a mapping");
	return 0;
}

int
ynode_strings(const struct ydoc *d, const struct ynode *n,
    ynode_string_cb *cb, void *arg, char *err, size_t errlen)
{
	const char *s;
	int r;

	if (n != NULL && n->type == YNODE_SCALAR) {
		if ((r = ynode_string(d, n, &s, err, errlen)) < 0)
			return r;
		return cb(arg, d, n, s, err, errlen);
	}
	if (n == NULL || n->type != YNODE_SEQ)
		return ynode_error(d, n, err, errlen,
		    "expected a string or a list of strings");
	/* Bounded by the sequence length (≤ the node limit). */
	for (size_t i = 0; i < n->n; i++) {
		if ((r = ynode_string(d, n->items[i], &s, err, errlen)) < 0)
			return r;
		if ((r = cb(arg, d, n->items[i], s, err, errlen)) < 0)
			return r;
	}
	return 0;
}
