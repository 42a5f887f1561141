/*
 * report.c - the report's model: the summary model (summary.h) filled
 * from the stores' rows, plus the findings, coverage and GeoIP rows the
 * summary does not hold; the period arithmetic (ISO weeks); the
 * headline and what is new since the period before.  The writers
 * (report_html.c, report_md.c, report_json.c, report_csv.c) only read it.
 *
 * Days are UTC calendar days counted from 1970-01-01 (day_number());
 * no time zone and no wall clock here: the command passes "now".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "report_int.h"

/* --- Days --- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
day_number(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
day_civil(int64_t z, int64_t *ry, int64_t *rm, int64_t *rd)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*rd = doy - (153 * mp + 2) / 5 + 1;
	*rm = mp + (mp < 10 ? 3 : -9);
	*ry = y + (*rm <= 2);
}

/* 1 Monday .. 7 Sunday; 1970-01-01 was a Thursday. */
static int
weekday(int64_t day)
{
	int64_t w = (day + 3) % 7;

	return (int)(w < 0 ? w + 7 : w) + 1;
}

static void
day_text(int64_t day, char out[STORE_DAY_TEXT])
{
	int64_t y, m, d;

	day_civil(day, &y, &m, &d);
	snprintf(out, STORE_DAY_TEXT, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

/* "YYYY-MM-DD", a real date of years 1970-9999; 0 or -EINVAL. */
static int
day_parse(const char *s, int64_t *ret)
{
	unsigned long y, m, d;
	int64_t n, cy, cm, cd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	y = strtoul(s, NULL, 10);
	m = strtoul(s + 5, NULL, 10);
	d = strtoul(s + 8, NULL, 10);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	n = day_number((int64_t)y, (int64_t)m, (int64_t)d);
	day_civil(n, &cy, &cm, &cd);
	if (cm != (int64_t)m || cd != (int64_t)d)	/* 2026-02-30 */
		return -EINVAL;
	*ret = n;
	return 0;
}

/* Monday of ISO week 1 of year y: the week holding 4 January. */
static int64_t
iso_week1(int64_t y)
{
	int64_t jan4 = day_number(y, 1, 4);

	return jan4 - (weekday(jan4) - 1);
}

static void
period_fill(int64_t from, int64_t to, struct report_period *p)
{
	int64_t n = to - from + 1;

	memset(p, 0, sizeof(*p));
	day_text(from, p->from);
	day_text(to, p->to);
	day_text(from - n, p->prev_from);
	day_text(from - 1, p->prev_to);
	p->days = n;
	snprintf(p->label, sizeof(p->label), "%s to %s", p->from, p->to);
}

/* The ISO week label of a Monday. */
static void
week_label(int64_t monday, struct report_period *p)
{
	int64_t y, m, d, year;

	day_civil(monday + 3, &y, &m, &d);	/* the week's Thursday */
	year = y;
	snprintf(p->label, sizeof(p->label), "%04d-W%02d", (int)year,
	    (int)((monday - iso_week1(year)) / 7 + 1));
}

int
report_period_week(const char *week, struct report_period *ret)
{
	unsigned long y, w;
	int64_t monday, next;
	char *end;

	if (strlen(week) != 8 || week[4] != '-' || week[5] != 'W')
		return -EINVAL;
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5 && (week[i] < '0' || week[i] > '9'))
			return -EINVAL;
	y = strtoul(week, &end, 10);
	w = strtoul(week + 6, &end, 10);
	if (y < 1970 || y > 9998 || w < 1)
		return -EINVAL;
	monday = iso_week1((int64_t)y) + ((int64_t)w - 1) * 7;
	next = iso_week1((int64_t)y + 1);
	if (monday >= next)		/* W53 of a 52-week year */
		return -EINVAL;
	period_fill(monday, monday + 6, ret);
	week_label(monday, ret);
	return 0;
}

int
report_period_range(const char *from, const char *to,
    struct report_period *ret)
{
	int64_t f, t;

	if (day_parse(from, &f) != 0 || day_parse(to, &t) != 0 || t < f ||
	    t - f >= 36600)
		return -EINVAL;
	period_fill(f, t, ret);
	if (weekday(f) == 1 && t == f + 6)
		week_label(f, ret);
	return 0;
}

int
report_period_last_week(int64_t now, struct report_period *ret)
{
	int64_t today = (now >= 0 ? now : now - 86399) / 86400;
	int64_t monday = today - (weekday(today) - 1) - 7;

	if (monday < 0)
		return -EINVAL;
	period_fill(monday, monday + 6, ret);
	week_label(monday, ret);
	return 0;
}

/* --- Lists --- */

static int
list_add(struct report_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		const char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

void
report_list_free(struct report_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct seen {
	const char *s;
	size_t first;		/* row index where it was first seen */
};

static int
cmp_seen_str(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	int c = strcmp(a->s, b->s);

	return c ? c : a->first < b->first ? -1 : a->first > b->first;
}

static int
cmp_seen_first(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;

	return a->first < b->first ? -1 : a->first > b->first;
}

/* Sorting, not a linear search per row: tables reach SUMMARY_MAX_KEYS. */
int
report_distinct(const struct summary_model *m, enum summary_table t,
    int key_cell, const char *key, int cell, struct report_list *ret)
{
	size_t n = summary_rows(m, t), k = 0, u = 0;
	struct summary_row row;
	struct seen *v;
	int e = 0;

	ret->n = 0;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(m, t, i, &row);
		if (key != NULL && strcmp(row.str[key_cell], key) != 0)
			continue;
		v[k].s = row.str[cell];
		v[k].first = i;
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_seen_str);
	for (size_t i = 0; i < k; i++)
		if (u == 0 || strcmp(v[u - 1].s, v[i].s) != 0)
			v[u++] = v[i];
	qsort(v, u, sizeof(*v), cmp_seen_first);
	for (size_t i = 0; i < u && e == 0; i++)
		e = list_add(ret, v[i].s);
	free(v);
	return e;
}

/* --- Small helpers the writers share --- */

const char *
report_count(uint64_t v, char *buf, size_t size)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%" PRIu64, v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

double
report_share(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : 0;
}

const char *
report_data_jurisdiction(const struct summary_row *row)
{
	if (strcmp(row->str[4], "-") != 0 && row->str[4][0] != '\0')
		return row->str[4];
	if (strcmp(row->str[3], "-") != 0 && row->str[3][0] != '\0')
		return row->str[3];
	return "unknown";
}

void
report_app_traffic(const struct report *r, const char *app,
    struct summary_traffic *ret)
{
	size_t n = summary_rows(r->cur, SUMMARY_ROUTES);
	struct summary_row row;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_ROUTES, i, &row);
		if (strcmp(row.str[0], app) != 0)
			continue;
		ret->flows += row.t.flows;
		ret->bytes_out += row.t.bytes_out;
		ret->bytes_in += row.t.bytes_in;
	}
}

