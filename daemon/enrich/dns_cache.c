/*
 * dns_cache.c - per-client (client, address) -> queried name cache.
 *
 * Layout: one preallocated array of entries.  A bucket array (twice the
 * capacity, a power of two) holds the index of the first entry of each
 * hash chain; entries link to the next entry of their chain, and all live
 * entries sit on one doubly linked LRU list (most recent at the head).
 * Free entries are kept on a singly linked list through chain_next.
 * Links are 32-bit indices, so an entry costs 128 bytes in all: names up
 * to DNS_CACHE_INLINE - 1 characters (nearly all) sit in the entry, and
 * only longer ones are allocated, exactly sized.
 *
 * A lookup hashes the key once and walks one chain; with at most half the
 * buckets used, chains average close to one entry.  The hash is keyed
 * per run (hash.h), so answers crafted to collide in one run do not
 * collide in another.
 *
 * Invariants: entries == fresh - length of the free list; every live
 * entry is on exactly one chain and on the LRU list; addresses in keys are
 * normalised (unused bytes zero) so keys compare with memcmp.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"
#include "hash.h"

#define NIL UINT32_MAX

struct dns_cache_ent {
	struct addr client;
	struct addr addr;
	uint64_t expires_us;	/* packet time at which the entry dies */
	uint32_t hash;
	uint32_t chain_next;	/* next on the hash chain, or on the free list */
	uint32_t lru_prev, lru_next;
	char *long_name;	/* set when the name does not fit inline */
	char name[DNS_CACHE_INLINE];
};

_Static_assert(sizeof(struct dns_cache_ent) == 128,
    "dns_cache.h documents 128 bytes per entry");

struct dns_cache {
	struct dns_cache_ent *ents;
	uint32_t *buckets;
	uint32_t mask;		/* buckets - 1 */
	uint32_t capacity;
	uint32_t entries;
	uint32_t free_head;
	uint32_t fresh;		/* entries [fresh, capacity) never used */
	uint32_t lru_head, lru_tail;
	struct dns_cache_stats st;
};

struct dns_cache *
dns_cache_new(uint32_t max_entries)
{
	struct dns_cache *c = NULL;
	uint64_t nb = 1;

	if (max_entries == 0 || max_entries > DNS_CACHE_MAX_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < 2 * (uint64_t)max_entries)
		nb <<= 1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	/* calloc'd pages are touched only as entries are first used. */
	c->ents = calloc(max_entries, sizeof(*c->ents));
	c->buckets = malloc(nb * sizeof(*c->buckets));
	if (c->ents == NULL || c->buckets == NULL)
		goto out;
	for (uint64_t i = 0; i < nb; i++)
		c->buckets[i] = NIL;
	c->mask = (uint32_t)(nb - 1);
	c->capacity = max_entries;
	c->free_head = NIL;
	c->lru_head = c->lru_tail = NIL;
	c->st.capacity = max_entries;
	return c;
out:
	dns_cache_free(c);
	errno = ENOMEM;
	return NULL;
}

struct dns_cache *
dns_cache_free(struct dns_cache *c)
{
	if (c == NULL)
		return NULL;
	for (uint32_t i = 0; c->ents != NULL && i < c->fresh; i++)
		free(c->ents[i].long_name);
	free(c->ents);
	free(c->buckets);
	free(c);
	return NULL;
}

/* Copy an address with every byte the family does not use set to zero. */
static void
key_norm(struct addr *dst, const struct addr *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->family = src->family;
	memcpy(dst->a, src->a, src->family == 6 ? 16 : 4);
}

/* Both addresses normalised, so their whole structs are the key. */
static uint32_t
key_hash(const struct addr *client, const struct addr *addr)
{
	struct addr k[2] = { *client, *addr };

	return (uint32_t)hash_bytes(k, sizeof(k));
}

static void
lru_unlink(struct dns_cache *c, uint32_t i)
{
	struct dns_cache_ent *e = &c->ents[i];

	if (e->lru_prev != NIL)
		c->ents[e->lru_prev].lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next != NIL)
		c->ents[e->lru_next].lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
}

static void
lru_push(struct dns_cache *c, uint32_t i)
{
	struct dns_cache_ent *e = &c->ents[i];

	e->lru_prev = NIL;
	e->lru_next = c->lru_head;
	if (c->lru_head != NIL)
		c->ents[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail == NIL)
		c->lru_tail = i;
}

/*
 * Find (client, addr) in its chain.  Returns the entry index or NIL and,
 * in *ret_link, the link that points at it (or the chain's end), so the
 * caller can unlink without a second walk.
 */
static uint32_t
chain_find(struct dns_cache *c, uint32_t h, const struct addr *client,
    const struct addr *addr, uint32_t **ret_link)
{
	uint32_t *link = &c->buckets[h & c->mask];

	/* Bound: a chain holds at most capacity entries. */
	while (*link != NIL) {
		struct dns_cache_ent *e = &c->ents[*link];

		if (e->hash == h && addr_eq(&e->addr, addr) &&
		    addr_eq(&e->client, client))
			break;
		link = &e->chain_next;
	}
	*ret_link = link;
	return *link;
}

/* Take entry i off its chain and the LRU list and free it. */
static void
ent_drop(struct dns_cache *c, uint32_t i, uint32_t *link)
{
	struct dns_cache_ent *e = &c->ents[i];

	*link = e->chain_next;
	lru_unlink(c, i);
	free(e->long_name);
	e->long_name = NULL;
	e->chain_next = c->free_head;
	c->free_head = i;
	c->entries--;
}

