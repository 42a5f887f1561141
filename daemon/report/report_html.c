/*
 * report_html.c - the report as one self-contained HTML page: inline CSS
 * and inline SVG charts, no script, no external request (no src=, no
 * url(), no link), readable on a phone and printable.
 *
 * Every string from the report goes through report_html_escape(), the
 * one escaping function for text and attribute values; numbers are
 * printed by us.  The page's structure is fixed so that a test can parse
 * it (tests/report/html_check.py).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Rows shown per table; the JSON and CSV formats carry every row. */
#define HTML_TOP_APPS 30
#define HTML_TOP_ROWS 12
#define HTML_BARS 12
#define SANKEY_MAX 8		/* nodes per column; the rest is "other" */

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong */
		    (s[0] == 0xed && s[1] >= 0xa0))	/* surrogates */
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void
report_html_escape(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s != '\0') {
		switch (*s) {
		case '&': fputs("&amp;", fp); s++; continue;
		case '<': fputs("&lt;", fp); s++; continue;
		case '>': fputs("&gt;", fp); s++; continue;
		case '"': fputs("&quot;", fp); s++; continue;
		case '\'': fputs("&#39;", fp); s++; continue;
		default: break;
		}
		if ((*s < 0x20 && *s != '\t') || *s == 0x7f) {
			fputs("\xef\xbf\xbd", fp);
			s++;
			continue;
		}
		if ((n = utf8_len(s)) == 0) {
			fputs("\xef\xbf\xbd", fp);
			s++;
			continue;
		}
		fwrite(s, 1, n, fp);
		s += n;
	}
}

static void
esc(FILE *fp, const char *s)
{
	report_html_escape(fp, s);
}

/* Severity colours: few, and each means one thing. */
static const char *const sev_class[SEVERITY__COUNT] = {
	"info", "low", "medium", "high", "critical",
};

static const char css[] =
":root{--ink:#1d2430;--muted:#5b6576;--line:#e3e7ee;--bg:#fff;"
"--soft:#f5f7fa;--accent:#2f6fb3;--critical:#8e1b1b;--high:#c0392b;"
"--medium:#d9822b;--low:#b59a00;--info:#6b7280}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 "
"system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
"sans-serif}\n"
"main{max-width:980px;margin:0 auto;padding:20px 16px 48px}\n"
".kicker{color:var(--muted);font-size:.9rem;margin:0 0 4px;"
"letter-spacing:.02em}\n"
"h1{font-size:1.6rem;line-height:1.25;margin:0 0 16px}\n"
"h2{font-size:1.25rem;margin:36px 0 8px;padding-bottom:4px;"
"border-bottom:2px solid var(--line)}\n"
"h3{font-size:1.05rem;margin:20px 0 6px}\n"
"p{margin:6px 0}\n"
".note{color:var(--muted);font-size:.9rem}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fit,"
"minmax(140px,1fr));gap:10px;margin:12px 0}\n"
".card{background:var(--soft);border-radius:10px;padding:10px 12px}\n"
".card b{display:block;font-size:1.35rem}\n"
".card span{color:var(--muted);font-size:.85rem}\n"
".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
"table{border-collapse:collapse;width:100%;font-size:.9rem;"
"margin:6px 0}\n"
"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid "
"var(--line);vertical-align:top}\n"
"th{color:var(--muted);font-weight:600;white-space:nowrap}\n"
"td.n,th.n{text-align:right;white-space:nowrap;"
"font-variant-numeric:tabular-nums}\n"
"td{overflow-wrap:break-word}\n"
"td small{color:var(--muted)}\n"
".sev{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;"
"font-size:.8rem;font-weight:600;text-transform:uppercase}\n"
".sev.critical{background:var(--critical)}.sev.high{background:"
"var(--high)}.sev.medium{background:var(--medium)}.sev.low{background:"
"var(--low)}.sev.info{background:var(--info)}\n"
".app{border:1px solid var(--line);border-radius:10px;padding:4px 14px "
"10px;margin:12px 0;break-inside:avoid}\n"
".chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0;padding:0;"
"list-style:none}\n"
".chips li{background:var(--soft);border:1px solid var(--line);"
"border-radius:999px;padding:1px 10px;font-size:.85rem}\n"
".chips li.data{border-color:var(--high);color:var(--high)}\n"
".chips small{color:var(--muted)}\n"
"svg{display:block;width:100%;height:auto;margin:8px 0}\n"
"svg text{font:12px system-ui,-apple-system,'Segoe UI',Roboto,Arial,"
"sans-serif;fill:var(--ink)}\n"
"svg .bar{fill:var(--accent)}svg .val{fill:var(--muted)}\n"
"svg .link{fill:none;stroke:var(--accent);stroke-opacity:.28}\n"
"svg .node{fill:var(--ink)}\n"
"svg .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;"
"stroke-linejoin:round}\n"
"footer{margin-top:40px;color:var(--muted);font-size:.85rem}\n"
"@media (max-width:600px){h1{font-size:1.3rem}main{padding:14px 10px "
"40px}th,td{padding:4px 5px}.opt{display:none}}\n"
"@media print{body{font-size:11pt}main{max-width:none;padding:0}"
"h2{break-after:avoid}.app,table,svg{break-inside:avoid}"
".card{border:1px solid var(--line)}}\n";

