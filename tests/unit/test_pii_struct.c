/*
 * test_pii_struct.c - structural detectors with the shipped rules: key
 * matching, coordinate precision (28 CFR 202.242), identifier checks
 * (Luhn, MCC, lengths), placeholders that must not count, the rule
 * validator's errors, and the GCJ-02 / BD-09 transforms.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/detect/pii_int.h"

#define RULES TOP_SRCDIR "/rules/personal_data.yaml"

struct found {
	char cat[16][32], masked[16][96];
	size_t n;
};

static void
hcb(void *arg, const struct pii_hit *h)
{
	struct found *f = arg;

	if (f->n < 16) {
		snprintf(f->cat[f->n], 32, "%s", h->category);
		snprintf(f->masked[f->n], 96, "%s", h->masked);
		f->n++;
	}
}

static struct pii_rules *r;
static struct pii_struct_state st;

static struct found
one(const char *key, const char *val)
{
	struct found f = { .n = 0 };
	struct pii_field fl = { .key = key, .key_len = strlen(key),
	    .parent = "", .path = key, .val = (const uint8_t *)val,
	    .val_len = strlen(val), .raw = (const uint8_t *)val,
	    .raw_len = strlen(val), .obj = 1 };

	pii_struct_begin(&st);
	pii_struct_field(r, &st, &fl, hcb, &f);
	pii_struct_end(r, &st, hcb, &f);
	return f;
}

static void
expect(const char *key, const char *val, const char *cat)
{
	struct found f = one(key, val);

	if ((cat == NULL) != (f.n == 0) || (cat && strcmp(f.cat[0], cat)))
		print_error("%s=%s: got %zu (%s), want %s\n", key, val, f.n,
		    f.n ? f.cat[0] : "-", cat ? cat : "nothing");
	if (cat == NULL)
		assert_int_equal(f.n, 0);
	else {
		assert_int_equal(f.n, 1);
		assert_string_equal(f.cat[0], cat);
	}
}

/* The key set behind a key-class bit (as pii_struct.c compiles them). */
static const struct pii_keyset *
keyset_of(unsigned kc)
{
	switch (kc) {
	case PII_KC_LAT: return &r->lat_keys;
	case PII_KC_LON: return &r->lon_keys;
	case PII_KC_XY: return &r->xy_keys;
	case PII_KC_XY_CONTEXT: return &r->xy_context;
	case PII_KC_LANDMARK: return &r->landmark_keys;
	case PII_KC_STREET: return &r->street_keys;
	case PII_KC_POSTCODE: return &r->postcode_keys;
	case PII_KC_CITY: return &r->city_keys;
	case PII_KC_PLACE_CITY: return &r->place_city;
	case PII_KC_PLACE_REGION: return &r->place_region;
	case PII_KC_PLACE_COUNTRY: return &r->place_country;
	case PII_KC_PLACE_ELSEWHERE: return &r->place_elsewhere;
	default: return &r->keys[kc];
	}
}