const char *
report_country_text(const char *c)
{
	if (c[0] == '\0' || strcmp(c, "-") == 0)
		return "unknown";
	if (strcmp(c, "local") == 0)
		return "local network";
	return c;
}

const char *
report_blank(const char *s)
{
	return strcmp(s, "-") == 0 ? "" : s;
}

const char *
report_severity(int s)
{
	return (unsigned)s < SEVERITY__COUNT ? severity_name((enum severity)s) :
	    "unknown";
}

/* --- Filling from the stores --- */

struct report *
report_new(const struct report_period *p)
{
	struct report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->period = *p;
	r->cur = summary_new();
	r->prev = summary_new();
	if (r->cur == NULL || r->prev == NULL)
		return report_free(r);
	return r;
}

struct report *
report_free(struct report *r)
{
	if (r == NULL)
		return NULL;
	summary_free(r->cur);
	summary_free(r->prev);
	for (size_t i = 0; i < r->n_findings; i++)
		free(r->findings[i].mem);
	free(r->findings);
	free(r->cov);
	for (size_t i = 0; i < r->n_geo; i++) {
		free(r->geo[i].country_desc);
		free(r->geo[i].attribution);
		free(r->geo[i].first_day);
		free(r->geo[i].last_day);
	}
	free(r->geo);
	report_list_free(&r->new_apps);
	report_list_free(&r->new_destinations);
	report_list_free(&r->new_countries);
	report_list_free(&r->new_categories);
	report_list_free(&r->apps);
	report_list_free(&r->devices);
	report_list_free(&r->categories);
	free(r);
	return NULL;
}