static void
num_cell(FILE *fp, uint64_t v)
{
	char b[32];

	fprintf(fp, "<td class=\"n\">%s</td>", report_count(v, b, sizeof(b)));
}

/* A number the phone layout leaves out (class opt). */
static void
num_cell_opt(FILE *fp, uint64_t v)
{
	char b[32];

	fprintf(fp, "<td class=\"n opt\">%s</td>",
	    report_count(v, b, sizeof(b)));
}

static void
bytes_cell(FILE *fp, uint64_t v)
{
	char b[32];

	fprintf(fp, "<td class=\"n\">%s</td>", summary_bytes(v, b, sizeof(b)));
}

static void
text_cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	esc(fp, s);
	fputs("</td>", fp);
}

static void
card(FILE *fp, const char *value, const char *what)
{
	fputs("<div class=\"card\"><b>", fp);
	esc(fp, value);
	fputs("</b><span>", fp);
	esc(fp, what);
	fputs("</span></div>\n", fp);
}

static void
head(const struct report *r, FILE *fp)
{
	char b[32];
	uint64_t findings = 0;

	for (int s = 0; s < SEVERITY__COUNT; s++)
		findings += r->findings_by_severity[s];
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width,"
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    /* Defence in depth: were a string ever to slip past the
	     * escaping, the page still runs no script and fetches nothing. */
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n<title>", fp);
	fputs("outflow report ", fp);
	esc(fp, r->period.label);
	fputs("</title>\n<style>\n", fp);
	fputs(css, fp);
	fputs("</style>\n</head>\n<body>\n<main>\n<header>\n"
	    "<p class=\"kicker\">outflow weekly report &middot; ", fp);
	esc(fp, r->period.label);
	fputs(" &middot; ", fp);
	esc(fp, r->period.from);
	fputs(" to ", fp);
	esc(fp, r->period.to);
	fprintf(fp, " (UTC) &middot; %u store%s</p>\n<h1 id=\"headline\">",
	    r->stores, r->stores == 1 ? "" : "s");
	esc(fp, r->headline);
	fputs("</h1>\n<div class=\"cards\">\n", fp);
	card(fp, report_count(findings, b, sizeof(b)), "findings");
	card(fp, report_count(r->apps_with_data, b, sizeof(b)),
	    "apps that sent personal data");
	card(fp, report_count(r->apps.n, b, sizeof(b)), "apps");
	card(fp, report_count(r->devices.n, b, sizeof(b)), "devices");
	card(fp, report_count(r->flows, b, sizeof(b)), "connections");
	card(fp, summary_bytes(r->bytes_sent, b, sizeof(b)), "sent");
	fputs("</div>\n</header>\n", fp);
}

