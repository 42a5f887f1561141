/*
 * args.c - the options `audit`, `run` and `check` share: one table, one
 * parser, and the configuration file (runconf.h) under them.  The file
 * is read first and the command line overrides what it sets, so a run
 * needs no file at all; a reload parses the same command line again over
 * the changed file.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lan.h"
#include "log.h"
#include "runconf.h"
#include "syslog_out.h"

static const struct option audit_opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "read", required_argument, NULL, 'r' },
	{ "user", required_argument, NULL, OPT_USER },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "interim-interval", required_argument, NULL, OPT_INTERIM_INTERVAL },
	{ "eve", required_argument, NULL, OPT_EVE },
	{ "lan", required_argument, NULL, OPT_LAN },
	{ "syslog", required_argument, NULL, OPT_SYSLOG },
	{ "syslog-facility", required_argument, NULL, OPT_SYSLOG_FACILITY },
	{ "syslog-max-message", required_argument, NULL, OPT_SYSLOG_MAX_MESSAGE },
	{ "syslog-queue", required_argument, NULL, OPT_SYSLOG_QUEUE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "interface", required_argument, NULL, 'i' },
	{ "filter", required_argument, NULL, 'f' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "stream-window", required_argument, NULL, OPT_STREAM_WINDOW },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "no-dns-events", no_argument, NULL, OPT_NO_DNS_EVENTS },
	{ "no-http-events", no_argument, NULL, OPT_NO_HTTP_EVENTS },
	{ "community-id-seed", required_argument, NULL, OPT_COMMUNITY_ID_SEED },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "geoip-country", required_argument, NULL, OPT_GEOIP_COUNTRY },
	{ "geoip-asn", required_argument, NULL, OPT_GEOIP_ASN },
	{ "apps", required_argument, NULL, OPT_APPS },
	{ "jurisdictions", required_argument, NULL, OPT_JURISDICTIONS },
	{ "no-geoip", no_argument, NULL, OPT_NO_GEOIP },
	{ "no-apps", no_argument, NULL, OPT_NO_APPS },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "leases", required_argument, NULL, OPT_LEASES },
	{ "identities", required_argument, NULL, OPT_IDENTITIES },
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "raw-evidence", no_argument, NULL, OPT_RAW_EVIDENCE },
	{ "no-personal-data", no_argument, NULL, OPT_NO_PII },
	{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "ruleset", required_argument, NULL, OPT_RULESET },
	{ "no-ruleset", required_argument, NULL, OPT_NO_RULESET },
	{ "no-policy", no_argument, NULL, OPT_NO_POLICY },
	{ "home-country", required_argument, NULL, OPT_HOME_COUNTRY },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "stream-memory", required_argument, NULL, OPT_STREAM_MEMORY },
	{ "dns-cache", required_argument, NULL, OPT_DNS_CACHE },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "store-retention", required_argument, NULL, OPT_STORE_RETENTION },
	{ "store-max-size", required_argument, NULL, OPT_STORE_MAX_SIZE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The range of every numeric option, as usage() states it.  A value
 * outside is an error naming the option and its range, never clamped.
 */
static const struct num_opt {
	int opt;
	const char *name;
	unsigned long min, max;
} num_opts[] = {
	{ 's', "snaplen", 1, 262144 },		/* libpcap's largest */
	{ 'B', "buffer-size", 1, 4096 },		/* MiB */
	{ OPT_TOP, "top", 1, 16384 },		/* a summary table's rows */
	{ OPT_DURATION, "duration", 1, 31536000 },	/* a year */
	{ OPT_MAX_FLOWS, "max-flows", 1, 1ul << 24 },
	{ OPT_STREAM_WINDOW, "stream-window", 1, 16ul << 20 },
	{ OPT_MAX_BODY, "max-body", 1, 16ul << 20 },
	{ OPT_STREAM_MEMORY, "stream-memory", 1, 65536 },	/* MiB */
	{ OPT_DNS_CACHE, "dns-cache", 1, 1ul << 24 },
	{ OPT_STATS_INTERVAL, "stats-interval", 0, 86400 },	/* a day */
	{ OPT_INTERIM_INTERVAL, "interim-interval", 0, 86400 },
	{ OPT_STORE_RETENTION, "store-retention", 1, 36500 },	/* days */
	{ OPT_STORE_MAX_SIZE, "store-max-size", 1, 1ul << 20 },	/* MiB */
	{ OPT_SYSLOG_MAX_MESSAGE, "syslog-max-message", SYSLOG_MIN_MESSAGE,
	    SYSLOG_MAX_MESSAGE },
	{ OPT_SYSLOG_QUEUE, "syslog-queue", 64, 1ul << 20 },	/* KiB */
};

