/*
 * cmd_report.c - `outflow report`: the report of a period (by default
 * the last complete ISO week, UTC) from one or more stores, as HTML,
 * Markdown, JSON or CSV (docs/report.md).  It reads only the stores.
 *
 * With -o the report is written to FILE.tmp and renamed, so a reader
 * (or the weekly timer) never sees half a report.  -o naming a directory
 * writes DIR/outflow-report-LABEL.EXT there and prints that path: the
 * weekly timer and scripts/demo.sh use this.
 *
 * --mail pipes the Markdown of the period to the mail command that
 * report.mail in outflow.yaml names, after the report is written: the
 * command is run without a shell (posix_spawnp), so nothing in the
 * configuration or the period is ever parsed as shell text.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "report.h"
#include "runconf.h"
#include "store.h"

#define REPORT_MAX_STORES 64

enum {
	OPT_R_STORE = 256, OPT_R_WEEK, OPT_R_FROM, OPT_R_TO, OPT_R_FORMAT,
	OPT_R_MAIL, OPT_R_CONFIG,
};

/* In a mail command's arguments, replaced by the period's label. */
#define MAIL_PERIOD_TOKEN "{period}"

extern char **environ;

static const struct option report_opts[] = {
	{ "store", required_argument, NULL, OPT_R_STORE },
	{ "week", required_argument, NULL, OPT_R_WEEK },
	{ "from", required_argument, NULL, OPT_R_FROM },
	{ "to", required_argument, NULL, OPT_R_TO },
	{ "format", required_argument, NULL, OPT_R_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "mail", no_argument, NULL, OPT_R_MAIL },
	{ "config", required_argument, NULL, OPT_R_CONFIG },
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
	    "                      [-o FILE] [--mail [--config FILE]]\n"
	    "  --store FILE    a store written by outflow audit --store (repeat\n"
	    "                  to merge several sensors' stores)\n"
	    "  --week W        an ISO week, e.g. 2026-W49 (default: the last\n"
	    "                  complete week, UTC)\n"
	    "  --from, --to    a range of UTC days, YYYY-MM-DD, both included\n"
	    "  --format F      html (default), md, json, csv (findings) or\n"
	    "                  csv-aggregates (traffic per app and destination)\n"
	    "  -o FILE         write to FILE (default: standard output); a\n"
	    "                  directory: write outflow-report-WEEK.EXT in it\n"
	    "                  and print the path\n"
	    "  --mail          also pipe the report, as Markdown, to the mail\n"
	    "                  command report.mail of the configuration\n"
	    "  --config FILE   the configuration for --mail (default:\n"
	    "                  " CMD_DEFAULT_CONFIG ")\n");
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

/* One argument with every MAIL_PERIOD_TOKEN replaced by label; NULL when
 * out of memory. */
