/*
 * quic_build.h - protected QUIC client Initial packets, for the unit
 * tests and the fuzz target (tests only: the daemon never sends, so
 * none of this is in the outflow binary).
 */
#ifndef OUTFLOW_TEST_QUIC_BUILD_H
#define OUTFLOW_TEST_QUIC_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "quic.h"

/** What quic_build_initial() puts around the frames. */
struct quic_build {
	uint32_t version;
	const uint8_t *dcid;		/* header Destination Connection ID */
	size_t dcid_len;
	const uint8_t *key_dcid;	/* keys come from it; NULL: dcid */
	size_t key_dcid_len;
	const uint8_t *scid;
	size_t scid_len;
	uint64_t pn;			/* packet number */
	size_t pn_len;			/* 1..4 bytes on the wire */
	size_t pad_to;			/* PADDING up to this packet size */
};

/**
 * Build a protected client Initial packet carrying frames.  No token, a
 * 2-byte Length field, then PADDING frames so the packet is at least
 * b->pad_to bytes long.  The keys come from quic_initial_keys() on qc;
 * the packet is sealed with cipher contexts of its own, so qc's states
 * are left as they were.  The packet is written to out and its length
 * to *ret_len.
 * Returns 0, -EINVAL on bad arguments, -ENOBUFS when out_size is too
 * small, -ENOTSUP for an unsupported version, -ENOMEM, or -EIO when
 * OpenSSL fails.
 */
int quic_build_initial(struct quic_ctx *qc, const struct quic_build *b,
    const uint8_t *frames, size_t frames_len, uint8_t *out, size_t out_size,
    size_t *ret_len);

#endif
