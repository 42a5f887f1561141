/*
 * test_conf_swap.c - a configuration swapped in the middle of a capture
 * (what a reload does): records on each side follow their configuration,
 * and a flow open across the swap keeps what it saw under the old one
 * after that one is freed (run under ASan, a dangling label would show).
 * And one configuration shared by pipelines, taking turns batch by batch
 * or on threads of their own: each writes the events one alone writes,
 * so nothing of a run is kept in the configuration.
 *
 * The captures are tests/unit/conf_swap.scn and some e2e scenarios, made
 * by the generator.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "detect.h"
#include "eve.h"
#include "pipeline.h"

/* 08:15:30 on the scenario's day, between the two requests of the flow. */
#define SWAP_US 1714983330000000ULL

#define MAX_SEEN 16

struct seen_flow {
	char domain[64];
	char app[32];
	char identities[64];	/* labels joined by ',' */
	uint64_t first_us;
};

struct seen_obs {
	char identity[32];
	uint64_t ts_us;
};

struct seen {
	struct seen_flow flows[MAX_SEEN];
	size_t n_flows;
	struct seen_obs obs[MAX_SEEN];
	size_t n_obs;
	uint64_t home_us[MAX_SEEN];	/* location.home observations */
	size_t n_home;
	unsigned closed;
};

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void
on_flow(void *ctx, const struct flow_record *r)
{
	struct seen *s = ctx;
	struct seen_flow *sf;

	if (r->flow->key.proto != 6 || s->n_flows == MAX_SEEN)
		return;
	sf = &s->flows[s->n_flows++];
	copy(sf->domain, sizeof(sf->domain), r->domain);
	copy(sf->app, sizeof(sf->app), r->app_id);
	sf->first_us = r->flow->first_us;
	for (uint8_t i = 0; r->data != NULL && i < r->data->n_identities; i++) {
		size_t o = strlen(sf->identities);

		snprintf(sf->identities + o, sizeof(sf->identities) - o, "%s%s",
		    o ? "," : "", r->data->identities[i]);
	}
}

static void
on_obs(void *ctx, const struct obs_record *r)
{
	struct seen *s = ctx;

	if (strcmp(r->obs->category, "location.home") == 0 &&
	    s->n_home < MAX_SEEN)
		s->home_us[s->n_home++] = r->ts_us;
	if (s->n_obs == MAX_SEEN || r->obs->identity == NULL)
		return;
	copy(s->obs[s->n_obs].identity, sizeof(s->obs[0].identity),
	    r->obs->identity);
	s->obs[s->n_obs].ts_us = r->ts_us;
	s->n_obs++;
}

static void
on_close(void *ctx)
{
	struct seen *s = ctx;

	s->closed++;
}

static const struct output_ops test_ops = {
	.name = "test",
	.flow = on_flow,
	.observation = on_obs,
	.close = on_close,
};

static const char *
write_identities(const char *name, const char *label)
{
	static char path[2][512];
	static int next;
	char *p = path[next++ % 2];
	FILE *fp;

	snprintf(p, sizeof(path[0]), "%s/%s", TEST_BUILDDIR, name);
	assert_non_null(fp = fopen(p, "w"));
	fprintf(fp, "identities:\n  - label: %s\n"
	    "    android_id: [\"9774d56d682e549c\"]\n", label);
	fclose(fp);
	return p;
}

static struct conf *
load(bool apps, const char *label)
{
	struct pipeline_config pc;
	struct conf *c;
	char err[512];
	static const uint8_t key[PII_SECRET_LEN] = { 1, 2, 3 };
	char ids[64];

	pipeline_config_defaults(&pc);
	pc.apps_path = apps ? TOP_SRCDIR "/rules/apps.yaml" : NULL;
	pc.jurisdictions_path = TOP_SRCDIR "/rules/jurisdictions.yaml";
	pc.pii_rules = TOP_SRCDIR "/rules/personal_data.yaml";
	pc.pii_permissions = TOP_SRCDIR "/rules/permissions.yaml";
	snprintf(ids, sizeof(ids), "conf_swap_%s.yaml", label);
	pc.identities = write_identities(ids, label);
	if (conf_load(&pc, key, &c, err, sizeof(err)) != 0)
		fail_msg("conf_load: %s", err);
	return c;
}

