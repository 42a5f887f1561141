/*
 * cmd_run.c - `outflow run`: the daemon.  Live capture on one or more
 * interfaces (or -r FILE, replayed through the same loop), the whole
 * pipeline, the event stream with periodic outflow.stats events, findings
 * and the store.
 *
 * Order at start (STYLE.md, 17): configuration, per-install key, packs
 * and databases, outputs and captures are opened first; then privileges
 * are dropped (to the configured user when started as root, or every
 * capability when started as a user holding some); only then is the
 * first packet read.
 *
 * One thread polls every capture handle: a flow seen on two interfaces
 * (a router's LAN and WAN) is one flow, the DNS cache that names flows
 * is shared, and a router has one or two cores to give.  The
 * configuration is ready for a pipeline per interface on threads
 * (conf.h) should one core stop being enough.
 *
 * Signal handlers only set flags; the loop acts on them between batches:
 * SIGHUP reloads (configuration file, rules, identities, GeoIP) and
 * reopens the event file, SIGUSR1 logs statistics, SIGTERM and SIGINT
 * end every flow, write the last events and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buildconf.h"
#include "capture.h"
#include "cmd.h"
#include "eve.h"
#include "log.h"
#include "notify.h"
#include "pii.h"
#include "pipeline.h"
#include "privdrop.h"

/* The user a daemon started as root becomes when none is configured. */
#define DEFAULT_USER "outflow"
/* Kernel capture buffer of a daemon when none is configured, MiB. */
#define DEFAULT_BUFFER_MIB 16

static volatile sig_atomic_t got_term, got_hup, got_usr1;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

struct run {
	int argc;
	char **argv;
	struct audit_args a;
	struct pipeline *p;
	struct eve *eve;		/* owned by the pipeline */
	uint8_t key[PII_SECRET_LEN];	/* read once, for every reload */
	bool have_key;
	struct capture *caps[MAX_IFACES];
	int n_caps;
	bool log_next_stats;		/* the log output logs them */
	uint64_t reloads, reload_failures;
};

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * An output that writes statistics to the log: on SIGUSR1 and at the end.
 * It sees the same run_stats as the event stream, through output.h.
 */
static void
log_stats(void *ctx, const struct run_stats *s)
{
	struct run *r = ctx;
	uint64_t packets, errors;

	if (!s->final && !r->log_next_stats)
		return;
	pipeline_packet_counts(r->p, &packets, &errors);
	log_info("statistics%s: %llu packets (%llu captured, %llu dropped by "
	    "the kernel, %llu by the interface), %llu malformed; flows %u "
	    "active, %u peak of %u, %llu created, %llu evicted; %llu events "
	    "written, %llu lost; %llu reloads, %llu refused",
	    s->final ? " (final)" : "",
	    (unsigned long long)packets,
	    (unsigned long long)s->capture_received,
	    (unsigned long long)s->capture_kernel_drops,
	    (unsigned long long)s->capture_if_drops,
	    (unsigned long long)errors, s->active_flows, s->peak_flows,
	    s->max_flows, (unsigned long long)s->flows,
	    (unsigned long long)s->flows_ended[FLOW_END_EVICTED],
	    (unsigned long long)s->events,
	    (unsigned long long)s->event_write_errors,
	    (unsigned long long)r->reloads,
	    (unsigned long long)r->reload_failures);
}

static const struct output_ops log_output_ops = {
	.name = "log",
	.stats = log_stats,
};

/* What the captures counted so far, to the pipeline's statistics. */
static void
update_capture_counts(struct run *r)
{
	uint64_t rx = 0, kd = 0, ifd = 0;

	for (int i = 0; i < r->n_caps; i++) {
		struct capture_stats cs;

		capture_get_stats(r->caps[i], &cs);
		rx += cs.packets;
		kd += cs.kernel_drops;
		ifd += cs.if_drops;
	}
	pipeline_set_capture_counts(r->p, rx, kd, ifd);
}

