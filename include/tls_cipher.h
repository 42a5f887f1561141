/*
 * tls_cipher.h - the IANA registry name of a TLS cipher suite
 * ("TLS_AES_128_GCM_SHA256" for 0x1301), what ECS's tls.cipher holds.
 */
#ifndef OUTFLOW_TLS_CIPHER_H
#define OUTFLOW_TLS_CIPHER_H

#include <stdint.h>

/** The suite's name (static storage), or NULL when it is not known. */
const char *tls_cipher_name(uint16_t code);

#endif
