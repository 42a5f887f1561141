/*
 * flow.c - fixed-capacity bidirectional flow table.
 *
 * Flows live in one array allocated at start; a free list hands out slots
 * and a chained hash (bucket heads + per-flow next index) finds them.
 * Each timeout class keeps an LRU list ordered by last packet time, so
 * expiry pops from list heads and costs O(expired), and eviction when full
 * takes the least recently active head across the classes.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow.h"
#include "hash.h"

_Static_assert(sizeof(struct flow) == 152, "flow.h documents 152 bytes");

/* How stale a flow's LRU position may get before it is moved. */
#define FLOW_LRU_SLACK_US 1000000

struct lru {
	uint32_t head, tail;
	uint64_t timeout_us;
};

struct flow_table {
	struct flow *flows;
	uint32_t *buckets;		/* ~index of each chain's head: see bucket_get() */
	uint32_t mask;
	uint32_t capacity;
	uint32_t free_head;		/* free list threaded through hnext */
	uint32_t fresh;			/* slots [fresh, capacity) never used */
	struct lru lru[FLOW_TC__COUNT];
	uint64_t next_id;
	flow_end_cb *end_cb;
	void *ctx;
	const struct lan *lan;		/* NULL: the never-routed ranges */
	struct flow_stats st;
};

/*
 * The flow table and its buckets are read at random for every packet, so
 * TLB misses cost as much as cache misses: map them anonymously (zeroed,
 * pages touched only when used) and ask for transparent huge pages.
 */
static void *
table_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}

static void
table_free(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}

/*
 * Buckets hold the complement of a chain's first index, so a bucket
 * never written (a zero page) reads as FLOW_NIL: the bucket array is not
 * filled at start and, like the flows, takes memory only where flows
 * land.  Filled with FLOW_NIL instead, --max-flows 2^26 touched 512 MiB
 * of buckets for a capture of 18 flows.
 */
static inline uint32_t
bucket_get(const struct flow_table *t, uint32_t b)
{
	return ~t->buckets[b];
}

static inline void
bucket_set(struct flow_table *t, uint32_t b, uint32_t idx)
{
	t->buckets[b] = ~idx;
}

static uint64_t
load64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, 8);
	return v;
}

/*
 * The shared keyed flow hash (hash.h): a multiply-mix, not SipHash, as
 * this runs for every packet; the per-run key still decides the buckets.
 */
static uint32_t
hash_words(const uint8_t *a, const uint8_t *b, uint16_t port_a,
    uint16_t port_b, uint32_t vlan, uint8_t proto, uint8_t family)
{
	return hash_flow_words(a, b,
	    (uint64_t)port_a | (uint64_t)port_b << 16 | (uint64_t)vlan << 32,
	    (uint64_t)proto | (uint64_t)family << 8);
}

static uint64_t
load_be64(const uint8_t *b)
{
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | (uint64_t)b[7];
}

/* memcmp(x, y, 16 or 4) < 0 / == 0 / > 0, without a library call. */
static int
addr_order(const uint8_t *x, const uint8_t *y, bool v6)
{
	uint64_t a, b;

	if (v6) {
		a = load_be64(x);
		b = load_be64(y);
		if (a == b) {
			a = load_be64(x + 8);
			b = load_be64(y + 8);
		}
	} else {
		a = load_be64(x) >> 32;
		b = load_be64(y) >> 32;
	}
	return (a > b) - (a < b);
}

/* Keys are normalised (padding zero), so whole words compare. */
static bool
key_equal(const struct flow_key *x, const struct flow_key *y)
{
	const uint8_t *p = (const uint8_t *)x, *q = (const uint8_t *)y;
	uint64_t d = 0;
	uint32_t u, v;

	_Static_assert(sizeof(struct flow_key) == 44, "five words and a half");
	for (size_t i = 0; i < 40; i += 8)
		d |= load64(p + i) ^ load64(q + i);
	memcpy(&u, p + 40, 4);
	memcpy(&v, q + 40, 4);
	return d == 0 && u == v;
}

static uint32_t
key_hash(const struct flow_key *k)
{
	return hash_words(k->a, k->b, k->port_a, k->port_b, k->vlan,
	    k->proto, k->family);
}

