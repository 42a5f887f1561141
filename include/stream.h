/*
 * stream.h - bounded reassembly of the first bytes of a TCP direction.
 *
 * Only the first `cap` bytes of each direction are kept, enough for a
 * ClientHello, a server certificate or an HTTP request with its body.
 * Segments may arrive out of order, twice, or overlapping; for bytes
 * received twice the first copy wins (what most receivers keep, and what
 * makes an overlap attack visible as a counted event instead of a silent
 * rewrite).  The buffer comes from the caller's allocator only when data
 * first arrives and is released as soon as the app layer is done.
 */
#ifndef OUTFLOW_STREAM_H
#define OUTFLOW_STREAM_H

#include <stdbool.h>
#include <stdint.h>

/* Out-of-order islands tracked beyond the contiguous prefix. */
#define STREAM_MAX_ISLANDS 6

struct stream_island {
	uint32_t start, end;		/* [start, end) offsets present */
};

/*
 * The island list lives in the same allocation as the window, just before
 * buf, because islands can only exist where bytes are buffered: a
 * direction without a buffer (nearly all of them, at any moment) costs
 * only this struct.
 */
struct stream_dir {
	uint8_t *buf;			/* buf_size bytes, or NULL */
	uint32_t buf_size;		/* grows on demand up to cap */
	uint32_t cap;
	uint32_t base_seq;		/* sequence number of byte 0 */
	uint32_t contig;		/* bytes [0, contig) are present */
	uint8_t base_set;
	uint8_t n_islands;
	uint8_t closed;			/* FIN or RST seen: no more data */
	uint8_t full;			/* data beyond cap was seen */
	uint32_t overlaps;		/* segments that overlapped kept bytes */
	uint32_t retransmits;		/* segments entirely already present */
	uint32_t dropped;		/* islands that did not fit */
};

/* Bytes an allocated window costs besides its buf_size. */
#define STREAM_BUF_OVERHEAD (STREAM_MAX_ISLANDS * sizeof(struct stream_island))

/**
 * Make the window size bytes (keeping its contents and islands); false if
 * out of memory, with the window unchanged.
 */
bool stream_buf_resize(struct stream_dir *s, uint32_t size);

/** Free the window (and its islands); the direction keeps its offsets. */
void stream_buf_free(struct stream_dir *s);

/** Start the stream at initial sequence number isn (the SYN's seq). */
void stream_set_isn(struct stream_dir *s, uint32_t isn);

/**
 * Window end offset a segment would reach (clipped to cap), so the caller
 * can grow buf to at least that before stream_add(); 0 if it adds nothing.
 */
uint32_t stream_segment_end(const struct stream_dir *s, uint32_t seq,
    uint32_t len);

/**
 * Add a segment.  buf must hold at least stream_segment_end() bytes.
 * Bytes beyond cap are ignored and set full.  Returns true if the
 * contiguous prefix grew.
 */
bool stream_add(struct stream_dir *s, uint32_t seq, const uint8_t *data,
    uint32_t len);

/** Whether bytes before `off` can still arrive (a hole precedes islands). */
static inline bool
stream_has_hole(const struct stream_dir *s)
{
	return s->n_islands > 0;
}

/**
 * Drop the first n window bytes (consumed whole messages): the window
 * then starts n bytes later in the stream.  Only valid with no islands.
 */
void stream_slide(struct stream_dir *s, uint32_t n);

#endif
