/*
 * syslog_out.h - the event stream sent to a syslog collector: each event
 * as one RFC 5424 message, over UDP (RFC 5426, a datagram per message)
 * or TCP (RFC 6587, octet-counting framing).
 *
 * It is an event sink (eve.h): eve builds the JSON, this module frames
 * and sends it.  Sending never blocks the capture loop: UDP datagrams go
 * out at once or are lost; TCP messages wait in a bounded queue while the
 * collector is slow or away, and the connection is made again with a
 * growing delay.  Every event that does not reach the collector whole is
 * counted as lost.
 */
#ifndef OUTFLOW_SYSLOG_OUT_H
#define OUTFLOW_SYSLOG_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eve.h"

enum syslog_transport { SYSLOG_UDP, SYSLOG_TCP };

/* Where messages go, as "udp://HOST[:PORT]" or "tcp://HOST[:PORT]". */
struct syslog_target {
	enum syslog_transport transport;
	char host[256];			/* a name, or an address ([] taken off) */
	char port[6];			/* 514 (UDP) and 601 (TCP) by default */
};

/* The facility unless told otherwise: local0 (16). */
#define SYSLOG_DEFAULT_FACILITY 16
/* UDP: a message longer than this is cut (and counted lost). */
#define SYSLOG_DEFAULT_MAX_MESSAGE 8192
#define SYSLOG_MIN_MESSAGE 480		/* RFC 5426 section 3.2 */
#define SYSLOG_MAX_MESSAGE 65507	/* the largest IPv4 UDP payload */
/* TCP: bytes of framed messages held while the collector is away. */
#define SYSLOG_DEFAULT_QUEUE_KIB 4096

/**
 * Parse a target.  0 and *ret, or -EINVAL with err saying what is wrong.
 */
int syslog_target_parse(const char *s, struct syslog_target *ret, char *err,
    size_t errlen);

/** A facility's code for its name (kern, user, ..., local0..local7), or -1. */
int syslog_facility_parse(const char *name);
/** The facility names, for messages: "kern, user, ..., local7". */
extern const char syslog_facility_names[];

/* What RFC 5424's header (section 6) says about one message. */
struct syslog_header {
	int facility;			/* 0..23 */
	int severity;			/* 0..7 */
	uint64_t ts_us;			/* TIMESTAMP, UTC */
	const char *hostname;		/* NULL or unusable: "-" */
	const char *app_name;
	unsigned long procid;
	const char *msgid;		/* NULL or unusable: "-" */
};

/* Room enough for any header syslog_header_format() writes. */
#define SYSLOG_HEADER_MAX 384

/**
 * "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - " (no structured
 * data; the message follows) into buf (SYSLOG_HEADER_MAX bytes).  Fields
 * that are not printable US-ASCII of their RFC length are "-".  Returns
 * the length.
 */
size_t syslog_header_format(char *buf, const struct syslog_header *h);

/**
 * The longest prefix of s[0..len) no longer than max that does not end
 * inside a UTF-8 sequence.
 */
size_t syslog_utf8_cut(const char *s, size_t len, size_t max);

/** RFC 6587 octet counting: "MSG-LEN " into buf (24 bytes); its length. */
size_t syslog_frame_prefix(char *buf, size_t msg_len);

struct syslog_out_options {
	struct syslog_target target;
	int facility;
	const char *hostname;		/* HOSTNAME; copied */
	size_t max_message;		/* UDP: longest message sent */
	size_t queue_bytes;		/* TCP: framed bytes held at most */
};

struct syslog_out;

/**
 * Resolve the target and open the socket (a TCP connection is made
 * later, without waiting).  0 and *ret, or a negative errno with err
 * saying why.
 */
int syslog_out_open(const struct syslog_out_options *o,
    struct syslog_out **ret, char *err, size_t errlen);

/* Counters of one syslog output. */
struct syslog_out_counts {
	uint64_t sent;			/* whole messages handed to the kernel */
	uint64_t lost;			/* queue full, send failed, cut (UDP) */
	uint64_t cut;			/* of lost: sent cut to max_message */
	uint64_t connects;		/* TCP connections made */
};
void syslog_out_counts(const struct syslog_out *s,
    struct syslog_out_counts *ret);

/** The sink operations (eve_open_sink()); the context is a syslog_out. */
extern const struct eve_sink_ops syslog_sink_ops;

#endif
