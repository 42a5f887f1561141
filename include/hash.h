/*
 * hash.h - the one keyed hash and the one open-addressing index map.
 *
 * Every table hashes through here.  Bytes are hashed with SipHash-1-3
 * under a key drawn once per run (hash_seed_init()), so a peer that picks
 * the bytes (certificates, names, addresses) cannot predict which keys
 * share a slot.  Because slots are unpredictable, nothing printed may
 * depend on table order: whoever prints a table sorts it first.
 *
 * The map stores, per slot, a 32-bit hash and the caller's entry index
 * plus one; entries stay in the caller's own array, and the caller
 * compares whole keys while probing (a hash match alone is never a hit).
 */
#ifndef OUTFLOW_HASH_H
#define OUTFLOW_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A SipHash key. */
struct hash_key {
	uint64_t k0, k1;
};

/* The per-run key; all zero until hash_seed_init() or hash_seed_set(). */
extern struct hash_key hash_run_key;

/*
 * Draw the per-run key from getrandom(2).  Returns 0, or -errno if the
 * kernel gave no entropy (the key is then left as it was).
 */
int hash_seed_init(void);

/* Fix the per-run key (tests, and OUTFLOW_HASH_SEED for reproduction). */
void hash_seed_set(uint64_t k0, uint64_t k1);

/* SipHash-2-4 of p[0..n) under k: the reference function, for tests. */
uint64_t hash_sip24(const struct hash_key *k, const void *p, size_t n);

/* SipHash-1-3 of p[0..n) under k. */
uint64_t hash_sip13(const struct hash_key *k, const void *p, size_t n);

/* SipHash-1-3 of p[0..n) under the per-run key: the hash for bytes. */
uint64_t hash_bytes(const void *p, size_t n);

/* hash_bytes() of a NUL-terminated string, without its NUL. */
uint64_t hash_str(const char *s);

/*
 * One step of a keyed multiply-xorshift: h absorbs the word w.  The flow
 * table hashes its fixed-size key words with it, started from the per-run
 * key, because its lookup runs for every packet and SipHash-1-3 over the
 * 44-byte key cost about four times as much; the bucket still depends on
 * the run's key, which is what stops a sender from aiming many flows at
 * one chain.  Elsewhere it only joins hashes that SipHash already keyed
 * (the cells of a summary row, YAML keys, observations).
 */
static inline uint64_t
hash_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/*
 * Hash of a flow key given as its fields: two 16-byte addresses (v4 in
 * the first four bytes, rest zero) and two words of the small fields.
 * Two independent chains, so their multiplies overlap, joined by one more
 * round.  Fields, not memory: the flow lookup hashes a key it has just
 * written, and reading those stores back as wider words would stall on
 * store forwarding.
 */
static inline uint32_t
hash_flow_words(const uint8_t *a, const uint8_t *b, uint64_t w1, uint64_t w2)
{
	uint64_t a0, a1, b0, b1;
	uint64_t h1 = hash_run_key.k0, h2 = hash_run_key.k1;

	__builtin_memcpy(&a0, a, 8);
	__builtin_memcpy(&a1, a + 8, 8);
	__builtin_memcpy(&b0, b, 8);
	__builtin_memcpy(&b1, b + 8, 8);
	h1 = hash_mix(hash_mix(hash_mix(h1, a0), b0), w1);
	h2 = hash_mix(hash_mix(hash_mix(h2, a1), b1), w2);
	return (uint32_t)hash_mix(h1, h2);
}

/*
 * A rolling hash, one byte a step (FNV-1a from a per-run basis), for
 * lookups that hash every suffix or prefix of a name in one pass.  Not
 * resistant to aimed collisions, so only for tables built from the
 * configuration: a peer can only look keys up, never add them, so it
 * cannot grow a probe run.  Finish with hash_roll_final() before masking.
 */
