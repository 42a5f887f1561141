/*
 * detect.c - personal-data detection over flows.
 *
 * The detectors see every HTTP request the app layer parses and every
 * DNS name a client asks for.  An observation is reported once per flow:
 * an app that sends the same advertising ID in each of 200 requests gives
 * one observation and 199 repeats, so the event stream counts what was
 * sent rather than how chatty the app is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "detect.h"
#include "hash.h"
#include "home.h"

/* Distinct labels and permissions kept for flows, over all reloads. */
#define DETECT_MAX_INTERNED 4096

struct detect {
	struct pii_scanner *scan;	/* over the configuration's engine */
	const struct pii_engine *engine;	/* the same, for its rules */
	struct home_tracker *homes;	/* nights per device and cell: the
					 * pipeline's, across reloads */
	struct pii_result home_res;	/* scratch: location.home found */
	detect_obs_cb *on_obs;
	void *ctx;
	char **interned;
	size_t n_interned;
	struct pii_result res;		/* scratch: large */
	struct pii_result name_res;	/* scratch of the checks records make
					 * while res is being reported */
};

struct detect *
detect_new(const struct pii_engine *pii, detect_obs_cb *on_obs, void *ctx)
{
	struct detect *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((d->interned = calloc(DETECT_MAX_INTERNED,
	    sizeof(*d->interned))) == NULL ||
	    pii_scanner_new(pii, &d->scan) != 0 ||
	    (d->homes = home_tracker_new(DETECT_HOME_MAX_CELLS)) == NULL)
		return detect_free(d);
	d->engine = pii;
	d->on_obs = on_obs;
	d->ctx = ctx;
	return d;
}

struct detect *
detect_free(struct detect *d)
{
	if (d == NULL)
		return NULL;
	for (size_t i = 0; d->interned != NULL && i < d->n_interned; i++)
		free(d->interned[i]);
	free(d->interned);
	pii_scanner_free(d->scan);
	home_tracker_free(d->homes);
	free(d);
	return NULL;
}

int
detect_set_engine(struct detect *d, const struct pii_engine *pii)
{
	int r = pii_scanner_set_engine(d->scan, pii);

	/* the nights counted so far stay: a reload is not a new home */
	if (r == 0)
		d->engine = pii;
	return r;
}

void
detect_home_stats(const struct detect *d, struct detect_home_stats *ret)
{
	struct home_stats hs;

	home_tracker_stats(d->homes, &hs);
	ret->cells = hs.cells;
	ret->max_cells = hs.max_cells;
	ret->dropped = hs.dropped;
}

void
detect_pii_stats(const struct detect *d, struct pii_stats *ret)
{
	pii_get_stats(d->scan, ret);
}

/*
 * A copy of s that lives as long as the pipeline.  Labels and permissions
 * come from packs a person wrote, so there are few; past the cap (a
 * daemon reloaded with ever new labels) NULL, and the flow just does not
 * name it.
 */
static const char *
intern(struct detect *d, const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < d->n_interned; i++)
		if (strcmp(d->interned[i], s) == 0)
			return d->interned[i];
	if (d->n_interned == DETECT_MAX_INTERNED || (c = strdup(s)) == NULL)
		return NULL;
	d->interned[d->n_interned++] = c;
	return c;
}

static struct flow_data *
data_get(struct flow *f)
{
	struct flow_app *a = f->app;

	if (a == NULL)
		return NULL;
	if (a->data == NULL)
		a->data = calloc(1, sizeof(*a->data));
	return a->data;
}

/*
 * Observations are told apart by a keyed 64-bit hash of their parts, not
 * kept whole: a peer cannot aim a collision at an unknown key, and a
 * chance one is about 2^-64 per pair.
 */
static uint64_t
obs_hash(const struct pii_obs *o)
{
	const char *parts[4] = { o->category, o->location, o->hmac,
	    o->identity ? o->identity : "" };
	uint64_t h = 0;

	for (int i = 0; i < 4; i++)
		h = hash_mix(h, hash_str(parts[i]));
	return h;
}

static void
remember(struct detect *d, struct flow_data *fd, const struct pii_obs *o)
{
	const char *label;
	uint8_t i;

	for (i = 0; i < fd->n_categories; i++)
		if (strcmp(fd->categories[i], o->category) == 0)
			break;
	if (i == fd->n_categories && i < FLOW_DATA_MAX_CATEGORIES) {
		fd->categories[i] = o->category;
		fd->permissions[i] = intern(d, o->permission_android);
		fd->n_categories++;
	}
	if (o->identity == NULL)
		return;
	for (i = 0; i < fd->n_identities; i++)
		if (strcmp(fd->identities[i], o->identity) == 0)
			return;
	if (i < FLOW_DATA_MAX_IDENTITIES &&
	    (label = intern(d, o->identity)) != NULL) {
		fd->identities[i] = label;
		fd->n_identities++;
	}
}

