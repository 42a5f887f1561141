/*
 * geoip.c - libmaxminddb only: country and ASN of a destination address.
 *
 * The only file that includes <maxminddb.h>; its status codes are turned
 * into negative errno values and messages here.  Databases are mapped at
 * open time, and a struct geoip is never written after geoip_open(), so
 * any number of threads may look up through one.  A lookup walks the
 * mapped tree and decodes two or three values without allocating; the
 * caller's direct-mapped cache (struct geoip_cache, one per thread) keyed
 * by address makes a repeated destination cost one hash probe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <maxminddb.h>

#include "addr.h"
#include "geoip.h"
#include "lan.h"

/* Fields a database is known to carry, found at open time. */
#define SCHEMA_COUNTRY_NESTED	0x01	/* country / registered_country */
#define SCHEMA_COUNTRY_FLAT	0x02	/* country_code */
#define SCHEMA_ASN		0x04	/* autonomous_system_* */
#define SCHEMA_COUNTRY		(SCHEMA_COUNTRY_NESTED | SCHEMA_COUNTRY_FLAT)

/* Probing looks at this many records, visiting at most this many nodes. */
#define PROBE_RECORDS		64
#define PROBE_NODES		65536
#define PROBE_DEPTH		130	/* > 128 bits of an IPv6 tree */

#define NO_OFFSET		UINT32_MAX
#define DESC_MAX		512

struct geoip_db {
	MMDB_s mmdb;
	bool open;
	unsigned schema;
	char desc[DESC_MAX];
};

struct cache_ent {
	struct addr key;	/* family 0: empty slot */
	char country[2];
	uint32_t asn;
	uint32_t as_off;	/* ASN record offset, NO_OFFSET if none */
};

struct org_ent {
	uint32_t off;		/* NO_OFFSET: empty slot */
	char org[GEOIP_ORG_MAX];
};

/* Read-only once geoip_open() returns. */
struct geoip {
	uint64_t id;			/* never reused in this process */
	struct geoip_db db[2];
	struct geoip_db *country;	/* NULL, &db[0] or &db[1] */
	struct geoip_db *asn;
};

/*
 * Handles are told apart by number, not address: a handle opened after
 * another was closed may get its address, and must not get its answers.
 * The one process-wide variable of the lookups, and atomic, so that
 * threads may open handles.
 */
static atomic_uint_fast64_t geoip_last_id;

/*
 * What lookups learn, kept by their caller.  Entries hold answers and
 * record offsets of one struct geoip only: geo_id says which, and a
 * lookup through another empties the cache first.
 */
struct geoip_cache {
	uint64_t geo_id;		/* whose answers; 0: none yet */
	bool dirty;			/* some slot may be filled */
	struct cache_ent *cache;	/* GEOIP_CACHE_SLOTS */
	struct org_ent *orgs;		/* GEOIP_ORG_SLOTS */
	struct geoip_stats st;
};

static const char *const path_country[] = { "country", "iso_code", NULL };
static const char *const path_registered[] =
    { "registered_country", "iso_code", NULL };
static const char *const path_country_code[] = { "country_code", NULL };
static const char *const path_asn[] = { "autonomous_system_number", NULL };
static const char *const path_as_org[] =
    { "autonomous_system_organization", NULL };

static const uint8_t v4mapped[12] =
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };

/* IPv4-mapped and NAT64 addresses reach an IPv4 host: answer for it. */
static void
addr_normalize(const struct addr *in, struct addr *out)
{
	if (in->family == 6 && (memcmp(in->a, v4mapped, 12) == 0 ||
	    memcmp(in->a, nat64, 12) == 0)) {
		addr_set4(out, in->a + 12);
		return;
	}
	*out = *in;
}

bool
geoip_is_local(const struct addr *addr)
{
	struct addr n;

	if (addr->family != 4 && addr->family != 6)
		return false;
	addr_normalize(addr, &n);
	return lan_contains(NULL, &n);
}

static int
mmdb_errno(int status)
{
	switch (status) {
	case MMDB_SUCCESS:
		return 0;
	case MMDB_FILE_OPEN_ERROR:
		return -ENOENT;
	case MMDB_IO_ERROR:
		return -EIO;
	case MMDB_OUT_OF_MEMORY_ERROR:
		return -ENOMEM;
	default:
		/* Invalid metadata, unknown format, corrupt tree or data. */
		return -EBADMSG;
	}
}

