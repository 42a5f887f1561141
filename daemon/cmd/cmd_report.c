/*
 * cmd_report.c - `outflow report`: the report of a period (by default
 * the last complete ISO week, UTC) from one or more stores, as HTML,
 * Markdown, JSON or CSV (docs/report.md).  It reads only the stores.
 *
 * With -o the report is written to FILE.tmp and renamed, so a reader
 * (or the weekly timer) never sees half a report.  -o naming a directory
 * writes DIR/outflow-report-LABEL.EXT there and prints that path: the
 * weekly timer and scripts/demo.sh use this.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "report.h"
#include "store.h"

#define REPORT_MAX_STORES 64

enum { OPT_R_STORE = 256, OPT_R_WEEK, OPT_R_FROM, OPT_R_TO, OPT_R_FORMAT };

static const struct option report_opts[] = {
	{ "store", required_argument, NULL, OPT_R_STORE },
	{ "week", required_argument, NULL, OPT_R_WEEK },
	{ "from", required_argument, NULL, OPT_R_FROM },
	{ "to", required_argument, NULL, OPT_R_TO },
	{ "format", required_argument, NULL, OPT_R_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
report_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: outflow report --store FILE [--store FILE...]\n"
	    "                      [--week YYYY-Www | --from DAY --to DAY]\n"
	    "                      [--format html|md|json|csv|csv-aggregates]\n"
	    "                      [-o FILE]\n"
	    "  --store FILE    a store written by outflow audit --store (repeat\n"
	    "                  to merge several sensors' stores)\n"
	    "  --week W        an ISO week, e.g. 2026-W49 (default: the last\n"
	    "                  complete week, UTC)\n"
	    "  --from, --to    a range of UTC days, YYYY-MM-DD, both included\n"
	    "  --format F      html (default), md, json, csv (findings) or\n"
	    "                  csv-aggregates (traffic per app and destination)\n"
	    "  -o FILE         write to FILE (default: standard output); a\n"
	    "                  directory: write outflow-report-WEEK.EXT in it\n"
	    "                  and print the path\n");
}

static int
parse_format(const char *s, enum report_format *ret)
{
	static const struct { const char *name; enum report_format f; } f[] = {
		{ "html", REPORT_HTML }, { "md", REPORT_MARKDOWN },
		{ "markdown", REPORT_MARKDOWN }, { "json", REPORT_JSON },
		{ "csv", REPORT_CSV_FINDINGS },
		{ "csv-aggregates", REPORT_CSV_AGGREGATES },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(s, f[i].name) == 0) {
			*ret = f[i].f;
			return 0;
		}
	return -EINVAL;
}

static const char *
extension(enum report_format f)
{
	switch (f) {
	case REPORT_HTML: return "html";
	case REPORT_MARKDOWN: return "md";
	case REPORT_JSON: return "json";
	case REPORT_CSV_FINDINGS: return "findings.csv";
	case REPORT_CSV_AGGREGATES: return "aggregates.csv";
	}
	return "txt";
}

static int
write_out(const struct report *rep, enum report_format fmt, const char *path)
{
	char tmp[4096];
	FILE *fp;
	int e;

	if (path == NULL || strcmp(path, "-") == 0) {
		e = report_write(rep, fmt, stdout);
		if (fflush(stdout) != 0)
			e = -EIO;
		if (e != 0)
			log_warnx("report: writing to standard output failed");
		return e;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		log_warnx("report: output path too long");
		return -ENAMETOOLONG;
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		log_warn("report: %s", tmp);
		return -errno;
	}
	e = report_write(rep, fmt, fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		e = -EIO;
	if (fclose(fp) != 0)
		e = -EIO;
	if (e == 0 && rename(tmp, path) != 0)
		e = -errno;
	if (e != 0) {
		log_warnx("report: writing %s failed", path);
		(void)unlink(tmp);
	}
	return e;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The period as a file name part: "2026-W49" or "2026-12-01_2026-12-09". */
