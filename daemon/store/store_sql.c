/*
 * store_sql.c - every SQL statement of the store, and the only file that
 * includes <sqlite3.h>.
 *
 * The statements are portable SQL (INSERT ... ON CONFLICT DO UPDATE,
 * CASE instead of two-argument MIN/MAX, TEXT days) so that a PostgreSQL
 * backend can take the same text; only opening, the pragmas and the size
 * measure are SQLite's own.  SQLite status codes stop here: callers get
 * negative errnos.
 *
 * The schema is a list of steps: step i brings user_version i to i + 1,
 * each in its own transaction, so a store is upgraded forward one step
 * at a time and a crash between steps leaves a valid older version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sql.h"

#define FLOW_KEY "day, device, app, destination, country, asn, " \
	"operator_jurisdiction, vendor_jurisdiction"

#define FLOW_COLS(extra) \
	"day TEXT NOT NULL, device TEXT NOT NULL, app TEXT NOT NULL, " \
	"app_name TEXT NOT NULL, destination TEXT NOT NULL, " \
	"country TEXT NOT NULL, asn INTEGER NOT NULL, " \
	"operator TEXT NOT NULL, operator_jurisdiction TEXT NOT NULL, " \
	"vendor_jurisdiction TEXT NOT NULL, " extra \
	"flows INTEGER NOT NULL, flows_encrypted INTEGER NOT NULL, " \
	"packets INTEGER NOT NULL, bytes_sent INTEGER NOT NULL, " \
	"bytes_received INTEGER NOT NULL, bytes_encrypted INTEGER NOT NULL, "

/* Version 1. */
static const char schema_v1[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE traffic_day (" FLOW_COLS("")
	"PRIMARY KEY (" FLOW_KEY "));"
	"CREATE TABLE data_day (" FLOW_COLS("category TEXT NOT NULL, "
	    "permission TEXT NOT NULL, ")
	"PRIMARY KEY (" FLOW_KEY ", category));"
	"CREATE TABLE finding_day (day TEXT NOT NULL, rule_id TEXT NOT NULL, "
	"device TEXT NOT NULL, app TEXT NOT NULL, destination TEXT NOT NULL, "
	"ruleset TEXT NOT NULL, title TEXT NOT NULL, "
	"severity INTEGER NOT NULL, jurisdiction_by TEXT NOT NULL, "
	"jurisdiction TEXT NOT NULL, categories TEXT NOT NULL, "
	"first_us INTEGER NOT NULL, last_us INTEGER NOT NULL, "
	"count INTEGER NOT NULL, evidence_category TEXT NOT NULL, "
	"evidence_where TEXT NOT NULL, evidence_location TEXT NOT NULL, "
	"evidence_masked TEXT NOT NULL, evidence_hmac TEXT NOT NULL, "
	"PRIMARY KEY (day, rule_id, device, app, destination));"
	"CREATE TABLE coverage_day (day TEXT PRIMARY KEY, "
	"packets INTEGER NOT NULL, bytes INTEGER NOT NULL, "
	"flows INTEGER NOT NULL, flows_encrypted INTEGER NOT NULL, "
	"bytes_encrypted INTEGER NOT NULL, "
	"bytes_not_inspected INTEGER NOT NULL, malformed INTEGER NOT NULL, "
	"flows_evicted INTEGER NOT NULL);"
	"CREATE TABLE geoip (country_desc TEXT NOT NULL, "
	"attribution TEXT NOT NULL, first_day TEXT NOT NULL, "
	"last_day TEXT NOT NULL, PRIMARY KEY (country_desc, attribution));"
	"INSERT INTO meta (key, value) VALUES ('created_by', 'outflow');";

/* One more slot for the test step (store_sql_test_step()). */
static const char *steps[] = { schema_v1, NULL };
_Static_assert(sizeof(steps) / sizeof(steps[0]) == STORE_SCHEMA_VERSION + 1,
    "one step per schema version, and the test slot");
static size_t n_steps = STORE_SCHEMA_VERSION;

#ifdef OUTFLOW_TESTING
void
store_sql_test_step(const char *sql)
{
	steps[STORE_SCHEMA_VERSION] = sql;
	n_steps = STORE_SCHEMA_VERSION + (sql != NULL);
}
#endif

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_TRAFFIC, ST_DATA, ST_FINDING, ST_COVERAGE, ST_GEOIP,
	ST_TRAFFIC_ROWS, ST_DATA_ROWS,	/* STORE_DB_FLOW_ROWS rows at once */
	ST__COUNT
};

/*
 * The traffic and data upserts: one statement text for one row or for
 * STORE_DB_FLOW_ROWS (a VALUES list), row j binding parameters
 * j * FLOW_PARAMS + 1 to + 18 as store_db_put_flow() numbers them.
 * Most of SQLite's cost of a row is the statement around it (starting,
 * the statement journal, halting), so a batch's rows go in by the 32.
 */
#define FLOW_PARAMS 18
#define FLOW_INSERT(table, extra) "INSERT INTO " table " (day, device, " \
	"app, app_name, destination, country, asn, operator, " \
	"operator_jurisdiction, vendor_jurisdiction, " extra "flows, " \
	"flows_encrypted, packets, bytes_sent, bytes_received, " \
	"bytes_encrypted) VALUES "
#define FLOW_UPSERT(table, key) " ON CONFLICT (" key ") DO UPDATE SET " \
	"flows = " table ".flows + excluded.flows, " \
	"flows_encrypted = " table ".flows_encrypted + " \
	"excluded.flows_encrypted, " \
	"packets = " table ".packets + excluded.packets, " \
	"bytes_sent = " table ".bytes_sent + excluded.bytes_sent, " \
	"bytes_received = " table ".bytes_received + excluded.bytes_received, " \
	"bytes_encrypted = " table ".bytes_encrypted + excluded.bytes_encrypted"

static const uint8_t traffic_params[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18,
};
static const uint8_t data_params[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
};

/* The upsert of rows flow rows into buf; 0, or -ENOSPC if too long. */
static int
flow_sql(bool data, size_t rows, char *buf, size_t size)
{
	const char *head = data ? FLOW_INSERT("data_day", "category, "
	    "permission, ") : FLOW_INSERT("traffic_day", "");
	const char *tail = data ? FLOW_UPSERT("data_day", FLOW_KEY
	    ", category") : FLOW_UPSERT("traffic_day", FLOW_KEY);
	const uint8_t *params = data ? data_params : traffic_params;
	size_t n_params = data ? sizeof(data_params) : sizeof(traffic_params);
	size_t o = 0;
	int n;

	n = snprintf(buf, size, "%s", head);
	for (size_t j = 0; n >= 0 && (size_t)n < size - o && j < rows; j++) {
		o += (size_t)n;
		n = snprintf(buf + o, size - o, "%s(", j > 0 ? ", " : "");
		for (size_t i = 0; n >= 0 && (size_t)n < size - o &&
		    i < n_params; i++) {
			o += (size_t)n;
			n = snprintf(buf + o, size - o, "%s?%zu", i > 0 ?
			    ", " : "", j * FLOW_PARAMS + params[i]);
		}
		if (n >= 0 && (size_t)n < size - o) {
			o += (size_t)n;
			n = snprintf(buf + o, size - o, ")");
		}
	}
	if (n >= 0 && (size_t)n < size - o) {
		o += (size_t)n;
		n = snprintf(buf + o, size - o, "%s", tail);
	}
	return n >= 0 && (size_t)n < size - o ? 0 : -ENOSPC;
}

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/* ST_TRAFFIC, ST_DATA and their _ROWS: flow_sql(). */
	/* The first evidence of the day is kept. */
	[ST_FINDING] = "INSERT INTO finding_day (day, rule_id, device, app, "
	    "destination, ruleset, title, severity, jurisdiction_by, "
	    "jurisdiction, categories, first_us, last_us, count, "
	    "evidence_category, evidence_where, evidence_location, "
	    "evidence_masked, evidence_hmac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
	    "ON CONFLICT (day, rule_id, device, app, destination) DO UPDATE SET "
	    "first_us = CASE WHEN excluded.first_us < finding_day.first_us "
	    "THEN excluded.first_us ELSE finding_day.first_us END, "
	    "last_us = CASE WHEN excluded.last_us > finding_day.last_us "
	    "THEN excluded.last_us ELSE finding_day.last_us END, "
	    "count = finding_day.count + excluded.count, "
	    "evidence_category = CASE WHEN finding_day.evidence_category = '' "
	    "THEN excluded.evidence_category ELSE finding_day.evidence_category "
	    "END, "
	    "evidence_where = CASE WHEN finding_day.evidence_category = '' "
	    "THEN excluded.evidence_where ELSE finding_day.evidence_where END, "
	    "evidence_location = CASE WHEN finding_day.evidence_category = '' "
	    "THEN excluded.evidence_location ELSE finding_day.evidence_location "
	    "END, "
	    "evidence_masked = CASE WHEN finding_day.evidence_category = '' "
	    "THEN excluded.evidence_masked ELSE finding_day.evidence_masked END, "
	    "evidence_hmac = CASE WHEN finding_day.evidence_category = '' "
	    "THEN excluded.evidence_hmac ELSE finding_day.evidence_hmac END",
	[ST_COVERAGE] = "INSERT INTO coverage_day (day, packets, bytes, flows, "
	    "flows_encrypted, bytes_encrypted, bytes_not_inspected, malformed, "
	    "flows_evicted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (day) DO UPDATE SET "
	    "packets = coverage_day.packets + excluded.packets, "
	    "bytes = coverage_day.bytes + excluded.bytes, "
	    "flows = coverage_day.flows + excluded.flows, "
	    "flows_encrypted = coverage_day.flows_encrypted + "
	    "excluded.flows_encrypted, "
	    "bytes_encrypted = coverage_day.bytes_encrypted + "
	    "excluded.bytes_encrypted, "
	    "bytes_not_inspected = coverage_day.bytes_not_inspected + "
	    "excluded.bytes_not_inspected, "
	    "malformed = coverage_day.malformed + excluded.malformed, "
	    "flows_evicted = coverage_day.flows_evicted + excluded.flows_evicted",
	[ST_GEOIP] = "INSERT INTO geoip (country_desc, attribution, first_day, "
	    "last_day) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (country_desc, attribution) DO UPDATE SET "
	    "first_day = CASE WHEN excluded.first_day < geoip.first_day "
	    "THEN excluded.first_day ELSE geoip.first_day END, "
	    "last_day = CASE WHEN excluded.last_day > geoip.last_day "
	    "THEN excluded.last_day ELSE geoip.last_day END",
};

