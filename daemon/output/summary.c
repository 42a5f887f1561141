/*
 * summary.c - the summary model behind `outflow audit`: rows, tables,
 * and the text and JSON printers.
 *
 * Every table is an array of rows: key cells, then label cells, then
 * traffic counters.  A static description per table says which cells
 * form the key and how each column is shown, so one loop prints every
 * table as text and one as JSON, and numbers and byte counts are
 * formatted in one place each.  Keys come from the network (server
 * names), so the text output escapes them for the terminal and the JSON
 * writer for JSON.
 *
 * Invariants: a row's key strings are at most SUMMARY_STR_MAX bytes and
 * are never cut; two rows never have the same key; a table holds at most
 * SUMMARY_MAX_KEYS rows; whatever does not get a row of its own is
 * summed under the table's "(other)" counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "hash.h"
#include "json.h"
#include "policy.h"
#include "summary.h"

/* The public table order (summary.h); the printers name their tables. */
enum { T_SERVERS = SUMMARY_SERVERS, T_APPS = SUMMARY_APPS,
    T_COUNTRIES = SUMMARY_COUNTRIES, T_OPERATORS = SUMMARY_OPERATORS,
    T_DATA = SUMMARY_DATA, T_FINDINGS = SUMMARY_FINDINGS,
    T_ROUTES = SUMMARY_ROUTES, T_DEVICES = SUMMARY_DEVICES,
    T__COUNT = SUMMARY_TABLES };

#define MAX_CELLS SUMMARY_MAX_CELLS	/* personal data: 6 key + 1 label */

/* One field of a row: a string, or in a key with str NULL a number. */
struct cell {
	const char *str;
	uint64_t num;
};

struct row {
	struct cell cell[MAX_CELLS];	/* the key, then labels */
	struct summary_traffic t;
	uint32_t hash;			/* of the key */
	uint8_t n_key;
	char *mem;			/* the cells' strings, one block */
};

enum col_type {
	COL_STR,		/* a string cell */
	COL_ASN,		/* a number cell shown as "AS<n>" */
	COL_FLOWS,
	COL_SENT,
	COL_RECEIVED,
};

struct column {
	const char *title;	/* text header */
	const char *json;	/* JSON member name */
	enum col_type type;
	uint8_t cell;		/* COL_STR, COL_ASN: which cell */
	uint8_t gap;		/* text: spaces before the column */
	int width;		/* text: strings left-aligned, numbers right */
	int prec;		/* text: bytes shown at most, -1 for all */
};

struct table_desc {
	const char *title;	/* text heading */
	const char *json;	/* JSON array */
	const char *json_other;	/* JSON object for "(other)", when used */
	uint8_t n_key;		/* cells 0 .. n_key - 1 are the key */
	uint8_t n_cells;
	const struct column *cols;	/* in text order */
	uint8_t n_cols;
	const uint8_t *json_order;	/* indices into cols */
};

#define TRAFFIC_COLS \
	{ "flows", "flows", COL_FLOWS, 0, 1, 7, -1 }, \
	{ "sent", "bytes_sent", COL_SENT, 0, 1, 12, -1 }, \
	{ "received", "bytes_received", COL_RECEIVED, 0, 1, 12, -1 }

static const uint8_t plain_order[] = { 0, 1, 2, 3, 4 };

static const struct column server_cols[] = {
	{ "server", "name", COL_STR, 0, 2, 44, -1 },
	{ "protocol", "protocol", COL_STR, 1, 1, 22, 22 },
	TRAFFIC_COLS,
};
static const struct column app_cols[] = {
	{ "app", "name", COL_STR, 0, 2, 44, -1 },
	{ "name", "app_name", COL_STR, 1, 1, 22, 22 },
	TRAFFIC_COLS,
};
/* The note is never filled: the column keeps the tables aligned. */
static const struct column country_cols[] = {
	{ "country", "name", COL_STR, 0, 2, 44, -1 },
	{ "", "note", COL_STR, 1, 1, 22, 22 },
	TRAFFIC_COLS,
};
static const struct column operator_cols[] = {
	{ "ASN", "name", COL_ASN, 0, 2, 44, -1 },
	{ "operator", "operator", COL_STR, 1, 1, 22, 22 },
	TRAFFIC_COLS,
};
static const struct column data_cols[] = {
	{ "app", "app", COL_STR, 0, 2, 24, 24 },
	{ "category", "category", COL_STR, 1, 1, 22, 22 },
	{ "destination", "destination", COL_STR, 2, 1, 30, 30 },
	{ "country", "country", COL_STR, 3, 1, 7, -1 },
	{ "operator", "operator_jurisdiction", COL_STR, 4, 1, 8, -1 },
	{ "vendor", "vendor_jurisdiction", COL_STR, 5, 1, 6, -1 },
	{ "flows", "flows", COL_FLOWS, 0, 1, 5, -1 },
	{ "permission", "permission", COL_STR, 6, 2, 0, -1 },
};
/*
 * Findings: printed as sentences (text_findings(), json_findings()); the
 * columns name the cells for the JSON printer's benefit only.
 */