static void
report_stats(struct run *r, bool to_log)
{
	update_capture_counts(r);
	r->log_next_stats = to_log;
	pipeline_report_stats(r->p, wall_us());
	r->log_next_stats = false;
}

/* STATUS= for systemctl status: live counters. */
static void
notify_status(struct run *r)
{
	char buf[256];
	uint64_t packets, errors, kd = 0;

	if (!notify_available())
		return;
	pipeline_packet_counts(r->p, &packets, &errors);
	for (int i = 0; i < r->n_caps; i++) {
		struct capture_stats cs;

		capture_get_stats(r->caps[i], &cs);
		kd += cs.kernel_drops + cs.if_drops;
	}
	snprintf(buf, sizeof(buf), "STATUS=%llu packets, %llu dropped, %llu "
	    "malformed, %llu reloads", (unsigned long long)packets,
	    (unsigned long long)kd, (unsigned long long)errors,
	    (unsigned long long)r->reloads);
	notify_send(buf);
}

/*
 * SIGHUP: the same command line over the file as it is now, loaded
 * whole, policy rules included; any error (FILE:LINE:COL: for YAML and
 * rules, each rule error on its own line) keeps the configuration in
 * force.  Sizes (flow table, windows), interfaces and the paths of the
 * event file and the store are those of the start: they need a restart.
 */
static void
reload(struct run *r)
{
	struct audit_args na;
	struct conf *c;
	char err[512];
	int rc;

	notify_send("RELOADING=1");
	log_info("SIGHUP: reloading");
	if (r->eve != NULL && eve_reopen(r->eve, err, sizeof(err)) != 0)
		log_warnx("%s (events still go to the old file)", err);
	if (args_parse(r->argc, r->argv, CMD_RELOAD, &na) != 0) {
		log_warnx("not reloading: the configuration in force stays");
		goto fail;
	}
	if (load_conf(&na, r->have_key ? r->key : NULL, &c) != 0) {
		log_warnx("not reloading: the configuration in force stays");
		goto fail;
	}
	rc = pipeline_set_conf(r->p, c, err, sizeof(err));
	conf_unref(c);
	if (rc != 0) {
		log_warnx("not reloading: %s", err);
		goto fail;
	}
	args_free(&na);
	r->reloads++;
	log_info("configuration reloaded");
	notify_send("READY=1");
	return;
fail:
	args_free(&na);
	r->reload_failures++;
	notify_send("READY=1");
}

/* Hand path to uid:gid, without following a link planted in its place. */
static void
give_to(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fchown(fd, uid, gid) != 0 || (mode != 0 && fchmod(fd, mode) != 0))
		log_warn("%s: cannot hand it to the service user", path);
	close(fd);
}

/*
 * Started as root: the data directory, the key, the event file and the
 * store go to the user (not world-readable), then the user is become.
 * Started as a user with capabilities (systemd's AmbientCapabilities=):
 * they go.
 */