static void
findings(const struct report *r, FILE *fp)
{
	size_t n = summary_rows(r->cur, SUMMARY_FINDINGS);
	struct summary_row row;
	int last = -1;

	fputs("<section id=\"findings\">\n<h2>Findings by severity</h2>\n", fp);
	if (n == 0) {
		fputs("<p>No policy rule matched in this period.</p>\n"
		    "</section>\n", fp);
		return;
	}
	fputs("<p class=\"note\">Each line merges the days of one rule, app "
	    "and device; the count is how many times it matched.</p>\n", fp);
	for (size_t i = 0; i < n; i++) {
		int sev;

		(void)summary_row_get(r->cur, SUMMARY_FINDINGS, i, &row);
		sev = row.str[0][0] - '0';
		if ((unsigned)sev >= SEVERITY__COUNT)
			sev = 0;
		if (sev != last) {
			char b[32];

			if (last != -1)
				fputs("</tbody></table></div>\n", fp);
			fprintf(fp, "<h3><span class=\"sev %s\">%s</span> "
			    "%s match%s</h3>\n<div class=\"scroll\"><table>"
			    "<thead><tr><th>what happened</th><th>device</th>"
			    "<th class=\"n\">times</th></tr>"
			    "</thead><tbody>\n", sev_class[sev],
			    report_severity(sev), report_count(
			    r->findings_by_severity[sev], b, sizeof(b)),
			    r->findings_by_severity[sev] == 1 ? "" : "es");
			last = sev;
		}
		fputs("<tr><td>", fp);
		esc(fp, row.str[4]);
		fputs("<br><small>rule ", fp);
		esc(fp, row.str[1]);
		fputs("</small></td>", fp);
		text_cell(fp, row.str[3]);
		num_cell(fp, row.t.flows);
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></div>\n</section>\n", fp);
}

/* One app: its data categories with permissions, then where it went. */
static void
app_article(const struct report *r, const char *app, FILE *fp)
{
	struct summary_traffic t;
	struct summary_row row;
	size_t n, shown = 0;
	bool any = false;
	char b1[32], b2[32], b3[32];

	report_app_traffic(r, app, &t);
	fputs("<article class=\"app\">\n<h3>", fp);
	esc(fp, app);
	fprintf(fp, "</h3>\n<p class=\"note\">%s connections, %s sent, %s "
	    "received</p>\n", report_count(t.flows, b1, sizeof(b1)),
	    summary_bytes(t.bytes_out, b2, sizeof(b2)),
	    summary_bytes(t.bytes_in, b3, sizeof(b3)));
	/* Categories: one chip per category, with its permission. */
	n = summary_rows(r->cur, SUMMARY_DATA);
	{
		struct report_list seen = { 0 };

		for (size_t i = 0; i < n; i++) {
			bool dup = false;

			(void)summary_row_get(r->cur, SUMMARY_DATA, i, &row);
			if (strcmp(row.str[0], app) != 0)
				continue;
			for (size_t k = 0; k < seen.n; k++)
				if (strcmp(seen.v[k], row.str[1]) == 0)
					dup = true;
			if (dup)
				continue;
			if (seen.n == seen.cap) {
				size_t cap = seen.cap ? seen.cap * 2 : 8;
				const char **v = realloc(seen.v,
				    cap * sizeof(*v));

				if (v == NULL)
					break;
				seen.v = v;
				seen.cap = cap;
			}
			seen.v[seen.n++] = row.str[1];
			if (!any)
				fputs("<p>Personal data sent:</p>\n"
				    "<ul class=\"chips\">", fp);
			any = true;
			fputs("<li class=\"data\">", fp);
			esc(fp, row.str[1]);
			if (row.str[6][0]) {
				fputs(" <small>", fp);
				esc(fp, row.str[6]);
				fputs("</small>", fp);
			}
			fputs("</li>", fp);
		}
		report_list_free(&seen);
	}
	if (any)
		fputs("</ul>\n", fp);
	else
		fputs("<p class=\"note\">No personal data seen in what could be "
		    "inspected.</p>\n", fp);
	fputs("<div class=\"scroll\"><table><thead><tr><th>destination</th>"
	    "<th>country</th><th>operator</th><th>jurisdiction<br><small>"
	    "operator / vendor</small></th><th class=\"n\">sent</th>"
	    "<th class=\"n opt\">received</th></tr></thead><tbody>\n", fp);
	n = summary_rows(r->cur, SUMMARY_ROUTES);
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_ROUTES, i, &row);
		if (strcmp(row.str[0], app) != 0)
			continue;
		if (shown++ == HTML_TOP_ROWS) {
			fputs("<tr><td colspan=\"6\" class=\"note\">more in the "
			    "JSON and CSV reports</td></tr>\n", fp);
			break;
		}
		fputs("<tr>", fp);
		text_cell(fp, row.str[1]);
		text_cell(fp, report_country_text(row.str[2]));
		fputs("<td>", fp);
		esc(fp, row.str[6][0] ? row.str[6] : "unknown");
		if (row.num[3] != 0)
			fprintf(fp, " <small class=\"opt\">AS%" PRIu64 "</small>",
			    row.num[3]);
		fputs("</td><td>", fp);
		esc(fp, row.str[4]);
		fputs(" / ", fp);
		esc(fp, row.str[5]);
		fputs("</td>", fp);
		bytes_cell(fp, row.t.bytes_out);
		fprintf(fp, "<td class=\"n opt\">%s</td></tr>\n",
		    summary_bytes(row.t.bytes_in, b1, sizeof(b1)));
	}
	fputs("</tbody></table></div>\n</article>\n", fp);
}