/* Bytes of a utf8_string value that is present and of the expected type. */
static int
get_string(MMDB_entry_s *e, const char *const *path, const char **ret_s,
    uint32_t *ret_len)
{
	MMDB_entry_data_s d;
	int s;

	s = MMDB_aget_value(e, &d, path);
	if (s == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return -ENOENT;
	if (s != MMDB_SUCCESS)
		return -EBADMSG;
	if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return -ENOENT;
	*ret_s = d.utf8_string;
	*ret_len = d.data_size;
	return 0;
}

static int
get_uint(MMDB_entry_s *e, const char *const *path, uint32_t *ret)
{
	MMDB_entry_data_s d;
	int s;

	s = MMDB_aget_value(e, &d, path);
	if (s == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return -ENOENT;
	if (s != MMDB_SUCCESS)
		return -EBADMSG;
	if (!d.has_data)
		return -ENOENT;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		*ret = d.uint16;
		return 0;
	case MMDB_DATA_TYPE_UINT32:
		*ret = d.uint32;
		return 0;
	case MMDB_DATA_TYPE_UINT64:
		if (d.uint64 > UINT32_MAX)
			return -ENOENT;
		*ret = (uint32_t)d.uint64;
		return 0;
	case MMDB_DATA_TYPE_INT32:
		if (d.int32 < 0)
			return -ENOENT;
		*ret = (uint32_t)d.int32;
		return 0;
	default:
		return -ENOENT;
	}
}

/* What fields one data record carries, as SCHEMA_* bits. */
static unsigned
probe_record(MMDB_entry_s *e)
{
	const char *s;
	uint32_t len, n;
	unsigned bits = 0;

	if (get_string(e, path_country, &s, &len) == 0 ||
	    get_string(e, path_registered, &s, &len) == 0)
		bits |= SCHEMA_COUNTRY_NESTED;
	if (get_string(e, path_country_code, &s, &len) == 0)
		bits |= SCHEMA_COUNTRY_FLAT;
	if (get_uint(e, path_asn, &n) == 0)
		bits |= SCHEMA_ASN;
	return bits;
}

/*
 * Walk the tree depth-first from the root to the first PROBE_RECORDS data
 * records and collect the fields they carry.  Bounded by PROBE_NODES
 * visits and PROBE_DEPTH pending nodes, so a corrupt tree that loops back
 * on itself cannot keep it going.
 */
static unsigned
probe_tree(const MMDB_s *m)
{
	uint32_t stack[PROBE_DEPTH];
	size_t sp = 0, nodes = 0, records = 0;
	unsigned bits = 0;

	stack[sp++] = 0;
	while (sp > 0 && nodes < PROBE_NODES && records < PROBE_RECORDS) {
		MMDB_search_node_s sn;
		uint32_t node = stack[--sp];

		nodes++;
		if (MMDB_read_node(m, node, &sn) != MMDB_SUCCESS)
			continue;
		/* Right first onto the stack so the left side is seen first. */
		if (sn.right_record_type == MMDB_RECORD_TYPE_SEARCH_NODE &&
		    sp < PROBE_DEPTH)
			stack[sp++] = (uint32_t)sn.right_record;
		if (sn.left_record_type == MMDB_RECORD_TYPE_SEARCH_NODE &&
		    sp < PROBE_DEPTH)
			stack[sp++] = (uint32_t)sn.left_record;
		if (sn.left_record_type == MMDB_RECORD_TYPE_DATA) {
			bits |= probe_record(&sn.left_record_entry);
			records++;
		}
		if (sn.right_record_type == MMDB_RECORD_TYPE_DATA) {
			bits |= probe_record(&sn.right_record_entry);
			records++;
		}
	}
	return bits;
}

/* Guess from the type name when probing found no record (empty file). */
static unsigned
schema_from_type(const char *type)
{
	if (type == NULL)
		return 0;
	if (strstr(type, "ASN") != NULL)
		return SCHEMA_ASN;
	if (strncmp(type, "GeoIP2-", 7) == 0 ||
	    strncmp(type, "GeoLite2-", 9) == 0 ||
	    strncmp(type, "DBIP-", 5) == 0)
		return SCHEMA_COUNTRY_NESTED;
	if (strstr(type, "country") != NULL || strstr(type, "city") != NULL)
		return SCHEMA_COUNTRY_FLAT;
	return 0;
}

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The "NAME: text" line for the file in ATTRIBUTION next to it, if any.
 * Reads at most 64 lines of at most 512 bytes.
 */
static void
read_attribution(const char *path, char *buf, size_t size)
{
	char dir[PATH_MAX], line[512];
	const char *slash, *base;
	size_t dlen, blen;
	FILE *f;

	buf[0] = '\0';
	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	dlen = slash != NULL ? (size_t)(slash - path) : 0;
	if (snprintf(dir, sizeof(dir), "%.*s%sATTRIBUTION", (int)dlen, path,
	    slash != NULL ? "/" : "") >= (int)sizeof(dir))
		return;
	f = fopen(dir, "re");
	if (f == NULL)
		return;
	blen = strlen(base);
	for (int i = 0; i < 64 && fgets(line, sizeof(line), f) != NULL; i++) {
		if (strncmp(line, base, blen) != 0 || line[blen] != ':')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(buf, size, "%s", line + blen + 1 +
		    (line[blen + 1] == ' '));
		break;
	}
	fclose(f);
}

static int
db_open(struct geoip_db *db, const char *path, char *err, size_t errlen)
{
	char attr[256], date[32] = "?";
	struct stat sb;
	struct tm tm;
	time_t t;
	int s;

	/* libmaxminddb says only "error opening": stat for the real cause. */
	if (stat(path, &sb) != 0) {
		int r = -errno;

		seterr(err, errlen, "GeoIP database %s: %s", path,
		    strerror(errno));
		return r;
	}
	if (!S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "GeoIP database %s: not a regular file",
		    path);
		return -EINVAL;
	}
	errno = 0;
	s = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (s == MMDB_FILE_OPEN_ERROR && errno != 0) {
		int r = -errno;

		seterr(err, errlen, "GeoIP database %s: %s", path,
		    strerror(errno));
		return r;
	}
	if (s != MMDB_SUCCESS) {
		seterr(err, errlen, "GeoIP database %s: %s", path,
		    MMDB_strerror(s));
		return mmdb_errno(s);
	}
	db->open = true;
	db->schema = probe_tree(&db->mmdb);
	if ((db->schema & (SCHEMA_COUNTRY | SCHEMA_ASN)) == 0)
		db->schema = schema_from_type(db->mmdb.metadata.database_type);

	t = (time_t)db->mmdb.metadata.build_epoch;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	read_attribution(path, attr, sizeof(attr));
	snprintf(db->desc, sizeof(db->desc), "%s (%s, built %s)%s%s", path,
	    db->mmdb.metadata.database_type != NULL ?
	    db->mmdb.metadata.database_type : "?", date,
	    attr[0] != '\0' ? ": " : "", attr);
	return 0;
}

