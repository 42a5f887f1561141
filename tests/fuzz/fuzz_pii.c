/*
 * fuzz_pii.c - the whole engine on an arbitrary request: the bytes are
 * parsed as an HTTP request (falling back to a DNS name) and scanned with
 * the shipped rules and a fixed identity, so every splitter, the
 * automaton, the home check and every structural detector see hostile
 * input.  Invariants: observations are NUL-terminated, within the cap,
 * and never carry raw values (raw_evidence is off).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildconf.h"
#include "http.h"
#include "pii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ids_yaml[] =
    "identities:\n"
    "  - label: emma\n"
    "    phone: [\"+1 202 555 0142\"]\n"
    "    email: [\"emma.lee@example.org\"]\n"
    "    name: [\"Emma Lee\"]\n"
    "    imei: [\"356938035643809\"]\n"
    "    ad_id: [\"38400000-8cf0-11bd-b23e-10b96e40000d\"]\n"
    "    android_id: [\"9774d56d682e549c\"]\n"
    "    mac: [\"3c:22:fb:12:34:56\"]\n"
    "    home: {lat: 39.9087, lon: 116.3975, radius_m: 500}\n";

/*
 * The engine and a scanner over it, made once and kept for the process
 * (as a pipeline keeps its scanner across messages).
 */
static struct pii_scanner *
scanner(void)
{
	static struct pii_engine *e;
	static struct pii_scanner *s;
	static struct pii_identities *ids;
	char err[512];

	if (s == NULL) {
		struct pii_config c = {
			.rules_path = OUTFLOW_SRC_RULESDIR "/personal_data.yaml",
			.permissions_path = OUTFLOW_SRC_RULESDIR "/permissions.yaml",
			.max_scan_bytes = 8192,
		};

		if (pii_identities_load_string("fuzz", ids_yaml,
		    sizeof(ids_yaml) - 1, &ids, err, sizeof(err)) != 0)
			abort();
		c.identities = ids;
		if (pii_engine_new(&c, &e, err, sizeof(err)) != 0 ||
		    pii_scanner_new(e, &s) != 0)
			abort();
	}
	return s;
}

static void
check(const struct pii_result *r)
{
	if (r->n > PII_MAX_OBS_PER_MSG)
		__builtin_trap();
	for (size_t i = 0; i < r->n; i++) {
		const struct pii_obs *o = &r->obs[i];

		if (memchr(o->location, 0, sizeof(o->location)) == NULL ||
		    memchr(o->masked, 0, sizeof(o->masked)) == NULL ||
		    strlen(o->hmac) != 32 || o->raw[0] != '\0' ||
		    o->category == NULL || o->encoding == NULL ||
		    o->confidence > 100)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pii_result res;
	struct pii_scanner *s = scanner();
	struct http_request req;
	struct parse_result pr;
	struct http_ctx *hc;
	char name[300];

	if ((hc = http_ctx_new()) == NULL)
		return 0;
	pr = http_request_parse(hc, data, size, 16384, true, &req);
	hc = http_ctx_free(hc);
	if (pr.st == PARSE_OK) {
		pii_scan_http(s, &req, &res);
		check(&res);
		http_request_clear(&req);
	}
	if (size < sizeof(name)) {
		memcpy(name, data, size);
		name[size] = '\0';
		pii_scan_dns_name(s, name, &res);
		check(&res);
	}
	return 0;
}