static void
apps(const struct report *r, FILE *fp)
{
	fputs("<section id=\"apps\">\n<h2>Apps</h2>\n", fp);
	if (r->apps.n == 0)
		fputs("<p>No traffic.</p>\n", fp);
	/* Apps that sent personal data first, then the busiest. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0, shown = 0; i < r->apps.n; i++) {
			struct report_list d = { 0 };
			bool data;

			(void)report_distinct(r->cur, SUMMARY_DATA, 0,
			    r->apps.v[i], 0, &d);
			data = d.n > 0;
			report_list_free(&d);
			if (data != (pass == 0))
				continue;
			if (shown++ >= HTML_TOP_APPS)
				break;
			app_article(r, r->apps.v[i], fp);
		}
	if (r->apps.n > HTML_TOP_APPS * 2)
		fprintf(fp, "<p class=\"note\">%zu apps in all; the JSON and "
		    "CSV reports list every one.</p>\n", r->apps.n);
	fputs("</section>\n", fp);
}

static void
devices(const struct report *r, FILE *fp)
{
	size_t n = summary_rows(r->cur, SUMMARY_DEVICES);
	struct summary_row row;

	fputs("<section id=\"devices\">\n<h2>Devices</h2>\n<div class=\"scroll\">"
	    "<table><thead><tr><th>device</th><th>apps</th><th>countries</th>"
	    "<th class=\"n\">connections</th><th class=\"n\">sent</th></tr>"
	    "</thead><tbody>\n", fp);
	for (size_t d = 0; d < r->devices.n; d++) {
		struct report_list a = { 0 }, c = { 0 };
		struct summary_traffic t = { 0, 0, 0 };

		for (size_t i = 0; i < n; i++) {
			(void)summary_row_get(r->cur, SUMMARY_DEVICES, i, &row);
			if (strcmp(row.str[0], r->devices.v[d]) != 0)
				continue;
			t.flows += row.t.flows;
			t.bytes_out += row.t.bytes_out;
		}
		(void)report_distinct(r->cur, SUMMARY_DEVICES, 0,
		    r->devices.v[d], 1, &a);
		(void)report_distinct(r->cur, SUMMARY_DEVICES, 0,
		    r->devices.v[d], 2, &c);
		fputs("<tr>", fp);
		text_cell(fp, r->devices.v[d]);
		fputs("<td>", fp);
		for (size_t i = 0; i < a.n && i < 6; i++) {
			if (i)
				fputs(", ", fp);
			esc(fp, a.v[i]);
		}
		if (a.n > 6)
			fprintf(fp, " and %zu more", a.n - 6);
		fputs("</td><td>", fp);
		for (size_t i = 0; i < c.n && i < 8; i++) {
			if (i)
				fputs(", ", fp);
			esc(fp, report_country_text(c.v[i]));
		}
		if (c.n > 8)
			fprintf(fp, " and %zu more", c.n - 8);
		fputs("</td>", fp);
		num_cell(fp, t.flows);
		bytes_cell(fp, t.bytes_out);
		fputs("</tr>\n", fp);
		report_list_free(&a);
		report_list_free(&c);
	}
	fputs("</tbody></table></div>\n</section>\n", fp);
}

/* A horizontal bar chart of bytes sent, one bar per row of table t. */
static void
bar_chart(const struct report *r, enum summary_table t, const char *title,
    FILE *fp)
{
	size_t n = summary_rows(r->cur, t), bars = n < HTML_BARS ? n : HTML_BARS;
	struct summary_row row;
	uint64_t max = 1;
	const int label_w = 210, bar_w = 300, row_h = 26;

	fputs("<h3>", fp);
	esc(fp, title);
	fputs("</h3>\n", fp);
	if (bars == 0) {
		fputs("<p class=\"note\">Nothing to show.</p>\n", fp);
		return;
	}
	for (size_t i = 0; i < bars; i++) {
		(void)summary_row_get(r->cur, t, i, &row);
		if (row.t.bytes_out + row.t.bytes_in > max)
			max = row.t.bytes_out + row.t.bytes_in;
	}
	fprintf(fp, "<svg viewBox=\"0 0 620 %zu\" role=\"img\" "
	    "aria-label=\"", bars * (size_t)row_h + 4);
	esc(fp, title);
	fputs("\">\n", fp);
	for (size_t i = 0; i < bars; i++) {
		uint64_t v;
		double w;
		char b[32], name[SUMMARY_STR_MAX + 40];
		int y = (int)i * row_h;

		(void)summary_row_get(r->cur, t, i, &row);
		v = row.t.bytes_out + row.t.bytes_in;
		w = (double)bar_w * (double)v / (double)max;
		if (t == SUMMARY_OPERATORS)
			snprintf(name, sizeof(name), "%.32s (AS%" PRIu64 ")",
			    row.str[1][0] ? row.str[1] : "unknown", row.num[0]);
		else
			snprintf(name, sizeof(name), "%s",
			    report_country_text(row.str[0]));
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    label_w - 8, y + 17);
		esc(fp, name);
		fprintf(fp, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" "
		    "width=\"%.1f\" height=\"%d\" rx=\"3\"/>", label_w, y + 5,
		    w < 1 ? 1 : w, row_h - 8);
		fprintf(fp, "<text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text>\n",
		    label_w + (w < 1 ? 1 : w) + 6, y + 17,
		    summary_bytes(v, b, sizeof(b)));
	}
	fputs("</svg>\n", fp);
}

