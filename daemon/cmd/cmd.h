/*
 * cmd.h - what the command files share: the command table's entry, the
 * usage text, number parsing, and the options that name data files.
 * Private to daemon/cmd/.
 */
#ifndef OUTFLOW_CMD_H
#define OUTFLOW_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "capture.h"
#include "conf.h"
#include "store.h"

#define MAX_IFACES 16
#define MAX_DEVICE_ARGS 256

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_version(int argc, char **argv);

/** The usage text of every command. */
void usage(FILE *fp);

/** A decimal number in [0, max]; 0 or -EINVAL. */
int parse_uint(const char *s, unsigned long max, unsigned long *ret);

/* An argument shown in a message: at most this many bytes of it. */
#define ARG_SHOWN 64
#define ARG_SHOWN_SIZE (4 * ARG_SHOWN + 32)

/**
 * arg, as a message may show it in double quotes: escaped for the
 * terminal, cut after ARG_SHOWN bytes, and the closing quote added.
 * buf has ARG_SHOWN_SIZE bytes; returns buf.
 */
const char *arg_shown(const char *arg, char *buf, size_t size);

enum cmd_option {
	OPT_EVE = 256, OPT_JSON, OPT_TOP, OPT_NO_PROMISC, OPT_DURATION,
	OPT_MAX_FLOWS, OPT_STREAM_WINDOW, OPT_MAX_BODY, OPT_NO_DNS_EVENTS,
	OPT_NO_HTTP_EVENTS, OPT_GEOIP_COUNTRY, OPT_GEOIP_ASN, OPT_APPS,
	OPT_JURISDICTIONS, OPT_NO_GEOIP, OPT_NO_APPS, OPT_DEVICE, OPT_LEASES,
	OPT_IDENTITIES, OPT_SECRET, OPT_RAW_EVIDENCE, OPT_NO_PII, OPT_RULES_DIR,
	OPT_STREAM_MEMORY, OPT_DNS_CACHE, OPT_COMMUNITY_ID_SEED,
	OPT_HOSTNAME, OPT_RULES, OPT_RULESET, OPT_NO_RULESET, OPT_NO_POLICY,
	OPT_FAIL_ON, OPT_HOME_COUNTRY, OPT_STORE, OPT_STORE_RETENTION,
	OPT_STORE_MAX_SIZE,
};

#define MAX_RULE_ARGS 64


struct audit_args {
	struct pipeline_config pc;
	const char *eve_path;
	bool eve_dns, eve_http;
	uint16_t community_id_seed;
	const char *hostname;	/* --hostname: observer.hostname */
	const char *store_path;	/* --store */
	struct store_options store_opt;
	const char *secret;	/* --secret, or the per-install default */
	struct capture_live_opts live;
	const char *ifaces[MAX_IFACES];
	int n_ifaces;
	bool json, quiet, no_geoip, no_apps, no_pii;
	const char *rules_dir;	/* --rules-dir: where every pack is looked up */
	bool no_policy;		/* --no-policy: no shipped policy packs */
	const char *rule_paths[MAX_RULE_ARGS + 1];	/* --rules */
	int n_rule_paths;
	const char *enable[MAX_RULE_ARGS + 1];		/* --ruleset */
	int n_enable;
	const char *disable[MAX_RULE_ARGS + 1];		/* --no-ruleset */
	int n_disable;
	int fail_on;		/* --fail-on: a severity, or -1 */
	unsigned long top, duration;
	char paths[8][4096];	/* storage for default data file paths */
	const char *devices[MAX_DEVICE_ARGS + 1];
	int n_devices;
};

/**
 * Fill in the data files a run uses by default (see usage()).  Returns
 * -ENOENT, having said which, when a pack a stage that is on needs is
 * found nowhere.
 */
int apply_defaults(struct audit_args *a);

/**
 * Take one of the rule options (--rules, --ruleset, --no-ruleset,
 * --no-policy, --rules-dir) shared by audit and check: 1 if ch was one
 * of them, 0 if not, -EINVAL (said) on a bad argument.
 */
int rule_option(struct audit_args *a, int ch, const char *arg);

#endif
