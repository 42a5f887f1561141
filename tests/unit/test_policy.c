/*
 * test_policy.c - policy rules: every error of a broken pack reported
 * with its place; overrides, disables and rulesets; the home country;
 * titles; the anchor index against trying every rule; and, for every
 * shipped rule, a flow that fires it and a near miss that does not
 * (tests/policy/cases.yaml).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "applayer.h"
#include "apps.h"
#include "hash.h"
#include "jurisdictions.h"
#include "pii.h"
#include "policy.h"
#include "yaml_doc.h"

static struct apps *apps;
static struct jurisdictions *jur;
static struct pii_engine *pii;
static char dir[64];

#define MAX_MSGS 256

struct msgs {
	char *v[MAX_MSGS];
	size_t n;
};

static void
collect(void *arg, const char *msg)
{
	struct msgs *m = arg;

	if (m->n < MAX_MSGS)
		m->v[m->n++] = strdup(msg);
}

static void
msgs_free(struct msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i]);
	m->n = 0;
}

/* True if some message starts with prefix and holds text. */
static bool
has_msg(const struct msgs *m, const char *prefix, const char *text)
{
	for (size_t i = 0; i < m->n; i++)
		if (strncmp(m->v[i], prefix, strlen(prefix)) == 0 &&
		    strstr(m->v[i], text) != NULL)
			return true;
	return false;
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[8][160];
	static unsigned next;
	char *p = path[next++ % 8];
	FILE *fp;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
	return p;
}

static int
setup(void **state)
{
	struct pii_config pc;
	char err[512];

	(void)state;
	hash_seed_set(1, 2);
	snprintf(dir, sizeof(dir), "/tmp/test_policy.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(apps_load(TOP_SRCDIR "/rules/apps.yaml", &apps, err,
	    sizeof(err)), 0);
	assert_int_equal(jur_load_file(TOP_SRCDIR "/rules/jurisdictions.yaml",
	    &jur, err, sizeof(err)), 0);
	memset(&pc, 0, sizeof(pc));
	pc.rules_path = TOP_SRCDIR "/rules/personal_data.yaml";
	pc.permissions_path = TOP_SRCDIR "/rules/permissions.yaml";
	assert_int_equal(pii_engine_new(&pc, &pii, err, sizeof(err)), 0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	apps_free(apps);
	jur_free(jur);
	pii_engine_free(pii);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int
load(const char *const *paths, const char *home, const char *const *enable,
    struct msgs *m, struct policy **ret)
{
	struct policy_config c;
	char err[1024];
	int r;

	memset(&c, 0, sizeof(c));
	c.paths = paths;
	c.enable = enable;
	c.apps = apps;
	c.jur = jur;
	c.pii = pii;
	c.home_country = home;
	c.on_error = collect;
	c.arg = m;
	r = policy_load(&c, ret, err, sizeof(err));
	if (r != 0 && m->n > 0)
		/* err has the first message and how many followed. */
		assert_non_null(strstr(err, m->v[0]));
	return r;
}

/* ------------------------------------------------------------ errors */

static const char broken[] =
"version: 1\n"					/* 1 */
"ruleset: t\n"
"rules:\n"
"  - id: t.unknown-key\n"
"    title: x\n"				/* 5 */
"    severity: low\n"
"    colour: red\n"
"    when: {app: tiktok}\n"
"  - id: t.bad-types\n"
"    title: [not, a, string]\n"			/* 10 */
"    severity: urgent\n"
"    when: {data: {min_confidence: high}}\n"
"  - id: t.bad-values\n"
"    title: \"{app} to {nowhere}\"\n"
"    severity: high\n"				/* 15 */
"    when:\n"
"      all:\n"
"        - data: [location.exact]\n"
"        - destination: {country: XX, asn: AS-1, group: mars}\n"
"        - app: {id: no-such-app, kind: game}\n"	/* 20 */
"        - jurisdiction: {group: us_countries_of_concern, by: [planet]}\n"
"        - traffic: {sent_at_least: lots}\n"
"  - id: t.unknown-key\n"
"    title: again\n"
"    severity: low\n"				/* 25 */
"    when: {app: tiktok}\n"
"  - id: Bad Id\n"
"    title: x\n"
"    severity: low\n"
"    when: {nothing: 1}\n";			/* 30 */

static void
test_all_errors(void **state)
{
	const char *f = write_file("broken.yaml", broken);
	const char *paths[] = { f, NULL };
	struct policy *p = NULL;
	struct msgs m = { .n = 0 };
	char at[256];
	static const struct { int line, col; const char *text; } want[] = {
		{ 7, 5, "unknown key 'colour'" },
		{ 10, 12, "expected a string" },
		{ 11, 15, "unknown severity 'urgent'" },
		{ 12, 35, "expected an integer in [0, 100]" },
		{ 14, 12, "unknown placeholder '{nowhere}'" },
		{ 18, 18, "unknown data category 'location.exact'" },
		{ 19, 34, "unknown country code 'XX'" },
		{ 19, 43, "invalid ASN 'AS-1'" },
		{ 19, 56, "unknown country or group 'mars'" },
		{ 20, 21, "unknown app id 'no-such-app'" },
		{ 20, 40, "unknown app kind 'game'" },
		{ 21, 63, "unknown jurisdiction 'planet'" },
		{ 22, 36, "expected a size" },
		{ 23, 9, "duplicate rule id 't.unknown-key' (first at" },
		{ 27, 9, "invalid rule id 'Bad Id'" },
		{ 30, 12, "unknown key 'nothing'" },
	};

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), -EINVAL);
	assert_null(p);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(at, sizeof(at), "%s:%d:%d: ", f, want[i].line,
		    want[i].col);
		if (!has_msg(&m, at, want[i].text)) {
			for (size_t k = 0; k < m.n; k++)
				print_message("got: %s\n", m.v[k]);
			fail_msg("missing %s%s", at, want[i].text);
		}
	}
	assert_int_equal(m.n, sizeof(want) / sizeof(want[0]));
	msgs_free(&m);
}

