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

	/* A flow counts once, when it ends: interim records are skipped. */
	if (r->ended)
		summary_flow(o->m, r);
}

static void
out_finding(void *ctx, const struct finding_record *fr)
{
	struct summary_output *o = ctx;

	summary_finding(o->m, fr);
}

static void
out_stats(void *ctx, const struct run_stats *s)
{
	struct summary_output *o = ctx;

	/* A summary is printed once, at the end of the run. */
	if (!s->final)
		return;
	/* The counters s points to live until this call returns. */
	summary_set_totals(o->m, s);
	summary_sort(o->m);
	if (o->json)
		summary_print_json(o->m, o->fp, o->top);
	else
		summary_print_text(o->m, o->fp, o->top);
	/* A summary cut short by a full disk must not pass for whole. */
	errno = 0;
	if ((fflush(o->fp) != 0 || ferror(o->fp)) && o->io_err == 0)
		o->io_err = errno != 0 ? -errno : -EIO;
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
	.finding = out_finding,
	.stats = out_stats,
	.write_error = out_write_error,
	.close = out_close,
};