struct feed {
	struct pipeline *p;
	struct conf *next;	/* swapped in at swap_us, then NULL */
	uint64_t swap_us;
};

/* Hands packets over in batches, swapping between two of them. */
static void
feed(const struct capture_packet *cps, unsigned n, int dlt, void *ctx)
{
	struct feed *f = ctx;
	unsigned i = 0;
	char err[512];

	if (f->next != NULL) {
		while (i < n && cps[i].ts_us < f->swap_us)
			i++;
		if (i < n) {
			pipeline_packets(cps, i, dlt, f->p);
			assert_int_equal(pipeline_set_conf(f->p, f->next, err,
			    sizeof(err)), 0);
			/* The pipeline holds the only other reference. */
			f->next = conf_unref(f->next);
			cps += i;
			n -= i;
		}
	}
	pipeline_packets(cps, n, dlt, f->p);
}

static void
test_swap_mid_capture(void **state)
{
	struct seen s;
	struct feed f;
	struct conf *a;
	struct capture *c;
	char err[512];

	(void)state;
	memset(&s, 0, sizeof(s));
	a = load(true, "alice");
	assert_int_equal(pipeline_new(a, &f.p, err, sizeof(err)), 0);
	conf_unref(a);	/* freed at the swap */
	f.next = load(false, "bob");
	f.swap_us = SWAP_US;
	assert_int_equal(pipeline_add_output(f.p, &test_ops, &s), 0);
	assert_int_equal(capture_open_file(TEST_BUILDDIR "/conf_swap.pcap", &c,
	    err, sizeof(err)), 0);
	while (capture_dispatch(c, 64, feed, &f, err, sizeof(err)) > 0)
		;
	capture_close(c);
	assert_null(f.next);
	pipeline_finish(f.p);
	f.p = pipeline_free(f.p);
	assert_int_equal(s.closed, 1);

	/* The identity is named by the configuration in force. */
	assert_int_equal(s.n_obs, 2);
	assert_true(s.obs[0].ts_us < SWAP_US);
	assert_string_equal(s.obs[0].identity, "alice");
	assert_true(s.obs[1].ts_us >= SWAP_US);
	assert_string_equal(s.obs[1].identity, "bob");

	/* TikTok before the swap, in order of ending. */
	assert_int_equal(s.n_flows, 3);
	assert_string_equal(s.flows[0].domain, "www.tiktok.com");
	assert_true(s.flows[0].first_us < SWAP_US);
	assert_string_equal(s.flows[0].app, "tiktok");
	/* The flow across the swap kept the label of the freed config. */
	assert_string_equal(s.flows[1].domain, "log.adsdk-example.com");
	assert_string_equal(s.flows[1].identities, "alice,bob");
	/* TikTok after: the new configuration has no app signatures. */
	assert_string_equal(s.flows[2].domain, "www.tiktok.com");
	assert_true(s.flows[2].first_us >= SWAP_US);
	assert_string_equal(s.flows[2].app, "");
}

/*
 * Nights counted towards a home outlive a reload: the home_nights
 * scenario's third night comes after the swap, and still makes the
 * place a home (then by day too), with the laptop's one night not.
 */