static void
db_close(struct geoip_db *db)
{
	if (db->open)
		MMDB_close(&db->mmdb);
	db->open = false;
}

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
geoip_open(const char *country_path, const char *asn_path,
    struct geoip **ret, char *err, size_t errlen)
{
	struct geoip *g;
	struct geoip_db *cdb = NULL, *adb = NULL;
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (country_path == NULL && asn_path == NULL) {
		seterr(err, errlen, "no GeoIP database given");
		return -EINVAL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		seterr(err, errlen, "GeoIP: out of memory");
		r = -ENOMEM;
		goto out;
	}
	g->id = atomic_fetch_add(&geoip_last_id, 1) + 1;

	if (country_path != NULL) {
		r = db_open(&g->db[0], country_path, err, errlen);
		if (r < 0)
			goto out;
		cdb = &g->db[0];
	}
	if (asn_path != NULL) {
		if (cdb != NULL && same_file(country_path, asn_path)) {
			adb = cdb;
		} else {
			r = db_open(&g->db[1], asn_path, err, errlen);
			if (r < 0)
				goto out;
			adb = &g->db[1];
		}
	}
	/* A file named for one role may carry the other's fields too. */
	if (cdb != NULL && (cdb->schema & SCHEMA_COUNTRY) == 0) {
		seterr(err, errlen, "GeoIP database %s: no country field "
		    "(country.iso_code, registered_country.iso_code or "
		    "country_code) found", country_path);
		r = -EINVAL;
		goto out;
	}
	if (adb != NULL && (adb->schema & SCHEMA_ASN) == 0) {
		seterr(err, errlen, "GeoIP database %s: no "
		    "autonomous_system_number field found", asn_path);
		r = -EINVAL;
		goto out;
	}
	if (cdb == NULL && (adb->schema & SCHEMA_COUNTRY) != 0)
		cdb = adb;
	if (adb == NULL && (cdb->schema & SCHEMA_ASN) != 0)
		adb = cdb;
	g->country = cdb;
	g->asn = adb;
	*ret = g;
	return 0;

out:
	geoip_close(g);
	return r;
}