static void
destinations(const struct report *r, FILE *fp)
{
	fputs("<section id=\"destinations\">\n<h2>Where traffic went</h2>\n"
	    "<p class=\"note\">Bytes both ways, by where the servers are "
	    "and by who runs them.</p>\n", fp);
	bar_chart(r, SUMMARY_COUNTRIES, "By country", fp);
	bar_chart(r, SUMMARY_OPERATORS, "By operator", fp);
	fputs("</section>\n", fp);
}

/* --- The Sankey-like picture: apps -> categories -> jurisdictions --- */

struct sk_col {
	const char *name[SANKEY_MAX + 1];	/* the last: "other" */
	uint64_t in[SANKEY_MAX + 1], out[SANKEY_MAX + 1];
	double y[SANKEY_MAX + 1], h[SANKEY_MAX + 1];
	double in_off[SANKEY_MAX + 1], out_off[SANKEY_MAX + 1];
	size_t n;
};

static size_t
sk_index(struct sk_col *c, const char *name, const char *other)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return i;
	if (c->n < SANKEY_MAX) {
		c->name[c->n] = name;
		return c->n++;
	}
	for (size_t i = SANKEY_MAX; i < c->n; i++)
		if (strcmp(c->name[i], other) == 0)
			return i;
	c->name[SANKEY_MAX] = other;
	c->n = SANKEY_MAX + 1;
	return SANKEY_MAX;
}

