/*
 * cmd_audit.c - `outflow audit`: capture files or live interfaces through the
 * pipeline, with the event stream and the summary as outputs.
 *
 * Exit codes: 0 success (malformed packets are counted, not fatal),
 * 1 nothing could be read, a file could not be loaded, or an output
 * (events, summary, store) could not be written in full, 2 usage,
 * 3 --fail-on SEVERITY was given and a finding that severe was made.
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

#include "capture.h"
#include "cmd.h"
#include "log.h"
#include "pii.h"
#include "pipeline.h"
#include "policy.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
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

int
cmd_audit(int argc, char **argv)
{
	struct audit_args a;
	struct pipeline *p;
	struct sigaction sa;
	uint8_t key[PII_SECRET_LEN];
	bool have_key;
	uint64_t read, packets, errors, by_severity[SEVERITY__COUNT];
	const char *lost = NULL;
	int failed = 0, r, werr = 0;
	bool fail_hit = false;

	if ((r = args_parse(argc, argv, CMD_AUDIT, &a)) != 0) {
		args_free(&a);
		return r == -ENOENT ? 1 : 2;
	}
	if (load_secret(&a, key, &have_key) != 0) {
		args_free(&a);
		return 1;
	}
	r = setup_pipeline(&a, have_key ? key : NULL, &p);
	explicit_bzero(key, sizeof(key));
	if (r != 0) {
		args_free(&a);
		return 1;
	}
	if (add_outputs(p, &a, NULL) != 0) {
		pipeline_free(p);
		args_free(&a);
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
		args_free(&a);
		return 1;
	}
	args_free(&a);
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
