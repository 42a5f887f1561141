/*
 * lookup.h - `outflow lookup ADDRESS...`: what outflow knows about a
 * destination address: country, operator, ASN, jurisdictions, and which
 * rule-pack entry said so.
 */
#ifndef OUTFLOW_LOOKUP_H
#define OUTFLOW_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lookup_config {
	const char *geoip_country;
	const char *geoip_asn;
	const char *jurisdictions_path;
	bool json;		/* one JSON object per address */
};

/**
 * Look up every address and print the answers.  Returns 0, 1 if an
 * address could not be parsed (the others are still printed), or a
 * negative errno when a data file could not be loaded (err says which).
 */
int lookup_run(const struct lookup_config *c, char *const *addrs, int n,
    FILE *out, char *err, size_t errlen);

#endif