static const struct column finding_cols[] = {
	{ "severity", "severity", COL_STR, 0, 2, 8, -1 },
	{ "rule", "rule", COL_STR, 1, 1, 30, -1 },
	{ "app", "app", COL_STR, 2, 1, 20, -1 },
	{ "device", "device", COL_STR, 3, 1, 20, -1 },
	{ "title", "title", COL_STR, 4, 1, 0, -1 },
	{ "destination", "destination", COL_STR, 5, 1, 0, -1 },
	{ "ruleset", "ruleset", COL_STR, 6, 1, 0, -1 },
	{ "flows", "flows", COL_FLOWS, 0, 1, 5, -1 },
};
/* Report-only tables: never printed by the summary, read by the report. */
static const struct column route_cols[] = {
	{ "app", "app", COL_STR, 0, 2, 24, 24 },
	{ "destination", "destination", COL_STR, 1, 1, 30, 30 },
	{ "country", "country", COL_STR, 2, 1, 7, -1 },
	{ "ASN", "asn", COL_ASN, 3, 1, 10, -1 },
	{ "operator", "operator_jurisdiction", COL_STR, 4, 1, 8, -1 },
	{ "vendor", "vendor_jurisdiction", COL_STR, 5, 1, 6, -1 },
	{ "operator name", "operator", COL_STR, 6, 1, 0, -1 },
	TRAFFIC_COLS,
};
static const struct column device_cols[] = {
	{ "device", "device", COL_STR, 0, 2, 24, 24 },
	{ "app", "app", COL_STR, 1, 1, 24, 24 },
	{ "country", "country", COL_STR, 2, 1, 7, -1 },
	TRAFFIC_COLS,
};
static const uint8_t route_order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static const uint8_t finding_order[] = { 0, 1, 6, 2, 3, 4, 5, 7 };

/* JSON has the permission before the count, as it always had. */
static const uint8_t data_order[] = { 0, 1, 2, 3, 4, 5, 7, 6 };

#define NCOLS(c) (uint8_t)(sizeof(c) / sizeof((c)[0]))

static const struct table_desc tables[T__COUNT] = {
	[T_SERVERS] = { "Busiest server names", "servers", "servers_other",
	    2, 2, server_cols, NCOLS(server_cols), plain_order },
	[T_APPS] = { "Apps and SDKs", "apps", "apps_other",
	    1, 2, app_cols, NCOLS(app_cols), plain_order },
	[T_COUNTRIES] = { "Destination countries", "countries",
	    "countries_other", 1, 2, country_cols, NCOLS(country_cols),
	    plain_order },
	[T_OPERATORS] = { "Destination operators", "operators",
	    "operators_other", 1, 2, operator_cols, NCOLS(operator_cols),
	    plain_order },
	[T_DATA] = { "Personal data", "flows", "flows_other",
	    6, 7, data_cols, NCOLS(data_cols), data_order },
	[T_FINDINGS] = { "Findings", "findings", "findings_other",
	    5, 7, finding_cols, NCOLS(finding_cols), finding_order },
	[T_ROUTES] = { "Destinations per app", "routes", "routes_other",
	    6, 7, route_cols, NCOLS(route_cols), route_order },
	[T_DEVICES] = { "Devices", "devices", "devices_other",
	    3, 3, device_cols, NCOLS(device_cols), plain_order },
};

struct table {
	const struct table_desc *d;
	struct row *rows;
	uint32_t n, cap;
	struct hmap idx;	/* key hash -> row, see index_*() */
	struct summary_traffic other;
	uint64_t other_too_long;	/* flows of those with a key too long */
};

struct summary_model {
	struct table t[T__COUNT];
	struct run_stats totals;
};

/*
 * The one integer formatter: v in decimal, ending at the end of buf;
 * returns where it starts.  No printf: it runs for every unnamed server.
 */
static const char *
fmt_u64(char *buf, size_t size, uint64_t v)
{
	size_t i = size;

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && i > 0);
	return buf + i;
}

/* The one byte-count formatter: the summary's and the report's. */
const char *
summary_bytes(uint64_t b, char *buf, size_t size)
{
	if (b >= 10ULL * 1024 * 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", (double)b / (1024.0 * 1024 * 1024));
	else if (b >= 10ULL * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)b / (1024.0 * 1024));
	else if (b >= 10ULL * 1024)
		snprintf(buf, size, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, size, "%" PRIu64 " B", b);
	return buf;
}

static const char *
asn_text(uint64_t asn, char *buf, size_t size)
{
	char *p = (char *)fmt_u64(buf, size, asn);

	/* fmt_u64 leaves room: size is always more than 22. */
	*--p = 'S';
	*--p = 'A';
	return p;
}

/*
 * The aggregation index: the shared map (hash.h) from a key's hash to its
 * row.  It knows nothing of cells beyond key_equal(), so the rest of the
 * model does not depend on how rows are found.
 */

/*
 * Index every row again after the rows moved (sorting).  The map already
 * held them all, so it has room: nothing can fail.  Keys are unique, so
 * each probe walks to the end of its run without comparing keys.
 */
