/*
 * summary.c - summary tables for `outflow audit`.
 *
 * Each table maps a string key to counters in an open-addressing hash of
 * bounded size.  Keys come from the network (server names), so the text
 * output escapes them for the terminal and the JSON output for JSON.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "detect.h"
#include "json.h"

struct agg_entry {
	char *key;
	char *extra;		/* protocol, operator name ... */
	uint32_t hash;		/* of key: most probes end without memcmp */
	uint32_t len;		/* of key */
	uint64_t flows;
	uint64_t bytes_out;	/* client to server */
	uint64_t bytes_in;
};

struct agg {
	struct agg_entry *slots;
	uint32_t mask;
	uint32_t used;
	struct agg_entry other;	/* keys beyond SUMMARY_MAX_KEYS */
};

enum { T_SERVERS, T_APPS, T_COUNTRIES, T_OPERATORS, T_DATA, T__COUNT };

/* Columns of a T_DATA key, tab-separated. */
enum { D_WHO, D_CATEGORY, D_DEST, D_COUNTRY, D_OPJUR, D_VENDORJUR, D__COUNT };

struct summary {
	struct agg t[T__COUNT];
};

/* A key's hash, eight bytes at a time: this runs for every flow. */
static uint32_t
key_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return (uint32_t)(h ^ h >> 29);
}

static int
agg_init(struct agg *g)
{
	uint32_t n = 1024;

	memset(g, 0, sizeof(*g));
	if ((g->slots = calloc(n, sizeof(*g->slots))) == NULL)
		return -1;
	g->mask = n - 1;
	return 0;
}

static void
agg_free(struct agg *g)
{
	for (uint32_t i = 0; g->slots != NULL && i <= g->mask; i++) {
		free(g->slots[i].key);	/* extra shares its block */
	}
	free(g->slots);
}

static int
agg_grow(struct agg *g)
{
	uint32_t n = (g->mask + 1) * 2;
	struct agg_entry *ns = calloc(n, sizeof(*ns));

	if (ns == NULL)
		return -1;
	for (uint32_t i = 0; i <= g->mask; i++) {
		uint32_t j;

		if (g->slots[i].key == NULL)
			continue;
		for (j = g->slots[i].hash & (n - 1); ns[j].key != NULL;
		    j = (j + 1) & (n - 1))
			;
		ns[j] = g->slots[i];
	}
	free(g->slots);
	g->slots = ns;
	g->mask = n - 1;
	return 0;
}

static struct agg_entry *
agg_get(struct agg *g, const char *key, const char *extra)
{
	size_t len = strlen(key);
	uint32_t i, h;

	if (g->slots == NULL || len > UINT32_MAX)
		return &g->other;
	h = key_hash(key, len);
	for (i = h & g->mask; g->slots[i].key != NULL; i = (i + 1) & g->mask)
		if (g->slots[i].hash == h && g->slots[i].len == len &&
		    memcmp(g->slots[i].key, key, len) == 0)
			return &g->slots[i];
	if (g->used >= SUMMARY_MAX_KEYS)
		return &g->other;
	if (g->used * 2 >= g->mask + 1) {
		if (agg_grow(g) != 0)
			return &g->other;
		return agg_get(g, key, extra);
	}
	{
		/* Key and extra in one block: one allocation per row. */
		size_t kl = len + 1, el = extra ? strlen(extra) + 1 : 0;
		char *b = malloc(kl + el);

		if (b == NULL)
			return &g->other;
		memcpy(b, key, kl);
		if (extra != NULL)
			memcpy(b + kl, extra, el);
		g->slots[i].key = b;
		g->slots[i].extra = extra ? b + kl : NULL;
		g->slots[i].hash = h;
		g->slots[i].len = (uint32_t)len;
	}
	g->used++;
	return &g->slots[i];
}

static void
agg_add(struct agg *g, const char *key, const char *extra,
    const struct flow *f)
{
	struct agg_entry *e = agg_get(g, key, extra);

	e->flows++;
	e->bytes_out += f->bytes[FLOW_TO_SERVER];
	e->bytes_in += f->bytes[FLOW_TO_CLIENT];
}

struct summary *
summary_new(void)
{
	struct summary *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	for (int i = 0; i < T__COUNT; i++)
		if (agg_init(&a->t[i]) != 0)
			return summary_free(a);
	return a;
}

