/*
 * test_summary.c - the summary model filled by hand, as a report from
 * stored rows would fill it: merging of equal keys, sorting, top-N, a
 * key over the cap and a full table going to "(other)", and the text
 * and JSON printed from the one model (the JSON walked to prove it
 * parses).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summary.h"
#include "daemon/detect/pii_int.h"

/* What a printer wrote, NUL-terminated; the caller frees it. */
static char *
render(const struct summary_model *m, bool json, unsigned top)
{
	FILE *fp = tmpfile();
	char *s;
	long n;

	assert_non_null(fp);
	if (json)
		summary_print_json(m, fp, top);
	else
		summary_print_text(m, fp, top);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

static const struct run_counter decode[] = {
	{ "decoded", 10 }, { "ipv4.truncated", 0 },
};
static const struct run_counter applayer[] = {
	{ "dns.queries", 2 },
};

static void
set_totals(struct summary_model *m)
{
	struct run_stats t;

	memset(&t, 0, sizeof(t));
	t.files = 1;
	t.packets = 10;
	t.bytes = 20480;
	t.first_us = 1000000;
	t.last_us = 3500000;
	t.flows = 6;
	t.flows_ended[FLOW_END_IDLE] = 6;
	t.peak_flows = 3;
	t.max_flows = 100;
	t.decode = decode;
	t.n_decode = 2;
	t.applayer = applayer;
	t.n_applayer = 1;
	t.pii_enabled = true;
	t.pii_identities = 1;
	t.pii_observations = 3;
	t.policy_rules = 4;
	t.findings = 4;
	summary_set_totals(m, &t);
}

static struct summary_traffic
tr(uint64_t flows, uint64_t out, uint64_t in)
{
	struct summary_traffic t = { flows, out, in };

	return t;
}

/* A model as a weekly report would build it; long is over the cap. */
static struct summary_model *
build(void)
{
	struct summary_model *m = summary_new();
	struct summary_data_key k = { "App", "email", "example.com", "US",
	    "US", "-" };
	char longname[SUMMARY_STR_MAX + 2], maxname[SUMMARY_STR_MAX + 1];
	struct summary_traffic t;

	assert_non_null(m);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memset(maxname, 'b', sizeof(maxname) - 1);
	maxname[sizeof(maxname) - 1] = '\0';
	set_totals(m);

	t = tr(1, 1000, 5000);
	assert_int_equal(summary_add_server(m, "example.com", "tls", &t), 0);
	t = tr(1, 500, 20000);
	assert_int_equal(summary_add_server(m, "example.com", "tls", &t), 0);
	t = tr(1, 10, 10);
	assert_int_equal(summary_add_server(m, "example.com", "quic", &t), 0);
	t = tr(1, 100, 100);
	assert_int_equal(summary_add_server(m, "[2001:db8::1]:443", "tcp", &t),
	    0);
	t = tr(1, 1, 1);
	assert_int_equal(summary_add_server(m, maxname, "tls", &t), 0);
	t = tr(1, 7, 7);
	assert_int_equal(summary_add_server(m, longname, "tls", &t), -E2BIG);
	assert_int_equal(summary_add_server(m, NULL, "tls", &t), -EINVAL);

	/* Labels are not keys: the first one stays, a long one is cut. */
	t = tr(2, 300, 300);
	assert_int_equal(summary_add_app(m, "com.example", longname, &t), 0);
	assert_int_equal(summary_add_app(m, "com.example", "Other", &t), 0);

	t = tr(1, 100, 100);
	assert_int_equal(summary_add_operator(m, 7922, "Comcast", &t), 0);
	assert_int_equal(summary_add_operator(m, 13335, "Cloudflare", &t), 0);
	assert_int_equal(summary_add_country(m, "US", &t), 0);

	t = tr(1, 10, 10);
	assert_int_equal(summary_add_data(m, &k, NULL, &t), 0);
	k.category = "phone";
	assert_int_equal(summary_add_data(m, &k, "READ_PHONE_STATE", &t), 0);
	k.app = NULL;
	assert_int_equal(summary_add_data(m, &k, NULL, &t), -EINVAL);

	/* Findings: most severe first whatever the order they came in;
	 * one rule's identical sentences merge; a hostile name is escaped. */
	{
		struct summary_finding f = { SEVERITY_LOW, "r.low", "test",
		    "A low one", NULL, NULL, NULL };

		t = tr(1, 0, 0);
		assert_int_equal(summary_add_finding(m, &f, &t), 0);
		f = (struct summary_finding){ SEVERITY_HIGH, "r.high", "test",
		    "App sent phone number to \x1b[31mX", "App", "phone",
		    "Op" };
		assert_int_equal(summary_add_finding(m, &f, &t), 0);
		assert_int_equal(summary_add_finding(m, &f, &t), 0);
		f.rule_id = NULL;
		assert_int_equal(summary_add_finding(m, &f, &t), -EINVAL);
	}
	summary_sort(m);
	return m;
}

static const char expect_text[] =
"outflow audit: 1 file, 10 packets, 20.0 KiB, 2.5 s of traffic\n"
"\n"
"Findings (4 from 4 rules; most severe first)\n"
"  HIGH     App sent phone number to \\x1b[31mX (2 times)  [r.high]\n"
"  LOW      A low one  [r.low]\n"
"\n"
"Packets\n"
"  tcp/udp decoded                              10\n"
"\n"
"Parse errors by reason (0 packets skipped)\n"
"  none\n"
"\n"
"Flows\n"
"  total                                         6\n"
"  ended idle                                    6\n"
"  ended closed (FIN/RST)                        0\n"
"  evicted (table full)                          0\n"
"  open at end of capture                        0\n"
"  peak concurrent                        3 of 100\n"
"\n"
"Application layer\n"
"  dns.queries                                   2\n"
"\n"
"Busiest server names\n"
"  server                                       protocol                 flows         sent     received\n"
"  example.com                                  tls                          2       1500 B     24.4 KiB\n"
"  [2001:db8::1]:443                            tcp                          1        100 B        100 B\n"
"  example.com                                  quic                         1         10 B         10 B\n"
"  ... and 1 more\n"
"  (1 flows with a name over 255 bytes)\n"
"\n"
"Apps and SDKs\n"
"  app                                          name                     flows         sent     received\n"
"  com.example                                  aaaaaaaaaaaaaaaaaaaaaa       4        600 B        600 B\n"
"\n"
"Destination countries\n"
"  country                                                               flows         sent     received\n"
"  US                                                                        1        100 B        100 B\n"
"\n"
"Destination operators\n"
"  ASN                                          operator                 flows         sent     received\n"
"  AS13335                                      Cloudflare                   1        100 B        100 B\n"
"  AS7922                                       Comcast                      1        100 B        100 B\n"
"\n"
"Personal data (3 observations; 1 known identities configured)\n"
"  app                      category               destination                    country operator vendor flows  permission\n"
"  App                      email                  example.com                    US      US       -          1  \n"
"  App                      phone                  example.com                    US      US       -          1  READ_PHONE_STATE\n";

static void
test_text(void **state)
{
	struct summary_model *m = build();
	char *s = render(m, false, 3);

	(void)state;
	assert_string_equal(s, expect_text);
	free(s);
	summary_free(m);
}

struct fields {
	char path[256][64];
	char val[256][300];
	size_t n;
};

static bool
collect(void *arg, const struct pii_field *f)
{
	struct fields *g = arg;

	if (g->n < 256) {
		snprintf(g->path[g->n], sizeof(g->path[0]), "%s", f->path);
		snprintf(g->val[g->n], sizeof(g->val[0]), "%.*s",
		    (int)f->val_len, (const char *)f->val);
		g->n++;
	}
	return true;
}

static uint8_t scratch[65536];

/* Walk the JSON (it must parse whole); the value at path or NULL. */
static const char *
json_get(const char *json, struct fields *g, const char *path)
{
	struct pii_buf sb = { scratch, 0, sizeof(scratch) };
	uint32_t obj = 0;

	g->n = 0;
	assert_true(pii_json_walk((const uint8_t *)json, strlen(json), "$",
	    PII_JSON_MAX_DEPTH, &sb, &obj, collect, g));
	assert_true(g->n < sizeof(g->path) / sizeof(g->path[0]));
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->path[i], path) == 0)
			return g->val[i];
	return NULL;
}