static void
index_rebuild(struct table *tb)
{
	hmap_clear(&tb->idx);
	for (uint32_t i = 0; i < tb->n; i++) {
		struct hmap_probe p;

		for (uint32_t c = hmap_first(&tb->idx, tb->rows[i].hash, &p);
		    c != 0; c = hmap_next(&tb->idx, &p))
			;
		(void)hmap_insert(&tb->idx, &p, i);
	}
}

static bool
key_equal(const struct row *r, const struct cell *key, const size_t *len)
{
	for (uint8_t i = 0; i < r->n_key; i++) {
		if (key[i].str == NULL) {
			if (r->cell[i].num != key[i].num)
				return false;
		} else if (strncmp(r->cell[i].str, key[i].str, len[i]) != 0 ||
		    r->cell[i].str[len[i]] != '\0')
			return false;
	}
	return true;
}

/* The row holding key, or NULL with p where it would go. */
static struct row *
index_find(const struct table *tb, uint32_t h, const struct cell *key,
    const size_t *len, struct hmap_probe *p)
{
	uint32_t i;

	for (i = hmap_first(&tb->idx, h, p); i != 0;
	    i = hmap_next(&tb->idx, p))
		if (key_equal(&tb->rows[i - 1], key, len))
			return &tb->rows[i - 1];
	return NULL;
}

static void
table_free(struct table *tb)
{
	for (uint32_t i = 0; tb->rows != NULL && i < tb->n; i++)
		free(tb->rows[i].mem);
	free(tb->rows);
	hmap_fini(&tb->idx);
}

static void
traffic_add(struct summary_traffic *to, const struct summary_traffic *t)
{
	to->flows += t->flows;
	to->bytes_out += t->bytes_out;
	to->bytes_in += t->bytes_in;
}

/* Sum under "(other)"; passes err through. */
static int
other_add(struct table *tb, const struct summary_traffic *t, int err)
{
	traffic_add(&tb->other, t);
	if (err == -E2BIG)
		tb->other_too_long += t->flows;
	return err;
}

/*
 * Add t to the row with the key in cells[0 .. n_key - 1], creating it
 * with the labels in the cells after.  Callers have checked that key
 * strings are not NULL.
 */
