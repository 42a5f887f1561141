/*
 * cmd_check.c - `outflow check [--config FILE] [options]`: load what a run
 * would load and say what is wrong, without capturing.  Each check is one
 * row of the table below, run in order; every failing one is reported
 * (FILE:LINE:COLUMN: for YAML) and the exit status is 1 if any failed.
 * systemd's ExecStartPre= and the tests use it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "pii.h"
#include "pipeline.h"
#include "privdrop.h"

struct check {
	const char *what;
	/* 0 when it passes; otherwise it has logged why. */
	int (*run)(const struct audit_args *a);
};

/*
 * The configuration file was read and merged by args_parse(); here only
 * what that cannot know: that the user to run as exists.
 */
static int
check_config(const struct audit_args *a)
{
	char err[512];
	uid_t uid;
	gid_t gid;

	if (a->user != NULL &&
	    privdrop_lookup(a->user, &uid, &gid, err, sizeof(err)) != 0) {
		log_warnx("%s: %s", a->config_path != NULL ? a->config_path :
		    "--user", err);
		return -1;
	}
	return 0;
}

/* Every pack and database a run loads, loaded as the run would. */
static int
check_packs(const struct audit_args *a)
{
	struct pipeline *p;

	/* A key of this check only: the per-install one is not read. */
	if (setup_pipeline(a, NULL, &p) != 0)
		return -1;
	pipeline_free(p);
	return 0;
}

static const struct check checks[] = {
	{ "configuration", check_config },
	{ "rule packs and databases", check_packs },
};

int
cmd_check(int argc, char **argv)
{
	struct audit_args a;
	int r, failed = 0;

	if ((r = args_parse(argc, argv, CMD_CHECK, &a)) != 0) {
		args_free(&a);
		return r == -ENOENT ? 1 : 2;
	}
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].run(&a) != 0)
			failed++;
	if (failed == 0)
		log_info("%s: configuration OK", a.config_path != NULL ?
		    a.config_path : "(no configuration file)");
	args_free(&a);
	return failed > 0 ? 1 : 0;
}
