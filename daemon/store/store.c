/*
 * store.c - the store as an output: records are summed in memory per
 * (day, key) and handed, one batch per interval of capture time (of wall
 * time reading files), to a writer thread that writes each batch in one
 * transaction
 * (store_sql.c).  The capture thread never waits on the disk: when the
 * writer is still busy (or failing, e.g. disk full or the store locked),
 * the current batch simply keeps growing, up to STORE_MAX_ROWS rows.
 *
 * Invariants: the capture thread owns cur; the writer owns handed while
 * it is non-NULL; both are swapped only under mu.  Rows are keyed by
 * kind, UTC day, ASN and their key strings, and a batch never holds
 * two rows with the same key.  Only redacted records reach here.
 *
 * The capture thread's cost is per flow, so a row's cells are laid out
 * once, key strings first (each with its NUL), in a scratch buffer: one
 * keyed hash and one memcmp() of that key decide the row, and a new
 * row copies the buffer whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "detect.h"
#include "hash.h"
#include "log.h"
#include "pii.h"
#include "store.h"
#include "store_sql.h"

/* Rows a batch holds at most (about 200 bytes each, and the strings). */
#define STORE_MAX_ROWS (1u << 20)
/* A batch this big goes before its interval is over: the writer works
 * alongside and one transaction stays a few MB. */
#define STORE_HANDOFF_ROWS 8192
#define US_PER_DAY (86400ULL * 1000000)

enum row_kind { K_TRAFFIC, K_DATA, K_FINDING, K_COVERAGE, K_GEOIP };

/* Cells of traffic and data rows: the key first, then labels. */
enum {
	C_DEVICE, C_APP, C_DEST, C_COUNTRY, C_OPJUR, C_VJUR, C_CATEGORY,
	C_APPNAME, C_OPERATOR, C_PERMISSION,
};
/* Cells of finding rows. */
enum {
	F_RULE, F_DEVICE, F_APP, F_DEST,
	F_RULESET, F_TITLE, F_JURBY, F_JUR, F_CATS, F_EVCAT, F_EVWHERE,
	F_EVLOC, F_EVMASKED, F_EVHMAC,
};
/* Cells of GeoIP rows. */
enum { G_DESC, G_ATTR };

/* Counters of traffic and data rows. */
enum { N_FLOWS, N_FLOWS_ENC, N_PACKETS, N_SENT, N_RECV, N_ENC };
/* Counters of coverage rows. */
enum {
	V_PACKETS, V_BYTES, V_FLOWS, V_FLOWS_ENC, V_BYTES_ENC,
	V_NOT_INSPECTED, V_MALFORMED, V_EVICTED,
};
/* Counters of finding rows. */
enum { X_COUNT, X_SEVERITY };

#define MAX_CELLS 14
#define MAX_COUNTERS 8

static const struct kind_desc {
	uint8_t n_key, n_cells;
} kinds[] = {
	[K_TRAFFIC] = { 7, 10 },
	[K_DATA] = { 7, 10 },
	[K_FINDING] = { 4, 14 },
	[K_COVERAGE] = { 0, 0 },
	[K_GEOIP] = { 2, 2 },
};

struct agg_row {
	uint32_t hash;
	uint8_t kind;
	int32_t day;			/* days since 1970-01-01 UTC */
	uint32_t asn;
	uint32_t key_len;		/* bytes of mem that are the key */
	const char *s[MAX_CELLS];	/* into mem; labels never NULL */
	uint64_t c[MAX_COUNTERS];
	uint64_t first_us, last_us;
	char *mem;			/* the cells, each NUL-terminated */
};

struct batch {
	struct agg_row *rows;
	uint32_t n, cap;
	struct hmap idx;
	uint64_t opened_us;		/* packet time of its first record */
	/* Every flow adds to its day's coverage row: found without the
	 * index while the day stays the same. */
	uint32_t coverage_row;		/* index + 1, 0 none */
	int32_t coverage_day;
};