static int
table_add(struct table *tb, const struct cell *cells,
    const struct summary_traffic *t)
{
	const struct table_desc *d = tb->d;
	size_t len[MAX_CELLS], total = 0;
	struct hmap_probe pr;
	uint64_t h = 0;
	struct row *r;
	char *p;

	for (uint8_t i = 0; i < d->n_cells; i++) {
		len[i] = 0;
		if (cells[i].str == NULL)
			continue;
		if (i < d->n_key) {
			len[i] = strlen(cells[i].str);
			if (len[i] > SUMMARY_STR_MAX)
				return other_add(tb, t, -E2BIG);
		} else
			len[i] = strnlen(cells[i].str, SUMMARY_STR_MAX);
		total += len[i] + 1;
	}
	/* Keyed per run (server names come from peers), one cell at a
	 * time so that cell boundaries count. */
	for (uint8_t i = 0; i < d->n_key; i++)
		h = hash_mix(h, cells[i].str != NULL ?
		    hash_bytes(cells[i].str, len[i]) :
		    hash_bytes(&cells[i].num, sizeof(cells[i].num)));
	if ((r = index_find(tb, (uint32_t)h, cells, len, &pr)) != NULL) {
		traffic_add(&r->t, t);
		return 0;
	}
	if (tb->n >= SUMMARY_MAX_KEYS)
		return other_add(tb, t, -ENOSPC);
	if (!hmap_has_room(&tb->idx)) {
		if (hmap_reserve(&tb->idx, tb->n * 2) != 0)
			return other_add(tb, t, -ENOMEM);
		(void)index_find(tb, (uint32_t)h, cells, len, &pr);
	}
	if (tb->n == tb->cap) {
		uint32_t cap = tb->cap ? tb->cap * 2 : 64;
		struct row *nr = realloc(tb->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return other_add(tb, t, -ENOMEM);
		tb->rows = nr;
		tb->cap = cap;
	}
	/* All of a row's strings in one block: one allocation per row. */
	if ((p = malloc(total ? total : 1)) == NULL)
		return other_add(tb, t, -ENOMEM);
	r = &tb->rows[tb->n];
	memset(r, 0, sizeof(*r));
	r->mem = p;
	for (uint8_t i = 0; i < d->n_cells; i++) {
		r->cell[i].num = cells[i].num;
		if (cells[i].str == NULL)
			continue;
		memcpy(p, cells[i].str, len[i]);
		p[len[i]] = '\0';
		r->cell[i].str = p;
		p += len[i] + 1;
	}
	r->t = *t;
	r->hash = (uint32_t)h;
	r->n_key = d->n_key;
	/* Cannot fail: room was made above. */
	(void)hmap_insert(&tb->idx, &pr, tb->n);
	tb->n++;
	return 0;
}

struct summary_model *
summary_new(void)
{
	struct summary_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	for (int i = 0; i < T__COUNT; i++) {
		m->t[i].d = &tables[i];
		if (hmap_init(&m->t[i].idx, 512) != 0)
			return summary_free(m);
	}
	return m;
}

struct summary_model *
summary_free(struct summary_model *m)
{
	if (m == NULL)
		return NULL;
	for (int i = 0; i < T__COUNT; i++)
		table_free(&m->t[i]);
	free(m);
	return NULL;
}

int
summary_add_server(struct summary_model *m, const char *name,
    const char *protocol, const struct summary_traffic *t)
{
	struct cell c[] = { { name, 0 }, { protocol, 0 } };

	if (name == NULL || protocol == NULL)
		return -EINVAL;
	return table_add(&m->t[T_SERVERS], c, t);
}

int
summary_add_app(struct summary_model *m, const char *app_id,
    const char *app_name, const struct summary_traffic *t)
{
	struct cell c[] = { { app_id, 0 }, { app_name, 0 } };

	if (app_id == NULL)
		return -EINVAL;
	return table_add(&m->t[T_APPS], c, t);
}

int
summary_add_country(struct summary_model *m, const char *country,
    const struct summary_traffic *t)
{
	struct cell c[] = { { country, 0 }, { NULL, 0 } };

	if (country == NULL)
		return -EINVAL;
	return table_add(&m->t[T_COUNTRIES], c, t);
}

int
summary_add_operator(struct summary_model *m, uint32_t asn,
    const char *operator_name, const struct summary_traffic *t)
{
	struct cell c[] = { { NULL, asn }, { operator_name, 0 } };

	return table_add(&m->t[T_OPERATORS], c, t);
}

int
summary_add_data(struct summary_model *m, const struct summary_data_key *k,
    const char *permission, const struct summary_traffic *t)
{
	struct cell c[] = {
		{ k->app, 0 }, { k->category, 0 }, { k->destination, 0 },
		{ k->country, 0 }, { k->operator_jur, 0 }, { k->vendor_jur, 0 },
		{ permission, 0 },
	};

	for (int i = 0; i < 6; i++)
		if (c[i].str == NULL)
			return -EINVAL;
	return table_add(&m->t[T_DATA], c, t);
}

int
summary_add_finding(struct summary_model *m, const struct summary_finding *f,
    const struct summary_traffic *t)
{
	char sev[2] = { (char)('0' + (f->severity % 10)), '\0' };
	char title[SUMMARY_STR_MAX + 1];
	size_t n = strlen(f->title);
	struct cell c[] = {
		{ sev, 0 }, { f->rule_id, 0 },
		{ f->app != NULL ? f->app : "-", 0 },
		{ f->device != NULL ? f->device : "-", 0 },
		{ title, 0 },
		{ f->destination != NULL ? f->destination : "-", 0 },
		{ f->ruleset != NULL ? f->ruleset : "-", 0 },
	};

	if (f->rule_id == NULL || (unsigned)f->severity >= SEVERITY__COUNT)
		return -EINVAL;
	/* A long sentence is cut (whole characters kept), not dropped. */
	if (n > SUMMARY_STR_MAX) {
		n = SUMMARY_STR_MAX - 3;
		while (n > 0 && ((unsigned char)f->title[n] & 0xc0) == 0x80)
			n--;
		memcpy(title, f->title, n);
		memcpy(title + n, "...", 4);
	} else
		memcpy(title, f->title, n + 1);
	return table_add(&m->t[T_FINDINGS], c, t);
}

int
summary_add_route(struct summary_model *m, const struct summary_route_key *k,
    const char *operator_name, const struct summary_traffic *t)
{
	struct cell c[] = {
		{ k->app, 0 }, { k->destination, 0 }, { k->country, 0 },
		{ NULL, k->asn }, { k->operator_jur, 0 }, { k->vendor_jur, 0 },
		{ operator_name, 0 },
	};

	for (int i = 0; i < 6; i++)
		if (i != 3 && c[i].str == NULL)
			return -EINVAL;
	return table_add(&m->t[T_ROUTES], c, t);
}

int
summary_add_device(struct summary_model *m, const char *device,
    const char *app, const char *country, const struct summary_traffic *t)
{
	struct cell c[] = { { device, 0 }, { app, 0 }, { country, 0 } };

	if (device == NULL || app == NULL || country == NULL)
		return -EINVAL;
	return table_add(&m->t[T_DEVICES], c, t);
}

size_t
summary_rows(const struct summary_model *m, enum summary_table t)
{
	return (unsigned)t < T__COUNT ? m->t[t].n : 0;
}

int
summary_row_get(const struct summary_model *m, enum summary_table t,
    size_t i, struct summary_row *ret)
{
	const struct row *r;

	if ((unsigned)t >= T__COUNT || i >= m->t[t].n)
		return -EINVAL;
	r = &m->t[t].rows[i];
	memset(ret, 0, sizeof(*ret));
	for (uint8_t c = 0; c < m->t[t].d->n_cells; c++) {
		ret->str[c] = r->cell[c].str != NULL ? r->cell[c].str : "";
		ret->num[c] = r->cell[c].num;
	}
	ret->t = r->t;
	return 0;
}

void
summary_other(const struct summary_model *m, enum summary_table t,
    struct summary_traffic *ret)
{
	static const struct summary_traffic none;

	*ret = (unsigned)t < T__COUNT ? m->t[t].other : none;
}

void
summary_finding(struct summary_model *m, const struct finding_record *fr)
{
	const struct flow_record *r = fr->flow;
	struct summary_traffic t = { 1, 0, 0 };
	struct summary_finding f = {
		.severity = fr->severity,
		.rule_id = fr->rule_id,
		.ruleset = fr->ruleset,
		.title = fr->title,
		.app = r->app_name,
		.device = r->device_name,
		.destination = r->operator_name != NULL ? r->operator_name :
		    r->domain,
	};

	(void)summary_add_finding(m, &f, &t);
}

/* Append s at *o; false, leaving *o, when it does not fit. */
static bool
put(char *buf, size_t size, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= size)
		return false;
	memcpy(buf + *o, s, n + 1);
	*o += n;
	return true;
}