static void
test_json(void **state)
{
	static struct fields g;
	struct summary_model *m = build();
	char *s = render(m, true, 3);

	(void)state;
	/* One object on one line. */
	assert_true(s[0] == '{');
	assert_string_equal(strchr(s, '\n') - 1, "}\n");
	assert_string_equal(json_get(s, &g, "$.policy.rules"), "4");
	assert_string_equal(json_get(s, &g, "$.policy.findings[0].severity"),
	    "high");
	assert_string_equal(json_get(s, &g, "$.policy.findings[0].count"), "2");
	assert_string_equal(json_get(s, &g, "$.policy.findings[0].device"),
	    "phone");
	assert_string_equal(json_get(s, &g, "$.policy.findings[1].app"), "-");
	assert_string_equal(json_get(s, &g, "$.servers[0].name"),
	    "example.com");
	assert_string_equal(json_get(s, &g, "$.servers[0].protocol"), "tls");
	assert_string_equal(json_get(s, &g, "$.servers[0].flows"), "2");
	assert_string_equal(json_get(s, &g, "$.servers[0].bytes_received"),
	    "25000");
	assert_string_equal(json_get(s, &g, "$.servers[2].protocol"), "quic");
	assert_null(json_get(s, &g, "$.servers[3].name"));
	assert_string_equal(json_get(s, &g, "$.servers_other.flows"), "1");
	assert_string_equal(json_get(s, &g, "$.servers_other.bytes_sent"), "7");
	assert_string_equal(json_get(s, &g,
	    "$.servers_other.flows_name_too_long"), "1");
	assert_null(json_get(s, &g, "$.apps_other.flows"));
	assert_int_equal(strlen(json_get(s, &g, "$.apps[0].app_name")),
	    SUMMARY_STR_MAX);
	assert_string_equal(json_get(s, &g, "$.operators[0].name"), "AS13335");
	assert_string_equal(json_get(s, &g, "$.operators[1].operator"),
	    "Comcast");
	assert_string_equal(json_get(s, &g, "$.countries[0].name"), "US");
	assert_null(json_get(s, &g, "$.countries[0].note"));
	assert_string_equal(json_get(s, &g,
	    "$.personal_data.flows[1].permission"), "READ_PHONE_STATE");
	assert_null(json_get(s, &g, "$.personal_data.flows[0].permission"));
	assert_string_equal(json_get(s, &g,
	    "$.personal_data.flows[0].vendor_jurisdiction"), "-");
	assert_string_equal(json_get(s, &g, "$.decode.decoded"), "10");
	free(s);
	summary_free(m);
}