/* A row's cells laid out for batch_get() (capture thread only). */
struct row_cells {
	char *buf;
	size_t cap, len, key_len;
	size_t off[MAX_CELLS];
};

/* Traffic or data rows that go in with one statement (writer thread). */
struct flow_rows {
	struct store_flow_row rows[STORE_DB_FLOW_ROWS];
	char days[STORE_DB_FLOW_ROWS][STORE_DAY_TEXT];
	size_t n;
};

struct store {
	struct store_options opt;
	char *path;
	int lock_fd;
	struct store_db *db;		/* the writer thread's */

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t work;		/* to the writer: a batch, or stop */
	pthread_cond_t idle;		/* from the writer: handed is NULL */
	struct batch batches[2];
	struct batch *cur;		/* capture thread */
	struct batch *handed;		/* writer, under mu */
	bool stop, draining;		/* under mu */
	int lost_err;			/* under mu: a batch was given up */
	struct store_counters cnt;	/* under mu */

	/* Writer thread only. */
	int32_t expired_before;		/* days before this are gone */
	/* text_day spelt out: a batch's rows share few days. */
	int32_t text_day;
	char text_of_day[STORE_DAY_TEXT];
	struct flow_rows pending[2];	/* traffic_day, data_day */
	uint64_t failures_in_row;

	/* Capture thread only. */
	struct row_cells cells;
	bool dropped_said;
	uint64_t cur_opened_mono;	/* wall seconds when cur opened */
	uint32_t due_checks;		/* records seen, mod 2^32 */
	/* Malformed packets already counted: a daemon hands run-wide
	 * statistics at intervals, and each is counted once. */
	uint64_t malformed_counted;
};

void
store_options_defaults(struct store_options *o)
{
	o->interval_s = 5;
	o->retention_days = 400;
	o->max_bytes = 1ULL << 30;
	o->retry_s = 5;
}

