/*
 * fuzz_apps.c - app attribution on hostile input.
 *
 * First byte even: the rest is an apps.yaml pack for apps_load_string()
 * (validation paths, table growth, duplicate detection).  Odd: the rest
 * is one string fed to every matcher of a fixed pack (domain suffix walk,
 * cloud namespaces and the vendor-word probes under them and in a label's
 * first word, User-Agent tokenizer with dot-prefix probes, exact tables,
 * ASN) and to
 * apps_attribute() as every field at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_pack[] =
    "version: 1\n"
    "cloud_hosts: [akamaized.net, oss.aliyuncs.com]\n"
    "apps:\n"
    "  - id: tiktok\n    name: TikTok\n    kind: app\n"
    "    vendor: ByteDance Ltd.\n    vendor_jurisdiction: CN\n"
    "    source: fuzz\n"
    "    domains: [tiktok.com, tiktokv.com, a.b.c.d.e.f.g.h.example]\n"
    "    host_words: [tiktokcdn, bytedance]\n"
    "    packages: [com.zhiliaoapp.musically, com.zhiliaoapp.musically.go]\n"
    "    user_agents: [TikTok]\n"
    "    ja4: [t13d1516h2_8daaf6152771_02713d6af862]\n"
    "    vendor_by_domain:\n"
    "      - vendor: JV\n        vendor_jurisdiction: US\n"
    "        source: fuzz\n        domains: [tiktokv.us, us.tiktok.com]\n"
    "        asns: [11983]\n"
    "  - id: wechat\n    name: WeChat\n    kind: app\n    vendor: Tencent\n"
    "    vendor_jurisdiction: CN\n    source: fuzz\n    confidence: low\n"
    "    domains: [weixin.qq.com, wx.qq.com]\n"
    "    packages: [com.tencent.mm]\n    user_agents: [MicroMessenger]\n"
    "    cert_orgs: [\"Tencent, Inc.\"]\n"
    "  - id: qq\n    name: QQ\n    kind: sdk\n    vendor: Tencent\n"
    "    vendor_jurisdiction: CN\n    source: fuzz\n    domains: [qq.com]\n"
    "    asns: [45090]\n";

static struct apps *fixed;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_flow_evidence ev;
	struct app_match m;
	char err[256];
	char *s;

	if (fixed == NULL) {
		if (apps_load_string("fixed", fixed_pack, strlen(fixed_pack),
		    &fixed, err, sizeof(err)) != 0)
			abort();
	}
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		struct apps *a = NULL;

		if (apps_load_string("fuzz.yaml", (const char *)data + 1,
		    size - 1, &a, err, sizeof(err)) == 0) {
			if (apps_count(a) > 0 && apps_get(a, 0) == NULL)
				abort();
			apps_match_domain(a, "www.example.com", &m);
			apps_match_user_agent(a, "com.example.app/1 (x)", &m);
		}
		apps_free(a);
		return 0;
	}
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	apps_match_domain(fixed, s, &m);
	apps_match_user_agent(fixed, s, &m);
	apps_match_requested_with(fixed, s, &m);
	apps_match_ja4(fixed, s, &m);
	apps_match_cert_org(fixed, s, &m);
	ev = (struct app_flow_evidence){ .sni = s, .http_host = s,
	    .dns_name = s, .user_agent = s, .requested_with = s, .ja4 = s,
	    .cert_org = s };
	if (size >= 5)
		memcpy(&ev.asn, data + 1, 4);
	apps_match_asn(fixed, ev.asn, &m);
	if (apps_attribute(fixed, &ev, &m) && (m.app == NULL ||
	    m.vendor == NULL || m.confidence > 100))
		abort();
	free(s);
	return 0;
}
