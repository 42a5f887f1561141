/*
 * json.h - a small JSON writer into a growable buffer.
 *
 * Strings from the network are written safely: quote, backslash and
 * control bytes are escaped, and bytes that are not valid UTF-8 are
 * written as the text \xNN (as Zeek does) so nothing is lost and the
 * output is always valid UTF-8 JSON.  The buffer grows only when an
 * event is larger than any before it, so steady state does not allocate.
 */
#ifndef OUTFLOW_JSON_H
#define OUTFLOW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JW_MAX_DEPTH 16

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	unsigned depth;
	bool need_comma[JW_MAX_DEPTH];
	bool oom;		/* an allocation failed: output is incomplete */
	bool time_valid;	/* time_secs and time_text hold a result */
	uint64_t time_secs;	/* the last second jw_time formatted */
	char time_text[24];	/* its "YYYY-MM-DDTHH:MM:SS" */
	size_t time_len;
};

/**
 * Members written ahead of time: frag is one or more `"key":value` members
 * (valid JSON, as this writer made them) added at the current level.
 * jw_raw_open's fragment leaves one object open (`"key":{...` without the
 * closing brace); members follow it and jw_obj_end closes it.  For parts
 * of every event that never change, built once.
 */
void jw_raw(struct jw *w, const char *frag, size_t len);
void jw_raw_open(struct jw *w, const char *frag, size_t len);

/** Initialise with an initial capacity; 0 or -ENOMEM. */
int jw_init(struct jw *w, size_t cap);
/** Empty the buffer for the next document, keeping its memory. */
void jw_reset(struct jw *w);
/**
 * Start another document after those already in the buffer (JSON lines
 * written in batches): nesting starts again, the text is kept.
 */
void jw_next(struct jw *w);
/**
 * Cut the buffer back to len bytes (an offset noted earlier from w->len),
 * dropping a document that could not be completed, and clear oom.
 */
void jw_truncate(struct jw *w, size_t len);
void jw_free(struct jw *w);

/*
 * key is NULL at the top level and inside arrays.  Keys are written as
 * they are, without escaping: pass names made of letters, digits and
 * "_.@-" (ECS field names, counter names), never text from the network.
 * The inline wrappers measure literal keys at compile time.
 */
void jw_obj_begin_k(struct jw *w, const char *key, size_t klen);
void jw_arr_begin_k(struct jw *w, const char *key, size_t klen);
void jw_str_k(struct jw *w, const char *key, size_t klen, const char *val);
void jw_strn_k(struct jw *w, const char *key, size_t klen, const char *val,
    size_t len);
/*
 * A string value copied as it is, without escaping: only text this
 * program made from its own tables and digits (addresses, hashes it
 * computed, names of enum values), which holds nothing but printable
 * ASCII other than quote and backslash.  Never text from the network or
 * from a loaded file: that goes through jw_str/jw_strn.
 */
void jw_plain_k(struct jw *w, const char *key, size_t klen, const char *val,
    size_t len);
void jw_u64_k(struct jw *w, const char *key, size_t klen, uint64_t v);
/* v in decimal inside quotes ("17"): ECS keeps some numbers as keywords. */
void jw_u64_str_k(struct jw *w, const char *key, size_t klen, uint64_t v);
void jw_i64_k(struct jw *w, const char *key, size_t klen, int64_t v);
void jw_double_k(struct jw *w, const char *key, size_t klen, double v);
void jw_bool_k(struct jw *w, const char *key, size_t klen, bool v);
void jw_time_k(struct jw *w, const char *key, size_t klen, uint64_t ts_us);
void jw_obj_end(struct jw *w);
void jw_arr_end(struct jw *w);

static inline size_t
jw_klen(const char *key)
{
	return key != NULL ? strlen(key) : 0;
}

static inline void
jw_obj_begin(struct jw *w, const char *key)
{
	jw_obj_begin_k(w, key, jw_klen(key));
}

static inline void
jw_arr_begin(struct jw *w, const char *key)
{
	jw_arr_begin_k(w, key, jw_klen(key));
}

/**
 * String value; nothing is written when val is NULL.  Measured here, so
 * a literal's length is known at compile time.
 */
static inline void
jw_str(struct jw *w, const char *key, const char *val)
{
	if (val != NULL)
		jw_strn_k(w, key, jw_klen(key), val, strlen(val));
}

static inline void
jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	jw_strn_k(w, key, jw_klen(key), val, len);
}

/** See jw_plain_k(); nothing is written when val is NULL. */
static inline void
jw_plain(struct jw *w, const char *key, const char *val)
{
	if (val != NULL)
		jw_plain_k(w, key, jw_klen(key), val, strlen(val));
}

static inline void
jw_plainn(struct jw *w, const char *key, const char *val, size_t len)
{
	jw_plain_k(w, key, jw_klen(key), val, len);
}

static inline void
jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_u64_k(w, key, jw_klen(key), v);
}

static inline void
jw_u64_str(struct jw *w, const char *key, uint64_t v)
{
	jw_u64_str_k(w, key, jw_klen(key), v);
}

static inline void
jw_i64(struct jw *w, const char *key, int64_t v)
{
	jw_i64_k(w, key, jw_klen(key), v);
}

static inline void
jw_double(struct jw *w, const char *key, double v)
{
	jw_double_k(w, key, jw_klen(key), v);
}

static inline void
jw_bool(struct jw *w, const char *key, bool v)
{
	jw_bool_k(w, key, jw_klen(key), v);
}

/** ISO 8601 UTC timestamp with microseconds from packet time. */
static inline void
jw_time(struct jw *w, const char *key, uint64_t ts_us)
{
	jw_time_k(w, key, jw_klen(key), ts_us);
}

/** End a JSON-lines record. */
void jw_newline(struct jw *w);

/** Append s with JSON string escaping (no quotes) to w; used by writers. */
void jw_escape(struct jw *w, const char *s, size_t len);

#endif
