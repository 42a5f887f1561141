/*
 * store_sql.h - the store's SQL behind plain functions (store_sql.c is
 * the only file that includes <sqlite3.h>).  Private to daemon/store/.
 *
 * Every function returns 0 or a negative errno: -EBUSY when another
 * connection holds the lock, -ENOSPC when the disk or the database is
 * full, -ENOMEM, -EIO for anything else; store_db_error() says more.
 */
#ifndef OUTFLOW_STORE_SQL_H
#define OUTFLOW_STORE_SQL_H

#include <stdint.h>

#include "store.h"

struct store_db;

/*
 * Open the database at path (which exists), in WAL mode, and bring its
 * schema to STORE_SCHEMA_VERSION.  A newer schema is refused.
 */
int store_db_open(const char *path, struct store_db **ret, char *err,
    size_t errlen);
struct store_db *store_db_close(struct store_db *db);

/* One write transaction, taking the write lock at once. */
int store_db_begin(struct store_db *db);
int store_db_commit(struct store_db *db);
void store_db_rollback(struct store_db *db);

/* Rows of traffic_day or data_day that store_db_put_flows() writes with
 * one statement. */
#define STORE_DB_FLOW_ROWS 32

/*
 * Add each row's counters to the stored one (or insert it): n rows of
 * distinct keys, of data_day when data, else of traffic_day.
 */
int store_db_put_flows(struct store_db *db, bool data,
    const struct store_flow_row *rows, size_t n);

/* Add a row's counters to the stored one (or insert it). */
int store_db_put_finding(struct store_db *db,
    const struct store_finding_row *r);
int store_db_put_coverage(struct store_db *db,
    const struct store_coverage_row *r);
int store_db_put_geoip(struct store_db *db, const struct store_geoip_row *r);

/* Delete every day before day; *ret_days: how many days went. */
int store_db_expire_before(struct store_db *db, const char *day,
    uint64_t *ret_days);

/* Bytes of live data: pages in use times the page size. */
int store_db_used_bytes(struct store_db *db, uint64_t *ret);

/*
 * Delete the oldest day when a newer one is stored, and give back the
 * free pages; -ENOENT when at most one day is left.
 */
int store_db_drop_oldest_day(struct store_db *db,
    char ret_day[STORE_DAY_TEXT]);

const char *store_db_error(const struct store_db *db);

#ifdef OUTFLOW_TESTING
/*
 * Add one schema step after the real ones (a version this outflow does
 * not have), so tests can migrate to it; NULL takes it away again.
 */
void store_sql_test_step(const char *sql);
#endif

#endif
