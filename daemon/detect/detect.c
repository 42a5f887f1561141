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
#include <stdlib.h>
#include <string.h>

#include "applayer.h"
#include "detect.h"
#include "hash.h"

struct detect {
	struct pii_engine *pii;
	struct detect_config cfg;
	struct pii_result res;		/* scratch: large */
};

int
detect_new(const struct detect_config *c, struct detect **ret, char *err,
    size_t errlen)
{
	struct pii_config pc;
	struct detect *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	memset(&pc, 0, sizeof(pc));
	pc.rules_path = c->rules_path;
	pc.permissions_path = c->permissions_path;
	pc.identities_path = c->identities_path;
	pc.secret_path = c->secret_path;
	pc.raw_evidence = c->raw_evidence;
	if ((r = pii_engine_new(&pc, &d->pii, err, errlen)) != 0) {
		free(d);
		return r;
	}
	d->cfg = *c;
	*ret = d;
	return 0;
}

struct detect *
detect_free(struct detect *d)
{
	if (d == NULL)
		return NULL;
	pii_engine_free(d->pii);
	free(d);
	return NULL;
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
remember(struct flow_data *fd, const struct pii_obs *o)
{
	uint8_t i;

	for (i = 0; i < fd->n_categories; i++)
		if (strcmp(fd->categories[i], o->category) == 0)
			break;
	if (i == fd->n_categories && i < FLOW_DATA_MAX_CATEGORIES) {
		fd->categories[i] = o->category;
		fd->permissions[i] = o->permission_android;
		fd->n_categories++;
	}
	if (o->identity == NULL)
		return;
	for (i = 0; i < fd->n_identities; i++)
		if (strcmp(fd->identities[i], o->identity) == 0)
			return;
	if (i < FLOW_DATA_MAX_IDENTITIES) {
		fd->identities[i] = o->identity;
		fd->n_identities++;
	}
}

/* Report the distinct new observations of d->res on flow f. */
static void
report(struct detect *d, struct flow *f, struct flow_data *fd, uint64_t ts_us)
{
	for (size_t i = 0; i < d->res.n; i++) {
		const struct pii_obs *o = &d->res.obs[i];
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
		remember(fd, o);
		if (d->cfg.on_obs != NULL)
			d->cfg.on_obs(f, o, ts_us, d->cfg.ctx);
	}
}

void
detect_http(struct detect *d, struct flow *f, const struct http_request *req,
    uint64_t ts_us)
{
	struct flow_data *fd = data_get(f);

	if (fd == NULL)
		return;
	pii_scan_http_flow(d->pii, req, &fd->budget, &d->res);
	report(d, f, fd, ts_us);
}

void
detect_dns_query(struct detect *d, struct flow *f, const char *qname,
    uint64_t ts_us)
{
	struct flow_data *fd;

	pii_scan_dns_name(d->pii, qname, &d->res);
	if (d->res.n == 0 || (fd = data_get(f)) == NULL)
		return;
	fd->dns_name_sensitive = true;
	report(d, f, fd, ts_us);
}

bool
detect_dns_name_sensitive(struct detect *d, const char *qname)
{
	pii_scan_dns_name(d->pii, qname, &d->res);
	return d->res.n > 0;
}

const struct flow_data *
detect_flow_data(const struct flow *f)
{
	return f->app != NULL ? f->app->data : NULL;
}

size_t
detect_identity_count(const struct detect *d)
{
	return pii_identity_count(d->pii);
}

void
detect_get_stats(const struct detect *d, struct pii_stats *ret)
{
	pii_get_stats(d->pii, ret);
}

bool
detect_raw_evidence(const struct detect *d)
{
	return d->cfg.raw_evidence;
}