/* A syntax error ends its file, not the others: both are reported. */
static void
test_syntax_and_next_file(void **state)
{
	const char *a = write_file("a.yaml",
	    "version: 1\nruleset: a\nrules:\n  - id: a.x\n\ttitle: tab\n");
	const char *b = write_file("b.yaml",
	    "version: 2\nruleset: b\nrules: []\n");
	const char *paths[] = { a, b, NULL };
	struct policy *p = NULL;
	struct msgs m = { .n = 0 };
	char at[256];

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), -EINVAL);
	assert_int_equal(m.n, 2);
	snprintf(at, sizeof(at), "%s:5:", a);
	assert_true(has_msg(&m, at, ""));
	snprintf(at, sizeof(at), "%s:1:10: ", b);
	assert_true(has_msg(&m, at, "expected an integer in [1, 1]"));
	msgs_free(&m);
}

static const char base[] =
"version: 1\n"
"ruleset: base\n"
"rules:\n"
"  - id: base.tiktok\n"
"    title: \"{app} seen\"\n"
"    severity: low\n"
"    when: {app: tiktok}\n"
"  - id: base.wechat\n"
"    title: \"{app} seen\"\n"
"    severity: low\n"
"    when: {app: wechat}\n";

static void
test_override_disable(void **state)
{
	const char *b = write_file("base.yaml", base);
	const char *l = write_file("local.yaml",
	    "version: 1\nruleset: local\ndisable: [base.wechat]\nrules:\n"
	    "  - id: base.tiktok\n    override: true\n    title: mine\n"
	    "    severity: high\n    when: {app: capcut}\n");
	const char *dup = write_file("dup.yaml",
	    "version: 1\nruleset: dup\nrules:\n"
	    "  - id: base.tiktok\n    title: t\n    severity: low\n"
	    "    when: {app: tiktok}\n"
	    "  - id: dup.new\n    override: true\n    title: t\n"
	    "    severity: low\n    when: {app: tiktok}\n");
	const char *dis = write_file("dis.yaml",
	    "version: 1\nruleset: dis\ndisable: [no.such]\n");
	const char *ok[] = { b, l, NULL }, *bad[] = { b, dup, dis, NULL };
	struct policy *p = NULL;
	struct msgs m = { .n = 0 };
	char at[256];

	(void)state;
	assert_int_equal(load(ok, NULL, NULL, &m, &p), 0);
	assert_int_equal(m.n, 0);
	/* base.tiktok replaced, base.wechat off. */
	assert_int_equal(policy_rule_count(p), 1);
	policy_free(p);
	p = NULL;
	assert_int_equal(load(bad, NULL, NULL, &m, &p), -EINVAL);
	snprintf(at, sizeof(at), "%s:4:9: ", dup);
	assert_true(has_msg(&m, at, "duplicate rule id 'base.tiktok' "
	    "(first at"));
	assert_true(has_msg(&m, at, "base.yaml:4"));
	snprintf(at, sizeof(at), "%s:8:9: ", dup);
	assert_true(has_msg(&m, at, "no earlier rule has id 'dup.new'"));
	snprintf(at, sizeof(at), "%s:3:11: ", dis);
	assert_true(has_msg(&m, at, "no rule loaded before has id "
	    "'no.such'"));
	assert_int_equal(m.n, 3);
	msgs_free(&m);
}

