/*
 * test_flow.c - flow table: direction, client side, timeouts, close,
 * eviction, reuse after close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"

struct ended {
	int n;
	int reasons[4];
	uint64_t last_id;
};

static void
on_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct ended *e = ctx;

	e->n++;
	e->reasons[why]++;
	e->last_id = f->id;
}

static struct pkt
mk(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t proto, uint8_t flags, uint64_t ts_s)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(addr_parse(src, &p.src), 0);
	assert_int_equal(addr_parse(dst, &p.dst), 0);
	p.sport = sport;
	p.dport = dport;
	p.ip_proto = proto;
	p.tcp_flags = flags;
	p.ts_us = ts_s * 1000000;
	p.ip_len = 60;
	return p;
}

static const struct flow_timeouts to = { 60, 30, 600, 10 };

static void
test_directions_and_client(void **state)
{
	struct ended e = { 0 };
	struct flow_table *t = flow_table_new(16, &to, on_end, &e);
	struct pkt p;
	struct flow *f, *g, *first;
	struct addr a;
	uint16_t port;
	int dir;

	(void)state;
	/* SYN from the higher address: it is still the client. */
	p = mk("10.0.0.9", 40000, "10.0.0.1", 443, 6, TCP_SYN, 1);
	f = first = flow_packet(t, &p, &dir);
	assert_int_equal(dir, FLOW_TO_SERVER);
	p = mk("10.0.0.1", 443, "10.0.0.9", 40000, 6, TCP_SYN | TCP_ACK, 1);
	g = flow_packet(t, &p, &dir);
	assert_ptr_equal(f, g);
	assert_int_equal(dir, FLOW_TO_CLIENT);
	flow_client(f, &a, &port);
	assert_int_equal(port, 40000);
	assert_int_equal(a.a[3], 9);
	flow_server(f, &a, &port);
	assert_int_equal(port, 443);
	assert_int_equal(f->pkts[0], 1);
	assert_int_equal(f->pkts[1], 1);
	assert_true(f->flags & FLOW_F_SYN_SEEN);

	/* Mid-stream: first packet from the server port -> server. */
	p = mk("8.8.8.8", 53, "10.0.0.9", 5555, 17, 0, 2);
	f = flow_packet(t, &p, &dir);
	assert_int_equal(dir, FLOW_TO_CLIENT);
	flow_client(f, &a, &port);
	assert_int_equal(port, 5555);

	/* VLANs separate otherwise equal tuples. */
	p = mk("10.0.0.9", 40000, "10.0.0.1", 443, 6, TCP_SYN, 3);
	p.n_vlans = 1;
	p.vlans[0] = 7;
	g = flow_packet(t, &p, &dir);
	assert_non_null(g);
	assert_ptr_not_equal(g, first);
	assert_int_equal(g->key.vlan, 7);
	/* A packet that belongs to no flow. */
	memset(&p, 0, sizeof(p));
	assert_null(flow_packet(t, &p, &dir));
	t = flow_table_free(t);
	assert_int_equal(e.reasons[FLOW_END_SHUTDOWN], 3);
}

static void
test_timeouts_and_close(void **state)
{
	struct ended e = { 0 };
	struct flow_table *t = flow_table_new(16, &to, on_end, &e);
	struct pkt p;
	struct flow *f;
	int dir;
	uint64_t id;

	(void)state;
	p = mk("10.0.0.2", 1000, "1.1.1.1", 53, 17, 0, 100);
	flow_packet(t, &p, &dir);
	flow_expire(t, 159 * 1000000ULL);
	assert_int_equal(e.n, 0);
	flow_expire(t, 160 * 1000000ULL);
	assert_int_equal(e.reasons[FLOW_END_IDLE], 1);

	/* RST closes; the flow lingers closed_s for stray packets. */
	p = mk("10.0.0.2", 1001, "1.1.1.1", 443, 6, TCP_SYN, 200);
	f = flow_packet(t, &p, &dir);
	id = f->id;
	p = mk("1.1.1.1", 443, "10.0.0.2", 1001, 6, TCP_RST | TCP_ACK, 201);
	flow_packet(t, &p, &dir);
	assert_int_equal(f->tclass, FLOW_TC_CLOSED);
	/* A new SYN on the same tuple is a new flow. */
	p = mk("10.0.0.2", 1001, "1.1.1.1", 443, 6, TCP_SYN, 202);
	f = flow_packet(t, &p, &dir);
	assert_int_equal(e.reasons[FLOW_END_CLOSED], 1);
	assert_int_equal(e.last_id, id);
	assert_true(f->id != id);
	/* FIN both ways, then the linger expires. */
	p = mk("10.0.0.2", 1001, "1.1.1.1", 443, 6, TCP_FIN | TCP_ACK, 203);
	flow_packet(t, &p, &dir);
	p = mk("1.1.1.1", 443, "10.0.0.2", 1001, 6, TCP_FIN | TCP_ACK, 203);
	flow_packet(t, &p, &dir);
	flow_expire(t, 213 * 1000000ULL);
	assert_int_equal(e.reasons[FLOW_END_CLOSED], 2);
	flow_table_free(t);
}

static void
test_eviction_when_full(void **state)
{
	struct ended e = { 0 };
	struct flow_table *t = flow_table_new(4, &to, on_end, &e);
	struct flow_stats st;
	struct pkt p;
	int dir;
	char ip[32];

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 1);
		p = mk(ip, 1234, "9.9.9.9", 443, 17, 0, (uint64_t)i);
		assert_non_null(flow_packet(t, &p, &dir));
	}
	flow_table_stats(t, &st);
	assert_int_equal(st.active, 4);
	assert_int_equal(st.evicted, 6);
	assert_int_equal(st.created, 10);
	assert_int_equal(e.reasons[FLOW_END_EVICTED], 6);
	/* The survivors are the four most recent. */
	p = mk("10.1.0.10", 1234, "9.9.9.9", 443, 17, 0, 11);
	flow_packet(t, &p, &dir);
	flow_table_stats(t, &st);
	assert_int_equal(st.created, 10);
	flow_table_free(t);
}

