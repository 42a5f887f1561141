/*
 * test_jurisdictions.c - the shipped rules/jurisdictions.yaml and the
 * validator: operator lookups keyed on control, group membership and
 * masks, and exact errors for broken packs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iso3166.h"
#include "jurisdictions.h"

#define PACK	TOP_SRCDIR "/rules/jurisdictions.yaml"

static int
setup_pack(void **state)
{
	struct jurisdictions *j = NULL;
	char err[512];
	int r;

	r = jur_load_file(PACK, &j, err, sizeof(err));
	if (r != 0) {
		print_error("%s\n", err);
		return -1;
	}
	*state = j;
	return 0;
}

static int
teardown_pack(void **state)
{
	*state = jur_free(*state);
	return 0;
}

static void
expect_op(const struct jurisdictions *j, uint32_t asn, const char *name,
    const char *cc)
{
	const struct jur_operator *op = jur_operator(j, asn);

	if (op == NULL)
		print_error("AS%u not found\n", asn);
	assert_non_null(op);
	assert_string_equal(op->name, name);
	assert_string_equal(op->jurisdiction, cc);
}

static void
test_pack_operators(void **state)
{
	const struct jurisdictions *j = *state;
	const struct jur_operator *op;

	expect_op(j, 45090, "Tencent", "CN");
	expect_op(j, 132203, "Tencent", "CN");
	expect_op(j, 4134, "China Telecom", "CN");
	expect_op(j, 4809, "China Telecom", "CN");
	expect_op(j, 23764, "China Telecom", "CN");
	expect_op(j, 4837, "China Unicom", "CN");
	expect_op(j, 9929, "China Unicom", "CN");
	expect_op(j, 58453, "China Mobile", "CN");
	expect_op(j, 37963, "Alibaba", "CN");
	expect_op(j, 138699, "ByteDance", "CN");
	expect_op(j, 136907, "Huawei", "CN");
	expect_op(j, 38365, "Baidu", "CN");
	expect_op(j, 55962, "Kuaishou", "CN");
	expect_op(j, 137753, "JD.com", "CN");
	expect_op(j, 45062, "NetEase", "CN");
	expect_op(j, 13238, "Yandex", "RU");
	expect_op(j, 12389, "Rostelecom", "RU");
	expect_op(j, 31133, "MegaFon", "RU");

	/* Keyed on control, not on the registry country. */
	expect_op(j, 45102, "Alibaba", "CN");
	expect_op(j, 396986, "ByteDance", "CN");
	expect_op(j, 36678, "China Telecom", "CN");
	expect_op(j, 19174, "China Unicom", "CN");
	/* ... and the TikTok US joint venture is US. */
	expect_op(j, 11983, "TikTok USDS Joint Venture", "US");

	op = jur_operator(j, 45090);
	assert_non_null(op->source);
	assert_true(op->line > 1);
	assert_true(op->nasns >= 5);
	assert_int_equal(op->asns[0], 45090);
	assert_true(op->groups & JUR_GROUP_BIT(jur_group_id(j,
	    "us_countries_of_concern")));
	assert_false(op->groups & JUR_GROUP_BIT(jur_group_id(j, "eu")));

	/* Not listed: Google, Cloudflare, 0, max. */
	assert_null(jur_operator(j, 15169));
	assert_null(jur_operator(j, 13335));
	assert_null(jur_operator(j, 0));
	assert_null(jur_operator(j, UINT32_MAX));
	assert_null(jur_operator(NULL, 4134));
}

static void
test_pack_every_operator_found(void **state)
{
	const struct jurisdictions *j = *state;
	size_t n = jur_noperators(j), total = 0;

	assert_true(n >= 25);
	for (size_t i = 0; i < n; i++) {
		const struct jur_operator *op = jur_operator_at(j, i);

		assert_non_null(op);
		assert_non_null(op->source);
		for (size_t k = 0; k < op->nasns; k++)
			assert_ptr_equal(jur_operator(j, op->asns[k]), op);
		total += op->nasns;
	}
	assert_true(total >= 90);
	assert_null(jur_operator_at(j, n));
}