static inline uint32_t
hash_roll_init(void)
{
	return 2166136261u ^ (uint32_t)hash_run_key.k0;
}

static inline uint32_t
hash_roll_step(uint32_t h, uint8_t c)
{
	return (h ^ c) * 16777619u;
}

/* FNV's low bits are weak for short keys: mix before masking. */
static inline uint32_t
hash_roll_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	return h ^ (h >> 15);
}

/*
 * Hash of a 32-bit key (an ASN) for a table built from the configuration,
 * under the same rule as the rolling hash: a peer only looks keys up.
 */
static inline uint32_t
hash_u32(uint32_t x)
{
	return hash_roll_final(x ^ (uint32_t)hash_run_key.k1);
}

/*
 * Open-addressing index map, linear probing, at most half full.
 * slot[i].idx is 0 when empty, else the caller's entry index + 1.
 */
struct hmap_slot {
	uint32_t hash;
	uint32_t idx;
};

struct hmap {
	struct hmap_slot *slot;
	uint32_t mask;		/* slots - 1 */
	uint32_t n;		/* used slots */
};

/* A probe position: where hmap_first()/hmap_next() stopped. */
struct hmap_probe {
	uint32_t i;
	uint32_t hash;
};

/*
 * Make m empty with room for max entries (slots: a power of two at least
 * 2 * max, at least 16).  Returns 0, -EINVAL if max > 2^30, or -ENOMEM.
 */
int hmap_init(struct hmap *m, uint32_t max);

/* Free m's slots; m may be zeroed or already freed. */
void hmap_fini(struct hmap *m);

/* Make m empty, keeping its slots (for re-indexing entries that moved). */
void hmap_clear(struct hmap *m);

/*
 * Make room for n entries, rehashing from the stored hashes (entries do
 * not move).  Returns 0, -EINVAL or -ENOMEM (m unchanged on error).
 */
int hmap_reserve(struct hmap *m, uint32_t n);

/* True if one more entry fits without hmap_reserve(). */
static inline bool
hmap_has_room(const struct hmap *m)
{
	return m->slot != NULL && (m->n + 1) * 2 <= m->mask + 1;
}

/* The candidate at p->i or after it whose stored hash matches; 0 at the
 * first empty slot, where p->i is then left for hmap_insert(). */
static inline uint32_t
hmap_scan_(const struct hmap *m, struct hmap_probe *p)
{
	/* Terminates: the map is at most half full. */
	for (;; p->i = (p->i + 1) & m->mask) {
		const struct hmap_slot *s = &m->slot[p->i];

		if (s->idx == 0)
			return 0;
		if (s->hash == p->hash)
			return s->idx;
	}
}

/*
 * First candidate (entry index + 1) for hash, or 0 if none.  The caller
 * compares the whole key and, if it differs, calls hmap_next().  When 0
 * is returned, p marks the empty slot where the key would go.
 */
static inline uint32_t
hmap_first(const struct hmap *m, uint32_t hash, struct hmap_probe *p)
{
	p->hash = hash;
	if (m->slot == NULL) {
		p->i = 0;
		return 0;
	}
	p->i = hash & m->mask;
	return hmap_scan_(m, p);
}

/* Next candidate after the one at p, or 0 (see hmap_first()). */
static inline uint32_t
hmap_next(const struct hmap *m, struct hmap_probe *p)
{
	p->i = (p->i + 1) & m->mask;
	return hmap_scan_(m, p);
}

/*
 * Store entry index idx (0-based) where a probe ended with 0.  Returns 0,
 * or -ENOSPC if the map is full (p is then stale: probe again after
 * hmap_reserve()).
 */
int hmap_insert(struct hmap *m, const struct hmap_probe *p, uint32_t idx);

/* Remove the candidate p stands on (found by hmap_first()/hmap_next()). */
void hmap_remove(struct hmap *m, const struct hmap_probe *p);

#endif /* OUTFLOW_HASH_H */
