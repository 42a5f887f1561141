/*
 * iso3166.h - the one ISO 3166-1 alpha-2 validator.
 *
 * Every pack that names a country (rules/apps.yaml, rules/jurisdictions.yaml)
 * checks it here, so a typo such as "XX" fails the load instead of
 * silently matching nothing.
 */
#ifndef OUTFLOW_ISO3166_H
#define OUTFLOW_ISO3166_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if s[0..len) is an assigned ISO 3166-1 alpha-2 code (upper case)
 * or ZZ, which the packs use for "unknown".
 */
bool iso3166_alpha2_valid(const char *s, size_t len);
/** The country's name as said in a sentence ("China", "the Netherlands"),
 * or NULL for a code that is not assigned (ZZ included). */
const char *iso3166_name(const char *cc);

#endif /* OUTFLOW_ISO3166_H */
