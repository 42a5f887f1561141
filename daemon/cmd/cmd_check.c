/*
 * cmd_check.c - `outflow check`: read every pack a run would read and
 * say what is wrong with each, without capturing anything (as `nginx -t`
 * does).  Each pack is loaded on its own, so a broken apps pack does not
 * hide the errors of the policy rules; every rule error is printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "cmd.h"
#include "jurisdictions.h"
#include "log.h"
#include "pii.h"
#include "policy.h"

static const struct option check_opts[] = {
	{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "ruleset", required_argument, NULL, OPT_RULESET },
	{ "no-ruleset", required_argument, NULL, OPT_NO_RULESET },
	{ "no-policy", no_argument, NULL, OPT_NO_POLICY },
	{ "home-country", required_argument, NULL, OPT_HOME_COUNTRY },
	{ "apps", required_argument, NULL, OPT_APPS },
	{ "jurisdictions", required_argument, NULL, OPT_JURISDICTIONS },
	{ "identities", required_argument, NULL, OPT_IDENTITIES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
print_error(void *arg, const char *msg)
{
	unsigned *n = arg;

	/* The errors are the command's output: stdout, one per line. */
	printf("%s\n", msg);
	(*n)++;
}

static int
check_parse(int argc, char **argv, struct audit_args *a)
{
	int ch, r;

	pipeline_config_defaults(&a->pc);
	a->fail_on = -1;
	a->no_geoip = true;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", check_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_APPS:
			a->pc.apps_path = optarg;
			break;
		case OPT_JURISDICTIONS:
			a->pc.jurisdictions_path = optarg;
			break;
		case OPT_IDENTITIES:
			a->pc.identities = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if ((r = rule_option(a, ch, optarg)) == 1)
				break;
			if (r == 0)
				usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_warnx("check takes no file arguments (--rules PATH adds "
		    "rule files)");
		return -EINVAL;
	}
	/* No secret is needed to check: don't create one. */
	a->secret = "";
	return apply_defaults(a) != 0 ? -ENOENT : 0;
}

int
cmd_check(int argc, char **argv)
{
	struct audit_args a;
	struct apps *apps = NULL;
	struct jurisdictions *jur = NULL;
	struct pii_engine *pii = NULL;
	struct policy *pol = NULL;
	struct policy_config pc;
	struct pii_config ic;
	char err[1024];
	unsigned errors = 0, files = 0;
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = check_parse(argc, argv, &a)) != 0)
		return r == -ENOENT ? 1 : 2;
	if (a.pc.apps_path != NULL) {
		files++;
		if (apps_load(a.pc.apps_path, &apps, err, sizeof(err)) != 0)
			print_error(&errors, err);
	}
	if (a.pc.jurisdictions_path != NULL) {
		files++;
		if (jur_load_file(a.pc.jurisdictions_path, &jur, err,
		    sizeof(err)) != 0)
			print_error(&errors, err);
	}
	if (a.pc.pii_rules != NULL) {
		memset(&ic, 0, sizeof(ic));
		ic.rules_path = a.pc.pii_rules;
		ic.permissions_path = a.pc.pii_permissions;
		ic.identities_path = a.pc.identities;
		files += 2 + (a.pc.identities != NULL);
		if (pii_engine_new(&ic, &pii, err, sizeof(err)) != 0)
			print_error(&errors, err);
	}
	if (a.pc.policy_dir != NULL || a.n_rule_paths > 0) {
		memset(&pc, 0, sizeof(pc));
		pc.shipped_dir = a.pc.policy_dir;
		pc.paths = a.rule_paths;
		pc.enable = a.enable;
		pc.disable = a.disable;
		/* Rules are checked against the packs that did load. */
		pc.apps = apps;
		pc.jur = jur;
		pc.pii = pii;
		pc.home_country = a.pc.home_country;
		pc.on_error = print_error;
		pc.arg = &errors;
		if (policy_load(&pc, &pol, err, sizeof(err)) == 0) {
			files += (unsigned)policy_file_count(pol);
			log_info("%zu policy rules in force",
			    policy_rule_count(pol));
			if (policy_homeless_count(pol) > 0)
				log_info("%zu rules about data sent abroad are "
				    "off: --home-country CC turns them on",
				    policy_homeless_count(pol));
		}
	}
	policy_free(pol);
	pii_engine_free(pii);
	jur_free(jur);
	apps_free(apps);
	if (errors > 0) {
		log_warnx("%u error%s", errors, errors > 1 ? "s" : "");
		return 1;
	}
	log_info("%u files checked: no errors", files);
	return 0;
}
