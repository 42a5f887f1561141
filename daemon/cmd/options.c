/*
 * options.c - usage text, numbers, and the default data files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildconf.h"
#include "cmd.h"
#include "iso3166.h"
#include "log.h"
#include "policy.h"

void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: outflow audit [options] FILE...\n"
	    "       outflow audit [options] -i IFACE [-i IFACE...]\n"
	    "       outflow run [--config FILE] [options] [-i IFACE...] [-r FILE...]\n"
	    "       outflow check [--config FILE] [options]\n"
	    "       outflow report --store FILE [--week YYYY-Www | --from DAY --to DAY]\n"
	    "                      [--format html|md|json|csv|csv-aggregates] [-o FILE|DIR]\n"
	    "                      [--mail [--config FILE]]\n"
	    "       outflow lookup [--json] [--geoip-country F] [--geoip-asn F]\n"
	    "                      [--jurisdictions F] ADDRESS...\n"
	    "       outflow version\n"
	    "\n"
	    "audit and run options (check takes them too):\n"
	    "  --config FILE          read options from FILE (outflow.yaml(5));\n"
	    "                         options given here override it.  run and\n"
	    "                         check read " OUTFLOW_SYSCONFDIR "/outflow.yaml\n"
	    "                         when it exists\n"
	    "  --eve FILE             write JSON-lines events to FILE ('-': stdout)\n"
	    "  --syslog TARGET        send each event to a syslog collector as an\n"
	    "                         RFC 5424 message: udp://HOST[:PORT] (514) or\n"
	    "                         tcp://HOST[:PORT] (601, octet counting)\n"
	    "      --syslog-facility NAME  kern .. local7 (default local0)\n"
	    "      --syslog-max-message N  UDP: longest message, longer ones are cut\n"
	    "                         and counted lost (480-65507, default 8192)\n"
	    "      --syslog-queue KIB TCP: messages held while the collector is\n"
	    "                         away (64-1048576, default 4096)\n"
	    "  --json                 print the summary as one JSON object\n"
	    "  --store FILE           keep per-day aggregates, findings and coverage\n"
	    "                         in the SQLite store FILE (docs/store.md)\n"
	    "      --store-retention DAYS  days the store keeps (1-36500, default 400)\n"
	    "      --store-max-size MIB    size cap of the store's data (1-1048576,\n"
	    "                         default 1024): the oldest days go first\n"
	    "  --top N                rows per summary table (1-16384, default 20)\n"
	    "  -q, --quiet            no summary\n"
	    "  -i, --interface IFACE  capture live (repeatable); stop with Ctrl-C\n"
	    "  -f, --filter EXPR      BPF filter for live capture\n"
	    "  -s, --snaplen N        bytes captured per packet (live; 1-262144)\n"
	    "  -B, --buffer-size MIB  kernel capture buffer (live; 1-4096)\n"
	    "      --no-promisc       do not put interfaces in promiscuous mode\n"
	    "      --duration SEC     stop a live capture after SEC seconds\n"
	    "                         (1-31536000)\n"
	    "      --max-flows N      flow table size (1-16777216, default 131072);\n"
	    "                         152 bytes a flow, touched only as flows appear\n"
	    "      --stream-window N  bytes reassembled per direction (1-16777216;\n"
	    "                         default 32768 to the server, 16384 back)\n"
	    "      --max-body N       decoded HTTP body bytes kept (1-16777216,\n"
	    "                         default 65536)\n"
	    "      --stream-memory MIB reassembly buffers in all (1-65536, default 16)\n"
	    "      --dns-cache N      DNS answers remembered (1-16777216,\n"
	    "                         default 16384)\n"
	    "      --no-dns-events    no event per DNS response\n"
	    "      --no-http-events   no event per HTTP request\n"
	    "      --community-id-seed N  seed of network.community_id (0-65535,\n"
	    "                         default 0; the same in every tool joined)\n"
	    "      --hostname NAME    observer.hostname (default: this host's name)\n");
	/* Four strings: C11 promises only 4095 bytes in one. */
	fprintf(fp,
	    "      --geoip-country F  country database (.mmdb)\n"
	    "      --geoip-asn F      ASN database (.mmdb)\n"
	    "      --apps F           app signatures (default: the shipped rules/apps.yaml)\n"
	    "      --jurisdictions F  jurisdictions pack (default: the shipped one)\n"
	    "      --no-geoip         no GeoIP lookups\n"
	    "      --no-apps          no app attribution\n"
	    "      --device MAC=NAME  name a LAN device (repeatable)\n"
	    "      --lan PREFIX       the LAN side, ADDR/LEN (repeatable; default:\n"
	    "                         private, loopback, link-local, CGNAT, ULA)\n"
	    "      --leases FILE      dnsmasq leases file for device names\n"
	    "      --identities FILE  known values to look for (YAML `identities:`)\n"
	    "      --secret FILE      HMAC key for evidence hashes (created 0600)\n"
	    "      --raw-evidence     lab only: put raw values in observations\n"
	    "      --no-personal-data no personal-data detection\n"
	    "      --rules-dir DIR    look for every rule pack in DIR\n");
	fprintf(fp,
	    "      --rules PATH       policy rules: a file, or a folder's *.yaml\n"
	    "                         (repeatable; after the shipped rules/policy/)\n"
	    "      --ruleset NAME     turn on a ruleset that is off by default\n"
	    "                         (gdpr-chapter5, us-28cfr202; repeatable)\n"
	    "      --no-ruleset NAME  turn a ruleset off (repeatable)\n"
	    "      --no-policy        no shipped policy rules (--rules still read)\n"
	    "      --home-country CC  where the people behind the sensor live: rules\n"
	    "                         about data sent abroad need it (e.g. DE, US)\n"
	    "\n"
	    "audit only:\n"
	    "      --fail-on SEVERITY exit 3 when a finding of SEVERITY or worse\n"
	    "                         was made (info, low, medium, high, critical)\n"
	    "\n");
	fprintf(fp,
	    "run only (the daemon; see docs/operations.md):\n"
	    "  -r, --read FILE        replay a capture file through the daemon\n"
	    "                         (repeatable) instead of capturing live\n"
	    "      --user USER        started as root, become USER once the\n"
	    "                         captures are open (default: outflow)\n"
	    "      --stats-interval SEC  an outflow.stats event every SEC seconds\n"
	    "                         (0-86400, default 300; 0: only at the end)\n"
	    "      --interim-interval SEC  an interim outflow.flow event every SEC\n"
	    "                         seconds for each flow open that long\n"
	    "                         (0-86400, default 300; 0: none)\n"
	    "  run has no summary and no --fail-on (findings go to the events and\n"
	    "  the store); -B defaults to 16 MiB.  Signals: HUP reloads and\n"
	    "  reopens the event file, USR1 logs statistics, TERM/INT stop.\n"
	    "\n"
	    "check takes the options of run: it loads the configuration file and\n"
	    "every pack a run would load (apps, jurisdictions, personal data,\n"
	    "permissions, identities, policy rules, GeoIP, devices) without\n"
	    "capturing, prints each error as FILE:LINE:COLUMN: message, and\n"
	    "exits 1 if there was any.\n"
	    "\n"
	    "audit exits 0 when the input was read, 1 when a file could not be\n"
	    "read or loaded or an output (events, summary) lost data, 2 for\n"
	    "usage errors and numbers outside an option's range, 3 when\n"
	    "--fail-on is given and a finding of that severity or worse was made.\n"
	    "\n"
	    "Without --geoip-*, the databases installed by scripts/fetch-geoip.sh\n"
	    "are used when present ($OUTFLOW_GEOIP_DIR, else " OUTFLOW_DATADIR ").\n");
}

