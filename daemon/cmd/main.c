/*
 * main.c - the outflow command: argument parsing, the capture loop,
 * signals and exit codes.  The only place besides log.c that prints
 * diagnostics, and the only one that reads the wall clock.
 *
 * Exit codes: 0 success (malformed packets are counted, not fatal),
 * 1 nothing could be read or a file could not be loaded, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildconf.h"
#include "capture.h"
#include "hash.h"
#include "log.h"
#include "lookup.h"
#include "pipeline.h"

#define MAX_IFACES 16
#define MAX_DEVICE_ARGS 256

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: outflow audit [options] FILE...\n"
	    "       outflow audit [options] -i IFACE [-i IFACE...]\n"
	    "       outflow lookup [--json] [--geoip-country F] [--geoip-asn F]\n"
	    "                      [--jurisdictions F] ADDRESS...\n"
	    "       outflow version\n"
	    "\n"
	    "audit options:\n"
	    "  --eve FILE             write JSON-lines events to FILE ('-': stdout)\n"
	    "  --json                 print the summary as one JSON object\n"
	    "  --top N                rows per summary table (default 20)\n"
	    "  -q, --quiet            no summary\n"
	    "  -i, --interface IFACE  capture live (repeatable); stop with Ctrl-C\n"
	    "  -f, --filter EXPR      BPF filter for live capture\n"
	    "  -s, --snaplen N        bytes captured per packet (live)\n"
	    "  -B, --buffer-size MIB  kernel capture buffer (live)\n"
	    "      --no-promisc       do not put interfaces in promiscuous mode\n"
	    "      --duration SEC     stop a live capture after SEC seconds\n"
	    "      --max-flows N      flow table size (default 131072)\n"
	    "      --stream-window N  bytes reassembled per direction (default 32768)\n"
	    "      --max-body N       decoded HTTP body bytes kept (default 65536)\n"
	    "      --stream-memory MIB reassembly buffers in all (default 16)\n"
	    "      --dns-cache N      DNS answers remembered (default 16384)\n"
	    "      --no-dns-events    no event per DNS response\n"
	    "      --no-http-events   no event per HTTP request\n"
	    "      --geoip-country F  country database (.mmdb)\n"
	    "      --geoip-asn F      ASN database (.mmdb)\n"
	    "      --apps F           app signatures (default: the shipped rules/apps.yaml)\n"
	    "      --jurisdictions F  jurisdictions pack (default: the shipped one)\n"
	    "      --no-geoip         no GeoIP lookups\n"
	    "      --no-apps          no app attribution\n"
	    "      --device MAC=NAME  name a LAN device (repeatable)\n"
	    "      --leases FILE      dnsmasq leases file for device names\n"
	    "      --identities FILE  known values to look for (YAML `identities:`)\n"
	    "      --secret FILE      HMAC key for evidence hashes (created 0600)\n"
	    "      --raw-evidence     lab only: put raw values in observations\n"
	    "      --no-personal-data no personal-data detection\n"
	    "      --rules-dir DIR    look for every rule pack in DIR\n"
	    "\n"
	    "Without --geoip-*, the databases installed by scripts/fetch-geoip.sh\n"
	    "are used when present ($OUTFLOW_GEOIP_DIR, else " OUTFLOW_DATADIR ").\n");
}

static int
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

enum {
	OPT_EVE = 256, OPT_JSON, OPT_TOP, OPT_NO_PROMISC, OPT_DURATION,
	OPT_MAX_FLOWS, OPT_STREAM_WINDOW, OPT_MAX_BODY, OPT_NO_DNS_EVENTS,
	OPT_NO_HTTP_EVENTS, OPT_GEOIP_COUNTRY, OPT_GEOIP_ASN, OPT_APPS,
	OPT_JURISDICTIONS, OPT_NO_GEOIP, OPT_NO_APPS, OPT_DEVICE, OPT_LEASES,
	OPT_IDENTITIES, OPT_SECRET, OPT_RAW_EVIDENCE, OPT_NO_PII, OPT_RULES_DIR,
	OPT_STREAM_MEMORY, OPT_DNS_CACHE,
};

static const struct option audit_opts[] = {
	{ "eve", required_argument, NULL, OPT_EVE },
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
	{ "stream-memory", required_argument, NULL, OPT_STREAM_MEMORY },
	{ "dns-cache", required_argument, NULL, OPT_DNS_CACHE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct audit_args {
	struct pipeline_config pc;
	struct capture_live_opts live;
	const char *ifaces[MAX_IFACES];
	int n_ifaces;
	bool json, quiet, no_geoip, no_apps, no_pii;
	const char *rules_dir;	/* --rules-dir: where every pack is looked up */
	unsigned long top, duration;
	char paths[7][4096];	/* storage for default data file paths */
	const char *devices[MAX_DEVICE_ARGS + 1];
	int n_devices;
};

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

