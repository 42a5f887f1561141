/*
 * cmd.h - what the command files share: the command table's entry, the
 * usage text, number parsing, and the options that name data files.
 * Private to daemon/cmd/.
 */
#ifndef OUTFLOW_CMD_H
#define OUTFLOW_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "buildconf.h"
#include "capture.h"
#include "conf.h"
#include "store.h"

/* The default configuration file of `run`, `check` and `report --mail`. */
#define CMD_DEFAULT_CONFIG OUTFLOW_SYSCONFDIR "/outflow.yaml"

#define MAX_IFACES 16
#define MAX_DEVICE_ARGS 256

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
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
	OPT_STORE_MAX_SIZE, OPT_CONFIG, OPT_USER, OPT_STATS_INTERVAL,
	OPT_INTERIM_INTERVAL, OPT_SYSLOG, OPT_SYSLOG_FACILITY,
	OPT_SYSLOG_MAX_MESSAGE, OPT_SYSLOG_QUEUE, OPT_LAN,
};

#define MAX_RULE_ARGS 64

/*
 * Which command parses: each takes the shared options and a few own.
 * CMD_RELOAD is run's SIGHUP: run's options, but the evidence key was
 * read at start and no default one is looked for (nor is one by check).
 */
enum cmd_kind { CMD_AUDIT, CMD_RUN, CMD_RELOAD, CMD_CHECK };

struct runconf;
struct pipeline;
struct eve;


struct audit_args {
	enum cmd_kind kind;
	const char *config_path;	/* the file read, or NULL */
	struct runconf *rc;		/* what it set; owns its strings */
	const char *user;		/* run: the user to become */
	const char *replay[MAX_IFACES];	/* run -r FILE */
	int n_replay;
	bool cli_ifaces;		/* -i given: the file's are replaced */
	unsigned long stats_interval;	/* run: seconds, 0: none */
	unsigned long interim_interval;	/* run: seconds, 0: none */
	struct pipeline_config pc;
	const char *eve_path;
	bool eve_dns, eve_http;
	uint16_t community_id_seed;
	const char *hostname;	/* --hostname: observer.hostname */
	const char *syslog;	/* --syslog: udp:// or tcp:// collector */
	int syslog_facility;
	unsigned long syslog_max_message;	/* UDP: bytes */
	unsigned long syslog_queue_kib;		/* TCP: KiB */
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
	const char *lan[MAX_RULE_ARGS + 1];	/* --lan, lan: */
	int n_lan;
};

/**
 * Parse the options of kind's command over the configuration file (see
 * args.c), then apply_defaults().  0; -EINVAL for a usage error (said);
 * -ENOENT when the file or a pack is bad or missing (said, the file's
 * errors each as FILE:LINE:COL:).  args_free() in every case.
 */
int args_parse(int argc, char **argv, enum cmd_kind kind,
    struct audit_args *a);
void args_free(struct audit_args *a);

/**
 * The per-install evidence key, read once before any privilege drop
 * (false in *ret_have: a key for this run only).
 */
int load_secret(const struct audit_args *a, uint8_t key[PII_SECRET_LEN],
    bool *ret_have);

/**
 * The outputs the options ask for, added to p (which owns them); the
 * event stream, if any, in *ret_eve (NULL-able) for reopening.
 */
int add_outputs(struct pipeline *p, const struct audit_args *a,
    struct eve **ret_eve);

/**
 * Load the configuration a names (key NULL: a key for this load only);
 * every error logged, each rule error on its own FILE:LINE:COL: line.
 * 0, or -1.  A reload calls it too.
 */
int load_conf(const struct audit_args *a, const uint8_t *key,
    struct conf **ret);

/**
 * Load the configuration a names (with the key, when have_key) and make
 * a pipeline over it.  0, or -1 with the error logged.
 */
int setup_pipeline(const struct audit_args *a, const uint8_t *key,
    struct pipeline **ret);

/**
 * Fill in the data files a run uses by default (see usage()).  Returns
 * -ENOENT, having said which, when a pack a stage that is on needs is
 * found nowhere.
 */
int apply_defaults(struct audit_args *a);

/**
 * Take one of the rule options (--rules, --ruleset, --no-ruleset,
 * --no-policy, --rules-dir, --home-country, --fail-on) of the shared
 * table (args.c): 1 if ch was one of them, 0 if not, -EINVAL (said) on
 * a bad argument.
 */
int rule_option(struct audit_args *a, int ch, const char *arg);

#endif