void
summary_flow(struct summary_model *m, const struct flow_record *r)
{
	struct summary_traffic t = { 1, r->flow->bytes[FLOW_TO_SERVER],
	    r->flow->bytes[FLOW_TO_CLIENT] };
	const char *proto = r->protocol ? r->protocol :
	    r->flow->key.proto == 6 ? "tcp" : r->flow->key.proto == 17 ?
	    "udp" : "other";
	char ip[ADDR_STRLEN], num[24], name[ADDR_STRLEN + 16];

	/* Unnamed servers go by [address]:port.  One row per protocol. */
	if (r->domain != NULL)
		(void)summary_add_server(m, r->domain, proto, &t);
	else {
		size_t o = 0;
		bool v6 = r->server.family == 6;

		if ((!v6 || put(name, sizeof(name), &o, "[")) &&
		    put(name, sizeof(name), &o,
		    addr_str(&r->server, ip, sizeof(ip))) &&
		    put(name, sizeof(name), &o, v6 ? "]:" : ":") &&
		    put(name, sizeof(name), &o,
		    fmt_u64(num, sizeof(num), r->server_port)))
			(void)summary_add_server(m, name, proto, &t);
		else
			(void)other_add(&m->t[T_SERVERS], &t, -ENAMETOOLONG);
	}
	if (r->app_id != NULL)
		(void)summary_add_app(m, r->app_id, r->app_name, &t);
	if (r->data != NULL && r->data->observations > 0) {
		/* One row per (app, category, destination, jurisdictions). */
		struct summary_data_key k = {
			.app = r->app_name ? r->app_name :
			    r->domain ? r->domain : "(unattributed)",
			.destination = r->domain ? r->domain :
			    addr_str(&r->server, ip, sizeof(ip)),
			.country = r->dest_local ? "local" :
			    r->country[0] ? r->country : "-",
			.operator_jur = r->jur_operator[0] ? r->jur_operator : "-",
			.vendor_jur = r->jur_vendor[0] ? r->jur_vendor : "-",
		};

		for (uint8_t c = 0; c < r->data->n_categories; c++) {
			k.category = r->data->categories[c];
			(void)summary_add_data(m, &k, r->data->permissions[c], &t);
		}
	}
	if (r->geo_done) {
		(void)summary_add_country(m, r->dest_local ? "local" :
		    r->country[0] ? r->country : "unknown", &t);
		if (r->asn != 0)
			(void)summary_add_operator(m, r->asn, r->operator_name ?
			    r->operator_name : r->as_org, &t);
	}
}

void
summary_set_totals(struct summary_model *m, const struct run_stats *t)
{
	m->totals = *t;
}

/*
 * Ties break on the key as shown, so numbers compare as text
 * ("AS13335" before "AS7922"), as they did when keys were strings.
 */
static int
cmp_rows(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	uint64_t ta = a->t.bytes_out + a->t.bytes_in;
	uint64_t tb = b->t.bytes_out + b->t.bytes_in;

	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (a->t.flows != b->t.flows)
		return a->t.flows < b->t.flows ? 1 : -1;
	for (uint8_t i = 0; i < a->n_key; i++) {
		char na[24], nb[24];
		int c = a->cell[i].str != NULL ?
		    strcmp(a->cell[i].str, b->cell[i].str) :
		    strcmp(fmt_u64(na, sizeof(na), a->cell[i].num),
		    fmt_u64(nb, sizeof(nb), b->cell[i].num));

		if (c != 0)
			return c;
	}
	return 0;
}

/* Most severe first, then most frequent, then by rule and sentence. */
static int
cmp_findings(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c;

	if ((c = strcmp(b->cell[0].str, a->cell[0].str)) != 0)
		return c;
	if (a->t.flows != b->t.flows)
		return a->t.flows < b->t.flows ? 1 : -1;
	if ((c = strcmp(a->cell[1].str, b->cell[1].str)) != 0)
		return c;
	return strcmp(a->cell[4].str, b->cell[4].str);
}

void
summary_sort(struct summary_model *m)
{
	for (int i = 0; i < T__COUNT; i++) {
		struct table *tb = &m->t[i];

		if (tb->n == 0)
			continue;
		qsort(tb->rows, tb->n, sizeof(*tb->rows),
		    i == T_FINDINGS ? cmp_findings : cmp_rows);
		index_rebuild(tb);
	}
}

