/*
 * test_runconf.c - outflow.yaml: every key lands where it should, every
 * error of a file is reported with its place, the shipped example loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runconf.h"

static struct runconf *
load(const char *text, char *err, size_t errlen)
{
	struct runconf *c = NULL;

	if (runconf_load_string("t.yaml", text, strlen(text), &c, err,
	    errlen) != 0)
		return NULL;
	return c;
}

static void
test_every_section(void **state)
{
	char err[4096];
	struct runconf *c = load(
	    "user: outflow\n"
	    "capture:\n"
	    "  interfaces: [eth1, wlan0]\n"
	    "  filter: not port 22\n"
	    "  promiscuous: false\n"
	    "  snaplen: 1500\n"
	    "geoip: {enabled: false, country: c.mmdb}\n"
	    "rules: {dir: /r, personal_data: false}\n"
	    "devices: [\"02:00:00:00:00:01=tv\"]\n"
	    "events: {file: /e.json, dns: false, stats_interval: 0}\n"
	    "limits: {max_flows: 1000, stream_memory_mib: 4}\n", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->user, "outflow");
	assert_int_equal(c->n_ifaces, 2);
	assert_string_equal(c->ifaces[1], "wlan0");
	assert_string_equal(c->filter, "not port 22");
	assert_true(c->promisc.set);
	assert_int_equal(c->promisc.value, 0);
	assert_int_equal(c->snaplen.value, 1500);
	assert_true(c->geoip.set);
	assert_int_equal(c->geoip.value, 0);
	assert_string_equal(c->geoip_country, "c.mmdb");
	assert_string_equal(c->rules_dir, "/r");
	assert_int_equal(c->personal_data.value, 0);
	assert_int_equal(c->n_devices, 1);
	assert_null(c->devices[1]);
	assert_string_equal(c->eve_path, "/e.json");
	assert_int_equal(c->eve_dns.value, 0);
	assert_false(c->eve_http.set);
	assert_true(c->stats_interval.set);
	assert_int_equal(c->stats_interval.value, 0);
	assert_int_equal(c->max_flows.value, 1000);
	assert_int_equal(c->stream_memory_mib.value, 4);
	assert_false(c->dns_cache.set);
	runconf_free(c);
}

static void
test_one_interface_and_empty(void **state)
{
	char err[512];
	struct runconf *c = load("capture:\n  interfaces: eth0\n", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->n_ifaces, 1);
	runconf_free(c);
	c = load("", err, sizeof(err));
	assert_non_null(c);
	assert_null(c->user);
	assert_int_equal(c->n_ifaces, 0);
	runconf_free(c);
}

/* Every error of the file, each with its line and column. */
static void
test_all_errors(void **state)
{
	char err[4096];
	struct runconf *c = load(
	    "capture:\n"
	    "  snaplen: 0\n"
	    "  bogus: 1\n"
	    "events:\n"
	    "  dns: yes\n"
	    "limits: 3\n"
	    "devices: [nomac]\n"
	    "foo: bar\n", err, sizeof(err));

	(void)state;
	assert_null(c);
	assert_non_null(strstr(err, "t.yaml:2:12: expected an integer in [1, 262144]"));
	assert_non_null(strstr(err, "t.yaml:3:3: unknown key 'bogus' (expected one of: interfaces,"));
	assert_non_null(strstr(err, "t.yaml:5:8: expected true or false"));
	assert_non_null(strstr(err, "t.yaml:6:9: expected a mapping"));
	assert_non_null(strstr(err, "t.yaml:7:11: expected MAC=NAME"));
	assert_non_null(strstr(err, "t.yaml:8:1: unknown key 'foo'"));
}

static void
test_bad_yaml_and_limits(void **state)
{
	char err[512], big[2048];
	size_t o = 0;

	(void)state;
	assert_null(load("capture: [\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:"));
	assert_null(load("- a\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:1: expected a mapping"));
	o += (size_t)snprintf(big + o, sizeof(big) - o, "capture:\n  interfaces: [");
	for (int i = 0; i < RUNCONF_MAX_IFACES + 1; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%se%d",
		    i ? ", " : "", i);
	snprintf(big + o, sizeof(big) - o, "]\n");
	assert_null(load(big, err, sizeof(err)));
	assert_non_null(strstr(err, "more than 16 interfaces"));
	assert_null(load("capture: {interfaces: [averyveryverylongname]}\n",
	    err, sizeof(err)));
	assert_non_null(strstr(err, "expected an interface name"));
	/* A small buffer holds what fits, never overflows. */
	assert_null(load("a: 1\nb: 2\nc: 3\n", err, 40));
	assert_true(strlen(err) < 40);
}

