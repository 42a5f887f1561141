/*
 * cmd_audit.c - `outflow audit`: capture files or live interfaces through the
 * pipeline, with the event stream and the summary as outputs.
 *
 * Exit codes: 0 success (malformed packets are counted, not fatal),
 * 1 nothing could be read, a file could not be loaded, or an output
 * (events, summary) could not be written in full, 2 usage.
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
#include <unistd.h>

#include "policy.h"
#include "summary_output.h"
#include "capture.h"
#include "cmd.h"
#include "eve.h"
#include "log.h"
#include "pii.h"
#include "pipeline.h"
#include "store.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

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
	{ OPT_STORE_RETENTION, "store-retention", 1, 36500 },	/* days */
	{ OPT_STORE_MAX_SIZE, "store-max-size", 1, 1ul << 20 },	/* MiB */
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

static int
audit_parse(int argc, char **argv, struct audit_args *a)
{
	unsigned long v;
	int ch;

	pipeline_config_defaults(&a->pc);
	a->fail_on = -1;
	a->eve_dns = a->eve_http = true;
	a->live.promisc = true;
	a->top = 20;
	store_options_defaults(&a->store_opt);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qi:f:s:B:h", audit_opts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_EVE:
			a->eve_path = optarg;
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
			a->secret = optarg;
			break;
		case OPT_RAW_EVIDENCE:
			a->pc.raw_evidence = true;
			break;
		case OPT_NO_PII:
			a->no_pii = true;
			break;
		case OPT_RULES_DIR:
		case OPT_RULES:
		case OPT_RULESET:
		case OPT_NO_RULESET:
		case OPT_NO_POLICY:
		case OPT_HOME_COUNTRY:
		case OPT_FAIL_ON:
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
		case OPT_STORE_RETENTION:
		case OPT_STORE_MAX_SIZE:
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
			else if (ch == OPT_STORE_RETENTION)
				a->store_opt.retention_days = (uint32_t)v;
			else if (ch == OPT_STORE_MAX_SIZE)
				a->store_opt.max_bytes = (uint64_t)v << 20;
			else if (ch == OPT_DNS_CACHE)
				a->pc.dns_cache_entries = (uint32_t)v;
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
	if ((argc - optind > 0) == (a->n_ifaces > 0)) {
		log_warnx(a->n_ifaces ? "give capture files or interfaces, not both"
		    : "no capture file or interface given");
		usage(stderr);
		return -EINVAL;
	}
	return apply_defaults(a) != 0 ? -ENOENT : 0;
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
	uint64_t start = wall_us(), total = 0, flushed = start;
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
		/* Events reach a live reader within a second, in batches. */
		if (wall_us() - flushed >= 1000000) {
			pipeline_flush(p);
			flushed = wall_us();
		}
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

/*
 * The per-install evidence key, read once: every configuration of the
 * run (reloads included) hashes with it.  false: a key for this run only.
 */
static int
load_secret(const struct audit_args *a, uint8_t key[PII_SECRET_LEN],
    bool *ret_have)
{
	char err[512];

	*ret_have = false;
	if (a->no_pii || a->secret == NULL)
		return 0;
	if (pii_secret_load_or_create(a->secret, key, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	*ret_have = true;
	return 0;
}

/* The outputs the options ask for; the pipeline owns them once added. */
static int
add_outputs(struct pipeline *p, const struct audit_args *a)
{
	char err[512];

	if (a->eve_path != NULL) {
		struct eve_options eo = { .dns = a->eve_dns, .http = a->eve_http,
		    .community_id_seed = a->community_id_seed };
		struct eve *e;
		char host[256];

		/* observer.*: this host, and the interface when there is one
		 * (with several, a flow's interface is not known; files have
		 * none). */
		if (a->hostname != NULL) {
			eo.hostname = a->hostname;
		} else if (gethostname(host, sizeof(host)) == 0) {
			host[sizeof(host) - 1] = '\0';
			eo.hostname = host;
		}
		if (a->n_ifaces == 1)
			eo.interface = a->ifaces[0];

		if (eve_open(a->eve_path, &eo, &e, err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		if (pipeline_add_output(p, &eve_output_ops, e) != 0)
			return -1;
	}
	if (a->store_path != NULL) {
		struct store *st;

		if (store_open(a->store_path, &a->store_opt, &st, err,
		    sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		if (pipeline_add_output(p, &store_output_ops, st) != 0)
			return -1;
	}
	if (!a->quiet) {
		/* With the event stream on stdout, the summary goes to stderr. */
		FILE *out = a->eve_path != NULL && strcmp(a->eve_path, "-") == 0 ?
		    stderr : stdout;
		struct summary_output *s = summary_output_new(out, a->json,
		    (unsigned)a->top);

		if (s == NULL) {
			log_warnx("out of memory for the summary");
			return -1;
		}
		if (pipeline_add_output(p, &summary_output_ops, s) != 0)
			return -1;
	}
	return 0;
}

/* Every rule error is said, not only the first. */
static void
policy_error(void *arg, const char *msg)
{
	unsigned *n = arg;

	log_warnx("%s", msg);
	(*n)++;
}

int
cmd_audit(int argc, char **argv)
{
	struct audit_args a;
	struct conf *conf;
	struct pipeline *p;
	struct sigaction sa;
	uint8_t key[PII_SECRET_LEN];
	bool have_key;
	char err[512];
	uint64_t read, packets, errors, by_severity[SEVERITY__COUNT];
	const char *lost = NULL;
	unsigned rule_errors = 0;
	int failed = 0, r, werr = 0;
	bool fail_hit = false;

	memset(&a, 0, sizeof(a));
	if ((r = audit_parse(argc, argv, &a)) != 0)
		return r == -ENOENT ? 1 : 2;
	if (load_secret(&a, key, &have_key) != 0)
		return 1;
	a.pc.on_policy_error = policy_error;
	a.pc.policy_error_arg = &rule_errors;
	r = conf_load(&a.pc, have_key ? key : NULL, &conf, err, sizeof(err));
	explicit_bzero(key, sizeof(key));
	if (r != 0) {
		if (rule_errors == 0)
			log_warnx("%s", err);
		return 1;
	}
	r = pipeline_new(conf, &p, err, sizeof(err));
	conf_unref(conf);
	if (r != 0) {
		log_warnx("%s", err);
		return 1;
	}
	if (add_outputs(p, &a) != 0) {
		pipeline_free(p);
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
	/* Statistics (and so the summary) only for a run that read something. */
	if (!(read == 0 && failed > 0)) {
		pipeline_finish(p);
		werr = pipeline_output_error(p, &lost);
	}
	pipeline_packet_counts(p, &packets, &errors);
	pipeline_finding_counts(p, by_severity);
	for (int i = a.fail_on; i >= 0 && i < SEVERITY__COUNT; i++)
		fail_hit |= by_severity[i] > 0;
	pipeline_free(p);
	if (werr != 0) {
		/* Events or the summary lost: the run is not complete. */
		if (strcmp(lost, "eve") == 0)
			log_warnx("--eve %s: events were lost: %s", a.eve_path,
			    strerror(-werr));
		else
			log_warnx("%s: output was lost: %s", lost,
			    strerror(-werr));
		return 1;
	}
	if (read == 0 && failed > 0) {
		log_warnx("nothing could be read");
		return 1;
	}
	if (errors > 0 && !a.quiet && !a.json)
		log_info("%llu of %llu packets were malformed or truncated and "
		    "skipped (see \"Parse errors\")", (unsigned long long)errors,
		    (unsigned long long)packets);
	if (failed > 0)
		return 1;
	return fail_hit ? 3 : 0;
}