struct summary *
summary_free(struct summary *a)
{
	if (a == NULL)
		return NULL;
	for (int i = 0; i < T__COUNT; i++)
		agg_free(&a->t[i]);
	free(a);
	return NULL;
}

/* Append src to dst at *o, bounded; returns false when it did not fit. */
static bool
append(char *dst, size_t size, size_t *o, const char *src)
{
	size_t n = strlen(src);

	if (*o + n >= size)
		return false;
	memcpy(dst + *o, src, n + 1);
	*o += n;
	return true;
}

void
summary_flow(struct summary *a, const struct flow_record *r)
{
	char key[320], ip[ADDR_STRLEN], port[8];
	const char *proto = r->protocol ? r->protocol :
	    r->flow->key.proto == 6 ? "tcp" : r->flow->key.proto == 17 ?
	    "udp" : "other";
	size_t o = 0;
	unsigned p = r->server_port, i = sizeof(port) - 1;

	/* Key: name (or [address]:port for unnamed servers) TAB protocol,
	 * so each name has one row per protocol.  Built without printf:
	 * this runs for every flow. */
	if (r->domain != NULL)
		append(key, sizeof(key), &o, r->domain);
	else {
		port[i] = '\0';
		do {
			port[--i] = (char)('0' + p % 10);
			p /= 10;
		} while (p > 0 && i > 0);
		if (r->server.family == 6)
			append(key, sizeof(key), &o, "[");
		append(key, sizeof(key), &o, addr_str(&r->server, ip, sizeof(ip)));
		append(key, sizeof(key), &o, r->server.family == 6 ? "]:" : ":");
		append(key, sizeof(key), &o, port + i);
	}
	append(key, sizeof(key), &o, "\t");
	append(key, sizeof(key), &o, proto);
	agg_add(&a->t[T_SERVERS], key, proto, r->flow);
	if (r->app_id != NULL)
		agg_add(&a->t[T_APPS], r->app_id, r->app_name, r->flow);
	if (r->data != NULL && r->data->observations > 0) {
		/* One row per (app, category, destination, jurisdictions). */
		for (uint8_t c = 0; c < r->data->n_categories; c++) {
			char dk[600];
			const char *who = r->app_name ? r->app_name :
			    r->domain ? r->domain : "(unattributed)";

			snprintf(dk, sizeof(dk), "%s\t%s\t%s\t%s\t%s\t%s", who,
			    r->data->categories[c], r->domain ? r->domain :
			    addr_str(&r->server, ip, sizeof(ip)),
			    r->dest_local ? "local" : r->country[0] ? r->country : "-",
			    r->jur_operator[0] ? r->jur_operator : "-",
			    r->jur_vendor[0] ? r->jur_vendor : "-");
			agg_add(&a->t[T_DATA], dk, r->data->permissions[c], r->flow);
		}
	}
	if (r->geo_done) {
		const char *c = r->dest_local ? "local" :
		    r->country[0] ? r->country : "unknown";

		agg_add(&a->t[T_COUNTRIES], c, NULL, r->flow);
		if (r->asn != 0) {
			char num[16];
			uint32_t asn = r->asn;
			size_t k = sizeof(num);

			/* "AS" and the number, without printf: every flow. */
			num[--k] = '\0';
			do {
				num[--k] = (char)('0' + asn % 10);
				asn /= 10;
			} while (asn > 0);
			num[--k] = 'S';
			num[--k] = 'A';
			memcpy(key, num + k, sizeof(num) - k);
			agg_add(&a->t[T_OPERATORS], key, r->operator_name ?
			    r->operator_name : r->as_org, r->flow);
		}
	}
}

static int
cmp_bytes(const void *x, const void *y)
{
	const struct agg_entry *a = *(struct agg_entry *const *)x;
	const struct agg_entry *b = *(struct agg_entry *const *)y;
	uint64_t ta = a->bytes_out + a->bytes_in, tb = b->bytes_out + b->bytes_in;

	if (ta != tb)
		return ta < tb ? 1 : -1;
	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	return strcmp(a->key, b->key);
}

/* Entries sorted by bytes, busiest first; caller frees the array. */
static struct agg_entry **
agg_sorted(const struct agg *g, size_t *ret_n)
{
	struct agg_entry **v;
	size_t n = 0;

	if ((v = calloc(g->used + 1, sizeof(*v))) == NULL) {
		*ret_n = 0;
		return NULL;
	}
	for (uint32_t i = 0; g->slots != NULL && i <= g->mask; i++)
		if (g->slots[i].key != NULL)
			v[n++] = &g->slots[i];
	qsort(v, n, sizeof(*v), cmp_bytes);
	*ret_n = n;
	return v;
}

