/*
 * test_pii_forms.c - value forms: encoders against known vectors,
 * canonical forms, masks, and that the generated forms of a phone, an
 * e-mail and a MAC include the layered encodings trackers send.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "daemon/detect/pii_int.h"

struct forms {
	char f[600][160];
	char enc[600][24];
	bool nocase[600];
	size_t n;
};

static int
fcb(void *arg, const char *form, size_t len, bool nocase,
    enum pii_ac_bound bound, const char *enc)
{
	struct forms *fs = arg;

	assert_true(fs->n < 600);
	snprintf(fs->f[fs->n], 160, "%.*s", (int)len, form);
	snprintf(fs->enc[fs->n], 24, "%s", enc);
	fs->nocase[fs->n] = nocase;
	fs->n++;
	return 0;
}

static bool
has(const struct forms *fs, const char *f, const char *enc)
{
	for (size_t i = 0; i < fs->n; i++)
		if ((fs->nocase[i] ? strcasecmp(fs->f[i], f) :
		    strcmp(fs->f[i], f)) == 0 && strcmp(fs->enc[i], enc) == 0)
			return true;
	return false;
}

static void
test_encoders(void **state)
{
	char o[64];

	assert_int_equal(pii_b64_encode((const uint8_t *)"foob", 4, false, true,
	    o, sizeof(o)), 8);
	assert_string_equal(o, "Zm9vYg==");
	pii_b64_encode((const uint8_t *)"\xfb\xff", 2, true, false, o,
	    sizeof(o));
	assert_string_equal(o, "-_8");
	pii_b32_encode((const uint8_t *)"foobar", 6, o, sizeof(o));
	assert_string_equal(o, "mzxw6ytboi");
	pii_url_encode("a b@c+", 6, true, o, sizeof(o));
	assert_string_equal(o, "a+b%40c%2B");
	assert_int_equal(pii_url_decode("a+b%40c%2", 9, true, o, sizeof(o)), 7);
	o[7] = '\0';
	assert_string_equal(o, "a b@c%2");
}

/* URL decoding byte by byte, as RFC 3986 reads it: the reference. */
static size_t
url_decode_ref(const char *in, size_t len, bool plus, char *out,
    size_t outlen)
{
	size_t o = 0, i = 0;

	while (i < len && o < outlen) {
		int h, l;

		if (in[i] == '%' && i + 2 < len &&
		    (h = pii_hexval((uint8_t)in[i + 1])) >= 0 &&
		    (l = pii_hexval((uint8_t)in[i + 2])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 3;
		} else {
			out[o++] = plus && in[i] == '+' ? ' ' : in[i];
			i++;
		}
	}
	return o;
}

static void
test_url_decode_random(void **state)
{
	static const char alpha[] = "%%%++aF0g9 ";
	char in[64], got[64], want[64];
	uint32_t x = 99;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		size_t len, outlen, n;
		bool plus;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		len = x % sizeof(in);
		plus = x & 64;
		/* Sometimes less room than input. */
		outlen = x & 128 ? (x >> 8) % (len + 1) : sizeof(got);
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			in[i] = alpha[x % (sizeof(alpha) - 1)];
		}
		n = pii_url_decode(in, len, plus, got, outlen);
		assert_int_equal(n, url_decode_ref(in, len, plus, want,
		    outlen));
		assert_memory_equal(got, want, n);
	}
}

static void
test_canonical_mask(void **state)
{
	char o[64];

	assert_int_equal(pii_canonical(PII_KIND_PHONE, "+1 (202) 555-0142", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "+12025550142");
	assert_int_equal(pii_canonical(PII_KIND_PHONE, "0044 7700 900123", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "+447700900123");
	assert_int_equal(pii_canonical(PII_KIND_MAC, "3C-22-FB-12-34-56", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "3c:22:fb:12:34:56");
	assert_int_equal(pii_canonical(PII_KIND_PHONE, "12", o, sizeof(o)),
	    -EINVAL);
	pii_mask(PII_MASK_PHONE, "+12025550142", 12, o, sizeof(o));
	assert_string_equal(o, "+1 202 *** **42");
	pii_mask(PII_MASK_EMAIL, "emma.lee@example.org", 20, o, sizeof(o));
	assert_string_equal(o, "em***@example.org");
	pii_mask(PII_MASK_GENERIC, "9774d56d682e549c", 16, o, sizeof(o));
	assert_string_equal(o, "9774************");
	pii_mask(PII_MASK_MAC, "3c:22:fb:12:34:56", 17, o, sizeof(o));
	assert_string_equal(o, "3c:22:fb:**:**:**");
	pii_mask(PII_MASK_NAME, "Emma Lee", 8, o, 4);
	assert_string_equal(o, "E**");	/* truncated, still terminated */
}

static void
test_forms(void **state)
{
	static struct forms fs;

	fs.n = 0;
	assert_int_equal(pii_forms_generate(PII_KIND_PHONE, "+1 202 555 0142",
	    fcb, &fs), 0);
	assert_true(has(&fs, "+12025550142", "plain"));
	assert_true(has(&fs, "2025550142", "plain"));
	assert_true(has(&fs, "%2B12025550142", "url"));
	assert_true(has(&fs, "(202) 555-0142", "plain"));
	assert_true(has(&fs, "KzEyMDI1NTUwMTQy", "base64"));
	/* sha256("+12025550142"), any case */
	assert_true(has(&fs, "409483139E442A5779F262EF73D3872FDE883E902C78497C"
	    "D9EB874CD308651B", "sha256"));
	fs.n = 0;
	assert_int_equal(pii_forms_generate(PII_KIND_EMAIL,
	    "Emma.Lee@Example.org", fcb, &fs), 0);
	assert_true(has(&fs, "emma.lee@example.org", "plain"));
	assert_true(has(&fs, "aeb2feda8fff101d370f1d919d40719b", "md5"));
	assert_true(has(&fs, "ZW1tYS5sZWVAZXhhbXBsZS5vcmc", "base64"));
	for (size_t i = 0; i < fs.n; i++)
		for (size_t k = 0; k < i; k++)
			assert_false(strcmp(fs.f[i], fs.f[k]) == 0 &&
			    fs.nocase[i] == fs.nocase[k]);
	fs.n = 0;
	assert_int_equal(pii_forms_generate(PII_KIND_MAC, "3c:22:fb:12:34:56",
	    fcb, &fs), 0);
	assert_true(has(&fs, "3C-22-FB-12-34-56", "plain"));
	assert_true(has(&fs, "3c22fb123456", "plain"));
	assert_true(has(&fs, "3c22.fb12.3456", "plain"));
	assert_int_equal(pii_forms_generate(PII_KIND_PHONE, "call me", fcb,
	    &fs), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoders),
		cmocka_unit_test(test_url_decode_random),
		cmocka_unit_test(test_canonical_mask),
		cmocka_unit_test(test_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