/* Drop the least recently used entry to make room. */
static void
evict_one(struct dns_cache *c, uint64_t now_us)
{
	uint32_t i = c->lru_tail, *link;
	struct dns_cache_ent *e = &c->ents[i];

	link = &c->buckets[e->hash & c->mask];
	/* Bound: the entry is on this chain, at most capacity long. */
	while (*link != i)
		link = &c->ents[*link].chain_next;
	if (e->expires_us <= now_us)
		c->st.expired++;
	else
		c->st.evictions++;
	ent_drop(c, i, link);
}

/*
 * Store name; if it is longer than DNS_CACHE_NAME_MAX keep the trailing
 * labels that fit (cutting at an unescaped '.'), since app rules match
 * domain suffixes.
 */
static void
name_store(struct dns_cache *c, struct dns_cache_ent *e, const char *name)
{
	size_t len = strlen(name), from = 0;

	if (len > DNS_CACHE_NAME_MAX) {
		c->st.truncated++;
		from = len - DNS_CACHE_NAME_MAX;
		/* Bound: one pass over the name. */
		for (size_t i = 0; i < len; i++) {
			if (name[i] == '\\') {
				/* "\." and "\\" are inside a label; \DDD's
				 * digits are never '.' or '\'. */
				i++;
				continue;
			}
			if (name[i] == '.' && len - (i + 1) <= DNS_CACHE_NAME_MAX) {
				from = i + 1;
				break;
			}
		}
	}
	len -= from;
	free(e->long_name);
	e->long_name = NULL;
	/* Out of memory for a long name: keep its trailing labels inline. */
	if (len >= DNS_CACHE_INLINE &&
	    (e->long_name = malloc(len + 1)) != NULL) {
		memcpy(e->long_name, name + from, len);
		e->long_name[len] = '\0';
		e->name[0] = '\0';
		return;
	}
	if (len >= DNS_CACHE_INLINE) {
		c->st.truncated++;
		from += len - (DNS_CACHE_INLINE - 1);
		len = DNS_CACHE_INLINE - 1;
		for (size_t i = from; i < from + len; i++)
			if (name[i] == '.' && name[i - 1] != '\\') {
				len -= i + 1 - from;
				from = i + 1;
				break;
			}
	}
	memcpy(e->name, name + from, len);
	e->name[len] = '\0';
}

static uint64_t
expiry(uint32_t ttl, uint64_t now_us)
{
	uint64_t d;

	if (ttl < DNS_CACHE_TTL_MIN)
		ttl = DNS_CACHE_TTL_MIN;
	if (ttl > DNS_CACHE_TTL_MAX)
		ttl = DNS_CACHE_TTL_MAX;
	d = (uint64_t)ttl * 1000000u;
	return now_us > UINT64_MAX - d ? UINT64_MAX : now_us + d;
}

void
dns_cache_put(struct dns_cache *c, const struct addr *client,
    const struct addr *addr, const char *name, uint32_t ttl, uint64_t now_us)
{
	struct addr kc, ka;
	struct dns_cache_ent *e;
	uint32_t h, i, *link;

	key_norm(&kc, client);
	key_norm(&ka, addr);
	h = key_hash(&kc, &ka);
	i = chain_find(c, h, &kc, &ka, &link);
	if (i != NIL) {
		e = &c->ents[i];
		c->st.updates++;
		lru_unlink(c, i);
	} else {
		if (c->free_head == NIL && c->fresh < c->capacity) {
			i = c->fresh++;
			e = &c->ents[i];
		} else {
			if (c->free_head == NIL) {
				evict_one(c, now_us);
				/* The eviction may have unlinked the entry our
				 * link pointed past: find the chain's end
				 * again. */
				chain_find(c, h, &kc, &ka, &link);
			}
			i = c->free_head;
			e = &c->ents[i];
			c->free_head = e->chain_next;
		}
		e->client = kc;
		e->addr = ka;
		e->hash = h;
		e->chain_next = NIL;
		*link = i;
		c->entries++;
		c->st.inserts++;
	}
	e->expires_us = expiry(ttl, now_us);
	name_store(c, e, name);
	lru_push(c, i);
}

bool
dns_cache_get(struct dns_cache *c, const struct addr *client,
    const struct addr *addr, uint64_t now_us, char *ret_name, size_t size)
{
	struct addr kc, ka;
	struct dns_cache_ent *e;
	uint32_t h, i, *link;
	size_t n;

	key_norm(&kc, client);
	key_norm(&ka, addr);
	h = key_hash(&kc, &ka);
	i = chain_find(c, h, &kc, &ka, &link);
	if (i == NIL) {
		c->st.misses++;
		return false;
	}
	e = &c->ents[i];
	if (e->expires_us <= now_us) {
		c->st.expired++;
		c->st.misses++;
		ent_drop(c, i, link);
		return false;
	}
	if (size > 0) {
		const char *name = e->long_name != NULL ? e->long_name : e->name;

		n = strlen(name);
		if (n >= size)
			n = size - 1;
		memcpy(ret_name, name, n);
		ret_name[n] = '\0';
	}
	lru_unlink(c, i);
	lru_push(c, i);
	c->st.hits++;
	return true;
}

void
dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *ret)
{
	*ret = c->st;
	ret->entries = c->entries;
	ret->capacity = c->capacity;
}