/* Rows beyond SUMMARY_MAX_KEYS are summed under "(other)", not lost. */
static void
test_full(void **state)
{
	static struct fields g;
	struct summary_model *m = summary_new();
	struct summary_traffic t = tr(1, 1, 0);
	char name[16], *s;

	(void)state;
	assert_non_null(m);
	set_totals(m);
	for (unsigned i = 0; i < SUMMARY_MAX_KEYS; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		assert_int_equal(summary_add_country(m, name, &t), 0);
	}
	assert_int_equal(summary_add_country(m, "new", &t), -ENOSPC);
	assert_int_equal(summary_add_country(m, "c7", &t), 0);
	summary_sort(m);
	s = render(m, false, 2);
	assert_non_null(strstr(s, "\nDestination countries\n"));
	assert_non_null(strstr(s, "  c7   "));
	assert_non_null(strstr(s, "  ... and 16382 more\n"
	    "  (1 flows beyond the table limit)\n"));
	assert_null(strstr(s, "over 255 bytes"));
	free(s);
	s = render(m, true, 2);
	assert_string_equal(json_get(s, &g, "$.countries[0].name"), "c7");
	assert_string_equal(json_get(s, &g, "$.countries[0].flows"), "2");
	assert_string_equal(json_get(s, &g, "$.countries_other.flows"), "1");
	assert_string_equal(json_get(s, &g,
	    "$.countries_other.flows_name_too_long"), "0");
	free(s);
	/* Sorting moved every row: the index must find them again. */
	assert_int_equal(summary_add_country(m, "c9", &t), 0);
	assert_int_equal(summary_add_country(m, "c9", &t), 0);
	assert_int_equal(summary_add_country(m, "new", &t), -ENOSPC);
	summary_sort(m);
	s = render(m, true, 2);
	assert_string_equal(json_get(s, &g, "$.countries[0].name"), "c9");
	assert_string_equal(json_get(s, &g, "$.countries[0].flows"), "3");
	assert_string_equal(json_get(s, &g, "$.countries[1].name"), "c7");
	assert_string_equal(json_get(s, &g, "$.countries_other.flows"), "2");
	free(s);
	summary_free(m);
}

