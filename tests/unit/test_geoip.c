/*
 * test_geoip.c - GeoIP lookups against the generated test databases.
 *
 * The databases come from tests/gen/geoip-test-db (deterministic, fixed
 * build epoch).  If the build has not produced them in TEST_BUILDDIR (or
 * $GEOIP_TEST_DB_DIR), the test runs the generator itself into a scratch
 * directory, which it also uses for the corrupt-file and rename tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "geoip.h"

static char scratch[256];
static char dbdir[512];
/* Each test's cache: lookups go through it, counters start at zero. */
static struct geoip_cache *gc;

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static const char *
db(const char *name)
{
	static char buf[4][768];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dbdir, name);
	return p;
}

static const char *
tmp(const char *name)
{
	static char buf[4][512];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", scratch, name);
	return p;
}

static int
group_setup(void **state)
{
	const char *env = getenv("GEOIP_TEST_DB_DIR");
	char cmd[1024], probe[768];

	(void)state;
	snprintf(scratch, sizeof(scratch), "%s/test_geoip.XXXXXX",
	    TEST_BUILDDIR);
	if (mkdtemp(scratch) == NULL)
		return -1;
	snprintf(dbdir, sizeof(dbdir), "%s", env != NULL ? env : TEST_BUILDDIR);
	snprintf(probe, sizeof(probe), "%s/geoip-test-country.mmdb", dbdir);
	if (!exists(probe)) {
		snprintf(dbdir, sizeof(dbdir), "%s/db", scratch);
		snprintf(cmd, sizeof(cmd), "python3 '%s/tests/gen/geoip-test-db' "
		    "'%s'", TOP_SRCDIR, dbdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static int
cache_setup(void **state)
{
	(void)state;
	return geoip_cache_new(&gc) == 0 ? 0 : -1;
}

static int
cache_teardown(void **state)
{
	(void)state;
	gc = geoip_cache_free(gc);
	return 0;
}

static struct geoip *
open_ok(const char *country, const char *asn)
{
	struct geoip *g = NULL;
	char err[512];
	int r;

	r = geoip_open(country, asn, &g, err, sizeof(err));
	if (r != 0)
		print_error("geoip_open: %d %s\n", r, err);
	assert_int_equal(r, 0);
	assert_non_null(g);
	return g;
}

static struct geo_info
look(struct geoip *g, const char *text)
{
	struct geo_info gi;
	struct addr a;

	struct geo_info direct;

	assert_int_equal(addr_parse(text, &a), 0);
	memset(&gi, 0x5a, sizeof(gi));
	assert_int_equal(geoip_lookup_cached(g, gc, &a, &gi), 0);
	/* The cache answers as the databases do. */
	memset(&direct, 0xa5, sizeof(direct));
	assert_int_equal(geoip_lookup(g, &a, &direct), 0);
	assert_int_equal(gi.local, direct.local);
	assert_string_equal(gi.country, direct.country);
	assert_int_equal(gi.asn, direct.asn);
	assert_string_equal(gi.as_org, direct.as_org);
	return gi;
}

static void
expect(struct geoip *g, const char *text, const char *cc, uint32_t asn,
    const char *org)
{
	struct geo_info gi = look(g, text);

	if (strcmp(gi.country, cc) != 0 || gi.asn != asn ||
	    strcmp(gi.as_org, org) != 0)
		print_error("%s: got %s/%u/%s, want %s/%u/%s\n", text,
		    gi.country, gi.asn, gi.as_org, cc, asn, org);
	assert_false(gi.local);
	assert_string_equal(gi.country, cc);
	assert_int_equal(gi.asn, asn);
	assert_string_equal(gi.as_org, org);
}

static void
copy_file(const char *from, const char *to, long limit)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	long n = 0;
	int c;

	assert_non_null(in);
	assert_non_null(out);
	while ((limit < 0 || n < limit) && (c = getc(in)) != EOF) {
		putc(c, out);
		n++;
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static long
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (long)sb.st_size;
}

/* Country (nested schema) and ASN from two files. */
static void
test_nested_and_asn(void **state)
{
	struct geoip *g;
	char longorg[200];

	(void)state;
	g = open_ok(db("geoip-test-country.mmdb"), db("geoip-test-asn.mmdb"));
	expect(g, "203.0.113.5", "US", 64500, "Example US Net");
	expect(g, "203.0.113.255", "US", 64500, "Example US Net");
	expect(g, "198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	/* ASN record without an organisation. */
	expect(g, "192.0.2.9", "DE", 24940, "");
	/* Only registered_country; no ASN record. */
	expect(g, "198.19.1.1", "JP", 0, "");
	expect(g, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	expect(g, "2001:db8:2:ffff::abcd", "US", 15169, "Google LLC");
	/* "XYZ" is no ISO code. */
	expect(g, "2001:db8:4::1", "", 64502, "Bad Country Code Ltd");
	expect(g, "2001:db8:5::1", "", 64503, "No Country Inc");
	/* Not in the databases at all. */
	expect(g, "8.8.8.8", "", 0, "");
	expect(g, "203.0.114.0", "", 0, "");
	expect(g, "2001:db8:6::1", "", 0, "");
	/* 126 'A' + a two-byte character that does not fit in 127 bytes. */
	memset(longorg, 'A', 126);
	longorg[126] = '\0';
	expect(g, "2001:db8:3::1", "GB", 64501, longorg);
	assert_string_equal(geoip_country_desc(g) + strlen(dbdir) + 1,
	    "geoip-test-country.mmdb (GeoLite2-Country, built 2023-11-14)");
	assert_non_null(strstr(geoip_asn_desc(g), "(GeoLite2-ASN, built "));
	g = geoip_close(g);
	assert_null(g);
}

/* ip-location-db's flat country_code schema. */
static void
test_flat(void **state)
{
	struct geoip *g;

	(void)state;
	g = open_ok(db("geoip-test-country-flat.mmdb"), NULL);
	expect(g, "203.0.113.5", "US", 0, "");
	expect(g, "198.51.100.77", "CN", 0, "");
	expect(g, "192.0.2.0", "DE", 0, "");
	/* The flat file has no registrant fallback. */
	expect(g, "198.19.1.1", "", 0, "");
	expect(g, "2001:db8:1:2::3", "CN", 0, "");
	expect(g, "2001:db8:2::1", "US", 0, "");
	assert_string_equal(geoip_asn_desc(g), "");
	geoip_close(g);

	/* Flat country plus ASN. */
	g = open_ok(db("geoip-test-country-flat.mmdb"),
	    db("geoip-test-asn.mmdb"));
	expect(g, "198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	expect(g, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	geoip_close(g);
}

/* One file holding both roles, named once or twice. */
static void
test_combined(void **state)
{
	const char *comb = db("geoip-test-combined.mmdb");
	struct geoip *g;

	(void)state;
	g = open_ok(comb, comb);
	assert_ptr_equal(geoip_country_desc(g), geoip_asn_desc(g));
	expect(g, "203.0.113.5", "US", 64500, "Example US Net");
	expect(g, "198.19.1.1", "JP", 0, "");
	geoip_close(g);

	/* Named for the country role only: ASN fields found anyway. */
	g = open_ok(comb, NULL);
	expect(g, "2001:db8:2::1", "US", 15169, "Google LLC");
	geoip_close(g);

	/* And the other way round. */
	g = open_ok(NULL, comb);
	expect(g, "192.0.2.1", "DE", 24940, "");
	geoip_close(g);

	/* An ASN-only file names no country: country stays empty. */
	g = open_ok(NULL, db("geoip-test-asn.mmdb"));
	expect(g, "203.0.113.5", "", 64500, "Example US Net");
	geoip_close(g);
}

/* IPv4-mapped and NAT64 addresses are looked up as IPv4. */
static void
test_mapped(void **state)
{
	struct geoip *g;

	(void)state;
	/* Neither file aliases ::ffff:0:0/96 except the ASN one. */
	g = open_ok(db("geoip-test-country-flat.mmdb"),
	    db("geoip-test-asn.mmdb"));
	expect(g, "::ffff:203.0.113.5", "US", 64500, "Example US Net");
	expect(g, "::ffff:c633:6401", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	expect(g, "64:ff9b::192.0.2.1", "DE", 24940, "");
	/* ::/96 itself (deprecated IPv4-compatible) is an IPv6 address. */
	expect(g, "::203.0.113.5", "US", 64500, "Example US Net");
	geoip_close(g);
}

/* An IPv4-only tree: IPv6 lookups find nothing and are no error. */
static void
test_ipv4_db(void **state)
{
	struct geoip_stats st;
	struct geoip *g;

	(void)state;
	g = open_ok(db("geoip-test-ipv4.mmdb"), NULL);
	expect(g, "203.0.113.5", "US", 0, "");
	expect(g, "::ffff:198.51.100.3", "CN", 0, "");
	expect(g, "2001:db8:1::1", "", 0, "");
	geoip_get_stats(gc, &st);
	assert_int_equal(st.errors, 0);
	geoip_close(g);
}

static void
expect_local(struct geoip *g, const char *text, bool local)
{
	struct geo_info gi;
	struct addr a;

	assert_int_equal(addr_parse(text, &a), 0);
	if (geoip_is_local(&a) != local)
		print_error("%s: local should be %d\n", text, local);
	assert_int_equal(geoip_is_local(&a), local);
	assert_int_equal(geoip_lookup_cached(g, gc, &a, &gi), 0);
	assert_int_equal(gi.local, local);
	if (local) {
		assert_string_equal(gi.country, "");
		assert_int_equal(gi.asn, 0);
		assert_string_equal(gi.as_org, "");
	}
}

static void
test_local(void **state)
{
	static const char *const local[] = {
		"0.0.0.0", "0.1.2.3", "10.1.1.1", "10.255.255.255",
		"100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.1.1",
		"172.16.0.1", "172.31.255.255", "192.168.1.1", "224.0.0.251",
		"239.255.255.250", "255.255.255.255", "::", "::1", "fe80::1",
		"febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1",
		"::ffff:192.168.1.1", "::ffff:127.0.0.1", "64:ff9b::10.0.0.1",
	};
	static const char *const global[] = {
		"1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255",
		"100.128.0.0", "126.255.255.255", "128.0.0.0", "169.253.0.1",
		"172.15.255.255", "172.32.0.0", "192.167.255.255",
		"192.169.0.0", "223.255.255.255", "192.0.2.1", "198.51.100.1",
		"203.0.113.1", "255.255.255.254", "::2", "2001:db8::1",
		"fbff::1", "fe00::1", "2001:4860::8888", "::ffff:8.8.8.8",
	};
	struct geoip_stats st;
	struct geoip *g;

	(void)state;
	g = open_ok(db("geoip-test-country.mmdb"), db("geoip-test-asn.mmdb"));
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		expect_local(g, local[i], true);
	for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++)
		expect_local(g, global[i], false);
	geoip_get_stats(gc, &st);
	assert_int_equal(st.local, sizeof(local) / sizeof(local[0]));
	assert_int_equal(st.lookups, sizeof(local) / sizeof(local[0]) +
	    sizeof(global) / sizeof(global[0]));
	geoip_close(g);
}

/* Without databases only the local flag is answered. */
static void
test_no_db(void **state)
{
	struct geo_info gi;
	struct addr a;
	struct geoip_stats st;

	(void)state;
	assert_int_equal(addr_parse("8.8.8.8", &a), 0);
	assert_int_equal(geoip_lookup(NULL, &a, &gi), 0);
	assert_false(gi.local);
	assert_string_equal(gi.country, "");
	assert_int_equal(addr_parse("10.0.0.1", &a), 0);
	assert_int_equal(geoip_lookup(NULL, &a, &gi), 0);
	assert_true(gi.local);
	memset(&a, 0, sizeof(a));
	assert_int_equal(geoip_lookup(NULL, &a, &gi), -EINVAL);
	assert_false(geoip_is_local(&a));
	geoip_get_stats(NULL, &st);
	assert_int_equal(st.lookups, 0);
	assert_string_equal(geoip_country_desc(NULL), "");
	assert_null(geoip_close(NULL));
}

static void
test_cache(void **state)
{
	struct geoip_stats st;
	struct geoip *g;

	(void)state;
	g = open_ok(db("geoip-test-country.mmdb"), db("geoip-test-asn.mmdb"));
	expect(g, "198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	geoip_get_stats(gc, &st);
	assert_int_equal(st.lookups, 1);
	assert_int_equal(st.cache_hits, 0);
	expect(g, "198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	/* The mapped form normalizes to the same key. */
	expect(g, "::ffff:198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	expect(g, "198.51.100.2", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	/* A miss that found nothing is cached too. */
	expect(g, "8.8.4.4", "", 0, "");
	expect(g, "8.8.4.4", "", 0, "");
	geoip_get_stats(gc, &st);
	assert_int_equal(st.lookups, 6);
	assert_int_equal(st.cache_hits, 3);
	assert_int_equal(st.errors, 0);
	/* Many distinct addresses: answers stay right through evictions. */
	for (unsigned i = 0; i < 3 * GEOIP_CACHE_SLOTS; i++) {
		struct geo_info gi;
		struct addr a;
		uint8_t b[4] = { 203, 0, 113, (uint8_t)i };

		if (i % 2 == 1) {
			b[0] = 198;
			b[1] = 51;
			b[2] = 100;
		}
		addr_set4(&a, b);
		assert_int_equal(geoip_lookup_cached(g, gc, &a, &gi), 0);
		assert_string_equal(gi.country, i % 2 ? "CN" : "US");
		assert_int_equal(gi.asn, i % 2 ? 45090 : 64500);
	}
	geoip_get_stats(gc, &st);
	assert_true(st.cache_hits > 3 * GEOIP_CACHE_SLOTS - 600);
	geoip_close(g);
}

/* One cache used with two handles answers for each; a reset forgets. */
static void
test_cache_two_handles(void **state)
{
	struct geoip_stats st;
	struct geoip *a, *b;

	(void)state;
	a = open_ok(db("geoip-test-country.mmdb"), NULL);
	b = open_ok(db("geoip-test-combined.mmdb"), NULL);
	for (int i = 0; i < 3; i++) {
		expect(a, "2001:db8:1::1", "CN", 0, "");
		expect(b, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	}
	geoip_get_stats(gc, &st);
	assert_int_equal(st.lookups, 6);
	assert_int_equal(st.cache_hits, 0);
	expect(b, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	geoip_cache_reset(gc);
	expect(b, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	geoip_get_stats(gc, &st);
	assert_int_equal(st.lookups, 8);
	assert_int_equal(st.cache_hits, 1);
	geoip_close(a);
	geoip_close(b);
}

static void
expect_open_fail(const char *country, const char *asn, int want,
    const char *path, const char *why)
{
	struct geoip *g = (struct geoip *)&g;
	char err[512] = "junk";
	int r;

	r = geoip_open(country, asn, &g, err, sizeof(err));
	if (r != want || strstr(err, path) == NULL ||
	    (why != NULL && strstr(err, why) == NULL))
		print_error("got %d \"%s\"\n", r, err);
	assert_int_equal(r, want);
	/* Out-param untouched on failure. */
	assert_ptr_equal(g, (struct geoip *)&g);
	assert_non_null(strstr(err, path));
	if (why != NULL)
		assert_non_null(strstr(err, why));
}

static void
test_open_errors(void **state)
{
	const char *missing = tmp("no-such-file.mmdb");
	struct geoip *g = NULL;
	char err[256];
	FILE *f;
	uint32_t x = 2463534242u;

	(void)state;
	expect_open_fail(missing, NULL, -ENOENT, missing, "No such file");
	/* The good file opens, the missing one still fails the whole open. */
	expect_open_fail(db("geoip-test-country.mmdb"), missing, -ENOENT,
	    missing, NULL);
	expect_open_fail(scratch, NULL, -EINVAL, scratch, "regular file");
	assert_int_equal(geoip_open(NULL, NULL, &g, err, sizeof(err)),
	    -EINVAL);
	assert_null(g);

	/* Random bytes (xorshift, fixed seed). */
	f = fopen(tmp("random.mmdb"), "wb");
	assert_non_null(f);
	for (int i = 0; i < 4096; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		putc((int)(x & 0xff), f);
	}
	assert_int_equal(fclose(f), 0);
	expect_open_fail(tmp("random.mmdb"), NULL, -EBADMSG,
	    tmp("random.mmdb"), "metadata");

	/* Empty file. */
	copy_file(db("geoip-test-country.mmdb"), tmp("empty.mmdb"), 0);
	assert_int_not_equal(geoip_open(tmp("empty.mmdb"), NULL, &g, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, tmp("empty.mmdb")));

	/* Truncated copies lose the metadata at the end. */
	copy_file(db("geoip-test-asn.mmdb"), tmp("trunc.mmdb"),
	    file_size(db("geoip-test-asn.mmdb")) / 2);
	expect_open_fail(NULL, tmp("trunc.mmdb"), -EBADMSG, tmp("trunc.mmdb"),
	    "metadata");
	copy_file(db("geoip-test-asn.mmdb"), tmp("trunc.mmdb"),
	    file_size(db("geoip-test-asn.mmdb")) - 10);
	expect_open_fail(NULL, tmp("trunc.mmdb"), -EBADMSG, tmp("trunc.mmdb"),
	    NULL);

	/* A file without the fields of its role. */
	expect_open_fail(db("geoip-test-asn.mmdb"), NULL, -EINVAL,
	    db("geoip-test-asn.mmdb"), "no country field");
	expect_open_fail(NULL, db("geoip-test-country.mmdb"), -EINVAL,
	    db("geoip-test-country.mmdb"), "autonomous_system_number");
}

/* Valid metadata, garbage tree: open works, lookups report errors. */
static void
test_corrupt_tree(void **state)
{
	struct geoip_stats st;
	struct geo_info gi;
	struct geoip *g;
	struct addr a;
	char err[256];
	FILE *f;

	(void)state;
	copy_file(db("geoip-test-asn.mmdb"), tmp("badtree.mmdb"), -1);
	f = fopen(tmp("badtree.mmdb"), "r+b");
	assert_non_null(f);
	/* Every record of the first 64 nodes points past the data. */
	for (int i = 0; i < 64 * 6; i++)
		putc(0xff, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(geoip_open(NULL, tmp("badtree.mmdb"), &g, err,
	    sizeof(err)), 0);
	assert_int_equal(addr_parse("203.0.113.5", &a), 0);
	memset(&gi, 0x5a, sizeof(gi));
	assert_int_equal(geoip_lookup_cached(g, gc, &a, &gi), -EBADMSG);
	/* Untouched on failure. */
	assert_int_equal(gi.asn, 0x5a5a5a5a);
	assert_int_equal(geoip_lookup_cached(g, gc, &a, &gi), -EBADMSG);
	assert_int_equal(geoip_lookup(g, &a, &gi), -EBADMSG);
	geoip_get_stats(gc, &st);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.cache_hits, 0);
	geoip_close(g);
}

/* Replace by rename, reopen, swap: the old handle keeps working. */
static void
test_rename_reload(void **state)
{
	const char *live = tmp("live.mmdb"), *next = tmp("live.mmdb.new");
	struct geoip *old, *cur;
	FILE *f;

	(void)state;
	copy_file(db("geoip-test-country.mmdb"), live, -1);
	old = open_ok(live, NULL);
	expect(old, "203.0.113.5", "US", 0, "");

	copy_file(db("geoip-test-combined.mmdb"), next, -1);
	assert_int_equal(rename(next, live), 0);
	f = fopen(tmp("ATTRIBUTION"), "w");
	assert_non_null(f);
	fputs("other.mmdb: Not this one\nlive.mmdb: Test data by outflow\n",
	    f);
	assert_int_equal(fclose(f), 0);

	/* The old mapping still reads the old inode. */
	expect(old, "2001:db8:1::1", "CN", 0, "");
	cur = open_ok(live, NULL);
	expect(cur, "2001:db8:1::1", "CN", 4134, "CHINANET-BACKBONE");
	old = geoip_close(old);
	expect(cur, "203.0.113.5", "US", 64500, "Example US Net");
	assert_non_null(strstr(geoip_country_desc(cur),
	    "(outflow-test-combined, built 2023-11-14): "
	    "Test data by outflow"));

	/* A bad replacement fails to open; the current handle is kept. */
	copy_file(db("geoip-test-asn.mmdb"), next, 100);
	assert_int_equal(rename(next, live), 0);
	{
		struct geoip *bad = NULL;
		char err[256];

		assert_int_equal(geoip_open(live, NULL, &bad, err,
		    sizeof(err)), -EBADMSG);
		assert_null(bad);
	}
	expect(cur, "198.51.100.1", "CN", 45090,
	    "Tencent Building, Kejizhongyi Avenue");
	geoip_close(cur);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested_and_asn,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_flat,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_combined,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_mapped,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_db,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_local,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_no_db,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_two_handles,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_tree,
		    cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_rename_reload,
		    cache_setup, cache_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
