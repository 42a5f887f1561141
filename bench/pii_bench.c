/*
 * pii_bench.c - per-byte cost of the known-value matcher (pii_ac.c)
 * against the number of identities.
 *
 * Builds the matcher exactly as the engine does (every form of every
 * value of N generated identities: phone, e-mail, name, IMEI, ad ID,
 * Android ID, MAC), then scans the same fixed 1 MiB buffer (printable
 * JSON-like text with digits, hex and separators, seeded PRNG) several
 * times and prints the best ns/byte, for N = 5, 50 and 500 (or the
 * counts given on the command line).  It also times the whole engine
 * (pii_scan_http on a 1 MiB JSON body) for the same identities.
 *
 * Build (from the top of the tree, after a meson build in BUILD):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -I. -IBUILD bench/pii_bench.c \
 *      BUILD/daemon/liboutflow-core.a -lcrypto -lyaml -lmaxminddb \
 *      -lz -lpcap -lm -o /tmp/pii_bench
 *   /tmp/pii_bench [N ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/detect/pii_int.h"
#include "http.h"

#define BUF_LEN (1u << 20)
#define ROUNDS 5

static uint64_t rng = 88172645463325252ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void
hex(char *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		o[i] = "0123456789abcdef"[next() % 16];
	o[n] = '\0';
}

/* YAML for n identities with seven values each. */
static char *
identities_yaml(unsigned n)
{
	size_t cap = (size_t)n * 512 + 64, len = 0;
	char *y = malloc(cap);

	len += (size_t)snprintf(y + len, cap - len, "identities:\n");
	for (unsigned i = 0; i < n; i++) {
		char a[17], u[33], m[13];
		char imei[16];
		unsigned sum = 0;

		hex(a, 16);
		hex(u, 32);
		hex(m, 12);
		for (int k = 0; k < 14; k++)
			imei[k] = (char)('0' + next() % 10);
		for (int k = 0; k < 14; k++) {
			unsigned d = (unsigned)(imei[13 - k] - '0');

			if (k % 2 == 0 && (d *= 2) > 9)
				d -= 9;
			sum += d;
		}
		imei[14] = (char)('0' + (10 - sum % 10) % 10);
		imei[15] = '\0';
		len += (size_t)snprintf(y + len, cap - len,
		    "  - label: p%u\n"
		    "    phone: [\"+1 %03u %03u %04u\"]\n"
		    "    email: [\"user%u.x%u@example%u.org\"]\n"
		    "    name: [\"Person%u Surname%u\"]\n"
		    "    imei: [\"%s\"]\n"
		    "    ad_id: [\"%.8s-%.4s-%.4s-%.4s-%.12s\"]\n"
		    "    android_id: [\"%s\"]\n"
		    "    mac: [\"%.2s:%.2s:%.2s:%.2s:%.2s:%.2s\"]\n",
		    i, 200 + (unsigned)(next() % 700),
		    200 + (unsigned)(next() % 700), (unsigned)(next() % 10000),
		    i, (unsigned)(next() % 1000), i % 50, i, i, imei, u, u + 8,
		    u + 12, u + 16, u + 20, a, m, m + 2, m + 4, m + 6, m + 8,
		    m + 10);
	}
	return y;
}

struct count {
	size_t hits;
};

static bool
count_cb(void *arg, uint32_t id, size_t s, size_t e)
{
	((struct count *)arg)->hits++;
	return true;
}

struct add_arg {
	struct pii_ac *ac;
	uint32_t n;
};

static int
form_cb(void *arg, const char *f, size_t len, bool nocase,
    enum pii_ac_bound bound, const char *enc)
{
	struct add_arg *a = arg;

	return pii_ac_add(a->ac, f, len, nocase, bound, a->n++);
}