/* The value of numeric option ch in its range; -EINVAL, said, if not. */
static int
num_parse(int ch, const char *arg, unsigned long *ret)
{
	const struct num_opt *o = NULL;
	char shown[ARG_SHOWN_SIZE];
	unsigned long v;

	for (size_t i = 0; i < sizeof(num_opts) / sizeof(num_opts[0]); i++)
		if (num_opts[i].opt == ch)
			o = &num_opts[i];
	if (o == NULL)
		return -EINVAL;
	if (parse_uint(arg, ULONG_MAX, &v) != 0) {
		log_warnx("--%s: invalid number \"%s (%lu-%lu)", o->name,
		    arg_shown(arg, shown, sizeof(shown)), o->min, o->max);
		return -EINVAL;
	}
	if (v < o->min || v > o->max) {
		log_warnx("--%s: %lu is out of range (%lu-%lu)", o->name, v,
		    o->min, o->max);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}


static bool
only_for_run(int ch)
{
	return ch == 'r' || ch == OPT_USER || ch == OPT_STATS_INTERVAL ||
	    ch == OPT_INTERIM_INTERVAL;
}

/*
 * --fail-on judges one audit by its exit status; a daemon's findings go
 * to its events and store, and it exits 0 when stopped.
 */
static bool
only_for_audit(int ch)
{
	return ch == OPT_FAIL_ON;
}

/* "--name" of option ch, for messages (optarg may follow it). */
static const char *
opt_name(int ch, char *buf, size_t size)
{
	for (const struct option *o = audit_opts; o->name != NULL; o++)
		if (o->val == ch) {
			snprintf(buf, size, "--%s", o->name);
			return buf;
		}
	snprintf(buf, size, "-%c", ch);
	return buf;
}

/* A list the file set, into a's NULL-terminated copy. */
static void
take_list(const char **dst, int *n, const char *const *src, int n_src)
{
	for (int i = 0; i < n_src && i < MAX_RULE_ARGS; i++)
		dst[i] = src[i];
	*n = n_src < MAX_RULE_ARGS ? n_src : MAX_RULE_ARGS;
	dst[*n] = NULL;
}

/* The value of a config number into a narrower field, if it is set. */
#define TAKE(num, field, type) do {				\
		if ((num).set)					\
			(field) = (type)(num).value;		\
	} while (0)