static void
test_pack_groups(void **state)
{
	const struct jurisdictions *j = *state;
	const char *names[8];
	int coc = jur_group_id(j, "us_countries_of_concern");
	int eu = jur_group_id(j, "eu");

	assert_true(coc >= 0);
	assert_true(eu >= 0);
	assert_int_equal(jur_group_id(j, "nope"), -ENOENT);

	assert_true(jur_country_in_group(j, "CN", "us_countries_of_concern"));
	assert_true(jur_country_in_group(j, "HK", "us_countries_of_concern"));
	assert_true(jur_country_in_group(j, "MO", "us_countries_of_concern"));
	assert_true(jur_country_in_group(j, "VE", "us_countries_of_concern"));
	assert_true(jur_country_in_group(j, "cu", "us_countries_of_concern"));
	assert_false(jur_country_in_group(j, "US", "us_countries_of_concern"));
	assert_false(jur_country_in_group(j, "CN", "no_such_group"));

	/* Venezuela: a country of concern, but only the Maduro regime is a
	 * Commerce foreign adversary; PADFA has neither Cuba nor Venezuela. */
	assert_false(jur_country_in_group(j, "VE", "foreign_adversaries_15cfr791"));
	assert_true(jur_country_in_group(j, "MO", "foreign_adversaries_15cfr791"));
	assert_false(jur_country_in_group(j, "CU",
	    "us_foreign_adversaries_10usc4872"));
	assert_true(jur_country_in_group(j, "KP",
	    "us_foreign_adversaries_10usc4872"));

	assert_true(jur_country_in_group(j, "DE", "eu"));
	assert_true(jur_country_in_group(j, "GR", "eu"));
	assert_false(jur_country_in_group(j, "GB", "eu"));
	assert_false(jur_country_in_group(j, "NO", "eu"));
	/* Plain NO is Norway, not YAML 1.1 false. */
	assert_true(jur_country_in_group(j, "NO", "eea"));
	assert_true(jur_country_in_group(j, "JP", "eu_adequacy"));
	assert_true(jur_country_in_group(j, "GB", "eu_adequacy"));
	assert_true(jur_country_in_group(j, "BR", "eu_adequacy"));
	assert_false(jur_country_in_group(j, "CN", "eu_adequacy"));
	assert_false(jur_country_in_group(j, "IN", "eu_adequacy"));

	assert_int_equal(jur_group(j, (unsigned)eu)->ncountries, 27);
	assert_int_equal(jur_group(j, (unsigned)jur_group_id(j, "eea"))
	    ->ncountries, 30);
	assert_string_equal(jur_group(j, (unsigned)coc)->name,
	    "us_countries_of_concern");
	assert_non_null(jur_group(j, (unsigned)coc)->description);
	assert_non_null(jur_group(j, (unsigned)coc)->source);
	assert_int_equal(jur_group(j, (unsigned)coc)->ncountries, 8);
	assert_string_equal(jur_group(j, (unsigned)coc)->countries[1], "HK");
	assert_null(jur_group(j, JUR_MAX_GROUPS));

	/* Masks: one AND per test. */
	uint64_t m = jur_country_groups(j, "CN");
	assert_true(m & JUR_GROUP_BIT(coc));
	assert_false(m & JUR_GROUP_BIT(eu));
	assert_int_equal(jur_country_groups(j, "C"), 0);
	assert_int_equal(jur_country_groups(j, "CNN"), 0);
	assert_int_equal(jur_country_groups(j, "C1"), 0);
	assert_int_equal(jur_country_groups(j, NULL), 0);
	assert_int_equal(jur_country_groups(j, "ZZ"), 0);

	/* HK: concern, 15 CFR 791, 10 USC 4872. */
	size_t n = jur_groups_of_country(j, "HK", names, 8);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "us_countries_of_concern");
	assert_string_equal(names[1], "foreign_adversaries_15cfr791");
	assert_string_equal(names[2], "us_foreign_adversaries_10usc4872");
	/* Truncated output still reports the total. */
	names[1] = NULL;
	assert_int_equal(jur_groups_of_country(j, "DE", names, 1), 2);
	assert_string_equal(names[0], "eu");
	assert_null(names[1]);
	assert_int_equal(jur_groups_of_country(j, "US", NULL, 0), 2);
	assert_int_equal(jur_groups_of_country(j, "XX", names, 8), 0);
}

/* ---- invalid packs ---- */

#define GROUPS \
	"version: 1\n" \
	"groups:\n" \
	"  g:\n" \
	"    description: d\n" \
	"    countries: [CN, HK]\n"