static void
test_home_across_swap(void **state)
{
	/* 2024-05-07T12:00:00Z: between the second night and the third */
	const uint64_t swap_us = 1715083200000000ULL;
	struct seen s;
	struct feed f;
	struct conf *a;
	struct capture *c;
	char err[512];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	memset(&s, 0, sizeof(s));
	a = load(true, "alice");
	assert_int_equal(pipeline_new(a, &f.p, err, sizeof(err)), 0);
	conf_unref(a);
	f.next = load(false, "bob");
	f.swap_us = swap_us;
	assert_int_equal(pipeline_add_output(f.p, &test_ops, &s), 0);
	assert_int_equal(capture_open_file(TEST_BUILDDIR
	    "/shared_home_nights.pcap", &c, err, sizeof(err)), 0);
	while (capture_dispatch(c, 64, feed, &f, err, sizeof(err)) > 0)
		;
	capture_close(c);
	assert_null(f.next);
	pipeline_finish(f.p);
	f.p = pipeline_free(f.p);
	assert_int_equal(s.n_home, 2);
	assert_true(s.home_us[0] > swap_us);
	assert_true(s.home_us[1] > s.home_us[0]);
}

/* A reload may not turn detection on or off: flows lack its state. */
/* Which ends of each flow the LAN held, and whether its server was local. */
struct seen_lan {
	unsigned n;
	struct {
		char client[ADDR_STRLEN], server[ADDR_STRLEN];
		uint8_t lan_ends;
		bool dest_local;
	} f[MAX_SEEN];
};

static void
on_lan_flow(void *ctx, const struct flow_record *r)
{
	struct seen_lan *s = ctx;

	if (!r->ended || s->n == MAX_SEEN)
		return;
	addr_str(&r->client, s->f[s->n].client, ADDR_STRLEN);
	addr_str(&r->server, s->f[s->n].server, ADDR_STRLEN);
	s->f[s->n].lan_ends = r->flow->lan_ends;
	s->f[s->n].dest_local = r->dest_local;
	s->n++;
}

static const struct output_ops lan_ops = {
	.name = "lan",
	.flow = on_lan_flow,
};

/* The flow of seen whose server is server, or fail. */
static unsigned
lan_flow(const struct seen_lan *s, const char *server)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->f[i].server, server) == 0)
			return i;
	fail_msg("no flow to %s", server);
	return 0;
}

/*
 * A reload that adds `lan:` sorts the flows created after it (the UDP
 * flow, the printer, the scanner) and leaves those created before it (the
 * two TLS flows) as they were.
 */
static void
test_lan_across_swap(void **state)
{
	static const char *const lan[] = { "203.0.113.0/24", "2001:db8:1::/48",
	    NULL };
	struct pipeline_config pc;
	struct seen_lan s;
	struct feed f;
	struct conf *a;
	struct capture *c;
	char err[512];
	unsigned i;

	(void)state;
	memset(&s, 0, sizeof(s));
	pipeline_config_defaults(&pc);
	assert_int_equal(conf_load(&pc, NULL, &a, err, sizeof(err)), 0);
	assert_null(conf_lan(a));
	assert_int_equal(pipeline_new(a, &f.p, err, sizeof(err)), 0);
	conf_unref(a);
	pc.lan = lan;
	assert_int_equal(conf_load(&pc, NULL, &f.next, err, sizeof(err)), 0);
	assert_non_null(conf_lan(f.next));
	/* Between the TLS flows and the UDP one (lan_public.scn). */
	f.swap_us = 1714986000300000ULL;
	assert_int_equal(pipeline_add_output(f.p, &lan_ops, &s), 0);
	assert_int_equal(capture_open_file(TEST_BUILDDIR "/lan_public.pcap",
	    &c, err, sizeof(err)), 0);
	while (capture_dispatch(c, 8, feed, &f, err, sizeof(err)) > 0)
		;
	capture_close(c);
	pipeline_finish(f.p);
	assert_null(f.next);
	assert_int_equal(s.n, 5);
	i = lan_flow(&s, "198.51.100.7");
	assert_int_equal(s.f[i].lan_ends, 0);
	i = lan_flow(&s, "2001:db8:ffff::7");
	assert_int_equal(s.f[i].lan_ends, 0);
	/* The outside peer spoke first; the LAN makes the laptop the client. */
	i = lan_flow(&s, "198.51.100.20");
	assert_string_equal(s.f[i].client, "203.0.113.10");
	assert_int_equal(s.f[i].lan_ends, FLOW_LAN_CLIENT);
	assert_false(s.f[i].dest_local);
	i = lan_flow(&s, "203.0.113.11");
	assert_int_equal(s.f[i].lan_ends, FLOW_LAN_CLIENT | FLOW_LAN_SERVER);
	assert_true(s.f[i].dest_local);
	/* The scanner's SYN named it the client: an inbound flow. */
	i = lan_flow(&s, "203.0.113.10");
	assert_string_equal(s.f[i].client, "192.0.2.50");
	assert_int_equal(s.f[i].lan_ends, FLOW_LAN_SERVER);
	assert_true(s.f[i].dest_local);
	pipeline_free(f.p);
}