/* Report the distinct new observations of res on flow f. */
static void
report(struct detect *d, struct flow *f, struct flow_data *fd,
    const struct pii_result *res, uint64_t ts_us)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct pii_obs *o = &res->obs[i];
		uint64_t h = obs_hash(o);
		bool seen = false;

		for (uint8_t j = 0; j < fd->n_seen; j++)
			if (fd->seen[j] == h)
				seen = true;
		if (seen) {
			fd->repeats++;
			continue;
		}
		/* Past FLOW_DATA_MAX_SEEN, repeats are reported again. */
		if (fd->n_seen < FLOW_DATA_MAX_SEEN)
			fd->seen[fd->n_seen++] = h;
		fd->observations++;
		remember(d, fd, o);
		if (d->on_obs != NULL)
			d->on_obs(f, o, ts_us, d->ctx);
	}
}

/* The client device of f, as a keyed hash: its MAC, or its address. */
static uint64_t
device_key(const struct flow *f)
{
	struct addr a;
	uint16_t port;

	if (f->has_mac)
		return hash_bytes(f->client_mac, sizeof(f->client_mac));
	flow_client(f, &a, &port);
	return hash_bytes(&a, sizeof(a));
}

/*
 * Precise coordinates of this request into the night counts of its
 * device; a cell seen on enough nights is reported as location.home
 * ("a location that looks like home"), by day as well.
 */
static void
home_pass(struct detect *d, struct flow *f, struct flow_data *fd,
    uint64_t ts_us)
{
	struct pii_home_rules hr;
	uint64_t device = 0;

	pii_home_rules(d->engine, &hr);
	if (!hr.enabled)
		return;
	d->home_res.n = 0;
	d->home_res.cut = false;
	for (size_t i = 0; i < d->res.n; i++) {
		const struct pii_obs *o = &d->res.obs[i];
		struct pii_obs *h;
		unsigned nights;

		if (o->cell == 0 || o->identity != NULL)
			continue;
		if (device == 0)
			device = device_key(f);
		nights = home_tracker_see(d->homes, device, o->cell, ts_us, &hr);
		if (nights < hr.min_nights ||
		    d->home_res.n >= PII_MAX_OBS_PER_MSG)
			continue;
		h = &d->home_res.obs[d->home_res.n++];
		*h = *o;
		h->category = "location.home";
		h->encoding = "nights";
		h->confidence = hr.confidence;
		snprintf(h->masked, sizeof(h->masked), "a location that looks "
		    "like home (%u nights)", nights);
		pii_category_permissions(d->engine, h->category,
		    &h->permission_android, &h->permission_ios);
	}
	if (d->home_res.n > 0)
		report(d, f, fd, &d->home_res, ts_us);
}

void
detect_http(struct detect *d, struct flow *f, const struct http_request *req,
    uint64_t ts_us)
{
	struct flow_data *fd = data_get(f);

	if (fd == NULL)
		return;
	pii_scan_http_flow(d->scan, req, &fd->budget, &d->res);
	report(d, f, fd, &d->res, ts_us);
	home_pass(d, f, fd, ts_us);
}

void
detect_dns_query(struct detect *d, struct flow *f, const char *qname,
    uint64_t ts_us)
{
	struct flow_data *fd;

	pii_scan_dns_name(d->scan, qname, &d->res);
	if (d->res.n == 0 || (fd = data_get(f)) == NULL)
		return;
	fd->dns_name_sensitive = true;
	report(d, f, fd, &d->res, ts_us);
}

void
detect_server_name(struct detect *d, struct flow *f, const char *name,
    const char *source, uint64_t ts_us)
{
	struct flow_data *fd;

	if (name == NULL)
		return;
	pii_scan_server_name(d->scan, name, source, &d->res);
	if (d->res.n == 0 || (fd = data_get(f)) == NULL)
		return;
	fd->server_name_sensitive = true;
	report(d, f, fd, &d->res, ts_us);
}

bool
detect_dns_name_sensitive(struct detect *d, const char *qname)
{
	pii_scan_dns_name(d->scan, qname, &d->name_res);
	return d->name_res.n > 0;
}

bool
detect_mask_text(const struct detect *d, char *text, size_t n)
{
	return pii_mask_text(d != NULL ? d->scan : NULL, text, n);
}

const struct flow_data *
detect_flow_data(const struct flow *f)
{
	return f->app != NULL ? f->app->data : NULL;
}

void
detect_flow_end(struct flow *f)
{
	if (f->app == NULL)
		return;
	free(f->app->data);
	f->app->data = NULL;
}