/* The policy rules and the store: lists, a country, numbers in range. */
static void
test_policy_and_store(void **state)
{
	char err[4096];
	struct runconf *c = load(
	    "policy:\n"
	    "  shipped: false\n"
	    "  rules: [/etc/outflow/rules.d, /etc/outflow/local.yaml]\n"
	    "  enable: gdpr-chapter5\n"
	    "  disable: [banned-apps]\n"
	    "  home_country: DE\n"
	    "store:\n"
	    "  path: /var/lib/outflow/outflow.db\n"
	    "  retention_days: 90\n"
	    "  max_size_mib: 256\n", err, sizeof(err));

	(void)state;
	if (c == NULL)
		fail_msg("%s", err);
	assert_true(c->policy_shipped.set);
	assert_int_equal(c->policy_shipped.value, 0);
	assert_int_equal(c->n_policy_rules, 2);
	assert_string_equal(c->policy_rules[1], "/etc/outflow/local.yaml");
	assert_null(c->policy_rules[2]);
	assert_int_equal(c->n_policy_enable, 1);
	assert_string_equal(c->policy_enable[0], "gdpr-chapter5");
	assert_null(c->policy_enable[1]);
	assert_int_equal(c->n_policy_disable, 1);
	assert_string_equal(c->policy_disable[0], "banned-apps");
	assert_string_equal(c->home_country, "DE");
	assert_string_equal(c->store_path, "/var/lib/outflow/outflow.db");
	assert_int_equal(c->store_retention_days.value, 90);
	assert_int_equal(c->store_max_size_mib.value, 256);
	runconf_free(c);
}

static void
test_policy_and_store_errors(void **state)
{
	char err[4096], big[2048];
	size_t o = 0;
	struct runconf *c = load(
	    "policy:\n"
	    "  shipped: sometimes\n"
	    "  rules: [\"\"]\n"
	    "  enable: {a: 1}\n"
	    "  home_country: ZZ\n"
	    "  fail_on: high\n"
	    "store:\n"
	    "  retention_days: 0\n"
	    "  max_size_mib: 1048577\n"
	    "  path: [a]\n", err, sizeof(err));

	(void)state;
	assert_null(c);
	assert_non_null(strstr(err, "t.yaml:2:12: expected true or false"));
	assert_non_null(strstr(err, "t.yaml:3:11: expected a name"));
	assert_non_null(strstr(err, "t.yaml:4:11: expected a string or a list of strings"));
	assert_non_null(strstr(err, "t.yaml:5:17: expected an ISO 3166-1 alpha-2 code"));
	assert_non_null(strstr(err, "t.yaml:6:3: unknown key 'fail_on' (expected one of: shipped, rules, enable, disable, home_country)"));
	assert_non_null(strstr(err, "t.yaml:8:19: expected an integer in [1, 36500]"));
	assert_non_null(strstr(err, "t.yaml:9:17: expected an integer in [1, 1048576]"));
	assert_non_null(strstr(err, "t.yaml:10:9: expected a string"));
	assert_null(load("policy: {home_country: Germany}\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:24: expected an ISO 3166-1"));
	o += (size_t)snprintf(big + o, sizeof(big) - o, "policy:\n  rules: [");
	for (int i = 0; i < RUNCONF_MAX_LIST + 1; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "%sr%d",
		    i ? ", " : "", i);
	snprintf(big + o, sizeof(big) - o, "]\n");
	assert_null(load(big, err, sizeof(err)));
	assert_non_null(strstr(err, "more than 64 items"));
}

