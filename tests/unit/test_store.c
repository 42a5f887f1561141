/*
 * test_store.c - the SQLite store: records in, rows out through the read
 * API; findings aggregated with their redacted evidence only; one
 * writer; schema migration and the refusal of a newer store; retention,
 * the size cap, and a locked store that is written once it is free.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "detect.h"
#include "hash.h"
#include "pii.h"
#include "store.h"
#include "../../daemon/store/store_sql.h"

#define DAY_US (86400ULL * 1000000)
/* 2026-12-07T10:00:00Z, a Monday. */
#define T0 (1796637600ULL * 1000000)

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/outflow.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[160];
	static const char *const sfx[] = { "", "-wal", "-shm" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	store_sql_test_step(NULL);
	return 0;
}

/* A flow and its record, as the pipeline would hand them over. */
struct fake {
	struct flow f;
	struct flow_record r;
	struct flow_data d;
};

static void
fake_flow(struct fake *x, uint64_t last_us, const char *domain,
    uint64_t sent, uint64_t received)
{
	static const uint8_t client[4] = { 192, 168, 1, 23 };
	static const uint8_t server[4] = { 23, 45, 67, 89 };

	memset(x, 0, sizeof(*x));
	x->f.first_us = last_us - 1000000;
	x->f.last_us = last_us;
	x->f.bytes[FLOW_TO_SERVER] = sent;
	x->f.bytes[FLOW_TO_CLIENT] = received;
	x->f.pkts[0] = 3;
	x->f.pkts[1] = 2;
	x->r.flow = &x->f;
	x->r.ended = true;
	x->r.why = FLOW_END_IDLE;
	addr_set4(&x->r.client, client);
	addr_set4(&x->r.server, server);
	x->r.domain = domain;
	x->r.protocol = "tls";
	x->r.device_name = "emma-phone";
	x->r.app_id = "tiktok";
	x->r.app_name = "TikTok";
	memcpy(x->r.country, "SG", 3);
	x->r.asn = 4134;
	memcpy(x->r.jur_operator, "CN", 3);
	memcpy(x->r.jur_vendor, "CN", 3);
	x->r.operator_name = "ByteDance";
	x->r.geo_done = true;
}

static struct store *
open_store(const struct store_options *opt)
{
	struct store_options def;
	struct store *s = NULL;
	char err[256];

	store_options_defaults(&def);
	assert_int_equal(store_open(path, opt ? opt : &def, &s, err,
	    sizeof(err)), 0);
	return s;
}

static void
end_run(struct store *s, uint64_t last_us, const char *geoip)
{
	struct run_stats t;

	memset(&t, 0, sizeof(t));
	t.packets = 10;
	t.first_us = T0;
	t.last_us = last_us;
	t.geoip_country_desc = geoip;
	t.geoip_attribution = geoip ? "IP data by Example (CC BY 4.0)" : NULL;
	store_output_ops.stats(s, &t);
}

/* --- Collecting rows through the read API --- */

struct got {
	unsigned n;
	uint64_t flows, sent, received, encrypted;
	char days[8][STORE_DAY_TEXT];
	char last_category[64];
	struct {
		char rule[32], evidence_masked[96], hmac[40], where[32];
		uint64_t count, first_us, last_us;
		int severity;
	} finding;
	char geo_first[STORE_DAY_TEXT], geo_last[STORE_DAY_TEXT];
	char attribution[128];
};

static int
got_flow(const struct store_flow_row *r, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 8)
		snprintf(g->days[g->n], STORE_DAY_TEXT, "%s", r->day);
	g->n++;
	g->flows += r->flows;
	g->sent += r->bytes_sent;
	g->received += r->bytes_received;
	g->encrypted += r->bytes_encrypted;
	snprintf(g->last_category, sizeof(g->last_category), "%s",
	    r->category);
	assert_string_equal(r->app_name, "TikTok");
	assert_string_equal(r->operator_name, "ByteDance");
	assert_int_equal(r->asn, 4134);
	return 0;
}

static int
got_coverage(const struct store_coverage_row *r, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 8)
		snprintf(g->days[g->n], STORE_DAY_TEXT, "%s", r->day);
	g->n++;
	g->flows += r->flows;
	g->encrypted += r->bytes_encrypted;
	return 0;
}

