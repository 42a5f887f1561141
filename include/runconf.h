/*
 * runconf.h - the daemon's configuration file (outflow.yaml, see
 * docs/config.md): what `outflow run` captures, which files it loads,
 * where events go, its limits and the user it runs as.
 *
 * The file is read whole through the strict YAML loader (yaml_doc.h) and
 * checked whole: every error found is reported, one per line, each as
 * "PATH:LINE:COL: message".  A value the file does not set stays unset
 * (NULL, or its has_ flag false), so the command line and the built-in
 * defaults fill what is left.  Strings point into the loaded document and
 * live until runconf_free().
 */
#ifndef OUTFLOW_RUNCONF_H
#define OUTFLOW_RUNCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUNCONF_MAX_IFACES 16
#define RUNCONF_MAX_DEVICES 256
#define RUNCONF_MAX_LIST 64	/* rule paths, rulesets on, rulesets off */

/* A number the file may set, with its range as documented. */
struct runconf_num {
	bool set;
	uint64_t value;
};

struct runconf {
	const char *path;
	const char *user;			/* run as; NULL: stay as started */
	/* capture: */
	const char *ifaces[RUNCONF_MAX_IFACES];
	int n_ifaces;
	const char *filter;
	struct runconf_num promisc;		/* 0/1 */
	struct runconf_num snaplen, buffer_mib;
	/* files: */
	struct runconf_num geoip;		/* 0: no GeoIP lookups */
	const char *geoip_country, *geoip_asn;
	const char *rules_dir, *apps, *jurisdictions;
	struct runconf_num apps_on, personal_data;	/* 0: stage off */
	const char *identities, *secret, *leases;
	const char *devices[RUNCONF_MAX_DEVICES + 1];	/* NULL-terminated */
	int n_devices;
	const char *lan[RUNCONF_MAX_LIST + 1];	/* "ADDR/LEN", NULL-terminated */
	int n_lan;
	/* policy: */
	struct runconf_num policy_shipped;	/* 0: no shipped rules */
	const char *policy_rules[RUNCONF_MAX_LIST + 1];	/* files, folders */
	int n_policy_rules;
	const char *policy_enable[RUNCONF_MAX_LIST + 1];	/* rulesets */
	int n_policy_enable;
	const char *policy_disable[RUNCONF_MAX_LIST + 1];
	int n_policy_disable;
	const char *home_country;		/* ISO 3166-1 alpha-2 */
	/* store: */
	const char *store_path;
	struct runconf_num store_retention_days, store_max_size_mib;
	/* report: the mail command, run without a shell (outflow report
	 * --mail); NULL-terminated */
	const char *report_mail[RUNCONF_MAX_LIST + 1];
	int n_report_mail;
	/* events: */
	const char *eve_path;
	struct runconf_num eve_dns, eve_http, community_id_seed;
	const char *hostname;
	const char *syslog;			/* udp:// or tcp:// collector */
	const char *syslog_facility;		/* a facility's name */
	struct runconf_num syslog_max_message, syslog_queue_kib;
	struct runconf_num stats_interval, interim_interval;	/* seconds */
	/* limits: */
	struct runconf_num max_flows, stream_window, max_body, stream_memory_mib,
	    dns_cache, max_devices;
	struct ydoc *doc;			/* owns every string above */
};

/**
 * Load and check path.  On failure err holds every error found, one per
 * line ("PATH:LINE:COL: message"), and nothing is kept.  Returns 0 and
 * *ret, or a negative errno (-EINVAL for a bad file).
 */
int runconf_load(const char *path, struct runconf **ret, char *err,
    size_t errlen);

/** Same over len bytes at buf, named name in messages (tests, fuzzing). */
int runconf_load_string(const char *name, const char *buf, size_t len,
    struct runconf **ret, char *err, size_t errlen);

/** Free; NULL-safe, returns NULL. */
struct runconf *runconf_free(struct runconf *c);

#endif