static void
sk_layout(struct sk_col *c, double height, double gap)
{
	uint64_t total = 0;
	double y = 0, scale;

	for (size_t i = 0; i < c->n; i++)
		total += c->in[i] > c->out[i] ? c->in[i] : c->out[i];
	scale = total ? (height - gap * (double)(c->n ? c->n - 1 : 0)) /
	    (double)total : 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t v = c->in[i] > c->out[i] ? c->in[i] : c->out[i];

		c->y[i] = y;
		c->h[i] = (double)v * scale;
		if (c->h[i] < 2)
			c->h[i] = 2;
		y += c->h[i] + gap;
		c->in_off[i] = c->out_off[i] = 0;
	}
}

static void
sk_link(FILE *fp, struct sk_col *a, size_t i, struct sk_col *b, size_t j,
    uint64_t v, double xa, double xb, double scale_a, double scale_b)
{
	double wa = (double)v * scale_a, wb = (double)v * scale_b;
	double ya = a->y[i] + a->out_off[i] + wa / 2;
	double yb = b->y[j] + b->in_off[j] + wb / 2;
	double mid = (xa + xb) / 2;
	double w = wa < wb ? wa : wb;

	a->out_off[i] += wa;
	b->in_off[j] += wb;
	fprintf(fp, "<path class=\"link\" d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f "
	    "%.1f %.1f\" stroke-width=\"%.1f\"/>\n", xa, ya + 20, mid, ya + 20,
	    mid, yb + 20, xb, yb + 20, w < 1 ? 1 : w);
}

static double
sk_scale(const struct sk_col *c, size_t i, bool out)
{
	uint64_t v = out ? c->out[i] : c->in[i];

	return v ? c->h[i] / (double)v : 0;
}

static void
sk_labels(FILE *fp, const struct sk_col *c, double x, const char *anchor,
    double tx)
{
	for (size_t i = 0; i < c->n; i++) {
		fprintf(fp, "<rect class=\"node\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"8\" height=\"%.1f\"/>", x, c->y[i] + 20, c->h[i]);
		fprintf(fp, "<text class=\"halo\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"%s\">", tx, c->y[i] + 20 + c->h[i] / 2 + 4,
		    anchor);
		esc(fp, report_country_text(c->name[i]));
		fputs("</text>\n", fp);
	}
}