/*
 * Terminal-safe copy: control and non-ASCII bytes as \xNN, so C1
 * controls (U+009B CSI is \xc2\x9b) and bidi overrides never reach the
 * terminal raw, and a backslash as \\ so a name holding the text
 * "\x1b" cannot pass for one holding ESC.  At most max bytes are
 * written (-1: no limit) and an escape is never cut in two: the column
 * would otherwise show "\x1" for ESC.
 */
static const char *
term_safe(const char *s, char *buf, size_t size, int max)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, lim = size - 1;

	if (max >= 0 && (size_t)max < lim)
		lim = (size_t)max;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 > lim)
				break;
			buf[o++] = (char)c;
		} else if (c == '\\') {
			if (o + 2 > lim)
				break;
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else {
			if (o + 4 > lim)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* A column of a row as text, the way both printers show it. */
static const char *
cell_text(const struct column *col, const struct row *r, char *buf,
    size_t size)
{
	switch (col->type) {
	case COL_STR:
		return term_safe(r->cell[col->cell].str ?
		    r->cell[col->cell].str : "", buf, size, col->prec);
	case COL_ASN:
		return asn_text(r->cell[col->cell].num, buf, size);
	case COL_FLOWS:
		return fmt_u64(buf, size, r->t.flows);
	case COL_SENT:
		return summary_bytes(r->t.bytes_out, buf, size);
	case COL_RECEIVED:
		return summary_bytes(r->t.bytes_in, buf, size);
	}
	return "";
}

static void
text_field(FILE *fp, const struct column *col, const char *s)
{
	if (col->type == COL_STR || col->type == COL_ASN)
		fprintf(fp, "%*s%-*.*s", col->gap, "", col->width, col->prec, s);
	else
		fprintf(fp, "%*s%*s", col->gap, "", col->width, s);
}

/* Header, the top rows, and what was left out. */
static void
text_rows(FILE *fp, const struct table *tb, unsigned top)
{
	const struct table_desc *d = tb->d;
	char buf[4 * SUMMARY_STR_MAX + 1];	/* a key escaped in full */

	for (uint8_t c = 0; c < d->n_cols; c++)
		fprintf(fp, "%*s%*s", d->cols[c].gap, "",
		    d->cols[c].type == COL_STR || d->cols[c].type == COL_ASN ?
		    -d->cols[c].width : d->cols[c].width, d->cols[c].title);
	fputc('\n', fp);
	for (uint32_t i = 0; i < tb->n && i < top; i++) {
		for (uint8_t c = 0; c < d->n_cols; c++)
			text_field(fp, &d->cols[c], cell_text(&d->cols[c],
			    &tb->rows[i], buf, sizeof(buf)));
		fputc('\n', fp);
	}
	if (tb->n > top)
		fprintf(fp, "  ... and %zu more\n", (size_t)(tb->n - top));
	if (tb->other.flows > tb->other_too_long)
		fprintf(fp, "  (%" PRIu64 " flows beyond the table limit)\n",
		    tb->other.flows - tb->other_too_long);
	if (tb->other_too_long > 0)
		fprintf(fp, "  (%" PRIu64 " flows with a name over %d bytes)\n",
		    tb->other_too_long, SUMMARY_STR_MAX);
}

static void
text_table(FILE *fp, const struct table *tb, unsigned top)
{
	if (tb->n == 0 && tb->other.flows == 0)
		return;
	fprintf(fp, "\n%s\n", tb->d->title);
	text_rows(fp, tb, top);
}

static bool
is_parse_error(const char *name)
{
	return strchr(name, '.') != NULL && strncmp(name, "other.", 6) != 0;
}

static const char *
severity_word(const char *digit)
{
	static const char *const words[SEVERITY__COUNT] = { "INFO", "LOW",
	    "MEDIUM", "HIGH", "CRITICAL" };
	unsigned v = (unsigned)(digit[0] - '0');

	return v < SEVERITY__COUNT ? words[v] : "?";
}

/* The findings as sentences, most severe first: what a household reads. */
static void
text_findings(FILE *fp, const struct summary_model *m, unsigned top)
{
	const struct table *tb = &m->t[T_FINDINGS];
	const struct run_stats *t = &m->totals;
	char buf[4 * SUMMARY_STR_MAX + 1], rule[4 * SUMMARY_STR_MAX + 1];

	if (t->policy_rules == 0) {
		fprintf(fp, "\nFindings: no policy rules loaded\n");
		return;
	}
	fprintf(fp, "\nFindings (%" PRIu64 " from %zu rules; most severe "
	    "first)\n", t->findings, t->policy_rules);
	if (tb->n == 0 && tb->other.flows == 0)
		fprintf(fp, "  none: no rule matched\n");
	for (uint32_t i = 0; i < tb->n && i < top; i++) {
		const struct row *r = &tb->rows[i];

		fprintf(fp, "  %-8s %s", severity_word(r->cell[0].str),
		    term_safe(r->cell[4].str, buf, sizeof(buf), -1));
		if (r->t.flows > 1)
			fprintf(fp, " (%" PRIu64 " times)", r->t.flows);
		fprintf(fp, "  [%s]\n", term_safe(r->cell[1].str, rule,
		    sizeof(rule), -1));
	}
	if (tb->n > top)
		fprintf(fp, "  ... and %zu more\n", (size_t)(tb->n - top));
	if (tb->other.flows > 0)
		fprintf(fp, "  (%" PRIu64 " findings beyond the table limit)\n",
		    tb->other.flows);
	if (t->policy_state_failed > 0)
		fprintf(fp, "  (%" PRIu64 " times a flow's rule state was lost: "
		    "some findings may be missing)\n", t->policy_state_failed);
}

void
summary_print_text(const struct summary_model *m, FILE *fp, unsigned top)
{
	const struct run_stats *t = &m->totals;
	char b1[32];
	uint64_t errors = 0;
	double span = t->last_us > t->first_us ?
	    (double)(t->last_us - t->first_us) / 1e6 : 0;

	fprintf(fp, "outflow audit: %u file%s, %" PRIu64 " packets, %s, "
	    "%.1f s of traffic\n", t->files, t->files == 1 ? "" : "s",
	    t->packets, summary_bytes(t->bytes, b1, sizeof(b1)), span);
	text_findings(fp, m, top);
	fprintf(fp, "\nPackets\n");
	for (size_t i = 0; i < t->n_decode; i++) {
		if (i > 0 && t->decode[i].value == 0)
			continue;
		if (is_parse_error(t->decode[i].name))
			continue;
		fprintf(fp, "  %-34s %12" PRIu64 "\n",
		    i == 0 ? "tcp/udp decoded" : t->decode[i].name,
		    t->decode[i].value);
	}
	for (size_t i = 0; i < t->n_decode; i++)
		if (is_parse_error(t->decode[i].name))
			errors += t->decode[i].value;
	fprintf(fp, "\nParse errors by reason (%" PRIu64 " packets skipped)\n",
	    errors);
	if (errors == 0)
		fprintf(fp, "  none\n");
	for (size_t i = 0; i < t->n_decode; i++)
		if (t->decode[i].value > 0 && is_parse_error(t->decode[i].name))
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->decode[i].name, t->decode[i].value);
	for (size_t i = 0; i < t->n_applayer; i++)
		if (t->applayer[i].value > 0 &&
		    (strstr(t->applayer[i].name, "malformed") ||
		    strstr(t->applayer[i].name, "undecryptable")))
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->applayer[i].name, t->applayer[i].value);

	for (size_t i = 0; i < t->n_anomalies; i++)
		if (t->anomalies[i].value > 0)
			fprintf(fp, "  %-34s %12" PRIu64 " (tolerated, packets used)\n",
			    t->anomalies[i].name, t->anomalies[i].value);

	fprintf(fp, "\nFlows\n");
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "total", t->flows);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "ended idle", t->flows_ended[FLOW_END_IDLE]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "ended closed (FIN/RST)", t->flows_ended[FLOW_END_CLOSED]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "evicted (table full)", t->flows_ended[FLOW_END_EVICTED]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "open at end of capture", t->flows_ended[FLOW_END_SHUTDOWN]);
	fprintf(fp, "  %-34s %5" PRIu32 " of %" PRIu32 "\n", "peak concurrent",
	    t->peak_flows, t->max_flows);

	fprintf(fp, "\nApplication layer\n");
	for (size_t i = 0; i < t->n_applayer; i++)
		if (t->applayer[i].value > 0)
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->applayer[i].name, t->applayer[i].value);

	for (int i = T_SERVERS; i <= T_OPERATORS; i++)
		text_table(fp, &m->t[i], top);
	if (t->pii_enabled) {
		const struct table *tb = &m->t[T_DATA];

		fprintf(fp, "\n%s (%" PRIu64 " observations; %zu known "
		    "identities configured%s)\n", tb->d->title,
		    t->pii_observations, t->pii_identities, t->raw_evidence ?
		    "; RAW EVIDENCE ON: events carry raw values" : "");
		if (tb->n == 0 && tb->other.flows == 0)
			fprintf(fp, "  none seen\n");
		else
			text_rows(fp, tb, top);
	}
	if (t->geoip_attribution != NULL)
		fprintf(fp, "\n%s\n", t->geoip_attribution);
	if (t->events > 0 || t->event_write_errors > 0)
		fprintf(fp, "\nEvents written: %" PRIu64 " (%" PRIu64
		    " write errors)\n", t->events, t->event_write_errors);
}