static void
load_fails(const char *s, const char *want)
{
	struct jurisdictions *j = (struct jurisdictions *)0x1;
	char err[512];
	int r;

	r = jur_load_string("j.yaml", s, strlen(s), &j, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_ptr_equal(j, (struct jurisdictions *)0x1);
	assert_string_equal(err, want);
}

static void
test_minimal_valid(void **state)
{
	const char *s = GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: CN\n"
	    "    asns: [1, 4294967294]\n";
	struct jurisdictions *j = NULL;
	char err[512];

	assert_int_equal(jur_load_string("j.yaml", s, strlen(s), &j, err,
	    sizeof(err)), 0);
	assert_string_equal(jur_operator(j, 4294967294u)->name, "X");
	assert_int_equal(jur_operator(j, 1)->line, 7);
	assert_null(jur_operator(j, 1)->note);
	assert_true(jur_country_in_group(j, "HK", "g"));
	assert_int_equal(jur_operator(j, 1)->groups, JUR_GROUP_BIT(0));
	assert_null(jur_free(j));
	assert_null(jur_free(NULL));
}

static void
test_unknown_keys(void **state)
{
	load_fails(GROUPS "operators: []\nextra: 1\n",
	    "j.yaml:7:1: unknown key 'extra' (expected one of: version, "
	    "groups, operators)");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: CN\n"
	    "    asn: [1]\n",
	    "j.yaml:9:5: unknown key 'asn' (expected one of: operator, "
	    "jurisdiction, asns, note, source)");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  g:\n"
	    "    description: d\n"
	    "    members: [CN]\n"
	    "operators: []\n",
	    "j.yaml:5:5: unknown key 'members' (expected one of: description, "
	    "source, countries)");
}

/* The shared validator both packs load through. */
static void
test_iso3166(void **state)
{
	(void)state;
	assert_true(iso3166_alpha2_valid("AD", 2));	/* first */
	assert_true(iso3166_alpha2_valid("ZW", 2));	/* last assigned */
	assert_true(iso3166_alpha2_valid("ZZ", 2));	/* unknown */
	assert_true(iso3166_alpha2_valid("SS", 2));	/* added 2011 */
	assert_false(iso3166_alpha2_valid("AN", 2));	/* withdrawn 2011 */
	assert_false(iso3166_alpha2_valid("XX", 2));
	assert_false(iso3166_alpha2_valid("UK", 2));
	assert_false(iso3166_alpha2_valid("us", 2));
	assert_false(iso3166_alpha2_valid("USA", 3));
	assert_false(iso3166_alpha2_valid("U", 1));
	assert_false(iso3166_alpha2_valid("U\0", 2));
	assert_false(iso3166_alpha2_valid(NULL, 2));
}

static void
test_bad_iso(void **state)
{
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: cn\n"
	    "    asns: [1]\n",
	    "j.yaml:8:19: invalid country code 'cn' (expected two upper-case "
	    "letters, ISO 3166-1 alpha-2)");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: CHN\n"
	    "    asns: [1]\n",
	    "j.yaml:8:19: invalid country code 'CHN' (expected two upper-case "
	    "letters, ISO 3166-1 alpha-2)");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  g:\n"
	    "    description: d\n"
	    "    countries: [CN, H1]\n"
	    "operators: []\n",
	    "j.yaml:5:21: invalid country code 'H1' (expected two upper-case "
	    "letters, ISO 3166-1 alpha-2)");
	/* Well formed but not assigned: the shared ISO 3166 list decides. */
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: XX\n"
	    "    asns: [1]\n",
	    "j.yaml:8:19: country code 'XX' is not an assigned ISO 3166-1 "
	    "alpha-2 code (ZZ = unknown)");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  g:\n"
	    "    description: d\n"
	    "    countries: [CN, UK]\n"
	    "operators: []\n",
	    "j.yaml:5:21: country code 'UK' is not an assigned ISO 3166-1 "
	    "alpha-2 code (ZZ = unknown)");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: X\n"
	    "    jurisdiction: [CN]\n"
	    "    asns: [1]\n",
	    "j.yaml:8:19: expected a string");
}

static void
test_duplicate_asn(void **state)
{
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns: [4134, 4809]\n"
	    "  - operator: B\n"
	    "    jurisdiction: US\n"
	    "    asns: [7, 4134]\n",
	    "j.yaml:12:15: AS4134 listed twice (first for 'A' at line 9, "
	    "column 12)");
	/* Within one operator too. */
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns:\n"
	    "      - 5\n"
	    "      - 5\n",
	    "j.yaml:11:9: AS5 listed twice (first for 'A' at line 10, "
	    "column 9)");
}