static int
drop_privileges(struct run *r)
{
	const char *user = r->a.user != NULL ? r->a.user : DEFAULT_USER;
	char err[512];
	struct stat st;
	uid_t uid;
	gid_t gid;
	int has;

	if (geteuid() == 0) {
		if (privdrop_lookup(user, &uid, &gid, err, sizeof(err)) != 0) {
			log_warnx("%s (user: in the configuration or --user "
			    "names the user to run as)", err);
			return -1;
		}
		/* The data directory only when the key lives there (the
		 * default): a --secret elsewhere leaves it alone. */
		if (r->have_key && r->a.secret != NULL &&
		    strncmp(r->a.secret, OUTFLOW_STATEDIR "/",
		    strlen(OUTFLOW_STATEDIR) + 1) == 0 &&
		    stat(OUTFLOW_STATEDIR, &st) == 0 && S_ISDIR(st.st_mode))
			give_to(OUTFLOW_STATEDIR, uid, gid, 0700);
		if (r->have_key && r->a.secret != NULL)
			give_to(r->a.secret, uid, gid, 0600);
		if (r->a.eve_path != NULL && strcmp(r->a.eve_path, "-") != 0 &&
		    stat(r->a.eve_path, &st) == 0 && S_ISREG(st.st_mode))
			give_to(r->a.eve_path, uid, gid, 0640);
		/* The store and SQLite's -wal and -shm beside it: the
		 * writer thread goes on writing them as the user. */
		if (r->a.store_path != NULL) {
			char side[4096];

			give_to(r->a.store_path, uid, gid, 0);
			snprintf(side, sizeof(side), "%s-wal", r->a.store_path);
			give_to(side, uid, gid, 0);
			snprintf(side, sizeof(side), "%s-shm", r->a.store_path);
			give_to(side, uid, gid, 0);
		}
		if (privdrop_to_user(user, err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		log_info("running as %s (uid %u), no capabilities", user,
		    (unsigned)uid);
		return 0;
	}
	if (r->a.user != NULL)
		log_info("not started as root: --user/user: %s ignored", user);
	if ((has = privdrop_has_caps()) > 0) {
		if (privdrop_caps(err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		log_info("capabilities dropped");
	} else if (has < 0) {
		log_warnx("cannot read capabilities: %s", strerror(-has));
		return -1;
	}
	return 0;
}

static int
open_captures(struct run *r)
{
	char err[512];

	for (int i = 0; i < r->a.n_ifaces; i++) {
		if (capture_open_live(r->a.ifaces[i], &r->a.live,
		    &r->caps[r->n_caps], err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		r->n_caps++;
	}
	for (int i = 0; i < r->a.n_replay; i++) {
		if (capture_open_file(r->a.replay[i], &r->caps[r->n_caps], err,
		    sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		r->n_caps++;
	}
	return 0;
}

/* When the loop next does each of its periodic jobs (wall clock, us). */
struct timers {
	uint64_t next_second, next_stats, next_interim, next_watchdog;
	uint64_t watchdog_us;
};

/* Between batches: what the signals and the clock ask for. */
static void
housekeeping(struct run *r, struct timers *t)
{
	uint64_t now = wall_us();

	if (got_hup) {
		got_hup = 0;
		reload(r);
	}
	if (got_usr1) {
		got_usr1 = 0;
		report_stats(r, true);
	}
	if (now >= t->next_second) {
		/* Live: idle flows end on the wall clock too. */
		if (r->a.n_ifaces > 0)
			pipeline_tick(r->p, now);
		pipeline_flush(r->p);
		notify_status(r);
		t->next_second = now + 1000000;
	}
	if (r->a.stats_interval > 0 && now >= t->next_stats) {
		report_stats(r, false);
		t->next_stats = now + r->a.stats_interval * 1000000;
	}
	/* Flows open for long are written as they are, every interval. */
	if (r->a.interim_interval > 0 && now >= t->next_interim) {
		pipeline_interim(r->p, r->a.n_ifaces > 0 ? now : 0,
		    r->a.interim_interval * 1000000);
		t->next_interim = now + r->a.interim_interval * 1000000;
	}
	if (t->watchdog_us > 0 && now >= t->next_watchdog) {
		notify_send("WATCHDOG=1");
		t->next_watchdog = now + t->watchdog_us / 2;
	}
}

/* The loop: every live handle polled, files read in chunks, in order. */
static int
run_loop(struct run *r)
{
	struct pollfd pfd[MAX_IFACES];
	uint64_t now = wall_us();
	struct timers t = {
		.next_second = now + 1000000,
		.next_stats = now + r->a.stats_interval * 1000000,
		.next_interim = now + r->a.interim_interval * 1000000,
		.next_watchdog = now,
		.watchdog_us = notify_watchdog_us(),
	};
	char err[512];
	int failed = 0;

	for (int i = 0; i < r->n_caps; i++) {
		pfd[i].fd = capture_fd(r->caps[i]);
		pfd[i].events = POLLIN;
	}
	if (r->a.n_replay > 0) {
		for (int i = 0; i < r->n_caps && !got_term; i++) {
			int n = 0;

			while (!got_term && (n = capture_dispatch(r->caps[i],
			    4096, pipeline_packets, r->p, err,
			    sizeof(err))) > 0)
				housekeeping(r, &t);
			/* A stream (a FIFO) read when SIGTERM came is
			 * interrupted: that is the stop asked for. */
			if (n < 0 && !got_term) {
				log_warnx("%s", err);
				failed = 1;
			}
			pipeline_file_done(r->p);
		}
		return failed;
	}
	while (!got_term) {
		int timeout = 1000;

		if (poll(pfd, (nfds_t)r->n_caps, timeout) < 0 &&
		    errno != EINTR) {
			log_warn("poll");
			return 1;
		}
		for (int i = 0; i < r->n_caps; i++) {
			if (capture_dispatch(r->caps[i], -1, pipeline_packets,
			    r->p, err, sizeof(err)) < 0) {
				log_warnx("%s", err);
				return 1;
			}
		}
		housekeeping(r, &t);
	}
	return 0;
}

static int
run_start(struct run *r)
{
	struct sigaction sa;

	if (load_secret(&r->a, r->key, &r->have_key) != 0 ||
	    setup_pipeline(&r->a, r->have_key ? r->key : NULL, &r->p) != 0)
		return -1;
	if (add_outputs(r->p, &r->a, &r->eve) != 0 ||
	    pipeline_add_output(r->p, &log_output_ops, r) != 0)
		return -1;
	if (r->a.n_ifaces > 0 && r->a.live.buffer_mib == 0)
		r->a.live.buffer_mib = DEFAULT_BUFFER_MIB;
	if (open_captures(r) != 0)
		return -1;
	if (drop_privileges(r) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A capture stream's (a FIFO's) blocked read goes on after these;
	 * poll() on live captures returns whatever the flag. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (r->a.n_ifaces > 0)
		log_info("capturing on %d interface%s", r->n_caps,
		    r->n_caps == 1 ? "" : "s");
	notify_send("READY=1");
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	struct run r;
	const char *lost = NULL;
	int rc, werr;

	memset(&r, 0, sizeof(r));
	r.argc = argc;
	r.argv = argv;
	if ((rc = args_parse(argc, argv, CMD_RUN, &r.a)) != 0) {
		args_free(&r.a);
		return rc == -ENOENT ? 1 : 2;
	}
	if (run_start(&r) != 0) {
		rc = 1;
		goto out;
	}
	rc = run_loop(&r);
	notify_send("STOPPING=1");
	update_capture_counts(&r);
	for (int i = 0; i < r.n_caps; i++) {
		struct capture_stats cs;

		capture_get_stats(r.caps[i], &cs);
		if (cs.kernel_drops > 0 || cs.if_drops > 0)
			log_warnx("%s: %llu packets dropped by the kernel, %llu "
			    "by the interface", capture_name(r.caps[i]),
			    (unsigned long long)cs.kernel_drops,
			    (unsigned long long)cs.if_drops);
	}
	/* Every flow ends and is written; the last statistics follow. */
	pipeline_finish(r.p);
	if ((werr = pipeline_output_error(r.p, &lost)) != 0) {
		log_warnx("%s: output was lost: %s", lost, strerror(-werr));
		rc = 1;
	}
out:
	for (int i = 0; i < r.n_caps; i++)
		capture_close(r.caps[i]);
	r.p = pipeline_free(r.p);
	explicit_bzero(r.key, sizeof(r.key));
	args_free(&r.a);
	return rc;
}
