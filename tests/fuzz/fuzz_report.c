/*
 * fuzz_report.c - the report's writers on hostile strings.
 *
 * The input, cut at '|' into up to eight strings, becomes server, app,
 * device, category and operator names of a report's model; every format
 * is written to memory and checked: escaped HTML holds no byte that
 * could start markup and no entity the escaping did not make, the page
 * no "<script" or "<img" from the input, Markdown has no unescaped '<',
 * each CSV cell reads back as the string (formula cells with their
 * apostrophe).  The strings are also tried as an ISO week and a range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "summary.h"
#include "daemon/report/report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSTR 8

static char *
written(void (*fn)(FILE *, const char *), const char *s, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	if (fp == NULL)
		abort();
	fn(fp, s);
	fclose(fp);
	return buf;
}

/* The escaped text must not hold a byte that could start markup. */
static void
check_html(const char *s)
{
	size_t n;
	char *out = written(report_html_escape, s, &n);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '<' || c == '>' || c == '"' || c == '\'' ||
		    (c < 0x20 && c != '\t') || c == 0x7f)
			abort();
		if (c == '&' && strncmp(out + i, "&amp;", 5) != 0 &&
		    strncmp(out + i, "&lt;", 4) != 0 &&
		    strncmp(out + i, "&gt;", 4) != 0 &&
		    strncmp(out + i, "&quot;", 6) != 0 &&
		    strncmp(out + i, "&#39;", 5) != 0)
			abort();
	}
	free(out);
}

static void
check_md(const char *s)
{
	size_t n;
	char *out = written(report_md_escape, s, &n);

	for (size_t i = 0; i < n; i++)
		if ((out[i] == '<' || out[i] == '[' || out[i] == '|') &&
		    (i == 0 || out[i - 1] != '\\'))
			abort();
	free(out);
}

/* RFC 4180 read back: the cell is the string, apostrophe aside. */
static void
check_csv(const char *s)
{
	size_t n, o = 0;
	char *out = written(report_csv_field, s, &n);
	char *cell = malloc(n + 1);
	const char *want = s;

	if (cell == NULL)
		abort();
	if (n > 0 && out[0] == '"') {
		for (size_t i = 1; i < n; i++) {
			if (out[i] == '"') {
				if (i + 1 < n && out[i + 1] == '"')
					i++;
				else if (i + 1 != n)
					abort();	/* a lone quote inside */
				else
					break;
			}
			cell[o++] = out[i];
		}
	} else {
		if (memchr(out, ',', n) || memchr(out, '"', n) ||
		    memchr(out, '\n', n) || memchr(out, '\r', n))
			abort();
		memcpy(cell, out, n);
		o = n;
	}
	cell[o] = '\0';
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL) {
		if (cell[0] != '\'')
			abort();
		if (strcmp(cell + 1, want) != 0)
			abort();
	} else if (strcmp(cell, want) != 0)
		abort();
	free(cell);
	free(out);
}

static void
whole_report(char **str)
{
	struct report_period p;
	struct report *r;
	struct summary_traffic t = { 3, 300, 500 };
	struct summary_route_key k = { str[0], str[1], str[2], 64500, str[3],
	    "-" };
	struct summary_data_key dk = { str[0], str[4], str[1], str[2], str[3],
	    "-" };
	struct summary_finding f = { SEVERITY_HIGH, str[5], "fuzz", str[6],
	    str[0], str[7], str[1] };
	static const enum report_format formats[] = { REPORT_HTML,
	    REPORT_MARKDOWN, REPORT_JSON, REPORT_CSV_FINDINGS,
	    REPORT_CSV_AGGREGATES };

	if (report_period_week("2026-W49", &p) != 0 ||
	    (r = report_new(&p)) == NULL)
		abort();
	for (int m = 0; m < 2; m++) {
		struct summary_model *sm = m ? r->prev : r->cur;

		(void)summary_add_server(sm, str[1], "", &t);
		(void)summary_add_app(sm, str[0], str[0], &t);
		(void)summary_add_country(sm, str[2], &t);
		(void)summary_add_operator(sm, 64500, str[6], &t);
		(void)summary_add_route(sm, &k, str[6], &t);
		(void)summary_add_device(sm, str[7], str[0], str[2], &t);
		(void)summary_add_data(sm, &dk, str[5], &t);
		k.destination = str[4];
	}
	(void)summary_add_finding(r->cur, &f, &t);
	r->flows = r->prev_flows = 3;
	if (report_finish(r) != 0)
		abort();
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *buf = NULL;
		size_t n;
		FILE *fp = open_memstream(&buf, &n);

		if (fp == NULL || report_write(r, formats[i], fp) != 0)
			abort();
		fclose(fp);
		/* "url(" may be text from the input; a tag may not. */
		if (formats[i] == REPORT_HTML &&
		    (strstr(buf, "<script") || strstr(buf, "<img")))
			abort();
		free(buf);
	}
	report_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *str[NSTR], *p;
	struct report_period per;
	int n = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_html(s);
	check_md(s);
	check_csv(s);
	for (p = s; n < NSTR; n++) {
		str[n] = p;
		if ((p = strchr(p, '|')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	for (int i = n; i < NSTR; i++)
		str[i] = "x";
	(void)report_period_week(str[0], &per);
	(void)report_period_range(str[0], str[1], &per);
	whole_report(str);
	free(s);
	return 0;
}