/* Tables with a day column, for retention and the size cap. */
static const char *const day_tables[] = {
	"traffic_day", "data_day", "finding_day", "coverage_day",
};

struct store_db {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
};

struct store_reader {
	sqlite3 *db;
};

static int
errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* user_version, or a negative errno. */
static int64_t
user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t v;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return errno_of(rc);
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : errno_of(rc);
	sqlite3_finalize(st);
	return v;
}

/* Bring db from version v to the newest, one transaction per step. */
static int
migrate(sqlite3 *db, int64_t v, char *err, size_t errlen)
{
	char sql[64];
	int rc;

	for (; (uint64_t)v < n_steps; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
		    (long long)v + 1);
		if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL)) != SQLITE_OK)
			goto fail;
		if ((rc = sqlite3_exec(db, steps[v], NULL, NULL, NULL)) !=
		    SQLITE_OK || (rc = sqlite3_exec(db, sql, NULL, NULL,
		    NULL)) != SQLITE_OK) {
			snprintf(err, errlen, "upgrading the schema to version "
			    "%lld: %s", (long long)v + 1, sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return errno_of(rc);
		}
		if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) !=
		    SQLITE_OK)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "upgrading the schema: %s", sqlite3_errmsg(db));
	return errno_of(rc);
}

/* A sentence for a store of a version this outflow cannot use. */
static int
refuse_version(int64_t v, char *err, size_t errlen)
{
	snprintf(err, errlen, "the store has schema version %lld, newer than "
	    "the %zu this outflow knows: use a newer outflow", (long long)v,
	    n_steps);
	return -EPROTONOSUPPORT;
}