/* Names from the network are escaped for the terminal and for JSON. */
static void
test_escaping(void **state)
{
	struct summary_model *m = summary_new();
	struct summary_traffic t = tr(1, 1, 1);
	char *s;

	(void)state;
	assert_non_null(m);
	set_totals(m);
	assert_int_equal(summary_add_server(m, "a\x1b[2Jb\tc", "http", &t), 0);
	s = render(m, false, 5);
	assert_non_null(strstr(s, "  a\\x1b[2Jb\\x09c "));
	assert_null(strchr(s, '\x1b'));
	free(s);
	s = render(m, true, 5);
	assert_non_null(strstr(s, "\"name\":\"a\\u001b[2Jb\\tc\""));
	free(s);
	assert_null(summary_free(m));
	assert_null(summary_free(NULL));
}

/*
 * Hostile names (issue 10): each one a row of its own, intact, escaped
 * in text (no control, C1 or bidi byte reaches the terminal, and a
 * backslash is doubled so the text "\x1b" differs from ESC) and in
 * JSON, where parsing gives back the name exactly.
 */
static const struct {
	const char *name;
	const char *text;	/* as the text summary shows it */
} hostile[] = {
	{ "tab\there", "tab\\x09here" },
	{ "nl\nfake.example.com                  tls     9",
	  "nl\\x0afake.example.com                  tls     9" },
	{ "esc\x1b[31mred\x1b[0m", "esc\\x1b[31mred\\x1b[0m" },
	{ "csi\xc2\x9b" "2J", "csi\\xc2\\x9b2J" },
	{ "osc\xc2\x9d" "0;title\xc2\x9c", "osc\\xc2\\x9d0;title\\xc2\\x9c" },
	{ "c1\xc2\x80\xc2\x9f", "c1\\xc2\\x80\\xc2\\x9f" },
	{ "rlo\xe2\x80\xaegpj.exe\xe2\x80\xac",
	  "rlo\\xe2\\x80\\xaegpj.exe\\xe2\\x80\\xac" },
	{ "lre\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xad",
	  "lre\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xad" },
	{ "iso\xe2\x81\xa6x\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	  "iso\\xe2\\x81\\xa6x\\xe2\\x81\\xa7\\xe2\\x81\\xa8\\xe2\\x81\\xa9" },
	{ "back\\x1bslash", "back\\\\x1bslash" },
	{ "\\\\", "\\\\\\\\" },
	{ "mix\t\\\x1b\xc2\x9b\xe2\x80\xae\r",
	  "mix\\x09\\\\\\x1b\\xc2\\x9b\\xe2\\x80\\xae\\x0d" },
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* True when s holds no byte a terminal acts on but the final newlines. */
static bool
term_clean(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\n') || c >= 0x7f)
			return false;
	}
	return true;
}

/* Some of the C1 and bidi code points a terminal would act on. */
static bool
json_term_clean(const char *s)
{
	static const char *const bad[] = { "\x1b", "\t", "\xc2\x80",
	    "\xc2\x9b", "\xc2\x9c", "\xc2\x9d", "\xc2\x9f", "\xe2\x80\xaa",
	    "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
	    "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(s, bad[i]) != NULL)
			return false;
	return strchr(s, '\n') == s + strlen(s) - 1;
}

static void
test_hostile(void **state)
{
	static struct fields g;
	struct summary_model *m = summary_new();
	struct summary_data_key k = { NULL, "email", NULL, "US", "US", "-" };
	char *s, *p, path[64], line[512];
	struct summary_traffic t;

	(void)state;
	assert_non_null(m);
	set_totals(m);
	/* Row i has i + 1 bytes: printed in reverse. */
	for (size_t i = 0; i < N_HOSTILE; i++) {
		t = tr(1, i + 1, 0);
		assert_int_equal(summary_add_server(m, hostile[i].name,
		    "\x1b\x1b\x1b\x1b\x1b\x1b", &t), 0);
		assert_int_equal(summary_add_app(m, "com.example",
		    hostile[i].name, &t), 0);
		k.app = hostile[i].name;
		k.destination = hostile[i].name;
		assert_int_equal(summary_add_data(m, &k, NULL, &t), 0);
	}
	summary_sort(m);

	s = render(m, false, 100);
	assert_true(term_clean(s));
	assert_non_null(p = strstr(s, "\nBusiest server names\n"));
	p = strchr(p + 1, '\n') + 1;		/* the header */
	p = strchr(p, '\n') + 1;
	for (size_t i = N_HOSTILE; i-- > 0;) {
		char sent[16];

		/* The protocol column is cut at 22 bytes, never inside an
		 * escape: five ESCs shown, not "\x1".  */
		snprintf(sent, sizeof(sent), "%zu B", i + 1);
		snprintf(line, sizeof(line), "  %-44s %-22s %7u %12s %12s\n",
		    hostile[i].text, "\\x1b\\x1b\\x1b\\x1b\\x1b", 1, sent,
		    "0 B");
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_true(*p == '\n');		/* no row more */
	/* The app label (the first one stays) and the personal data. */
	snprintf(line, sizeof(line), "\n  %-44s %-22s ", "com.example",
	    hostile[0].text);
	assert_non_null(strstr(s, line));
	snprintf(line, sizeof(line), "\n  %-24s %-22s %-30s %-7s ",
	    "back\\\\x1bslash", "email", "back\\\\x1bslash", "US");
	assert_non_null(strstr(s, line));
	/* Cut at 24 bytes, not inside an escape. */
	snprintf(line, sizeof(line), "\n  %-24s %-22s ",
	    "rlo\\xe2\\x80\\xaegpj.exe", "email");
	assert_non_null(strstr(s, line));
	free(s);

	s = render(m, true, 100);
	assert_true(json_term_clean(s));
	assert_non_null(strstr(s, "\"name\":\"csi\\u009b2J\""));
	assert_non_null(strstr(s, "\"name\":\"rlo\\u202egpj.exe\\u202c\""));
	assert_non_null(strstr(s, "\"name\":\"back\\\\x1bslash\""));
	for (size_t i = 0; i < N_HOSTILE; i++) {
		snprintf(path, sizeof(path), "$.servers[%zu].name",
		    N_HOSTILE - 1 - i);
		assert_string_equal(json_get(s, &g, path), hostile[i].name);
		snprintf(path, sizeof(path), "$.servers[%zu].protocol", i);
		assert_string_equal(json_get(s, &g, path),
		    "\x1b\x1b\x1b\x1b\x1b\x1b");
		snprintf(path, sizeof(path),
		    "$.personal_data.flows[%zu].destination", N_HOSTILE - 1 - i);
		assert_string_equal(json_get(s, &g, path), hostile[i].name);
	}
	snprintf(path, sizeof(path), "$.servers[%zu].name", N_HOSTILE);
	assert_null(json_get(s, &g, path));
	free(s);
	summary_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
