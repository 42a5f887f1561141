/*
 * enrich.h - who and where (stage 5): for a flow that ended, the
 * destination's country and operator (GeoIP), the jurisdictions behind
 * them (rules/jurisdictions.yaml), and the app or SDK it belongs to
 * (rules/apps.yaml).  Lookups happen once per flow, never per packet.
 *
 * A struct enrich is loaded once and read-only afterwards; what lookups
 * learn is kept in the caller's struct geoip_cache (geoip.h), one per
 * pipeline.
 */
#ifndef OUTFLOW_ENRICH_H
#define OUTFLOW_ENRICH_H

#include <stddef.h>

#include "record.h"

struct enrich_config {
	const char *geoip_country;	/* NULL: none */
	const char *geoip_asn;
	const char *apps_path;		/* NULL: no attribution */
	const char *jurisdictions_path;	/* NULL: no operator table */
};

struct enrich;
struct geoip_cache;

/** Load what the config names; err names the file that failed and why. */
int enrich_new(const struct enrich_config *c, struct enrich **ret,
    char *err, size_t errlen);
struct enrich *enrich_free(struct enrich *e);

/**
 * Fill the destination, jurisdiction and app fields of r, looking up
 * GeoIP through cache (NULL: uncached).
 */
void enrich_flow(const struct enrich *e, struct geoip_cache *cache,
    struct flow_record *r);

/** Attribution text the GeoIP data's licence asks for, or NULL. */
const char *enrich_attribution(const struct enrich *e);
const char *enrich_geoip_desc(const struct enrich *e);
size_t enrich_apps_count(const struct enrich *e);

struct apps;
struct jur_operator;
struct jurisdictions;

/** The loaded packs (NULL when not configured), for the rules to check
 * app ids and country groups against. */
const struct apps *enrich_apps(const struct enrich *e);
const struct jurisdictions *enrich_jurisdictions(const struct enrich *e);

/**
 * The jurisdictions pack entry that gave r (enriched by enrich_flow() on
 * e) its operator, for showing where the answer came from; NULL when r
 * has no operator.  Valid as long as e.
 */
const struct jur_operator *enrich_operator_entry(const struct enrich *e,
    const struct flow_record *r);

/**
 * Names of the country groups of r's location jurisdiction (as
 * enrich_flow() set it: none for an unknown country), in group id order:
 * fills up to max entries of names and returns the total, which may
 * exceed max.  The names are valid as long as e.
 */
size_t enrich_location_groups(const struct enrich *e,
    const struct flow_record *r, const char **names, size_t max);

#endif