struct geoip *
geoip_close(struct geoip *g)
{
	if (g == NULL)
		return NULL;
	db_close(&g->db[0]);
	db_close(&g->db[1]);
	free(g);
	return NULL;
}

static void
cache_clear(struct geoip_cache *c)
{
	if (!c->dirty)
		return;
	memset(c->cache, 0, GEOIP_CACHE_SLOTS * sizeof(*c->cache));
	for (size_t i = 0; i < GEOIP_ORG_SLOTS; i++)
		c->orgs[i].off = NO_OFFSET;
	c->dirty = false;
}

int
geoip_cache_new(struct geoip_cache **ret)
{
	struct geoip_cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	/* Zeroed address slots are empty; org slots need NO_OFFSET. */
	c->cache = calloc(GEOIP_CACHE_SLOTS, sizeof(*c->cache));
	c->orgs = malloc(GEOIP_ORG_SLOTS * sizeof(*c->orgs));
	if (c->cache == NULL || c->orgs == NULL) {
		geoip_cache_free(c);
		return -ENOMEM;
	}
	c->dirty = true;
	cache_clear(c);
	*ret = c;
	return 0;
}

struct geoip_cache *
geoip_cache_free(struct geoip_cache *c)
{
	if (c == NULL)
		return NULL;
	free(c->cache);
	free(c->orgs);
	free(c);
	return NULL;
}

void
geoip_cache_reset(struct geoip_cache *c)
{
	if (c == NULL)
		return;
	cache_clear(c);
	c->geo_id = 0;
}

static int
mmdb_find(const struct geoip_db *db, const struct addr *a,
    MMDB_lookup_result_s *ret)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	int mmerr = MMDB_SUCCESS;

	if (a->family == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->a, 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->a, 16);
		sa = (const struct sockaddr *)&sin6;
	}
	*ret = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmerr);
	if (mmerr == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
		ret->found_entry = false;
		return 0;
	}
	return mmerr == MMDB_SUCCESS ? 0 : -EBADMSG;
}

static int
country_of(const struct geoip_db *db, MMDB_entry_s *e, char ret[2])
{
	const char *s = NULL;
	uint32_t len = 0;
	int r = -ENOENT;

	if (db->schema & SCHEMA_COUNTRY_NESTED) {
		r = get_string(e, path_country, &s, &len);
		/* Anycast and satellite ranges have only the registrant's. */
		if (r == -ENOENT)
			r = get_string(e, path_registered, &s, &len);
	}
	if (r == -ENOENT && (db->schema & SCHEMA_COUNTRY_FLAT))
		r = get_string(e, path_country_code, &s, &len);
	if (r < 0)
		return r;
	if (len != 2 || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')) || !((s[1] >= 'A' && s[1] <= 'Z') ||
	    (s[1] >= 'a' && s[1] <= 'z')))
		return -ENOENT;
	ret[0] = (char)(s[0] & ~0x20);
	ret[1] = (char)(s[1] & ~0x20);
	return 0;
}

/*
 * Organisation name of the ASN record at off into ret (GEOIP_ORG_MAX).
 * Cut at a UTF-8 character boundary; control bytes become '?' because the
 * name ends up in logs and reports.
 */