static void
test_syslog(void **state)
{
	char err[4096];
	struct runconf *c = load(
	    "events:\n"
	    "  syslog: tcp://[::1]:10514\n"
	    "  syslog_facility: daemon\n"
	    "  syslog_max_message: 2048\n"
	    "  syslog_queue_kib: 128\n", err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->syslog, "tcp://[::1]:10514");
	assert_string_equal(c->syslog_facility, "daemon");
	assert_true(c->syslog_max_message.set);
	assert_int_equal(c->syslog_max_message.value, 2048);
	assert_int_equal(c->syslog_queue_kib.value, 128);
	runconf_free(c);
	assert_null(load(
	    "events:\n"
	    "  syslog: syslog.example:514\n"
	    "  syslog_facility: local9\n"
	    "  syslog_max_message: 100\n"
	    "  syslog_queue_kib: 0\n"
	    "  lan: [10.0.0.0/8]\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:2:11: expected udp://HOST[:PORT] "
	    "or tcp://HOST[:PORT]"));
	assert_non_null(strstr(err, "t.yaml:3:20: unknown facility 'local9' "
	    "(expected one of: kern, user,"));
	assert_non_null(strstr(err, "t.yaml:4:23: expected an integer in "
	    "[480, 65507]"));
	assert_non_null(strstr(err, "t.yaml:5:21: expected an integer in "
	    "[64, 1048576]"));
	assert_non_null(strstr(err, "t.yaml:6:3: unknown key 'lan'"));
	assert_null(load("events: {syslog: \"udp://h:70000\"}\n", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:18: expected a port (1-65535)"));
}

static void
test_lan(void **state)
{
	char err[4096];
	struct runconf *c = load("lan: [192.168.1.0/24, \"fd00::/8\"]\n", err,
	    sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->n_lan, 2);
	assert_string_equal(c->lan[1], "fd00::/8");
	assert_null(c->lan[2]);
	runconf_free(c);
	assert_non_null(c = load("lan: 10.0.0.0/8\n", err, sizeof(err)));
	assert_int_equal(c->n_lan, 1);
	runconf_free(c);
	/* Every bad prefix, each with its place. */
	assert_null(load("lan:\n  - 10.0.0.1/8\n  - 10.0.0.0/8\n"
	    "  - ten\n  - [x]\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:2:5: host bits set in 10.0.0.1/8"));
	assert_non_null(strstr(err, "t.yaml:4:5: 'ten' is not an IPv4 or IPv6 "
	    "address"));
	assert_non_null(strstr(err, "t.yaml:5:5: expected a string"));
	assert_null(strstr(err, ":3:"));
}

static void
test_report_mail(void **state)
{
	char err[4096];
	struct runconf *c = load(
	    "report:\n"
	    "  mail: [/usr/bin/mail, -s, \"\", root]\n", err, sizeof(err));

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->n_report_mail, 4);
	assert_string_equal(c->report_mail[0], "/usr/bin/mail");
	assert_string_equal(c->report_mail[2], "");
	assert_null(c->report_mail[4]);
	runconf_free(c);
	/* No shell splits a string, so a list is asked for; the command
	 * itself cannot be empty. */
	assert_null(load("report: {mail: mail -s x root}\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:16: expected a list"));
	assert_null(load("report: {mail: []}\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:16: expected a command and its "
	    "arguments"));
	assert_null(load("report: {mail: [\"\", x]}\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.yaml:1:17: expected a command"));
	assert_null(load("report: {to: root}\n", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown key 'to' (expected one of: mail)"));
}

static void
test_shipped_example(void **state)
{
	char err[4096];
	struct runconf *c = NULL;

	(void)state;
	if (runconf_load(TOP_SRCDIR "/etc/outflow.yaml", &c, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c->user, "outflow");
	assert_int_equal(c->n_ifaces, 1);
	assert_string_equal(c->eve_path, "/var/log/outflow/events.json");
	assert_int_equal(c->policy_shipped.value, 1);
	assert_string_equal(c->store_path, "/var/lib/outflow/outflow.db");
	runconf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_section),
		cmocka_unit_test(test_one_interface_and_empty),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_report_mail),
		cmocka_unit_test(test_bad_yaml_and_limits),
		cmocka_unit_test(test_policy_and_store),
		cmocka_unit_test(test_policy_and_store_errors),
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_lan),
		cmocka_unit_test(test_shipped_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
