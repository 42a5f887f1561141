/*
 * jurisdictions.h - country groups and the ASN → operator table
 * (rules/jurisdictions.yaml).
 *
 * Loaded once at start or reload and then read-only: lookups need no
 * locks and allocate nothing.  An operator's jurisdiction is the home
 * jurisdiction of whoever controls the network, not the registry country
 * of the ASN.  Group ids are small integers (0 .. JUR_MAX_GROUPS-1), so a
 * country's memberships are one uint64_t bitmask and the rule engine can
 * test membership with a single AND.
 */
#ifndef OUTFLOW_JURISDICTIONS_H
#define OUTFLOW_JURISDICTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JUR_MAX_GROUPS		64	/* bits in a group mask */
#define JUR_GROUP_NAME_MAX	63	/* [a-z0-9_] */

/** Bit of group id in a mask returned by jur_country_groups(). */
#define JUR_GROUP_BIT(id)	((uint64_t)1 << (id))

struct jurisdictions;

struct jur_operator {
	const char *name;	/* "Tencent" */
	char jurisdiction[3];	/* ISO 3166-1 alpha-2 of the controller, "CN" */
	uint64_t groups;	/* groups the jurisdiction belongs to */
	const char *note;	/* NULL if none */
	const char *source;	/* NULL if none */
	unsigned line;		/* line of the entry in the pack */
	size_t nasns;
	const uint32_t *asns;	/* as listed */
};

struct jur_group {
	const char *name;	/* "us_countries_of_concern" */
	unsigned id;		/* bit number in group masks */
	const char *description;
	const char *source;	/* NULL if none */
	unsigned line;
	size_t ncountries;
	const char (*countries)[3];	/* ISO codes, as listed */
};

/**
 * Load and fully validate a pack.  Errors are "PATH:LINE:COL: message"
 * (unknown keys, bad ISO codes, an ASN listed twice, ...).  Returns 0 and
 * *ret, or a negative errno with err set; *ret is untouched on failure.
 */
int jur_load_file(const char *path, struct jurisdictions **ret, char *err,
    size_t errlen);

/** Same over len bytes at buf; name is used as PATH in errors. */
int jur_load_string(const char *name, const char *buf, size_t len,
    struct jurisdictions **ret, char *err, size_t errlen);

/** Free; accepts NULL, returns NULL. */
struct jurisdictions *jur_free(struct jurisdictions *j);

/** Operator controlling asn, or NULL if the pack doesn't list it.  O(1). */
const struct jur_operator *jur_operator(const struct jurisdictions *j,
    uint32_t asn);

/** Number of operators and the i-th one (in file order), for printing. */
size_t jur_noperators(const struct jurisdictions *j);
const struct jur_operator *jur_operator_at(const struct jurisdictions *j,
    size_t i);

/** Number of groups; ids are 0 .. n-1 in file order. */
size_t jur_ngroups(const struct jurisdictions *j);

/** Group by id, NULL if out of range. */
const struct jur_group *jur_group(const struct jurisdictions *j, unsigned id);

/** Id of the named group, or -ENOENT. */
int jur_group_id(const struct jurisdictions *j, const char *name);

/**
 * Bitmask (JUR_GROUP_BIT(id)) of the groups country cc belongs to; cc is
 * two ASCII letters, either case.  0 for anything else.  O(1).
 */
uint64_t jur_country_groups(const struct jurisdictions *j, const char *cc);

/** True if cc is a member of the named group (false if no such group). */
bool jur_country_in_group(const struct jurisdictions *j, const char *cc,
    const char *group);

/**
 * Names of the groups cc belongs to, in id order: fills up to max entries
 * of names and returns the total number of groups (may exceed max).
 */
size_t jur_groups_of_country(const struct jurisdictions *j, const char *cc,
    const char **names, size_t max);

#endif