static const char *
app_label(const struct store_flow_row *row)
{
	return row->app_name[0] ? row->app_name :
	    row->app[0] ? row->app : REPORT_UNATTRIBUTED;
}

static const char *
or_dash(const char *s)
{
	return s[0] ? s : "-";
}

struct fill {
	struct report *r;
	struct summary_model *m;
	bool current;
};

static int
on_traffic(const struct store_flow_row *row, void *ctx)
{
	struct fill *f = ctx;
	struct summary_traffic t = { row->flows, row->bytes_sent,
	    row->bytes_received };
	struct summary_route_key k = {
		.app = app_label(row),
		.destination = row->destination,
		.country = or_dash(row->country),
		.asn = row->asn,
		.operator_jur = or_dash(row->operator_jurisdiction),
		.vendor_jur = or_dash(row->vendor_jurisdiction),
	};

	/* The summary's tables, as summary_flow() fills them. */
	(void)summary_add_server(f->m, row->destination, "", &t);
	if (row->app[0])
		(void)summary_add_app(f->m, row->app, row->app_name, &t);
	(void)summary_add_country(f->m, row->country[0] ? row->country :
	    "unknown", &t);
	/* The period before is only compared by name: what is new. */
	if (!f->current) {
		f->r->prev_flows += row->flows;
		return 0;
	}
	if (row->asn != 0)
		(void)summary_add_operator(f->m, row->asn, row->operator_name,
		    &t);
	(void)summary_add_route(f->m, &k, row->operator_name, &t);
	(void)summary_add_device(f->m, row->device, k.app,
	    or_dash(row->country), &t);
	f->r->flows += row->flows;
	f->r->flows_encrypted += row->flows_encrypted;
	f->r->bytes_sent += row->bytes_sent;
	f->r->bytes_received += row->bytes_received;
	f->r->bytes_encrypted += row->bytes_encrypted;
	return 0;
}

static int
on_data(const struct store_flow_row *row, void *ctx)
{
	struct fill *f = ctx;
	struct summary_traffic t = { row->flows, row->bytes_sent,
	    row->bytes_received };
	struct summary_data_key k = {
		.app = app_label(row),
		.category = row->category,
		.destination = row->destination,
		.country = or_dash(row->country),
		.operator_jur = or_dash(row->operator_jurisdiction),
		.vendor_jur = or_dash(row->vendor_jurisdiction),
	};

	(void)summary_add_data(f->m, &k, row->permission, &t);
	return 0;
}

static int
on_finding(const struct store_finding_row *row, void *ctx)
{
	struct fill *f = ctx;
	struct report *r = f->r;
	const char *src[] = { row->day, row->rule_id, row->device, row->app,
	    row->destination, row->ruleset, row->title, row->jurisdiction_by,
	    row->jurisdiction, row->categories, row->evidence_category,
	    row->evidence_where, row->evidence_location, row->evidence_masked,
	    row->evidence_hmac };
	struct report_finding *rf;
	struct summary_traffic t = { row->count, 0, 0 };
	struct summary_finding sf = {
		.severity = (enum severity)row->severity,
		.rule_id = row->rule_id,
		.ruleset = row->ruleset,
		.title = row->title,
		.app = row->app[0] ? row->app : NULL,
		.device = row->device[0] ? row->device : NULL,
		.destination = row->destination[0] ? row->destination : NULL,
	};
	size_t total = 0, n = sizeof(src) / sizeof(src[0]);
	char *p;

	(void)summary_add_finding(f->m, &sf, &t);
	if ((unsigned)row->severity < SEVERITY__COUNT)
		r->findings_by_severity[row->severity] += row->count;
	if (r->n_findings == r->cap_findings) {
		size_t cap = r->cap_findings ? r->cap_findings * 2 : 64;
		struct report_finding *nf = realloc(r->findings,
		    cap * sizeof(*nf));

		if (nf == NULL)
			return -ENOMEM;
		r->findings = nf;
		r->cap_findings = cap;
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(src[i]) + 1;
	if ((p = malloc(total)) == NULL)
		return -ENOMEM;
	rf = &r->findings[r->n_findings++];
	memset(rf, 0, sizeof(*rf));
	rf->mem = p;
	{
		const char **out[] = { &rf->day, &rf->rule_id, &rf->device,
		    &rf->app, &rf->destination, &rf->ruleset, &rf->title,
		    &rf->jurisdiction_by, &rf->jurisdiction, &rf->categories,
		    &rf->ev_category, &rf->ev_where, &rf->ev_location,
		    &rf->ev_masked, &rf->ev_hmac };

		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(src[i]);

			memcpy(p, src[i], len + 1);
			*out[i] = p;
			p += len + 1;
		}
	}
	rf->severity = row->severity;
	rf->first_us = row->first_us;
	rf->last_us = row->last_us;
	rf->count = row->count;
	return 0;
}

