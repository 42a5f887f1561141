/*
 * parse.h - the result every parser of untrusted bytes returns.
 *
 * TRUNCATED means the bytes ended early because of the capture (snaplen,
 * a lost segment); MALFORMED means the bytes that are there contradict the
 * format.  The two are counted apart, as tcpdump reports them.
 */
#ifndef OUTFLOW_PARSE_H
#define OUTFLOW_PARSE_H

#include <stdint.h>

enum parse_status {
	PARSE_OK = 0,		/* a whole unit was parsed */
	PARSE_NEED_MORE,	/* incomplete: call again with more bytes */
	PARSE_TRUNCATED,	/* input ended early and no more will come */
	PARSE_MALFORMED,	/* the bytes violate the format */
	PARSE_UNSUPPORTED,	/* well-formed but not something we parse */
};

struct parse_result {
	enum parse_status st;
	uint32_t consumed;	/* bytes used, valid with PARSE_OK */
	uint32_t needed;	/* with PARSE_NEED_MORE: total bytes wanted, 0 if unknown */
};

static inline struct parse_result
parse_ok(uint32_t consumed)
{
	struct parse_result r = { PARSE_OK, consumed, 0 };
	return r;
}

static inline struct parse_result
parse_need(uint32_t needed)
{
	struct parse_result r = { PARSE_NEED_MORE, 0, needed };
	return r;
}

static inline struct parse_result
parse_fail(enum parse_status st)
{
	struct parse_result r = { st, 0, 0 };
	return r;
}

/** Short name of a status, for counters and logs. */
const char *parse_status_name(enum parse_status st);

#endif
