/*
 * stream.c - bounded TCP reassembly of the first bytes of a direction.
 *
 * The buffer holds offsets [0, cap).  contig is the length of the prefix
 * with no hole; islands are the ranges beyond a hole, kept sorted and
 * merged, at most STREAM_MAX_ISLANDS of them.  Sequence arithmetic is
 * modulo 2^32 relative to base_seq.
 */
#include <string.h>

#include "stream.h"

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
	uint32_t pos = start;

	if (pos < s->contig) {
		s->overlaps++;
		pos = s->contig;
	}
	/* At most STREAM_MAX_ISLANDS iterations: islands are sorted. */
	for (uint8_t i = 0; i < s->n_islands && pos < end; i++) {
		uint32_t is = s->islands[i].start, ie = s->islands[i].end;

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
	uint8_t i, j;

	if (start <= s->contig) {
		if (end > s->contig)
			s->contig = end;
	} else {
		/* Insert sorted, then merge neighbours. */
		for (i = 0; i < s->n_islands && s->islands[i].start < start; i++)
			;
		if (s->n_islands == STREAM_MAX_ISLANDS) {
			s->dropped++;
			return;
		}
		memmove(&s->islands[i + 1], &s->islands[i],
		    (size_t)(s->n_islands - i) * sizeof(s->islands[0]));
		s->islands[i].start = start;
		s->islands[i].end = end;
		s->n_islands++;
		for (i = 0; i + 1 < s->n_islands; ) {
			if (s->islands[i + 1].start <= s->islands[i].end) {
				if (s->islands[i + 1].end > s->islands[i].end)
					s->islands[i].end = s->islands[i + 1].end;
				memmove(&s->islands[i + 1], &s->islands[i + 2],
				    (size_t)(s->n_islands - i - 2) *
				    sizeof(s->islands[0]));
				s->n_islands--;
			} else
				i++;
		}
	}
	/* Absorb islands the prefix now reaches. */
	for (j = 0; j < s->n_islands && s->islands[j].start <= s->contig; j++)
		if (s->islands[j].end > s->contig)
			s->contig = s->islands[j].end;
	if (j > 0) {
		memmove(&s->islands[0], &s->islands[j],
		    (size_t)(s->n_islands - j) * sizeof(s->islands[0]));
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