static void
lru_unlink(struct flow_table *t, struct flow *f)
{
	struct lru *l = &t->lru[f->tclass];

	if (f->lru_prev != FLOW_NIL)
		t->flows[f->lru_prev].lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != FLOW_NIL)
		t->flows[f->lru_next].lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = FLOW_NIL;
}

static void
lru_append(struct flow_table *t, struct flow *f, uint8_t tclass)
{
	struct lru *l = &t->lru[tclass];
	uint32_t idx = (uint32_t)(f - t->flows);

	f->tclass = tclass;
	f->lru_next = FLOW_NIL;
	f->lru_prev = l->tail;
	if (l->tail != FLOW_NIL)
		t->flows[l->tail].lru_next = idx;
	else
		l->head = idx;
	l->tail = idx;
}

static void
hash_unlink(struct flow_table *t, struct flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);
	uint32_t b = key_hash(&f->key) & t->mask;
	uint32_t cur = bucket_get(t, b);

	if (cur == idx) {
		bucket_set(t, b, f->hnext);
		return;
	}
	/* Chains are short (load factor <= 1/2). */
	while (cur != FLOW_NIL) {
		struct flow *c = &t->flows[cur];

		if (c->hnext == idx) {
			c->hnext = f->hnext;
			return;
		}
		cur = c->hnext;
	}
}

/* End f; unhash is false only when the whole hash has been emptied. */
static void
flow_end_as(struct flow_table *t, struct flow *f, enum flow_end_reason why,
    bool unhash)
{
	if (t->end_cb != NULL)
		t->end_cb(f, why, t->ctx);
	t->st.ended[why]++;
	if (why == FLOW_END_EVICTED)
		t->st.evicted++;
	lru_unlink(t, f);
	if (unhash)
		hash_unlink(t, f);
	f->in_use = 0;
	f->app = NULL;
	f->hnext = t->free_head;
	t->free_head = (uint32_t)(f - t->flows);
	t->st.active--;
}

static void
flow_end(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
	flow_end_as(t, f, why, true);
}

struct flow_table *
flow_table_new(uint32_t max_flows, const struct flow_timeouts *to,
    flow_end_cb *end_cb, void *ctx)
{
	struct flow_table *t;
	uint32_t nb = 16;

	if (max_flows == 0 || max_flows > (1u << 28))
		return NULL;
	while (nb < max_flows * 2)
		nb <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->flows = table_alloc((size_t)max_flows * sizeof(*t->flows));
	t->buckets = table_alloc((size_t)nb * sizeof(*t->buckets));
	if (t->flows == NULL || t->buckets == NULL) {
		table_free(t->flows, (size_t)max_flows * sizeof(*t->flows));
		table_free(t->buckets, (size_t)nb * sizeof(*t->buckets));
		free(t);
		return NULL;
	}
	/* Mapped zeroed: every bucket is already empty (bucket_get()). */
	t->mask = nb - 1;
	t->capacity = max_flows;
	/* Slots are handed out from fresh before the free list, so pages
	 * of the table are touched only as the flows they hold appear. */
	t->free_head = FLOW_NIL;
	for (int c = 0; c < FLOW_TC__COUNT; c++)
		t->lru[c].head = t->lru[c].tail = FLOW_NIL;
	t->lru[FLOW_TC_UDP].timeout_us = (uint64_t)to->udp_s * 1000000;
	t->lru[FLOW_TC_TCP_NEW].timeout_us = (uint64_t)to->tcp_new_s * 1000000;
	t->lru[FLOW_TC_TCP].timeout_us = (uint64_t)to->tcp_s * 1000000;
	t->lru[FLOW_TC_CLOSED].timeout_us = (uint64_t)to->closed_s * 1000000;
	t->end_cb = end_cb;
	t->ctx = ctx;
	t->st.capacity = max_flows;
	return t;
}