int
store_db_open(const char *path, struct store_db **ret, char *err,
    size_t errlen)
{
	struct store_db *d;
	char flow_text[8192];
	int64_t v;
	int rc, r;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", d->db != NULL ?
		    sqlite3_errmsg(d->db) : "out of memory");
		r = errno_of(rc);
		goto fail;
	}
	/* A writer that holds the lock briefly (a checkpoint) is waited for;
	 * this runs on the writer thread, never on the capture path. */
	sqlite3_busy_timeout(d->db, 2000);
	/*
	 * WAL: readers (the report) never block the writer.  NORMAL sync:
	 * a killed process loses nothing committed; a power cut may lose the
	 * last batches but never corrupts.  Incremental auto-vacuum lets the
	 * size cap give pages back (it only takes effect on a new file).
	 */
	if ((rc = sqlite3_exec(d->db, "PRAGMA auto_vacuum = INCREMENTAL; "
	    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
	    NULL, NULL, NULL)) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(d->db));
		r = errno_of(rc);
		goto fail;
	}
	if ((v = user_version(d->db)) < 0) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(d->db));
		r = (int)v;
		goto fail;
	}
	if ((uint64_t)v > n_steps) {
		r = refuse_version(v, err, errlen);
		goto fail;
	}
	if ((r = migrate(d->db, v, err, errlen)) != 0)
		goto fail;
	for (int i = 0; i < ST__COUNT; i++) {
		const char *sql = stmt_sql[i];

		if (sql == NULL) {
			if ((r = flow_sql(i == ST_DATA || i == ST_DATA_ROWS,
			    i == ST_TRAFFIC_ROWS || i == ST_DATA_ROWS ?
			    STORE_DB_FLOW_ROWS : 1, flow_text,
			    sizeof(flow_text))) != 0) {
				snprintf(err, errlen, "a statement is too long");
				goto fail;
			}
			sql = flow_text;
		}
		rc = sqlite3_prepare_v3(d->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(d->db));
			r = errno_of(rc);
			goto fail;
		}
	}
	*ret = d;
	return 0;
