/*
 * cursor.h - the only place where raw wire bytes are read.
 *
 * Every parser of untrusted bytes walks a struct cur.  Each getter checks
 * the remaining length first and, when short, returns false and consumes
 * nothing, so reads chain with || and a failed chain leaves the cursor
 * where the failing field began.  Multi-byte fields are assembled byte by
 * byte: no alignment or host-endianness assumptions, no struct casts.
 */
#ifndef OUTFLOW_CURSOR_H
#define OUTFLOW_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t *p;	/* next unread byte */
	size_t len;		/* bytes left */
};

/** Make a cursor over len bytes at p. */
static inline struct cur
cur_make(const void *p, size_t len)
{
	struct cur c = { (const uint8_t *)p, p ? len : 0 };
	return c;
}

/** Bytes left. */
static inline size_t
cur_left(const struct cur *c)
{
	return c->len;
}

static inline bool
cur_skip(struct cur *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool
cur_u8(struct cur *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->len--;
	return true;
}

static inline bool
cur_be16(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool
cur_be24(struct cur *c, uint32_t *v)
{
	if (c->len < 3)
		return false;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	c->p += 3;
	c->len -= 3;
	return true;
}

static inline bool
cur_be32(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return true;
}

static inline bool
cur_le16(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool
cur_le32(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	c->len -= 4;
	return true;
}

/** Copy n bytes out. */
static inline bool
cur_bytes(struct cur *c, void *dst, size_t n)
{
	if (c->len < n)
		return false;
	if (n)
		memcpy(dst, c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

/** Borrow a pointer to the next n bytes and consume them. */
static inline bool
cur_ptr(struct cur *c, size_t n, const uint8_t **ret)
{
	if (c->len < n)
		return false;
	*ret = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

/** Cut the next n bytes out as a sub-cursor (length-prefixed fields). */
static inline bool
cur_sub(struct cur *c, size_t n, struct cur *ret)
{
	if (c->len < n)
		return false;
	ret->p = c->p;
	ret->len = n;
	c->p += n;
	c->len -= n;
	return true;
}

/** Read the byte at offset off without consuming. */
static inline bool
cur_peek_u8(const struct cur *c, size_t off, uint8_t *v)
{
	if (c->len <= off)
		return false;
	*v = c->p[off];
	return true;
}

/** Sub-cursor with a 1-, 2- or 3-byte big-endian length prefix. */
static inline bool
cur_vec8(struct cur *c, struct cur *ret)
{
	struct cur save = *c;
	uint8_t n;

	if (!cur_u8(c, &n) || !cur_sub(c, n, ret)) {
		*c = save;
		return false;
	}
	return true;
}

static inline bool
cur_vec16(struct cur *c, struct cur *ret)
{
	struct cur save = *c;
	uint16_t n;

	if (!cur_be16(c, &n) || !cur_sub(c, n, ret)) {
		*c = save;
		return false;
	}
	return true;
}

static inline bool
cur_vec24(struct cur *c, struct cur *ret)
{
	struct cur save = *c;
	uint32_t n;

	if (!cur_be24(c, &n) || !cur_sub(c, n, ret)) {
		*c = save;
		return false;
	}
	return true;
}

#endif