static void
test_keys(void **state)
{
	struct pii_keyset *ks = &r->keys[PII_DET_PHONE];

	assert_true(pii_key_match(ks, "phone", 5));
	assert_true(pii_key_match(ks, "userPhone", 9));
	assert_true(pii_key_match(ks, "LINE_1_NUMBER", 13));
	assert_true(pii_key_match(&r->lat_keys, "geo_lat", 7));
	assert_true(pii_key_match(&r->lat_keys, "deviceLat", 9));
	assert_false(pii_key_match(&r->lat_keys, "platform", 8));
	assert_false(pii_key_match(ks, "telemetry", 9));
	/* The one-probe table agrees with the linear match, set by set. */
	{
		static const char *const keys[] = { "phone", "userPhone",
		    "LINE_1_NUMBER", "geo_lat", "deviceLat", "platform",
		    "telemetry", "user_latitude", "myLngLat", "IDFA",
		    "x", "Y", "coordinates", "android-id", "simSerialNo",
		    "gpsAdid", "deviceid", "", "__", "contact_phone_2",
		    "face_token", "landmark72", "faceVector", "followers",
		    "shipping_address", "zipCode", "street1", "city",
		    "user_city", "geoRegionName", "countryCode", "ipInfo",
		    "hotel_destination", "store_region" };

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			uint32_t m = pii_key_classes(r, keys[i],
			    strlen(keys[i]));

			for (unsigned kc = 0; kc < PII_KC_MAX; kc++) {
				const struct pii_keyset *k = keyset_of(kc);

				assert_int_equal(!!(m & 1u << kc),
				    pii_key_match(k, keys[i],
				    strlen(keys[i])));
			}
		}
		/* Every string of every set, as a key: each is in the table
		 * (sized exactly for them), and one listed by several sets,
		 * or as both exact and contains, holds all their bits. */
		for (unsigned kc = 0; kc < PII_KC_MAX; kc++) {
			const struct pii_keyset *k = keyset_of(kc);

			for (size_t i = 0; i < k->nexact + k->ncontains; i++) {
				const char *s = i < k->nexact ? k->exact[i] :
				    k->contains[i - k->nexact];
				uint32_t m = pii_key_classes(r, s, strlen(s));

				assert_true(m & 1u << kc);
			}
		}
		assert_true(pii_key_classes(r, "userPhone", 9) &
		    1u << PII_DET_PHONE);
		assert_true(pii_key_classes(r, "geo_lat", 7) &
		    1u << PII_KC_LAT);
	}
}

static void
test_ids(void **state)
{
	expect("imei", "490154203237518", "device_id.imei");
	expect("imei", "490154203237519", NULL);	/* Luhn */
	expect("order_id", "490154203237518", NULL);	/* not an IMEI key */
	expect("imsi", "310150123456789", "device_id.imsi");
	expect("imsi", "910150123456789", NULL);	/* MCC 9xx */
	expect("iccid", "8901260882259381920", NULL);
	expect("iccid", "89014103211118510720", "device_id.iccid");
	expect("meid", "a10000009296f2", "device_id.meid");
	expect("android_id", "9774d56d682e549c", "device_id.android_id");
	expect("android_id", "0000000000000000", NULL);
	expect("idfa", "6F1C2A3E-9B7D-4C55-8E21-0A4B3C2D1E0F", "ad_id");
	expect("idfa", "00000000-0000-0000-0000-000000000000", NULL);
	expect("request_id", "6F1C2A3E-9B7D-4C55-8E21-0A4B3C2D1E0F", NULL);
	expect("oaid", "a1b2c3d4e5f60718", "ad_id");
	expect("mac", "3C22FB123456", "mac");
	expect("mac", "02:00:00:00:00:00", NULL);	/* Android 6+ placeholder */
	expect("x", "ap ff:ff:ff:ff:ff:ff", NULL);
	expect("x", "ap 3c:22:fb:12:34:56;", "mac");
	expect("x", "fe80::1:2:3:4 12:34:56", NULL);
}

static void
test_phone_email(void **state)
{
	struct found f;

	expect("phone", "+1 (202) 555-0142", "phone");
	expect("mobile", "13910998765", "phone");
	expect("phone", "12.5", NULL);
	expect("phone", "0000000", NULL);
	expect("version", "2025550142", NULL);
	f = one("phone", "+12025550142");
	assert_string_equal(f.masked[0], "+1 202 *** **42");
	expect("u", "write to Bob.Smith@Mail.Example.com today", "email");
	expect("u", "icon@2x.png", NULL);
	expect("u", "a@b", NULL);
	/* TLD: two letters or a known generic one; junk suffixes are not */
	expect("u", "x\x01\x7f..bq@gecds2.mobilitylab.oet\x02", NULL);
	expect("u", "a.b@mail.example.qwz", NULL);
	expect("u", "a.b@mail.example.de", "email");
	expect("u", "a.b@mail.example.INFO", "email");
	expect("u", "a.b@mail.example.online", "email");
}