static void
coverage_sum(struct report_coverage *to, const struct store_coverage_row *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
	to->flows += c->flows;
	to->flows_encrypted += c->flows_encrypted;
	to->bytes_encrypted += c->bytes_encrypted;
	to->bytes_not_inspected += c->bytes_not_inspected;
	to->malformed += c->malformed;
	to->flows_evicted += c->flows_evicted;
}

static int
on_coverage(const struct store_coverage_row *c, void *ctx)
{
	struct report *r = ((struct fill *)ctx)->r;
	size_t i;

	coverage_sum(&r->cov_total, c);
	for (i = 0; i < r->n_cov; i++)
		if (strcmp(r->cov[i].day, c->day) >= 0)
			break;
	if (i == r->n_cov || strcmp(r->cov[i].day, c->day) != 0) {
		if (r->n_cov == r->cap_cov) {
			size_t cap = r->cap_cov ? r->cap_cov * 2 : 16;
			struct report_coverage *nc = realloc(r->cov,
			    cap * sizeof(*nc));

			if (nc == NULL)
				return -ENOMEM;
			r->cov = nc;
			r->cap_cov = cap;
		}
		memmove(&r->cov[i + 1], &r->cov[i],
		    (r->n_cov - i) * sizeof(*r->cov));
		memset(&r->cov[i], 0, sizeof(r->cov[i]));
		snprintf(r->cov[i].day, sizeof(r->cov[i].day), "%s", c->day);
		r->n_cov++;
	}
	coverage_sum(&r->cov[i], c);
	return 0;
}

static int
on_geoip(const struct store_geoip_row *g, void *ctx)
{
	struct report *r = ((struct fill *)ctx)->r;
	struct report_geoip *e;

	for (size_t i = 0; i < r->n_geo; i++) {
		e = &r->geo[i];
		if (strcmp(e->country_desc, g->country_desc) != 0 ||
		    strcmp(e->attribution, g->attribution) != 0)
			continue;
		/* Two sensors on the same data: widen the days. */
		if (strcmp(g->first_day, e->first_day) < 0) {
			char *d = strdup(g->first_day);

			if (d == NULL)
				return -ENOMEM;
			free(e->first_day);
			e->first_day = d;
		}
		if (strcmp(g->last_day, e->last_day) > 0) {
			char *d = strdup(g->last_day);

			if (d == NULL)
				return -ENOMEM;
			free(e->last_day);
			e->last_day = d;
		}
		return 0;
	}
	if (r->n_geo == r->cap_geo) {
		size_t cap = r->cap_geo ? r->cap_geo * 2 : 4;
		struct report_geoip *ng = realloc(r->geo, cap * sizeof(*ng));

		if (ng == NULL)
			return -ENOMEM;
		r->geo = ng;
		r->cap_geo = cap;
	}
	e = &r->geo[r->n_geo];
	e->country_desc = strdup(g->country_desc);
	e->attribution = strdup(g->attribution);
	e->first_day = strdup(g->first_day);
	e->last_day = strdup(g->last_day);
	r->n_geo++;
	if (e->country_desc == NULL || e->attribution == NULL ||
	    e->first_day == NULL || e->last_day == NULL)
		return -ENOMEM;
	return 0;
}