static void
test_swap_refuses_detection_change(void **state)
{
	struct pipeline_config pc;
	struct pipeline *p;
	struct conf *a, *b;
	char err[512];

	(void)state;
	a = load(true, "alice");
	pipeline_config_defaults(&pc);
	assert_int_equal(conf_load(&pc, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(pipeline_new(a, &p, err, sizeof(err)), 0);
	assert_int_not_equal(pipeline_set_conf(p, b, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cannot be turned off"));
	/* The refused configuration is still the caller's to drop. */
	conf_unref(b);
	conf_unref(a);
	pipeline_free(p);
}

/* Everything a configuration can hold: GeoIP, apps, operators, rules. */
static struct conf *
load_full(void)
{
	static const uint8_t key[PII_SECRET_LEN] = { 4, 5, 6 };
	const char *geo = getenv("GEOIP_TEST_DB_DIR");
	char country[512], asn[512], err[512];
	struct pipeline_config pc;
	struct conf *c;

	assert_non_null(geo);
	snprintf(country, sizeof(country), "%s/geoip-test-country.mmdb", geo);
	snprintf(asn, sizeof(asn), "%s/geoip-test-asn.mmdb", geo);
	pipeline_config_defaults(&pc);
	pc.max_flows = 4096;
	pc.geoip_country = country;
	pc.geoip_asn = asn;
	pc.apps_path = TOP_SRCDIR "/rules/apps.yaml";
	pc.jurisdictions_path = TOP_SRCDIR "/rules/jurisdictions.yaml";
	pc.pii_rules = TOP_SRCDIR "/rules/personal_data.yaml";
	pc.pii_permissions = TOP_SRCDIR "/rules/permissions.yaml";
	pc.identities = TOP_SRCDIR "/tests/e2e/pii_planted.yaml";
	if (conf_load(&pc, key, &c, err, sizeof(err)) != 0)
		fail_msg("conf_load: %s", err);
	return c;
}

static const char *const shared_pcaps[] = {
	"conf_swap.pcap", "shared_pii_planted.pcap", "shared_tls12_cert.pcap",
	"shared_quic_v1.pcap", "shared_http_gzip.pcap",
	"shared_dns_then_flow.pcap", "shared_many_flows.pcap",
};
#define N_SHARED_PCAPS (sizeof(shared_pcaps) / sizeof(shared_pcaps[0]))

static void
events_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/shared_conf_%s.json", TEST_BUILDDIR, name);
}

/* A pipeline over c writing every kind of event to events_path(name). */
static struct pipeline *
events_pipeline(struct conf *c, const char *name)
{
	struct eve_options eo = { .dns = true, .http = true };
	struct pipeline *p;
	struct eve *e;
	char path[600], err[512];

	events_path(path, sizeof(path), name);
	unlink(path);
	assert_int_equal(pipeline_new(c, &p, err, sizeof(err)), 0);
	assert_int_equal(eve_open(path, &eo, &e, err, sizeof(err)), 0);
	assert_int_equal(pipeline_add_output(p, &eve_output_ops, e), 0);
	return p;
}

struct shared_run {
	struct pipeline *p[2];
	unsigned n;
	int r;			/* no cmocka asserts off the main thread */
};

static void
feed_all(const struct capture_packet *cps, unsigned n, int dlt, void *ctx)
{
	struct shared_run *run = ctx;

	for (unsigned i = 0; i < run->n; i++)
		pipeline_packets(cps, n, dlt, run->p[i]);
}

/* Every capture, in small batches, to each pipeline of run in turn. */
static void *
run_captures(void *arg)
{
	struct shared_run *run = arg;
	char path[600], err[512];

	run->r = 0;
	for (size_t k = 0; k < N_SHARED_PCAPS && run->r == 0; k++) {
		struct capture *c;
		int r;

		snprintf(path, sizeof(path), "%s/%s", TEST_BUILDDIR,
		    shared_pcaps[k]);
		if ((run->r = capture_open_file(path, &c, err,
		    sizeof(err))) != 0)
			break;
		while ((r = capture_dispatch(c, 16, feed_all, run, err,
		    sizeof(err))) > 0)
			;
		capture_close(c);
		if (r < 0)
			run->r = r;
		for (unsigned i = 0; i < run->n; i++)
			pipeline_file_done(run->p[i]);
	}
	for (unsigned i = 0; i < run->n; i++) {
		pipeline_finish(run->p[i]);
		run->p[i] = pipeline_free(run->p[i]);
	}
	return NULL;
}

static char *
slurp(const char *name, size_t *ret_len)
{
	char path[600], *buf;
	size_t cap = 1 << 16, len = 0, n;
	FILE *fp;

	events_path(path, sizeof(path), name);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(buf = malloc(cap));
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	fclose(fp);
	*ret_len = len;
	return buf;
}

static void
same_events(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);

	if (la != lb || memcmp(x, y, la) != 0)
		fail_msg("events of %s and %s differ", a, b);
	free(x);
	free(y);
}

static void
test_shared_conf(void **state)
{
	struct shared_run alone, turns, t[2];
	pthread_t th[2];
	struct conf *c;
	size_t len;
	char *buf;

	(void)state;
	c = load_full();

	/* One pipeline alone: what the others must write. */
	memset(&alone, 0, sizeof(alone));
	alone.p[alone.n++] = events_pipeline(c, "alone");
	run_captures(&alone);
	assert_int_equal(alone.r, 0);
	buf = slurp("alone", &len);
	/* Every stage had something to say. */
	assert_non_null(strstr(buf, "\"outflow.observation\""));
	assert_non_null(strstr(buf, "\"ja4\""));
	assert_non_null(strstr(buf, "\"country_iso_code\""));
	assert_non_null(strstr(buf, "\"as\""));
	assert_non_null(strstr(buf, "\"outflow.dns\""));
	assert_non_null(strstr(buf, "\"outflow.http\""));
	free(buf);

	/* Two pipelines taking turns with every batch. */
	memset(&turns, 0, sizeof(turns));
	turns.p[turns.n++] = events_pipeline(c, "turn0");
	turns.p[turns.n++] = events_pipeline(c, "turn1");
	run_captures(&turns);
	assert_int_equal(turns.r, 0);
	same_events("alone", "turn0");
	same_events("alone", "turn1");

	/* Two pipelines on threads of their own, at once. */
	for (int i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].p[t[i].n++] = events_pipeline(c, i ? "thread1" : "thread0");
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_captures,
		    &t[i]), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(t[i].r, 0);
	}
	same_events("alone", "thread0");
	same_events("alone", "thread1");
	conf_unref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_mid_capture),
		cmocka_unit_test(test_home_across_swap),
		cmocka_unit_test(test_swap_refuses_detection_change),
		cmocka_unit_test(test_lan_across_swap),
		cmocka_unit_test(test_shared_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