void
flow_end_all(struct flow_table *t)
{
	size_t nb = (size_t)t->mask + 1;
	/*
	 * With many flows, empty the hash at once instead of unlinking each
	 * one from its cold bucket; end callbacks never look flows up.
	 */
	bool unhash = t->st.active < nb / 16;

	if (!unhash)
		memset(t->buckets, 0, nb * sizeof(*t->buckets));
	/* Oldest first, so events come out in the order flows went idle. */
	for (;;) {
		struct flow *oldest = NULL;

		for (int c = 0; c < FLOW_TC__COUNT; c++) {
			uint32_t h = t->lru[c].head;

			if (h != FLOW_NIL && (oldest == NULL ||
			    t->flows[h].last_us < oldest->last_us))
				oldest = &t->flows[h];
		}
		if (oldest == NULL)
			break;
		/* Each end reads a cold record and its app state: fetch the
		 * next ones of this list while this one ends. */
		if (oldest->lru_next != FLOW_NIL) {
			const struct flow *n = &t->flows[oldest->lru_next];

			if (n->app != NULL)
				__builtin_prefetch(n->app);
			if (n->lru_next != FLOW_NIL)
				__builtin_prefetch(&t->flows[n->lru_next]);
		}
		flow_end_as(t, oldest, FLOW_END_SHUTDOWN, unhash);
	}
}

void
flow_foreach(struct flow_table *t, flow_visit_cb *cb, void *ctx)
{
	for (int c = 0; c < FLOW_TC__COUNT; c++)
		for (uint32_t h = t->lru[c].head; h != FLOW_NIL;
		    h = t->flows[h].lru_next)
			cb(&t->flows[h], ctx);
}

struct flow_table *
flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return NULL;
	flow_end_all(t);
	table_free(t->flows, (size_t)t->capacity * sizeof(*t->flows));
	table_free(t->buckets, (size_t)(t->mask + 1) * sizeof(*t->buckets));
	free(t);
	return NULL;
}

void
flow_expire(struct flow_table *t, uint64_t now_us)
{
	for (int c = 0; c < FLOW_TC__COUNT; c++) {
		struct lru *l = &t->lru[c];

		while (l->head != FLOW_NIL) {
			struct flow *f = &t->flows[l->head];

			if (f->last_us + l->timeout_us > now_us) {
				/* Its position is stale: move it and go on, so
				 * flows queued behind it still expire on time.
				 * A moved flow is current, so this ends. */
				if (f->lru_us == f->last_us)
					break;
				lru_unlink(t, f);
				lru_append(t, f, f->tclass);
				f->lru_us = f->last_us;
				continue;
			}
			flow_end(t, f, c == FLOW_TC_CLOSED ?
			    FLOW_END_CLOSED : FLOW_END_IDLE);
		}
	}
}

static struct flow *
flow_alloc(struct flow_table *t)
{
	struct flow *f;

	/*
	 * A closed flow lingers only to absorb stray ACKs: when room is
	 * needed it ends as closed, and only a table of live flows evicts.
	 */
	if (t->free_head == FLOW_NIL && t->fresh < t->capacity)
		return &t->flows[t->fresh++];
	if (t->free_head == FLOW_NIL && t->lru[FLOW_TC_CLOSED].head != FLOW_NIL)
		flow_end(t, &t->flows[t->lru[FLOW_TC_CLOSED].head],
		    FLOW_END_CLOSED);
	if (t->free_head == FLOW_NIL) {
		struct flow *oldest = NULL;

		for (int c = 0; c < FLOW_TC__COUNT; c++) {
			uint32_t h = t->lru[c].head;

			if (h != FLOW_NIL && (oldest == NULL ||
			    t->flows[h].last_us < oldest->last_us))
				oldest = &t->flows[h];
		}
		flow_end(t, oldest, FLOW_END_EVICTED);
	}
	f = &t->flows[t->free_head];
	t->free_head = f->hnext;
	return f;
}

/* Whether (port) looks like a service rather than an ephemeral port. */
static int
service_port(uint16_t port)
{
	return port < 1024 || port == 8080 || port == 8443 || port == 5353;
}

void
flow_ref_of(const struct pkt *p, struct flow_ref *r)
{
	struct flow_key *k = &r->key;
	int cmp = addr_order(p->src.a, p->dst.a, p->src.family == 6);
	int src_is_a = cmp < 0 || (cmp == 0 && p->sport <= p->dport);
	const uint8_t *a = src_is_a ? p->src.a : p->dst.a;
	const uint8_t *b = src_is_a ? p->dst.a : p->src.a;
	uint16_t port_a = src_is_a ? p->sport : p->dport;
	uint16_t port_b = src_is_a ? p->dport : p->sport;
	uint32_t vlan = 0;

	if (p->n_vlans == 1)
		vlan = p->vlans[0];
	else if (p->n_vlans >= 2)
		vlan = (uint32_t)p->vlans[0] << 12 | p->vlans[1];
	/* Hashed from the packet, not read back from the key being written
	 * (that would wait on store forwarding): the same words as
	 * key_hash(k). */
	r->hash = hash_words(a, b, port_a, port_b, vlan, p->ip_proto,
	    p->src.family);
	r->valid = p->src.family != 0;
	r->src_is_a = (uint8_t)src_is_a;
	memcpy(k->a, a, 16);
	memcpy(k->b, b, 16);
	k->port_a = port_a;
	k->port_b = port_b;
	k->vlan = vlan;
	k->proto = p->ip_proto;
	k->family = p->src.family;
	k->pad[0] = k->pad[1] = 0;
}