static int
org_decode(const struct geoip_db *db, uint32_t off, char *ret)
{
	MMDB_entry_s e = { .mmdb = &db->mmdb, .offset = off };
	const char *s;
	uint32_t len;
	int r;

	r = get_string(&e, path_as_org, &s, &len);
	if (r == -ENOENT) {
		ret[0] = '\0';
		return 0;
	}
	if (r < 0)
		return r;
	if (len > GEOIP_ORG_MAX - 1) {
		len = GEOIP_ORG_MAX - 1;
		while (len > 0 && ((uint8_t)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		ret[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	ret[len] = '\0';
	return 0;
}

static int
org_get(const struct geoip *g, struct geoip_cache *c, uint32_t off,
    char *ret)
{
	struct org_ent *o;
	int r;

	if (c == NULL)
		return org_decode(g->asn, off, ret);
	o = &c->orgs[(off * 2654435761u) >> 19 & (GEOIP_ORG_SLOTS - 1)];
	if (o->off != off) {
		r = org_decode(g->asn, off, o->org);
		if (r < 0) {
			o->off = NO_OFFSET;
			return r;
		}
		o->off = off;
		c->dirty = true;
	}
	memcpy(ret, o->org, GEOIP_ORG_MAX);
	return 0;
}

/* Fill a cache entry for a (normalized, non-local) address. */
static int
resolve(const struct geoip *g, const struct addr *a, struct cache_ent *ret)
{
	MMDB_lookup_result_s cres, ares;
	struct cache_ent ce;
	int r;

	memset(&ce, 0, sizeof(ce));
	ce.key = *a;
	ce.as_off = NO_OFFSET;
	cres.found_entry = ares.found_entry = false;
	if (g->country != NULL) {
		r = mmdb_find(g->country, a, &cres);
		if (r < 0)
			return r;
		if (cres.found_entry) {
			r = country_of(g->country, &cres.entry, ce.country);
			if (r < 0 && r != -ENOENT)
				return r;
		}
	}
	if (g->asn != NULL) {
		if (g->asn == g->country) {
			ares = cres;
		} else {
			r = mmdb_find(g->asn, a, &ares);
			if (r < 0)
				return r;
		}
		if (ares.found_entry) {
			r = get_uint(&ares.entry, path_asn, &ce.asn);
			if (r < 0 && r != -ENOENT)
				return r;
			ce.as_off = ares.entry.offset;
		}
	}
	*ret = ce;
	return 0;
}

int
geoip_lookup_cached(const struct geoip *g, struct geoip_cache *c,
    const struct addr *addr, struct geo_info *ret)
{
	struct geo_info gi;
	struct cache_ent *slot = NULL, ce;
	struct addr a;
	int r;

	if (addr->family != 4 && addr->family != 6)
		return -EINVAL;
	addr_normalize(addr, &a);
	memset(&gi, 0, sizeof(gi));
	if (c != NULL)
		c->st.lookups++;
	if (lan_contains(NULL, &a)) {
		gi.local = true;
		if (c != NULL)
			c->st.local++;
		*ret = gi;
		return 0;
	}
	if (g == NULL) {
		*ret = gi;
		return 0;
	}

	if (c != NULL && c->geo_id != g->id) {
		cache_clear(c);
		c->geo_id = g->id;
	}
	if (c != NULL)
		slot = &c->cache[addr_hash(&a) & (GEOIP_CACHE_SLOTS - 1)];
	if (slot != NULL && slot->key.family != 0 && addr_eq(&slot->key, &a)) {
		c->st.cache_hits++;
		ce = *slot;
	} else {
		r = resolve(g, &a, &ce);
		if (r < 0)
			goto err;
		if (slot != NULL) {
			*slot = ce;
			c->dirty = true;
		}
	}
	if (ce.country[0] != '\0') {
		gi.country[0] = ce.country[0];
		gi.country[1] = ce.country[1];
	}
	gi.asn = ce.asn;
	if (ce.as_off != NO_OFFSET) {
		r = org_get(g, c, ce.as_off, gi.as_org);
		if (r < 0)
			goto err;
	}
	*ret = gi;
	return 0;

err:
	if (c != NULL)
		c->st.errors++;
	return r;
}

int
geoip_lookup(const struct geoip *g, const struct addr *addr,
    struct geo_info *ret)
{
	return geoip_lookup_cached(g, NULL, addr, ret);
}

const char *
geoip_country_desc(const struct geoip *g)
{
	return g != NULL && g->country != NULL ? g->country->desc : "";
}

const char *
geoip_asn_desc(const struct geoip *g)
{
	return g != NULL && g->asn != NULL ? g->asn->desc : "";
}

void
geoip_get_stats(const struct geoip_cache *c, struct geoip_stats *ret)
{
	if (c == NULL) {
		memset(ret, 0, sizeof(*ret));
		return;
	}
	*ret = c->st;
}