static int
got_finding(const struct store_finding_row *r, void *ctx)
{
	struct got *g = ctx;

	g->n++;
	snprintf(g->finding.rule, sizeof(g->finding.rule), "%s", r->rule_id);
	snprintf(g->finding.evidence_masked,
	    sizeof(g->finding.evidence_masked), "%s", r->evidence_masked);
	snprintf(g->finding.hmac, sizeof(g->finding.hmac), "%s",
	    r->evidence_hmac);
	snprintf(g->finding.where, sizeof(g->finding.where), "%s",
	    r->evidence_where);
	g->finding.count = r->count;
	g->finding.first_us = r->first_us;
	g->finding.last_us = r->last_us;
	g->finding.severity = r->severity;
	return 0;
}

static int
got_geoip(const struct store_geoip_row *r, void *ctx)
{
	struct got *g = ctx;

	g->n++;
	snprintf(g->geo_first, sizeof(g->geo_first), "%s", r->first_day);
	snprintf(g->geo_last, sizeof(g->geo_last), "%s", r->last_day);
	snprintf(g->attribution, sizeof(g->attribution), "%s", r->attribution);
	return 0;
}

static int
stop_at_first(const struct store_flow_row *r, void *ctx)
{
	(void)r;
	(*(unsigned *)ctx)++;
	return 7;
}

static struct store_reader *
reader(void)
{
	struct store_reader *rd = NULL;
	char err[256];

	assert_int_equal(store_open_readonly(path, &rd, err, sizeof(err)), 0);
	return rd;
}

/* The whole file (and its WAL), to look for bytes that must not be there. */
static bool
file_has(const char *needle)
{
	static const char *const sfx[] = { "", "-wal" };
	bool found = false;

	for (size_t i = 0; i < 2 && !found; i++) {
		char p[160], *buf;
		FILE *fp;
		long n;

		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if ((fp = fopen(p, "rb")) == NULL)
			continue;
		fseek(fp, 0, SEEK_END);
		n = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
		found = memmem(buf, (size_t)n, needle, strlen(needle)) != NULL;
		free(buf);
		fclose(fp);
	}
	return found;
}

static void
test_rows_round_trip(void **state)
{
	struct fake a, b, c, d;
	struct store *s;
	struct store_reader *rd;
	struct got g;
	struct stat st;
	unsigned calls = 0;

	(void)state;
	umask(022);
	s = open_store(NULL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	/* Two flows with one key add up; one the next day is its own row. */
	fake_flow(&a, T0, "api.tiktokv.com", 100, 1000);
	fake_flow(&b, T0 + 60000000, "api.tiktokv.com", 200, 2000);
	fake_flow(&c, T0 + DAY_US, "api.tiktokv.com", 5, 7);
	fake_flow(&d, T0 + 120000000, "api.tiktokv.com", 40, 50);
	/* d sent personal data: one data_day row per category. */
	d.d.categories[0] = "location.precise";
	d.d.permissions[0] = "ACCESS_FINE_LOCATION";
	d.d.n_categories = 1;
	d.d.observations = 1;
	d.r.data = &d.d;
	store_output_ops.flow(s, &a.r);
	store_output_ops.flow(s, &b.r);
	store_output_ops.flow(s, &c.r);
	store_output_ops.flow(s, &d.r);
	end_run(s, T0 + DAY_US, "Example country data");
	assert_int_equal(store_output_ops.write_error(s), 0);
	store_output_ops.close(s);

	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_flows(rd, false, "2026-12-07", "2026-12-07",
	    got_flow, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.flows, 3);
	assert_int_equal(g.sent, 340);
	assert_int_equal(g.received, 3050);
	assert_int_equal(g.encrypted, 3390);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_flows(rd, false, "2026-12-01", "2026-12-31",
	    got_flow, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.days[0], "2026-12-07");
	assert_string_equal(g.days[1], "2026-12-08");

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_flows(rd, true, "2026-12-07", "2026-12-08",
	    got_flow, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.flows, 1);
	assert_string_equal(g.last_category, "location.precise");

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_coverage(rd, "2026-12-07", "2026-12-08",
	    got_coverage, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.flows, 4);

	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_geoip(rd, "2026-12-08", "2026-12-14",
	    got_geoip, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.geo_first, "2026-12-07");
	assert_string_equal(g.geo_last, "2026-12-08");
	assert_string_equal(g.attribution, "IP data by Example (CC BY 4.0)");
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_geoip(rd, "2026-12-09", "2026-12-14",
	    got_geoip, &g), 0);
	assert_int_equal(g.n, 0);

	/* A callback's non-zero value stops the walk and comes back. */
	assert_int_equal(store_read_flows(rd, false, "2026-12-01",
	    "2026-12-31", stop_at_first, &calls), 7);
	assert_int_equal(calls, 1);
	store_reader_close(rd);
}

