/*
 * report_json.c - the report as one JSON document, the schema of
 * docs/report.md ("report_version": 1).  Unlike the HTML and Markdown
 * pages it carries every row.  Strings go through the JSON writer, which
 * escapes them (json.h).
 */
#include <errno.h>
#include <string.h>

#include "json.h"
#include "report_int.h"

#define REPORT_JSON_VERSION 1

static void
traffic(struct jw *w, const struct summary_traffic *t)
{
	jw_u64(w, "flows", t->flows);
	jw_u64(w, "bytes_sent", t->bytes_out);
	jw_u64(w, "bytes_received", t->bytes_in);
}

static void
list(struct jw *w, const char *key, const struct report_list *l)
{
	jw_arr_begin(w, key);
	for (size_t i = 0; i < l->n; i++)
		jw_str(w, NULL, l->v[i]);
	jw_arr_end(w);
}

static void
coverage_fields(struct jw *w, const struct report_coverage *c)
{
	jw_u64(w, "packets", c->packets);
	jw_u64(w, "bytes", c->bytes);
	jw_u64(w, "flows", c->flows);
	jw_u64(w, "flows_encrypted", c->flows_encrypted);
	jw_u64(w, "bytes_encrypted", c->bytes_encrypted);
	jw_u64(w, "bytes_not_inspected", c->bytes_not_inspected);
	jw_u64(w, "malformed", c->malformed);
	jw_u64(w, "flows_evicted", c->flows_evicted);
}