int
parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * The argument as a message may show it: bytes a terminal would act on
 * (controls, non-ASCII, so C1 and bidi sequences too) as \xNN, a
 * backslash as \\, and cut after ARG_SHOWN bytes with the full length
 * said, so a 70 KB argument of escape sequences prints one short line.
 */
const char *
arg_shown(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s), o = 0;

	for (size_t i = 0; i < len && i < ARG_SHOWN && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	if (len > ARG_SHOWN)
		snprintf(buf + o, size - o, "\"... (%zu bytes)", len);
	else
		snprintf(buf + o, size - o, "\"");
	return buf;
}

/* First existing file among dir/name for the given dirs, or NULL. */
static const char *
find_default(char *buf, size_t size, const char *name, const char *dir1,
    const char *dir2)
{
	const char *dirs[2] = { dir1, dir2 };

	for (int i = 0; i < 2; i++) {
		if (dirs[i] == NULL)
			continue;
		snprintf(buf, size, "%s/%s", dirs[i], name);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return NULL;
}

/* mkdir -p with mode 0700 for the last component. */
static int
mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *q = buf + 1; *q != '\0'; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * The per-install HMAC key lives in the state directory.  Without one
 * that can be created (not root, read-only system), hashes are made with a
 * key for this run only: comparable within a run, not across runs.
 */
static const char *
default_secret(char *buf, size_t size)
{
	const char *env = getenv("OUTFLOW_SECRET");
	struct stat st;

	if (env != NULL && env[0] != '\0')
		return env;
	if (stat(OUTFLOW_STATEDIR, &st) != 0 && mkdir_p(OUTFLOW_STATEDIR) != 0) {
		log_info("no %s: personal-data hashes use a key for this run "
		    "only (--secret FILE keeps one)", OUTFLOW_STATEDIR);
		return NULL;
	}
	if (access(OUTFLOW_STATEDIR, W_OK) != 0 &&
	    (snprintf(buf, size, "%s/hmac.key", OUTFLOW_STATEDIR),
	    access(buf, R_OK) != 0)) {
		log_info("%s is not writable: personal-data hashes use a key for "
		    "this run only (--secret FILE keeps one)", OUTFLOW_STATEDIR);
		return NULL;
	}
	snprintf(buf, size, "%s/hmac.key", OUTFLOW_STATEDIR);
	return buf;
}

/*
 * A pack that a stage needs and that is found nowhere is an error naming
 * it and the option that turns the stage off: with the pack silently
 * skipped, a run looked complete with the stage off (--rules-dir naming
 * an empty directory turned off apps and all personal-data detection).
 */
static int
pack_missing(const struct audit_args *a, const char *name, const char *off)
{
	if (a->rules_dir != NULL)
		log_warnx("--rules-dir %s: no readable %s (%s)", a->rules_dir,
		    name, off);
	else
		log_warnx("no readable %s in %s or %s (%s)", name,
		    OUTFLOW_RULESDIR, OUTFLOW_SRC_RULESDIR, off);
	return -ENOENT;
}

int
apply_defaults(struct audit_args *a)
{
	const char *geodir = getenv("OUTFLOW_GEOIP_DIR");
	const char *rdir1 = a->rules_dir ? a->rules_dir : OUTFLOW_RULESDIR;
	const char *rdir2 = a->rules_dir ? NULL : OUTFLOW_SRC_RULESDIR;

	if (geodir == NULL || geodir[0] == '\0')
		geodir = OUTFLOW_DATADIR;
	if (!a->no_geoip && a->pc.geoip_country == NULL && a->pc.geoip_asn == NULL) {
		a->pc.geoip_country = find_default(a->paths[0], sizeof(a->paths[0]),
		    "dbip-country.mmdb", geodir, NULL);
		a->pc.geoip_asn = find_default(a->paths[1], sizeof(a->paths[1]),
		    "asn.mmdb", geodir, NULL);
	}
	if (a->no_geoip)
		a->pc.geoip_country = a->pc.geoip_asn = NULL;
	if (a->pc.jurisdictions_path == NULL &&
	    (a->pc.jurisdictions_path = find_default(a->paths[2],
	    sizeof(a->paths[2]), "jurisdictions.yaml", rdir1, rdir2)) == NULL) {
		/* No switch turns jurisdictions off: without --rules-dir
		 * (an install without its packs) a warning, with it an
		 * error as for every pack. */
		if (a->rules_dir != NULL)
			return pack_missing(a, "jurisdictions.yaml",
			    "--jurisdictions FILE names one");
		log_warnx("no readable jurisdictions.yaml in %s or %s: no "
		    "jurisdictions (--jurisdictions FILE names one)",
		    OUTFLOW_RULESDIR, OUTFLOW_SRC_RULESDIR);
	}
	if (!a->no_apps && a->pc.apps_path == NULL &&
	    (a->pc.apps_path = find_default(a->paths[3], sizeof(a->paths[3]),
	    "apps.yaml", rdir1, rdir2)) == NULL)
		return pack_missing(a, "apps.yaml",
		    "--apps FILE names one, --no-apps turns attribution off");
	if (a->no_apps)
		a->pc.apps_path = NULL;
	if (!a->no_pii) {
		if ((a->pc.pii_rules = find_default(a->paths[4],
		    sizeof(a->paths[4]), "personal_data.yaml", rdir1,
		    rdir2)) == NULL)
			return pack_missing(a, "personal_data.yaml",
			    "--no-personal-data turns detection off");
		if ((a->pc.pii_permissions = find_default(a->paths[5],
		    sizeof(a->paths[5]), "permissions.yaml", rdir1,
		    rdir2)) == NULL)
			return pack_missing(a, "permissions.yaml",
			    "--no-personal-data turns detection off");
		if (a->secret == NULL && a->kind != CMD_RELOAD &&
		    a->kind != CMD_CHECK)
			a->secret = default_secret(a->paths[6], sizeof(a->paths[6]));
	}
	if (!a->no_policy) {
		if ((a->pc.policy_dir = find_default(a->paths[7],
		    sizeof(a->paths[7]), "policy", rdir1, rdir2)) == NULL)
			return pack_missing(a, "policy/ folder",
			    "--no-policy turns the shipped rules off");
	}
	a->pc.policy_paths = a->rule_paths;
	a->pc.policy_enable = a->enable;
	a->pc.policy_disable = a->disable;
	return 0;
}

static int
add_arg(const char **v, int *n, const char *opt, const char *arg)
{
	if (*n == MAX_RULE_ARGS) {
		log_warnx("%s: at most %d", opt, MAX_RULE_ARGS);
		return -EINVAL;
	}
	v[(*n)++] = arg;
	v[*n] = NULL;
	return 0;
}

int
rule_option(struct audit_args *a, int ch, const char *arg)
{
	int sev;

	switch (ch) {
	case OPT_RULES:
		return add_arg(a->rule_paths, &a->n_rule_paths, "--rules",
		    arg) == 0 ? 1 : -EINVAL;
	case OPT_RULESET:
		return add_arg(a->enable, &a->n_enable, "--ruleset", arg) == 0 ?
		    1 : -EINVAL;
	case OPT_NO_RULESET:
		return add_arg(a->disable, &a->n_disable, "--no-ruleset",
		    arg) == 0 ? 1 : -EINVAL;
	case OPT_NO_POLICY:
		a->no_policy = true;
		return 1;
	case OPT_RULES_DIR:
		a->rules_dir = arg;
		return 1;
	case OPT_HOME_COUNTRY:
		if (!iso3166_alpha2_valid(arg, strlen(arg)) ||
		    strcmp(arg, "ZZ") == 0) {
			char shown[ARG_SHOWN_SIZE];

			log_warnx("--home-country \"%s: expected an ISO 3166-1 "
			    "alpha-2 code such as DE or US", arg_shown(arg, shown,
			    sizeof(shown)));
			return -EINVAL;
		}
		a->pc.home_country = arg;
		return 1;
	case OPT_FAIL_ON:
		if ((sev = severity_parse(arg)) < 0) {
			char shown[ARG_SHOWN_SIZE];

			log_warnx("--fail-on \"%s: expected info, low, medium, "
			    "high or critical", arg_shown(arg, shown,
			    sizeof(shown)));
			return -EINVAL;
		}
		a->fail_on = sev;
		return 1;
	}
	return 0;
}