/* "YYYY-MM-DD" of a day number. */
static void
day_text(int32_t day, char buf[STORE_DAY_TEXT])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		snprintf(buf, STORE_DAY_TEXT, "0000-00-00");
	else
		snprintf(buf, STORE_DAY_TEXT, "%04u-%02u-%02u",
		    (unsigned)(tm.tm_year + 1900) % 10000u,
		    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

static int32_t
day_of(uint64_t us)
{
	return (int32_t)(us / US_PER_DAY);
}

/*
 * Lay out k's cells from..to-1 in c after what it holds, each with its
 * NUL (a field the record lacks is stored as "").  0 or -ENOMEM.
 */
static int
cells_layout(struct row_cells *c, const struct agg_row *k, uint8_t from,
    uint8_t to)
{
	size_t len[MAX_CELLS], total = c->len;

	for (uint8_t i = from; i < to; i++) {
		len[i] = k->s[i] != NULL ? strlen(k->s[i]) + 1 : 1;
		total += len[i];
	}
	if (total > c->cap) {
		char *nb = realloc(c->buf, total * 2 + 256);

		if (nb == NULL)
			return -ENOMEM;
		c->buf = nb;
		c->cap = total * 2 + 256;
	}
	for (uint8_t i = from; i < to; i++) {
		c->off[i] = c->len;
		if (k->s[i] != NULL)
			memcpy(c->buf + c->len, k->s[i], len[i]);
		else
			c->buf[c->len] = '\0';
		c->len += len[i];
	}
	return 0;
}

static uint32_t
row_hash(const struct agg_row *k, const struct row_cells *c)
{
	uint64_t h = hash_bytes(c->buf, c->key_len);

	h = hash_mix(hash_mix(hash_mix(h, k->kind), (uint32_t)k->day), k->asn);
	return (uint32_t)(h ^ (h >> 32));
}

static bool
row_key_equal(const struct agg_row *r, const struct agg_row *k,
    const struct row_cells *c)
{
	return r->kind == k->kind && r->day == k->day && r->asn == k->asn &&
	    r->key_len == c->key_len &&
	    memcmp(r->mem, c->buf, c->key_len) == 0;
}

static void
batch_reset(struct batch *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		free(b->rows[i].mem);
	b->n = 0;
	b->opened_us = 0;
	b->coverage_row = 0;
	hmap_clear(&b->idx);
}

static void
batch_fini(struct batch *b)
{
	batch_reset(b);
	free(b->rows);
	hmap_fini(&b->idx);
}

/*
 * The row of b with k's key, added with k's cells (laid out in c) and
 * zero counters if new; NULL when b is full or memory ran out.
 */
static struct agg_row *
batch_get(struct batch *b, const struct agg_row *k, struct row_cells *c)
{
	const struct kind_desc *d = &kinds[k->kind];
	struct agg_row *r;
	struct hmap_probe p;
	uint32_t h;

	if (k->kind == K_COVERAGE && b->coverage_row != 0 &&
	    b->coverage_day == k->day)
		return &b->rows[b->coverage_row - 1];
	/* The key only: most records add to a row that exists. */
	c->len = 0;
	if (cells_layout(c, k, 0, d->n_key) != 0)
		return NULL;
	c->key_len = c->len;
	h = row_hash(k, c);

	if (!hmap_has_room(&b->idx) &&
	    hmap_reserve(&b->idx, b->idx.n * 2 + 64) != 0)
		return NULL;
	for (uint32_t i = hmap_first(&b->idx, h, &p); i != 0;
	    i = hmap_next(&b->idx, &p))
		if (row_key_equal(&b->rows[i - 1], k, c)) {
			r = &b->rows[i - 1];
			goto found;
		}
	if (b->n == STORE_MAX_ROWS)
		return NULL;
	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 256;
		struct agg_row *nr = realloc(b->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return NULL;
		b->rows = nr;
		b->cap = cap;
	}
	if (cells_layout(c, k, d->n_key, d->n_cells) != 0)
		return NULL;
	r = &b->rows[b->n];
	memset(r, 0, sizeof(*r));
	if (c->len > 0 && (r->mem = malloc(c->len)) == NULL)
		return NULL;
	if (c->len > 0)
		memcpy(r->mem, c->buf, c->len);
	for (uint8_t i = 0; i < d->n_cells; i++)
		r->s[i] = r->mem + c->off[i];
	r->hash = h;
	r->kind = k->kind;
	r->day = k->day;
	r->asn = k->asn;
	r->key_len = (uint32_t)c->key_len;
	r->first_us = k->first_us;
	r->last_us = k->last_us;
	if (hmap_insert(&b->idx, &p, b->n) != 0) {
		free(r->mem);
		return NULL;
	}
	b->n++;
found:
	if (k->kind == K_COVERAGE) {
		b->coverage_row = (uint32_t)(r - b->rows) + 1;
		b->coverage_day = k->day;
	}
	return r;
}

static uint64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The row for k in the current batch, or NULL (counted, said once). */
static struct agg_row *
cur_row(struct store *s, const struct agg_row *k, uint64_t now_us)
{
	struct agg_row *r = batch_get(s->cur, k, &s->cells);

	if (r == NULL) {
		pthread_mutex_lock(&s->mu);
		s->cnt.rows_dropped++;
		pthread_mutex_unlock(&s->mu);
		if (!s->dropped_said)
			log_warnx("store %s: a batch is full (%u rows) while the "
			    "writer is behind: rows are being dropped", s->path,
			    STORE_MAX_ROWS);
		s->dropped_said = true;
		return NULL;
	}
	if (s->cur->opened_us == 0) {
		s->cur->opened_us = now_us;
		s->cur_opened_mono = mono_s();
	}
	if (k->first_us < r->first_us)
		r->first_us = k->first_us;
	if (k->last_us > r->last_us)
		r->last_us = k->last_us;
	return r;
}

/*
 * Whether the current batch's interval is over: in capture time live (a
 * clock stepped back waits for out_flush()'s wall-time check), in wall
 * time reading files, looked at every 64 records there.
 */
static bool
batch_due(struct store *s, const struct batch *b, uint64_t now_us)
{
	if (b->n >= STORE_HANDOFF_ROWS)
		return true;
	if (s->opt.from_files)
		return (++s->due_checks & 63) == 0 &&
		    mono_s() - s->cur_opened_mono >= s->opt.interval_s;
	return now_us > b->opened_us &&
	    now_us - b->opened_us >= (uint64_t)s->opt.interval_s * 1000000;
}

/*
 * Hand the current batch to the writer when its interval is over (or
 * force) and the writer is idle; never waits.
 */
static void
maybe_handoff(struct store *s, uint64_t now_us, bool force)
{
	struct batch *b = s->cur;

	if (b->n == 0 || (!force && !batch_due(s, b, now_us)))
		return;
	pthread_mutex_lock(&s->mu);
	if (s->handed == NULL) {
		s->handed = b;
		s->cur = b == &s->batches[0] ? &s->batches[1] : &s->batches[0];
		pthread_cond_signal(&s->work);
		s->dropped_said = false;
	}
	pthread_mutex_unlock(&s->mu);
}

/* --- The writer thread --- */

/* Write the pending rows of traffic_day (data false) or data_day. */
static int
flush_flows(struct store *s, bool data)
{
	struct flow_rows *p = &s->pending[data];
	size_t n = p->n;

	p->n = 0;
	return n > 0 ? store_db_put_flows(s->db, data, p->rows, n) : 0;
}

static int
put_row(struct store *s, const struct agg_row *r)
{
	struct store_db *db = s->db;
	char last[STORE_DAY_TEXT], *day = s->text_of_day;

	if (r->day != s->text_day || day[0] == '\0') {
		day_text(r->day, day);
		s->text_day = r->day;
	}
	switch (r->kind) {
	case K_TRAFFIC:
	case K_DATA: {
		struct flow_rows *p = &s->pending[r->kind == K_DATA];

		memcpy(p->days[p->n], day, STORE_DAY_TEXT);
		p->rows[p->n++] = (struct store_flow_row){
			.day = p->days[p->n - 1], .device = r->s[C_DEVICE], .app = r->s[C_APP],
			.app_name = r->s[C_APPNAME],
			.destination = r->s[C_DEST], .country = r->s[C_COUNTRY],
			.asn = r->asn, .operator_name = r->s[C_OPERATOR],
			.operator_jurisdiction = r->s[C_OPJUR],
			.vendor_jurisdiction = r->s[C_VJUR],
			.category = r->s[C_CATEGORY],
			.permission = r->s[C_PERMISSION],
			.flows = r->c[N_FLOWS], .flows_encrypted = r->c[N_FLOWS_ENC],
			.packets = r->c[N_PACKETS], .bytes_sent = r->c[N_SENT],
			.bytes_received = r->c[N_RECV],
			.bytes_encrypted = r->c[N_ENC],
		};
		return p->n == STORE_DB_FLOW_ROWS ?
		    flush_flows(s, r->kind == K_DATA) : 0;
	}
	case K_FINDING: {
		struct store_finding_row f = {
			.day = day, .rule_id = r->s[F_RULE],
			.device = r->s[F_DEVICE], .app = r->s[F_APP],
			.destination = r->s[F_DEST], .ruleset = r->s[F_RULESET],
			.title = r->s[F_TITLE], .severity = (int)r->c[X_SEVERITY],
			.jurisdiction_by = r->s[F_JURBY],
			.jurisdiction = r->s[F_JUR], .categories = r->s[F_CATS],
			.first_us = r->first_us, .last_us = r->last_us,
			.count = r->c[X_COUNT],
			.evidence_category = r->s[F_EVCAT],
			.evidence_where = r->s[F_EVWHERE],
			.evidence_location = r->s[F_EVLOC],
			.evidence_masked = r->s[F_EVMASKED],
			.evidence_hmac = r->s[F_EVHMAC],
		};

		return store_db_put_finding(db, &f);
	}
	case K_COVERAGE: {
		struct store_coverage_row c = {
			.day = day, .packets = r->c[V_PACKETS],
			.bytes = r->c[V_BYTES], .flows = r->c[V_FLOWS],
			.flows_encrypted = r->c[V_FLOWS_ENC],
			.bytes_encrypted = r->c[V_BYTES_ENC],
			.bytes_not_inspected = r->c[V_NOT_INSPECTED],
			.malformed = r->c[V_MALFORMED],
			.flows_evicted = r->c[V_EVICTED],
		};

		return store_db_put_coverage(db, &c);
	}
	case K_GEOIP: {
		struct store_geoip_row g = {
			.country_desc = r->s[G_DESC], .attribution = r->s[G_ATTR],
			.first_day = day, .last_day = last,
		};

		s->text_day = day_of(r->first_us);
		day_text(s->text_day, day);
		day_text(day_of(r->last_us), last);
		return store_db_put_geoip(db, &g);
	}
	}
	return -EINVAL;
}

/* Write b in one transaction; 0 or a negative errno (nothing written). */
static int
write_batch(struct store *s, const struct batch *b, int32_t *ret_newest)
{
	int32_t newest = INT32_MIN;
	int r;

	if ((r = store_db_begin(s->db)) != 0)
		return r;
	for (uint32_t i = 0; i < b->n; i++) {
		if ((r = put_row(s, &b->rows[i])) != 0)
			goto fail;
		if (b->rows[i].kind != K_GEOIP && b->rows[i].day > newest)
			newest = b->rows[i].day;
	}
	if ((r = flush_flows(s, false)) != 0 ||
	    (r = flush_flows(s, true)) != 0)
		goto fail;
	if ((r = store_db_commit(s->db)) != 0) {
		store_db_rollback(s->db);
		return r;
	}
	*ret_newest = newest;
	return 0;
fail:
	s->pending[0].n = s->pending[1].n = 0;
	store_db_rollback(s->db);
	return r;
}

/* Retention and the size cap, after a batch; failures are retried with
 * the next batch, so they are only logged. */
static void
housekeeping(struct store *s, int32_t newest)
{
	char day[STORE_DAY_TEXT];
	uint64_t used, n = 0;
	int r;

	if (newest != INT32_MIN &&
	    newest - (int32_t)s->opt.retention_days + 1 > s->expired_before) {
		int32_t cut = newest - (int32_t)s->opt.retention_days + 1;

		day_text(cut, day);
		if ((r = store_db_begin(s->db)) == 0 &&
		    (r = store_db_expire_before(s->db, day, &n)) == 0 &&
		    (r = store_db_commit(s->db)) == 0) {
			s->expired_before = cut;
			if (n > 0)
				log_info("store %s: %llu day(s) before %s "
				    "dropped (retention %u days)", s->path,
				    (unsigned long long)n, day,
				    s->opt.retention_days);
			pthread_mutex_lock(&s->mu);
			s->cnt.days_expired += n;
			pthread_mutex_unlock(&s->mu);
		} else {
			store_db_rollback(s->db);
		}
	}
	while (store_db_used_bytes(s->db, &used) == 0 &&
	    used > s->opt.max_bytes) {
		if ((r = store_db_begin(s->db)) != 0)
			break;
		if ((r = store_db_drop_oldest_day(s->db, day)) != 0 ||
		    (r = store_db_commit(s->db)) != 0) {
			store_db_rollback(s->db);
			if (r == -ENOENT)
				log_warnx("store %s: over its size cap of %llu "
				    "KiB with a single day left", s->path,
				    (unsigned long long)(s->opt.max_bytes >> 10));
			break;
		}
		log_warnx("store %s: over its size cap of %llu KiB: dropped "
		    "the oldest day, %s", s->path,
		    (unsigned long long)(s->opt.max_bytes >> 10), day);
		pthread_mutex_lock(&s->mu);
		s->cnt.days_dropped_size++;
		pthread_mutex_unlock(&s->mu);
	}
}

static void *
writer_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct batch *b;
		int32_t newest = INT32_MIN;
		int r;

		while (s->handed == NULL && !s->stop)
			pthread_cond_wait(&s->work, &s->mu);
		if (s->handed == NULL)
			break;
		b = s->handed;
		pthread_mutex_unlock(&s->mu);

		r = write_batch(s, b, &newest);
		if (r == 0) {
			if (s->failures_in_row > 0)
				log_info("store %s: writing again after %llu "
				    "failed attempt(s)", s->path,
				    (unsigned long long)s->failures_in_row);
			s->failures_in_row = 0;
			housekeeping(s, newest);
		} else if (s->failures_in_row++ == 0) {
			log_warnx("store %s: writing failed: %s (%s); capture "
			    "goes on and writing is retried every %u s",
			    s->path, strerror(-r), store_db_error(s->db),
			    s->opt.retry_s);
		}

		pthread_mutex_lock(&s->mu);
		if (r == 0) {
			s->cnt.batches++;
		} else {
			s->cnt.write_errors++;
			if (!s->draining && !s->stop) {
				struct timespec until;

				/* Retry the same batch later; the capture
				 * thread keeps filling the other one. */
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += s->opt.retry_s;
				while (!s->draining && !s->stop &&
				    pthread_cond_timedwait(&s->work, &s->mu,
				    &until) == 0)
					;
				continue;
			}
			/* The run is ending: this batch is lost, said by
			 * write_error(). */
			if (s->lost_err == 0)
				s->lost_err = r;
		}
		batch_reset(b);
		s->handed = NULL;
		pthread_cond_broadcast(&s->idle);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* --- Opening --- */

static void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->thread_started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	s->db = store_db_close(s->db);
	/* After SQLite let go of the file: closing another descriptor of it
	 * would drop SQLite's own POSIX locks. */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	batch_fini(&s->batches[0]);
	batch_fini(&s->batches[1]);
	free(s->cells.buf);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	free(s->path);
	free(s);
}