static void
apps(const struct report *r, struct jw *w)
{
	size_t nd = summary_rows(r->cur, SUMMARY_DATA);
	size_t nr = summary_rows(r->cur, SUMMARY_ROUTES);
	struct summary_row row;

	jw_arr_begin(w, "apps");
	for (size_t a = 0; a < r->apps.n; a++) {
		struct summary_traffic t;
		struct report_list cats = { 0 };

		report_app_traffic(r, r->apps.v[a], &t);
		jw_obj_begin(w, NULL);
		jw_str(w, "app", r->apps.v[a]);
		traffic(w, &t);
		jw_arr_begin(w, "data");
		(void)report_distinct(r->cur, SUMMARY_DATA, 0, r->apps.v[a], 1,
		    &cats);
		for (size_t c = 0; c < cats.n; c++)
			for (size_t i = 0; i < nd; i++) {
				(void)summary_row_get(r->cur, SUMMARY_DATA, i,
				    &row);
				if (strcmp(row.str[0], r->apps.v[a]) != 0 ||
				    strcmp(row.str[1], cats.v[c]) != 0)
					continue;
				jw_obj_begin(w, NULL);
				jw_str(w, "category", row.str[1]);
				jw_str(w, "permission", row.str[6]);
				jw_obj_end(w);
				break;
			}
		report_list_free(&cats);
		jw_arr_end(w);
		jw_arr_begin(w, "destinations");
		for (size_t i = 0; i < nr; i++) {
			(void)summary_row_get(r->cur, SUMMARY_ROUTES, i, &row);
			if (strcmp(row.str[0], r->apps.v[a]) != 0)
				continue;
			jw_obj_begin(w, NULL);
			jw_str(w, "destination", row.str[1]);
			jw_str(w, "country", report_blank(row.str[2]));
			jw_u64(w, "asn", row.num[3]);
			jw_str(w, "operator", row.str[6]);
			jw_str(w, "operator_jurisdiction",
			    report_blank(row.str[4]));
			jw_str(w, "vendor_jurisdiction",
			    report_blank(row.str[5]));
			traffic(w, &row.t);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
findings(const struct report *r, struct jw *w)
{
	size_t n = summary_rows(r->cur, SUMMARY_FINDINGS);
	struct summary_row row;

	jw_obj_begin(w, "findings_by_severity");
	for (int s = SEVERITY__COUNT - 1; s >= 0; s--)
		jw_u64(w, report_severity(s), r->findings_by_severity[s]);
	jw_obj_end(w);
	jw_arr_begin(w, "findings");
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_FINDINGS, i, &row);
		jw_obj_begin(w, NULL);
		jw_str(w, "severity", report_severity(row.str[0][0] - '0'));
		jw_str(w, "rule", row.str[1]);
		jw_str(w, "ruleset", report_blank(row.str[6]));
		jw_str(w, "app", report_blank(row.str[2]));
		jw_str(w, "device", report_blank(row.str[3]));
		jw_str(w, "destination", report_blank(row.str[5]));
		jw_str(w, "title", row.str[4]);
		jw_u64(w, "count", row.t.flows);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr_begin(w, "finding_days");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct report_finding *f = &r->findings[i];

		jw_obj_begin(w, NULL);
		jw_str(w, "day", f->day);
		jw_str(w, "severity", report_severity(f->severity));
		jw_str(w, "rule", f->rule_id);
		jw_str(w, "ruleset", f->ruleset);
		jw_str(w, "app", f->app);
		jw_str(w, "device", f->device);
		jw_str(w, "destination", f->destination);
		jw_str(w, "title", f->title);
		jw_str(w, "jurisdiction_by", f->jurisdiction_by);
		jw_str(w, "jurisdiction", f->jurisdiction);
		jw_str(w, "categories", f->categories);
		jw_time(w, "first_seen", f->first_us);
		jw_time(w, "last_seen", f->last_us);
		jw_u64(w, "count", f->count);
		jw_obj_begin(w, "evidence");
		jw_str(w, "category", f->ev_category);
		jw_str(w, "where", f->ev_where);
		jw_str(w, "location", f->ev_location);
		jw_str(w, "masked", f->ev_masked);
		jw_str(w, "hmac", f->ev_hmac);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void
plain_table(const struct report *r, struct jw *w, enum summary_table t,
    const char *key)
{
	size_t n = summary_rows(r->cur, t);
	struct summary_row row;

	jw_arr_begin(w, key);
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, t, i, &row);
		jw_obj_begin(w, NULL);
		switch (t) {
		case SUMMARY_COUNTRIES:
			jw_str(w, "country", row.str[0]);
			break;
		case SUMMARY_OPERATORS:
			jw_u64(w, "asn", row.num[0]);
			jw_str(w, "operator", row.str[1]);
			break;
		case SUMMARY_DEVICES:
			jw_str(w, "device", row.str[0]);
			jw_str(w, "app", row.str[1]);
			jw_str(w, "country", report_blank(row.str[2]));
			break;
		case SUMMARY_DATA:
			jw_str(w, "app", row.str[0]);
			jw_str(w, "category", row.str[1]);
			jw_str(w, "permission", row.str[6]);
			jw_str(w, "destination", row.str[2]);
			jw_str(w, "country", report_blank(row.str[3]));
			jw_str(w, "operator_jurisdiction",
			    report_blank(row.str[4]));
			jw_str(w, "vendor_jurisdiction",
			    report_blank(row.str[5]));
			break;
		default:
			break;
		}
		traffic(w, &row.t);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int
report_write_json(const struct report *r, FILE *fp)
{
	struct jw w;
	int e = 0;

	if (jw_init(&w, 65536) != 0)
		return -ENOMEM;
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "report_version", REPORT_JSON_VERSION);
	jw_obj_begin(&w, "period");
	jw_str(&w, "label", r->period.label);
	jw_str(&w, "from", r->period.from);
	jw_str(&w, "to", r->period.to);
	jw_i64(&w, "days", r->period.days);
	jw_obj_end(&w);
	jw_obj_begin(&w, "previous_period");
	jw_str(&w, "from", r->period.prev_from);
	jw_str(&w, "to", r->period.prev_to);
	jw_u64(&w, "flows", r->prev_flows);
	jw_obj_end(&w);
	jw_u64(&w, "stores", r->stores);
	jw_str(&w, "headline", r->headline);
	jw_obj_begin(&w, "totals");
	jw_u64(&w, "flows", r->flows);
	jw_u64(&w, "flows_encrypted", r->flows_encrypted);
	jw_u64(&w, "bytes_sent", r->bytes_sent);
	jw_u64(&w, "bytes_received", r->bytes_received);
	jw_u64(&w, "bytes_encrypted", r->bytes_encrypted);
	jw_u64(&w, "apps", r->apps.n);
	jw_u64(&w, "apps_with_personal_data", r->apps_with_data);
	jw_u64(&w, "devices", r->devices.n);
	jw_obj_end(&w);
	findings(r, &w);
	apps(r, &w);
	plain_table(r, &w, SUMMARY_DEVICES, "devices");
	plain_table(r, &w, SUMMARY_COUNTRIES, "countries");
	plain_table(r, &w, SUMMARY_OPERATORS, "operators");
	plain_table(r, &w, SUMMARY_DATA, "personal_data");
	if (r->prev_flows > 0) {
		jw_obj_begin(&w, "new");
		list(&w, "apps", &r->new_apps);
		list(&w, "destinations", &r->new_destinations);
		list(&w, "countries", &r->new_countries);
		list(&w, "categories", &r->new_categories);
		jw_obj_end(&w);
	}
	jw_obj_begin(&w, "coverage");
	jw_u64(&w, "days_recorded", r->n_cov);
	coverage_fields(&w, &r->cov_total);
	jw_arr_begin(&w, "days");
	for (size_t i = 0; i < r->n_cov; i++) {
		jw_obj_begin(&w, NULL);
		jw_str(&w, "day", r->cov[i].day);
		coverage_fields(&w, &r->cov[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_arr_begin(&w, "geoip");
	for (size_t i = 0; i < r->n_geo; i++) {
		jw_obj_begin(&w, NULL);
		jw_str(&w, "country_desc", r->geo[i].country_desc);
		jw_str(&w, "attribution", r->geo[i].attribution);
		jw_str(&w, "first_day", r->geo[i].first_day);
		jw_str(&w, "last_day", r->geo[i].last_day);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_newline(&w);
	if (w.oom)
		e = -ENOMEM;
	else if (fwrite(w.buf, 1, w.len, fp) != w.len || ferror(fp))
		e = -EIO;
	jw_free(&w);
	return e;
}