static void
sankey(const struct report *r, FILE *fp)
{
	size_t n = summary_rows(r->cur, SUMMARY_DATA);
	struct sk_col apps, cats, jurs;
	uint64_t ac[SANKEY_MAX + 1][SANKEY_MAX + 1] = { { 0 } };
	uint64_t cj[SANKEY_MAX + 1][SANKEY_MAX + 1] = { { 0 } };
	struct summary_row row;
	const double height = 300, gap = 8;
	const double x0 = 150, x1 = 330, x2 = 510;

	fputs("<section id=\"picture\">\n<h2>Apps, data and jurisdictions</h2>\n",
	    fp);
	if (n == 0) {
		fputs("<p>No personal data seen, so nothing to draw.</p>\n"
		    "</section>\n", fp);
		return;
	}
	fputs("<p class=\"note\">Left: apps; middle: the personal data they "
	    "sent; right: the jurisdiction of the operator receiving it (else "
	    "the servers' country). Widths follow connections.</p>\n", fp);
	memset(&apps, 0, sizeof(apps));
	memset(&cats, 0, sizeof(cats));
	memset(&jurs, 0, sizeof(jurs));
	/* Rows are sorted busiest first, so the first names seen are kept. */
	for (size_t i = 0; i < n; i++) {
		size_t a, c, j;

		(void)summary_row_get(r->cur, SUMMARY_DATA, i, &row);
		a = sk_index(&apps, row.str[0], "other apps");
		c = sk_index(&cats, row.str[1], "other data");
		j = sk_index(&jurs, report_data_jurisdiction(&row), "other");
		ac[a][c] += row.t.flows;
		cj[c][j] += row.t.flows;
		apps.out[a] += row.t.flows;
		cats.in[c] += row.t.flows;
		cats.out[c] += row.t.flows;
		jurs.in[j] += row.t.flows;
	}
	sk_layout(&apps, height, gap);
	sk_layout(&cats, height, gap);
	sk_layout(&jurs, height, gap);
	fprintf(fp, "<svg viewBox=\"0 0 660 %.0f\" role=\"img\" aria-label=\""
	    "Apps to data categories to jurisdictions\">\n", height + 40);
	fputs("<text x=\"150\" y=\"12\" text-anchor=\"end\">apps</text>"
	    "<text x=\"334\" y=\"12\" text-anchor=\"middle\">data</text>"
	    "<text x=\"518\" y=\"12\">jurisdictions</text>\n", fp);
	for (size_t a = 0; a < apps.n; a++)
		for (size_t c = 0; c < cats.n; c++)
			if (ac[a][c])
				sk_link(fp, &apps, a, &cats, c, ac[a][c],
				    x0 + 8, x1, sk_scale(&apps, a, true),
				    sk_scale(&cats, c, false));
	for (size_t c = 0; c < cats.n; c++)
		for (size_t j = 0; j < jurs.n; j++)
			if (cj[c][j])
				sk_link(fp, &cats, c, &jurs, j, cj[c][j],
				    x1 + 8, x2, sk_scale(&cats, c, true),
				    sk_scale(&jurs, j, false));
	sk_labels(fp, &apps, x0, "end", x0 - 6);
	sk_labels(fp, &cats, x1, "start", x1 + 12);
	sk_labels(fp, &jurs, x2, "start", x2 + 14);
	fputs("</svg>\n</section>\n", fp);
}

static void
new_list(FILE *fp, const char *what, const struct report_list *l,
    bool countries)
{
	fputs("<h3>", fp);
	esc(fp, what);
	fprintf(fp, " <small class=\"note\">(%zu)</small></h3>\n", l->n);
	if (l->n == 0) {
		fputs("<p class=\"note\">none</p>\n", fp);
		return;
	}
	fputs("<ul class=\"chips\">", fp);
	for (size_t i = 0; i < l->n && i < 40; i++) {
		fputs("<li>", fp);
		esc(fp, countries ? report_country_text(l->v[i]) : l->v[i]);
		fputs("</li>", fp);
	}
	if (l->n > 40)
		fprintf(fp, "<li>and %zu more</li>", l->n - 40);
	fputs("</ul>\n", fp);
}

static void
new_since(const struct report *r, FILE *fp)
{
	fputs("<section id=\"new\">\n<h2>New since the period before</h2>\n",
	    fp);
	fputs("<p class=\"note\">Compared with ", fp);
	esc(fp, r->period.prev_from);
	fputs(" to ", fp);
	esc(fp, r->period.prev_to);
	fputs(".</p>\n", fp);
	if (r->prev_flows == 0) {
		fputs("<p>The stores hold no traffic for the period before, so "
		    "everything here is new to them.</p>\n</section>\n", fp);
		return;
	}
	new_list(fp, "Apps", &r->new_apps, false);
	new_list(fp, "Destinations", &r->new_destinations, false);
	new_list(fp, "Countries", &r->new_countries, true);
	new_list(fp, "Kinds of personal data", &r->new_categories, false);
	fputs("</section>\n", fp);
}

