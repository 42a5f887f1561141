/*
 * tls_fp.h - TLS client fingerprints computed from a parsed ClientHello:
 * JA3 (Salesforce) and JA4 (FoxIO).  Digests use OpenSSL EVP.
 */
#ifndef OUTFLOW_TLS_FP_H
#define OUTFLOW_TLS_FP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls.h"

#define TLS_JA3_STR_MAX 4096	/* longest JA3 string for TLS_MAX_LIST lists */

/** Whether v is a GREASE value (RFC 8701: 0x0a0a, 0x1a1a .. 0xfafa). */
static inline bool
tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/**
 * Write the JA3 string ("771,4865-4866,0-23,29-23,0") into buf.  Returns
 * its length, or -ENOSPC when size is too small (buf then holds a
 * truncated, NUL-terminated prefix).
 */
int tls_ja3_string(const struct tls_client_hello *ch, char *buf, size_t size);

/**
 * JA3: MD5 hex of the JA3 string into ret (33 bytes), computed afresh.
 * 0 or -errno.
 */
int tls_ja3(const struct tls_client_hello *ch, char ret[static 33]);

/**
 * Write the raw JA4 form ("t13d1516h2_002f,..._0005,..._0403,...", the
 * spec's JA4_r) into buf.  Returns its length or -ENOSPC.
 */
int tls_ja4_raw(const struct tls_client_hello *ch, bool quic, char *buf,
    size_t size);

/**
 * JA4 into ret (37 bytes used of 40): quic selects the 'q' prefix.
 * Computed afresh.  0 or -errno.
 */
int tls_ja4(const struct tls_client_hello *ch, bool quic, char ret[static 40]);

/*
 * Digests remembered by the lists they come from: about 40 KB, for one
 * thread (a pipeline's TLS context holds one).
 */
struct tls_fp_memo;

/** An empty memo, or NULL when out of memory. */
struct tls_fp_memo *tls_fp_memo_new(void);

/** Free m (NULL is fine).  Returns NULL. */
struct tls_fp_memo *tls_fp_memo_free(struct tls_fp_memo *m);

/**
 * Both, as tls_ja3() and tls_ja4() give them, remembered in m (NULL:
 * computed afresh) by the whole hello's lists and by each digest's own,
 * so a repeated hello costs one lookup.  0 or -errno.
 */
int tls_fingerprints(struct tls_fp_memo *m, const struct tls_client_hello *ch,
    bool quic, char ja3[static 33], char ja4[static 40]);

#endif
