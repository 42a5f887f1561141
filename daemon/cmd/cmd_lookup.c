/*
 * cmd_lookup.c - answers for `outflow lookup`, with the field names of the
 * flow events so the output can be joined with them.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "geoip.h"
#include "json.h"
#include "jurisdictions.h"
#include "lookup.h"
#include "log.h"
#include "cmd.h"
#include <getopt.h>

#define LOOKUP_MAX_GROUPS 32

static void
print_text(FILE *out, const char *input, const struct addr *ad,
    const struct geo_info *gi, const struct jur_operator *op,
    const char *jur_path, const char **groups, size_t ngroups)
{
	char ip[ADDR_STRLEN];

	fprintf(out, "%s\n", input);
	if (strcmp(addr_str(ad, ip, sizeof(ip)), input) != 0)
		fprintf(out, "  address       %s\n", ip);
	if (gi->local) {
		fprintf(out, "  local         yes (private, loopback, link-local, "
		    "CGNAT or multicast: not looked up)\n");
		return;
	}
	fprintf(out, "  country       %s\n", gi->country[0] ? gi->country : "unknown");
	if (gi->asn != 0)
		fprintf(out, "  operator      AS%" PRIu32 " %s\n", gi->asn, gi->as_org);
	else
		fprintf(out, "  operator      unknown\n");
	fprintf(out, "  jurisdiction  location %s", gi->country[0] ? gi->country : "-");
	if (op != NULL)
		fprintf(out, ", operator %s (%s, %s:%u)", op->jurisdiction,
		    op->name, jur_path, op->line);
	fputc('\n', out);
	if (ngroups > 0) {
		fprintf(out, "  groups        ");
		for (size_t i = 0; i < ngroups; i++)
			fprintf(out, "%s%s", i ? ", " : "", groups[i]);
		fputc('\n', out);
	}
}

static void
print_json(FILE *out, struct jw *w, const struct addr *ad,
    const struct geo_info *gi, const struct jur_operator *op,
    const char *jur_path, const char **groups, size_t ngroups)
{
	char ip[ADDR_STRLEN];

	jw_reset(w);
	jw_obj_begin(w, NULL);
	jw_obj_begin(w, "destination");
	jw_str(w, "ip", addr_str(ad, ip, sizeof(ip)));
	if (gi->country[0]) {
		jw_obj_begin(w, "geo");
		jw_str(w, "country_iso_code", gi->country);
		jw_obj_end(w);
	}
	if (gi->asn != 0) {
		jw_obj_begin(w, "as");
		jw_u64(w, "number", gi->asn);
		if (gi->as_org[0]) {
			jw_obj_begin(w, "organization");
			jw_str(w, "name", gi->as_org);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_obj_begin(w, "outflow");
	if (gi->local)
		jw_bool(w, "destination_local", true);
	if (gi->country[0] || op != NULL) {
		jw_obj_begin(w, "jurisdiction");
		if (gi->country[0])
			jw_str(w, "location", gi->country);
		if (op != NULL)
			jw_str(w, "operator", op->jurisdiction);
		jw_obj_end(w);
	}
	if (op != NULL) {
		jw_obj_begin(w, "operator");
		jw_str(w, "name", op->name);
		jw_obj_begin(w, "rule");
		jw_str(w, "file", jur_path);
		jw_u64(w, "line", op->line);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	if (ngroups > 0) {
		jw_arr_begin(w, "country_groups");
		for (size_t i = 0; i < ngroups; i++)
			jw_str(w, NULL, groups[i]);
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_obj_end(w);
	jw_newline(w);
	fwrite(w->buf, 1, w->len, out);
}

int
lookup_run(const struct lookup_config *c, char *const *addrs, int n,
    FILE *out, char *err, size_t errlen)
{
	struct geoip *g = NULL;
	struct jurisdictions *j = NULL;
	struct jw w;
	int r, bad = 0;

	if ((c->geoip_country != NULL || c->geoip_asn != NULL) &&
	    (r = geoip_open(c->geoip_country, c->geoip_asn, &g, err, errlen)) != 0)
		return r;
	if (c->jurisdictions_path != NULL &&
	    (r = jur_load_file(c->jurisdictions_path, &j, err, errlen)) != 0) {
		geoip_close(g);
		return r;
	}
	if (jw_init(&w, 1024) != 0) {
		jur_free(j);
		geoip_close(g);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		const struct jur_operator *op = NULL;
		const char *groups[LOOKUP_MAX_GROUPS];
		size_t ngroups = 0;
		struct geo_info gi;
		struct addr ad;

		if (addr_parse(addrs[i], &ad) != 0) {
			fprintf(stderr, "outflow: lookup: \"%s\" is not an IPv4 or "
			    "IPv6 address\n", addrs[i]);
			bad = 1;
			continue;
		}
		memset(&gi, 0, sizeof(gi));
		if (geoip_lookup(g, &ad, &gi) != 0)
			memset(&gi, 0, sizeof(gi));
		if (j != NULL && gi.asn != 0)
			op = jur_operator(j, gi.asn);
		if (j != NULL && gi.country[0])
			ngroups = jur_groups_of_country(j, gi.country, groups,
			    LOOKUP_MAX_GROUPS);
		if (ngroups > LOOKUP_MAX_GROUPS)
			ngroups = LOOKUP_MAX_GROUPS;
		if (c->json)
			print_json(out, &w, &ad, &gi, op, c->jurisdictions_path,
			    groups, ngroups);
		else
			print_text(out, addrs[i], &ad, &gi, op,
			    c->jurisdictions_path, groups, ngroups);
	}
	jw_free(&w);
	jur_free(j);
	geoip_close(g);
	return bad;
}

static const struct option lookup_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "geoip-country", required_argument, NULL, OPT_GEOIP_COUNTRY },
	{ "geoip-asn", required_argument, NULL, OPT_GEOIP_ASN },
	{ "jurisdictions", required_argument, NULL, OPT_JURISDICTIONS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_lookup(int argc, char **argv)
{
	struct audit_args a;
	struct lookup_config lc;
	char err[512];
	int ch, r;

	memset(&a, 0, sizeof(a));
	memset(&lc, 0, sizeof(lc));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lookup_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			lc.json = true;
			break;
		case OPT_GEOIP_COUNTRY:
			a.pc.geoip_country = optarg;
			break;
		case OPT_GEOIP_ASN:
			a.pc.geoip_asn = optarg;
			break;
		case OPT_JURISDICTIONS:
			a.pc.jurisdictions_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		log_warnx("lookup: no address given");
		usage(stderr);
		return 2;
	}
	a.no_apps = true;
	a.no_pii = true;
	apply_defaults(&a);
	if (a.pc.geoip_country == NULL && a.pc.geoip_asn == NULL)
		log_warnx("lookup: no GeoIP database (run scripts/fetch-geoip.sh "
		    "or give --geoip-country/--geoip-asn)");
	lc.geoip_country = a.pc.geoip_country;
	lc.geoip_asn = a.pc.geoip_asn;
	lc.jurisdictions_path = a.pc.jurisdictions_path;
	r = lookup_run(&lc, argv + optind, argc - optind, stdout, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s", err);
		return 1;
	}
	return r;
}