int
store_open(const char *path, const struct store_options *opt,
    struct store **ret, char *err, size_t errlen)
{
	struct store *s;
	char why[256];
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		snprintf(err, errlen, "store %s: out of memory", path);
		return -ENOMEM;
	}
	s->opt = *opt;
	s->lock_fd = -1;
	s->expired_before = INT32_MIN;
	s->cur = &s->batches[0];
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	/* Created here, so with our mode; SQLite gives its -wal and -shm
	 * files the same. */
	if ((s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		r = -errno;
		snprintf(err, errlen, "store %s: %s", path, strerror(errno));
		goto fail;
	}
	/* One writer: a second outflow on the same store is told so. */
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		r = -errno;
		snprintf(err, errlen, "store %s: %s", path, errno == EWOULDBLOCK ?
		    "another outflow is writing this store" : strerror(errno));
		goto fail;
	}
	if ((r = store_db_open(path, &s->db, why, sizeof(why))) != 0) {
		snprintf(err, errlen, "store %s: %s", path, why);
		goto fail;
	}
	if ((r = -pthread_create(&s->thread, NULL, writer_main, s)) != 0) {
		snprintf(err, errlen, "store %s: no writer thread: %s", path,
		    strerror(-r));
		goto fail;
	}
	s->thread_started = true;
	*ret = s;
	return 0;
