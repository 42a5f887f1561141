/*
 * flow.h - the bidirectional flow table (stage 3).
 *
 * A fixed number of flows is allocated at start.  A flow is found by its
 * 5-tuple plus VLAN in either direction; the client is the side that sent
 * the SYN, else the first packet.  Flows idle past their protocol's
 * timeout, closed by RST or by FIN from both sides, or evicted when the
 * table is full are handed to the expiry callback and then reused.
 * Nothing here allocates after flow_table_new().
 */
#ifndef OUTFLOW_FLOW_H
#define OUTFLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "lan.h"
#include "pkt.h"

struct flow_app;

/* Ordered key: endpoint a sorts before endpoint b, so both directions
 * of a flow produce the same key. */
struct flow_key {
	uint8_t a[16];
	uint8_t b[16];
	uint16_t port_a;
	uint16_t port_b;
	uint32_t vlan;		/* outer tag << 12 | inner tag; 0 untagged */
	uint8_t proto;
	uint8_t family;
	uint8_t pad[2];		/* zero: keys compare with memcmp */
};

/* Direction indices into per-direction arrays. */
#define FLOW_TO_SERVER 0
#define FLOW_TO_CLIENT 1

/* Timeout classes: each has its own LRU list ordered by last packet. */
enum flow_tclass {
	FLOW_TC_UDP,
	FLOW_TC_TCP_NEW,	/* no data yet: half-open or scans */
	FLOW_TC_TCP,
	FLOW_TC_CLOSED,		/* RST or FIN both ways: lingers for stray ACKs */
	FLOW_TC__COUNT
};

enum flow_end_reason {
	FLOW_END_IDLE,
	FLOW_END_CLOSED,
	FLOW_END_EVICTED,
	FLOW_END_SHUTDOWN,	/* end of capture or daemon exit */
	FLOW_END__COUNT
};

#define FLOW_F_SYN_SEEN		0x01	/* client identified by SYN */
#define FLOW_F_FIN_CLIENT	0x02
#define FLOW_F_FIN_SERVER	0x04
#define FLOW_F_RST		0x08
#define FLOW_F_MIDSTREAM	0x10	/* TCP flow without a handshake */
#define FLOW_F_ISN_CLIENT	0x20	/* isn[FLOW_TO_SERVER] is valid */
#define FLOW_F_ISN_SERVER	0x40	/* isn[FLOW_TO_CLIENT] is valid */

/* flow.lan_ends: the ends on the LAN side (lan.h), sorted at creation. */
#define FLOW_LAN_CLIENT		0x01
#define FLOW_LAN_SERVER		0x02

/*
 * Laid out by use: the key and chain link a lookup compares come first,
 * then what every packet updates, then what only the first packets and
 * the end of a flow read.  Records are packed (152 bytes, not padded to
 * cache lines) because the table is most of the process's memory; a batch
 * prefetches the lines a record spans.
 */
struct flow {
	/* lookup, lists, state */
	struct flow_key key;
	uint32_t hnext;			/* hash chain, FLOW_NIL terminated */
	uint32_t lru_prev, lru_next;	/* within the timeout class list */
	uint8_t tclass;
	uint8_t client_is_b;		/* key.b is the client */
	uint8_t flags;
	uint8_t in_use;
	uint8_t app_proto;		/* enum app_proto, set by the app layer */
	uint8_t app_flags;		/* the app layer's own bits */
	bool has_mac;			/* client_mac is filled */
	uint8_t lan_ends;		/* FLOW_LAN_*: which ends are the LAN */
	/* per-packet accounting */
	uint64_t last_us;
	uint64_t lru_us;		/* last_us when last moved in its LRU list */
	uint64_t bytes[2];		/* IP bytes, FLOW_TO_SERVER / FLOW_TO_CLIENT */
	uint32_t pkts[2];
	uint32_t payload_pkts[2];
	struct flow_app *app;		/* app-layer state, owned by applayer.c */
	/* set once */
	uint64_t first_us;
	uint64_t id;			/* unique per run, in creation order */
	uint32_t isn[2];		/* SYN sequence numbers, per direction */
	uint8_t client_mac[6];		/* source MAC of the client's packets */
};

