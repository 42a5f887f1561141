/*
 * test_apps.c - app/SDK attribution: the shipped rules/apps.yaml, the
 * look-alike traps of the factbase, every matcher, evidence precedence
 * and vendor overrides, exact "FILE:LINE:COL: message" rejections, and
 * agreement with nDPI's labels on the real captures' server names.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "apps.h"
#include "hash.h"

#define PACK TOP_SRCDIR "/rules/apps.yaml"
#define CORPUS TOP_SRCDIR "/../shared/corpus/ndpi/gt"

static struct apps *pack;

static int
setup_pack(void **state)
{
	char err[512];
	int r;

	r = apps_load(PACK, &pack, err, sizeof(err));
	if (r != 0)
		print_error("%s\n", err);
	return r;
}

static int
teardown_pack(void **state)
{
	pack = apps_free(pack);
	return 0;
}

/* Domain lookup that must hit app id (and, if given, jurisdiction). */
static void
dom_is(const char *name, const char *id, const char *juris)
{
	struct app_match m;

	if (!apps_match_domain(pack, name, &m)) {
		print_error("%s: no match, want %s\n", name, id);
		fail();
	}
	if (strcmp(m.app->id, id) != 0)
		print_error("%s: got %s (via %s), want %s\n", name, m.app->id,
		    m.matched, id);
	assert_string_equal(m.app->id, id);
	assert_int_equal(m.evidence, APP_EV_SNI);
	if (juris != NULL)
		assert_string_equal(m.vendor_jurisdiction, juris);
}

static void
dom_none(const char *name)
{
	struct app_match m = { 0 };

	if (apps_match_domain(pack, name, &m)) {
		print_error("%s: unexpected %s\n", name, m.app->id);
		fail();
	}
	assert_null(m.app);	/* untouched */
}

static void
test_pack_shape(void **state)
{
	size_t n = apps_count(pack), napp = 0, nsdk = 0, nos = 0;

	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++) {
		const struct app *a = apps_get(pack, i);

		assert_non_null(a);
		assert_int_equal(a->index, i);
		assert_ptr_equal(apps_find(pack, a->id), a);
		assert_int_equal(strlen(a->vendor_jurisdiction), 2);
		if (strcmp(a->kind, "app") == 0)
			napp++;
		else if (strcmp(a->kind, "sdk") == 0)
			nsdk++;
		else if (strcmp(a->kind, "os") == 0)
			nos++;
		else
			fail();
	}
	assert_null(apps_get(pack, n));
	assert_null(apps_find(pack, "no-such-app"));
	assert_true(nsdk >= 20);
	assert_true(nos >= 5);
	print_message("apps.yaml: %zu entries (%zu app, %zu sdk, %zu os)\n",
	    n, napp, nsdk, nos);
}