static void
test_rulesets_and_home(void **state)
{
	const char *f = write_file("off.yaml",
	    "version: 1\nruleset: off\nenabled: false\nrules:\n"
	    "  - id: off.a\n    title: t\n    severity: low\n"
	    "    when: {app: tiktok}\n");
	const char *h = write_file("home.yaml",
	    "version: 1\nruleset: home\nrules:\n"
	    "  - id: home.abroad\n    title: t\n    severity: low\n"
	    "    when: {not: {destination: {country: home}}}\n");
	const char *paths[] = { f, h, NULL };
	const char *enable[] = { "off", NULL };
	struct policy *p = NULL;
	struct msgs m = { .n = 0 };

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), 0);
	assert_int_equal(policy_rule_count(p), 0);
	assert_int_equal(policy_homeless_count(p), 1);
	policy_free(p);
	assert_int_equal(load(paths, "DE", enable, &m, &p), 0);
	assert_int_equal(policy_rule_count(p), 2);
	assert_int_equal(policy_homeless_count(p), 0);
	policy_free(p);
	assert_int_equal(m.n, 0);
}

/* ------------------------------------------------------ flow records */

struct fake {
	struct flow f;
	struct flow_record r;
	struct pii_obs obs[8];
	size_t n_obs;
	char domain[128];
	char op[64];
	const char *late_app;	/* learned only after the name (a cert) */
};

#define MAX_FOUND 512

struct found {
	char ids[MAX_FOUND][64];
	char titles[MAX_FOUND][256];
	bool same_flow[MAX_FOUND];
	size_t n;
};

static void
on_finding(const struct finding_record *fr, void *arg)
{
	struct found *fd = arg;

	assert_true(fd->n < MAX_FOUND);
	if (fd->n < MAX_FOUND) {
		snprintf(fd->ids[fd->n], sizeof(fd->ids[0]), "%s", fr->rule_id);
		snprintf(fd->titles[fd->n], sizeof(fd->titles[0]), "%s",
		    fr->title);
		fd->same_flow[fd->n] = fr->same_flow_as_previous;
		fd->n++;
	}
}

static bool
found(const struct found *fd, const char *id)
{
	for (size_t i = 0; i < fd->n; i++)
		if (strcmp(fd->ids[i], id) == 0)
			return true;
	return false;
}

/* A flow as the pipeline would hand it to the judge. */
static void
fake_init(struct fake *k)
{
	memset(k, 0, sizeof(*k));
	k->f.first_us = 1000000;
	k->f.last_us = 2000000;
	k->f.key.proto = 6;
	k->f.app_proto = APP_PROTO_NONE;
	k->r.flow = &k->f;
	k->r.client.family = 4;
	k->r.server.family = 4;
	k->r.server_port = 443;
}

static void
fake_app(struct fake *k, const char *id)
{
	const struct app *a = apps_find(apps, id);

	assert_non_null(a);
	k->r.app_id = a->id;
	k->r.app_name = a->name;
	k->r.app_kind = a->kind;
	k->r.app_vendor = a->vendor;
	snprintf(k->r.jur_vendor, 3, "%s", a->vendor_jurisdiction);
}

static void
fake_data(struct fake *k, const char *cat, bool known)
{
	const char *const *names = pii_category_names();
	struct pii_obs *o = &k->obs[k->n_obs++];

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], cat) == 0)
			o->category = names[i];
	assert_non_null(o->category);
	o->where = PII_WHERE_BODY;
	o->confidence = 90;
	o->identity = known ? "emma" : NULL;
	snprintf(o->location, sizeof(o->location), "$.x");
	snprintf(o->masked, sizeof(o->masked), "****");
}

static void
judge_all(struct policy_state *s, const struct policy *p, struct fake *k,
    struct found *fd)
{
	struct policy_flow *pf = NULL;