fail:
	store_db_close(d);
	return r != 0 ? r : -EIO;
}

struct store_db *
store_db_close(struct store_db *d)
{
	if (d == NULL)
		return NULL;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(d->st[i]);
	sqlite3_close(d->db);
	free(d);
	return NULL;
}

const char *
store_db_error(const struct store_db *d)
{
	return sqlite3_errmsg(d->db);
}

/* Run a prepared statement whose parameters are bound, then reset it. */
static int
run(struct store_db *d, enum stmt s)
{
	int rc = sqlite3_step(d->st[s]);

	sqlite3_reset(d->st[s]);
	sqlite3_clear_bindings(d->st[s]);
	return rc == SQLITE_DONE ? 0 : errno_of(rc);
}

int
store_db_begin(struct store_db *d)
{
	return run(d, ST_BEGIN);
}

int
store_db_commit(struct store_db *d)
{
	return run(d, ST_COMMIT);
}

void
store_db_rollback(struct store_db *d)
{
	if (!sqlite3_get_autocommit(d->db))
		(void)run(d, ST_ROLLBACK);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s != NULL ? s : "", -1, SQLITE_STATIC);
}

/* Counters are below 2^63 in any real store: bytes of one day. */
static void
bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* Bind r as the row whose parameters start after base. */
static void
bind_flow(sqlite3_stmt *st, int base, bool data,
    const struct store_flow_row *r)
{
	bind_text(st, base + 1, r->day);
	bind_text(st, base + 2, r->device);
	bind_text(st, base + 3, r->app);
	bind_text(st, base + 4, r->app_name);
	bind_text(st, base + 5, r->destination);
	bind_text(st, base + 6, r->country);
	bind_u64(st, base + 7, r->asn);
	bind_text(st, base + 8, r->operator_name);
	bind_text(st, base + 9, r->operator_jurisdiction);
	bind_text(st, base + 10, r->vendor_jurisdiction);
	if (data) {
		bind_text(st, base + 11, r->category);
		bind_text(st, base + 12, r->permission);
	}
	bind_u64(st, base + 13, r->flows);
	bind_u64(st, base + 14, r->flows_encrypted);
	bind_u64(st, base + 15, r->packets);
	bind_u64(st, base + 16, r->bytes_sent);
	bind_u64(st, base + 17, r->bytes_received);
	bind_u64(st, base + 18, r->bytes_encrypted);
}

