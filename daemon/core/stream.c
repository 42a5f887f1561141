/*
 * stream.c - bounded TCP reassembly of the first bytes of a direction.
 *
 * The buffer holds offsets [0, cap).  contig is the length of the prefix
 * with no hole; islands are the ranges beyond a hole, kept sorted and
 * merged, at most STREAM_MAX_ISLANDS of them.  Sequence arithmetic is
 * modulo 2^32 relative to base_seq.
 */
#include <stdlib.h>
#include <string.h>

#include "stream.h"

_Static_assert(STREAM_BUF_OVERHEAD % 16 == 0,
    "the window after the islands keeps malloc's alignment");

static struct stream_island *
islands(const struct stream_dir *s)
{
	return (struct stream_island *)(void *)(s->buf - STREAM_BUF_OVERHEAD);
}

bool
stream_buf_resize(struct stream_dir *s, uint32_t size)
{
	uint8_t *base = s->buf != NULL ? s->buf - STREAM_BUF_OVERHEAD : NULL;

	if ((base = realloc(base, STREAM_BUF_OVERHEAD + (size_t)size)) == NULL)
		return false;
	s->buf = base + STREAM_BUF_OVERHEAD;
	s->buf_size = size;
	return true;
}

void
stream_buf_free(struct stream_dir *s)
{
	if (s->buf != NULL)
		free(s->buf - STREAM_BUF_OVERHEAD);
	s->buf = NULL;
	s->buf_size = 0;
	s->n_islands = 0;
}

void
stream_set_isn(struct stream_dir *s, uint32_t isn)
{
	s->base_seq = isn + 1;
	s->base_set = 1;
}

/* Copy [start, end) of data into the buffer where no byte is present. */
static void
copy_new_bytes(struct stream_dir *s, uint32_t start, uint32_t end,
    const uint8_t *data, uint32_t data_off)
{
	const struct stream_island *isl = islands(s);
	uint32_t pos = start;

	if (pos < s->contig) {
		s->overlaps++;
		pos = s->contig;
	}
	/* At most STREAM_MAX_ISLANDS iterations: islands are sorted. */
	for (uint8_t i = 0; i < s->n_islands && pos < end; i++) {
		uint32_t is = isl[i].start, ie = isl[i].end;

		if (ie <= pos)
			continue;
		if (is >= end)
			break;
		if (is > pos)
			memcpy(s->buf + pos, data + (pos - data_off), is - pos);
		s->overlaps++;
		pos = ie;
	}
	if (pos < end)
		memcpy(s->buf + pos, data + (pos - data_off), end - pos);
}

/* Record [start, end) as present: grow contig or merge into islands. */
static void
mark_present(struct stream_dir *s, uint32_t start, uint32_t end)
{
	struct stream_island *isl = islands(s);
	uint8_t i, j;

	if (start <= s->contig) {
		if (end > s->contig)
			s->contig = end;
	} else {
		/* Insert sorted, then merge neighbours. */
		for (i = 0; i < s->n_islands && isl[i].start < start; i++)
			;
		if (s->n_islands == STREAM_MAX_ISLANDS) {
			s->dropped++;
			return;
		}
		memmove(&isl[i + 1], &isl[i],
		    (size_t)(s->n_islands - i) * sizeof(isl[0]));
		isl[i].start = start;
		isl[i].end = end;
		s->n_islands++;
		for (i = 0; i + 1 < s->n_islands; ) {
			if (isl[i + 1].start <= isl[i].end) {
				if (isl[i + 1].end > isl[i].end)
					isl[i].end = isl[i + 1].end;
				memmove(&isl[i + 1], &isl[i + 2],
				    (size_t)(s->n_islands - i - 2) *
				    sizeof(isl[0]));
				s->n_islands--;
			} else
				i++;
		}
	}
	/* Absorb islands the prefix now reaches. */
	for (j = 0; j < s->n_islands && isl[j].start <= s->contig; j++)
		if (isl[j].end > s->contig)
			s->contig = isl[j].end;
	if (j > 0) {
		memmove(&isl[0], &isl[j],
		    (size_t)(s->n_islands - j) * sizeof(isl[0]));
		s->n_islands = (uint8_t)(s->n_islands - j);
	}
}

uint32_t
stream_segment_end(const struct stream_dir *s, uint32_t seq, uint32_t len)
{
	int32_t rel;
	uint64_t end;

	if (!s->base_set)
		return len < s->cap ? len : s->cap;
	rel = (int32_t)(seq - s->base_seq);
	end = (int64_t)rel + (int64_t)len <= 0 ? 0 : (uint64_t)((int64_t)rel + len);
	return end > s->cap ? s->cap : (uint32_t)end;
}

void
stream_slide(struct stream_dir *s, uint32_t n)
{
	if (n > s->contig || s->n_islands > 0)
		return;
	if (n < s->contig && s->buf != NULL)
		memmove(s->buf, s->buf + n, s->contig - n);
	s->base_seq += n;
	s->contig -= n;
	s->full = 0;
}

bool
stream_add(struct stream_dir *s, uint32_t seq, const uint8_t *data,
    uint32_t len)
{
	uint32_t off, start, end, lim, before = s->contig;
	int32_t rel;

	if (len == 0 || s->buf == NULL)
		return false;
	if (!s->base_set) {
		/* No SYN seen: the first data segment defines offset 0. */
		s->base_seq = seq;
		s->base_set = 1;
	}
	rel = (int32_t)(seq - s->base_seq);
	if (rel < 0) {
		/* Starts before byte 0 (SYN data or a retransmission that
		 * straddles): keep the part from byte 0 on. */
		if ((uint32_t)-rel >= len)
			return false;
		data += (uint32_t)-rel;
		len -= (uint32_t)-rel;
		rel = 0;
	}
	off = (uint32_t)rel;
	/* The caller grew buf to stream_segment_end(); never write past it. */
	lim = s->buf_size < s->cap ? s->buf_size : s->cap;
	if (off >= lim) {
		s->full = 1;
		return false;
	}
	start = off;
	end = len > lim - off ? lim : off + len;
	if (end < off + len)
		s->full = 1;
	if (end <= s->contig) {
		s->retransmits++;
		return false;
	}
	copy_new_bytes(s, start, end, data, off);
	mark_present(s, start, end);
	return s->contig > before;
}