	if (k->r.domain != NULL || k->r.app_id != NULL)
		policy_judge(s, p, &pf, &k->r, POLICY_AT_NAME, NULL, 1500000,
		    on_finding, fd);
	for (size_t i = 0; i < k->n_obs; i++) {
		policy_note_data(s, &pf, &k->obs[i]);
		policy_judge(s, p, &pf, &k->r, POLICY_AT_DATA, &k->obs[i],
		    1600000, on_finding, fd);
		/* The same fact again changes nothing: judged as before. */
		policy_note_data(s, &pf, &k->obs[i]);
		policy_judge(s, p, &pf, &k->r, POLICY_AT_DATA, &k->obs[i],
		    1600000, on_finding, fd);
	}
	if (k->late_app != NULL)
		fake_app(k, k->late_app);
	policy_judge(s, p, &pf, &k->r, POLICY_AT_END, NULL, 2000000,
	    on_finding, fd);
	policy_flow_free(pf);
}

static void
test_titles_and_once(void **state)
{
	const char *f = write_file("t.yaml",
	    "version: 1\nruleset: t\nrules:\n"
	    "  - id: t.loc\n"
	    "    title: \"{app} on {device} sent {data} to {operator} "
	    "({asn}, {jurisdiction}), in {country} {{{port}}}\"\n"
	    "    severity: high\n"
	    "    when:\n      all:\n        - data: [location.*, phone]\n"
	    "        - jurisdiction: {group: us_countries_of_concern, "
	    "by: [operator]}\n");
	const char *paths[] = { f, NULL };
	struct policy *p = NULL;
	struct policy_state *s = policy_state_new();
	struct msgs m = { .n = 0 };
	static struct found fd;
	struct fake k;

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), 0);
	fake_init(&k);
	fake_app(&k, "tiktok");
	k.r.device_name = "emma-phone";
	k.r.operator_name = "ByteDance";
	k.r.asn = 138699;
	memcpy(k.r.country, "SG", 3);
	memcpy(k.r.jur_location, "SG", 3);
	memcpy(k.r.jur_operator, "CN", 3);
	fake_data(&k, "location.precise", true);
	fake_data(&k, "phone", false);
	fake_data(&k, "location.precise", false);
	judge_all(s, p, &k, &fd);
	/* Once per flow, though three observations and the end matched. */
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.titles[0], "TikTok on emma-phone sent precise "
	    "location to ByteDance (AS138699, China), in Singapore {443}");
	policy_free(p);
	policy_state_free(s);
}

/*
 * Rules the index finds in the opposite order (its probes go app, device
 * name, MAC prefix, domain) fire in the order they were loaded, and the
 * findings after the first of one moment say the flow is as it was.
 */
static void
test_findings_in_load_order(void **state)
{
	const char *f = write_file("o.yaml",
	    "version: 1\nruleset: o\nrules:\n"
	    "  - {id: o.domain, title: t, severity: low, "
	    "when: {destination: {domain: [example.org]}}}\n"
	    "  - {id: o.mac, title: t, severity: low, "
	    "when: {device: {mac: [\"02:00:00\"]}}}\n"
	    "  - {id: o.name, title: t, severity: low, when: {device: [tv]}}\n"
	    "  - {id: o.app, title: t, severity: low, when: {app: [tiktok]}}\n"
	    "  - {id: o.gated, title: t, severity: low, when: {any: "
	    "[{app: [tiktok]}, {app: {vendor: [\"No Such Vendor Ltd.\"]}}]}}\n");
	const char *paths[] = { f, NULL };
	static const char *const order[] = { "o.domain", "o.mac", "o.name",
	    "o.app", "o.gated" };
	struct policy *p = NULL;
	struct policy_state *s = policy_state_new();
	struct msgs m = { .n = 0 };
	static struct found fd;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 };
	struct fake k;

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), 0);
	fake_init(&k);
	fake_app(&k, "tiktok");
	k.r.device_name = "TV";
	k.f.has_mac = true;
	memcpy(k.f.client_mac, mac, 6);
	snprintf(k.domain, sizeof(k.domain), "api.example.org");
	k.r.domain = k.domain;
	judge_all(s, p, &k, &fd);
	assert_int_equal(fd.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(fd.ids[i], order[i]);
		assert_int_equal(fd.same_flow[i], i > 0);
	}
	policy_free(p);
	policy_state_free(s);
}