/* Terminal-safe copy: control and non-ASCII bytes as \xNN. */
static const char *
term_safe(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

static const char *
human_bytes(uint64_t b, char *buf, size_t size)
{
	if (b >= 10ULL * 1024 * 1024 * 1024)
		snprintf(buf, size, "%.1f GiB", (double)b / (1024.0 * 1024 * 1024));
	else if (b >= 10ULL * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)b / (1024.0 * 1024));
	else if (b >= 10ULL * 1024)
		snprintf(buf, size, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, size, "%" PRIu64 " B", b);
	return buf;
}

static void
print_table(FILE *fp, const struct agg *g, const char *title,
    const char *col1, const char *col2, unsigned top, bool split_proto)
{
	struct agg_entry **v;
	size_t n;
	char name[600], sent[32], recv[32], *tab;

	if ((v = agg_sorted(g, &n)) == NULL || n == 0) {
		free(v);
		return;
	}
	fprintf(fp, "\n%s\n", title);
	fprintf(fp, "  %-44s %-22s %7s %12s %12s\n", col1, col2, "flows",
	    "sent", "received");
	for (size_t i = 0; i < n && i < top; i++) {
		char key[320], extra[200];

		snprintf(key, sizeof(key), "%s", v[i]->key);
		if (split_proto && (tab = strchr(key, '\t')) != NULL)
			*tab = '\0';
		term_safe(key, name, sizeof(name));
		term_safe(v[i]->extra ? v[i]->extra : "", extra, sizeof(extra));
		fprintf(fp, "  %-44s %-22.22s %7" PRIu64 " %12s %12s\n", name,
		    extra, v[i]->flows,
		    human_bytes(v[i]->bytes_out, sent, sizeof(sent)),
		    human_bytes(v[i]->bytes_in, recv, sizeof(recv)));
	}
	if (n > top)
		fprintf(fp, "  ... and %zu more\n", n - top);
	if (g->other.flows > 0)
		fprintf(fp, "  (%" PRIu64 " flows beyond the table limit)\n",
		    g->other.flows);
	free(v);
}

/* Split a T_DATA key into its columns (in place, in a copy). */
static void
data_columns(const char *key, char *copy, size_t size,
    const char *col[D__COUNT])
{
	char *p = copy;

	snprintf(copy, size, "%s", key);
	for (int i = 0; i < D__COUNT; i++) {
		col[i] = p;
		if ((p = strchr(p, '\t')) == NULL) {
			for (int j = i + 1; j < D__COUNT; j++)
				col[j] = "";
			return;
		}
		*p++ = '\0';
	}
}

static void
print_data(FILE *fp, const struct summary *a, const struct summary_totals *t,
    unsigned top)
{
	struct agg_entry **v;
	size_t n;

	if (!t->pii_enabled)
		return;
	fprintf(fp, "\nPersonal data (%" PRIu64 " observations; %zu known "
	    "identities configured%s)\n", t->pii_observations, t->pii_identities,
	    t->raw_evidence ? "; RAW EVIDENCE ON: events carry raw values" : "");
	if ((v = agg_sorted(&a->t[T_DATA], &n)) == NULL || n == 0) {
		fprintf(fp, "  none seen\n");
		free(v);
		return;
	}
	fprintf(fp, "  %-24s %-22s %-30s %-7s %-8s %-6s %5s  %s\n", "app",
	    "category", "destination", "country", "operator", "vendor",
	    "flows", "permission");
	for (size_t i = 0; i < n && i < top; i++) {
		char copy[600], c[D__COUNT][200];
		const char *col[D__COUNT];

		data_columns(v[i]->key, copy, sizeof(copy), col);
		for (int k = 0; k < D__COUNT; k++)
			term_safe(col[k], c[k], sizeof(c[k]));
		fprintf(fp, "  %-24.24s %-22.22s %-30.30s %-7s %-8s %-6s %5" PRIu64
		    "  %s\n", c[D_WHO], c[D_CATEGORY], c[D_DEST], c[D_COUNTRY],
		    c[D_OPJUR], c[D_VENDORJUR], v[i]->flows,
		    v[i]->extra ? v[i]->extra : "");
	}
	if (n > top)
		fprintf(fp, "  ... and %zu more\n", n - top);
	free(v);
}

