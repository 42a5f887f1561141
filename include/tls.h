/*
 * tls.h - TLS handshake parser (RFC 8446, RFC 5246): ClientHello,
 * ServerHello, and for TLS <= 1.2 the server certificate (OpenSSL).
 *
 * Over TCP the input is the reassembled record-layer stream; handshake
 * messages may span several records and one record may carry several
 * messages.  Over QUIC the input is the CRYPTO stream, which carries
 * handshake messages without records.
 */
#ifndef OUTFLOW_TLS_H
#define OUTFLOW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define TLS_MAX_LIST 128	/* ciphers, extensions, groups, sigalgs kept */
#define TLS_NAME_MAX 256

struct tls_client_hello {
	uint16_t legacy_version;	/* ClientHello.legacy_version */
	uint16_t max_version;		/* highest non-GREASE supported_versions, else legacy */
	char sni[TLS_NAME_MAX];		/* server_name host_name, "" if none */
	char alpn[TLS_NAME_MAX];	/* protocols joined by ',' ("" if none) */
	char alpn_first[64];
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
	uint16_t version;		/* negotiated: supported_versions or legacy */
	uint16_t cipher;
	char alpn[64];
	bool have_cert;
	char cert_subject[TLS_NAME_MAX];	/* RFC 2253 one-line form */
	char cert_issuer[TLS_NAME_MAX];
	char cert_org[TLS_NAME_MAX];		/* subject O= */
	char cert_cn[TLS_NAME_MAX];		/* subject CN= */
	bool done;			/* nothing more to learn from this direction */
};

/**
 * Parse a ClientHello from a TCP record-layer stream starting at the
 * first record.  PARSE_NEED_MORE until the whole message is there.
 */
struct parse_result tls_client_hello_from_records(const uint8_t *buf,
    size_t len, struct tls_client_hello *ret);

/**
 * Parse one ClientHello handshake message (4-byte handshake header
 * included).  quic selects the JA4 'q' prefix.
 */
struct parse_result tls_client_hello_parse(const uint8_t *msg, size_t len,
    bool quic, struct tls_client_hello *ret);

/**
 * Parse the server's record stream: ServerHello, then the Certificate
 * when the version is <= TLS 1.2.  PARSE_OK once ret->done.
 */
struct parse_result tls_server_from_records(const uint8_t *buf, size_t len,
    struct tls_server_hello *ret);

/** "TLSv1.3" style name (ECS tls.version is "1.3", see tls_version_ecs). */
const char *tls_version_name(uint16_t v);
/** ECS tls.version value: "1.0".."1.3", "ssl3.0", or NULL if unknown. */
const char *tls_version_ecs(uint16_t v);
/** Whether buf starts like a TLS handshake record. */
bool tls_looks_like_handshake(const uint8_t *buf, size_t len);

#endif