static const char *
period_file_label(const struct report_period *p, char *buf, size_t size)
{
	if (strchr(p->label, ' ') == NULL)
		snprintf(buf, size, "%s", p->label);
	else
		snprintf(buf, size, "%s_%s", p->from, p->to);
	return buf;
}

int
cmd_report(int argc, char **argv)
{
	const char *stores[REPORT_MAX_STORES];
	const char *week = NULL, *from = NULL, *to = NULL, *out = NULL;
	enum report_format fmt = REPORT_HTML;
	struct report_period period;
	struct report *rep = NULL;
	char shown[ARG_SHOWN_SIZE], err[512], path[4096], label[40];
	int n_stores = 0, ch, rc = 1;
	bool announce = false;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ho:", report_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_R_STORE:
			if (n_stores == REPORT_MAX_STORES) {
				log_warnx("report: at most %d stores",
				    REPORT_MAX_STORES);
				return 2;
			}
			stores[n_stores++] = optarg;
			break;
		case OPT_R_WEEK:
			week = optarg;
			break;
		case OPT_R_FROM:
			from = optarg;
			break;
		case OPT_R_TO:
			to = optarg;
			break;
		case OPT_R_FORMAT:
			if (parse_format(optarg, &fmt) != 0) {
				log_warnx("report: unknown format \"%s (html, md, "
				    "json, csv, csv-aggregates)",
				    arg_shown(optarg, shown, sizeof(shown)));
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return 0;
		default:
			report_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || n_stores == 0) {
		log_warnx("report: name the stores with --store FILE");
		report_usage(stderr);
		return 2;
	}
	if (week != NULL && (from != NULL || to != NULL)) {
		log_warnx("report: --week or --from/--to, not both");
		return 2;
	}
	if ((from == NULL) != (to == NULL)) {
		log_warnx("report: --from and --to go together");
		return 2;
	}
	if (week != NULL && report_period_week(week, &period) != 0) {
		log_warnx("report: \"%s is not an ISO week such as 2026-W49",
		    arg_shown(week, shown, sizeof(shown)));
		return 2;
	}
	if (from != NULL && report_period_range(from, to, &period) != 0) {
		char shown_to[ARG_SHOWN_SIZE];

		log_warnx("report: --from \"%s --to \"%s is not a range of "
		    "days (YYYY-MM-DD, from not after to, at most 36600 days)",
		    arg_shown(from, shown, sizeof(shown)),
		    arg_shown(to, shown_to, sizeof(shown_to)));
		return 2;
	}
	/* The one wall-clock read: which week is the last complete one. */
	if (week == NULL && from == NULL &&
	    report_period_last_week((int64_t)time(NULL), &period) != 0) {
		log_warnx("report: the clock is before 1970");
		return 1;
	}
	if ((rep = report_new(&period)) == NULL) {
		log_warnx("report: out of memory");
		return 1;
	}
	for (int i = 0; i < n_stores; i++) {
		struct store_reader *sr = NULL;

		if (store_open_readonly(stores[i], &sr, err, sizeof(err)) != 0) {
			log_warnx("report: \"%s: %s", arg_shown(stores[i], shown,
			    sizeof(shown)), err);
			goto out;
		}
		if (report_add_store(rep, sr, err, sizeof(err)) != 0) {
			log_warnx("report: reading \"%s: %s", arg_shown(stores[i],
			    shown, sizeof(shown)), err);
			store_reader_close(sr);
			goto out;
		}
		store_reader_close(sr);
	}
	if (report_finish(rep) != 0) {
		log_warnx("report: out of memory");
		goto out;
	}
	if (out != NULL && is_dir(out)) {
		if ((size_t)snprintf(path, sizeof(path),
		    "%s/outflow-report-%s.%s", out, period_file_label(&period,
		    label, sizeof(label)), extension(fmt)) >= sizeof(path)) {
			log_warnx("report: output path too long");
			goto out;
		}
		out = path;
		announce = true;
	}
	if (write_out(rep, fmt, out) == 0) {
		rc = 0;
		if (announce)
			printf("%s\n", out);
	}
out:
	report_free(rep);
	return rc;
}
