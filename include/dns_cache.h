/*
 * dns_cache.h - per-client map from resolved addresses back to the names
 * the client asked for.
 *
 * When client C resolves name N to address S, a later flow from C to S
 * inherits N.  Keys are (client, address), so two devices that resolve
 * different names to one CDN address each keep their own name.
 *
 * The cache has a fixed capacity set at creation; afterwards only names
 * longer than DNS_CACHE_INLINE - 1 characters (rare) are allocated.  Time
 * is packet time in microseconds, passed in by the caller, so replaying a
 * capture gives what live capture gave.
 *
 * Memory: 128 bytes per entry (both addresses, expiry, hash, links and
 * the inline name; checked at compile time in dns_cache.c), touched only
 * once used, plus 8 to 16 bytes of bucket array (twice the capacity,
 * rounded up to a power of two): 16 384 entries take about 2.3 MB,
 * 100 000 about 14 MB.  Names up to DNS_CACHE_NAME_MAX characters are
 * kept; a longer presentation form (only possible with many \DDD
 * escapes) keeps its trailing labels that fit, because app matching works
 * on suffixes.
 */
#ifndef OUTFLOW_DNS_CACHE_H
#define OUTFLOW_DNS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define DNS_CACHE_NAME_MAX 255		/* chars kept, NUL not counted */
#define DNS_CACHE_INLINE 56		/* bytes of name kept in the entry */
#define DNS_CACHE_TTL_MIN 60		/* seconds, see dns_cache_put() */
#define DNS_CACHE_TTL_MAX 86400
#define DNS_CACHE_MAX_ENTRIES (1u << 24)

struct dns_cache;

struct dns_cache_stats {
	uint64_t inserts;	/* new entries */
	uint64_t updates;	/* puts that replaced an entry for the same key */
	uint64_t evictions;	/* live entries dropped because the cache was full */
	uint64_t expired;	/* entries dropped because their TTL ran out */
	uint64_t hits, misses;
	uint64_t truncated;	/* names stored without some leading labels */
	uint32_t entries, capacity;
};

/**
 * Make a cache for at most max_entries (1 .. DNS_CACHE_MAX_ENTRIES)
 * entries, all memory allocated now.  NULL with errno EINVAL or ENOMEM.
 */
struct dns_cache *dns_cache_new(uint32_t max_entries);

/** Free the cache; accepts NULL; returns NULL. */
struct dns_cache *dns_cache_free(struct dns_cache *c);

/**
 * Remember that client resolved name (the queried name, not the CNAME
 * target) to addr, valid for ttl seconds from now_us (packet time, in
 * microseconds).  Replaces an existing entry for (client, addr).  When
 * the cache is full, the least recently used entry goes (counted as
 * expired if its time was up anyway, as an eviction otherwise).
 *
 * The TTL is clamped to [DNS_CACHE_TTL_MIN, DNS_CACHE_TTL_MAX]: apps keep
 * connections and pooled addresses well past short CDN TTLs (20-60 s is
 * common), and a flow opened a minute after the answer still belongs to
 * the name; beyond a day an address has most likely been reassigned.
 */
void dns_cache_put(struct dns_cache *c, const struct addr *client,
    const struct addr *addr, const char *name, uint32_t ttl, uint64_t now_us);

/**
 * If an unexpired entry for (client, addr) exists at now_us, copy its
 * name into ret_name (size bytes, truncated to fit and always
 * NUL-terminated when size > 0), mark it recently used and return true.
 * An expired entry found on the way is dropped.
 */
bool dns_cache_get(struct dns_cache *c, const struct addr *client,
    const struct addr *addr, uint64_t now_us, char *ret_name, size_t size);

/** Counters and occupancy. */
void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *ret);

#endif