static char *
mail_arg(const char *arg, const char *label)
{
	size_t tok = strlen(MAIL_PERIOD_TOKEN), n = strlen(arg) + 1, o = 0;
	char *out;

	for (const char *p = strstr(arg, MAIL_PERIOD_TOKEN); p != NULL;
	    p = strstr(p + tok, MAIL_PERIOD_TOKEN))
		n += strlen(label);
	if ((out = malloc(n)) == NULL)
		return NULL;
	for (const char *p = arg; *p != '\0';) {
		if (strncmp(p, MAIL_PERIOD_TOKEN, tok) == 0) {
			memcpy(out + o, label, strlen(label));
			o += strlen(label);
			p += tok;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return out;
}

static void
free_argv(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* Why the command did not succeed, from waitpid()'s status. */
static void
say_mail_status(const char *cmd, int status)
{
	char shown[ARG_SHOWN_SIZE];

	arg_shown(cmd, shown, sizeof(shown));
	if (WIFEXITED(status))
		log_warnx("report: the mail command \"%s exited with status "
		    "%d: the report was not mailed", shown, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("report: the mail command \"%s was killed by signal "
		    "%d: the report was not mailed", shown, WTERMSIG(status));
}

/*
 * Start cmd (report.mail) with the Markdown of rep on its standard input
 * and wait for it.  Its standard output goes to our standard error, so
 * ours carries only the report or its path.  It also finds the period
 * and the file written in its environment (OUTFLOW_REPORT_PERIOD,
 * OUTFLOW_REPORT_FILE).  0 when it read everything and exited 0.
 */
static int
mail_report(const struct report *rep, const char *const *cmd, int n_cmd,
    const char *label, const char *file)
{
	posix_spawn_file_actions_t fa;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	char **argv, shown[ARG_SHOWN_SIZE];
	int fds[2], e = 0, status = 0, r;
	pid_t pid;
	FILE *fp;

	arg_shown(cmd[0], shown, sizeof(shown));
	if ((argv = calloc((size_t)n_cmd + 1, sizeof(*argv))) == NULL)
		goto nomem;
	for (int i = 0; i < n_cmd; i++)
		if ((argv[i] = mail_arg(cmd[i], label)) == NULL)
			goto nomem;
	if (setenv("OUTFLOW_REPORT_PERIOD", label, 1) != 0 ||
	    (file != NULL ? setenv("OUTFLOW_REPORT_FILE", file, 1) :
	    unsetenv("OUTFLOW_REPORT_FILE")) != 0)
		goto nomem;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		r = -errno;
		log_warn("report: no pipe to the mail command");
		free_argv(argv);
		return r;
	}
	if ((r = posix_spawn_file_actions_init(&fa)) == 0 &&
	    ((r = posix_spawn_file_actions_adddup2(&fa, fds[0], 0)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, 2, 1)) != 0 ||
	    (r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) != 0))
		posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		log_warnx("report: the mail command \"%s could not be started: "
		    "%s: the report was not mailed", shown, strerror(r));
		close(fds[0]);
		close(fds[1]);
		free_argv(argv);
		return -r;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	free_argv(argv);

	/* A command that stops reading early fails the write (EPIPE)
	 * instead of killing outflow. */
	sigaction(SIGPIPE, &ign, &old);
	if ((fp = fdopen(fds[1], "w")) == NULL) {
		close(fds[1]);
		e = -EIO;
	} else {
		e = report_write(rep, REPORT_MARKDOWN, fp);
		if (fclose(fp) != 0)
			e = -EIO;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			log_warn("report: waiting for the mail command");
			status = -1;
			break;
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	if (status != 0) {
		if (status != -1)	/* -1: waitpid() failed, said */
			say_mail_status(cmd[0], status);
		return -EIO;
	}
	if (e != 0) {
		log_warnx("report: the mail command \"%s stopped reading the "
		    "report: the report was not mailed", shown);
		return e;
	}
	return 0;
nomem:
	free_argv(argv);
	log_warnx("report: out of memory for the mail command");
	return -ENOMEM;
}

/*
 * The mail command of the configuration at path (NULL: the default file,
 * if it exists), in *ret_rc's report_mail: 0; 1 when none is set (said
 * here); a negative errno when the file does not load (its errors
 * logged).  *ret_rc is NULL or to be freed.
 */
static int
mail_command(const char *path, struct runconf **ret_rc)
{
	char err[8192];

	*ret_rc = NULL;
	if (path == NULL && access(CMD_DEFAULT_CONFIG, F_OK) != 0) {
		log_info("report: no " CMD_DEFAULT_CONFIG " names a mail "
		    "command (report.mail): the report was not mailed");
		return 1;
	}
	if (path == NULL)
		path = CMD_DEFAULT_CONFIG;
	if (runconf_load(path, ret_rc, err, sizeof(err)) != 0) {
		for (char *line = err, *nl; line != NULL; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			log_warnx("%s", line);
		}
		return -EINVAL;
	}
	if ((*ret_rc)->n_report_mail == 0) {
		char shown[ARG_SHOWN_SIZE];

		log_info("report: \"%s sets no mail command (report.mail): "
		    "the report was not mailed", arg_shown(path, shown,
		    sizeof(shown)));
		return 1;
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	const char *stores[REPORT_MAX_STORES];
	const char *week = NULL, *from = NULL, *to = NULL, *out = NULL;
	const char *config = NULL;
	struct runconf *rc = NULL;
	enum report_format fmt = REPORT_HTML;
	struct report_period period;
	struct report *rep = NULL;
	char shown[ARG_SHOWN_SIZE], err[512], path[4096], label[40];
	int n_stores = 0, ch, status = 1, mail_r = 0;
	bool announce = false, mail = false, written = false;

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
		case OPT_R_MAIL:
			mail = true;
			break;
		case OPT_R_CONFIG:
			config = optarg;
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
	if (config != NULL && !mail) {
		log_warnx("report: --config is read for --mail only");
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
		written = true;
		if (announce)
			printf("%s\n", out);
		if (fflush(stdout) != 0)
			written = false;
	}
	/* Mailed even when the file could not be written, and the other way
	 * round: either failing fails the run. */
	if (mail && (mail_r = mail_command(config, &rc)) == 0)
		mail_r = mail_report(rep, rc->report_mail, rc->n_report_mail,
		    period.label, out != NULL && strcmp(out, "-") != 0 ?
		    out : NULL);
	status = written && mail_r >= 0 ? 0 : 1;
out:
	runconf_free(rc);
	report_free(rep);
	return status;
}
