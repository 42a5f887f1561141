/*
 * report_csv.c - the report as CSV (RFC 4180: comma-separated, CRLF line
 * ends, a header row, fields quoted when needed): the stored finding
 * rows, or the traffic aggregates (one row per app x destination).
 *
 * Spreadsheets run a cell starting with = + - @ (and tab or CR) as a
 * formula, so such a text cell gets a leading apostrophe; numbers are
 * written by us and never start with one of these.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report_int.h"

void
report_csv_field(FILE *fp, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;

	if (quote)
		fputc('"', fp);
	if (formula)
		fputc('\'', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	if (quote)
		fputc('"', fp);
}

static void
field(FILE *fp, const char *s, bool last)
{
	report_csv_field(fp, s);
	fputs(last ? "\r\n" : ",", fp);
}

static void
num(FILE *fp, uint64_t v, bool last)
{
	fprintf(fp, "%" PRIu64 "%s", v, last ? "\r\n" : ",");
}

int
report_write_csv(const struct report *r, bool findings, FILE *fp)
{
	struct summary_row row;
	size_t n;

	if (findings) {
		fputs("day,severity,rule,ruleset,app,device,destination,title,"
		    "jurisdiction_by,jurisdiction,categories,first_seen_us,"
		    "last_seen_us,count,evidence_category,evidence_where,"
		    "evidence_location,evidence_masked,evidence_hmac\r\n", fp);
		for (size_t i = 0; i < r->n_findings; i++) {
			const struct report_finding *f = &r->findings[i];

			field(fp, f->day, false);
			field(fp, report_severity(f->severity), false);
			field(fp, f->rule_id, false);
			field(fp, f->ruleset, false);
			field(fp, f->app, false);
			field(fp, f->device, false);
			field(fp, f->destination, false);
			field(fp, f->title, false);
			field(fp, f->jurisdiction_by, false);
			field(fp, f->jurisdiction, false);
			field(fp, f->categories, false);
			num(fp, f->first_us, false);
			num(fp, f->last_us, false);
			num(fp, f->count, false);
			field(fp, f->ev_category, false);
			field(fp, f->ev_where, false);
			field(fp, f->ev_location, false);
			field(fp, f->ev_masked, false);
			field(fp, f->ev_hmac, true);
		}
		return ferror(fp) ? -EIO : 0;
	}
	fputs("from,to,app,destination,country,asn,operator,"
	    "operator_jurisdiction,vendor_jurisdiction,flows,bytes_sent,"
	    "bytes_received\r\n", fp);
	n = summary_rows(r->cur, SUMMARY_ROUTES);
	for (size_t i = 0; i < n; i++) {
		(void)summary_row_get(r->cur, SUMMARY_ROUTES, i, &row);
		field(fp, r->period.from, false);
		field(fp, r->period.to, false);
		field(fp, row.str[0], false);
		field(fp, row.str[1], false);
		field(fp, report_blank(row.str[2]), false);
		num(fp, row.num[3], false);
		field(fp, row.str[6], false);
		field(fp, report_blank(row.str[4]), false);
		field(fp, report_blank(row.str[5]), false);
		num(fp, row.t.flows, false);
		num(fp, row.t.bytes_out, false);
		num(fp, row.t.bytes_in, true);
	}
	return ferror(fp) ? -EIO : 0;
}