/*
 * An `any` with a branch the index cannot hold (an app vendor) is looked
 * up under the other branch's keys and let in by the vendor's gate: each
 * branch alone fires it.
 */
static void
test_partial_anchor(void **state)
{
	const char *f = write_file("pa.yaml",
	    "version: 1\nruleset: pa\nrules:\n"
	    "  - {id: pa.r, title: t, severity: low, when: {any: ["
	    "{destination: {domain: [example.org]}}, "
	    "{app: {vendor: [\"ByteDance Ltd.\"]}}]}}\n");
	const char *paths[] = { f, NULL };
	static const struct { const char *app, *domain; bool fires; } c[] = {
		{ "tiktok", "other.net", true },
		{ NULL, "api.example.org", true },
		{ "google", "other.net", false },
		{ NULL, NULL, false },
	};
	struct policy *p = NULL;
	struct policy_state *s = policy_state_new();
	struct msgs m = { .n = 0 };

	(void)state;
	assert_int_equal(load(paths, NULL, NULL, &m, &p), 0);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		static struct found fd;
		struct fake k;

		memset(&fd, 0, sizeof(fd));
		fake_init(&k);
		if (c[i].app != NULL)
			fake_app(&k, c[i].app);
		if (c[i].domain != NULL) {
			snprintf(k.domain, sizeof(k.domain), "%s", c[i].domain);
			k.r.domain = k.domain;
		}
		judge_all(s, p, &k, &fd);
		if (fd.n != (c[i].fires ? 1u : 0u))
			fail_msg("case %zu: %zu findings", i, fd.n);
	}
	policy_free(p);
	policy_state_free(s);
}

/* ----------------------------------------------- index vs every rule */

/* Rules over a few apps, categories, countries, ASNs and domains. */
static const char *const r_apps[] = { "tiktok", "wechat", "umeng",
    "facebook", "google" };
static const char *const r_cats[] = { "location.precise", "phone",
    "device_id.*", "contacts", "email" };
static const char *const r_cc[] = { "CN", "US", "SG", "RU", "DE",
    "us_countries_of_concern", "eu" };
static const char *const r_dom[] = { "tiktokv.com", "qq.com",
    "example.org", "cdn.example.org" };

static void
random_cond(FILE *fp, unsigned *seed, int depth)
{
	int k = (int)(rand_r(seed) % (depth > 1 ? 8 : 10));

	switch (k) {
	case 8:
		if ((k = (int)(rand_r(seed) % 3)) == 0)
			fprintf(fp, "{traffic: {sent_at_least: %s}}",
			    rand_r(seed) % 2 ? "1KB" : "100KB");
		else if (k == 1)
			fprintf(fp, "{traffic: {protocol: [%s]}}",
			    rand_r(seed) % 2 ? "tls" : "http");
		else
			fprintf(fp, "{traffic: {encrypted: true}}");
		return;
	case 9:
		if ((k = (int)(rand_r(seed) % 4)) == 0)
			fprintf(fp, "{device: [%s]}", rand_r(seed) % 2 ?
			    "Emma-Phone" : "tv");
		else if (k == 1)
			/* No key of the index: a gate alone. */
			fprintf(fp, "{app: {vendor: [\"%s\"]}}",
			    rand_r(seed) % 2 ? "ByteDance Ltd." : "Google LLC");
		else
			fprintf(fp, "{device: {mac: [\"%s\"]}}",
			    rand_r(seed) % 2 ? "02:00:00" :
			    "aa:bb:cc:dd:ee:ff");
		return;
	case 0:
		fprintf(fp, "{app: %s}", r_apps[rand_r(seed) % 5]);
		break;
	case 1:
		fprintf(fp, "{data: [%s]}", r_cats[rand_r(seed) % 5]);
		break;
	case 2:
		fprintf(fp, "{jurisdiction: {country: %s, by: [%s]}}",
		    r_cc[rand_r(seed) % 5], rand_r(seed) % 2 ? "location" :
		    "operator");
		break;
	case 3:
		fprintf(fp, "{destination: {asn: %u}}",
		    rand_r(seed) % 2 ? 138699u : 45090u);
		break;
	case 4:
		fprintf(fp, "{destination: {domain: %s}}",
		    r_dom[rand_r(seed) % 4]);
		break;
	case 5:
		fprintf(fp, "{app: {jurisdiction: %s}}", r_cc[rand_r(seed) % 7]);
		break;
	case 6:
		fprintf(fp, "{%s: [", rand_r(seed) % 2 ? "all" : "any");
		random_cond(fp, seed, depth + 1);
		fprintf(fp, ", ");
		random_cond(fp, seed, depth + 1);
		fprintf(fp, "]}");
		break;
	case 7:
		fprintf(fp, "{not: ");
		random_cond(fp, seed, depth + 1);
		fprintf(fp, "}");
		break;
	}
}