static void
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
	if (a->pc.jurisdictions_path == NULL)
		a->pc.jurisdictions_path = find_default(a->paths[2],
		    sizeof(a->paths[2]), "jurisdictions.yaml", rdir1, rdir2);
	if (!a->no_apps && a->pc.apps_path == NULL)
		a->pc.apps_path = find_default(a->paths[3], sizeof(a->paths[3]),
		    "apps.yaml", rdir1, rdir2);
	if (a->no_apps)
		a->pc.apps_path = NULL;
	if (!a->no_pii) {
		a->pc.pii_rules = find_default(a->paths[4], sizeof(a->paths[4]),
		    "personal_data.yaml", rdir1, rdir2);
		a->pc.pii_permissions = find_default(a->paths[5],
		    sizeof(a->paths[5]), "permissions.yaml", rdir1, rdir2);
		if (a->pc.secret == NULL)
			a->pc.secret = default_secret(a->paths[6], sizeof(a->paths[6]));
	}
}

static int
audit_parse(int argc, char **argv, struct audit_args *a)
{
	unsigned long v;
	int ch;

	pipeline_config_defaults(&a->pc);
	a->live.promisc = true;
	a->top = 20;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qi:f:s:B:h", audit_opts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_EVE:
			a->pc.eve_path = optarg;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'i':
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
			a->pc.eve_dns = false;
			break;
		case OPT_NO_HTTP_EVENTS:
			a->pc.eve_http = false;
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
			if (a->n_devices == MAX_DEVICE_ARGS) {
				log_warnx("at most %d --device options", MAX_DEVICE_ARGS);
				return -EINVAL;
			}
			a->devices[a->n_devices++] = optarg;
			a->pc.devices = a->devices;
			break;
		case OPT_LEASES:
			a->pc.dhcp_leases = optarg;
			break;
		case OPT_IDENTITIES:
			a->pc.identities = optarg;
			break;
		case OPT_SECRET:
			a->pc.secret = optarg;
			break;
		case OPT_RAW_EVIDENCE:
			a->pc.raw_evidence = true;
			break;
		case OPT_NO_PII:
			a->no_pii = true;
			break;
		case OPT_RULES_DIR:
			a->rules_dir = optarg;
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
			if (parse_uint(optarg, ch == OPT_MAX_FLOWS ? (1ul << 26) :
			    INT_MAX, &v) != 0 || v == 0) {
				log_warnx("invalid number for option: %s", optarg);
				return -EINVAL;
			}
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
				a->pc.stream_memcap = (uint64_t)(v > 65536 ? 65536 : v) << 20;
			else if (ch == OPT_DNS_CACHE)
				a->pc.dns_cache_entries = (uint32_t)(v > (1u << 24) ?
				    1u << 24 : v);
			else if (ch == OPT_STREAM_WINDOW)
				a->pc.stream_cap_client = a->pc.stream_cap_server =
				    (uint32_t)(v > (16u << 20) ? 16u << 20 : v);
			else
				a->pc.max_body = (uint32_t)(v > (16u << 20) ?
				    16u << 20 : v);
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if ((argc - optind > 0) == (a->n_ifaces > 0)) {
		log_warnx(a->n_ifaces ? "give capture files or interfaces, not both"
		    : "no capture file or interface given");
		usage(stderr);
		return -EINVAL;
	}
	apply_defaults(a);
	return 0;
}

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Read files in order; returns packets read from all of them. */
static uint64_t
audit_files(struct pipeline *p, char **files, int n, int *ret_failed)
{
	char err[512];
	uint64_t total = 0;

	for (int i = 0; i < n && !stop_requested; i++) {
		struct capture *c;
		struct capture_stats cs;
		int r = 0;

		if (capture_open_file(files[i], &c, err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			(*ret_failed)++;
			continue;
		}
		/* Chunks keep Ctrl-C responsive on large files. */
		while (!stop_requested &&
		    (r = capture_dispatch(c, 65536, pipeline_packets, p, err,
		    sizeof(err))) > 0)
			;
		capture_get_stats(c, &cs);
		if (r < 0) {
			log_warnx("%s (%llu packets read before the error)", err,
			    (unsigned long long)cs.packets);
			if (cs.packets == 0)
				(*ret_failed)++;
		}
		total += cs.packets;
		pipeline_file_done(p);
		capture_close(c);
	}
	return total;
}

static uint64_t
audit_live(struct pipeline *p, struct audit_args *a, int *ret_failed)
{
	struct capture *caps[MAX_IFACES];
	struct pollfd pfd[MAX_IFACES];
	char err[512];
	uint64_t start = wall_us(), total = 0;
	int n = 0;

	for (int i = 0; i < a->n_ifaces; i++) {
		if (capture_open_live(a->ifaces[i], &a->live, &caps[n], err,
		    sizeof(err)) != 0) {
			log_warnx("%s", err);
			(*ret_failed)++;
			continue;
		}
		pfd[n].fd = capture_fd(caps[n]);
		pfd[n].events = POLLIN;
		n++;
	}
	if (n == 0)
		return 0;
	log_info("capturing on %d interface%s; Ctrl-C to stop", n,
	    n == 1 ? "" : "s");
	while (!stop_requested) {
		int r = poll(pfd, (nfds_t)n, 1000);

		if (r < 0 && errno != EINTR) {
			log_warn("poll");
			break;
		}
		for (int i = 0; i < n; i++) {
			if (capture_dispatch(caps[i], -1, pipeline_packets, p,
			    err, sizeof(err)) < 0) {
				log_warnx("%s", err);
				stop_requested = 1;
			}
		}
		pipeline_tick(p, wall_us());
		if (a->duration > 0 && wall_us() - start >= a->duration * 1000000)
			break;
	}
	for (int i = 0; i < n; i++) {
		struct capture_stats cs;

		capture_get_stats(caps[i], &cs);
		total += cs.packets;
		if (cs.kernel_drops > 0 || cs.if_drops > 0)
			log_warnx("%s: %llu packets dropped by the kernel, %llu "
			    "by the interface", capture_name(caps[i]),
			    (unsigned long long)cs.kernel_drops,
			    (unsigned long long)cs.if_drops);
		capture_close(caps[i]);
	}
	pipeline_file_done(p);
	return total;
}

static int
cmd_audit(int argc, char **argv)
{
	struct audit_args a;
	struct pipeline *p;
	struct sigaction sa;
	char err[512];
	uint64_t read, packets, errors;
	int failed = 0;
	FILE *out;

	memset(&a, 0, sizeof(a));
	if (audit_parse(argc, argv, &a) != 0)
		return 2;
	if (pipeline_new(&a.pc, &p, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (a.n_ifaces > 0)
		read = audit_live(p, &a, &failed);
	else
		read = audit_files(p, argv + optind, argc - optind, &failed);
	pipeline_finish(p);

	/* With the event stream on stdout, the summary goes to stderr. */
	out = a.pc.eve_path != NULL && strcmp(a.pc.eve_path, "-") == 0 ?
	    stderr : stdout;
	if (!a.quiet && !(read == 0 && failed > 0))
		pipeline_print_summary(p, out, a.json, (unsigned)a.top);
	pipeline_packet_counts(p, &packets, &errors);
	pipeline_free(p);
	if (read == 0 && failed > 0) {
		log_warnx("nothing could be read");
		return 1;
	}
	if (errors > 0 && !a.quiet && !a.json)
		log_info("%llu of %llu packets were malformed or truncated and "
		    "skipped (see \"Parse errors\")", (unsigned long long)errors,
		    (unsigned long long)packets);
	return failed > 0 ? 1 : 0;
}

static const struct option lookup_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "geoip-country", required_argument, NULL, OPT_GEOIP_COUNTRY },
	{ "geoip-asn", required_argument, NULL, OPT_GEOIP_ASN },
	{ "jurisdictions", required_argument, NULL, OPT_JURISDICTIONS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
cmd_lookup(int argc, char **argv)
{
	struct audit_args a;
	struct lookup_config lc;
	char err[512];
	int ch, r;

	memset(&a, 0, sizeof(a));
	memset(&lc, 0, sizeof(lc));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lookup_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			lc.json = true;
			break;
		case OPT_GEOIP_COUNTRY:
			a.pc.geoip_country = optarg;
			break;
		case OPT_GEOIP_ASN:
			a.pc.geoip_asn = optarg;
			break;
		case OPT_JURISDICTIONS:
			a.pc.jurisdictions_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		log_warnx("lookup: no address given");
		usage(stderr);
		return 2;
	}
	a.no_apps = true;
	a.no_pii = true;
	apply_defaults(&a);
	if (a.pc.geoip_country == NULL && a.pc.geoip_asn == NULL)
		log_warnx("lookup: no GeoIP database (run scripts/fetch-geoip.sh "
		    "or give --geoip-country/--geoip-asn)");
	lc.geoip_country = a.pc.geoip_country;
	lc.geoip_asn = a.pc.geoip_asn;
	lc.jurisdictions_path = a.pc.jurisdictions_path;
	r = lookup_run(&lc, argv + optind, argc - optind, stdout, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s", err);
		return 1;
	}
	return r;
}

/*
 * The per-run hash key.  OUTFLOW_HASH_SEED (a number) fixes it, to replay
 * a run exactly; output never depends on it, tables are sorted to print.
 */
static void
seed_hashes(void)
{
	const char *env = getenv("OUTFLOW_HASH_SEED");
	struct timespec ts;
	uint64_t v;
	char *end;

	if (env != NULL && env[0] != '\0') {
		errno = 0;
		v = strtoull(env, &end, 0);
		if (errno == 0 && *end == '\0') {
			hash_seed_set(v, v * 0x9e3779b97f4a7c15ULL + 1);
			return;
		}
		log_warnx("OUTFLOW_HASH_SEED is not a number, ignored");
	}
	if (hash_seed_init() == 0)
		return;
	/* No entropy yet (early boot): tables still work, only less
	 * resistant to a peer aiming collisions. */
	log_warnx("getrandom: no entropy, hash key from the clock");
	clock_gettime(CLOCK_REALTIME, &ts);
	hash_seed_set((uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec,
	    (uint64_t)getpid());
}

int
main(int argc, char **argv)
{
	log_init("outflow", LOG_LVL_INFO, false);
	seed_hashes();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return cmd_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("outflow %s\n", OUTFLOW_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	log_warnx("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return 2;
}
