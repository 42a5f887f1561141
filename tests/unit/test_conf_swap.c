/*
 * test_conf_swap.c - a configuration swapped in the middle of a capture
 * (what a reload does): records on each side follow their configuration,
 * and a flow open across the swap keeps what it saw under the old one
 * after that one is freed (run under ASan, a dangling label would show).
 *
 * The capture is tests/unit/conf_swap.scn, made by the generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "detect.h"
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
	struct conf *next;	/* swapped in at SWAP_US, then NULL */
};

/* Hands packets over in batches, swapping between two of them. */
static void
feed(const struct capture_packet *cps, unsigned n, int dlt, void *ctx)
{
	struct feed *f = ctx;
	unsigned i = 0;
	char err[512];

	if (f->next != NULL) {
		while (i < n && cps[i].ts_us < SWAP_US)
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

/* A reload may not turn detection on or off: flows lack its state. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_mid_capture),
		cmocka_unit_test(test_swap_refuses_detection_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