static void
random_flow(struct fake *k, unsigned *seed)
{
	static const char *const cc[] = { "CN", "US", "SG", "RU", "DE", "" };
	static const char *const doms[] = { "api.tiktokv.com", "weixin.qq.com",
	    "a.cdn.example.org", "example.org", "other.net" };
	static const char *const cats[] = { "location.precise", "phone",
	    "device_id.imei", "contacts", "email", "ad_id" };

	static const uint8_t macs[][6] = {
		{ 0x02, 0x00, 0x00, 0x11, 0x22, 0x33 },
		{ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff },
		{ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00 },
	};
	static const uint64_t sent[] = { 0, 5000, 500000 };
	static const uint8_t protos[] = { APP_PROTO_NONE, APP_PROTO_TLS,
	    APP_PROTO_QUIC, APP_PROTO_HTTP };
	unsigned m;

	fake_init(k);
	if (rand_r(seed) % 4 != 0)
		fake_app(k, r_apps[rand_r(seed) % 5]);
	else if (rand_r(seed) % 2 == 0)
		k->late_app = r_apps[rand_r(seed) % 5];
	if ((m = rand_r(seed) % 4) < 3) {
		k->f.has_mac = true;
		memcpy(k->f.client_mac, macs[m], 6);
	}
	if ((m = rand_r(seed) % 3) < 2)
		k->r.device_name = m == 0 ? "emma-phone" : "laptop";
	k->f.bytes[FLOW_TO_SERVER] = sent[rand_r(seed) % 3];
	k->f.app_proto = protos[rand_r(seed) % 4];
	snprintf(k->r.country, 3, "%s", cc[rand_r(seed) % 6]);
	memcpy(k->r.jur_location, k->r.country, 3);
	snprintf(k->r.jur_operator, 3, "%s", cc[rand_r(seed) % 6]);
	k->r.asn = rand_r(seed) % 3 == 0 ? 138699 : rand_r(seed) % 2 ? 45090 :
	    15169;
	if (rand_r(seed) % 3 != 0) {
		snprintf(k->domain, sizeof(k->domain), "%s",
		    doms[rand_r(seed) % 5]);
		k->r.domain = k->domain;
	}
	for (unsigned i = rand_r(seed) % 3; i > 0; i--)
		fake_data(k, cats[rand_r(seed) % 6], rand_r(seed) % 2);
}

/*
 * The same rules once indexed, once each in an `any` with a condition
 * that never holds and gives no anchor nor gate (so every rule is tried
 * on every flow, at its end, once); and in an `any` with an app vendor
 * (which the index holds under the rule's keys and a gate for the
 * vendor), against the same tried on every flow: each pair must give the
 * same findings on random flows, though the indexed judge at every moment
 * and retry a rule only when what it looks at changed.
 */