void
flow_prefetch_bucket(const struct flow_table *t, const struct flow_ref *r)
{
	__builtin_prefetch(&t->buckets[r->hash & t->mask]);
}

void
flow_prefetch(const struct flow_table *t, const struct flow_ref *r)
{
	uint32_t idx = bucket_get(t, r->hash & t->mask);

	if (idx != FLOW_NIL) {
		const char *f = (const char *)&t->flows[idx];

		/* The key and the per-packet fields: up to three lines. */
		__builtin_prefetch(f, 1);
		__builtin_prefetch(f + 64, 1);
		__builtin_prefetch(f + offsetof(struct flow, first_us) - 1, 1);
	}
}

struct flow *
flow_find(const struct flow_table *t, const struct flow_ref *r)
{
	uint32_t idx;

	for (idx = bucket_get(t, r->hash & t->mask); idx != FLOW_NIL;
	    idx = t->flows[idx].hnext)
		if (key_equal(&t->flows[idx].key, &r->key))
			return &t->flows[idx];
	return NULL;
}

/* Decide which side opened the flow from its first packet. */
static int
first_packet_src_is_client(const struct pkt *p)
{
	if (p->ip_proto == 6 && (p->tcp_flags & TCP_SYN))
		return !(p->tcp_flags & TCP_ACK);
	/* Started mid-conversation: the service port marks the server. */
	if (service_port(p->sport) && !service_port(p->dport))
		return 0;
	return 1;
}

/* The key's end a (b when !a) as an address. */
static void
key_end(const struct flow_key *k, bool a, struct addr *ret)
{
	if (k->family == 4)
		addr_set4(ret, a ? k->a : k->b);
	else
		addr_set6(ret, a ? k->a : k->b);
}