fail:
	store_free(s);
	return r;
}

void
store_get_counters(struct store *s, struct store_counters *ret)
{
	pthread_mutex_lock(&s->mu);
	*ret = s->cnt;
	pthread_mutex_unlock(&s->mu);
}

/* --- The output --- */

static bool
encrypted(const struct flow_record *r)
{
	return r->tls != NULL || (r->protocol != NULL &&
	    (strcmp(r->protocol, "tls") == 0 ||
	    strcmp(r->protocol, "quic") == 0));
}

static void
out_flow(void *ctx, const struct flow_record *r)
{
	struct store *s = ctx;
	const struct flow *f = r->flow;
	const struct flow_data *data = r->data;
	char client[ADDR_STRLEN], server[ADDR_STRLEN];
	uint64_t bytes = f->bytes[FLOW_TO_SERVER] + f->bytes[FLOW_TO_CLIENT];
	bool enc = encrypted(r);
	struct agg_row k = {
		.kind = K_TRAFFIC, .day = day_of(f->last_us), .asn = r->asn,
		.first_us = f->first_us, .last_us = f->last_us,
	};
	struct agg_row *row;

	if (!r->ended)
		return;
	k.s[C_DEVICE] = r->device_name != NULL ? r->device_name :
	    r->client_mac != NULL ? r->client_mac :
	    addr_str(&r->client, client, sizeof(client));
	k.s[C_APP] = r->app_id;
	k.s[C_APPNAME] = r->app_name;
	k.s[C_DEST] = r->domain != NULL ? r->domain :
	    addr_str(&r->server, server, sizeof(server));
	k.s[C_COUNTRY] = r->dest_local ? "local" : r->country;
	k.s[C_OPJUR] = r->jur_operator;
	k.s[C_VJUR] = r->jur_vendor;
	k.s[C_CATEGORY] = "";
	k.s[C_OPERATOR] = r->operator_name != NULL ? r->operator_name :
	    r->as_org;
	k.s[C_PERMISSION] = "";

	for (int i = -1; i < (data != NULL && data->observations > 0 ?
	    data->n_categories : 0); i++) {
		if (i >= 0) {
			k.kind = K_DATA;
			k.s[C_CATEGORY] = data->categories[i];
			k.s[C_PERMISSION] = data->permissions[i];
		}
		if ((row = cur_row(s, &k, f->last_us)) == NULL)
			continue;
		row->c[N_FLOWS]++;
		row->c[N_FLOWS_ENC] += enc;
		row->c[N_PACKETS] += (uint64_t)f->pkts[0] + f->pkts[1];
		row->c[N_SENT] += f->bytes[FLOW_TO_SERVER];
		row->c[N_RECV] += f->bytes[FLOW_TO_CLIENT];
		row->c[N_ENC] += enc ? bytes : 0;
	}

	k.kind = K_COVERAGE;
	if ((row = cur_row(s, &k, f->last_us)) != NULL) {
		row->c[V_PACKETS] += (uint64_t)f->pkts[0] + f->pkts[1];
		row->c[V_BYTES] += bytes;
		row->c[V_FLOWS]++;
		row->c[V_FLOWS_ENC] += enc;
		row->c[V_BYTES_ENC] += enc ? bytes : 0;
		/* No parser recognised it: its content was not looked at. */
		row->c[V_NOT_INSPECTED] += !enc && r->protocol == NULL ?
		    bytes : 0;
		row->c[V_EVICTED] += r->why == FLOW_END_EVICTED;
	}
	maybe_handoff(s, f->last_us, false);
}

