/*
 * fuzz_tls.c - TLS handshake parsers on arbitrary bytes.
 *
 * The same input is offered as a client record stream, as a bare
 * ClientHello message (TCP and QUIC flavours), and as a server record
 * stream; then re-framed into 3-byte records so the cross-record
 * reassembly path sees the same bytes.  Every result is checked against
 * the API's promises: statuses, consumed/needed bounds, NUL-terminated
 * strings, list counts within their arrays, fingerprints well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "tls_fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_str(const char *s, size_t size)
{
	check(memchr(s, '\0', size) != NULL);
}

static void
check_result(struct parse_result r, size_t size)
{
	check(r.st <= PARSE_UNSUPPORTED);
	if (r.st == PARSE_OK)
		check(r.consumed <= size);
	else
		check(r.consumed == 0);
	if (r.st == PARSE_NEED_MORE)
		check(r.needed == 0 || r.needed > size);
}

static void
check_client(const struct tls_client_hello *ch, bool quic)
{
	char raw[8192];

	check_str(ch->sni, sizeof(ch->sni));
	check_str(ch->alpn, sizeof(ch->alpn));
	check_str(ch->alpn_first, sizeof(ch->alpn_first));
	check(!ch->sni_bad || ch->sni[0] == '\0');
	check(ch->n_ciphers <= TLS_MAX_LIST);
	check(ch->n_extensions <= TLS_MAX_LIST);
	check(ch->n_groups <= TLS_MAX_LIST);
	check(ch->n_sig_algs <= TLS_MAX_LIST);
	check(ch->n_point_formats <= sizeof(ch->point_formats));
	check(ch->n_versions <= sizeof(ch->versions) / sizeof(ch->versions[0]));
	check(strlen(ch->ja3) == 32);
	check(strlen(ch->ja4) == 36);
	check(ch->ja4[0] == (quic ? 'q' : 't'));
	check(ch->ja4[10] == '_' && ch->ja4[23] == '_');
	check(tls_ja4_raw(ch, quic, raw, sizeof(raw)) > 0);
	check(memcmp(raw, ch->ja4, 10) == 0);
	check(tls_ja3_string(ch, raw, sizeof(raw)) > 0);
}

static void
check_server(const struct tls_server_hello *sh)
{
	check_str(sh->alpn, sizeof(sh->alpn));
	check_str(sh->cert_subject, sizeof(sh->cert_subject));
	check_str(sh->cert_issuer, sizeof(sh->cert_issuer));
	check_str(sh->cert_org, sizeof(sh->cert_org));
	check_str(sh->cert_cn, sizeof(sh->cert_cn));
	check(!sh->have_cert || sh->seen_hello);
}

static void
run(const uint8_t *data, size_t size)
{
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	struct tls_ctx *tc;
	struct parse_result r;

	/* No fingerprint memo, for the same reason as the context below. */
	r = tls_client_hello_from_records(NULL, data, size, &ch);
	check_result(r, size);
	if (r.st == PARSE_OK) {
		check(r.consumed >= 9);
		check_client(&ch, false);
	}
	for (int quic = 0; quic <= 1; quic++) {
		r = tls_client_hello_parse(NULL, data, size, quic, &ch);
		check_result(r, size);
		if (r.st == PARSE_OK)
			check_client(&ch, quic);
	}
	/* A context per input: a certificate cache kept across inputs
	 * would make a finding depend on the inputs before it. */
	if ((tc = tls_ctx_new()) == NULL)
		return;
	r = tls_server_from_records(tc, data, size, &sh);
	tc = tls_ctx_free(tc);
	check_result(r, size);
	if (r.st == PARSE_OK) {
		check(sh.done);
		check_server(&sh);
	} else if (r.st == PARSE_NEED_MORE) {
		check(!sh.done);
		check_server(&sh);
	}
	(void)tls_looks_like_handshake(data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t split[3 * 65536];
	size_t off = 0, n = 0;

	run(data, size);

	/* The input as handshake bytes, framed in 3-byte records. */
	while (off < size && n + 8 <= sizeof(split)) {
		size_t k = size - off < 3 ? size - off : 3;

		split[n++] = 22;
		split[n++] = 3;
		split[n++] = 1;
		split[n++] = 0;
		split[n++] = (uint8_t)k;
		memcpy(&split[n], &data[off], k);
		n += k;
		off += k;
	}
	run(split, n);
	return 0;
}