static struct flow *
flow_create(struct flow_table *t, const struct pkt *p,
    const struct flow_key *k, uint32_t hash, int src_is_a)
{
	struct flow *f = flow_alloc(t);
	int src_is_client = first_packet_src_is_client(p);
	struct addr src, dst;
	bool src_lan, dst_lan;
	uint32_t bucket;

	key_end(k, src_is_a, &src);
	key_end(k, !src_is_a, &dst);
	src_lan = lan_contains(t->lan, &src);
	dst_lan = lan_contains(t->lan, &dst);
	/* A configured LAN names the device where no SYN said who opened. */
	if (t->lan != NULL && src_lan != dst_lan &&
	    !(p->ip_proto == 6 && (p->tcp_flags & TCP_SYN)))
		src_is_client = src_lan;

	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->in_use = 1;
	f->id = ++t->next_id;
	f->first_us = f->last_us = f->lru_us = p->ts_us;
	/* client_is_b: the client is key.b. */
	f->client_is_b = (uint8_t)(src_is_client ? !src_is_a : src_is_a);
	if (src_is_client ? src_lan : dst_lan)
		f->lan_ends |= FLOW_LAN_CLIENT;
	if (src_is_client ? dst_lan : src_lan)
		f->lan_ends |= FLOW_LAN_SERVER;
	if (p->ip_proto == 6) {
		if ((p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			f->flags |= FLOW_F_SYN_SEEN;
		else
			f->flags |= FLOW_F_MIDSTREAM;
	}
	bucket = hash & t->mask;
	f->hnext = bucket_get(t, bucket);
	bucket_set(t, bucket, (uint32_t)(f - t->flows));
	f->lru_prev = f->lru_next = FLOW_NIL;
	lru_append(t, f, p->ip_proto == 6 ? FLOW_TC_TCP_NEW : FLOW_TC_UDP);
	t->st.created++;
	if (++t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	return f;
}

struct flow *
flow_packet(struct flow_table *t, const struct pkt *p, int *ret_dir)
{
	struct flow_ref r;

	flow_ref_of(p, &r);
	return flow_packet_ref(t, p, &r, ret_dir);
}

struct flow *
flow_packet_ref(struct flow_table *t, const struct pkt *p,
    const struct flow_ref *r, int *ret_dir)
{
	struct flow *f;
	int src_is_a = r->src_is_a, dir;
	uint8_t tclass;

	if (!r->valid)
		return NULL;
	f = flow_find(t, r);
	/* A new SYN on a closed flow's tuple starts a new connection. */
	if (f != NULL && f->tclass == FLOW_TC_CLOSED &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		flow_end(t, f, FLOW_END_CLOSED);
		f = NULL;
	}
	if (f == NULL)
		f = flow_create(t, p, &r->key, r->hash, src_is_a);

	/* Source is key.a exactly when src_is_a; client is key.b when client_is_b. */
	dir = (src_is_a == !f->client_is_b) ? FLOW_TO_SERVER : FLOW_TO_CLIENT;
	f->last_us = p->ts_us > f->last_us ? p->ts_us : f->last_us;
	f->pkts[dir]++;
	f->bytes[dir] += p->ip_len;
	if (p->payload_wire_len > 0)
		f->payload_pkts[dir]++;
	if (p->has_mac && !f->has_mac && dir == FLOW_TO_SERVER) {
		memcpy(f->client_mac, p->src_mac, 6);
		f->has_mac = true;
	}

	tclass = f->tclass;
	if (p->ip_proto == 6) {
		if (p->tcp_flags & TCP_SYN) {
			f->isn[dir] = p->seq;
			f->flags |= dir == FLOW_TO_SERVER ?
			    FLOW_F_ISN_CLIENT : FLOW_F_ISN_SERVER;
		}
		if (p->tcp_flags & TCP_RST)
			f->flags |= FLOW_F_RST;
		if (p->tcp_flags & TCP_FIN)
			f->flags |= dir == FLOW_TO_SERVER ?
			    FLOW_F_FIN_CLIENT : FLOW_F_FIN_SERVER;
		if ((f->flags & FLOW_F_RST) ||
		    (f->flags & (FLOW_F_FIN_CLIENT | FLOW_F_FIN_SERVER)) ==
		    (FLOW_F_FIN_CLIENT | FLOW_F_FIN_SERVER))
			tclass = FLOW_TC_CLOSED;
		else if (tclass == FLOW_TC_TCP_NEW &&
		    (p->payload_wire_len > 0 || (f->pkts[0] && f->pkts[1])))
			tclass = FLOW_TC_TCP;
	}
	/*
	 * Moving a flow to the tail touches two other flows' cache lines, so
	 * it is done only when the class changes or the flow's position is
	 * more than FLOW_LRU_SLACK_US stale.  Lists stay ordered to within
	 * that slack, which is what expiry and eviction precision cost.
	 */
	if (tclass != f->tclass ||
	    f->last_us - f->lru_us >= FLOW_LRU_SLACK_US) {
		lru_unlink(t, f);
		lru_append(t, f, tclass);
		f->lru_us = f->last_us;
	}
	*ret_dir = dir;
	return f;
}

static void
endpoint(const struct flow *f, int b, struct addr *ret_addr, uint16_t *ret_port)
{
	memset(ret_addr, 0, sizeof(*ret_addr));
	ret_addr->family = f->key.family;
	memcpy(ret_addr->a, b ? f->key.b : f->key.a, 16);
	*ret_port = b ? f->key.port_b : f->key.port_a;
}

void
flow_client(const struct flow *f, struct addr *ret_addr, uint16_t *ret_port)
{
	endpoint(f, f->client_is_b, ret_addr, ret_port);
}

void
flow_server(const struct flow *f, struct addr *ret_addr, uint16_t *ret_port)
{
	endpoint(f, !f->client_is_b, ret_addr, ret_port);
}

void
flow_table_set_lan(struct flow_table *t, const struct lan *l)
{
	t->lan = l;
}

void
flow_table_stats(const struct flow_table *t, struct flow_stats *ret)
{
	*ret = t->st;
}

const char *
flow_end_reason_name(enum flow_end_reason why)
{
	static const char *const names[FLOW_END__COUNT] = { "idle", "closed",
	    "evicted", "shutdown" };

	return (unsigned)why < FLOW_END__COUNT ? names[why] : "unknown";
}