/*
 * A batch of many rows goes in by STORE_DB_FLOW_ROWS at a time, the rest
 * one by one: 101 destinations (three full statements and five rows,
 * for traffic_day; data_day the same), twice over two runs, so the
 * second run's rows all meet stored ones.  Every row and sum comes back.
 */
static void
test_many_rows(void **state)
{
	static struct fake f[101];
	static char names[101][32];
	struct store_reader *rd;
	struct got g;

	(void)state;
	for (int run = 0; run < 2; run++) {
		struct store *s = open_store(NULL);

		for (int i = 0; i < 101; i++) {
			snprintf(names[i], sizeof(names[i]), "d%03d.example", i);
			fake_flow(&f[i], T0 + (uint64_t)i * 1000000, names[i],
			    (uint64_t)i + 1, 1000);
			f[i].d.categories[0] = "location.precise";
			f[i].d.permissions[0] = "ACCESS_FINE_LOCATION";
			f[i].d.n_categories = 1;
			f[i].d.observations = 1;
			f[i].r.data = &f[i].d;
			store_output_ops.flow(s, &f[i].r);
		}
		end_run(s, T0 + 101000000, NULL);
		assert_int_equal(store_output_ops.write_error(s), 0);
		store_output_ops.close(s);
	}
	rd = reader();
	for (int data = 0; data < 2; data++) {
		memset(&g, 0, sizeof(g));
		assert_int_equal(store_read_flows(rd, data, "2026-12-07",
		    "2026-12-07", got_flow, &g), 0);
		assert_int_equal(g.n, 101);
		assert_int_equal(g.flows, 2 * 101);
		assert_int_equal(g.sent, 2 * (101 * 102 / 2));
		assert_int_equal(g.received, 2 * 101 * 1000);
	}
	store_reader_close(rd);
}

static void
test_findings_aggregate(void **state)
{
	struct fake a;
	struct pii_obs ev;
	struct finding_record fr;
	struct store *s;
	struct store_reader *rd;
	struct got g;

	(void)state;
	s = open_store(NULL);
	fake_flow(&a, T0, "api.tiktokv.com", 1, 1);
	memset(&ev, 0, sizeof(ev));
	ev.category = "location.precise";
	ev.where = PII_WHERE_BODY;
	snprintf(ev.location, sizeof(ev.location), "$.lat");
	snprintf(ev.masked, sizeof(ev.masked), "38.8***");
	snprintf(ev.hmac, sizeof(ev.hmac), "00112233445566778899aabbccddeeff");
	/* Only a lab run fills raw; the store must never take it. */
	snprintf(ev.raw, sizeof(ev.raw), "RAWVALUE-38.8977");

	memset(&fr, 0, sizeof(fr));
	fr.flow = &a.r;
	fr.rule_id = "location-to-concern";
	fr.ruleset = "default";
	fr.title = "TikTok sent precise location to CN";
	fr.severity = SEVERITY_HIGH;
	fr.jurisdiction_by = "operator";
	fr.jurisdiction = "CN";
	fr.categories[0] = "location.precise";
	fr.n_categories = 1;
	fr.evidence = &ev;
	fr.first_us = T0 - 5000000;
	fr.last_us = T0;
	store_output_ops.finding(s, &fr);
	/* The same rule, device, app, destination and day: one row. */
	fr.first_us = T0 - 9000000;
	fr.last_us = T0 + 3000000;
	fr.evidence = NULL;
	store_output_ops.finding(s, &fr);
	end_run(s, T0 + 3000000, NULL);
	store_output_ops.close(s);

	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_findings(rd, "2026-12-07", "2026-12-07",
	    got_finding, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.finding.rule, "location-to-concern");
	assert_int_equal(g.finding.count, 2);
	assert_int_equal(g.finding.first_us, T0 - 9000000);
	assert_int_equal(g.finding.last_us, T0 + 3000000);
	assert_int_equal(g.finding.severity, SEVERITY_HIGH);
	assert_string_equal(g.finding.evidence_masked, "38.8***");
	assert_string_equal(g.finding.hmac, "00112233445566778899aabbccddeeff");
	assert_string_equal(g.finding.where, pii_where_name(PII_WHERE_BODY));
	store_reader_close(rd);
	assert_false(file_has("RAWVALUE"));
	assert_true(file_has("38.8***"));
}