int
report_add_store(struct report *r, struct store_reader *s, char *err,
    size_t errlen)
{
	const struct report_period *p = &r->period;
	struct fill cur = { r, r->cur, true }, prev = { r, r->prev, false };
	int e;

	if ((e = store_read_flows(s, false, p->from, p->to, on_traffic,
	    &cur)) != 0 ||
	    (e = store_read_flows(s, true, p->from, p->to, on_data, &cur)) != 0 ||
	    (e = store_read_findings(s, p->from, p->to, on_finding,
	    &cur)) != 0 ||
	    (e = store_read_coverage(s, p->from, p->to, on_coverage,
	    &cur)) != 0 ||
	    (e = store_read_geoip(s, p->from, p->to, on_geoip, &cur)) != 0 ||
	    (e = store_read_flows(s, false, p->prev_from, p->prev_to,
	    on_traffic, &prev)) != 0 ||
	    (e = store_read_flows(s, true, p->prev_from, p->prev_to, on_data,
	    &prev)) != 0) {
		snprintf(err, errlen, "%s", e == -ENOMEM ? "out of memory" :
		    store_reader_error(s));
		return e < 0 ? e : -EIO;
	}
	r->stores++;
	return 0;
}

/* --- Finishing: order, what is new, the headline --- */

static int
cmp_findings(const void *x, const void *y)
{
	const struct report_finding *a = x, *b = y;
	int c;

	if (a->severity != b->severity)
		return a->severity < b->severity ? 1 : -1;
	if ((c = strcmp(a->day, b->day)) != 0)
		return c;
	if ((c = strcmp(a->rule_id, b->rule_id)) != 0)
		return c;
	if ((c = strcmp(a->device, b->device)) != 0)
		return c;
	if ((c = strcmp(a->app, b->app)) != 0)
		return c;
	if ((c = strcmp(a->destination, b->destination)) != 0)
		return c;
	return a->count < b->count ? 1 : a->count > b->count ? -1 : 0;
}

