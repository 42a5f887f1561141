/*
 * cmd_check.c - `outflow check [--config FILE] [options]`: load what a run
 * would load and say what is wrong, without capturing (as `nginx -t`
 * does).  It takes run's options over the same configuration file.
 *
 * The configuration file is read by args_parse(), which prints every
 * error in it; then each row of the table below checks one thing, in
 * order, and every failing row is reported.  Each pack is loaded on its
 * own, so a broken apps pack does not hide the errors of the policy
 * rules, and the rules are checked against the packs that did load.
 * Errors are the command's output: on stdout, one per line, each
 * "FILE:LINE:COLUMN: message" for YAML.  Exit 1 if there was any.
 * systemd's ExecStartPre= and the tests use it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apps.h"
#include "cmd.h"
#include "device.h"
#include "geoip.h"
#include "jurisdictions.h"
#include "log.h"
#include "pii.h"
#include "policy.h"
#include "privdrop.h"

/* What the checks share: the options, the packs loaded so far. */
struct check_ctx {
	const struct audit_args *a;
	struct apps *apps;
	struct jurisdictions *jur;
	struct pii_engine *pii;
	unsigned errors;	/* lines printed */
	unsigned files;		/* files read without error */
};

struct check {
	const char *what;
	/* 0 when it passes; otherwise it has printed why. */
	int (*run)(struct check_ctx *x);
};

static void
print_error(void *arg, const char *msg)
{
	struct check_ctx *x = arg;

	printf("%s\n", msg);
	x->errors++;
}

/* Only what args_parse() cannot know: that the user to run as exists. */
static int
check_user(struct check_ctx *x)
{
	const struct audit_args *a = x->a;
	char err[512], msg[1024];
	uid_t uid;
	gid_t gid;

	if (a->user == NULL)
		return 0;
	if (privdrop_lookup(a->user, &uid, &gid, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "%s: %s", a->config_path != NULL ?
		    a->config_path : "--user", err);
		print_error(x, msg);
		return -1;
	}
	return 0;
}

static int
check_geoip(struct check_ctx *x)
{
	const struct pipeline_config *pc = &x->a->pc;
	struct geoip *g;
	char err[1024];

	if (pc->geoip_country == NULL && pc->geoip_asn == NULL)
		return 0;
	if (geoip_open(pc->geoip_country, pc->geoip_asn, &g, err,
	    sizeof(err)) != 0) {
		print_error(x, err);
		return -1;
	}
	geoip_close(g);
	x->files += (pc->geoip_country != NULL) + (pc->geoip_asn != NULL);
	return 0;
}

static int
check_apps(struct check_ctx *x)
{
	char err[1024];

	if (x->a->pc.apps_path == NULL)
		return 0;
	if (apps_load(x->a->pc.apps_path, &x->apps, err, sizeof(err)) != 0) {
		print_error(x, err);
		return -1;
	}
	x->files++;
	return 0;
}

static int
check_jurisdictions(struct check_ctx *x)
{
	char err[1024];

	if (x->a->pc.jurisdictions_path == NULL)
		return 0;
	if (jur_load_file(x->a->pc.jurisdictions_path, &x->jur, err,
	    sizeof(err)) != 0) {
		print_error(x, err);
		return -1;
	}
	x->files++;
	return 0;
}

/* The personal-data rules, the permissions and the identities. */
static int
check_personal_data(struct check_ctx *x)
{
	const struct pipeline_config *pc = &x->a->pc;
	struct pii_config ic;
	char err[1024];

	if (pc->pii_rules == NULL)
		return 0;
	memset(&ic, 0, sizeof(ic));
	ic.rules_path = pc->pii_rules;
	ic.permissions_path = pc->pii_permissions;
	ic.identities_path = pc->identities;
	/* No secret: a key of this check only, the per-install one unread. */
	if (pii_engine_new(&ic, &x->pii, err, sizeof(err)) != 0) {
		print_error(x, err);
		return -1;
	}
	x->files += 2 + (pc->identities != NULL);
	return 0;
}

static int
check_devices(struct check_ctx *x)
{
	const struct pipeline_config *pc = &x->a->pc;
	struct device_table *t;
	char err[1024];
	int r = 0;

	if (pc->devices == NULL && pc->dhcp_leases == NULL)
		return 0;
	if ((t = device_table_new(pc->max_devices)) == NULL) {
		print_error(x, "out of memory for the device table");
		return -1;
	}
	for (size_t i = 0; pc->devices != NULL && pc->devices[i] != NULL &&
	    r == 0; i++)
		if ((r = device_add_config(t, pc->devices[i], err,
		    sizeof(err))) != 0)
			print_error(x, err);
	if (r == 0 && pc->dhcp_leases != NULL) {
		if ((r = device_load_leases(t, pc->dhcp_leases, err,
		    sizeof(err))) != 0)
			print_error(x, err);
		else
			x->files++;
	}
	device_table_free(t);
	return r == 0 ? 0 : -1;
}

/* Every rule error is printed, not only the first. */
static int
check_policy(struct check_ctx *x)
{
	const struct audit_args *a = x->a;
	struct policy_config pc;
	struct policy *pol;
	char err[1024];
	unsigned before = x->errors;

	if (a->pc.policy_dir == NULL && a->n_rule_paths == 0)
		return 0;
	memset(&pc, 0, sizeof(pc));
	pc.shipped_dir = a->pc.policy_dir;
	pc.paths = a->rule_paths;
	pc.enable = a->enable;
	pc.disable = a->disable;
	pc.apps = x->apps;
	pc.jur = x->jur;
	pc.pii = x->pii;
	pc.home_country = a->pc.home_country;
	pc.on_error = print_error;
	pc.arg = x;
	if (policy_load(&pc, &pol, err, sizeof(err)) != 0) {
		if (x->errors == before)
			print_error(x, err);
		return -1;
	}
	x->files += (unsigned)policy_file_count(pol);
	log_info("%zu policy rules in force", policy_rule_count(pol));
	if (policy_homeless_count(pol) > 0)
		log_info("%zu rules about data sent abroad are off: "
		    "--home-country CC (policy.home_country) turns them on",
		    policy_homeless_count(pol));
	policy_free(pol);
	return 0;
}

static const struct check checks[] = {
	{ "user", check_user },
	{ "GeoIP databases", check_geoip },
	{ "apps", check_apps },
	{ "jurisdictions", check_jurisdictions },
	{ "personal data, permissions, identities", check_personal_data },
	{ "device names and leases", check_devices },
	{ "policy rules", check_policy },
};

int
cmd_check(int argc, char **argv)
{
	struct audit_args a;
	struct check_ctx x = { .a = &a };
	int r, failed = 0;

	if ((r = args_parse(argc, argv, CMD_CHECK, &a)) != 0) {
		args_free(&a);
		return r == -ENOENT ? 1 : 2;
	}
	if (a.config_path != NULL)
		x.files++;
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].run(&x) != 0) {
			log_debug("check failed: %s", checks[i].what);
			failed++;
		}
	pii_engine_free(x.pii);
	jur_free(x.jur);
	apps_free(x.apps);
	if (failed > 0)
		log_warnx("%u error%s", x.errors, x.errors == 1 ? "" : "s");
	else
		log_info("%s: %u files checked, no errors", a.config_path != NULL ?
		    a.config_path : "(no configuration file)", x.files);
	args_free(&a);
	return failed > 0 ? 1 : 0;
}