static void
test_one_writer(void **state)
{
	struct store_options opt;
	struct store *s, *t = NULL;
	char err[256];

	(void)state;
	store_options_defaults(&opt);
	s = open_store(&opt);
	assert_int_not_equal(store_open(path, &opt, &t, err, sizeof(err)), 0);
	assert_null(t);
	assert_non_null(strstr(err, "another outflow is writing"));
	store_output_ops.close(s);
	/* Free again once the first let go. */
	t = open_store(&opt);
	store_output_ops.close(t);
}

static void
test_migration_and_refusal(void **state)
{
	struct fake a;
	struct store *s;
	struct store_reader *rd = NULL;
	struct got g;
	char err[256];
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	/* A version 1 store with a row in it. */
	s = open_store(NULL);
	fake_flow(&a, T0, "api.tiktokv.com", 10, 20);
	store_output_ops.flow(s, &a.r);
	end_run(s, T0, NULL);
	store_output_ops.close(s);

	/* Code that knows one more version: upgrades, and keeps the rows. */
	store_sql_test_step("ALTER TABLE traffic_day ADD COLUMN note TEXT "
	    "NOT NULL DEFAULT 'v2';");
	/* A reader of the new version does not take the older store. */
	assert_int_not_equal(store_open_readonly(path, &rd, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "older"));
	s = open_store(NULL);
	store_output_ops.close(s);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT user_version "
	    "FROM pragma_user_version), note, flows FROM traffic_day", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION + 1);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "v2");
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_flows(rd, false, "2026-12-07",
	    "2026-12-07", got_flow, &g), 0);
	assert_int_equal(g.flows, 1);
	store_reader_close(rd);

	/* This outflow again: the newer store is refused, both ways. */
	store_sql_test_step(NULL);
	s = NULL;
	assert_int_equal(store_open(path, &(struct store_options){
	    .interval_s = 5, .retention_days = 400, .max_bytes = 1u << 30,
	    .retry_s = 5 }, &s, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_null(s);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(store_open_readonly(path, &rd, err, sizeof(err)),
	    -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "use a newer outflow"));
}

static void
test_retention(void **state)
{
	struct store_options opt;
	struct store_counters cnt;
	struct store *s;
	struct store_reader *rd;
	struct got g;

	(void)state;
	store_options_defaults(&opt);
	opt.retention_days = 2;
	s = open_store(&opt);
	for (int day = 0; day < 5; day++) {
		struct fake a;

		fake_flow(&a, T0 + (uint64_t)day * DAY_US, "api.tiktokv.com",
		    1, 1);
		store_output_ops.flow(s, &a.r);
	}
	end_run(s, T0 + 4 * DAY_US, NULL);
	store_get_counters(s, &cnt);
	store_output_ops.close(s);
	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_coverage(rd, "2000-01-01", "2100-01-01",
	    got_coverage, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.days[0], "2026-12-10");
	assert_string_equal(g.days[1], "2026-12-11");
	assert_true(cnt.days_expired >= 1);
	store_reader_close(rd);
}