/* What the file sets, into a (the command line comes after). */
static void
args_merge(struct audit_args *a, const struct runconf *c)
{
	for (int i = 0; i < c->n_ifaces; i++)
		a->ifaces[i] = c->ifaces[i];
	a->n_ifaces = c->n_ifaces;
	for (int i = 0; i < c->n_devices; i++)
		a->devices[i] = c->devices[i];
	a->n_devices = c->n_devices;
	a->devices[a->n_devices] = NULL;
	if (a->n_devices > 0)
		a->pc.devices = a->devices;
	a->user = c->user;
	a->live.filter = c->filter;
	if (c->promisc.set)
		a->live.promisc = c->promisc.value != 0;
	TAKE(c->snaplen, a->live.snaplen, int);
	TAKE(c->buffer_mib, a->live.buffer_mib, int);
	a->no_geoip = c->geoip.set && c->geoip.value == 0;
	a->pc.geoip_country = c->geoip_country;
	a->pc.geoip_asn = c->geoip_asn;
	a->rules_dir = c->rules_dir;
	a->pc.apps_path = c->apps;
	a->pc.jurisdictions_path = c->jurisdictions;
	a->no_apps = c->apps_on.set && c->apps_on.value == 0;
	a->no_pii = c->personal_data.set && c->personal_data.value == 0;
	a->pc.identities = c->identities;
	a->secret = c->secret;
	a->pc.dhcp_leases = c->leases;
	a->eve_path = c->eve_path;
	if (c->eve_dns.set)
		a->eve_dns = c->eve_dns.value != 0;
	if (c->eve_http.set)
		a->eve_http = c->eve_http.value != 0;
	a->hostname = c->hostname;
	a->syslog = c->syslog;
	if (c->syslog_facility != NULL)
		a->syslog_facility = syslog_facility_parse(c->syslog_facility);
	TAKE(c->syslog_max_message, a->syslog_max_message, unsigned long);
	TAKE(c->syslog_queue_kib, a->syslog_queue_kib, unsigned long);
	TAKE(c->community_id_seed, a->community_id_seed, uint16_t);
	TAKE(c->stats_interval, a->stats_interval, unsigned long);
	TAKE(c->interim_interval, a->interim_interval, unsigned long);
	TAKE(c->max_flows, a->pc.max_flows, uint32_t);
	if (c->stream_window.set)
		a->pc.stream_cap_client = a->pc.stream_cap_server =
		    (uint32_t)c->stream_window.value;
	TAKE(c->max_body, a->pc.max_body, uint32_t);
	if (c->stream_memory_mib.set)
		a->pc.stream_memcap = c->stream_memory_mib.value << 20;
	TAKE(c->dns_cache, a->pc.dns_cache_entries, uint32_t);
	TAKE(c->max_devices, a->pc.max_devices, uint32_t);
	a->no_policy = c->policy_shipped.set && c->policy_shipped.value == 0;
	take_list(a->rule_paths, &a->n_rule_paths, c->policy_rules,
	    c->n_policy_rules);
	take_list(a->enable, &a->n_enable, c->policy_enable,
	    c->n_policy_enable);
	take_list(a->disable, &a->n_disable, c->policy_disable,
	    c->n_policy_disable);
	a->pc.home_country = c->home_country;
	take_list(a->lan, &a->n_lan, c->lan, c->n_lan);
	if (a->n_lan > 0)
		a->pc.lan = a->lan;
	a->store_path = c->store_path;
	TAKE(c->store_retention_days, a->store_opt.retention_days, uint32_t);
	if (c->store_max_size_mib.set)
		a->store_opt.max_bytes = c->store_max_size_mib.value << 20;
}

/*
 * --config FILE, found before the other options so that they override
 * it.  run and check read the default file when there is one; audit only
 * a file it is given.
 */
static int
args_config(int argc, char **argv, struct audit_args *a)
{
	char err[8192];
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
	}
	if (path == NULL && a->kind != CMD_AUDIT &&
	    access(CMD_DEFAULT_CONFIG, F_OK) == 0)
		path = CMD_DEFAULT_CONFIG;
	if (path == NULL)
		return 0;
	a->config_path = path;
	if (runconf_load(path, &a->rc, err, sizeof(err)) != 0) {
		/* Every error, one per line, each FILE:LINE:COL:; they are
		 * check's output (stdout), run's log. */
		for (char *line = err, *nl; line != NULL; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			if (a->kind == CMD_CHECK)
				printf("%s\n", line);
			else
				log_warnx("%s", line);
		}
		return -ENOENT;
	}
	args_merge(a, a->rc);
	return 0;
}