static void
run(unsigned n, const uint8_t *buf, const char *rules, const char *perms)
{
	char *y = identities_yaml(n), err[512];
	struct pii_identities *ids = NULL;
	struct pii_ac *ac = NULL;
	struct add_arg aa;
	struct count c = { 0 };
	double best = 1e30, t0, ebest = 1e30;

	if (pii_identities_load_string("bench", y, strlen(y), &ids, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	pii_ac_new(&ac);
	aa.ac = ac;
	aa.n = 0;
	t0 = now();
	for (size_t i = 0; i < ids->n; i++)
		for (size_t k = 0; k < ids->v[i].nvalues; k++)
			pii_forms_generate(ids->v[i].values[k].kind,
			    ids->v[i].values[k].value, form_cb, &aa);
	pii_ac_compile(ac);
	printf("identities %4u: patterns %7zu, anchors %7zu, tables %5.1f MiB,"
	    " build %.2f s\n", n, pii_ac_npatterns(ac), pii_ac_nstates(ac),
	    pii_ac_memory(ac) / 1048576.0, (now() - t0) / 1e9);
	for (int r = 0; r < ROUNDS; r++) {
		c.hits = 0;
		t0 = now();
		pii_ac_scan(ac, buf, BUF_LEN, count_cb, &c);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("  matcher: %.3f ns/byte (%zu matches in 1 MiB)\n",
	    best / BUF_LEN, c.hits);

	/* whole engine on a 1 MiB JSON body */
	{
		struct pii_config cf = { .rules_path = rules,
		    .permissions_path = perms, .identities = ids,
		    .max_scan_bytes = 4u << 20 };
		struct pii_engine *e = NULL;
		struct pii_scanner *sc = NULL;
		static struct pii_result res;
		struct http_request req;
		struct http_ctx *hc = http_ctx_new();
		char *msg = malloc(BUF_LEN + 256);
		int hl;

		hl = snprintf(msg, 256, "POST /x HTTP/1.1\r\nHost: a\r\n"
		    "Content-Type: application/json\r\nContent-Length: %u"
		    "\r\n\r\n", BUF_LEN);
		memcpy(msg + hl, buf, BUF_LEN);
		if (hc != NULL &&
		    pii_engine_new(&cf, &e, err, sizeof(err)) == 0 &&
		    pii_scanner_new(e, &sc) == 0 &&
		    http_request_parse(hc, (uint8_t *)msg,
		    (size_t)hl + BUF_LEN, 2u << 20, true, &req).st == PARSE_OK) {
			for (int r = 0; r < ROUNDS; r++) {
				t0 = now();
				pii_scan_http(sc, &req, &res);
				t0 = now() - t0;
				if (t0 < ebest)
					ebest = t0;
			}
			{
				struct pii_stats ps;

				/* the rule file's max_fields bounds how much of
				 * the body is walked: report per byte scanned */
				pii_get_stats(sc, &ps);
				printf("  engine (JSON walk + matcher + detectors):"
				    " %.3f ns per scanned byte (%llu of %u bytes "
				    "per message), %zu observations\n", ebest /
				    ((double)ps.bytes_scanned / ps.messages),
				    (unsigned long long)(ps.bytes_scanned /
				    ps.messages), BUF_LEN, res.n);
			}
			http_request_clear(&req);
		} else
			fprintf(stderr, "engine: %s\n", err);
		pii_scanner_free(sc);
		pii_engine_free(e);
		http_ctx_free(hc);
		free(msg);
	}
	pii_ac_free(ac);
	pii_identities_free(ids);
	free(y);
}

int
main(int argc, char **argv)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789"
	    "ABCDEF0123456789 ,.:-_@+/=";
	uint8_t *buf = malloc(BUF_LEN);
	size_t i = 0;

	/* JSON-ish text: {"kNNN":"<random token>",...} */
	buf[i++] = '{';
	while (i + 64 < BUF_LEN) {
		size_t tl = 8 + next() % 40;

		i += (size_t)snprintf((char *)buf + i, 16, "\"k%u\":\"",
		    (unsigned)(next() % 1000));
		for (size_t k = 0; k < tl; k++)
			buf[i++] = (uint8_t)alpha[next() % (sizeof(alpha) - 1)];
		buf[i++] = '"';
		buf[i++] = ',';
	}
	while (i < BUF_LEN - 1)
		buf[i++] = ' ';
	buf[BUF_LEN - 1] = '}';
	if (argc > 1)
		for (int a = 1; a < argc; a++)
			run((unsigned)atoi(argv[a]), buf,
			    "rules/personal_data.yaml", "rules/permissions.yaml");
	else {
		static const unsigned n[] = { 5, 50, 500 };

		for (size_t k = 0; k < sizeof(n) / sizeof(n[0]); k++)
			run(n[k], buf, "rules/personal_data.yaml",
			    "rules/permissions.yaml");
	}
	free(buf);
	return 0;
}