static void
coverage(const struct report *r, FILE *fp)
{
	const struct report_coverage *c = &r->cov_total;
	char b1[32], b2[32];

	fputs("<section id=\"coverage\">\n<h2>What was seen, and what was "
	    "not</h2>\n", fp);
	fprintf(fp, "<p>Silence is not safety: encrypted traffic is judged "
	    "only by its handshake and where it goes. <b>%.0f%%</b> of the "
	    "bytes were encrypted and not read; <b>%.0f%%</b> were in "
	    "protocols outflow does not inspect.</p>\n",
	    report_share(c->bytes_encrypted, c->bytes),
	    report_share(c->bytes_not_inspected, c->bytes));
	fprintf(fp, "<p>Traffic was recorded on <b>%zu of %" PRId64 "</b> "
	    "days. Packets the kernel dropped are not recorded yet; %s "
	    "malformed packets were skipped and %s connections were cut "
	    "short by a full flow table.</p>\n", r->n_cov, r->period.days,
	    report_count(c->malformed, b1, sizeof(b1)),
	    report_count(c->flows_evicted, b2, sizeof(b2)));
	fputs("<div class=\"scroll\"><table><thead><tr><th>day</th>"
	    "<th class=\"n opt\">packets</th><th class=\"n\">connections</th>"
	    "<th class=\"n\">bytes</th><th class=\"n\">encrypted</th>"
	    "<th class=\"n\">not inspected</th><th class=\"n opt\">malformed"
	    "</th><th class=\"n opt\">cut short</th></tr></thead><tbody>\n", fp);
	for (size_t i = 0; i <= r->n_cov; i++) {
		const struct report_coverage *d = i < r->n_cov ? &r->cov[i] : c;

		fputs(i < r->n_cov ? "<tr>" : "<tr><th>total</th>", fp);
		if (i < r->n_cov)
			text_cell(fp, d->day);
		num_cell_opt(fp, d->packets);
		num_cell(fp, d->flows);
		bytes_cell(fp, d->bytes);
		fprintf(fp, "<td class=\"n\">%.0f%%</td><td class=\"n\">%.0f%%"
		    "</td>", report_share(d->bytes_encrypted, d->bytes),
		    report_share(d->bytes_not_inspected, d->bytes));
		num_cell_opt(fp, d->malformed);
		num_cell_opt(fp, d->flows_evicted);
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table></div>\n</section>\n", fp);
}

static void
geoip(const struct report *r, FILE *fp)
{
	fputs("<section id=\"geoip\">\n<h2>Location data</h2>\n", fp);
	if (r->n_geo == 0)
		fputs("<p>No GeoIP data was in force: countries and operators "
		    "are unknown.</p>\n", fp);
	for (size_t i = 0; i < r->n_geo; i++) {
		fputs("<p>", fp);
		esc(fp, r->geo[i].attribution[0] ? r->geo[i].attribution :
		    "(the data carries no attribution)");
		fputs(" <span class=\"note\">(", fp);
		esc(fp, r->geo[i].country_desc);
		fputs("; ", fp);
		esc(fp, r->geo[i].first_day);
		fputs(" to ", fp);
		esc(fp, r->geo[i].last_day);
		fputs(")</span></p>\n", fp);
	}
	fputs("</section>\n", fp);
}

int
report_write_html(const struct report *r, FILE *fp)
{
	head(r, fp);
	findings(r, fp);
	apps(r, fp);
	devices(r, fp);
	destinations(r, fp);
	sankey(r, fp);
	new_since(r, fp);
	coverage(r, fp);
	geoip(r, fp);
	fputs("<footer>Made by outflow from its stores only. Server, device "
	    "and operator names are shown as the network gave them.</footer>\n"
	    "</main>\n</body>\n</html>\n", fp);
	return ferror(fp) ? -EIO : 0;
}
