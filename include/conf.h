/*
 * conf.h - the loaded configuration: every option and every file a run
 * reads (GeoIP databases, app signatures, jurisdictions, personal-data
 * rules, permissions, identities, device names), loaded and checked
 * together, apart from the runtime state of the pipeline that uses it.
 *
 * A configuration is reference counted and never written once
 * conf_load() returns (but for its atomic reference count): each pipeline
 * holds one reference, and a new one (a reload) is swapped in between
 * packet batches with pipeline_set_conf().  What changes while packets
 * flow (the GeoIP lookup cache, the personal-data scanner's scratch and
 * counters) belongs to the pipeline, so one configuration may serve a
 * pipeline thread per interface.  A configuration that fails to load
 * leaves nothing behind, so the one in force stays.
 */
#ifndef OUTFLOW_CONF_H
#define OUTFLOW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "pii.h"

struct pipeline_config {
	/* Sizes: fixed when the pipeline is made; a reload keeps them. */
	uint32_t max_flows;
	struct flow_timeouts timeouts;
	uint32_t stream_cap_client;	/* reassembly window, client to server */
	uint32_t stream_cap_server;
	uint64_t stream_memcap;		/* reassembly buffer bytes at once */
	uint32_t inspect_limit;		/* bytes parsed per direction in all */
	uint32_t max_body;		/* decoded HTTP body kept per request */
	uint32_t dns_cache_entries;
	uint32_t max_devices;
	/* Files: read by conf_load() only; the paths need not outlive it. */
	const char *geoip_country;	/* NULL: no country lookups */
	const char *geoip_asn;
	const char *apps_path;		/* NULL: no app attribution */
	const char *jurisdictions_path;
	const char *dhcp_leases;	/* dnsmasq leases file, or NULL */
	const char *const *devices;	/* "MAC=NAME" entries, NULL-terminated */
	const char *pii_rules;		/* rules/personal_data.yaml; NULL: no detection */
	const char *pii_permissions;	/* rules/permissions.yaml */
	const char *identities;		/* known values (YAML `identities:`) */
	bool raw_evidence;		/* lab opt-in: raw values in outputs */
	/* Policy rules (policy.h): the shipped folder, then the admin's
	 * files and folders; rulesets turned on or off by name. */
	const char *policy_dir;		/* NULL: no shipped packs */
	const char *const *policy_paths;	/* NULL-terminated, or NULL */
	const char *const *policy_enable;
	const char *const *policy_disable;
	const char *home_country;	/* ISO code, "home" in rules; or NULL */
	/* The LAN side as "ADDR/LEN" prefixes, NULL-terminated; NULL or
	 * empty: the never-routed ranges (lan.h). */
	const char *const *lan;
	/* Each rule error, when the caller wants them all (else err has
	 * the first and a count). */
	void (*on_policy_error)(void *arg, const char *msg);
	void *policy_error_arg;
};

/** Defaults: 131072 flows, 4096 devices, 32/16 KiB windows, 64 KiB bodies. */
void pipeline_config_defaults(struct pipeline_config *c);

struct conf;
struct lan;
struct device_table;
struct policy;
struct enrich;

/**
 * Load everything c names.  secret is the per-install evidence key
 * (PII_SECRET_LEN bytes), read once by the caller before any privilege
 * drop so that every configuration of a run hashes alike; NULL draws a
 * key for this configuration only.  On failure err says which file and
 * why, and nothing is kept.
 */
int conf_load(const struct pipeline_config *c, const uint8_t *secret,
    struct conf **ret, char *err, size_t errlen);

/** One more holder of c; returns c.  Safe from any thread, as is unref. */
struct conf *conf_ref(struct conf *c);
/** Drop a hold on c, freeing it with the last; NULL-safe, returns NULL. */
struct conf *conf_unref(struct conf *c);

/** The options c was loaded with (paths cleared). */
const struct pipeline_config *conf_options(const struct conf *c);
/** Destination, operator and app enrichment (read-only). */
const struct enrich *conf_enrich(const struct conf *c);
/** The personal-data engine (read-only), NULL when detection is off. */
const struct pii_engine *conf_pii(const struct conf *c);
/** The policy rules (read-only), NULL when none are loaded. */
const struct policy *conf_policy(const struct conf *c);
/** The configured LAN (read-only), NULL when none is configured. */
const struct lan *conf_lan(const struct conf *c);
/** Apply the configured device names (and leases) to t. */
int conf_apply_devices(const struct conf *c, struct device_table *t,
    char *err, size_t errlen);

#endif