/* A full table ends a closed flow (as closed) before evicting a live one,
 * even when the live one is older. */
static void
test_full_table_takes_closed_first(void **state)
{
	struct ended e = { 0 };
	struct flow_table *t = flow_table_new(2, &to, on_end, &e);
	struct flow_stats st;
	struct pkt p;
	struct flow *live;
	int dir;

	(void)state;
	p = mk("10.1.0.1", 1234, "9.9.9.9", 443, 17, 0, 1);
	live = flow_packet(t, &p, &dir);
	p = mk("10.1.0.2", 40000, "9.9.9.9", 443, 6, TCP_SYN, 2);
	flow_packet(t, &p, &dir);
	p = mk("10.1.0.2", 40000, "9.9.9.9", 443, 6, TCP_RST, 3);
	flow_packet(t, &p, &dir);
	p = mk("10.1.0.3", 1234, "9.9.9.9", 443, 17, 0, 4);
	assert_non_null(flow_packet(t, &p, &dir));
	flow_table_stats(t, &st);
	assert_int_equal(st.evicted, 0);
	assert_int_equal(e.reasons[FLOW_END_CLOSED], 1);
	assert_int_equal(live->in_use, 1);
	p = mk("10.1.0.1", 1234, "9.9.9.9", 443, 17, 0, 5);
	assert_ptr_equal(flow_packet(t, &p, &dir), live);
	flow_table_free(t);
}

/* Lookups through a precomputed reference agree with flow_packet(). */
static void
test_ref_lookup(void **state)
{
	struct ended e = { 0 };
	struct flow_table *t = flow_table_new(8, &to, on_end, &e);
	struct flow_ref r, back;
	struct pkt p, q;
	struct flow *f;
	int dir;

	(void)state;
	p = mk("10.1.0.1", 1234, "9.9.9.9", 443, 17, 0, 1);
	q = mk("9.9.9.9", 443, "10.1.0.1", 1234, 17, 0, 1);
	flow_ref_of(&p, &r);
	flow_ref_of(&q, &back);
	assert_true(r.valid);
	assert_int_equal(r.hash, back.hash);
	assert_int_not_equal(r.src_is_a, back.src_is_a);
	assert_null(flow_find(t, &r));
	flow_prefetch_bucket(t, &r);
	flow_prefetch(t, &r);
	f = flow_packet_ref(t, &p, &r, &dir);
	assert_non_null(f);
	assert_ptr_equal(flow_find(t, &back), f);
	assert_ptr_equal(flow_packet_ref(t, &q, &back, &dir), f);
	assert_int_equal(dir, FLOW_TO_CLIENT);
	/* Ending unlinks it from the chain the lookup hash chose. */
	flow_expire(t, 3600ull * 1000000);
	assert_int_equal(e.n, 1);
	assert_null(flow_find(t, &r));
	assert_null(flow_find(t, &back));
	memset(&p.src, 0, sizeof(p.src));
	flow_ref_of(&p, &r);
	assert_false(r.valid);
	assert_null(flow_packet_ref(t, &p, &r, &dir));
	flow_table_free(t);
}

/* Ends in order of last packet, and the table works again after. */
struct end_order {
	int n;
	uint64_t last_us;
	bool in_order;
};

static void
on_end_order(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct end_order *e = ctx;

	assert_int_equal(why, FLOW_END_SHUTDOWN);
	if (f->last_us < e->last_us)
		e->in_order = false;
	e->last_us = f->last_us;
	e->n++;
}

static void
end_all_then_reuse(uint32_t capacity, int n_flows)
{
	struct end_order e = { 0, 0, true };
	struct flow_table *t = flow_table_new(capacity, &to, on_end_order, &e);
	struct flow_stats st;
	struct pkt p;
	struct flow *f;
	char src[32];
	int dir;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < n_flows; i++) {
			snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250);
			p = mk(src, 40000, "192.0.2.1", 443, 6, TCP_SYN,
			    (uint64_t)i);
			f = flow_packet(t, &p, &dir);
			assert_non_null(f);
			assert_int_equal(f->pkts[0], 1);	/* a new flow */
		}
		/* Each is found again, the last opened seen first. */
		for (int j = 0; j < n_flows; j++) {
			int i = n_flows - 1 - j;

			snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250);
			p = mk(src, 40000, "192.0.2.1", 443, 6, TCP_ACK,
			    (uint64_t)(2000 + j));
			f = flow_packet(t, &p, &dir);
			assert_int_equal(f->pkts[0], 2);
		}
		e.n = 0;
		e.last_us = 0;
		flow_end_all(t);
		assert_int_equal(e.n, n_flows);
		assert_true(e.in_order);
		flow_table_stats(t, &st);
		assert_int_equal(st.active, 0);
	}
	flow_table_free(t);
}

static void
test_end_all(void **state)
{
	(void)state;
	/* Few flows are unlinked one by one, many by emptying the hash. */
	end_all_then_reuse(1024, 5);
	end_all_then_reuse(1024, 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directions_and_client),
		cmocka_unit_test(test_timeouts_and_close),
		cmocka_unit_test(test_eviction_when_full),
		cmocka_unit_test(test_full_table_takes_closed_first),
		cmocka_unit_test(test_ref_lookup),
		cmocka_unit_test(test_end_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
