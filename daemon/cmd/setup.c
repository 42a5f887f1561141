/*
 * setup.c - what `audit` and `run` do alike before the first packet:
 * the evidence key, the configuration and pipeline, the outputs (event
 * stream to a file and to syslog, store, summary).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "eve.h"
#include "log.h"
#include "pii.h"
#include "pipeline.h"
#include "store.h"
#include "summary_output.h"
#include "syslog_out.h"

/*
 * The per-install evidence key, read once: every configuration of the
 * run (reloads included) hashes with it.  false: a key for this run only.
 */
int
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

/*
 * The event stream to a syslog collector: the same events as the file,
 * each an RFC 5424 message (syslog_out.h).
 */
static int
add_syslog(struct pipeline *p, const struct audit_args *a,
    const struct eve_options *eo)
{
	struct syslog_out_options so = {
		.facility = a->syslog_facility,
		.hostname = eo->hostname,
		.max_message = a->syslog_max_message,
		.queue_bytes = a->syslog_queue_kib << 10,
	};
	struct syslog_out *s;
	struct eve *e;
	char err[512];

	if (syslog_target_parse(a->syslog, &so.target, err, sizeof(err)) != 0) {
		log_warnx("syslog %s: %s", a->syslog, err);
		return -1;
	}
	if (syslog_out_open(&so, &s, err, sizeof(err)) != 0 ||
	    eve_open_sink(&syslog_sink_ops, s, eo, &e, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	return pipeline_add_output(p, &eve_output_ops, e) != 0 ? -1 : 0;
}

/* The outputs the options ask for; the pipeline owns them once added. */
int
add_outputs(struct pipeline *p, const struct audit_args *a, struct eve **ret_eve)
{
	struct eve_options eo = { .dns = a->eve_dns, .http = a->eve_http,
	    .community_id_seed = a->community_id_seed };
	char err[512], host[256];

	/* observer.*: this host, and the interface when there is one (with
	 * several, a flow's interface is not known; files have none). */
	if (a->hostname != NULL) {
		eo.hostname = a->hostname;
	} else if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		eo.hostname = host;
	}
	if (a->n_ifaces == 1)
		eo.interface = a->ifaces[0];
	if (a->kind == CMD_RUN)
		eo.stats = true;
	if (a->syslog != NULL && add_syslog(p, a, &eo) != 0)
		return -1;
	if (a->eve_path != NULL) {
		struct eve *e;

		if (eve_open(a->eve_path, &eo, &e, err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		if (pipeline_add_output(p, &eve_output_ops, e) != 0)
			return -1;
		if (ret_eve != NULL)
			*ret_eve = e;
	}
	if (a->store_path != NULL) {
		struct store_options so = a->store_opt;
		struct store *st;

		so.from_files = a->kind == CMD_AUDIT || a->n_replay > 0;
		if (store_open(a->store_path, &so, &st, err,
		    sizeof(err)) != 0) {
			log_warnx("%s", err);
			return -1;
		}
		if (pipeline_add_output(p, &store_output_ops, st) != 0)
			return -1;
	}
	/* A daemon prints no summary: its statistics are events and log. */
	if (!a->quiet && a->kind == CMD_AUDIT) {
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


/* Every rule error is said, each FILE:LINE:COL:, not only the first. */
static void
policy_error(void *arg, const char *msg)
{
	unsigned *n = arg;

	log_warnx("%s", msg);
	(*n)++;
}

int
load_conf(const struct audit_args *a, const uint8_t *key, struct conf **ret)
{
	struct pipeline_config pc = a->pc;
	unsigned rule_errors = 0;
	char err[512];

	pc.on_policy_error = policy_error;
	pc.policy_error_arg = &rule_errors;
	if (conf_load(&pc, key, ret, err, sizeof(err)) != 0) {
		/* The rules' errors were said one by one already. */
		if (rule_errors == 0)
			log_warnx("%s", err);
		return -1;
	}
	return 0;
}

int
setup_pipeline(const struct audit_args *a, const uint8_t *key,
    struct pipeline **ret)
{
	struct conf *conf;
	char err[512];
	int r;

	if (load_conf(a, key, &conf) != 0)
		return -1;
	r = pipeline_new(conf, ret, err, sizeof(err));
	conf_unref(conf);
	if (r != 0) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}