/* Which inputs the command was given, and whether that makes sense. */
static int
args_check_inputs(int argc, struct audit_args *a)
{
	bool run = a->kind == CMD_RUN || a->kind == CMD_RELOAD;
	int files = run ? a->n_replay : argc - optind;

	if (a->kind == CMD_CHECK) {
		if (argc - optind > 0) {
			log_warnx("check takes no arguments but options");
			return -EINVAL;
		}
		return 0;
	}
	if (run && argc - optind > 0) {
		log_warnx("run reads capture files with -r FILE");
		return -EINVAL;
	}
	/* Files on the command line win over the file's interfaces. */
	if (files > 0 && !a->cli_ifaces)
		a->n_ifaces = 0;
	if ((files > 0) == (a->n_ifaces > 0)) {
		log_warnx(a->n_ifaces ? "give capture files or interfaces, not both"
		    : run ? "no interface (-i, capture.interfaces) "
		    "or capture file (-r) given"
		    : "no capture file or interface given");
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int
args_parse(int argc, char **argv, enum cmd_kind kind, struct audit_args *a)
{
	bool cli_devices = false, cli_rules = false, cli_enable = false,
	    cli_disable = false, cli_lan = false;
	char name[64];
	unsigned long v;
	int ch, r;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	pipeline_config_defaults(&a->pc);
	a->eve_dns = a->eve_http = true;
	a->syslog_facility = SYSLOG_DEFAULT_FACILITY;
	a->syslog_max_message = SYSLOG_DEFAULT_MAX_MESSAGE;
	a->syslog_queue_kib = SYSLOG_DEFAULT_QUEUE_KIB;
	a->live.promisc = true;
	a->top = 20;
	a->stats_interval = 300;
	a->interim_interval = 300;
	a->fail_on = -1;
	store_options_defaults(&a->store_opt);
	if ((r = args_config(argc, argv, a)) != 0)
		return r;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qi:f:s:B:r:h", audit_opts,
	    NULL)) != -1) {
		if (only_for_run(ch) && kind == CMD_AUDIT) {
			log_warnx("%s is an option of outflow run",
			    opt_name(ch, name, sizeof(name)));
			return -EINVAL;
		}
		if (only_for_audit(ch) && kind != CMD_AUDIT) {
			log_warnx("%s is an option of outflow audit",
			    opt_name(ch, name, sizeof(name)));
			return -EINVAL;
		}
		switch (ch) {
		case OPT_CONFIG:
			break;	/* read first, by args_config() */
		case 'r':
			if (a->n_replay == MAX_IFACES) {
				log_warnx("at most %d capture files", MAX_IFACES);
				return -EINVAL;
			}
			a->replay[a->n_replay++] = optarg;
			break;
		case OPT_USER:
			a->user = optarg;
			break;
		case OPT_EVE:
			a->eve_path = optarg;
			break;
		case OPT_SYSLOG: {
			struct syslog_target t;
			char msg[256];

			if (syslog_target_parse(optarg, &t, msg,
			    sizeof(msg)) != 0) {
				log_warnx("--syslog %s: %s", optarg, msg);
				return -EINVAL;
			}
			a->syslog = optarg;
			break;
		}
		case OPT_LAN: {
			struct lan_prefix lp;
			char msg[256];

			/* Prefixes given here replace the file's. */
			if (!cli_lan)
				a->n_lan = 0;
			cli_lan = true;
			if (a->n_lan == MAX_RULE_ARGS) {
				log_warnx("at most %d --lan options",
				    MAX_RULE_ARGS);
				return -EINVAL;
			}
			if (lan_prefix_parse(optarg, &lp, msg,
			    sizeof(msg)) != 0) {
				log_warnx("--lan %s: %s", optarg, msg);
				return -EINVAL;
			}
			a->lan[a->n_lan++] = optarg;
			a->lan[a->n_lan] = NULL;
			a->pc.lan = a->lan;
			break;
		}
		case OPT_SYSLOG_FACILITY:
			if ((a->syslog_facility =
			    syslog_facility_parse(optarg)) < 0) {
				log_warnx("--syslog-facility: unknown facility "
				    "\"%s\" (expected one of: %s)", optarg,
				    syslog_facility_names);
				return -EINVAL;
			}
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'i':
			/* Interfaces given here replace the file's. */
			if (!a->cli_ifaces)
				a->n_ifaces = 0;
			a->cli_ifaces = true;
			if (a->n_ifaces == MAX_IFACES) {
				log_warnx("at most %d interfaces", MAX_IFACES);
				return -EINVAL;
			}
			a->ifaces[a->n_ifaces++] = optarg;
			break;
		case 'f':
			a->live.filter = optarg;
			break;
		case OPT_NO_PROMISC:
			a->live.promisc = false;
			break;
		case OPT_NO_DNS_EVENTS:
			a->eve_dns = false;
			break;
		case OPT_NO_HTTP_EVENTS:
			a->eve_http = false;
			break;
		case OPT_HOSTNAME:
			a->hostname = optarg;
			break;
		case OPT_COMMUNITY_ID_SEED:
			if (parse_uint(optarg, UINT16_MAX, &v) != 0) {
				log_warnx("invalid Community ID seed (0-65535): %s",
				    optarg);
				return -EINVAL;
			}
			a->community_id_seed = (uint16_t)v;
			break;
		case OPT_GEOIP_COUNTRY:
			a->pc.geoip_country = optarg;
			break;
		case OPT_GEOIP_ASN:
			a->pc.geoip_asn = optarg;
			break;
		case OPT_APPS:
			a->pc.apps_path = optarg;
			break;
		case OPT_JURISDICTIONS:
			a->pc.jurisdictions_path = optarg;
			break;
		case OPT_NO_GEOIP:
			a->no_geoip = true;
			break;
		case OPT_NO_APPS:
			a->no_apps = true;
			break;
		case OPT_DEVICE:
			if (!cli_devices)
				a->n_devices = 0;
			cli_devices = true;
			if (a->n_devices == MAX_DEVICE_ARGS) {
				log_warnx("at most %d --device options", MAX_DEVICE_ARGS);
				return -EINVAL;
			}
			a->devices[a->n_devices++] = optarg;
			a->devices[a->n_devices] = NULL;
			a->pc.devices = a->devices;
			break;
		case OPT_LEASES:
			a->pc.dhcp_leases = optarg;
			break;
		case OPT_IDENTITIES:
			a->pc.identities = optarg;
			break;
		case OPT_SECRET:
			a->secret = optarg;
			break;
		case OPT_RAW_EVIDENCE:
			a->pc.raw_evidence = true;
			break;
		case OPT_NO_PII:
			a->no_pii = true;
			break;
		case OPT_RULES:
		case OPT_RULESET:
		case OPT_NO_RULESET:
		case OPT_RULES_DIR:
		case OPT_NO_POLICY:
		case OPT_HOME_COUNTRY:
		case OPT_FAIL_ON:
			/* Lists given here replace the file's. */
			if (ch == OPT_RULES && !cli_rules)
				a->n_rule_paths = 0;
			else if (ch == OPT_RULESET && !cli_enable)
				a->n_enable = 0;
			else if (ch == OPT_NO_RULESET && !cli_disable)
				a->n_disable = 0;
			cli_rules |= ch == OPT_RULES;
			cli_enable |= ch == OPT_RULESET;
			cli_disable |= ch == OPT_NO_RULESET;
			if (rule_option(a, ch, optarg) < 0)
				return -EINVAL;
			break;
		case OPT_STORE:
			a->store_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 's':
		case 'B':
		case OPT_TOP:
		case OPT_DURATION:
		case OPT_MAX_FLOWS:
		case OPT_STREAM_WINDOW:
		case OPT_MAX_BODY:
		case OPT_STREAM_MEMORY:
		case OPT_DNS_CACHE:
		case OPT_STATS_INTERVAL:
		case OPT_INTERIM_INTERVAL:
		case OPT_STORE_RETENTION:
		case OPT_STORE_MAX_SIZE:
		case OPT_SYSLOG_MAX_MESSAGE:
		case OPT_SYSLOG_QUEUE:
			if (num_parse(ch, optarg, &v) != 0)
				return -EINVAL;
			if (ch == 's')
				a->live.snaplen = (int)v;
			else if (ch == 'B')
				a->live.buffer_mib = (int)v;
			else if (ch == OPT_TOP)
				a->top = v;
			else if (ch == OPT_DURATION)
				a->duration = v;
			else if (ch == OPT_MAX_FLOWS)
				a->pc.max_flows = (uint32_t)v;
			else if (ch == OPT_STREAM_MEMORY)
				a->pc.stream_memcap = (uint64_t)v << 20;
			else if (ch == OPT_DNS_CACHE)
				a->pc.dns_cache_entries = (uint32_t)v;
			else if (ch == OPT_STATS_INTERVAL)
				a->stats_interval = v;
			else if (ch == OPT_INTERIM_INTERVAL)
				a->interim_interval = v;
			else if (ch == OPT_STORE_RETENTION)
				a->store_opt.retention_days = (uint32_t)v;
			else if (ch == OPT_STORE_MAX_SIZE)
				a->store_opt.max_bytes = (uint64_t)v << 20;
			else if (ch == OPT_SYSLOG_MAX_MESSAGE)
				a->syslog_max_message = v;
			else if (ch == OPT_SYSLOG_QUEUE)
				a->syslog_queue_kib = v;
			else if (ch == OPT_STREAM_WINDOW)
				a->pc.stream_cap_client = a->pc.stream_cap_server =
				    (uint32_t)v;
			else
				a->pc.max_body = (uint32_t)v;
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if ((r = args_check_inputs(argc, a)) != 0)
		return r;
	return apply_defaults(a) != 0 ? -ENOENT : 0;
}

void
args_free(struct audit_args *a)
{
	a->rc = runconf_free(a->rc);
}