static void
test_domains(void **state)
{
	struct app_match m;

	/* TikTok: ByteDance outside the US, the JV for US service names. */
	assert_true(apps_match_domain(pack, "www.tiktok.com", &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_string_equal(m.vendor, "ByteDance Ltd.");
	assert_string_equal(m.vendor_jurisdiction, "CN");
	assert_string_equal(m.matched, "tiktok.com");
	assert_int_equal(m.confidence, 90);

	assert_true(apps_match_domain(pack, "log16-normal-useast8.tiktokv.us",
	    &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_string_equal(m.vendor, "TikTok USDS Joint Venture LLC");
	assert_string_equal(m.vendor_jurisdiction, "US");
	assert_string_equal(m.matched, "tiktokv.us");
	dom_is("mssdk.us.tiktok.com", "tiktok", "US");
	dom_is("mssdk.tiktok.com", "tiktok", "CN");
	dom_is("p16-sign-va.tiktokcdn-us.com", "tiktok", "US");
	dom_is("locationv16-normal-useastred.tiktokv.eu", "tiktok", "CN");
	dom_is("tiktokcdn.liveplay.myqcloud.com", "tiktok", "CN");
	dom_none("customer.liveplay.myqcloud.com");
	dom_is("p16-ad-sg.ibyteimg.com", "bytedance-shared", "CN");
	dom_is("log.snssdk.com", "bytedance-applog", "CN");
	dom_is("pangolin.snssdk.com", "pangle", "CN");
	dom_is("is.snssdk.com", "bytedance-shared", "CN");
	dom_is("mssdk.capcutapi.us", "capcut", "US");
	dom_is("log-sg.capcutapi.com", "capcut", "CN");

	/* Look-alikes: Temu's kwcdn.com vs Kuaishou's kwaicdn.com. */
	dom_is("img.kwcdn.com", "temu", "CN");
	dom_is("static.kwaicdn.com", "kuaishou", "CN");
	dom_is("kwaicdn.com", "kuaishou", NULL);
	dom_none("kwcdn.co");
	dom_none("xkwcdn.com");

	/* qq.com carries WeChat; longest suffix decides. */
	dom_is("weixin.qq.com", "wechat", "CN");
	dom_is("short.weixin.qq.com", "wechat", NULL);
	dom_is("wx.qq.com", "wechat", NULL);
	dom_is("mmsns.qpic.cn", "wechat", NULL);
	dom_is("mail.qq.com", "qq", "CN");
	dom_is("puui.qpic.cn", "qq", NULL);
	dom_is("bugly.qq.com", "tencent-bugly", NULL);
	dom_is("android.bugly.qq.com", "tencent-bugly", NULL);
	dom_is("pgdt.gtimg.cn", "tencent-gdt", NULL);
	dom_none("wxqq.com");

	/* Western services and SDKs. */
	dom_is("graph.facebook.com", "facebook", "US");
	dom_is("app-measurement.com", "firebase", "US");
	dom_is("scontent-mxp1-1.cdninstagram.com", "instagram", NULL);
	dom_is("mail.google.com", "gmail", NULL);
	dom_is("www.google.com", "google", NULL);
	dom_is("i.ytimg.com", "youtube", NULL);
	dom_is("yt3.ggpht.com", "youtube", NULL);
	dom_is("lh3.ggpht.com", "google", NULL);
	dom_is("sdk.appsflyer.com", "appsflyer", NULL);
	dom_is("hybird.rayjump.com", "mintegral", "CN");
	dom_is("sun9-80.userapi.com", "vk", "RU");
	dom_is("dl-obs.official.line.naver.jp", "line", "JP");
	dom_none("naver.jp");
	dom_is("metrics2.data.hicloud.com", "huawei", "CN");
	dom_is("events-drcn.op.hicloud.com", "huawei-hms-ads", "CN");
	dom_is("tracking.intl.miui.com", "xiaomi", "CN");
	dom_is("api.xmpush.global.xiaomi.com", "xiaomi-sdk", "CN");

	/* Case, trailing dot, the bare suffix itself. */
	dom_is("WWW.TikTok.COM", "tiktok", "CN");
	dom_is("www.tiktok.com.", "tiktok", NULL);
	dom_is("TIKTOKV.US.", "tiktok", "US");
	dom_is("tiktok.com", "tiktok", NULL);

	/* No match: unknown, partial labels, empties, junk. */
	dom_none("example.org");
	dom_none("nottiktok.com");
	dom_none("tiktok.com.evil.example");
	dom_none("com");
	dom_none("");
	dom_none(".");
	dom_none("..");
	dom_none("a..tiktok.comx");
	assert_false(apps_match_domain(pack, NULL, &m));
	assert_false(apps_match_domain(NULL, "tiktok.com", &m));
}

static void
test_long_names(void **state)
{
	char name[600];
	struct app_match m;
	size_t o = 0;

	/* 120 one-letter labels then tiktok.com: 250 bytes, still a name. */
	for (int i = 0; i < 120; i++) {
		name[o++] = 'a';
		name[o++] = '.';
	}
	memcpy(name + o, "tiktok.com", 11);
	assert_true(apps_match_domain(pack, name, &m));
	assert_string_equal(m.app->id, "tiktok");
	/* Over 253 bytes is not a DNS name. */
	memmove(name + 10, name, strlen(name) + 1);
	memset(name, 'b', 10);
	assert_true(strlen(name) > 253);
	assert_false(apps_match_domain(pack, name, &m));
}

static void
ua_is(const char *ua, const char *id, const char *matched)
{
	struct app_match m;

	if (!apps_match_user_agent(pack, ua, &m)) {
		print_error("UA '%s': no match, want %s\n", ua, id);
		fail();
	}
	assert_string_equal(m.app->id, id);
	assert_int_equal(m.evidence, APP_EV_USER_AGENT);
	assert_int_equal(m.confidence, m.app->confidence[0] == 'h' ? 95 :
	    m.app->confidence[0] == 'm' ? 85 : 70);
	if (matched != NULL)
		assert_string_equal(m.matched, matched);
}

static void
ua_none(const char *ua)
{
	struct app_match m;

	if (apps_match_user_agent(pack, ua, &m)) {
		print_error("UA '%s': unexpected %s\n", ua, m.app->id);
		fail();
	}
}

static void
test_user_agents(void **state)
{
	ua_is("com.zhiliaoapp.musically/2023405020 (Linux; U; Android 13; "
	    "en_US; Pixel 7; Build/TQ3A.230805.001; Cronet/TTNetVersion:"
	    "5f3c9f7a 2023-06-12 QuicVersion:1b8b6ef5 2023-05-17)", "tiktok",
	    "com.zhiliaoapp.musically");
	/* A longer package than any listed falls back to its dot-prefix. */
	ua_is("com.ss.android.ugc.trill.somebuild/3000 (Linux; Android 12)",
	    "tiktok", "com.ss.android.ugc.trill");
	/* Lite is listed on its own; the longest listed prefix wins. */
	ua_is("com.zhiliaoapp.musically.go/300 okhttp/3.12.1", "tiktok",
	    "com.zhiliaoapp.musically.go");
	ua_is("com.bd.nproject/2.1.0 (Linux; U; Android 13)", "lemon8", NULL);
	ua_is("Mozilla/5.0 (Linux; Android 13; wv) AppleWebKit/537.36 "
	    "Chrome/116.0 Mobile Safari/537.36 MMWEBID/1234 "
	    "MicroMessenger/8.0.40.2420(0x28002837) WeChat/arm64 Weixin "
	    "NetType/WIFI Language/zh_CN ABI/arm64", "wechat",
	    "micromessenger");
	ua_is("Instagram 7.1.1 Android (19/4.4.2; 480dpi; 1080x1920; samsung; "
	    "GT-I9505; jflte; qcom; it_IT)", "instagram", "instagram");
	ua_is("Mozilla/5.0 (Linux; Android 12) [FBAN/FB4A;FBAV/400.0.0;]",
	    "facebook", "fb4a");
	ua_is("TikTok 26.2.0 rv:262018 (iPhone; iOS 14.4.2; en_US) Cronet",
	    "tiktok", "tiktok");
	ua_is("COM.TENCENT.MM/8.0", "wechat", "com.tencent.mm");

	ua_none("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36");
	ua_none("okhttp/3.10.0");
	ua_none("Dalvik/2.1.0 (Linux; U; Android 11; sdk_gphone_x86 "
	    "Build/RSR1.201013.001)");
	/* Substrings inside a token do not count: a token must be whole. */
	ua_none("xcom.zhiliaoapp.musically/1");
	ua_none("com.zhiliaoapp");
	ua_none("");
	ua_none("  / ; ;;( ) ,");
}

static void
test_user_agent_bounds(void **state)
{
	char ua[APPS_MAX_UA_SCAN + 64];
	struct app_match m;
	size_t o = 0;

	/* The package beyond the scan limit is not seen. */
	memset(ua, 'x', sizeof(ua));
	o = APPS_MAX_UA_SCAN;
	ua[o - 1] = ' ';
	memcpy(ua + o, "com.tencent.mm", 15);
	assert_false(apps_match_user_agent(pack, ua, &m));
	/* Nor the 65th token. */
	o = 0;
	for (int i = 0; i < APPS_MAX_UA_TOKENS; i++) {
		ua[o++] = 'z';
		ua[o++] = ' ';
	}
	memcpy(ua + o, "com.tencent.mm", 15);
	assert_false(apps_match_user_agent(pack, ua, &m));
	/* The 64th is. */
	memcpy(ua + o - 2, "com.tencent.mm", 15);
	assert_true(apps_match_user_agent(pack, ua, &m));
	assert_string_equal(m.app->id, "wechat");
	/* A long dotted token is bounded too. */
	memset(ua, 'a', 300);
	for (size_t i = 1; i < 300; i += 2)
		ua[i] = '.';
	ua[300] = '\0';
	assert_false(apps_match_user_agent(pack, ua, &m));
}

static void
test_requested_with_and_others(void **state)
{
	struct app_match m;

	assert_true(apps_match_requested_with(pack, "com.tencent.mm", &m));
	assert_string_equal(m.app->id, "wechat");
	assert_int_equal(m.evidence, APP_EV_REQUESTED_WITH);
	assert_int_equal(m.confidence, 95);
	assert_true(apps_match_requested_with(pack, "com.einnovation.temu",
	    &m));
	assert_string_equal(m.app->id, "temu");
	assert_true(apps_match_requested_with(pack,
	    "com.eg.android.AlipayGphone", &m));
	assert_string_equal(m.app->id, "alipay");
	/* Exact only: no dot-prefix fallback for a header that is exact. */
	assert_false(apps_match_requested_with(pack, "com.tencent.mm.extra",
	    &m));
	assert_false(apps_match_requested_with(pack, "com.tencent", &m));
	assert_false(apps_match_requested_with(pack, "", &m));
	assert_false(apps_match_requested_with(pack, NULL, &m));

	assert_true(apps_match_cert_org(pack, "Facebook, Inc.", &m));
	assert_string_equal(m.app->id, "facebook");
	assert_int_equal(m.evidence, APP_EV_CERT_ORG);
	assert_int_equal(m.confidence, 70);
	assert_true(apps_match_cert_org(pack, "open whisper systems", &m));
	assert_string_equal(m.app->id, "signal");
	assert_false(apps_match_cert_org(pack, "Facebook", &m));

	assert_true(apps_match_asn(pack, 11983, &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_string_equal(m.vendor_jurisdiction, "US");
	assert_int_equal(m.evidence, APP_EV_ASN);
	assert_int_equal(m.confidence, 30);
	assert_false(apps_match_asn(pack, 0, &m));
	assert_false(apps_match_asn(pack, 15169, &m));
	/* The shipped pack has no JA4 (no source gives an app's JA4). */
	assert_false(apps_match_ja4(pack,
	    "t13d1516h2_8daaf6152771_02713d6af862", &m));

	/* Entries marked medium/low lower the score. */
	assert_true(apps_match_domain(pack, "api.kwai-pro.com", &m));
	assert_string_equal(m.app->id, "kwai");
	assert_int_equal(m.confidence, 80);
	assert_true(apps_match_domain(pack, "imo.im", &m));
	assert_string_equal(m.vendor_jurisdiction, "ZZ");
	assert_int_equal(m.confidence, 65);
}

static void
test_attribute(void **state)
{
	struct app_flow_evidence ev;
	struct app_match m;

	/* Package beats a shared-infrastructure name. */
	ev = (struct app_flow_evidence){ .sni = "p16-sign.ibyteimg.com",
	    .user_agent = "com.zhiliaoapp.musically/2023 (Linux; Android 13)" };
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_int_equal(m.evidence, APP_EV_USER_AGENT);
	assert_int_equal(m.confidence, 95);
	assert_string_equal(m.vendor_jurisdiction, "CN");

	/* Same app, US service name: the override sets the vendor. */
	ev.sni = "log16-normal-useast8.tiktokv.us";
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_int_equal(m.evidence, APP_EV_USER_AGENT);
	assert_string_equal(m.vendor, "TikTok USDS Joint Venture LLC");
	assert_string_equal(m.vendor_jurisdiction, "US");

	/* Different app in the name: the package still decides, and the
	 * other app's override does not leak into it. */
	ev = (struct app_flow_evidence){ .sni = "mssdk.capcutapi.us",
	    .requested_with = "com.zhiliaoapp.musically" };
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_int_equal(m.evidence, APP_EV_REQUESTED_WITH);
	assert_string_equal(m.vendor_jurisdiction, "CN");

	/* SNI beats Host beats DNS beats cert beats ASN. */
	ev = (struct app_flow_evidence){ .sni = "graph.facebook.com",
	    .http_host = "www.reddit.com", .dns_name = "weixin.qq.com",
	    .cert_org = "LINE Corporation", .asn = 11983 };
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "facebook");
	assert_int_equal(m.evidence, APP_EV_SNI);
	assert_int_equal(m.confidence, 90);
	ev.sni = "unknown.example";
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "reddit");
	assert_int_equal(m.evidence, APP_EV_HTTP_HOST);
	ev.http_host = NULL;
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "wechat");
	assert_int_equal(m.evidence, APP_EV_DNS);
	assert_int_equal(m.confidence, 80);
	ev.dns_name = NULL;
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "line");
	assert_int_equal(m.evidence, APP_EV_CERT_ORG);
	ev.cert_org = NULL;
	assert_true(apps_attribute(pack, &ev, &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_int_equal(m.evidence, APP_EV_ASN);
	assert_string_equal(m.vendor_jurisdiction, "US");
	ev.asn = 0;
	m.app = NULL;
	assert_false(apps_attribute(pack, &ev, &m));
	assert_null(m.app);
	assert_false(apps_attribute(pack, NULL, &m));

	/* No package, ASN of the US JV: the ASN's override applies to the
	 * app named by the SNI. */
	ev = (struct app_flow_evidence){ .sni = "www.tiktok.com",
	    .asn = 11983 };
	assert_true(apps_attribute(pack, &ev, &m));
	assert_int_equal(m.evidence, APP_EV_SNI);
	assert_string_equal(m.vendor_jurisdiction, "US");

	assert_string_equal(app_evidence_name(APP_EV_SNI), "sni");
	assert_string_equal(app_evidence_name(APP_EV_HTTP_HOST), "http_host");
	assert_string_equal(app_evidence_name(APP_EV_DNS), "dns");
	assert_string_equal(app_evidence_name(APP_EV_USER_AGENT),
	    "user_agent");
	assert_string_equal(app_evidence_name(APP_EV_REQUESTED_WITH),
	    "requested_with");
	assert_string_equal(app_evidence_name(APP_EV_JA4), "ja4");
	assert_string_equal(app_evidence_name(APP_EV_CERT_ORG), "cert_org");
	assert_string_equal(app_evidence_name(APP_EV_ASN), "asn");
	assert_string_equal(app_evidence_name(APP_EV_NONE), "none");
}

/* ---- inline packs --------------------------------------------------- */

#define HDR "version: 1\napps:\n"
#define APP(id, extra) \
	"  - id: " id "\n    name: N\n    kind: app\n    vendor: V\n" \
	"    vendor_jurisdiction: CN\n    source: \"[X]\"\n" extra

static void
load_fails(const char *s, const char *want)
{
	struct apps *a = (struct apps *)0x1;
	char err[512];
	int r;

	r = apps_load_string("t.yaml", s, strlen(s), &a, err, sizeof(err));
	if (r == 0 || strcmp(err, want) != 0)
		print_error("got r=%d '%s'\nwant '%s'\n", r, r ? err : "",
		    want);
	assert_int_equal(r, -EINVAL);
	assert_ptr_equal(a, (struct apps *)0x1);
	assert_string_equal(err, want);
}

static void
test_invalid(void **state)
{
	load_fails(HDR APP("a", "    domain: [x.com]\n"),
	    "t.yaml:9:5: unknown key 'domain' (expected one of: id, name, "
	    "kind, vendor, vendor_jurisdiction, source, confidence, note, "
	    "domains, packages, user_agents, requested_with, ja4, cert_orgs, "
	    "asns, vendor_by_domain, host_words)");
	load_fails(HDR APP("a", "    domains: x.com\n"),
	    "t.yaml:9:14: expected a list");
	load_fails(HDR APP("a", "    domains: [x.com, [y]]\n"),
	    "t.yaml:9:22: expected a string");
	load_fails(HDR APP("a", "") APP("a", ""),
	    "t.yaml:9:9: duplicate id 'a'");
	load_fails(HDR APP("a", "    domains: [x.com]\n")
	    APP("b", "    domains: [y.com, X.COM]\n"),
	    "t.yaml:16:22: duplicate domain 'X.COM' (already listed for app "
	    "'a')");
	load_fails(HDR APP("a", "    packages: [com.x]\n")
	    APP("b", "    requested_with: [com.x]\n"),
	    "t.yaml:16:22: duplicate requested_with package 'com.x' (already "
	    "listed for app 'a')");
	load_fails(HDR
	    "  - id: a\n    name: N\n    kind: library\n    vendor: V\n"
	    "    vendor_jurisdiction: CN\n    source: S\n",
	    "t.yaml:5:11: kind must be app, sdk or os, not 'library'");
	load_fails(HDR
	    "  - id: a\n    name: N\n    kind: sdk\n    vendor: V\n"
	    "    vendor_jurisdiction: XY\n    source: S\n",
	    "t.yaml:7:26: vendor_jurisdiction 'XY' is not an assigned ISO "
	    "3166-1 alpha-2 code (ZZ = unknown)");
	load_fails(HDR
	    "  - id: a\n    name: N\n    kind: os\n    vendor: V\n"
	    "    vendor_jurisdiction: cn\n    source: S\n",
	    "t.yaml:7:26: vendor_jurisdiction 'cn' is not an ISO 3166-1 "
	    "alpha-2 code (two upper-case letters; ZZ = unknown)");
	load_fails(HDR
	    "  - id: a\n    name: N\n    kind: os\n    vendor: V\n"
	    "    source: S\n",
	    "t.yaml:3:5: missing key 'vendor_jurisdiction'");
	load_fails(HDR APP("a", "    domains: ['*.x.com']\n"),
	    "t.yaml:9:15: bad domain '*.x.com': wildcards are not supported "
	    "(a suffix already matches every subdomain)");
	load_fails(HDR APP("a", "    domains: [x..com]\n"),
	    "t.yaml:9:15: bad domain 'x..com': has an empty label");
	load_fails(HDR APP("a", "    user_agents: ['Foo Bar']\n"),
	    "t.yaml:9:19: bad user-agent token 'Foo Bar': must be a single "
	    "User-Agent token (no space or any of /;(),:[]\")");
	load_fails(HDR APP("a", "    asns: [0]\n"),
	    "t.yaml:9:12: expected an integer in [1, 4294967295]");
	load_fails(HDR APP("a", "    asns: [7]\n") APP("b", "    asns: [7]\n"),
	    "t.yaml:16:12: duplicate asn 7 (already listed for app 'a')");
	load_fails(HDR APP("a", "    confidence: sure\n"),
	    "t.yaml:9:17: confidence must be high, medium or low, not 'sure'");
	load_fails(HDR APP("Bad_Id", ""),
	    "t.yaml:3:9: bad id 'Bad_Id': use 1 to 48 of a-z, 0-9 and '-'");
	load_fails(HDR APP("a", "    vendor_by_domain:\n"
	    "      - vendor: W\n        vendor_jurisdiction: US\n"
	    "        source: S\n"),
	    "t.yaml:10:9: missing key 'domains'");
	load_fails(HDR APP("a", "    domains: [x.com]\n    vendor_by_domain:\n"
	    "      - vendor: W\n        vendor_jurisdiction: US\n"
	    "        source: S\n        domains: [x.com]\n"),
	    "t.yaml:14:19: duplicate domain 'x.com' (already listed for app "
	    "'a')");
	load_fails(HDR APP("a", "    vendor_by_domain:\n"
	    "      - vendor: W\n        vendor_jurisdiction: XX\n"
	    "        source: S\n        domains: [x.com]\n"),
	    "t.yaml:11:30: vendor_jurisdiction 'XX' is not an assigned ISO "
	    "3166-1 alpha-2 code (ZZ = unknown)");
	load_fails("apps: []\n", "t.yaml:1:1: missing key 'version'");
	load_fails("version: 2\napps: []\n",
	    "t.yaml:1:10: expected an integer in [1, 1]");
	load_fails("version: 1\napps: []\nextra: 1\n",
	    "t.yaml:3:1: unknown key 'extra' (expected one of: version, cloud_hosts, apps)");
	load_fails("- a\n", "t.yaml:1:1: expected a mapping");
	/* cloud_hosts and host_words */
	load_fails(HDR APP("a", "    host_words: [tik-tok]\n"),
	    "t.yaml:9:18: bad host word 'tik-tok': may only hold letters and "
	    "digits (a word of a label, between '-' or '.')");
	load_fails(HDR APP("a", "    host_words: [abc]\n"),
	    "t.yaml:9:18: bad host word 'abc': must be 4 to 63 bytes");
	load_fails(HDR APP("a", "    host_words: [Vendor]\n")
	    APP("b", "    host_words: [vendor]\n"),
	    "t.yaml:16:18: duplicate host word 'vendor' (already listed for "
	    "app 'a')");
	load_fails("version: 1\ncloud_hosts: [cdn.example]\napps:\n"
	    APP("a", "    domains: [CDN.example]\n"),
	    "t.yaml:10:15: duplicate domain 'CDN.example' (already listed as "
	    "a cloud host)");
	load_fails("version: 1\ncloud_hosts: [\"*.cdn.example\"]\napps: []\n",
	    "t.yaml:2:15: bad cloud host '*.cdn.example': wildcards are not "
	    "supported (a suffix already matches every subdomain)");
}

/*
 * Tables past several growths (64 entries, then doubling): every key
 * still found after the map is rebuilt, under two hash keys so slots
 * collide differently, and a duplicate found across a growth.
 */
static void
test_table_growth(void **state)
{
	enum { NDOM = 700, NASN = 300 };
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ull };
	/* Tables hash under the key in force when they were loaded: the
	 * shared pack needs it back afterwards. */
	struct hash_key saved = hash_run_key;
	size_t cap = 64 * 1024, o;
	char *s = malloc(cap), err[256], name[64];
	struct app_match m;

	assert_non_null(s);
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		struct apps *a = NULL;

		hash_seed_set(seeds[k], seeds[k] * 3);
		o = (size_t)snprintf(s, cap, HDR APP("a", "    domains:\n"));
		for (int i = 0; i < NDOM; i++)
			o += (size_t)snprintf(s + o, cap - o,
			    "      - d%d.example\n", i);
		o += (size_t)snprintf(s + o, cap - o, "    asns:\n");
		for (int i = 0; i < NASN; i++)
			o += (size_t)snprintf(s + o, cap - o, "      - %d\n",
			    64512 + i);
		assert_true(o < cap);
		assert_int_equal(apps_load_string("t.yaml", s, o, &a, err,
		    sizeof(err)), 0);
		for (int i = 0; i < NDOM; i++) {
			snprintf(name, sizeof(name), "x.D%d.example", i);
			assert_true(apps_match_domain(a, name, &m));
			assert_int_equal(strcasecmp(m.matched, name + 2), 0);
		}
		for (int i = 0; i < NASN; i++)
			assert_true(apps_match_asn(a, 64512 + (uint32_t)i, &m));
		assert_false(apps_match_asn(a, 64512 + NASN, &m));
		assert_false(apps_match_asn(a, 0, &m));
		assert_false(apps_match_domain(a, "d700.example", &m));
		assert_false(apps_match_domain(a, "example", &m));
		apps_free(a);

		/* The duplicate comes after the table has grown. */
		a = (struct apps *)0x1;
		o -= (size_t)snprintf(name, sizeof(name), "      - %d\n",
		    64512 + NASN - 1);
		o += (size_t)snprintf(s + o, cap - o, "      - 64600\n");
		assert_int_equal(apps_load_string("t.yaml", s, o, &a, err,
		    sizeof(err)), -EINVAL);
		assert_ptr_equal(a, (struct apps *)0x1);
		assert_non_null(strstr(err, "duplicate asn 64600"));
	}
	free(s);
	hash_run_key = saved;
}

static void
test_inline_ok(void **state)
{
	const char *s = HDR
	    APP("a", "    domains: [Example.COM, deep.sub.example.com]\n"
	    "    ja4: [t13d1516h2_8daaf6152771_02713d6af862]\n"
	    "    user_agents: [FooApp]\n    confidence: low\n")
	    "  - id: b\n    name: B\n    kind: sdk\n    vendor: V2\n"
	    "    vendor_jurisdiction: ZZ\n    source: S\n"
	    "    domains: [sub.example.com]\n";
	struct apps *a = NULL;
	struct app_match m;
	char err[256];

	assert_int_equal(apps_load_string("t.yaml", s, strlen(s), &a, err,
	    sizeof(err)), 0);
	assert_int_equal(apps_count(a), 2);
	assert_true(apps_match_domain(a, "x.deep.sub.example.com", &m));
	assert_string_equal(m.app->id, "a");
	assert_string_equal(m.matched, "deep.sub.example.com");
	assert_true(apps_match_domain(a, "x.sub.example.com", &m));
	assert_string_equal(m.app->id, "b");
	assert_int_equal(m.confidence, 90);
	assert_true(apps_match_domain(a, "example.com", &m));
	assert_string_equal(m.app->id, "a");
	assert_int_equal(m.confidence, 65);
	assert_true(apps_match_ja4(a, "T13D1516H2_8DAAF6152771_02713D6AF862",
	    &m));
	assert_string_equal(m.app->id, "a");
	assert_int_equal(m.evidence, APP_EV_JA4);
	assert_int_equal(m.confidence, 35);
	assert_true(apps_match_user_agent(a, "FooApp/1.0", &m));
	assert_false(apps_match_requested_with(a, "FooApp", &m));
	assert_false(apps_match_asn(a, 1, &m));
	a = apps_free(a);
	assert_null(a);
	assert_null(apps_free(NULL));
	assert_int_equal(apps_count(NULL), 0);

	/* Empty lists are fine; a missing file is an errno. */
	s = "version: 1\napps: []\n";
	assert_int_equal(apps_load_string("t.yaml", s, strlen(s), &a, err,
	    sizeof(err)), 0);
	assert_false(apps_match_domain(a, "example.com", &m));
	assert_false(apps_match_user_agent(a, "x", &m));
	a = apps_free(a);
	assert_true(apps_load("/nonexistent/apps.yaml", &a, err,
	    sizeof(err)) < 0);
	assert_null(a);
}

static bool
id_in(const char *id, const char *list)
{
	size_t n = strlen(id);
	const char *p = list;

	while ((p = strstr(p, id)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/*
 * Vendor words inside cloud host names (cloud_hosts, host_words): whole
 * words of tenant labels, one probe each; look-alikes are not attributed.
 */
static void
test_host_words(void **state)
{
	struct app_match m;

	/* A listed full name still wins, at domain confidence. */
	assert_true(apps_match_domain(pack, "p16-tiktokcdn-com.akamaized.net",
	    &m));
	assert_string_equal(m.matched, "p16-tiktokcdn-com.akamaized.net");
	assert_int_equal(m.confidence, 90);
	assert_true(apps_match_domain(pack, "V19-TIKTOKCDN-EU.Akamaized.NET.",
	    &m));
	assert_string_equal(m.app->id, "tiktok");
	assert_string_equal(m.matched, "tiktokcdn");
	assert_int_equal(m.confidence, 80);
	dom_is("sf16-bytedance-va.akamaized.net", "bytedance-shared", "CN");
	dom_is("x.y-byteoversea.edgekey.net", "bytedance-shared", "CN");
	dom_is("igcdn-photos-a-a.akamaihd.net", "instagram", "US");
	dom_is("weixin-img.cloudfront.net", "wechat", "CN");
	dom_is("ae01-aliexpress-media.oss-us-west-1.aliyuncs.com",
	    "aliexpress", "CN");
	dom_is("upos-bilivideo-hz.akamaized.net", "bilibili", "CN");
	dom_is("img-shein.b-cdn.net", "shein", "CN");
	/* A vendor's own regional names: the first word of the label. */
	dom_is("p16-sign.tiktokcdn-in.com", "tiktok", "CN");
	dom_is("huawei-mobile.de", "huawei", "CN");
	/* Look-alikes: a part of another word, a word outside a cloud, a
	 * tenant with no vendor word, the namespace alone, a word that is
	 * not the first of the label before the TLD. */
	dom_none("notbytedance-va.akamaized.net");
	dom_none("bytedancer.cloudfront.net");
	dom_none("byte-dance.cloudfront.net");
	dom_none("bytedance.example.com");
	dom_none("tiktok-downloader.com");
	dom_none("mytiktokcdn-us.com");
	dom_none("free-tiktokcdn.com");
	dom_none("shop-assets.oss-us-west-1.aliyuncs.com");
	dom_none("akamaized.net");
	dom_none("customer.liveplay.myqcloud.com");
	/* Names of the cloud itself are not searched for words. */
	dom_none("weixin.akamaized.net.example");
}

/* The same rules on a pack of two: words are probed whole, once each. */
static void
test_host_words_inline(void **state)
{
	const char *s = "version: 1\ncloud_hosts: [cdn.example, b.example]\n"
	    "apps:\n"
	    APP("a", "    domains: [own.cdn.example]\n"
	    "    host_words: [Vendor, v3nd0r]\n    confidence: medium\n");
	struct apps *a = NULL;
	struct app_match m;
	char err[256];

	assert_int_equal(apps_load_string("t.yaml", s, strlen(s), &a, err,
	    sizeof(err)), 0);
	assert_true(apps_match_domain(a, "x.own.cdn.example", &m));
	assert_string_equal(m.matched, "own.cdn.example");
	assert_int_equal(m.confidence, 80);
	assert_true(apps_match_domain(a, "img-VENDOR-eu.cdn.example", &m));
	assert_string_equal(m.app->id, "a");
	assert_string_equal(m.matched, "vendor");
	assert_int_equal(m.confidence, 70);
	assert_true(apps_match_domain(a, "v3nd0r.x.b.example", &m));
	assert_true(apps_match_domain(a, "vendor-us.org", &m));
	assert_false(apps_match_domain(a, "vendors.cdn.example", &m));
	assert_false(apps_match_domain(a, "ven-dor.cdn.example", &m));
	assert_false(apps_match_domain(a, "cdn.example", &m));
	assert_false(apps_match_domain(a, "vendor.org", &m));
	assert_false(apps_match_domain(a, "x-vendor.org", &m));
	assert_false(apps_match_domain(a, "vendor.cdn.example.org", &m));
	a = apps_free(a);
}

/*
 * Every host ntop/nDPI lists for the Chinese-owned apps
 * (src/lib/ndpi_content_match.c.inc, host_match[], commit 003fcbb5),
 * attributed to an entry of the same vendor.  Not listed: its cloud
 * tenant namespaces (aliyuncs.com, myhuaweicloud.com), which are
 * cloud_hosts here.
 */
static void
test_ndpi_hosts(void **state)
{
	static const struct {
		const char *host, *ids;
	} hosts[] = {
		{ "musical.ly", "tiktok" }, { "byteoversea.com", "bytedance-shared" },
		{ "ibyteimg.com", "bytedance-shared" }, { "tiktokcdn.com", "tiktok" },
		{ "p16-tiktok-va-h2.ibyteimg.com", "bytedance-shared" },
		{ "p16-tiktokcdn-com.akamaized.net", "tiktok" },
		{ "p16-va-default.akamaized.net", "tiktok" },
		{ "tiktokcdn.liveplay.myqcloud.com", "tiktok" },
		{ "musemuse.cn", "tiktok" }, { "tiktokv.com", "tiktok" },
		{ "tiktokv.us", "tiktok" }, { "tiktokv.eu", "tiktok" },
		{ "bytecdn.cn", "bytedance-shared" }, { "muscdn.com", "tiktok" },
		{ "tiktok.com", "tiktok" }, { "byted.org", "bytedance-shared" },
		{ "tik-tokcdn.com", "tiktok" }, { "byteicdn.com", "bytedance-shared" },
		{ "tiktokcdn-us.com", "tiktok" }, { "tiktokcdn-eu.com", "tiktok" },
		{ "wechat.com", "wechat" }, { "wechat.org", "wechat" },
		{ "wechatapp.com", "wechat" }, { "we.chat", "wechat" },
		{ "mmsns.qpic.cn", "wechat" }, { "weixin.qq.com", "wechat" },
		{ "wx.qq.com", "wechat" }, { "qq.com", "qq" }, { "gtimg.com", "qq" },
		{ "v.qq.com", "qq wetv" },
		{ "weibo.com", "weibo" }, { "weibo.cn", "weibo" },
		{ "sinaimg.cn", "weibo" }, { "sinajs.cn", "weibo" },
		{ "sina.cn", "weibo" }, { "sina.com.cn", "weibo" },
		{ "alibaba.com", "alibaba-shared" }, { "aliapp.org", "alibaba-shared" },
		{ "alicdn.com", "alibaba-shared" }, { "mmstat.com", "alibaba-analytics" },
		{ "alibabausercontent.com", "alibaba-shared" },
		{ "alibabachengdun.com", "alibaba-shared" },
		{ "alipayobjects.com", "alipay" }, { "alipay.com", "alipay" },
		{ "aliexpress.com", "aliexpress" },
		{ "aliexpress-media.com", "aliexpress" },
		{ "taobao.com", "taobao" }, { "tmall.com", "taobao" },
		{ "dingtalk.com", "dingtalk" }, { "temu.com", "temu" },
		{ "kwcdn.com", "temu" }, { "shein.com", "shein" },
		{ "ltwebstatic.com", "shein" }, { "xiaomi.com", "xiaomi" },
		{ "xiaomi.net", "xiaomi" }, { "mi.com", "xiaomi" },
		{ "miui.com", "xiaomi" }, { "huawei.com", "huawei" },
		{ "cloud.huawei.com", "huawei" }, { "cloud.huawei.eu", "huawei" },
		{ "hicloud.com", "huawei" }, { "dbankcloud.com", "huawei" },
		{ "dbankcloud.cn", "huawei" }, { "dbankcdn.com", "huawei" },
		{ "easebar.com", "netease" }, { "iqiyi.com", "iqiyi" },
		{ "iqiyipic.com", "iqiyi" }, { "pps.tv", "iqiyi" },
		{ "qy.net", "iqiyi" }, { "iq.com", "iqiyi" },
		{ "like.video", "likee" }, { "likee.video", "likee" },
		{ "likee.com", "likee" }, { "likeevideo.com", "likee" },
		{ "like-video.com", "likee" }, { "likeimo.tech", "likee" },
		{ "liketech.tech", "likee" },
	};

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct app_match m;

		if (!apps_match_domain(pack, hosts[i].host, &m)) {
			print_error("nDPI host %s: no app\n", hosts[i].host);
			fail();
		}
		if (!id_in(m.app->id, hosts[i].ids)) {
			print_error("nDPI host %s: %s, want %s\n", hosts[i].host,
			    m.app->id, hosts[i].ids);
			fail();
		}
	}
}

/* ---- the real captures ---------------------------------------------- */

struct lmap {
	const char *label;	/* nDPI app label after the last '.' */
	const char *ids;	/* acceptable ids, space separated */
	unsigned rows, ok;
};

#define GOOGLE_FAMILY "google google-play youtube gmail google-maps " \
	"firebase google-analytics google-ads crashlytics"

static struct lmap lmaps[] = {
	{ "WeChat", "wechat", 0, 0 },
	/* nDPI's QQ rule is a bare qq.com, so it calls weixin.qq.com QQ;
	 * the factbase (AdGuard) says WeChat. */
	{ "QQ", "qq wechat tencent-gdt tencent-beacon tencent-bugly", 0, 0 },
	{ "Sina", "weibo weibo-sdk", 0, 0 },
	{ "SinaWeibo", "weibo weibo-sdk", 0, 0 },
	{ "TikTok", "tiktok bytedance-shared", 0, 0 },
	{ "Facebook", "facebook messenger meta-audience-network", 0, 0 },
	{ "Instagram", "instagram", 0, 0 },
	{ "WhatsApp", "whatsapp", 0, 0 },
	{ "WhatsAppFiles", "whatsapp", 0, 0 },
	{ "Snapchat", "snapchat", 0, 0 },
	{ "SnapchatCall", "snapchat", 0, 0 },
	{ "KakaoTalk", "kakaotalk", 0, 0 },
	{ "Line", "line", 0, 0 },
	{ "VK", "vk", 0, 0 },
	{ "Reddit", "reddit", 0, 0 },
	{ "Tumblr", "tumblr", 0, 0 },
	{ "Twitter", "twitter", 0, 0 },
	{ "Signal", "signal", 0, 0 },
	{ "1kxun", "onekxun", 0, 0 },
	{ "Alibaba", "alibaba-shared alibaba-analytics taobao aliexpress", 0, 0 },
	{ "NetEaseGames", "netease", 0, 0 },
	{ "AmazonAlexa", "alexa", 0, 0 },
	{ "Amazon", "amazon alexa amazon-ads", 0, 0 },
	{ "Google", GOOGLE_FAMILY, 0, 0 },
	{ "GoogleServices", GOOGLE_FAMILY, 0, 0 },
	{ "YouTube", "youtube", 0, 0 },
	{ "GMail", "gmail", 0, 0 },
	{ "PlayStore", "google-play google", 0, 0 },
	{ "DataSaver", "google", 0, 0 },
	{ "Microsoft", "microsoft", 0, 0 },
	{ "Teams", "microsoft", 0, 0 },
	{ "Apple", "apple", 0, 0 },
	{ "ApplePush", "apple", 0, 0 },
	{ "AppleSiri", "apple", 0, 0 },
	{ "AppleiTunes", "apple", 0, 0 },
};


/* Split a TSV line in place; returns the number of fields. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		char *t = strchr(p, '\t');

		f[n++] = p;
		if (t == NULL)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

static void
check_file(const char *path, unsigned *misses_shown)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	assert_non_null(fp);
	while ((len = getline(&line, &cap, fp)) > 0) {
		char *f[24], *label;
		struct app_flow_evidence ev = { 0 };
		struct app_match m;
		struct lmap *lm = NULL;
		bool hit;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (split_tabs(line, f, 24) < 17 || strcmp(f[0], "file") == 0)
			continue;
		if (f[13][0] == '\0')
			continue;
		label = strrchr(f[10], '.');
		label = label != NULL ? label + 1 : f[10];
		for (size_t i = 0; i < sizeof(lmaps) / sizeof(lmaps[0]); i++)
			if (strcmp(lmaps[i].label, label) == 0)
				lm = &lmaps[i];
		if (lm == NULL)
			continue;
		ev.sni = f[13];
		ev.user_agent = f[16][0] != '\0' ? f[16] : NULL;
		hit = apps_attribute(pack, &ev, &m);
		lm->rows++;
		if (hit && id_in(m.app->id, lm->ids)) {
			lm->ok++;
		} else if (*misses_shown < 40) {
			(*misses_shown)++;
			print_message("  miss: %s %s -> %s\n", f[10], f[13],
			    hit ? m.app->id : "(none)");
		}
	}
	free(line);
	fclose(fp);
}

static void
test_ndpi_captures(void **state)
{
	struct stat st;
	struct dirent *de;
	unsigned rows = 0, ok = 0, misses = 0, files = 0;
	DIR *dir;

	if (stat(CORPUS, &st) != 0) {
		print_message("corpus %s absent, skipping\n", CORPUS);
		skip();
	}
	assert_non_null(dir = opendir(CORPUS));
	/* Bounded by the directory's entries. */
	while ((de = readdir(dir)) != NULL) {
		char path[1024];
		size_t n = strlen(de->d_name);

		if (n < 11 || strcmp(de->d_name + n - 10, ".flows.tsv") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, de->d_name);
		check_file(path, &misses);
		files++;
	}
	closedir(dir);
	for (size_t i = 0; i < sizeof(lmaps) / sizeof(lmaps[0]); i++) {
		rows += lmaps[i].rows;
		ok += lmaps[i].ok;
		if (lmaps[i].rows > 0)
			print_message("  %-14s %3u/%3u\n", lmaps[i].label,
			    lmaps[i].ok, lmaps[i].rows);
	}
	print_message("nDPI captures: %u files, %u labelled rows with a name,"
	    " %u agree (%.1f%%)\n", files, rows, ok,
	    rows ? 100.0 * ok / rows : 0.0);
	assert_true(files >= 60);
	assert_true(rows >= 200);
	assert_true(ok * 100 >= rows * 95);
	/* The specific apps the brief names must each be seen and mapped. */
	for (size_t i = 0; i < sizeof(lmaps) / sizeof(lmaps[0]); i++)
		if (strcmp(lmaps[i].label, "SinaWeibo") == 0 ||
		    strcmp(lmaps[i].label, "Facebook") == 0 ||
		    strcmp(lmaps[i].label, "Snapchat") == 0 ||
		    strcmp(lmaps[i].label, "1kxun") == 0)
			assert_int_equal(lmaps[i].ok, lmaps[i].rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_shape),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_user_agents),
		cmocka_unit_test(test_user_agent_bounds),
		cmocka_unit_test(test_requested_with_and_others),
		cmocka_unit_test(test_attribute),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_inline_ok),
		cmocka_unit_test(test_table_growth),
		cmocka_unit_test(test_host_words),
		cmocka_unit_test(test_host_words_inline),
		cmocka_unit_test(test_ndpi_hosts),
		cmocka_unit_test(test_ndpi_captures),
	};

	return cmocka_run_group_tests(tests, setup_pack, teardown_pack);
}