void
summary_print_text(const struct summary *a, const struct summary_totals *t,
    FILE *fp, unsigned top)
{
	char b1[32];
	uint64_t errors = 0;
	double span = t->last_us > t->first_us ?
	    (double)(t->last_us - t->first_us) / 1e6 : 0;

	fprintf(fp, "outflow audit: %u file%s, %" PRIu64 " packets, %s, "
	    "%.1f s of traffic\n", t->files, t->files == 1 ? "" : "s",
	    t->packets, human_bytes(t->bytes, b1, sizeof(b1)), span);
	fprintf(fp, "\nPackets\n");
	for (size_t i = 0; i < t->n_decode; i++) {
		if (i > 0 && t->decode[i].value == 0)
			continue;
		if (strchr(t->decode[i].name, '.') != NULL &&
		    strncmp(t->decode[i].name, "other.", 6) != 0)
			continue;
		fprintf(fp, "  %-34s %12" PRIu64 "\n",
		    i == 0 ? "tcp/udp decoded" : t->decode[i].name,
		    t->decode[i].value);
	}
	for (size_t i = 0; i < t->n_decode; i++)
		if (strchr(t->decode[i].name, '.') != NULL &&
		    strncmp(t->decode[i].name, "other.", 6) != 0)
			errors += t->decode[i].value;
	fprintf(fp, "\nParse errors by reason (%" PRIu64 " packets skipped)\n",
	    errors);
	if (errors == 0)
		fprintf(fp, "  none\n");
	for (size_t i = 0; i < t->n_decode; i++)
		if (t->decode[i].value > 0 &&
		    strchr(t->decode[i].name, '.') != NULL &&
		    strncmp(t->decode[i].name, "other.", 6) != 0)
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->decode[i].name, t->decode[i].value);
	for (size_t i = 0; i < t->n_applayer; i++)
		if (t->applayer[i].value > 0 &&
		    (strstr(t->applayer[i].name, "malformed") ||
		    strstr(t->applayer[i].name, "undecryptable")))
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->applayer[i].name, t->applayer[i].value);

	for (size_t i = 0; i < t->n_anomalies; i++)
		if (t->anomalies[i].value > 0)
			fprintf(fp, "  %-34s %12" PRIu64 " (tolerated, packets used)\n",
			    t->anomalies[i].name, t->anomalies[i].value);

	fprintf(fp, "\nFlows\n");
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "total", t->flows);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "ended idle", t->flows_ended[FLOW_END_IDLE]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "ended closed (FIN/RST)", t->flows_ended[FLOW_END_CLOSED]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "evicted (table full)", t->flows_ended[FLOW_END_EVICTED]);
	fprintf(fp, "  %-34s %12" PRIu64 "\n", "open at end of capture", t->flows_ended[FLOW_END_SHUTDOWN]);
	fprintf(fp, "  %-34s %5" PRIu32 " of %" PRIu32 "\n", "peak concurrent",
	    t->peak_flows, t->max_flows);

	fprintf(fp, "\nApplication layer\n");
	for (size_t i = 0; i < t->n_applayer; i++)
		if (t->applayer[i].value > 0)
			fprintf(fp, "  %-34s %12" PRIu64 "\n",
			    t->applayer[i].name, t->applayer[i].value);

	print_table(fp, &a->t[T_SERVERS], "Busiest server names",
	    "server", "protocol", top, true);
	print_table(fp, &a->t[T_APPS], "Apps and SDKs", "app", "name", top,
	    false);
	print_table(fp, &a->t[T_COUNTRIES], "Destination countries",
	    "country", "", top, false);
	print_table(fp, &a->t[T_OPERATORS], "Destination operators",
	    "ASN", "operator", top, false);
	print_data(fp, a, t, top);
	if (t->geoip_attribution != NULL)
		fprintf(fp, "\n%s\n", t->geoip_attribution);
	if (t->events > 0 || t->event_write_errors > 0)
		fprintf(fp, "\nEvents written: %" PRIu64 " (%" PRIu64
		    " write errors)\n", t->events, t->event_write_errors);
}