int
store_db_put_flows(struct store_db *d, bool data,
    const struct store_flow_row *rows, size_t n)
{
	enum stmt one = data ? ST_DATA : ST_TRAFFIC;
	enum stmt many = data ? ST_DATA_ROWS : ST_TRAFFIC_ROWS;
	size_t i = 0;
	int r;

	/* Every bound parameter is set again, so no clearing between. */
	for (; n - i >= STORE_DB_FLOW_ROWS; i += STORE_DB_FLOW_ROWS) {
		for (size_t j = 0; j < STORE_DB_FLOW_ROWS; j++)
			bind_flow(d->st[many], (int)(j * FLOW_PARAMS), data,
			    &rows[i + j]);
		if ((r = run(d, many)) != 0)
			return r;
	}
	for (; i < n; i++) {
		bind_flow(d->st[one], 0, data, &rows[i]);
		if ((r = run(d, one)) != 0)
			return r;
	}
	return 0;
}

int
store_db_put_finding(struct store_db *d, const struct store_finding_row *r)
{
	sqlite3_stmt *st = d->st[ST_FINDING];

	bind_text(st, 1, r->day);
	bind_text(st, 2, r->rule_id);
	bind_text(st, 3, r->device);
	bind_text(st, 4, r->app);
	bind_text(st, 5, r->destination);
	bind_text(st, 6, r->ruleset);
	bind_text(st, 7, r->title);
	sqlite3_bind_int(st, 8, r->severity);
	bind_text(st, 9, r->jurisdiction_by);
	bind_text(st, 10, r->jurisdiction);
	bind_text(st, 11, r->categories);
	bind_u64(st, 12, r->first_us);
	bind_u64(st, 13, r->last_us);
	bind_u64(st, 14, r->count);
	bind_text(st, 15, r->evidence_category);
	bind_text(st, 16, r->evidence_where);
	bind_text(st, 17, r->evidence_location);
	bind_text(st, 18, r->evidence_masked);
	bind_text(st, 19, r->evidence_hmac);
	return run(d, ST_FINDING);
}

int
store_db_put_coverage(struct store_db *d, const struct store_coverage_row *r)
{
	sqlite3_stmt *st = d->st[ST_COVERAGE];

	bind_text(st, 1, r->day);
	bind_u64(st, 2, r->packets);
	bind_u64(st, 3, r->bytes);
	bind_u64(st, 4, r->flows);
	bind_u64(st, 5, r->flows_encrypted);
	bind_u64(st, 6, r->bytes_encrypted);
	bind_u64(st, 7, r->bytes_not_inspected);
	bind_u64(st, 8, r->malformed);
	bind_u64(st, 9, r->flows_evicted);
	return run(d, ST_COVERAGE);
}

