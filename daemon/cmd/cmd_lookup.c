/*
 * cmd_lookup.c - answers for `outflow lookup`, with the field names of the
 * flow events so the output can be joined with them.
 *
 * An address is answered as a flow to it would be: the data is loaded as
 * a configuration (conf_load() with only the GeoIP and jurisdictions
 * files) and a record with the address as its server goes through
 * enrich_flow(), so the same rules decide (a country "ZZ" or not two
 * letters is no jurisdiction), and ecs.c prints the destination as the
 * event stream does.  Lookup adds what a flow event leaves out: the
 * location's country groups and the pack entry that named the operator.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "conf.h"
#include "ecs.h"
#include "enrich.h"
#include "json.h"
#include "jurisdictions.h"
#include "lookup.h"
#include "log.h"
#include "cmd.h"
#include <getopt.h>

#define LOOKUP_MAX_GROUPS 32

/* What lookup shows beside the record: where the answers came from. */
struct lookup_why {
	const struct jur_operator *op;	/* pack entry of the operator */
	const char *jur_path;
	const char *groups[LOOKUP_MAX_GROUPS];
	size_t ngroups;
};

static void
print_text(FILE *out, const char *input, const struct flow_record *r,
    const struct lookup_why *why)
{
	char ip[ADDR_STRLEN];

	fprintf(out, "%s\n", input);
	if (strcmp(addr_str(&r->server, ip, sizeof(ip)), input) != 0)
		fprintf(out, "  address       %s\n", ip);
	if (r->geo_done && r->dest_local) {
		fprintf(out, "  local         yes (private, loopback, link-local, "
		    "CGNAT or multicast: not looked up)\n");
		return;
	}
	fprintf(out, "  country       %s\n", r->country[0] ? r->country : "unknown");
	if (r->asn != 0)
		fprintf(out, "  operator      AS%" PRIu32 " %s\n", r->asn, r->as_org);
	else
		fprintf(out, "  operator      unknown\n");
	fprintf(out, "  jurisdiction  location %s",
	    r->jur_location[0] ? r->jur_location : "-");
	if (why->op != NULL)
		fprintf(out, ", operator %s (%s, %s:%u)",
		    r->jur_operator[0] ? r->jur_operator : "-",
		    r->operator_name, why->jur_path, why->op->line);
	fputc('\n', out);
	if (why->ngroups > 0) {
		fprintf(out, "  groups        ");
		for (size_t i = 0; i < why->ngroups; i++)
			fprintf(out, "%s%s", i ? ", " : "", why->groups[i]);
		fputc('\n', out);
	}
}

static void
print_json(FILE *out, struct jw *w, const struct flow_record *r,
    const struct lookup_why *why)
{
	char ip[ADDR_STRLEN];

	jw_reset(w);
	jw_obj_begin(w, NULL);
	jw_obj_begin(w, "destination");
	jw_str(w, "ip", addr_str(&r->server, ip, sizeof(ip)));
	ecs_destination_where(w, r);
	jw_obj_end(w);
	jw_obj_begin(w, "outflow");
	if (r->geo_done && r->dest_local)
		jw_bool(w, "destination_local", true);
	ecs_jurisdiction(w, r);
	if (why->op != NULL) {
		jw_obj_begin(w, "operator");
		jw_str(w, "name", r->operator_name);
		jw_obj_begin(w, "rule");
		jw_str(w, "file", why->jur_path);
		jw_u64(w, "line", why->op->line);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	if (why->ngroups > 0) {
		jw_arr_begin(w, "country_groups");
		for (size_t i = 0; i < why->ngroups; i++)
			jw_str(w, NULL, why->groups[i]);
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
	struct pipeline_config pc;
	struct conf *conf;
	const struct enrich *e;
	struct jw w;
	int r, bad = 0;

	pipeline_config_defaults(&pc);
	pc.geoip_country = c->geoip_country;
	pc.geoip_asn = c->geoip_asn;
	pc.jurisdictions_path = c->jurisdictions_path;
	/* No personal-data rules are named, so no evidence key is used. */
	if ((r = conf_load(&pc, NULL, &conf, err, errlen)) != 0)
		return r;
	if (jw_init(&w, 1024) != 0) {
		conf_unref(conf);
		return -ENOMEM;
	}
	e = conf_enrich(conf);
	for (int i = 0; i < n; i++) {
		struct lookup_why why;
		struct flow_record rec;

		memset(&rec, 0, sizeof(rec));
		if (addr_parse(addrs[i], &rec.server) != 0) {
			char shown[ARG_SHOWN_SIZE];

			fprintf(stderr, "outflow: lookup: \"%s is not an IPv4 or "
			    "IPv6 address\n", arg_shown(addrs[i], shown,
			    sizeof(shown)));
			bad = 1;
			continue;
		}
		enrich_flow(e, NULL, &rec);
		memset(&why, 0, sizeof(why));
		why.jur_path = c->jurisdictions_path;
		why.op = enrich_operator_entry(e, &rec);
		why.ngroups = enrich_location_groups(e, &rec, why.groups,
		    LOOKUP_MAX_GROUPS);
		if (why.ngroups > LOOKUP_MAX_GROUPS)
			why.ngroups = LOOKUP_MAX_GROUPS;
		if (c->json)
			print_json(out, &w, &rec, &why);
		else
			print_text(out, addrs[i], &rec, &why);
	}
	jw_free(&w);
	conf_unref(conf);
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
	(void)apply_defaults(&a);	/* only jurisdictions: never fails */
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