static void
json_table(struct jw *w, const char *key, const struct agg *g,
    const char *extra_key, unsigned top, bool split_proto)
{
	struct agg_entry **v;
	size_t n;

	v = agg_sorted(g, &n);
	jw_arr_begin(w, key);
	for (size_t i = 0; v != NULL && i < n && i < top; i++) {
		char k[320], *tab;

		snprintf(k, sizeof(k), "%s", v[i]->key);
		if (split_proto && (tab = strchr(k, '\t')) != NULL)
			*tab = '\0';
		jw_obj_begin(w, NULL);
		jw_str(w, "name", k);
		if (v[i]->extra != NULL)
			jw_str(w, extra_key, v[i]->extra);
		jw_u64(w, "flows", v[i]->flows);
		jw_u64(w, "bytes_sent", v[i]->bytes_out);
		jw_u64(w, "bytes_received", v[i]->bytes_in);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	free(v);
}

void
summary_print_json(const struct summary *a, const struct summary_totals *t,
    FILE *fp, unsigned top)
{
	struct jw w;

	if (jw_init(&w, 8192) != 0)
		return;
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "files", t->files);
	jw_u64(&w, "packets", t->packets);
	jw_u64(&w, "bytes", t->bytes);
	if (t->packets > 0) {
		jw_time(&w, "first_packet", t->first_us);
		jw_time(&w, "last_packet", t->last_us);
	}
	jw_obj_begin(&w, "decode");
	for (size_t i = 0; i < t->n_decode; i++)
		jw_u64(&w, t->decode[i].name, t->decode[i].value);
	jw_obj_end(&w);
	jw_obj_begin(&w, "anomalies");
	for (size_t i = 0; i < t->n_anomalies; i++)
		jw_u64(&w, t->anomalies[i].name, t->anomalies[i].value);
	jw_obj_end(&w);
	jw_obj_begin(&w, "flows");
	jw_u64(&w, "total", t->flows);
	jw_u64(&w, "ended_idle", t->flows_ended[FLOW_END_IDLE]);
	jw_u64(&w, "ended_closed", t->flows_ended[FLOW_END_CLOSED]);
	jw_u64(&w, "evicted", t->flows_ended[FLOW_END_EVICTED]);
	jw_u64(&w, "open_at_end", t->flows_ended[FLOW_END_SHUTDOWN]);
	jw_u64(&w, "peak_concurrent", t->peak_flows);
	jw_u64(&w, "capacity", t->max_flows);
	jw_obj_end(&w);
	jw_obj_begin(&w, "applayer");
	for (size_t i = 0; i < t->n_applayer; i++)
		jw_u64(&w, t->applayer[i].name, t->applayer[i].value);
	jw_obj_end(&w);
	json_table(&w, "servers", &a->t[T_SERVERS], "protocol", top, true);
	json_table(&w, "apps", &a->t[T_APPS], "app_name", top, false);
	json_table(&w, "countries", &a->t[T_COUNTRIES], "note", top, false);
	json_table(&w, "operators", &a->t[T_OPERATORS], "operator", top, false);
	if (t->pii_enabled) {
		struct agg_entry **v;
		size_t n;

		jw_obj_begin(&w, "personal_data");
		jw_u64(&w, "observations", t->pii_observations);
		jw_u64(&w, "identities_configured", t->pii_identities);
		jw_u64(&w, "bytes_scanned", t->pii_bytes_scanned);
		jw_u64(&w, "bytes_not_scanned", t->pii_bytes_cut);
		jw_bool(&w, "raw_evidence", t->raw_evidence);
		jw_arr_begin(&w, "flows");
		v = agg_sorted(&a->t[T_DATA], &n);
		for (size_t i = 0; v != NULL && i < n && i < top; i++) {
			char copy[600];
			const char *col[D__COUNT];

			data_columns(v[i]->key, copy, sizeof(copy), col);
			jw_obj_begin(&w, NULL);
			jw_str(&w, "app", col[D_WHO]);
			jw_str(&w, "category", col[D_CATEGORY]);
			jw_str(&w, "destination", col[D_DEST]);
			jw_str(&w, "country", col[D_COUNTRY]);
			jw_str(&w, "operator_jurisdiction", col[D_OPJUR]);
			jw_str(&w, "vendor_jurisdiction", col[D_VENDORJUR]);
			jw_str(&w, "permission", v[i]->extra);
			jw_u64(&w, "flows", v[i]->flows);
			jw_obj_end(&w);
		}
		free(v);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	if (t->geoip_attribution != NULL)
		jw_str(&w, "geoip_attribution", t->geoip_attribution);
	jw_u64(&w, "events", t->events);
	jw_u64(&w, "event_write_errors", t->event_write_errors);
	jw_obj_end(&w);
	jw_newline(&w);
	fwrite(w.buf, 1, w.len, fp);
	jw_free(&w);
}
