/*
 * geoip.h - country and network operator (ASN number and organisation) of
 * an address, from MaxMind DB (.mmdb) files.
 *
 * The files are memory-mapped read-only.  A mapped file must never be
 * overwritten in place (readers would see torn data or die of SIGBUS):
 * write a new file, rename() it over the old name, then open it with
 * geoip_open() and swap the handle; the old mapping keeps the old inode
 * alive until geoip_close().
 *
 * Schemas read: MaxMind GeoLite2/GeoIP2 and DB-IP's MaxMind-compatible
 * files (country.iso_code, falling back to registered_country.iso_code),
 * ip-location-db's flat country_code, and GeoLite2-ASN
 * (autonomous_system_number, autonomous_system_organization).  The schema
 * is chosen once per file at open time.
 *
 * A struct geoip is read-only once opened, so threads may share one.
 * What lookups learn (the address and organisation caches, the counters)
 * is kept in a struct geoip_cache that the caller owns, one per thread.
 */
#ifndef OUTFLOW_GEOIP_H
#define OUTFLOW_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Address cache: direct-mapped, keyed by address, 32 bytes a slot. */
#define GEOIP_CACHE_SLOTS	65536
/* Organisation names: direct-mapped, keyed by ASN record offset. */
#define GEOIP_ORG_SLOTS		8192
#define GEOIP_ORG_MAX		128	/* as_org size, NUL included */

struct geoip;
struct geoip_cache;

struct geo_info {
	/*
	 * Not publicly routed: unspecified, "this network" 0/8, private
	 * 10/8 172.16/12 192.168/16, loopback, link-local, CGNAT 100.64/10,
	 * multicast, broadcast, ULA fc00::/7, site-local fec0::/10.
	 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
	 * 2001:db8::/32) are not local: they are looked up like any other.
	 */
	bool local;
	char country[3];		/* ISO 3166 alpha-2, "" if unknown */
	uint32_t asn;			/* 0 if unknown */
	char as_org[GEOIP_ORG_MAX];	/* UTF-8, "" if unknown */
};

struct geoip_stats {
	uint64_t lookups;	/* lookups through the cache, valid address */
	uint64_t cache_hits;	/* answered from the address cache */
	uint64_t local;		/* answered as local without a lookup */
	uint64_t errors;	/* database read errors (corrupt data) */
};

/**
 * Open the country and ASN databases.  Either path may be NULL (not both);
 * both may name the same file, and a file given for one role that also
 * holds the other's fields serves both.  Each file is memory-mapped and
 * its schema detected from metadata.database_type and by probing records.
 * On success *ret owns the mappings.
 * Returns 0, or a negative errno (-ENOENT, -EACCES, -EBADMSG for a file
 * that is not a valid MaxMind DB, -EINVAL for a file without the fields
 * of its role, -ENOMEM) with a message naming the file and the reason in
 * err (may be NULL).
 */
int geoip_open(const char *country_path, const char *asn_path,
    struct geoip **ret, char *err, size_t errlen);

/** Unmap and free; accepts NULL; returns NULL. */
struct geoip *geoip_close(struct geoip *g);

/**
 * A lookup cache of about 3.3 MB with its counters, for one thread.  It
 * holds answers of one struct geoip at a time: a lookup through another
 * (a reload) empties it first, even if that one was opened where a
 * closed one was.  Returns 0 or -ENOMEM.
 */
int geoip_cache_new(struct geoip_cache **ret);

/** Free; accepts NULL; returns NULL. */
struct geoip_cache *geoip_cache_free(struct geoip_cache *c);

/** Forget every answer (the counters stay); accepts NULL. */
void geoip_cache_reset(struct geoip_cache *c);

/**
 * Fill *ret for addr.  IPv4-mapped (::ffff:a.b.c.d) and NAT64 well-known
 * prefix (64:ff9b::a.b.c.d) addresses are looked up as IPv4.  Local
 * addresses are answered without a lookup.  Fields the databases lack are
 * left empty; that is not an error.  g may be NULL (no databases): only
 * the local flag is then set.  Reads g only, uncached; allocates nothing.
 * Returns 0; -EINVAL for an address of no family; -EBADMSG when a
 * database is corrupt at that address (*ret untouched).
 */
int geoip_lookup(const struct geoip *g, const struct addr *addr,
    struct geo_info *ret);

/**
 * The same through cache c (NULL: uncached), counting in c's counters
 * (errors included).
 */
int geoip_lookup_cached(const struct geoip *g, struct geoip_cache *c,
    const struct addr *addr, struct geo_info *ret);

/** True if addr is in one of the local ranges listed at struct geo_info. */
bool geoip_is_local(const struct addr *addr);

/**
 * One-line descriptions of the databases for summaries and reports:
 * path, database type, build date and, if the file's directory has an
 * ATTRIBUTION file with a "NAME: text" line for it, that text.
 * "" when no database has that role.  Valid until geoip_close().
 */
const char *geoip_country_desc(const struct geoip *g);
const char *geoip_asn_desc(const struct geoip *g);

/** Copy c's counters into *ret (zeros for NULL c). */
void geoip_get_stats(const struct geoip_cache *c, struct geoip_stats *ret);

#endif
