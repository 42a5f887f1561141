/*
 * hash.c - SipHash (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012) under a per-run key, and the open-addressing index map.
 *
 * SipHash-1-3 (one compression round per word, three at the end) is the
 * variant hash tables use (Rust's HashMap, CPython, Linux's hsiphash):
 * still keyed, so collisions cannot be aimed without the key, and about
 * twice as fast as 2-4 on the few-KiB certificates hashed here.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"

struct hash_key hash_run_key;

int
hash_seed_init(void)
{
	struct hash_key k;

	if (getrandom(&k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k))
		return errno != 0 ? -errno : -EIO;
	hash_run_key = k;
	return 0;
}

void
hash_seed_set(uint64_t k0, uint64_t k1)
{
	hash_run_key.k0 = k0;
	hash_run_key.k1 = k1;
}

static inline uint64_t
rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);	\
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);	\
} while (0)

/* Inlined into the two callers, so the round counts are constants. */
static inline uint64_t
siphash(const struct hash_key *k, const uint8_t *p, size_t n, int crounds,
    int drounds)
{
	uint64_t v0 = k->k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k->k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k->k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k->k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)n << 56;
	size_t i, left = n & 7;

	for (i = 0; i + 8 <= n; i += 8) {
		m = le64(p + i);
		v3 ^= m;
		for (int r = 0; r < crounds; r++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* The last 0..7 bytes, little-endian, under the length byte. */
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	for (int r = 0; r < crounds; r++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < drounds; r++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
hash_sip24(const struct hash_key *k, const void *p, size_t n)
{
	return siphash(k, p, n, 2, 4);
}

uint64_t
hash_sip13(const struct hash_key *k, const void *p, size_t n)
{
	return siphash(k, p, n, 1, 3);
}

uint64_t
hash_bytes(const void *p, size_t n)
{
	return siphash(&hash_run_key, p, n, 1, 3);
}

uint64_t
hash_str(const char *s)
{
	return siphash(&hash_run_key, (const uint8_t *)s, strlen(s), 1, 3);
}

/* ------------------------------------------------------------ index map */

static int
slots_for(uint32_t max, uint32_t *ret)
{
	uint32_t slots = 16;

	if (max > (1u << 30))
		return -EINVAL;
	while (slots < 2 * (uint64_t)max)
		slots <<= 1;
	*ret = slots;
	return 0;
}

int
hmap_init(struct hmap *m, uint32_t max)
{
	uint32_t slots;
	int r;

	if ((r = slots_for(max, &slots)) < 0)
		return r;
	if ((m->slot = calloc(slots, sizeof(*m->slot))) == NULL)
		return -ENOMEM;
	m->mask = slots - 1;
	m->n = 0;
	return 0;
}

void
hmap_fini(struct hmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->mask = m->n = 0;
}

void
hmap_clear(struct hmap *m)
{
	if (m->slot != NULL)
		memset(m->slot, 0, ((size_t)m->mask + 1) * sizeof(*m->slot));
	m->n = 0;
}

int
hmap_reserve(struct hmap *m, uint32_t n)
{
	struct hmap_slot *ns;
	uint32_t slots, mask;
	int r;

	if (m->slot != NULL && 2 * (uint64_t)n <= (uint64_t)m->mask + 1)
		return 0;
	if ((r = slots_for(n, &slots)) < 0)
		return r;
	if ((ns = calloc(slots, sizeof(*ns))) == NULL)
		return -ENOMEM;
	mask = slots - 1;
	/* Bounded by the old slot count; stored hashes, so no key reads. */
	for (uint32_t i = 0; m->slot != NULL && i <= m->mask; i++) {
		uint32_t j;

		if (m->slot[i].idx == 0)
			continue;
		for (j = m->slot[i].hash & mask; ns[j].idx != 0;
		    j = (j + 1) & mask)
			;
		ns[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = ns;
	m->mask = mask;
	return 0;
}

int
hmap_insert(struct hmap *m, const struct hmap_probe *p, uint32_t idx)
{
	if (!hmap_has_room(m) || idx == UINT32_MAX)
		return -ENOSPC;
	m->slot[p->i].hash = p->hash;
	m->slot[p->i].idx = idx + 1;
	m->n++;
	return 0;
}

void
hmap_remove(struct hmap *m, const struct hmap_probe *p)
{
	uint32_t i = p->i, j = i;

	/*
	 * Backward-shift deletion (no tombstones): pull each later entry of
	 * the run into the hole unless its home slot lies cyclically in
	 * (hole, its slot], where moving it would hide it from probes.
	 */
	for (;;) {
		uint32_t home;

		j = (j + 1) & m->mask;
		if (m->slot[j].idx == 0)
			break;
		home = m->slot[j].hash & m->mask;
		if (((j - home) & m->mask) < ((j - i) & m->mask))
			continue;
		m->slot[i] = m->slot[j];
		i = j;
	}
	m->slot[i].idx = 0;
	m->slot[i].hash = 0;
	m->n--;
}
