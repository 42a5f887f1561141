/*
 * fuzz_quic.c - QUIC client Initial decryption and CRYPTO reassembly.
 *
 * Byte 0 picks the mode.  Even: the rest is datagrams, each a 2-byte
 * big-endian length and its bytes, fed in order to one quic_state.  Odd:
 * the rest is plaintext Initial payloads, each a flags byte, a 2-byte
 * length and the frames, which are sealed with quic_build_initial() first
 * so that mutations reach the frame walker and the reassembly behind
 * the AEAD.  A finished ClientHello goes on to tls_client_hello_parse().
 */
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "quic.h"
#include "quic_build.h"
#include "tls.h"

#define FUZZ_MAX_DGRAMS	16	/* datagrams fed per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_dcid[] = {
	0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08
};
/* Every salt and CRYPTO frame type the decryptor knows. */
static const uint32_t fuzz_versions[] = {
	QUIC_VERSION_1, QUIC_VERSION_2, QUIC_VERSION_DRAFT29, QUIC_VERSION_T050,
	QUIC_VERSION_DRAFT(22), QUIC_VERSION_DRAFT(23), QUIC_VERSION_Q050,
	QUIC_VERSION_DRAFT(25), QUIC_VERSION_DRAFT27, QUIC_VERSION_DRAFT28,
	QUIC_VERSION_DRAFT(30), QUIC_VERSION_DRAFT(32), QUIC_VERSION_MVFST22,
	QUIC_VERSION_MVFST27, QUIC_VERSION_MVFST_EXP, QUIC_VERSION_T051,
};

static void
hello_check(const struct quic_state *st)
{
	struct tls_client_hello ch;
	const uint8_t *msg;
	size_t len = 0;

	if ((msg = quic_client_hello(st, &len)) == NULL || len < 4 ||
	    len > QUIC_CRYPTO_MAX)
		__builtin_trap();
	if (quic_hello_is_chlo(st)) {
		char sni[TLS_NAME_MAX];

		if (quic_chlo_sni(msg, len, sni, sizeof(sni)) &&
		    (sni[0] == '\0' || strlen(sni) >= sizeof(sni)))
			__builtin_trap();
		return;
	}
	(void)tls_client_hello_parse(NULL, msg, len, true, &ch);
}

/*
 * Flags: bits 0-1 and 6-7 version, bits 2-3 packet number length - 1,
 * bit 4 a header DCID other than the key DCID, bit 5 padding to 1200
 * bytes.
 */
static size_t
seal(struct quic_ctx *qc, uint8_t flags, uint64_t pn, const uint8_t *frames,
    size_t len, uint8_t *out, size_t size)
{
	static const uint8_t other_dcid[] = { 0xf0, 0x67, 0xa5, 0x50 };
	struct quic_build b = {
		.version = fuzz_versions[(flags & 0x03) | (flags & 0xc0) >> 4],
		.dcid = fuzz_dcid, .dcid_len = sizeof(fuzz_dcid),
		.key_dcid = fuzz_dcid, .key_dcid_len = sizeof(fuzz_dcid),
		.pn = pn, .pn_len = (size_t)((flags >> 2) & 0x03) + 1,
		.pad_to = (flags & 0x20) ? 1200 : 0,
	};
	size_t out_len = 0;

	if (flags & 0x10) {
		b.dcid = other_dcid;
		b.dcid_len = sizeof(other_dcid);
	}
	if (quic_build_initial(qc, &b, frames, len, out, size, &out_len) != 0)
		return 0;
	return out_len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[QUIC_PAYLOAD_MAX + 256];
	struct cur c = cur_make(data, size);
	struct quic_ctx *qc;
	struct quic_state *st;
	struct parse_result r;
	struct cur item;
	uint8_t mode, flags = 0;
	uint16_t len;
	const uint8_t *p;
	size_t n;

	if (!cur_u8(&c, &mode))
		return 0;
	/* A context per input, so no input depends on the ones before. */
	if ((qc = quic_ctx_new()) == NULL)
		return 0;
	if ((st = quic_state_new(qc)) == NULL) {
		quic_ctx_free(qc);
		return 0;
	}
	for (int i = 0; i < FUZZ_MAX_DGRAMS; i++) {
		if ((mode & 1) && !cur_u8(&c, &flags))
			break;
		if (!cur_be16(&c, &len))
			break;
		if (!cur_sub(&c, len, &item)) {
			item = c;	/* the last one takes what is left */
			c = cur_make(NULL, 0);
		}
		n = cur_left(&item);
		if (!cur_ptr(&item, n, &p))
			break;
		if (mode & 1) {
			n = seal(qc, flags, (uint64_t)i, p, n, pkt,
			    sizeof(pkt));
			if (n == 0)
				continue;
			p = pkt;
		} else {
			(void)quic_looks_like_initial(p, n);
		}
		r = quic_client_datagram(st, p, n);
		if (r.st == PARSE_OK)
			hello_check(st);
		else if (quic_client_hello(st, &n) != NULL)
			__builtin_trap();	/* a hello only with PARSE_OK */
	}
	(void)quic_version(st);
	quic_state_free(st);
	quic_ctx_free(qc);
	return 0;
}