static void
test_location(void **state)
{
	struct found f;
	struct pii_field a = { .key = "lat", .key_len = 3, .parent = "",
	    .path = "lat", .val = (const uint8_t *)"38.8977", .val_len = 7,
	    .obj = 7 };
	struct pii_field b = a;

	/* 3 decimals = ~111 m: precise; 2 decimals = ~1.1 km: coarse */
	expect("loc", "38.898,-77.037", "location.precise");
	expect("loc", "38.89,-77.03", "location.coarse");
	expect("location", "116.397,39.909", "location.precise");
	expect("loc", "0.0,0.0", NULL);
	expect("loc", "12,34", NULL);	/* no decimals: tile or index */
	f = one("loc", "38.8977,-77.0365");
	assert_string_equal(f.masked[0], "38.9*****, -77.0*****");
	/* lat and lon in two fields of one object */
	b.key = "lng";
	b.path = "lng";
	b.val = (const uint8_t *)"-77.0365";
	b.val_len = 8;
	f.n = 0;
	pii_struct_begin(&st);
	pii_struct_field(r, &st, &a, hcb, &f);
	pii_struct_field(r, &st, &b, hcb, &f);
	pii_struct_end(r, &st, hcb, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.cat[0], "location.precise");
	/* different objects do not pair */
	b.obj = 8;
	f.n = 0;
	pii_struct_begin(&st);
	pii_struct_field(r, &st, &a, hcb, &f);
	pii_struct_field(r, &st, &b, hcb, &f);
	pii_struct_end(r, &st, hcb, &f);
	assert_int_equal(f.n, 0);
}

/* Fields of one object (obj 1, parent as given) through one message. */
static struct found
place(const char *parent, const char *const *kv)
{
	struct found f = { .n = 0 };

	pii_struct_begin(&st);
	for (size_t i = 0; kv[i] != NULL; i += 2) {
		struct pii_field fl = { .key = kv[i], .key_len = strlen(kv[i]),
		    .parent = parent, .parent_len = strlen(parent),
		    .path = kv[i], .val = (const uint8_t *)kv[i + 1],
		    .val_len = strlen(kv[i + 1]), .obj = 1 };

		pii_struct_field(r, &st, &fl, hcb, &f);
	}
	pii_struct_end(r, &st, hcb, &f);
	return f;
}

static void
test_coarse_place(void **state)
{
	static const char *const city_region[] = { "city", "Lyon", "state",
	    "ARA", NULL };
	static const char *const city_alone[] = { "city", "Lyon", NULL };
	static const char *const user_city[] = { "user_city", "Lyon", NULL };
	static const char *const country_alone[] = { "country", "FR", NULL };
	static const char *const with_street[] = { "city", "Lyon",
	    "country", "FR", "street", "5 Rue de Rivoli", NULL };
	static const char *const street_after[] = { "city", "Lyon",
	    "region", "ARA", "address1", "5 Rue X", NULL };
	static const char *const cloud[] = { "city", "Lyon", "region",
	    "eu-west-1", NULL };
	static const char *const store[] = { "store_city", "Lyon", NULL };
	static const char *const unknown[] = { "city", "unknown", "region",
	    "ARA", NULL };
	struct found f;

	f = place("", city_region);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.cat[0], "location.coarse");
	assert_null(strstr(f.masked[0], "Lyon"));
	assert_int_equal(place("geo", city_alone).n, 1);
	assert_int_equal(place("ipInfo", city_alone).n, 1);
	assert_int_equal(place("", user_city).n, 1);
	assert_int_equal(place("", city_alone).n, 0);
	assert_int_equal(place("", country_alone).n, 0);
	assert_int_equal(place("geo", country_alone).n, 0);
	assert_int_equal(place("", with_street).n, 0);
	assert_int_equal(place("", street_after).n, 0);	/* order-free */
	assert_int_equal(place("", cloud).n, 0);	/* digits: no place */
	assert_int_equal(place("destination", city_region).n, 0);
	assert_int_equal(place("geo", store).n, 0);
	assert_int_equal(place("", unknown).n, 0);
	expect("location", "Arlington, VA, US", "location.coarse");
	expect("location", "Arlington", NULL);
	expect("location", "a, b, c, d, e", NULL);
	expect("note", "Arlington, VA, US", NULL);
}