static void
test_index_matches_every_rule(void **state)
{
	FILE *a, *b, *g, *v;
	char pa[160], pb[160], pg[160], pv[160];
	unsigned seed = 12345;
	struct policy *pi = NULL, *pu = NULL, *pgt = NULL, *pvu = NULL;
	struct policy_state *s = policy_state_new();
	struct msgs m = { .n = 0 };
	size_t total = 0, gated = 0;

	(void)state;
	snprintf(pa, sizeof(pa), "%s/indexed.yaml", dir);
	snprintf(pb, sizeof(pb), "%s/unindexed.yaml", dir);
	snprintf(pg, sizeof(pg), "%s/gated.yaml", dir);
	snprintf(pv, sizeof(pv), "%s/gated-unindexed.yaml", dir);
	assert_non_null(a = fopen(pa, "w"));
	assert_non_null(b = fopen(pb, "w"));
	assert_non_null(g = fopen(pg, "w"));
	assert_non_null(v = fopen(pv, "w"));
	fputs("version: 1\nruleset: r\nrules:\n", a);
	fputs("version: 1\nruleset: r\nrules:\n", b);
	fputs("version: 1\nruleset: r\nrules:\n", g);
	fputs("version: 1\nruleset: r\nrules:\n", v);
	for (int i = 0; i < 300; i++) {
		unsigned s1 = seed, s3 = seed, s4 = seed;

		fprintf(g, "  - {id: r.%d, title: t, severity: low, when: "
		    "{any: [", i);
		random_cond(g, &s3, 0);
		fprintf(g, ", {app: {vendor: [\"ByteDance Ltd.\"]}}]}}\n");
		fprintf(v, "  - {id: r.%d, title: t, severity: low, when: "
		    "{any: [", i);
		random_cond(v, &s4, 0);
		fprintf(v, ", {app: {vendor: [\"ByteDance Ltd.\"]}}, "
		    "{not: {traffic: {duration_at_least: 0}}}]}}\n");

		fprintf(a, "  - {id: r.%d, title: t, severity: low, when: ", i);
		random_cond(a, &seed, 0);
		fprintf(a, "}\n");
		fprintf(b, "  - {id: r.%d, title: t, severity: low, when: "
		    "{any: [", i);
		random_cond(b, &s1, 0);
		fprintf(b, ", {not: {traffic: {duration_at_least: 0}}}]}}\n");
	}
	fclose(a);
	fclose(b);
	fclose(g);
	fclose(v);
	{
		const char *p1[] = { pa, NULL }, *p2[] = { pb, NULL },
		    *p3[] = { pg, NULL }, *p4[] = { pv, NULL };

		assert_int_equal(load(p1, NULL, NULL, &m, &pi), 0);
		assert_int_equal(load(p2, NULL, NULL, &m, &pu), 0);
		assert_int_equal(load(p3, NULL, NULL, &m, &pgt), 0);
		assert_int_equal(load(p4, NULL, NULL, &m, &pvu), 0);
	}
	for (int i = 0; i < 3000; i++) {
		struct fake k;
		static struct found f1, f2, f3, f4;
		unsigned s2 = seed, s3 = seed, s4 = seed;

		f1.n = f2.n = f3.n = f4.n = 0;
		random_flow(&k, &seed);
		/* The unindexed rules are all final-only: judge at end. */
		judge_all(s, pi, &k, &f1);
		random_flow(&k, &s2);
		judge_all(s, pu, &k, &f2);
		random_flow(&k, &s3);
		judge_all(s, pgt, &k, &f3);
		random_flow(&k, &s4);
		judge_all(s, pvu, &k, &f4);
		/* Same set; the indexed may fire earlier, not otherwise. */
		assert_int_equal(f1.n, f2.n);
		assert_int_equal(f3.n, f4.n);
		for (size_t j = 0; j < f1.n; j++)
			if (!found(&f2, f1.ids[j]))
				fail_msg("flow %d: %s fires indexed only (app %s, "
				    "cc %s/%s, asn %u, domain %s, %zu data)", i,
				    f1.ids[j], k.r.app_id, k.r.jur_location,
				    k.r.jur_operator, k.r.asn, k.r.domain,
				    k.n_obs);
		for (size_t j = 0; j < f3.n; j++)
			if (!found(&f4, f3.ids[j]))
				fail_msg("flow %d: %s fires gated only", i,
				    f3.ids[j]);
		total += f1.n;
		gated += f3.n - f1.n;
	}
	/* The flows must reach rules, or the test proves nothing; the vendor
	 * must let in rules their keys do not. */
	assert_true(total > 3000);
	assert_true(gated > 3000);
	policy_free(pi);
	policy_free(pu);
	policy_free(pgt);
	policy_free(pvu);
	policy_state_free(s);
}

/* ------------------------------------------------------ shipped rules */

