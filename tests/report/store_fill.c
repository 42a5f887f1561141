/*
 * store_fill.c - fills a store through the store's own writer path: the
 * output (store_output_ops) gets one flow record per flow, and findings,
 * as the pipeline would hand them over, summed in memory and written by
 * the writer thread in batches.  The records are generated: a household
 * of DEVICES devices, each using up to 20 of APPS apps, each app talking
 * to DESTS destinations in a few countries; flows spread over DAYS days
 * of packet time from DAY (days since 1970), busier by day than by
 * night; some apps send personal data, and location to an operator in
 * China is a finding.  Deterministic for a seed.
 *
 *   store_fill STORE DAY DAYS FLOWS DEVICES APPS DESTS SEED
 *
 * For report_perf_writer (perf.py --through-writer): what a replay of a
 * long capture through `outflow audit --store` would write, without the
 * minutes a generator and the capture path would take for a million
 * flows.  Prints the store's counters as one JSON line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "hash.h"
#include "pii.h"
#include "store.h"

#define US_PER_DAY (86400ULL * 1000000)
#define MAX_DEVICES 64
#define MAX_APPS 256
#define MAX_DESTS 256
#define APPS_PER_DEVICE 20

static const struct {
	const char *country, *operator_name, *jur_operator;
	uint32_t asn;
} places[] = {
	{ "US", "Google LLC", "US", 15169 },
	{ "CN", "Tencent", "CN", 45090 },
	{ "SG", "ByteDance", "CN", 138699 },
	{ "DE", "Hetzner", "DE", 24940 },
	{ "IE", "Meta Platforms", "US", 32934 },
	{ "NL", "Amazon", "US", 16509 },
	{ "JP", "IIJ", "JP", 2497 },
	{ "FR", "OVH", "FR", 16276 },
};
#define N_PLACES (sizeof(places) / sizeof(places[0]))

static const struct {
	const char *category, *permission;
} cats[] = {
	{ "location.precise", "ACCESS_FINE_LOCATION" },
	{ "location.coarse", "ACCESS_COARSE_LOCATION" },
	{ "device_id.android_id", NULL },
	{ "ad_id", NULL },
	{ "email", "GET_ACCOUNTS" },
	{ "phone", "READ_PHONE_NUMBERS" },
};
#define N_CATS (sizeof(cats) / sizeof(cats[0]))

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: enough spread for a generated household. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned long
arg_num(const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "store_fill: \"%s\" is not in [%lu, %lu]\n", s,
		    lo, hi);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static char device_names[MAX_DEVICES][32], app_ids[MAX_APPS][32],
	    app_names[MAX_APPS][32], dest_names[MAX_APPS][MAX_DESTS][64];
	struct store_options opt;
	struct store *s = NULL;
	struct store_counters cnt;
	struct run_stats stats;
	char err[512];
	unsigned long day, days, flows, devices, apps, dests;
	uint64_t start_us, span_us, findings = 0;

	if (argc != 9) {
		fprintf(stderr, "usage: store_fill STORE DAY DAYS FLOWS DEVICES "
		    "APPS DESTS SEED\n");
		return 2;
	}
	day = arg_num(argv[2], 1, 2932896);
	days = arg_num(argv[3], 1, 366);
	flows = arg_num(argv[4], 1, 100000000);
	devices = arg_num(argv[5], 1, MAX_DEVICES);
	apps = arg_num(argv[6], 1, MAX_APPS);
	dests = arg_num(argv[7], 1, MAX_DESTS);
	rng_state = arg_num(argv[8], 0, 1UL << 31) * 2 + 1;
	if (hash_seed_init() != 0)
		return 1;

	for (unsigned long d = 0; d < devices; d++)
		snprintf(device_names[d], sizeof(device_names[d]),
		    "device-%02u", (unsigned)d);
	for (unsigned long a = 0; a < apps; a++) {
		snprintf(app_ids[a], sizeof(app_ids[a]), "app%03u", (unsigned)a);
		snprintf(app_names[a], sizeof(app_names[a]), "App %03u",
		    (unsigned)a);
		for (unsigned long k = 0; k < dests; k++)
			snprintf(dest_names[a][k], sizeof(dest_names[a][k]),
			    "api%u.app%03u.example", (unsigned)k, (unsigned)a);
	}

	store_options_defaults(&opt);
	if (store_open(argv[1], &opt, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_fill: %s\n", err);
		return 1;
	}
	start_us = (uint64_t)day * US_PER_DAY;
	span_us = (uint64_t)days * US_PER_DAY;
	for (unsigned long i = 0; i < flows; i++) {
		struct flow f;
		struct flow_record r;
		struct flow_data data;
		uint64_t x = rng(), t = start_us + span_us / flows * i;
		unsigned long dev = (unsigned long)(x % devices);
		/* Each device uses its own 20 apps (fewer if there are
		 * fewer); some destinations are far busier than others. */
		unsigned long a = (dev * 7 + (x >> 8) % (apps < APPS_PER_DEVICE ?
		    apps : APPS_PER_DEVICE)) % apps;
		unsigned long k = (unsigned long)(((x >> 16) % dests) *
		    ((x >> 24) % dests) / dests);
		size_t p = (a * 3 + k) % N_PLACES;
		unsigned hour = (unsigned)(t / 3600000000ULL % 24);
		uint8_t client[4] = { 192, 168, 1, (uint8_t)(10 + dev) };
		uint8_t server[4] = { 23, (uint8_t)a, (uint8_t)k, 1 };

		/* Fewer flows at night: skip most between 01:00 and 06:00. */
		if (hour >= 1 && hour < 6 && (x >> 32) % 4 != 0)
			continue;
		memset(&f, 0, sizeof(f));
		memset(&r, 0, sizeof(r));
		f.first_us = t - (x >> 40) % 30000000;
		f.last_us = t;
		f.pkts[0] = 4 + (uint32_t)((x >> 20) % 20);
		f.pkts[1] = 4 + (uint32_t)((x >> 28) % 60);
		f.bytes[FLOW_TO_SERVER] = 600 + (x >> 36) % 4000;
		f.bytes[FLOW_TO_CLIENT] = 2000 + (x >> 44) % 60000;
		r.flow = &f;
		r.ended = true;
		r.why = FLOW_END_IDLE;
		addr_set4(&r.client, client);
		addr_set4(&r.server, server);
		r.device_name = device_names[dev];
		r.app_id = app_ids[a];
		r.app_name = app_names[a];
		r.domain = dest_names[a][k];
		r.protocol = (x >> 50) % 10 < 9 ? "tls" : "http";
		memcpy(r.country, places[p].country, 3);
		r.asn = places[p].asn;
		r.operator_name = places[p].operator_name;
		memcpy(r.jur_operator, places[p].jur_operator, 3);
		memcpy(r.jur_vendor, a % 4 == 1 ? "CN" : "US", 3);
		r.geo_done = true;
		/* One app in three sends personal data on a flow in ten. */
		if (a % 3 == 0 && (x >> 54) % 10 == 0) {
			size_t c = (a / 3 + k) % N_CATS;

			memset(&data, 0, sizeof(data));
			data.categories[0] = cats[c].category;
			data.permissions[0] = cats[c].permission;
			data.n_categories = 1;
			data.observations = 1;
			r.data = &data;
			if (c == 0 && strcmp(places[p].jur_operator, "CN") == 0) {
				struct pii_obs ev = {
					.category = cats[c].category,
					.where = PII_WHERE_QUERY,
					.location = "lat",
					.masked = "3*.****",
					.hmac = "00112233445566778899aabbccddeeff",
				};
				struct finding_record fr = {
					.flow = &r, .rule_id = "location-to-cn",
					.ruleset = "default",
					.title = "An app sent precise location to "
					    "an operator in China",
					.severity = SEVERITY_HIGH,
					.jurisdiction_by = "operator",
					.jurisdiction = "CN",
					.categories = { cats[c].category },
					.n_categories = 1, .evidence = &ev,
					.observations = 1,
					.first_us = f.first_us, .last_us = t,
				};

				store_output_ops.finding(s, &fr);
				findings++;
			}
		}
		store_output_ops.flow(s, &r);
	}
	memset(&stats, 0, sizeof(stats));
	stats.final = true;
	stats.packets = flows;
	stats.first_us = start_us;
	stats.last_us = start_us + span_us - 1;
	store_output_ops.stats(s, &stats);
	store_get_counters(s, &cnt);
	printf("{\"batches\": %llu, \"write_errors\": %llu, \"rows_dropped\": "
	    "%llu, \"findings\": %llu}\n", (unsigned long long)cnt.batches,
	    (unsigned long long)cnt.write_errors,
	    (unsigned long long)cnt.rows_dropped,
	    (unsigned long long)findings);
	store_output_ops.close(s);
	return cnt.write_errors > 0 || cnt.rows_dropped > 0 ? 1 : 0;
}