static void
test_other_errors(void **state)
{
	load_fails(GROUPS "operators: []\n" "version: 1\n",
	    "j.yaml:7:1: duplicate key 'version' (first at line 1, column 1)");
	load_fails("version: 2\ngroups: {}\noperators: []\n",
	    "j.yaml:1:10: expected an integer in [1, 1]");
	load_fails("groups: {}\noperators: []\n",
	    "j.yaml:1:1: missing key 'version'");
	load_fails("- a\n", "j.yaml:1:1: expected a mapping");
	load_fails("", "j.yaml:1:1: expected a mapping");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns: [0]\n",
	    "j.yaml:9:12: expected an integer in [1, 4294967294]");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns: [\"4134\"]\n",
	    "j.yaml:9:12: expected an integer in [1, 4294967294]");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns: []\n",
	    "j.yaml:9:11: asns must not be empty");
	load_fails(GROUPS
	    "operators:\n"
	    "  - jurisdiction: CN\n"
	    "    asns: [1]\n",
	    "j.yaml:7:5: missing key 'operator'");
	load_fails(GROUPS
	    "operators:\n"
	    "  - operator: A\n"
	    "    jurisdiction: CN\n"
	    "    asns: [1]\n"
	    "    note: [x]\n",
	    "j.yaml:10:11: expected a string");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  Bad-Name:\n"
	    "    description: d\n"
	    "    countries: [CN]\n"
	    "operators: []\n",
	    "j.yaml:3:3: invalid group name (expected a lower-case letter then "
	    "[a-z0-9_], at most 63 characters)");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  g:\n"
	    "    countries: [CN]\n"
	    "operators: []\n",
	    "j.yaml:4:5: missing key 'description'");
	load_fails("version: 1\n"
	    "groups:\n"
	    "  g:\n"
	    "    description: d\n"
	    "    countries: [CN, DE, CN]\n"
	    "operators: []\n",
	    "j.yaml:5:25: country 'CN' listed twice in group 'g' (first at "
	    "line 5, column 17)");
	/* Loader errors come through unchanged. */
	load_fails("version: &v 1\n", "j.yaml:1:10: anchors are not allowed");
}

static void
test_too_many_groups(void **state)
{
	char buf[8192];
	size_t o = 0;

	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "version: 1\ngroups:\n");
	for (int i = 0; i < 65; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		    "  g%d: {description: d, countries: [CN]}\n", i);
	snprintf(buf + o, sizeof(buf) - o, "operators: []\n");
	load_fails(buf, "j.yaml:67:3: more than 64 groups");

	/* 64 is fine, and the last bit works. */
	o = 0;
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "version: 1\ngroups:\n");
	for (int i = 0; i < 64; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		    "  g%d: {description: d, countries: [CN]}\n", i);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "operators: []\n");
	struct jurisdictions *j = NULL;
	char err[256];
	assert_int_equal(jur_load_string("j", buf, o, &j, err, sizeof(err)), 0);
	assert_int_equal(jur_ngroups(j), 64);
	assert_true(jur_country_in_group(j, "CN", "g63"));
	assert_int_equal(jur_country_groups(j, "CN"), UINT64_MAX);
	assert_null(jur_operator(j, 1));
	jur_free(j);
}

static void
test_missing_file(void **state)
{
	struct jurisdictions *j = NULL;
	char err[256];

	assert_int_equal(jur_load_file("/nonexistent.yaml", &j, err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent.yaml: No such file or directory");
	assert_null(j);
}

int
main(void)
{
	const struct CMUnitTest pack[] = {
		cmocka_unit_test(test_pack_operators),
		cmocka_unit_test(test_pack_every_operator_found),
		cmocka_unit_test(test_pack_groups),
	};
	const struct CMUnitTest invalid[] = {
		cmocka_unit_test(test_minimal_valid),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_iso3166),
		cmocka_unit_test(test_bad_iso),
		cmocka_unit_test(test_duplicate_asn),
		cmocka_unit_test(test_other_errors),
		cmocka_unit_test(test_too_many_groups),
		cmocka_unit_test(test_missing_file),
	};
	int r;

	r = cmocka_run_group_tests_name("shipped pack", pack, setup_pack,
	    teardown_pack);
	r += cmocka_run_group_tests_name("validation", invalid, NULL, NULL);
	return r;
}
