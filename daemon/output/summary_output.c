/*
 * summary_output.c - the summary behind the output interface: flow
 * records fill the row model, the run's statistics print it.
 */
#include <errno.h>
#include <stdlib.h>

#include "summary.h"
#include "summary_output.h"

struct summary_output {
	struct summary_model *m;
	FILE *fp;
	bool json;
	unsigned top;
	int io_err;		/* -errno when printing the summary failed */
};

struct summary_output *
summary_output_new(FILE *fp, bool json, unsigned top)
{
	struct summary_output *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	if ((o->m = summary_new()) == NULL) {
		free(o);
		return NULL;
	}
	o->fp = fp;
	o->json = json;
	o->top = top;
	return o;
}

static void
out_flow(void *ctx, const struct flow_record *r)
{
	struct summary_output *o = ctx;

	summary_flow(o->m, r);
}

static void
copy_counters(struct summary_counter *dst, const struct run_counter *src,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[i].name = src[i].name;
		dst[i].value = src[i].value;
	}
}

static void
out_stats(void *ctx, const struct run_stats *s)
{
	struct summary_output *o = ctx;
	struct summary_totals t = {
		.files = s->files, .packets = s->packets, .bytes = s->bytes,
		.first_us = s->first_us, .last_us = s->last_us,
		.flows = s->flows, .peak_flows = s->peak_flows,
		.max_flows = s->max_flows, .events = s->events,
		.event_write_errors = s->event_write_errors,
		.n_decode = s->n_decode, .n_anomalies = s->n_anomalies,
		.n_applayer = s->n_applayer,
		.geoip_country_desc = s->geoip_country_desc,
		.geoip_attribution = s->geoip_attribution,
		.apps_loaded = s->apps_loaded, .pii_enabled = s->pii_enabled,
		.pii_identities = s->pii_identities,
		.pii_observations = s->pii_observations,
		.pii_bytes_scanned = s->pii_bytes_scanned,
		.pii_bytes_cut = s->pii_bytes_cut,
		.raw_evidence = s->raw_evidence,
	};
	struct summary_counter *dec, *anom, *al;

	dec = calloc(s->n_decode + 1, sizeof(*dec));
	anom = calloc(s->n_anomalies + 1, sizeof(*anom));
	al = calloc(s->n_applayer + 1, sizeof(*al));
	if (dec == NULL || anom == NULL || al == NULL)
		goto out;
	for (int i = 0; i < FLOW_END__COUNT; i++)
		t.flows_ended[i] = s->flows_ended[i];
	copy_counters(dec, s->decode, s->n_decode);
	copy_counters(anom, s->anomalies, s->n_anomalies);
	copy_counters(al, s->applayer, s->n_applayer);
	t.decode = dec;
	t.anomalies = anom;
	t.applayer = al;
	summary_set_totals(o->m, &t);
	summary_sort(o->m);
	if (o->json)
		summary_print_json(o->m, o->fp, o->top);
	else
		summary_print_text(o->m, o->fp, o->top);
	/* A summary cut short by a full disk must not pass for whole. */
	errno = 0;
	if ((fflush(o->fp) != 0 || ferror(o->fp)) && o->io_err == 0)
		o->io_err = errno != 0 ? -errno : -EIO;
out:
	if (dec == NULL || anom == NULL || al == NULL)
		o->io_err = -ENOMEM;
	free(dec);
	free(anom);
	free(al);
}

static int
out_write_error(const void *ctx)
{
	const struct summary_output *o = ctx;

	return o->io_err;
}

static void
out_close(void *ctx)
{
	struct summary_output *o = ctx;

	if (o == NULL)
		return;
	summary_free(o->m);
	free(o);
}

const struct output_ops summary_output_ops = {
	.name = "summary",
	.flow = out_flow,
	.stats = out_stats,
	.write_error = out_write_error,
	.close = out_close,
};
