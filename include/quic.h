/*
 * quic.h - QUIC client Initial decryption (RFC 9000, RFC 9001, RFC 9369),
 * so the TLS ClientHello inside a QUIC connection can be read.
 *
 * One struct quic_state per QUIC flow, fed the client's datagrams in
 * order.  It removes header protection, opens the AEAD of every client
 * Initial packet (QUIC v1, v2, drafts 22 to 32, mvfst and Google
 * T050/T051 and Q050), reads Google Q039/Q043/Q046 packets (in clear),
 * and reassembles the CRYPTO stream (at most QUIC_CRYPTO_MAX bytes)
 * until it holds one whole ClientHello, which proto_tls then parses (or,
 * for gQUIC, a CHLO whose SNI quic_chlo_sni() reads).  Only the Initial packet
 * number space is ever decrypted: its keys are public, derived from the
 * client's first Destination Connection ID.  Everything else is skipped.
 */
#ifndef OUTFLOW_QUIC_H
#define OUTFLOW_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define QUIC_VERSION_1		0x00000001u
#define QUIC_VERSION_2		0x6b3343cfu
#define QUIC_VERSION_DRAFT29	0xff00001du
/* Pre-RFC versions still seen in captures, decrypted as tshark does. */
#define QUIC_VERSION_DRAFT27	0xff00001bu
#define QUIC_VERSION_DRAFT28	0xff00001cu
#define QUIC_VERSION_DRAFT(n)	(0xff000000u | (uint32_t)(n))	/* 22..32 */
#define QUIC_VERSION_MVFST22	0xfaceb001u	/* Facebook mvfst, draft-22 */
#define QUIC_VERSION_MVFST27	0xfaceb002u	/* Facebook mvfst, draft-27 */
#define QUIC_VERSION_MVFST_EXP	0xfaceb00eu	/* mvfst experimental */
#define QUIC_VERSION_T050	0x54303530u	/* Google "T050", TLS in gQUIC */
#define QUIC_VERSION_T051	0x54303531u	/* Google "T051" */
/* Google QUIC with its own handshake: the CHLO names the server. */
#define QUIC_VERSION_Q039	0x51303339u	/* in clear, as Q043 */
#define QUIC_VERSION_Q043	0x51303433u	/* in clear, public header */
#define QUIC_VERSION_Q046	0x51303436u	/* in clear, long header */
#define QUIC_VERSION_Q050	0x51303530u	/* protected, own salt */

/*
 * CRYPTO stream bytes kept per flow.  A ClientHello with a post-quantum
 * key share is about 1.8 KiB; a longer one gives PARSE_UNSUPPORTED.
 */
#define QUIC_CRYPTO_MAX		8192
/*
 * Largest Initial payload decrypted.  Client Initials are 1200 bytes or
 * a little more (up to the path MTU); a larger one gives
 * PARSE_UNSUPPORTED.
 */
#define QUIC_PAYLOAD_MAX	4096
#define QUIC_CID_MAX		20	/* RFC 9000 §17.2, versions 1 and 2 */

struct quic_state;

/*
 * What the flows of one pipeline share: the AES contexts (keyed per flow
 * as its packets arrive) and each version's keyed salt.  One per thread;
 * it must outlive every state made with it.
 */
struct quic_ctx;

/** A context, or NULL when out of memory or OpenSSL lacks AES-128. */
struct quic_ctx *quic_ctx_new(void);

/** Free qc (NULL is fine).  Returns NULL. */
struct quic_ctx *quic_ctx_free(struct quic_ctx *qc);

/** Client Initial packet protection keys (AES-128-GCM suite). */
struct quic_initial_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

/** A per-flow state decrypting with qc's contexts, or NULL when out of memory. */
struct quic_state *quic_state_new(struct quic_ctx *qc);

/** Free st (NULL is fine).  Returns NULL. */
struct quic_state *quic_state_free(struct quic_state *st);

/**
 * Feed one UDP datagram sent by the client.  Coalesced packets are
 * walked up to the first short header; Initial packets are decrypted and
 * their CRYPTO frames placed into the stream (in any order, overlapping
 * or repeated), other long-header packets are skipped.
 *
 * Returns PARSE_OK once the stream holds a whole ClientHello from offset
 * 0 (and on every later call), PARSE_NEED_MORE while more Initials are
 * needed, PARSE_UNSUPPORTED for another version, a first datagram that
 * is not a QUIC long header, an Initial payload over QUIC_PAYLOAD_MAX or
 * a ClientHello over QUIC_CRYPTO_MAX (then on every later call),
 * PARSE_TRUNCATED when an Initial runs past the end of the datagram,
 * PARSE_MALFORMED when an Initial does not decrypt (AEAD failure), its
 * frames are invalid or the stream does not start with a ClientHello.
 * Memory: about 9.5 KiB per state, nothing allocated per datagram.
 */
struct parse_result quic_client_datagram(struct quic_state *st,
    const uint8_t *dgram, size_t len);

/**
 * After PARSE_OK: the ClientHello handshake message (4-byte header
 * included), owned by st, for tls_client_hello_parse(msg, len, true, ..).
 * NULL before.
 */
const uint8_t *quic_client_hello(const struct quic_state *st,
    size_t *ret_len);

/**
 * Cheap check on the first datagram of a UDP flow: long header with the
 * fixed bit, a supported version, the Initial type, connection IDs of at
 * most 20 bytes and a Length field that fits the datagram.
 */
bool quic_looks_like_initial(const uint8_t *dgram, size_t len);

/**
 * After PARSE_OK: whether quic_client_hello() is a gQUIC CHLO (versions
 * Q043, Q046, Q050) rather than a TLS ClientHello.
 */
bool quic_hello_is_chlo(const struct quic_state *st);

/**
 * The SNI tag of a gQUIC CHLO message into out (NUL-terminated): false
 * when the message is not a CHLO, its entries run past it, or it has no
 * SNI (or an empty one, one with a NUL or one of size bytes or more).
 */
bool quic_chlo_sni(const uint8_t *msg, size_t len, char *out, size_t size);

/** Version of the connection (from its first client Initial), 0 before. */
uint32_t quic_version(const struct quic_state *st);

/** Whether quic_client_datagram() decrypts this version. */
bool quic_version_supported(uint32_t version);

/**
 * Derive the client Initial keys of a version from the client's first
 * Destination Connection ID (RFC 9001 §5.2, RFC 9369 §3.3).
 * Returns 0, -ENOTSUP for another version, -EINVAL for a CID longer than
 * QUIC_CID_MAX.  Allocates nothing.
 */
int quic_initial_keys(const struct quic_ctx *qc, uint32_t version,
    const uint8_t *dcid, size_t dcid_len, struct quic_initial_keys *ret);

#endif