static void
json_traffic(struct jw *w, const struct summary_traffic *t)
{
	jw_u64(w, "flows", t->flows);
	jw_u64(w, "bytes_sent", t->bytes_out);
	jw_u64(w, "bytes_received", t->bytes_in);
}

/* The top rows as an array; "(other)" after it, only when used. */
static void
json_table(struct jw *w, const struct table *tb, unsigned top)
{
	const struct table_desc *d = tb->d;
	char buf[32];

	jw_arr_begin(w, d->json);
	for (uint32_t i = 0; i < tb->n && i < top; i++) {
		const struct row *r = &tb->rows[i];

		jw_obj_begin(w, NULL);
		for (uint8_t k = 0; k < d->n_cols; k++) {
			const struct column *col = &d->cols[d->json_order[k]];

			switch (col->type) {
			case COL_STR:
				jw_str(w, col->json, r->cell[col->cell].str);
				break;
			case COL_ASN:
				jw_str(w, col->json, asn_text(
				    r->cell[col->cell].num, buf, sizeof(buf)));
				break;
			case COL_FLOWS:
				jw_u64(w, col->json, r->t.flows);
				break;
			case COL_SENT:
				jw_u64(w, col->json, r->t.bytes_out);
				break;
			case COL_RECEIVED:
				jw_u64(w, col->json, r->t.bytes_in);
				break;
			}
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (tb->other.flows > 0) {
		jw_obj_begin(w, d->json_other);
		json_traffic(w, &tb->other);
		jw_u64(w, "flows_name_too_long", tb->other_too_long);
		jw_obj_end(w);
	}
}

/* Findings with the severity as its name, most severe first. */
static void
json_findings(struct jw *w, const struct table *tb, unsigned top)
{
	jw_arr_begin(w, "findings");
	for (uint32_t i = 0; i < tb->n && i < top; i++) {
		const struct row *r = &tb->rows[i];
		int sev = r->cell[0].str[0] - '0';

		jw_obj_begin(w, NULL);
		jw_str(w, "severity", severity_name((enum severity)sev));
		jw_str(w, "rule", r->cell[1].str);
		jw_str(w, "ruleset", r->cell[6].str);
		jw_str(w, "title", r->cell[4].str);
		jw_str(w, "app", r->cell[2].str);
		jw_str(w, "device", r->cell[3].str);
		jw_str(w, "destination", r->cell[5].str);
		jw_u64(w, "count", r->t.flows);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (tb->other.flows > 0)
		jw_u64(w, "findings_other", tb->other.flows);
}

static void
json_counters(struct jw *w, const char *key, const struct run_counter *c,
    size_t n)
{
	jw_obj_begin(w, key);
	for (size_t i = 0; i < n; i++)
		jw_u64(w, c[i].name, c[i].value);
	jw_obj_end(w);
}

void
summary_print_json(const struct summary_model *m, FILE *fp, unsigned top)
{
	const struct run_stats *t = &m->totals;
	struct jw w;

	if (jw_init(&w, 8192) != 0)
		return;
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "files", t->files);
	jw_u64(&w, "packets", t->packets);
	jw_u64(&w, "bytes", t->bytes);
	if (t->packets > 0) {
		jw_time(&w, "first_packet", t->first_us);
		jw_time(&w, "last_packet", t->last_us);
	}
	jw_obj_begin(&w, "policy");
	jw_u64(&w, "rules", t->policy_rules);
	jw_u64(&w, "findings", t->findings);
	jw_u64(&w, "evaluations", t->policy_evaluations);
	jw_u64(&w, "rules_tried", t->policy_rules_tried);
	jw_u64(&w, "state_lost", t->policy_state_failed);
	json_findings(&w, &m->t[T_FINDINGS], top);
	jw_obj_end(&w);
	json_counters(&w, "decode", t->decode, t->n_decode);
	json_counters(&w, "anomalies", t->anomalies, t->n_anomalies);
	jw_obj_begin(&w, "flows");
	jw_u64(&w, "total", t->flows);
	jw_u64(&w, "ended_idle", t->flows_ended[FLOW_END_IDLE]);
	jw_u64(&w, "ended_closed", t->flows_ended[FLOW_END_CLOSED]);
	jw_u64(&w, "evicted", t->flows_ended[FLOW_END_EVICTED]);
	jw_u64(&w, "open_at_end", t->flows_ended[FLOW_END_SHUTDOWN]);
	jw_u64(&w, "peak_concurrent", t->peak_flows);
	jw_u64(&w, "capacity", t->max_flows);
	jw_obj_end(&w);
	json_counters(&w, "applayer", t->applayer, t->n_applayer);
	for (int i = T_SERVERS; i <= T_OPERATORS; i++)
		json_table(&w, &m->t[i], top);
	if (t->pii_enabled) {
		jw_obj_begin(&w, "personal_data");
		jw_u64(&w, "observations", t->pii_observations);
		jw_u64(&w, "identities_configured", t->pii_identities);
		jw_u64(&w, "bytes_scanned", t->pii_bytes_scanned);
		jw_u64(&w, "bytes_not_scanned", t->pii_bytes_cut);
		jw_u64(&w, "home_cells", t->pii_home_cells);
		jw_u64(&w, "home_cells_dropped", t->pii_home_dropped);
		jw_bool(&w, "raw_evidence", t->raw_evidence);
		json_table(&w, &m->t[T_DATA], top);
		jw_obj_end(&w);
	}
	if (t->geoip_attribution != NULL)
		jw_str(&w, "geoip_attribution", t->geoip_attribution);
	jw_u64(&w, "events", t->events);
	jw_u64(&w, "event_write_errors", t->event_write_errors);
	jw_obj_end(&w);
	jw_newline(&w);
	fwrite(w.buf, 1, w.len, fp);
	jw_free(&w);
}