static int
cmp_geo(const void *x, const void *y)
{
	const struct report_geoip *a = x, *b = y;
	int c = strcmp(a->country_desc, b->country_desc);

	return c ? c : strcmp(a->attribution, b->attribution);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void
list_sort(struct report_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Values of cell in table t of the period that the period before lacks. */
static int
new_values(struct report *r, enum summary_table t, int cell,
    struct report_list *ret)
{
	struct report_list now = { 0 }, before = { 0 };
	int e;

	if ((e = report_distinct(r->cur, t, 0, NULL, cell, &now)) != 0 ||
	    (e = report_distinct(r->prev, t, 0, NULL, cell, &before)) != 0)
		goto out;
	list_sort(&before);
	for (size_t i = 0; i < now.n; i++)
		if ((before.n == 0 || bsearch(&now.v[i], before.v, before.n,
		    sizeof(*before.v), cmp_str) == NULL) &&
		    (e = list_add(ret, now.v[i])) != 0)
			goto out;
out:
	report_list_free(&now);
	report_list_free(&before);
	return e;
}

/*
 * The headline: findings first (how many apps, the most serious and
 * most frequent one in words), else where personal data went, else
 * that none was seen, always with how much was looked at.
 */
static void
headline(struct report *r)
{
	struct report_list apps = { 0 }, countries = { 0 };
	struct summary_row top;
	char *h = r->headline;
	size_t hs = sizeof(r->headline), o;

	if (r->flows == 0) {
		snprintf(h, hs, "No traffic was recorded in %s: the sensor "
		    "saw nothing, so this report cannot say what was sent.",
		    r->period.label);
		return;
	}
	/* The findings table merges days and is sorted most severe, then
	 * most frequent, first. */
	if (summary_row_get(r->cur, SUMMARY_FINDINGS, 0, &top) == 0) {
		(void)report_distinct(r->cur, SUMMARY_FINDINGS, 0, NULL, 2,
		    &apps);
		uint64_t matches = 0;

		for (int i = 0; i < SEVERITY__COUNT; i++)
			matches += r->findings_by_severity[i];
		char n1[32], n2[32];

		o = (size_t)snprintf(h, hs, "%zu app%s matched the privacy "
		    "rules %s time%s in %s; the most serious: ",
		    apps.n, apps.n == 1 ? "" : "s",
		    report_count(matches, n1, sizeof(n1)),
		    matches == 1 ? "" : "s", r->period.label);
		if (o < hs)
			snprintf(h + o, hs - o, "%s (%s, %s time%s).",
			    top.str[4], report_severity(top.str[0][0] - '0'),
			    report_count(top.t.flows, n2, sizeof(n2)),
			    top.t.flows == 1 ? "" : "s");
		report_list_free(&apps);
		return;
	}
	if (r->apps_with_data > 0) {
		(void)report_distinct(r->cur, SUMMARY_DATA, 0, NULL, 3,
		    &countries);
		snprintf(h, hs, "%zu app%s sent personal data to %zu "
		    "destination countr%s in %s; no policy rule was broken.",
		    r->apps_with_data, r->apps_with_data == 1 ? "" : "s",
		    countries.n, countries.n == 1 ? "y" : "ies",
		    r->period.label);
		report_list_free(&countries);
		return;
	}
	snprintf(h, hs, "No personal data was seen leaving in %s, in the "
	    "%.0f%% of bytes that could be inspected.", r->period.label,
	    100.0 - report_share(r->bytes_encrypted,
	    r->bytes_sent + r->bytes_received));
}

int
report_finish(struct report *r)
{
	int e;

	summary_sort(r->cur);
	summary_sort(r->prev);
	if (r->n_findings > 1)
		qsort(r->findings, r->n_findings, sizeof(*r->findings),
		    cmp_findings);
	if (r->n_geo > 1)
		qsort(r->geo, r->n_geo, sizeof(*r->geo), cmp_geo);
	if ((e = report_distinct(r->cur, SUMMARY_ROUTES, 0, NULL, 0,
	    &r->apps)) != 0 ||
	    (e = report_distinct(r->cur, SUMMARY_DEVICES, 0, NULL, 0,
	    &r->devices)) != 0 ||
	    (e = report_distinct(r->cur, SUMMARY_DATA, 0, NULL, 1,
	    &r->categories)) != 0)
		return e;
	{
		struct report_list with_data = { 0 };

		if ((e = report_distinct(r->cur, SUMMARY_DATA, 0, NULL, 0,
		    &with_data)) != 0)
			return e;
		r->apps_with_data = with_data.n;
		report_list_free(&with_data);
	}
	/* "New" only means something when the period before has data. */
	if (r->prev_flows > 0) {
		if ((e = new_values(r, SUMMARY_APPS, 1, &r->new_apps)) != 0 ||
		    (e = new_values(r, SUMMARY_SERVERS, 0,
		    &r->new_destinations)) != 0 ||
		    (e = new_values(r, SUMMARY_COUNTRIES, 0,
		    &r->new_countries)) != 0 ||
		    (e = new_values(r, SUMMARY_DATA, 1,
		    &r->new_categories)) != 0)
			return e;
		list_sort(&r->new_apps);
		list_sort(&r->new_destinations);
		list_sort(&r->new_countries);
		list_sort(&r->new_categories);
	}
	headline(r);
	return 0;
}

const char *
report_headline(const struct report *r)
{
	return r->headline;
}

int
report_write(const struct report *r, enum report_format f, FILE *fp)
{
	switch (f) {
	case REPORT_HTML:
		return report_write_html(r, fp);
	case REPORT_MARKDOWN:
		return report_write_markdown(r, fp);
	case REPORT_JSON:
		return report_write_json(r, fp);
	case REPORT_CSV_FINDINGS:
		return report_write_csv(r, true, fp);
	case REPORT_CSV_AGGREGATES:
		return report_write_csv(r, false, fp);
	}
	return -EINVAL;
}