static void
out_finding(void *ctx, const struct finding_record *r)
{
	struct store *s = ctx;
	const struct flow_record *fr = r->flow;
	const struct pii_obs *ev = r->evidence;
	char client[ADDR_STRLEN], server[ADDR_STRLEN], cats[512];
	size_t o = 0;
	struct agg_row k = {
		.kind = K_FINDING, .day = day_of(r->last_us),
		.first_us = r->first_us, .last_us = r->last_us,
	};
	struct agg_row *row;

	/* Comma-separated, whole names only; joined by hand, since every
	 * finding comes here on the capture thread. */
	for (size_t i = 0; i < r->n_categories && i < FINDING_MAX_CATEGORIES;
	    i++) {
		size_t n = strlen(r->categories[i]), sep = i > 0;

		if (o + sep + n >= sizeof(cats))
			break;
		if (sep)
			cats[o] = ',';
		memcpy(cats + o + sep, r->categories[i], n);
		o += sep + n;
	}
	cats[o] = '\0';
	k.s[F_RULE] = r->rule_id;
	k.s[F_DEVICE] = fr->device_name != NULL ? fr->device_name :
	    fr->client_mac != NULL ? fr->client_mac :
	    addr_str(&fr->client, client, sizeof(client));
	k.s[F_APP] = fr->app_id;
	k.s[F_DEST] = fr->domain != NULL ? fr->domain :
	    addr_str(&fr->server, server, sizeof(server));
	k.s[F_RULESET] = r->ruleset;
	k.s[F_TITLE] = r->title;
	k.s[F_JURBY] = r->jurisdiction_by;
	k.s[F_JUR] = r->jurisdiction;
	k.s[F_CATS] = cats;
	/* The redacted evidence only: never pii_obs.raw. */
	if (ev != NULL) {
		k.s[F_EVCAT] = ev->category;
		k.s[F_EVWHERE] = pii_where_name(ev->where);
		k.s[F_EVLOC] = ev->location;
		k.s[F_EVMASKED] = ev->masked;
		k.s[F_EVHMAC] = ev->hmac;
	}
	if ((row = cur_row(s, &k, r->last_us)) == NULL)
		return;
	row->c[X_COUNT]++;
	row->c[X_SEVERITY] = (uint64_t)r->severity;
	maybe_handoff(s, r->last_us, false);
}

