/*
 * pii_forms.c - every form a known value takes on the wire, for the
 * automaton, plus the canonical form that is hashed and the masks used
 * as evidence.
 *
 * For each value a small set of bases is derived (as written, case
 * variants, digits-only / E.164 / national / 00-prefixed forms of phone
 * numbers, MAC separators, UUIDs with and without dashes), and each base
 * is then encoded: plain, URL (%20 and +, and double-encoded), base64
 * (standard and URL-safe; unpadded, so the padded form matches as a
 * prefix), base32, hex, and MD5 / SHA-1 / SHA-256 digests as hex (case
 * insensitive), hex without leading zeros, base64 of the raw digest and
 * base64 of the hex digest (lower and upper) - the layered forms SDKs
 * send.  Duplicates are dropped.  Runs at load time only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "hash.h"
#include "pii_int.h"

#define FORM_MAX 1024		/* longest base or form kept */
#define MIN_FORM_LEN 6		/* shorter forms match too much by chance */
#define MAX_FORMS 512		/* per value */
#define MAX_BASES 16

static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
pii_b64_encode(const uint8_t *in, size_t len, bool url, bool pad, char *out,
    size_t outlen)
{
	const char *t = url ? b64url : b64std;
	size_t o = 0, i;

	if (outlen < (len + 2) / 3 * 4 + 1)
		return 0;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = t[v >> 6 & 63];
		out[o++] = t[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 |
		    (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = t[v >> 6 & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t
pii_b32_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	static const char t[] = "abcdefghijklmnopqrstuvwxyz234567";
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (outlen < (len * 8 + 4) / 5 + 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			out[o++] = t[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = t[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

size_t
pii_hex_encode(const uint8_t *in, size_t len, bool upper, char *out,
    size_t outlen)
{
	const char *t = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	if (outlen < len * 2 + 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = t[in[i] >> 4];
		out[2 * i + 1] = t[in[i] & 15];
	}
	out[len * 2] = '\0';
	return len * 2;
}

static bool
url_unreserved(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

size_t
pii_url_encode(const char *in, size_t len, bool plus, char *out,
    size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)in[i];

		if (o + 4 > outlen)
			return 0;
		if (url_unreserved(c))
			out[o++] = (char)c;
		else if (c == ' ' && plus)
			out[o++] = '+';
		else {
			out[o++] = '%';
			out[o++] = "0123456789ABCDEF"[c >> 4];
			out[o++] = "0123456789ABCDEF"[c & 15];
		}
	}
	if (o >= outlen)
		return 0;
	out[o] = '\0';
	return o;
}

size_t
pii_url_decode(const char *in, size_t len, bool plus, char *out,
    size_t outlen)
{
	size_t o = 0, i = 0;

	/* Bounded by len; the output never outgrows the input. */
	while (i < len && o < outlen) {
		const char *pct = memchr(in + i, '%', len - i);
		size_t run = (pct != NULL ? (size_t)(pct - in) : len) - i;
		int h, l;

		/* Most of a value has no escape: copy up to the next '%'. */
		if (run > 0) {
			if (run > outlen - o)
				run = outlen - o;
			memcpy(out + o, in + i, run);
			for (size_t k = o; plus && k < o + run; k++)
				if (out[k] == '+')
					out[k] = ' ';
			o += run;
			i += run;
			continue;
		}
		if (i + 2 < len &&
		    (h = pii_hexval((uint8_t)in[i + 1])) >= 0 &&
		    (l = pii_hexval((uint8_t)in[i + 2])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 3;
		} else {
			out[o++] = '%';
			i++;
		}
	}
	return o;
}

/* ------------------------------------------------------------ phones */

/* ITU E.164 country codes of one and two digits; others have three. */
static unsigned
cc_len(const char *d, size_t n)
{
	static const char *const two[] = {
		"20", "27", "30", "31", "32", "33", "34", "36", "39", "40",
		"41", "43", "44", "45", "46", "47", "48", "49", "51", "52",
		"53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
		"64", "65", "66", "81", "82", "84", "86", "90", "91", "92",
		"93", "94", "95", "98",
	};

	if (n < 1)
		return 0;
	if (d[0] == '1' || d[0] == '7')
		return 1;
	if (n < 2)
		return 0;
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (d[0] == two[i][0] && d[1] == two[i][1])
			return 2;
	return 3;
}

/*
 * Split a written phone number into country code and national digits.
 * "+1 202 555 0142", "+12025550142", "0012025550142": cc "1".  Without an
 * international prefix cc is empty and nat holds all digits.
 */
static int
phone_split(const char *s, char *cc, size_t cclen, char *nat, size_t natlen)
{
	char d[32];
	size_t n = 0, i = 0, first_group = 0;
	bool intl = false, in_first = true;

	while (s[i] == ' ')
		i++;
	if (s[i] == '+') {
		intl = true;
		i++;
	} else if (s[i] == '0' && s[i + 1] == '0') {
		intl = true;
		i += 2;
	}
	for (; s[i] != '\0'; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (n + 1 >= sizeof(d))
				return -EINVAL;
			d[n++] = s[i];
			if (in_first)
				first_group++;
		} else if (s[i] == ' ' || s[i] == '-' || s[i] == '.' ||
		    s[i] == '(' || s[i] == ')' || s[i] == '/') {
			if (n > 0)
				in_first = false;
		} else
			return -EINVAL;
	}
	d[n] = '\0';
	if (n < 5 || n > 15)
		return -EINVAL;
	if (intl) {
		unsigned k = first_group >= 1 && first_group <= 3 &&
		    first_group < n ? (unsigned)first_group : cc_len(d, n);

		if (k == 0 || k >= n || k + 1 > cclen || n - k + 1 > natlen)
			return -EINVAL;
		memcpy(cc, d, k);
		cc[k] = '\0';
		memcpy(nat, d + k, n - k + 1);
	} else {
		if (n + 1 > natlen)
			return -EINVAL;
		cc[0] = '\0';
		memcpy(nat, d, n + 1);
	}
	return 0;
}

/* Copy s with ASCII letters folded to lower (upper = false) or upper case. */
static void
case_copy(const char *s, char *out, size_t outlen, bool upper)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++) {
		char c = s[i];

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[i] = c;
	}
	out[i] = '\0';
}

#define lower_copy(s, o, n) case_copy((s), (o), (n), false)
#define upper_copy(s, o, n) case_copy((s), (o), (n), true)

static size_t
hex_only(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (pii_hexval((uint8_t)s[i]) >= 0) {
			if (n + 1 >= outlen)
				return 0;
			out[n++] = (s[i] >= 'A' && s[i] <= 'F') ?
			    (char)(s[i] - 'A' + 'a') : s[i];
		} else if (s[i] != ':' && s[i] != '-' && s[i] != '.' &&
		    s[i] != ' ')
			return 0;
	}
	out[n] = '\0';
	return n;
}

int
pii_canonical(enum pii_kind k, const char *value, char *out, size_t outlen)
{
	char cc[8], nat[32], h[64];
	size_t n;
	int w;

	switch (k) {
	case PII_KIND_PHONE:
		if (phone_split(value, cc, sizeof(cc), nat, sizeof(nat)) != 0)
			return -EINVAL;
		w = snprintf(out, outlen, "%s%s%s", cc[0] ? "+" : "", cc, nat);
		return w < 0 || (size_t)w >= outlen ? -EINVAL : 0;
	case PII_KIND_IMEI:
		n = 0;
		for (size_t i = 0; value[i] != '\0'; i++) {
			if (value[i] >= '0' && value[i] <= '9') {
				if (n + 1 >= outlen)
					return -EINVAL;
				out[n++] = value[i];
			} else if (value[i] != ' ' && value[i] != '-')
				return -EINVAL;
		}
		out[n] = '\0';
		return n >= 14 && n <= 17 ? 0 : -EINVAL;
	case PII_KIND_MAC:
		if (hex_only(value, h, sizeof(h)) != 12)
			return -EINVAL;
		w = snprintf(out, outlen, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s",
		    h, h + 2, h + 4, h + 6, h + 8, h + 10);
		return w < 0 || (size_t)w >= outlen ? -EINVAL : 0;
	case PII_KIND_AD_ID:
	case PII_KIND_ANDROID_ID:
	case PII_KIND_EMAIL:
	case PII_KIND_NAME:
	case PII_KIND_OTHER:
	default:
		if (value[0] == '\0' || strlen(value) + 1 > outlen)
			return -EINVAL;
		lower_copy(value, out, outlen);
		return 0;
	}
}

/* ------------------------------------------------------------- masks */

void
pii_mask(enum pii_mask_kind k, const char *s, size_t len, char *out,
    size_t outlen)
{
	size_t o = 0, i;

#define PUT(c) do { if (o + 1 < outlen) out[o++] = (c); } while (0)
	if (outlen == 0)
		return;
	switch (k) {
	case PII_MASK_PHONE: {
		char cc[8], nat[32], tmp[64];
		size_t nn;

		if (len < sizeof(tmp)) {
			memcpy(tmp, s, len);
			tmp[len] = '\0';
		} else
			tmp[0] = '\0';
		if (phone_split(tmp, cc, sizeof(cc), nat, sizeof(nat)) != 0) {
			cc[0] = '\0';
			nn = 0;
			for (i = 0; i < len && nn + 1 < sizeof(nat); i++)
				if (s[i] >= '0' && s[i] <= '9')
					nat[nn++] = s[i];
			nat[nn] = '\0';
		}
		nn = strlen(nat);
		if (cc[0]) {
			PUT('+');
			for (i = 0; cc[i]; i++)
				PUT(cc[i]);
			PUT(' ');
		}
		for (i = 0; i < nn; i++) {
			if (i == 3 || i == 6)
				PUT(' ');
			PUT(i < 3 || i + 2 >= nn ? nat[i] : '*');
		}
		break;
	}
	case PII_MASK_EMAIL: {
		const char *at = memchr(s, '@', len);
		size_t local = at ? (size_t)(at - s) : len;

		for (i = 0; i < local && i < 2; i++)
			PUT(s[i]);
		PUT('*');
		PUT('*');
		PUT('*');
		for (i = local; i < len; i++)
			PUT(s[i]);
		break;
	}
	case PII_MASK_NAME: {
		bool start = true;

		for (i = 0; i < len; i++) {
			if (s[i] == ' ') {
				PUT(' ');
				start = true;
			} else {
				PUT(start ? s[i] : '*');
				start = false;
			}
		}
		break;
	}
	case PII_MASK_MAC:
		for (i = 0; i < len; i++)
			PUT(i < 8 ? s[i] : (s[i] == ':' || s[i] == '-') ?
			    s[i] : '*');
		break;
	case PII_MASK_GENERIC:
	default:
		for (i = 0; i < len && i < 4; i++)
			PUT(s[i]);
		for (; i < len && i < 16; i++)
			PUT('*');
		break;
	}
#undef PUT
	out[o] = '\0';
}

enum pii_mask_kind
pii_kind_mask(enum pii_kind k)
{
	switch (k) {
	case PII_KIND_PHONE:
		return PII_MASK_PHONE;
	case PII_KIND_EMAIL:
		return PII_MASK_EMAIL;
	case PII_KIND_NAME:
		return PII_MASK_NAME;
	case PII_KIND_MAC:
		return PII_MASK_MAC;
	default:
		return PII_MASK_GENERIC;
	}
}

/* ------------------------------------------------------------- forms */

struct formset {
	uint64_t h_low[MAX_FORMS], h_exact[MAX_FORMS];
	bool nocase[MAX_FORMS];
	size_t n;
	pii_form_cb *cb;
	void *arg;
	enum pii_ac_bound bound;
};

/* hash_bytes() of s, lower-cased first if low; n <= PII_AC_MAX_PATLEN. */
static uint64_t
form_hash(const char *s, size_t n, bool low)
{
	char b[PII_AC_MAX_PATLEN];

	if (!low)
		return hash_bytes(s, n);
	for (size_t i = 0; i < n; i++)
		b[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	return hash_bytes(b, n);
}

static int
emit(struct formset *fs, const char *f, size_t n, bool nocase,
    enum pii_ac_bound bound, const char *enc)
{
	uint64_t hl, he;

	if (n < MIN_FORM_LEN || n > PII_AC_MAX_PATLEN)
		return 0;
	hl = form_hash(f, n, true);
	he = form_hash(f, n, false);
	for (size_t i = 0; i < fs->n; i++)
		if (fs->h_low[i] == hl && (fs->nocase[i] || fs->h_exact[i] == he))
			return 0;
	if (fs->n >= MAX_FORMS)
		return 0;
	fs->h_low[fs->n] = hl;
	fs->h_exact[fs->n] = he;
	fs->nocase[fs->n] = nocase;
	fs->n++;
	return fs->cb(fs->arg, f, n, nocase, bound, enc);
}

/* One of the three digests emit_base() encodes; a = 0, 1, 2. */
static size_t
digest(size_t a, const char *s, size_t n, uint8_t md[CRYPTO_MD_MAX])
{
	switch (a) {
	case 0:
		crypto_md5(s, n, md);
		return CRYPTO_MD5_LEN;
	case 1:
		crypto_sha1(s, n, md);
		return CRYPTO_SHA1_LEN;
	default:
		crypto_sha256(s, n, md);
		return CRYPTO_SHA256_LEN;
	}
}

/* The encodings of one base (a byte string the app may have started from). */
static int
emit_base(struct formset *fs, const char *b, bool digests, bool nocase_plain)
{
	static const char *const enc_hex[] = { "md5", "sha1", "sha256" };
	static const char *const enc_nz[] = { "md5+hexnz", "sha1+hexnz",
	    "sha256+hexnz" };
	static const char *const enc_b64[] = { "md5+base64", "sha1+base64",
	    "sha256+base64" };
	static const char *const enc_hb64[] = { "md5+hex+base64",
	    "sha1+hex+base64", "sha256+hex+base64" };
	char t[FORM_MAX], t2[FORM_MAX], hx[160];
	size_t n = strlen(b), m;
	uint8_t md[CRYPTO_MD_MAX];
	size_t mdlen;
	int r;

	if (n == 0 || n > 256)
		return 0;
	if ((r = emit(fs, b, n, nocase_plain, fs->bound, "plain")) != 0)
		return r;
	/* Percent-encoded, then form-encoded ('+' for space); each also
	 * percent-encoded again ("a%2Bb"). */
	for (int plus = 0; plus < 2; plus++) {
		if ((m = pii_url_encode(b, n, plus, t, sizeof(t))) == 0 ||
		    memcmp(t, b, n + 1) == 0)
			continue;
		if ((r = emit(fs, t, m, true, fs->bound, "url")) != 0)
			return r;
		if ((m = pii_url_encode(t, m, false, t2, sizeof(t2))) != 0 &&
		    (r = emit(fs, t2, m, true, fs->bound, "url")) != 0)
			return r;
	}
	if ((m = pii_b64_encode((const uint8_t *)b, n, false, false, t,
	    sizeof(t))) != 0 &&
	    (r = emit(fs, t, m, false, PII_AC_BOUND_ALNUM, "base64")) != 0)
		return r;
	if ((m = pii_b64_encode((const uint8_t *)b, n, true, false, t,
	    sizeof(t))) != 0 &&
	    (r = emit(fs, t, m, false, PII_AC_BOUND_ALNUM, "base64")) != 0)
		return r;
	if ((m = pii_b32_encode((const uint8_t *)b, n, t, sizeof(t))) != 0 &&
	    (r = emit(fs, t, m, true, PII_AC_BOUND_ALNUM, "base32")) != 0)
		return r;
	if ((m = pii_hex_encode((const uint8_t *)b, n, false, t,
	    sizeof(t))) != 0 &&
	    (r = emit(fs, t, m, true, PII_AC_BOUND_ALNUM, "hex")) != 0)
		return r;
	if (!digests)
		return 0;
	for (size_t a = 0; a < 3; a++) {
		mdlen = digest(a, b, n, md);
		m = pii_hex_encode(md, mdlen, false, hx, sizeof(hx));
		if ((r = emit(fs, hx, m, true, PII_AC_BOUND_ALNUM,
		    enc_hex[a])) != 0)
			return r;
		if (hx[0] == '0') {
			size_t z = 0;

			while (z + 1 < m && hx[z] == '0')
				z++;
			if ((r = emit(fs, hx + z, m - z, true,
			    PII_AC_BOUND_ALNUM, enc_nz[a])) != 0)
				return r;
		}
		for (int url = 0; url < 2; url++) {
			size_t k = pii_b64_encode(md, mdlen, url, false, t,
			    sizeof(t));

			if ((r = emit(fs, t, k, false, PII_AC_BOUND_ALNUM,
			    enc_b64[a])) != 0)
				return r;
		}
		for (int up = 0; up < 2; up++) {
			size_t k;

			m = pii_hex_encode(md, mdlen, up, hx, sizeof(hx));
			k = pii_b64_encode((const uint8_t *)hx, m, false, false,
			    t, sizeof(t));
			if ((r = emit(fs, t, k, false, PII_AC_BOUND_ALNUM,
			    enc_hb64[a])) != 0)
				return r;
		}
	}
	return 0;
}

int
pii_forms_generate(enum pii_kind k, const char *value, pii_form_cb *cb,
    void *arg)
{
	struct formset fs_store;	/* about 9 KiB, load time only */
	struct formset *fs = &fs_store;
	char bases[MAX_BASES][FORM_MAX / 4];
	bool digests[MAX_BASES];
	size_t nb = 0;
	char cc[8], nat[32], h[64];
	int r;

#define BASE(dig, ...) do {						\
	if (nb < MAX_BASES) {						\
		int w_ = snprintf(bases[nb], sizeof(bases[nb]), __VA_ARGS__); \
		if (w_ > 0 && (size_t)w_ < sizeof(bases[nb]))		\
			digests[nb++] = (dig);				\
	}								\
} while (0)
	memset(fs, 0, sizeof(*fs));
	fs->cb = cb;
	fs->arg = arg;
	fs->bound = PII_AC_BOUND_ALNUM;
	if (value == NULL || value[0] == '\0' || strlen(value) > 200)
		return -EINVAL;

	switch (k) {
	case PII_KIND_PHONE:
		if (phone_split(value, cc, sizeof(cc), nat, sizeof(nat)) != 0)
			return -EINVAL;
		fs->bound = PII_AC_BOUND_DIGIT;
		BASE(true, "%s", value);
		if (cc[0]) {
			BASE(true, "+%s%s", cc, nat);
			BASE(true, "%s%s", cc, nat);
			BASE(false, "00%s%s", cc, nat);
			BASE(false, "+%s %s", cc, nat);
			BASE(false, "+%s-%s", cc, nat);
			if (strcmp(cc, "1") != 0)
				BASE(true, "0%s", nat);
		}
		BASE(true, "%s", nat);
		if (strlen(nat) == 10 && (cc[0] == '\0' || strcmp(cc, "1") == 0)) {
			BASE(false, "%.3s-%.3s-%s", nat, nat + 3, nat + 6);
			BASE(false, "(%.3s) %.3s-%s", nat, nat + 3, nat + 6);
			BASE(false, "%.3s.%.3s.%s", nat, nat + 3, nat + 6);
			BASE(false, "%.3s %.3s %s", nat, nat + 3, nat + 6);
		}
		break;
	case PII_KIND_IMEI:
		if (pii_canonical(k, value, nat, sizeof(nat)) != 0)
			return -EINVAL;
		fs->bound = PII_AC_BOUND_DIGIT;
		BASE(true, "%s", nat);
		break;
	case PII_KIND_MAC:
		if (hex_only(value, h, sizeof(h)) != 12)
			return -EINVAL;
		for (int up = 0; up < 2; up++) {
			char x[16];

			if (up)
				upper_copy(h, x, sizeof(x));
			else
				memcpy(x, h, 13);
			BASE(true, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", x, x + 2,
			    x + 4, x + 6, x + 8, x + 10);
			BASE(true, "%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", x, x + 2,
			    x + 4, x + 6, x + 8, x + 10);
			BASE(true, "%s", x);
			BASE(false, "%.4s.%.4s.%.4s", x, x + 4, x + 8);
		}
		break;
	case PII_KIND_AD_ID:
	case PII_KIND_ANDROID_ID: {
		char lo[FORM_MAX / 4], up[FORM_MAX / 4];

		lower_copy(value, lo, sizeof(lo));
		upper_copy(value, up, sizeof(up));
		BASE(true, "%s", lo);
		BASE(true, "%s", up);
		if (strchr(value, '-') != NULL && hex_only(value, h,
		    sizeof(h)) == 32) {
			BASE(true, "%s", h);
			upper_copy(h, up, sizeof(up));
			BASE(true, "%s", up);
		}
		break;
	}
	case PII_KIND_EMAIL:
	case PII_KIND_NAME:
	case PII_KIND_OTHER:
	default: {
		char lo[FORM_MAX / 4];

		if (strlen(value) < 3)
			return -EINVAL;
		lower_copy(value, lo, sizeof(lo));
		BASE(true, "%s", value);
		BASE(true, "%s", lo);
		break;
	}
	}
#undef BASE
	/* Plain forms of every kind match in any case (hex digits, e-mail
	 * domains and names are case-insensitive in practice); encodings of
	 * case variants were derived above as separate bases. */
	for (size_t i = 0; i < nb; i++)
		if ((r = emit_base(fs, bases[i], digests[i], true)) != 0)
			return r;
	return 0;
}