static void
test_transforms(void **state)
{
	double lat, lon, blat, blon;

	/* Tiananmen: the published GCJ-02 offset is a few hundred metres */
	pii_wgs_to_gcj(39.9087, 116.3975, &lat, &lon);
	assert_true(fabs(lat - 39.910103) < 1e-5);
	assert_true(fabs(lon - 116.403744) < 1e-5);
	pii_gcj_to_bd(lat, lon, &blat, &blon);
	assert_true(fabs(blat - 39.916443) < 1e-5);
	assert_true(fabs(blon - 116.410117) < 1e-5);
	/* outside China GCJ-02 is the identity */
	pii_wgs_to_gcj(38.8977, -77.0365, &lat, &lon);
	assert_true(lat == 38.8977 && lon == -77.0365);
	assert_true(fabs(pii_distance_m(38.8977, -77.0365, 38.9077, -77.0365) -
	    1112) < 5);
}

static void
test_rule_errors(void **state)
{
	static const char bad1[] = "version: 1\ndetectors:\n  lokation: {}\n";
	static const char bad2[] = "version: 2\n";
	struct pii_rules *x = NULL;
	char err[256];

	assert_int_equal(pii_rules_load_string("r.yaml", bad1, strlen(bad1),
	    &x, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "r.yaml:3:3: unknown key 'lokation'"));
	assert_int_equal(pii_rules_load_string("r.yaml", bad2, strlen(bad2),
	    &x, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "r.yaml:1:10:"));
	assert_null(x);
}

static int
setup(void **state)
{
	char err[512];

	if (pii_rules_load_file(RULES, &r, err, sizeof(err)) != 0) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	r = pii_rules_free(r);
	return 0;
}

/* Pairs found by the dot-anchored scan and by looking at every byte. */
struct pairs {
	double v[64][2];
	unsigned dec[64];
	size_t n;
};

static void
pair_cb(void *arg, double a, double b, unsigned decimals)
{
	struct pairs *p = arg;

	if (p->n < 64) {
		p->v[p->n][0] = a;
		p->v[p->n][1] = b;
		p->dec[p->n] = decimals;
	}
	p->n++;
}

static uint32_t
xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random text of numbers (with and without decimals, signs, runs longer
 * than 24 bytes), separators, stray dots and letters. */
static size_t
random_text(uint32_t *x, uint8_t *buf, size_t size)
{
	static const char *const seps[] = { ",", ", ", ";", "|", "/", " ",
	    "  ", ".", "-", "a", "x1", "=" };
	size_t n = 0, want = xorshift(x) % size;

	while (n + 40 < size && n < want) {
		uint32_t kind = xorshift(x) % 10;

		if (kind < 6) {
			if (xorshift(x) % 3 == 0)
				buf[n++] = '-';
			for (uint32_t k = 1 + xorshift(x) % (kind == 0 ? 30 : 3);
			    k > 0; k--)
				buf[n++] = (uint8_t)('0' + xorshift(x) % 10);
			if (kind != 5) {
				buf[n++] = '.';
				for (uint32_t k = xorshift(x) % 9; k > 0; k--)
					buf[n++] = (uint8_t)('0' +
					    xorshift(x) % 10);
			}
		} else {
			const char *t = seps[xorshift(x) %
			    (sizeof(seps) / sizeof(seps[0]))];

			memcpy(buf + n, t, strlen(t));
			n += strlen(t);
		}
	}
	return n;
}

static void
test_text_pairs_same_as_every_byte(void **state)
{
	uint8_t buf[200];
	struct pairs fast, slow;
	uint32_t x = 7;
	size_t found = 0;

	(void)state;
	for (int round = 0; round < 100000; round++) {
		size_t len = random_text(&x, buf, sizeof(buf));

		memset(&fast, 0, sizeof(fast));
		memset(&slow, 0, sizeof(slow));
		pii_text_pairs(buf, len, pair_cb, &fast);
		pii_text_pairs_every_byte(buf, len, pair_cb, &slow);
		assert_int_equal(fast.n, slow.n);
		assert_memory_equal(fast.v, slow.v, sizeof(fast.v));
		assert_memory_equal(fast.dec, slow.dec, sizeof(fast.dec));
		found += slow.n;
	}
	/* The inputs do hold pairs: the comparison is not of nothing. */
	assert_true(found > 10000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_phone_email),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_coarse_place),
		cmocka_unit_test(test_transforms),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_text_pairs_same_as_every_byte),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