#define FLOW_NIL UINT32_MAX

struct flow_timeouts {
	uint32_t udp_s;
	uint32_t tcp_new_s;
	uint32_t tcp_s;
	uint32_t closed_s;
};

struct flow_stats {
	uint64_t created;
	uint64_t ended[FLOW_END__COUNT];
	uint64_t evicted;		/* same as ended[FLOW_END_EVICTED] */
	uint32_t active;
	uint32_t peak_active;
	uint32_t capacity;
};

typedef void flow_end_cb(struct flow *f, enum flow_end_reason why, void *ctx);

struct flow_table;

/**
 * Allocate a table for max_flows flows.  end_cb is called for each flow
 * that ends, before its slot is reused.  Returns NULL on allocation
 * failure.
 */
struct flow_table *flow_table_new(uint32_t max_flows,
    const struct flow_timeouts *to, flow_end_cb *end_cb, void *ctx);

/**
 * The LAN that sorts the ends of flows created from now on (lan.h); NULL:
 * the never-routed ranges, and the client is found from the packets
 * alone.  With a LAN, a flow whose opening SYN was not seen and that has
 * exactly one end on the LAN takes that end as its client.  l is not
 * copied: it must outlive its use (a configuration holds it).
 */
void flow_table_set_lan(struct flow_table *t, const struct lan *l);

/** End every flow (FLOW_END_SHUTDOWN) and free the table; NULL-safe. */
struct flow_table *flow_table_free(struct flow_table *t);

/*
 * A packet's key and hash, computed apart from the lookup so that a batch
 * of packets can prefetch their buckets and flows before using them.
 */
struct flow_ref {
	struct flow_key key;
	uint32_t hash;
	uint8_t src_is_a;	/* the packet's source is key.a */
	uint8_t valid;		/* 0: the packet cannot belong to a flow */
};

/** Fill r from p (r->valid is 0 for packets without addresses). */
void flow_ref_of(const struct pkt *p, struct flow_ref *r);

/** Hint: the bucket of r will be read soon. */
void flow_prefetch_bucket(const struct flow_table *t, const struct flow_ref *r);

/** Hint: r's flow will be read soon (its bucket should be cached). */
void flow_prefetch(const struct flow_table *t, const struct flow_ref *r);

/** The existing flow of r, or NULL; changes nothing. */
struct flow *flow_find(const struct flow_table *t, const struct flow_ref *r);

/**
 * Find or create the flow of p (whose reference is r) and account the
 * packet to it.  *ret_dir gets FLOW_TO_SERVER or FLOW_TO_CLIENT.  When
 * the table is full the least recently active flow is evicted first.
 * Returns NULL only for packets that cannot belong to a flow.
 */
struct flow *flow_packet_ref(struct flow_table *t, const struct pkt *p,
    const struct flow_ref *r, int *ret_dir);

/** flow_ref_of() and flow_packet_ref() in one. */
struct flow *flow_packet(struct flow_table *t, const struct pkt *p,
    int *ret_dir);

/** End flows idle past their timeout at packet time now_us. */
void flow_expire(struct flow_table *t, uint64_t now_us);

/**
 * End every flow now (end of capture).  The end callback must not look
 * flows up meanwhile: the hash may already be empty.
 */
void flow_end_all(struct flow_table *t);

typedef void flow_visit_cb(struct flow *f, void *ctx);

/**
 * Call cb for every open flow (a daemon's interim records).  cb must not
 * end, move or look up flows.
 */
void flow_foreach(struct flow_table *t, flow_visit_cb *cb, void *ctx);

/** Client and server endpoints of f. */
void flow_client(const struct flow *f, struct addr *ret_addr, uint16_t *ret_port);
void flow_server(const struct flow *f, struct addr *ret_addr, uint16_t *ret_port);

void flow_table_stats(const struct flow_table *t, struct flow_stats *ret);

/** Name of an end reason ("idle", "closed", "evicted", "shutdown"). */
const char *flow_end_reason_name(enum flow_end_reason why);

#endif
