/*
 * test_identities.c - the `identities:` loader: a valid file, and exact
 * file:line:col errors for typos, bad values and unknown keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pii.h"

static void
test_valid(void **state)
{
	static const char y[] =
	    "identities:\n"
	    "  - label: emma\n"
	    "    phone: [\"+1 202 555 0142\"]\n"
	    "    email: emma.lee@example.org\n"
	    "    mac: [\"3c:22:fb:12:34:56\", \"001A2B3C4D5E\"]\n"
	    "    home: {lat: 38.8977, lon: -77.0365}\n"
	    "  - label: li\n"
	    "    imei: [\"490154203237518\"]\n";
	struct pii_identities *ids = NULL;
	char err[256];

	assert_int_equal(pii_identities_load_string("t.yaml", y, strlen(y),
	    &ids, err, sizeof(err)), 0);
	assert_int_equal(ids->n, 2);
	assert_string_equal(ids->v[0].label, "emma");
	assert_int_equal(ids->v[0].nvalues, 4);
	assert_int_equal(ids->v[0].values[0].kind, PII_KIND_PHONE);
	assert_true(ids->v[0].has_home);
	assert_true(ids->v[0].home_radius_m == 500);
	assert_false(ids->v[1].has_home);
	assert_string_equal(pii_kind_category(PII_KIND_IMEI), "device_id.imei");
	pii_identities_free(ids);
}

static void
expect_err(const char *y, const char *msg)
{
	struct pii_identities *ids = NULL;
	char err[256];

	assert_int_equal(pii_identities_load_string("t.yaml", y, strlen(y),
	    &ids, err, sizeof(err)), -EINVAL);
	assert_null(ids);
	if (strstr(err, msg) == NULL)
		print_error("got '%s', want '%s'\n", err, msg);
	assert_non_null(strstr(err, msg));
}

static void
test_errors(void **state)
{
	expect_err("identities:\n  - label: a\n    phnoe: [\"1\"]\n",
	    "t.yaml:3:5: unknown key 'phnoe'");
	expect_err("identities:\n  - label: a\n    phone: [\"12\"]\n",
	    "t.yaml:3:13: not a usable phone value");
	expect_err("identities:\n  - label: a\n    mac: [\"3c:22:fb\"]\n",
	    "t.yaml:3:11: not a usable mac value");
	expect_err("identities:\n  - label: a\n    home: {lat: 99, lon: 1}\n",
	    "t.yaml:3:17: latitude out of range");
	expect_err("identities:\n  - label: a\n", "has no values");
	expect_err("identities:\n  - label: a\n    name: [Al]\n",
	    "name too short");
	expect_err("identities:\n  - label: a\n    other: [xyz]\n"
	    "  - label: a\n    other: [abc]\n", "t.yaml:4:12: duplicate label");
	expect_err("people: []\n", "missing key 'identities'");
}

/* Memory is bounded: identities and values in all are capped. */
static void
test_limits(void **state)
{
	char *y;
	size_t cap = 64 * 20001 + 32, o;

	(void)state;
	assert_non_null(y = malloc(cap));
	/* 10,001 identities of one value each. */
	o = (size_t)snprintf(y, cap, "identities:\n");
	for (int i = 0; i <= 10000; i++)
		o += (size_t)snprintf(y + o, cap - o,
		    "  - label: p%d\n    other: [v%05d]\n", i, i);
	expect_err(y, "too many identities (at most 10000)");
	/* 10,000 identities of two values: the 20,001st value is refused. */
	o = (size_t)snprintf(y, cap, "identities:\n");
	for (int i = 0; i < 10000; i++)
		o += (size_t)snprintf(y + o, cap - o,
		    "  - label: p%d\n    other: [v%05d, w%05d%s]\n", i, i, i,
		    i == 9999 ? ", x00000" : "");
	expect_err(y, "too many values (at most 20000 in all");
	free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