static void
case_flow(const struct ydoc *d, const struct ynode *n, struct fake *k)
{
	const struct ynode *v;

	fake_init(k);
	assert_int_equal(n->type, YNODE_MAP);
	for (size_t i = 0; i < n->n; i++) {
		const char *key = n->keys[i]->scalar;

		v = n->items[i];
		if (strcmp(key, "app") == 0)
			fake_app(k, v->scalar);
		else if (strcmp(key, "data") == 0)
			for (size_t j = 0; j < v->n; j++)
				fake_data(k, v->items[j]->scalar, false);
		else if (strcmp(key, "country") == 0) {
			snprintf(k->r.country, 3, "%s", v->scalar);
			memcpy(k->r.jur_location, k->r.country, 3);
		} else if (strcmp(key, "asn") == 0)
			k->r.asn = (uint32_t)strtoul(v->scalar, NULL, 10);
		else if (strcmp(key, "operator") == 0) {
			snprintf(k->op, sizeof(k->op), "%s", v->scalar);
			k->r.operator_name = k->op;
		} else if (strcmp(key, "operator_jurisdiction") == 0)
			snprintf(k->r.jur_operator, 3, "%s", v->scalar);
		else if (strcmp(key, "domain") == 0) {
			snprintf(k->domain, sizeof(k->domain), "%s", v->scalar);
			k->r.domain = k->domain;
		} else if (strcmp(key, "protocol") == 0) {
			static const char *const names[] = { "dns", "tls",
			    "quic", "http" };
			static const uint8_t protos[] = { APP_PROTO_DNS,
			    APP_PROTO_TLS, APP_PROTO_QUIC, APP_PROTO_HTTP };

			for (size_t j = 0; j < 4; j++)
				if (strcmp(v->scalar, names[j]) == 0)
					k->f.app_proto = protos[j];
		} else if (strcmp(key, "sent") == 0)
			k->f.bytes[FLOW_TO_SERVER] = strtoull(v->scalar, NULL,
			    10);
		else if (strcmp(key, "local") == 0)
			k->r.dest_local = true;
		else
			fail_msg("cases.yaml:%u: unknown flow key '%s'",
			    n->keys[i]->line, key);
	}
}

static void
test_shipped_cases(void **state)
{
	struct policy_config c;
	const char *enable[] = { "us-28cfr202", "gdpr-chapter5", NULL };
	struct policy *p = NULL;
	struct policy_state *s = policy_state_new();
	struct ydoc *d = NULL;
	const struct ynode *cases;
	char err[1024];
	/* Rule ids with cases, to find rules without. */
	char fired[128][128];
	size_t n_fired = 0;
	FILE *fp;
	char line[512];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.shipped_dir = TOP_SRCDIR "/rules/policy";
	c.enable = enable;
	c.apps = apps;
	c.jur = jur;
	c.pii = pii;
	c.home_country = "DE";
	assert_int_equal(policy_load(&c, &p, err, sizeof(err)), 0);
	assert_int_equal(ydoc_load_file(TOP_SRCDIR "/tests/policy/cases.yaml",
	    &d, err, sizeof(err)), 0);
	cases = ynode_get(d->root, "cases");
	assert_non_null(cases);
	for (size_t i = 0; i < cases->n; i++) {
		const struct ynode *cs = cases->items[i];
		const char *rule = ynode_get(cs, "rule")->scalar;
		struct fake k;
		static struct found yes, no;

		yes.n = no.n = 0;
		case_flow(d, ynode_get(cs, "fires"), &k);
		judge_all(s, p, &k, &yes);
		if (!found(&yes, rule))
			fail_msg("cases.yaml:%u: %s does not fire", cs->line,
			    rule);
		case_flow(d, ynode_get(cs, "misses"), &k);
		judge_all(s, p, &k, &no);
		if (found(&no, rule))
			fail_msg("cases.yaml:%u: %s fires on its near miss",
			    cs->line, rule);
		if (n_fired < 128)
			snprintf(fired[n_fired++], sizeof(fired[0]), "%s", rule);
	}
	/* Every rule id of every shipped pack has its cases. */
	assert_non_null(fp = popen("cat " TOP_SRCDIR "/rules/policy/*.yaml",
	    "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char id[128];
		size_t j;

		if (sscanf(line, "  - id: %127s", id) != 1)
			continue;
		for (j = 0; j < n_fired && strcmp(fired[j], id) != 0; j++)
			;
		if (j == n_fired)
			fail_msg("shipped rule %s has no case in "
			    "tests/policy/cases.yaml", id);
	}
	pclose(fp);
	ydoc_free(d);
	policy_free(p);
	policy_state_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_syntax_and_next_file),
		cmocka_unit_test(test_override_disable),
		cmocka_unit_test(test_rulesets_and_home),
		cmocka_unit_test(test_titles_and_once),
		cmocka_unit_test(test_findings_in_load_order),
		cmocka_unit_test(test_partial_anchor),
		cmocka_unit_test(test_index_matches_every_rule),
		cmocka_unit_test(test_shipped_cases),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
