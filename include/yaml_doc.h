/*
 * yaml_doc.h - a whole YAML file loaded into a small, strict node tree.
 *
 * Rule packs are read through this module only (it is the one file that
 * includes <yaml.h>).  A loaded document is a tree of scalars, sequences
 * and mappings, each node carrying its 1-based line and column so every
 * validation error can point at the exact place in the file.  All nodes
 * and strings live in one arena owned by the struct ydoc and go away
 * together in ydoc_free().
 *
 * The loader is deliberately stricter than YAML: no anchors or aliases
 * (billion laughs), no tags, only scalar mapping keys, no duplicate keys,
 * no NUL bytes inside scalars, one document per file, nesting depth at
 * most YDOC_MAX_DEPTH, at most YDOC_MAX_NODES nodes and YDOC_MAX_BYTES of
 * input.  Every error message has the form "PATH:LINE:COL: message".
 */
#ifndef OUTFLOW_YAML_DOC_H
#define OUTFLOW_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YDOC_MAX_DEPTH	64			/* nested sequences/mappings */
#define YDOC_MAX_NODES	1000000u		/* nodes per document */
#define YDOC_MAX_BYTES	((size_t)32 << 20)	/* input size */

enum ynode_type {
	YNODE_SCALAR,
	YNODE_SEQ,
	YNODE_MAP,
};

struct ynode {
	enum ynode_type type;
	unsigned line, col;	/* 1-based, of the node's start */
	const char *scalar;	/* YNODE_SCALAR: NUL-terminated value (no inner NUL) */
	size_t scalar_len;
	bool quoted;		/* scalar was quoted (so "123" is a string) */
	size_t n;		/* items (SEQ) or pairs (MAP) */
	struct ynode **items;	/* SEQ items; MAP values */
	struct ynode **keys;	/* MAP keys (always scalars), parallel to items */
};

struct yarena;

struct ydoc {
	char *path;		/* name used in error messages */
	struct ynode *root;	/* never NULL; an empty file is a null scalar */
	struct yarena *arena;	/* owns every node and string */
};

/**
 * Load a whole file.  Rejects anchors/aliases, tags, non-scalar keys,
 * duplicate keys, depth > 64, more than 1,000,000 nodes, files > 32 MiB
 * and multiple documents.  On error err gets "PATH:LINE:COL: message"
 * (or "PATH: message" when there is no position, e.g. open failed).
 * Returns 0 and *ret, or -EINVAL (bad YAML), -EFBIG, -ENOMEM or the
 * -errno of open/read.
 */
int ydoc_load_file(const char *path, struct ydoc **ret, char *err,
    size_t errlen);

/** Same as ydoc_load_file() over len bytes at buf; name is used as PATH. */
int ydoc_load_string(const char *name, const char *buf, size_t len,
    struct ydoc **ret, char *err, size_t errlen);

/** Free the document and all its nodes.  Accepts NULL; returns NULL. */
struct ydoc *ydoc_free(struct ydoc *d);

/** Value for key in map (exact byte match), NULL if absent or not a map. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/**
 * Value for key in map; if absent, an error "missing key 'key'" at the
 * map's position.  Fails with "expected a mapping" if map is not one.
 */
int ynode_get_required(const struct ydoc *d, const struct ynode *map,
    const char *key, const struct ynode **ret, char *err, size_t errlen);

/**
 * Format "PATH:LINE:COL: message" about node n into err (n may be NULL:
 * then "PATH: message").  Always returns -EINVAL, so callers can write
 * `return ynode_error(...)`.
 */
int ynode_error(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/**
 * Fail with "unknown key 'x' (expected one of: a, b, c)" at the key if
 * map has a key not in allowed (NULL-terminated).  Also fails if map is
 * not a mapping ("expected a mapping").  Returns 0 or -EINVAL.
 */
int ynode_check_keys(const struct ydoc *d, const struct ynode *map,
    const char *const *allowed, char *err, size_t errlen);

/**
 * Typed getters.  Each returns 0 and writes *ret, or -EINVAL with an error
 * at n naming what was expected.  n may be NULL (treated as a type error
 * without position).
 */
/** Any non-null scalar ("expected a string"); plain ~, null, empty fail. */
int ynode_string(const struct ydoc *d, const struct ynode *n,
    const char **ret, char *err, size_t errlen);
/** Plain decimal integer in [lo, hi] ("expected an integer in [lo, hi]"). */
int ynode_uint(const struct ydoc *d, const struct ynode *n, uint64_t lo,
    uint64_t hi, uint64_t *ret, char *err, size_t errlen);
/** Plain finite decimal number ("expected a number"). */
int ynode_double(const struct ydoc *d, const struct ynode *n, double *ret,
    char *err, size_t errlen);
/** Plain true/false, any case ("expected true or false"). */
int ynode_bool(const struct ydoc *d, const struct ynode *n, bool *ret,
    char *err, size_t errlen);
/** 0 if n is a sequence, else -EINVAL "expected a list". */
int ynode_seq(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen);
/** 0 if n is a mapping, else -EINVAL "expected a mapping". */
int ynode_map(const struct ydoc *d, const struct ynode *n, char *err,
    size_t errlen);

/** True if n is a plain null scalar (empty, ~, null, Null, NULL). */
bool ynode_is_null(const struct ynode *n);

/**
 * Callback for ynode_strings(): item is the scalar node holding s.
 * Return 0 to go on or a negative errno to stop (write err yourself,
 * e.g. with ynode_error()).
 */
typedef int ynode_string_cb(void *arg, const struct ydoc *d,
    const struct ynode *item, const char *s, char *err, size_t errlen);

/**
 * Convenience for "a string or a list of strings": calls cb for the
 * scalar n, or for each item of the sequence n (each must be a string:
 * "expected a string").  Anything else fails with "expected a string or
 * a list of strings".  Returns 0, the callback's error, or -EINVAL.
 */
int ynode_strings(const struct ydoc *d, const struct ynode *n,
    ynode_string_cb *cb, void *arg, char *err, size_t errlen);

#endif
