/*
 * report_md.c - the report in Markdown, the HTML page's sections as
 * text for mail and chat.  Every string from the report goes through
 * report_md_escape(), so a server name cannot open a link, an image,
 * raw HTML or a table cell.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#define MD_TOP 15

void
report_md_escape(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s == 0x7f) {
			fputc(' ', fp);
			continue;
		}
		/* CommonMark: ASCII punctuation may be backslash-escaped; these
		 * are the ones that start emphasis, code, links, images, raw
		 * HTML, entities or a table cell mid-line (every string is
		 * written mid-line, so #, - and + cannot start a block). */
		if (strchr("\\`*_{}[]<>!|~&", *s) != NULL)
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

static void
md(FILE *fp, const char *s)
{
	report_md_escape(fp, s);
}

static void
findings(const struct report *r, FILE *fp)
{
	size_t n = summary_rows(r->cur, SUMMARY_FINDINGS);
	struct summary_row row;

	fputs("\n## Findings by severity\n\n", fp);
	if (n == 0) {
		fputs("No policy rule matched in this period.\n", fp);
		return;
	}
	fputs("| severity | what happened | device | rule | times |\n"
	    "|---|---|---|---|---:|\n", fp);
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_FINDINGS, i, &row);
		fprintf(fp, "| %s | ", report_severity(row.str[0][0] - '0'));
		md(fp, row.str[4]);
		fputs(" | ", fp);
		md(fp, row.str[3]);
		fputs(" | ", fp);
		md(fp, row.str[1]);
		fprintf(fp, " | %" PRIu64 " |\n", row.t.flows);
	}
}

static void
app_section(const struct report *r, const char *app, FILE *fp)
{
	struct summary_traffic t;
	struct summary_row row;
	struct report_list cats = { 0 };
	size_t n, shown = 0;
	char b1[32], b2[32];

	report_app_traffic(r, app, &t);
	fputs("\n### ", fp);
	md(fp, app);
	fprintf(fp, "\n\n%" PRIu64 " connections, %s sent, %s received.\n",
	    t.flows, summary_bytes(t.bytes_out, b1, sizeof(b1)),
	    summary_bytes(t.bytes_in, b2, sizeof(b2)));
	(void)report_distinct(r->cur, SUMMARY_DATA, 0, app, 1, &cats);
	if (cats.n > 0) {
		fputs("\nPersonal data sent:", fp);
		for (size_t c = 0; c < cats.n; c++) {
			fputs(c ? ", " : " ", fp);
			md(fp, cats.v[c]);
			n = summary_rows(r->cur, SUMMARY_DATA);
			for (size_t i = 0; i < n; i++) {
				(void)summary_row_get(r->cur, SUMMARY_DATA, i,
				    &row);
				if (strcmp(row.str[0], app) != 0 ||
				    strcmp(row.str[1], cats.v[c]) != 0)
					continue;
				if (row.str[6][0]) {
					fputs(" (", fp);
					md(fp, row.str[6]);
					fputs(")", fp);
				}
				break;
			}
		}
		fputs("\n", fp);
	}
	report_list_free(&cats);
	fputs("\n| destination | country | operator | jurisdiction (operator / "
	    "vendor) | sent | received |\n|---|---|---|---|---:|---:|\n", fp);
	n = summary_rows(r->cur, SUMMARY_ROUTES);
	for (size_t i = 0; i < n && shown < MD_TOP; i++) {
		(void)summary_row_get(r->cur, SUMMARY_ROUTES, i, &row);
		if (strcmp(row.str[0], app) != 0)
			continue;
		shown++;
		fputs("| ", fp);
		md(fp, row.str[1]);
		fputs(" | ", fp);
		md(fp, report_country_text(row.str[2]));
		fputs(" | ", fp);
		md(fp, row.str[6][0] ? row.str[6] : "unknown");
		if (row.num[3] != 0)
			fprintf(fp, " AS%" PRIu64, row.num[3]);
		fputs(" | ", fp);
		md(fp, row.str[4]);
		fputs(" / ", fp);
		md(fp, row.str[5]);
		fprintf(fp, " | %s | %s |\n",
		    summary_bytes(row.t.bytes_out, b1, sizeof(b1)),
		    summary_bytes(row.t.bytes_in, b2, sizeof(b2)));
	}
}

static void
table_bytes(const struct report *r, enum summary_table t, const char *title,
    FILE *fp)
{
	size_t n = summary_rows(r->cur, t);
	struct summary_row row;
	char b[32];

	fprintf(fp, "\n### %s\n\n| %s | bytes | connections |\n|---|---:|---:|\n",
	    title, t == SUMMARY_COUNTRIES ? "country" : "operator");
	for (size_t i = 0; i < n && i < MD_TOP; i++) {
		(void)summary_row_get(r->cur, t, i, &row);
		fputs("| ", fp);
		if (t == SUMMARY_OPERATORS) {
			md(fp, row.str[1][0] ? row.str[1] : "unknown");
			fprintf(fp, " AS%" PRIu64, row.num[0]);
		} else
			md(fp, report_country_text(row.str[0]));
		fprintf(fp, " | %s | %" PRIu64 " |\n", summary_bytes(
		    row.t.bytes_out + row.t.bytes_in, b, sizeof(b)),
		    row.t.flows);
	}
}

static void
list_line(FILE *fp, const char *what, const struct report_list *l)
{
	fprintf(fp, "- %s (%zu):", what, l->n);
	for (size_t i = 0; i < l->n; i++) {
		fputs(i ? ", " : " ", fp);
		md(fp, l->v[i]);
	}
	fputs(l->n ? "\n" : " none\n", fp);
}

struct triple {
	const char *app, *category, *jur;
	uint64_t flows;
};