/* Wait until the writer has nothing in hand. */
static void
wait_idle(struct store *s)
{
	while (s->handed != NULL)
		pthread_cond_wait(&s->idle, &s->mu);
}

/* Write everything now; the writer gives up a failing batch. */
static void
drain(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	s->draining = true;
	pthread_cond_signal(&s->work);
	wait_idle(s);
	pthread_mutex_unlock(&s->mu);
	maybe_handoff(s, 0, true);
	pthread_mutex_lock(&s->mu);
	wait_idle(s);
	s->draining = false;
	pthread_mutex_unlock(&s->mu);
}

/*
 * Called about once a second on a live capture: a quiet network would
 * keep a batch open for long in capture time, so it also goes once its
 * interval has passed in wall time.
 */
static void
out_flush(void *ctx)
{
	struct store *s = ctx;

	if (s->cur->n > 0 && mono_s() - s->cur_opened_mono >= s->opt.interval_s)
		maybe_handoff(s, 0, true);
}

static void
out_stats(void *ctx, const struct run_stats *t)
{
	struct store *s = ctx;
	struct agg_row k = { .kind = K_COVERAGE, .day = day_of(t->last_us) };
	struct agg_row *row;
	uint64_t malformed = 0;

	if (t->packets > 0) {
		for (size_t i = 0; i < t->n_decode && i < DEC__COUNT; i++)
			if (decode_event_is_error((enum decode_event)i))
				malformed += t->decode[i].value;
		/* Run-wide figures count on the day of the run's last packet;
		 * statistics come at intervals from a daemon, so only what
		 * is new since the last ones is added. */
		if (malformed >= s->malformed_counted &&
		    (row = cur_row(s, &k, t->last_us)) != NULL) {
			row->c[V_MALFORMED] += malformed - s->malformed_counted;
			s->malformed_counted = malformed;
		}
		if (t->geoip_country_desc != NULL) {
			k.kind = K_GEOIP;
			k.day = 0;
			k.first_us = t->first_us;
			k.last_us = t->last_us;
			k.s[G_DESC] = t->geoip_country_desc;
			k.s[G_ATTR] = t->geoip_attribution;
			(void)cur_row(s, &k, t->last_us);
		}
	}
	drain(s);
}

static int
out_write_error(const void *ctx)
{
	struct store *s = (struct store *)ctx;
	int r;

	pthread_mutex_lock(&s->mu);
	r = s->lost_err != 0 ? s->lost_err :
	    s->cnt.rows_dropped > 0 ? -ENOMEM : 0;
	pthread_mutex_unlock(&s->mu);
	return r;
}

static void
out_close(void *ctx)
{
	struct store *s = ctx;

	if (s == NULL)
		return;
	drain(s);
	store_free(s);
}

const struct output_ops store_output_ops = {
	.name = "store",
	.flow = out_flow,
	.finding = out_finding,
	.flush = out_flush,
	.stats = out_stats,
	.write_error = out_write_error,
	.close = out_close,
};
