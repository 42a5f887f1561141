/*
 * enrich.c - destination, operator, jurisdictions and app of a flow.
 *
 * A destination has up to three jurisdictions: where the server is (the
 * geolocated country), who runs the network (the operator's controlling
 * jurisdiction from the ASN table, so Tencent's AS45090 is CN even in
 * Frankfurt), and who makes the app (the vendor's).  All three are kept;
 * rules and reports choose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps.h"
#include "enrich.h"
#include "geoip.h"
#include "jurisdictions.h"
#include "tls.h"

struct enrich {
	struct geoip *geo;
	struct apps *apps;
	struct jurisdictions *jur;
	char attribution[512];
	char geo_desc[512];
};

/* Attribution lines written by scripts/fetch-geoip.sh next to the data. */
static void
read_attribution(struct enrich *e, const char *db_path)
{
	char path[4096], line[512];
	const char *slash = strrchr(db_path, '/');
	size_t dir = slash ? (size_t)(slash - db_path) : 0;
	FILE *fp;
	size_t o = 0;

	if (dir == 0 || dir >= sizeof(path) - 16)
		return;
	snprintf(path, sizeof(path), "%.*s/ATTRIBUTION", (int)dir, db_path);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL && o + 2 < sizeof(e->attribution)) {
		const char *text = strchr(line, ':');
		int n;

		text = text ? text + 1 : line;
		text += strspn(text, " ");
		line[strcspn(line, "\n")] = '\0';
		if (*text == '\0' || strstr(e->attribution, text) != NULL)
			continue;
		n = snprintf(e->attribution + o, sizeof(e->attribution) - o,
		    "%s%s", o ? "; " : "", text);
		if (n < 0)
			break;
		o += (size_t)n;
		if (o >= sizeof(e->attribution))
			o = sizeof(e->attribution) - 1;
	}
	fclose(fp);
}

int
enrich_new(const struct enrich_config *c, struct enrich **ret, char *err,
    size_t errlen)
{
	struct enrich *e;
	int r;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "enrich: out of memory");
		return -ENOMEM;
	}
	if (c->geoip_country != NULL || c->geoip_asn != NULL) {
		if ((r = geoip_open(c->geoip_country, c->geoip_asn, &e->geo,
		    err, errlen)) != 0)
			goto fail;
		if (c->geoip_country != NULL)
			read_attribution(e, c->geoip_country);
		if (c->geoip_asn != NULL)
			read_attribution(e, c->geoip_asn);
		snprintf(e->geo_desc, sizeof(e->geo_desc), "%s%s%s",
		    c->geoip_country ? geoip_country_desc(e->geo) : "",
		    c->geoip_country && c->geoip_asn ? "; " : "",
		    c->geoip_asn ? geoip_asn_desc(e->geo) : "");
	}
	if (c->jurisdictions_path != NULL &&
	    (r = jur_load_file(c->jurisdictions_path, &e->jur, err, errlen)) != 0)
		goto fail;
	if (c->apps_path != NULL &&
	    (r = apps_load(c->apps_path, &e->apps, err, errlen)) != 0)
		goto fail;
	*ret = e;
	return 0;
fail:
	enrich_free(e);
	return r;
}

struct enrich *
enrich_free(struct enrich *e)
{
	if (e == NULL)
		return NULL;
	geoip_close(e->geo);
	apps_free(e->apps);
	jur_free(e->jur);
	free(e);
	return NULL;
}

static void
copy_cc(char dst[3], const char *src)
{
	if (src == NULL || strlen(src) != 2 || strcmp(src, "ZZ") == 0) {
		dst[0] = '\0';
		return;
	}
	memcpy(dst, src, 3);
}

/* snprintf("%s") without printf's cost: this runs for every flow. */
static void
copy_org(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
enrich_flow(const struct enrich *e, struct geoip_cache *cache,
    struct flow_record *r)
{
	struct app_flow_evidence ev;
	struct app_match m;
	struct geo_info gi;

	if (e->geo != NULL && geoip_lookup_cached(e->geo, cache, &r->server, &gi) == 0) {
		r->geo_done = true;
		r->dest_local = gi.local;
		memcpy(r->country, gi.country, sizeof(r->country));
		r->asn = gi.asn;
		copy_org(r->as_org, sizeof(r->as_org), gi.as_org);
		copy_cc(r->jur_location, gi.country);
	}
	if (e->jur != NULL && r->asn != 0) {
		const struct jur_operator *op = jur_operator(e->jur, r->asn);

		if (op != NULL) {
			r->operator_name = op->name;
			copy_cc(r->jur_operator, op->jurisdiction);
		}
	}
	if (e->apps == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	if (r->tls != NULL) {
		ev.sni = tls_str(r->tls, TLS_STR_SNI);
		ev.ja4 = r->tls->ja4[0] ? r->tls->ja4 : NULL;
		ev.cert_org = tls_str(r->tls, TLS_STR_CERT_ORG);
	}
	if (r->has_http) {
		ev.http_host = r->domain_src == DOMAIN_SRC_HTTP_HOST ?
		    r->domain : NULL;
		ev.user_agent = r->http.user_agent;
		ev.requested_with = r->http.requested_with;
	}
	if (r->domain_src == DOMAIN_SRC_DNS)
		ev.dns_name = r->domain;
	else if (r->domain_src == DOMAIN_SRC_CONNECT ||
	    r->domain_src == DOMAIN_SRC_SOCKS)
		ev.proxy_target = r->domain;
	ev.asn = r->asn;
	/* The record points into the loaded packs, which outlive it. */
	if (!apps_attribute(e->apps, &ev, &m))
		return;
	r->app_id = m.app->id;
	r->app_name = m.app->name;
	r->app_kind = m.app->kind;
	r->app_vendor = m.vendor;
	r->app_evidence = app_evidence_name(m.evidence);
	r->app_confidence = m.confidence;
	copy_cc(r->jur_vendor, m.vendor_jurisdiction);
}

const struct apps *
enrich_apps(const struct enrich *e)
{
	return e->apps;
}

const struct jurisdictions *
enrich_jurisdictions(const struct enrich *e)
{
	return e->jur;
}

const char *
enrich_attribution(const struct enrich *e)
{
	return e->attribution[0] ? e->attribution : NULL;
}

const char *
enrich_geoip_desc(const struct enrich *e)
{
	return e->geo_desc[0] ? e->geo_desc : NULL;
}

size_t
enrich_apps_count(const struct enrich *e)
{
	return e->apps ? apps_count(e->apps) : 0;
}

const struct jur_operator *
enrich_operator_entry(const struct enrich *e, const struct flow_record *r)
{
	if (e->jur == NULL || r->operator_name == NULL)
		return NULL;
	return jur_operator(e->jur, r->asn);
}

size_t
enrich_location_groups(const struct enrich *e, const struct flow_record *r,
    const char **names, size_t max)
{
	if (e->jur == NULL || r->jur_location[0] == '\0')
		return 0;
	return jur_groups_of_country(e->jur, r->jur_location, names, max);
}