static int
cmp_triple(const void *x, const void *y)
{
	const struct triple *a = x, *b = y;
	int c;

	if ((c = strcmp(a->app, b->app)) != 0 ||
	    (c = strcmp(a->category, b->category)) != 0)
		return c;
	return strcmp(a->jur, b->jur);
}

static int
cmp_flows(const void *x, const void *y)
{
	const struct triple *a = x, *b = y;

	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	return cmp_triple(x, y);
}

/* app -> data -> jurisdiction, summed over destinations. */
static void
picture(const struct report *r, FILE *fp)
{
	size_t n = summary_rows(r->cur, SUMMARY_DATA), u = 0;
	struct summary_row row;
	struct triple *v;

	fputs("\n## Apps, data and jurisdictions\n\n", fp);
	if (n == 0) {
		fputs("No personal data seen.\n", fp);
		return;
	}
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_DATA, i, &row);
		v[i].app = row.str[0];
		v[i].category = row.str[1];
		v[i].jur = report_data_jurisdiction(&row);
		v[i].flows = row.t.flows;
	}
	qsort(v, n, sizeof(*v), cmp_triple);
	for (size_t i = 0; i < n; i++) {
		if (u > 0 && cmp_triple(&v[u - 1], &v[i]) == 0)
			v[u - 1].flows += v[i].flows;
		else
			v[u++] = v[i];
	}
	qsort(v, u, sizeof(*v), cmp_flows);
	fputs("| app | data | jurisdiction | connections |\n"
	    "|---|---|---|---:|\n", fp);
	for (size_t i = 0; i < u && i < 40; i++) {
		fputs("| ", fp);
		md(fp, v[i].app);
		fputs(" | ", fp);
		md(fp, v[i].category);
		fputs(" | ", fp);
		md(fp, v[i].jur);
		fprintf(fp, " | %" PRIu64 " |\n", v[i].flows);
	}
	free(v);
}

int
report_write_markdown(const struct report *r, FILE *fp)
{
	const struct report_coverage *c = &r->cov_total;
	size_t nd = summary_rows(r->cur, SUMMARY_DEVICES);
	struct summary_row row;
	char b[32];

	fputs("# outflow report ", fp);
	md(fp, r->period.label);
	fputs("\n\n", fp);
	fputs("**", fp);
	md(fp, r->headline);
	fprintf(fp, "**\n\n%s to %s (UTC), %u store%s: %" PRIu64
	    " connections, %s sent by %zu apps on %zu devices.\n",
	    r->period.from, r->period.to, r->stores, r->stores == 1 ? "" : "s",
	    r->flows, summary_bytes(r->bytes_sent, b, sizeof(b)), r->apps.n,
	    r->devices.n);
	findings(r, fp);
	fputs("\n## Apps\n", fp);
	for (size_t i = 0; i < r->apps.n && i < MD_TOP * 2; i++)
		app_section(r, r->apps.v[i], fp);
	fputs("\n## Devices\n\n| device | app | country | connections | sent "
	    "|\n|---|---|---|---:|---:|\n", fp);
	for (size_t i = 0; i < nd && i < MD_TOP * 2; i++) {
		(void)summary_row_get(r->cur, SUMMARY_DEVICES, i, &row);
		fputs("| ", fp);
		md(fp, row.str[0]);
		fputs(" | ", fp);
		md(fp, row.str[1]);
		fputs(" | ", fp);
		md(fp, report_country_text(row.str[2]));
		fprintf(fp, " | %" PRIu64 " | %s |\n", row.t.flows,
		    summary_bytes(row.t.bytes_out, b, sizeof(b)));
	}
	fputs("\n## Where traffic went\n", fp);
	table_bytes(r, SUMMARY_COUNTRIES, "By country", fp);
	table_bytes(r, SUMMARY_OPERATORS, "By operator", fp);
	picture(r, fp);
	fprintf(fp, "\n## New since the period before (%s to %s)\n\n",
	    r->period.prev_from, r->period.prev_to);
	if (r->prev_flows == 0)
		fputs("The stores hold no traffic for the period before.\n", fp);
	else {
		list_line(fp, "Apps", &r->new_apps);
		list_line(fp, "Destinations", &r->new_destinations);
		list_line(fp, "Countries", &r->new_countries);
		list_line(fp, "Kinds of personal data", &r->new_categories);
	}
	fprintf(fp, "\n## What was seen, and what was not\n\n"
	    "%.0f%% of the bytes were encrypted and not read; %.0f%% were in "
	    "protocols outflow does not inspect. Traffic was recorded on %zu "
	    "of %" PRId64 " days; %" PRIu64 " packets, %" PRIu64
	    " malformed packets skipped, %" PRIu64 " connections cut short by "
	    "a full flow table. Packets the kernel dropped are not recorded "
	    "yet.\n", report_share(c->bytes_encrypted, c->bytes),
	    report_share(c->bytes_not_inspected, c->bytes), r->n_cov,
	    r->period.days, c->packets, c->malformed, c->flows_evicted);
	fputs("\n## Location data\n\n", fp);
	if (r->n_geo == 0)
		fputs("No GeoIP data was in force.\n", fp);
	for (size_t i = 0; i < r->n_geo; i++) {
		fputs("- ", fp);
		md(fp, r->geo[i].attribution[0] ? r->geo[i].attribution :
		    "(the data carries no attribution)");
		fputs(" (", fp);
		md(fp, r->geo[i].country_desc);
		fputs("; ", fp);
		md(fp, r->geo[i].first_day);
		fputs(" to ", fp);
		md(fp, r->geo[i].last_day);
		fputs(")\n", fp);
	}
	return ferror(fp) ? -EIO : 0;
}
