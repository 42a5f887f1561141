/*
 * tls.h - TLS handshake parser (RFC 8446, RFC 5246): ClientHello,
 * ServerHello, and for TLS <= 1.2 the server certificate (OpenSSL).
 *
 * Over TCP the input is the reassembled record-layer stream; handshake
 * messages may span several records and one record may carry several
 * messages.  Over QUIC the input is the CRYPTO stream, which carries
 * handshake messages without records.
 *
 * Nothing here allocates while parsing a ClientHello: a message that
 * sits in one record is parsed in place, one that spans records is
 * copied into a TLS_HS_MAX byte buffer on the stack.  Certificate
 * parsing (OpenSSL) allocates, once per flow.
 */
#ifndef OUTFLOW_TLS_H
#define OUTFLOW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define TLS_MAX_LIST 128	/* ciphers, extensions, groups, sigalgs kept */
#define TLS_NAME_MAX 256
#define TLS_RECORD_MAX (16384 + 2048)	/* TLSCiphertext bound, RFC 8446 5.2 */
#define TLS_HS_MAX 65536	/* largest handshake message reassembled */

struct tls_client_hello {
	uint16_t legacy_version;	/* ClientHello.legacy_version */
	uint16_t max_version;		/* highest non-GREASE supported_versions, else legacy */
	char sni[TLS_NAME_MAX];		/* server_name host_name, "" if none */
	bool has_sni_ext;		/* server_name extension present (JA4 'd') */
	bool sni_bad;			/* host_name empty, too long or with a NUL */
	char alpn[TLS_NAME_MAX];	/* protocols joined by ',' ("" if none);
					 * bytes outside 0x21-0x7e shown as '?' */
	char alpn_first[64];		/* first protocol, same display form */
	size_t alpn_first_len;		/* its length on the wire, 0 if none */
	uint8_t alpn_first_edge[2];	/* its first and last raw byte (JA4) */
	uint16_t ciphers[TLS_MAX_LIST];
	size_t n_ciphers;
	uint16_t extensions[TLS_MAX_LIST];	/* in wire order */
	size_t n_extensions;
	uint16_t groups[TLS_MAX_LIST];
	size_t n_groups;
	uint8_t point_formats[16];
	size_t n_point_formats;
	uint16_t sig_algs[TLS_MAX_LIST];
	size_t n_sig_algs;
	uint16_t versions[16];		/* supported_versions, wire order */
	size_t n_versions;
	bool lists_cut;			/* some list was longer than kept */
	char ja3[33];			/* MD5 hex of the JA3 string */
	char ja4[40];			/* JA4 (t or q prefix) */
};

struct tls_server_hello {
	uint16_t legacy_version;	/* ServerHello.legacy_version */
	uint16_t version;		/* negotiated: supported_versions or legacy */
	uint16_t cipher;
	char alpn[64];			/* selected protocol, display form as above */
	bool seen_hello;		/* a ServerHello (not an HRR) was parsed */
	bool hello_retry;		/* a HelloRetryRequest was seen */
	bool have_cert;
	char cert_subject[TLS_NAME_MAX];	/* RFC 2253 one-line form */
	char cert_issuer[TLS_NAME_MAX];
	char cert_org[TLS_NAME_MAX];		/* subject O= */
	char cert_cn[TLS_NAME_MAX];		/* subject CN= */
	bool done;			/* nothing more to learn from this direction */
};

struct tls_ctx;

/**
 * Parse a ClientHello from a TCP record-layer stream starting at the
 * first record.  PARSE_NEED_MORE (needed = a lower bound on the total
 * stream length, 0 if unknown) until the whole message is there;
 * PARSE_MALFORMED when the bytes are not a TLS handshake stream;
 * PARSE_UNSUPPORTED for a message longer than TLS_HS_MAX.  On PARSE_OK,
 * consumed is the stream offset just past the ClientHello.  ret is
 * filled in place and means something only on PARSE_OK.
 */
struct parse_result tls_client_hello_from_records(struct tls_ctx *tc,
    const uint8_t *buf, size_t len, struct tls_client_hello *ret);

/**
 * Parse one ClientHello handshake message (4-byte handshake header
 * included), fill every field and the JA3/JA4 fingerprints.  quic selects
 * the JA4 'q' prefix.  PARSE_NEED_MORE with needed = 4 + message length
 * when len is short of it.  ret is written only on PARSE_OK.  tc's memo
 * answers for fingerprints of hellos seen before; NULL computes them.
 */
struct parse_result tls_client_hello_parse(struct tls_ctx *tc,
    const uint8_t *msg, size_t len, bool quic, struct tls_client_hello *ret);

/*
 * What a pipeline's TLS parsing keeps between flows: the certificate
 * decoder, the names of certificates already decoded and the fingerprint
 * memo.  One per thread.
 */

/** A context, or NULL when out of memory. */
struct tls_ctx *tls_ctx_new(void);

/** Free tc (NULL is fine).  Returns NULL. */
struct tls_ctx *tls_ctx_free(struct tls_ctx *tc);

/**
 * Parse the server's record stream from its first record: ServerHello
 * (a HelloRetryRequest is noted and skipped), then when the version is
 * <= TLS 1.2 the first certificate of the Certificate message.
 * PARSE_OK once ret->done; PARSE_NEED_MORE before that, in which case ret
 * holds what was learnt so far (call again with the longer stream).
 * PARSE_MALFORMED for bytes that are not a server handshake stream.  ret
 * is reset first and filled in place, whatever the result.
 */
struct parse_result tls_server_from_records(struct tls_ctx *tc,
    const uint8_t *buf, size_t len, struct tls_server_hello *ret);

/** "TLSv1.3" style name, "unknown" for other values. */
const char *tls_version_name(uint16_t v);
/** ECS tls.version value: "1.0".."1.3", "ssl3.0", or NULL if unknown. */
const char *tls_version_ecs(uint16_t v);
/**
 * Whether buf starts like a TLS handshake record: content type 22,
 * version 3.x, a plausible length and (when present) a ClientHello or
 * ServerHello type.  Needs at least the 5-byte record header.
 */
bool tls_looks_like_handshake(const uint8_t *buf, size_t len);

#endif
