/*
 * test_eve.c - the event writer's findings: those that follow another
 * about the same flow record at one moment reuse what was built for it,
 * and come out byte for byte as if built afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eve.h"
#include "record.h"

#define MAX_LINES 8

struct lines {
	char *text[MAX_LINES];
	size_t n;
};

static void
sink_put(void *ctx, const struct eve_line *l)
{
	struct lines *ls = ctx;

	assert_true(ls->n < MAX_LINES);
	ls->text[ls->n] = strndup(l->json, l->len);
	assert_non_null(ls->text[ls->n]);
	ls->n++;
}

static void sink_nop(void *ctx) { (void)ctx; }
static uint64_t sink_lost(const void *ctx) { (void)ctx; return 0; }

static const struct eve_sink_ops sink_ops = {
	.put = sink_put, .flush = sink_nop, .finish = sink_nop,
	.lost = sink_lost, .close = sink_nop,
};

struct fake_flow {
	struct flow f;
	struct flow_record r;
};

static void
fake_flow(struct fake_flow *k, uint8_t last_octet, const char *app)
{
	memset(k, 0, sizeof(*k));
	k->f.id = 1000 + last_octet;
	k->f.first_us = 1714989600000000ULL;
	k->f.last_us = k->f.first_us + 1000;
	k->f.key.proto = 6;
	k->f.key.family = 4;
	k->r.flow = &k->f;
	addr_set4(&k->r.client, (const uint8_t[]){ 192, 168, 1, 23 });
	addr_set4(&k->r.server, (const uint8_t[]){ 203, 0, 113, last_octet });
	k->r.client_port = 50000;
	k->r.server_port = 443;
	k->r.domain = "api.example.org";
	k->r.protocol = "tls";
	k->r.app_id = app;
	k->r.app_name = app;
	k->r.app_kind = "app";
	k->r.app_evidence = "sni";
	k->r.device_name = "emma-phone";
	memcpy(k->r.country, "SG", 3);
	memcpy(k->r.jur_location, "SG", 3);
	memcpy(k->r.jur_operator, "CN", 3);
}

static void
finding(struct finding_record *fr, const struct flow_record *r,
    const char *id, bool same)
{
	memset(fr, 0, sizeof(*fr));
	fr->flow = r;
	fr->rule_id = id;
	fr->ruleset = "t";
	fr->title = id;
	fr->title_template = "{app}";
	fr->severity = SEVERITY_HIGH;
	fr->first_us = r->flow->first_us;
	fr->last_us = r->flow->last_us;
	fr->same_flow_as_previous = same;
}

/* Run the findings (flow, rule, same) through a fresh writer. */
static void
write_findings(struct lines *out, const struct flow_record *const *flows,
    const char *const *ids, const bool *same, size_t n)
{
	struct eve_options opt = { .hostname = "gw" };
	struct eve *e = NULL;
	char err[256];

	memset(out, 0, sizeof(*out));
	assert_int_equal(eve_open_sink(&sink_ops, out, &opt, &e, err,
	    sizeof(err)), 0);
	for (size_t i = 0; i < n; i++) {
		struct finding_record fr;

		finding(&fr, flows[i], ids[i], same[i]);
		eve_output_ops.finding(e, &fr);
	}
	eve_close(e);
	assert_int_equal(out->n, n);
}

static void
strip_created(char *s)
{
	char *p = strstr(s, "\"created\":\"");

	/* event.created is the wall clock: the same length each time. */
	if (p != NULL)
		for (p += 11; *p != '\0' && *p != '"'; p++)
			*p = 'x';
}

static void
test_finding_reuse(void **state)
{
	struct fake_flow a, b;
	const struct flow_record *flows[] = { &a.r, &a.r, &a.r, &b.r, &b.r };
	const char *const ids[] = { "r.one", "r.two", "r.three", "r.four",
	    "r.five" };
	/* As the judge says: the first of each moment is new. */
	const bool same[] = { false, true, true, false, true };
	const bool fresh[] = { false, false, false, false, false };
	struct lines got, want;

	(void)state;
	fake_flow(&a, 7, "tiktok");
	fake_flow(&b, 9, NULL);		/* no app: who{} is shorter */
	b.r.device_name = NULL;
	write_findings(&got, flows, ids, same, 5);
	write_findings(&want, flows, ids, fresh, 5);
	for (size_t i = 0; i < 5; i++) {
		strip_created(got.text[i]);
		strip_created(want.text[i]);
		assert_string_equal(got.text[i], want.text[i]);
		assert_non_null(strstr(got.text[i], ids[i]));
		free(got.text[i]);
		free(want.text[i]);
	}
}

/* "Same as before" with nothing before: built afresh, not from nothing. */
static void
test_finding_same_first(void **state)
{
	struct fake_flow a;
	const struct flow_record *flows[] = { &a.r };
	const char *const ids[] = { "r.one" };
	const bool same[] = { true };
	struct lines got;

	(void)state;
	fake_flow(&a, 7, "tiktok");
	write_findings(&got, flows, ids, same, 1);
	assert_non_null(strstr(got.text[0], "\"destination\":{"));
	assert_non_null(strstr(got.text[0], "\"app\":{\"id\":\"tiktok\""));
	free(got.text[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_reuse),
		cmocka_unit_test(test_finding_same_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