int
store_db_put_geoip(struct store_db *d, const struct store_geoip_row *r)
{
	sqlite3_stmt *st = d->st[ST_GEOIP];

	bind_text(st, 1, r->country_desc);
	bind_text(st, 2, r->attribution);
	bind_text(st, 3, r->first_day);
	bind_text(st, 4, r->last_day);
	return run(d, ST_GEOIP);
}

/* Delete the rows of every table with days before day, or of day. */
static int
each_day_table(sqlite3 *db, bool before, const char *day)
{
	char sql[128];

	for (size_t i = 0; i < sizeof(day_tables) / sizeof(day_tables[0]);
	    i++) {
		sqlite3_stmt *st;
		int rc;

		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE day %s ?1",
		    day_tables[i], before ? "<" : "=");
		if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) !=
		    SQLITE_OK)
			return errno_of(rc);
		sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return errno_of(rc);
	}
	return 0;
}

/* The oldest and newest stored days ("" when none). */
static int
day_range(sqlite3 *db, char oldest[STORE_DAY_TEXT],
    char newest[STORE_DAY_TEXT])
{
	static const char sql[] = "SELECT MIN(d), MAX(d) FROM ("
	    "SELECT day AS d FROM coverage_day UNION ALL "
	    "SELECT day FROM traffic_day UNION ALL "
	    "SELECT day FROM finding_day) AS days";
	sqlite3_stmt *st;
	int rc;

	oldest[0] = newest[0] = '\0';
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return errno_of(rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *a = sqlite3_column_text(st, 0);
		const unsigned char *b = sqlite3_column_text(st, 1);

		snprintf(oldest, STORE_DAY_TEXT, "%s", a ? (const char *)a : "");
		snprintf(newest, STORE_DAY_TEXT, "%s", b ? (const char *)b : "");
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return errno_of(rc);
}

int
store_db_expire_before(struct store_db *d, const char *day,
    uint64_t *ret_days)
{
	static const char sql[] = "SELECT COUNT(DISTINCT d) FROM ("
	    "SELECT day AS d FROM coverage_day WHERE day < ?1 UNION ALL "
	    "SELECT day FROM traffic_day WHERE day < ?1 UNION ALL "
	    "SELECT day FROM finding_day WHERE day < ?1) AS days";
	sqlite3_stmt *st;
	uint64_t n = 0;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(d->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return errno_of(rc);
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return errno_of(rc);
	if (n > 0 && (r = each_day_table(d->db, true, day)) != 0)
		return r;
	*ret_days = n;
	return 0;
}

int
store_db_used_bytes(struct store_db *d, uint64_t *ret)
{
	static const char sql[] = "SELECT page_count, freelist_count, "
	    "page_size FROM pragma_page_count(), pragma_freelist_count(), "
	    "pragma_page_size()";
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(d->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return errno_of(rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pages = sqlite3_column_int64(st, 0) -
		    sqlite3_column_int64(st, 1);

		*ret = (uint64_t)(pages > 0 ? pages : 0) *
		    (uint64_t)sqlite3_column_int64(st, 2);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return errno_of(rc);
}

int
store_db_drop_oldest_day(struct store_db *d, char ret_day[STORE_DAY_TEXT])
{
	char oldest[STORE_DAY_TEXT], newest[STORE_DAY_TEXT];
	int r;

	if ((r = day_range(d->db, oldest, newest)) != 0)
		return r;
	if (oldest[0] == '\0' || strcmp(oldest, newest) == 0)
		return -ENOENT;
	if ((r = each_day_table(d->db, false, oldest)) != 0)
		return r;
	/* Hand the freed pages back to the file system. */
	(void)sqlite3_exec(d->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	memcpy(ret_day, oldest, STORE_DAY_TEXT);
	return 0;
}

/* --- Reading --- */

int
store_open_readonly(const char *path, struct store_reader **ret, char *err,
    size_t errlen)
{
	struct store_reader *r;
	int64_t v;
	int rc, e;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, r->db != NULL ?
		    sqlite3_errmsg(r->db) : "out of memory");
		e = errno_of(rc);
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 2000);
	if ((v = user_version(r->db)) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
		e = (int)v;
		goto fail;
	}
	if ((uint64_t)v > n_steps) {
		e = refuse_version(v, err, errlen);
		goto fail;
	}
	if ((uint64_t)v < n_steps) {
		snprintf(err, errlen, "the store has schema version %lld, older "
		    "than %zu: open it once with outflow audit --store to "
		    "upgrade it", (long long)v, n_steps);
		e = -EPROTONOSUPPORT;
		goto fail;
	}
	*ret = r;
	return 0;
fail:
	store_reader_close(r);
	return e;
}

struct store_reader *
store_reader_close(struct store_reader *r)
{
	if (r == NULL)
		return NULL;
	sqlite3_close(r->db);
	free(r);
	return NULL;
}

const char *
store_reader_error(const struct store_reader *r)
{
	return sqlite3_errmsg(r->db);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

static uint64_t
col_u64(sqlite3_stmt *st, int i)
{
	int64_t v = sqlite3_column_int64(st, i);

	return v > 0 ? (uint64_t)v : 0;
}

/* Prepare sql and bind ?1 = from, ?2 = to. */
static int
prepare_range(struct store_reader *r, const char *sql, const char *from,
    const char *to, sqlite3_stmt **ret)
{
	int rc = sqlite3_prepare_v2(r->db, sql, -1, ret, NULL);

	if (rc != SQLITE_OK)
		return errno_of(rc);
	sqlite3_bind_text(*ret, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(*ret, 2, to, -1, SQLITE_STATIC);
	return 0;
}

/* End a read: the callback's value, or 0, or the step's error. */
static int
finish(sqlite3_stmt *st, int rc, int cr)
{
	sqlite3_finalize(st);
	if (cr != 0)
		return cr;
	return rc == SQLITE_DONE ? 0 : errno_of(rc);
}

int
store_read_flows(struct store_reader *r, bool data, const char *from,
    const char *to, store_flow_cb *cb, void *ctx)
{
	static const char traffic_sql[] = "SELECT day, device, app, app_name, "
	    "destination, country, asn, operator, operator_jurisdiction, "
	    "vendor_jurisdiction, '', '', flows, flows_encrypted, packets, "
	    "bytes_sent, bytes_received, bytes_encrypted FROM traffic_day "
	    "WHERE day >= ?1 AND day <= ?2 ORDER BY " FLOW_KEY;
	static const char data_sql[] = "SELECT day, device, app, app_name, "
	    "destination, country, asn, operator, operator_jurisdiction, "
	    "vendor_jurisdiction, category, permission, flows, flows_encrypted, "
	    "packets, bytes_sent, bytes_received, bytes_encrypted FROM data_day "
	    "WHERE day >= ?1 AND day <= ?2 ORDER BY " FLOW_KEY ", category";
	sqlite3_stmt *st;
	int e, rc = SQLITE_DONE, cr = 0;

	if ((e = prepare_range(r, data ? data_sql : traffic_sql, from, to,
	    &st)) != 0)
		return e;
	while (cr == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_flow_row row = {
			.day = col_text(st, 0), .device = col_text(st, 1),
			.app = col_text(st, 2), .app_name = col_text(st, 3),
			.destination = col_text(st, 4),
			.country = col_text(st, 5),
			.asn = (uint32_t)col_u64(st, 6),
			.operator_name = col_text(st, 7),
			.operator_jurisdiction = col_text(st, 8),
			.vendor_jurisdiction = col_text(st, 9),
			.category = col_text(st, 10),
			.permission = col_text(st, 11),
			.flows = col_u64(st, 12),
			.flows_encrypted = col_u64(st, 13),
			.packets = col_u64(st, 14),
			.bytes_sent = col_u64(st, 15),
			.bytes_received = col_u64(st, 16),
			.bytes_encrypted = col_u64(st, 17),
		};
		cr = cb(&row, ctx);
	}
	return finish(st, rc, cr);
}

int
store_read_findings(struct store_reader *r, const char *from,
    const char *to, store_finding_cb *cb, void *ctx)
{
	static const char sql[] = "SELECT day, rule_id, device, app, "
	    "destination, ruleset, title, severity, jurisdiction_by, "
	    "jurisdiction, categories, first_us, last_us, count, "
	    "evidence_category, evidence_where, evidence_location, "
	    "evidence_masked, evidence_hmac FROM finding_day "
	    "WHERE day >= ?1 AND day <= ?2 "
	    "ORDER BY day, rule_id, device, app, destination";
	sqlite3_stmt *st;
	int e, rc = SQLITE_DONE, cr = 0;

	if ((e = prepare_range(r, sql, from, to, &st)) != 0)
		return e;
	while (cr == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_finding_row row = {
			.day = col_text(st, 0), .rule_id = col_text(st, 1),
			.device = col_text(st, 2), .app = col_text(st, 3),
			.destination = col_text(st, 4),
			.ruleset = col_text(st, 5), .title = col_text(st, 6),
			.severity = sqlite3_column_int(st, 7),
			.jurisdiction_by = col_text(st, 8),
			.jurisdiction = col_text(st, 9),
			.categories = col_text(st, 10),
			.first_us = col_u64(st, 11),
			.last_us = col_u64(st, 12),
			.count = col_u64(st, 13),
			.evidence_category = col_text(st, 14),
			.evidence_where = col_text(st, 15),
			.evidence_location = col_text(st, 16),
			.evidence_masked = col_text(st, 17),
			.evidence_hmac = col_text(st, 18),
		};
		cr = cb(&row, ctx);
	}
	return finish(st, rc, cr);
}

int
store_read_coverage(struct store_reader *r, const char *from,
    const char *to, store_coverage_cb *cb, void *ctx)
{
	static const char sql[] = "SELECT day, packets, bytes, flows, "
	    "flows_encrypted, bytes_encrypted, bytes_not_inspected, malformed, "
	    "flows_evicted FROM coverage_day WHERE day >= ?1 AND day <= ?2 "
	    "ORDER BY day";
	sqlite3_stmt *st;
	int e, rc = SQLITE_DONE, cr = 0;

	if ((e = prepare_range(r, sql, from, to, &st)) != 0)
		return e;
	while (cr == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_coverage_row row = {
			.day = col_text(st, 0), .packets = col_u64(st, 1),
			.bytes = col_u64(st, 2), .flows = col_u64(st, 3),
			.flows_encrypted = col_u64(st, 4),
			.bytes_encrypted = col_u64(st, 5),
			.bytes_not_inspected = col_u64(st, 6),
			.malformed = col_u64(st, 7),
			.flows_evicted = col_u64(st, 8),
		};
		cr = cb(&row, ctx);
	}
	return finish(st, rc, cr);
}

int
store_read_geoip(struct store_reader *r, const char *from, const char *to,
    store_geoip_cb *cb, void *ctx)
{
	/* In force on some day of the range: it began before the range
	 * ended and ended after the range began. */
	static const char sql[] = "SELECT country_desc, attribution, "
	    "first_day, last_day FROM geoip WHERE last_day >= ?1 AND "
	    "first_day <= ?2 ORDER BY first_day, country_desc";
	sqlite3_stmt *st;
	int e, rc = SQLITE_DONE, cr = 0;

	if ((e = prepare_range(r, sql, from, to, &st)) != 0)
		return e;
	while (cr == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_geoip_row row = {
			.country_desc = col_text(st, 0),
			.attribution = col_text(st, 1),
			.first_day = col_text(st, 2), .last_day = col_text(st, 3),
		};
		cr = cb(&row, ctx);
	}
	return finish(st, rc, cr);
}