static void
test_size_cap(void **state)
{
	struct store_options opt;
	struct store_counters cnt;
	struct store *s;
	struct store_reader *rd;
	struct got g;
	char name[64];

	(void)state;
	store_options_defaults(&opt);
	opt.max_bytes = 256 * 1024;
	s = open_store(&opt);
	/* Ten days of 1000 destinations each: about 2.5 MiB in all. */
	for (int day = 0; day < 10; day++) {
		for (int i = 0; i < 1000; i++) {
			struct fake a;

			snprintf(name, sizeof(name), "host-%04d.example-cdn.net", i);
			fake_flow(&a, T0 + (uint64_t)day * DAY_US + (uint64_t)i,
			    name, 1, 1);
			store_output_ops.flow(s, &a.r);
		}
		/* One batch per day: the writer's turn. */
		store_output_ops.stats(s, &(struct run_stats){ .packets = 0 });
	}
	end_run(s, T0 + 9 * DAY_US, NULL);
	store_get_counters(s, &cnt);
	store_output_ops.close(s);
	assert_true(cnt.days_dropped_size >= 5);
	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_coverage(rd, "2000-01-01", "2100-01-01",
	    got_coverage, &g), 0);
	/* The newest days stay. */
	assert_true(g.n >= 1 && g.n <= 5);
	assert_string_equal(g.days[g.n - 1], "2026-12-16");
	store_reader_close(rd);
}

static void
test_locked_then_free(void **state)
{
	struct store_options opt;
	struct store_counters cnt;
	struct store *s;
	struct store_reader *rd;
	struct fake a, b;
	struct got g;
	sqlite3 *db;

	(void)state;
	store_options_defaults(&opt);
	opt.retry_s = 1;
	s = open_store(&opt);
	/* Someone else holds the write lock. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	fake_flow(&a, T0, "api.tiktokv.com", 1, 1);
	fake_flow(&b, T0 + 10000000, "api.tiktokv.com", 1, 1);
	store_output_ops.flow(s, &a.r);
	store_output_ops.flow(s, &b.r);	/* the interval is over: handed */
	/* The writer waits 2 s for the lock, fails, and says so. */
	for (int i = 0; i < 100; i++) {
		store_get_counters(s, &cnt);
		if (cnt.write_errors > 0)
			break;
		usleep(50000);
	}
	assert_true(cnt.write_errors > 0);
	assert_int_equal(cnt.batches, 0);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	end_run(s, T0 + 10000000, NULL);
	store_get_counters(s, &cnt);
	assert_true(cnt.batches >= 1);
	assert_int_equal(store_output_ops.write_error(s), 0);
	store_output_ops.close(s);

	rd = reader();
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_read_flows(rd, false, "2026-12-07",
	    "2026-12-07", got_flow, &g), 0);
	assert_int_equal(g.flows, 2);
	store_reader_close(rd);
}

/*
 * Reading capture files, the time between files is no interval: a batch
 * goes when its interval has passed in wall time (or it is big), so
 * captures of other years in turn make no transaction each.  Live, a
 * clock stepped back is no interval either.
 */
static void
test_handoff_time(void **state)
{
	static const uint64_t year = 365ULL * 86400 * 1000000;
	static const int64_t jumps[] = { 0, 3 * year, -2 * year, 5 * year,
	    -6 * year, 4 * year };
	struct store_options opt;
	struct store_counters cnt;
	struct store *s;
	struct fake f;

	(void)state;
	for (int files = 1; files >= 0; files--) {
		store_options_defaults(&opt);
		opt.from_files = files;
		s = open_store(&opt);
		for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
			fake_flow(&f, (uint64_t)((int64_t)T0 + jumps[i]),
			    "api.tiktokv.com", 1, 1);
			store_output_ops.flow(s, &f.r);
		}
		/* Live, forward jumps are intervals: a batch is written
		 * soon.  Reading files, none is in the same time. */
		for (int i = 0; i < 100; i++) {
			store_get_counters(s, &cnt);
			if (cnt.batches > 0 || (files && i == 4))
				break;
			usleep(50000);
		}
		if (files)
			assert_int_equal(cnt.batches, 0);
		else
			assert_true(cnt.batches >= 1);
		end_run(s, T0, NULL);
		store_get_counters(s, &cnt);
		assert_true(cnt.batches >= 1);
		store_output_ops.close(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_handoff_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_aggregate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_and_refusal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_then_free, setup,
		    teardown),
	};

	hash_seed_set(1, 2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
