/*
 * conf.c - load a configuration whole, or not at all.
 *
 * Nothing here is written after conf_load() returns but the reference
 * count, which is atomic so that pipelines on several threads may hold
 * one configuration.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "lan.h"
#include "device.h"
#include "enrich.h"
#include "policy.h"

#define CONF_MAX_DEVICES 256	/* "MAC=NAME" entries given as options */

struct conf {
	atomic_uint refs;
	struct pipeline_config opt;
	struct enrich *enrich;
	struct pii_engine *pii;
	struct policy *policy;
	char *devices[CONF_MAX_DEVICES];
	size_t n_devices;
	char *leases;
	struct lan *lan;		/* NULL: none configured */
};

void
pipeline_config_defaults(struct pipeline_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_flows = 131072;
	c->timeouts.udp_s = 60;
	c->timeouts.tcp_new_s = 30;
	c->timeouts.tcp_s = 600;
	c->timeouts.closed_s = 10;
	c->stream_cap_client = 32768;
	c->stream_cap_server = 16384;
	c->stream_memcap = 16u << 20;
	c->inspect_limit = 1u << 20;
	c->max_body = 65536;
	c->dns_cache_entries = 16384;
	c->max_devices = 4096;
}

static void
conf_free(struct conf *c)
{
	policy_free(c->policy);
	enrich_free(c->enrich);
	pii_engine_free(c->pii);
	for (size_t i = 0; i < c->n_devices; i++)
		free(c->devices[i]);
	free(c->leases);
	free(c->lan);
	free(c);
}

/* Device names are read now, so a bad entry fails the load, not a swap. */
static int
load_devices(struct conf *c, const struct pipeline_config *o, char *err,
    size_t errlen)
{
	struct device_table *t;
	int r = 0;

	for (size_t i = 0; o->devices != NULL && o->devices[i] != NULL; i++) {
		if (c->n_devices == CONF_MAX_DEVICES) {
			snprintf(err, errlen, "more than %d device names",
			    CONF_MAX_DEVICES);
			return -E2BIG;
		}
		if ((c->devices[c->n_devices] = strdup(o->devices[i])) == NULL)
			goto nomem;
		c->n_devices++;
	}
	if (o->dhcp_leases != NULL && (c->leases = strdup(o->dhcp_leases)) == NULL)
		goto nomem;
	if ((t = device_table_new(o->max_devices)) == NULL)
		goto nomem;
	r = conf_apply_devices(c, t, err, errlen);
	device_table_free(t);
	return r;
nomem:
	snprintf(err, errlen, "out of memory for device names");
	return -ENOMEM;
}

/* The LAN's prefixes, each checked (runconf and args checked them too). */
static int
load_lan(struct conf *c, const struct pipeline_config *o, char *err,
    size_t errlen)
{
	char why[256];

	if (o->lan == NULL || o->lan[0] == NULL)
		return 0;
	if ((c->lan = calloc(1, sizeof(*c->lan))) == NULL) {
		snprintf(err, errlen, "out of memory for the LAN");
		return -ENOMEM;
	}
	for (size_t i = 0; o->lan[i] != NULL; i++) {
		if (c->lan->n == LAN_MAX_PREFIXES) {
			snprintf(err, errlen, "more than %d LAN prefixes",
			    LAN_MAX_PREFIXES);
			return -E2BIG;
		}
		if (lan_prefix_parse(o->lan[i], &c->lan->p[c->lan->n], why,
		    sizeof(why)) != 0) {
			snprintf(err, errlen, "lan %s: %s", o->lan[i], why);
			return -EINVAL;
		}
		c->lan->n++;
	}
	return 0;
}

/* Rules are checked against the packs loaded above: app ids, groups,
 * categories and permissions. */
static int
load_policy(struct conf *c, const struct pipeline_config *o, char *err,
    size_t errlen)
{
	struct policy_config pc;

	if (o->policy_dir == NULL && (o->policy_paths == NULL ||
	    o->policy_paths[0] == NULL))
		return 0;
	memset(&pc, 0, sizeof(pc));
	pc.shipped_dir = o->policy_dir;
	pc.paths = o->policy_paths;
	pc.enable = o->policy_enable;
	pc.disable = o->policy_disable;
	pc.apps = enrich_apps(c->enrich);
	pc.jur = enrich_jurisdictions(c->enrich);
	pc.pii = c->pii;
	pc.home_country = o->home_country;
	pc.on_error = o->on_policy_error;
	pc.arg = o->policy_error_arg;
	return policy_load(&pc, &c->policy, err, errlen);
}

int
conf_load(const struct pipeline_config *o, const uint8_t *secret,
    struct conf **ret, char *err, size_t errlen)
{
	struct enrich_config ec;
	struct conf *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory for the configuration");
		return -ENOMEM;
	}
	atomic_init(&c->refs, 1);
	c->opt = *o;
	if (o->pii_rules != NULL) {
		struct pii_config pc;

		memset(&pc, 0, sizeof(pc));
		pc.rules_path = o->pii_rules;
		pc.permissions_path = o->pii_permissions;
		pc.identities_path = o->identities;
		pc.secret = secret;
		pc.raw_evidence = o->raw_evidence;
		if ((r = pii_engine_new(&pc, &c->pii, err, errlen)) != 0)
			goto fail;
	}
	memset(&ec, 0, sizeof(ec));
	ec.geoip_country = o->geoip_country;
	ec.geoip_asn = o->geoip_asn;
	ec.apps_path = o->apps_path;
	ec.jurisdictions_path = o->jurisdictions_path;
	if ((r = enrich_new(&ec, &c->enrich, err, errlen)) != 0 ||
	    (r = load_devices(c, o, err, errlen)) != 0 ||
	    (r = load_lan(c, o, err, errlen)) != 0 ||
	    (r = load_policy(c, o, err, errlen)) != 0)
		goto fail;
	/* What was read is held above; the caller's strings are not kept. */
	c->opt.geoip_country = c->opt.geoip_asn = NULL;
	c->opt.apps_path = c->opt.jurisdictions_path = NULL;
	c->opt.dhcp_leases = NULL;
	c->opt.devices = NULL;
	c->opt.lan = NULL;
	c->opt.pii_rules = c->opt.pii_permissions = c->opt.identities = NULL;
	c->opt.policy_dir = c->opt.home_country = NULL;
	c->opt.policy_paths = c->opt.policy_enable = c->opt.policy_disable =
	    NULL;
	*ret = c;
	return 0;
fail:
	conf_free(c);
	return r;
}

struct conf *
conf_ref(struct conf *c)
{
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

struct conf *
conf_unref(struct conf *c)
{
	/* The last holder frees: it must see every other holder's reads. */
	if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1,
	    memory_order_acq_rel) == 1)
		conf_free(c);
	return NULL;
}

const struct pipeline_config *
conf_options(const struct conf *c)
{
	return &c->opt;
}

const struct lan *
conf_lan(const struct conf *c)
{
	return c->lan;
}

const struct enrich *
conf_enrich(const struct conf *c)
{
	return c->enrich;
}

const struct policy *
conf_policy(const struct conf *c)
{
	return c->policy;
}

const struct pii_engine *
conf_pii(const struct conf *c)
{
	return c->pii;
}

int
conf_apply_devices(const struct conf *c, struct device_table *t, char *err,
    size_t errlen)
{
	int r;

	for (size_t i = 0; i < c->n_devices; i++)
		if ((r = device_add_config(t, c->devices[i], err, errlen)) != 0)
			return r;
	if (c->leases != NULL &&
	    (r = device_load_leases(t, c->leases, err, errlen)) != 0)
		return r;
	return 0;
}
