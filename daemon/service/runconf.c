/*
 * runconf.c - outflow.yaml, read whole and checked whole.
 *
 * One table lists every key: its section, its type and where it lands in
 * struct runconf.  The walk reports every error rather than stopping at
 * the first, so one `outflow check` shows all that is wrong in a file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso3166.h"
#include "lan.h"
#include "runconf.h"
#include "syslog_out.h"
#include "yaml_doc.h"

enum key_kind {
	KEY_STRING,	/* const char * */
	KEY_BOOL,	/* struct runconf_num, 0 or 1 */
	KEY_UINT,	/* struct runconf_num in [lo, hi] */
	KEY_IFACES,	/* a name or a list of names */
	KEY_DEVICES,	/* a list of "MAC=NAME" */
	KEY_LIST,	/* a string or a list: const char *[], count at off2 */
	KEY_COUNTRY,	/* const char *, an ISO 3166-1 alpha-2 code */
	KEY_SYSLOG,	/* const char *, udp://HOST[:PORT] or tcp://... */
	KEY_FACILITY,	/* const char *, a syslog facility's name */
	KEY_LAN,	/* a list of ADDR/LEN prefixes */
	KEY_ARGV,	/* a list: a command and its arguments, count at off2 */
};

struct key {
	const char *section;	/* NULL: top level */
	const char *name;
	enum key_kind kind;
	size_t off, off2;
	uint64_t lo, hi;
};

#define S(sec, name, field) { sec, name, KEY_STRING, offsetof(struct runconf, field), 0, 0, 0 }
#define B(sec, name, field) { sec, name, KEY_BOOL, offsetof(struct runconf, field), 0, 0, 1 }
#define U(sec, name, field, lo, hi) { sec, name, KEY_UINT, offsetof(struct runconf, field), 0, lo, hi }
#define L(sec, name, field, count) { sec, name, KEY_LIST, offsetof(struct runconf, field), \
	offsetof(struct runconf, count), 0, 0 }

/* The ranges are those of the matching command-line options (usage()). */
static const struct key keys[] = {
	S(NULL, "user", user),
	S(NULL, "identities", identities),
	S(NULL, "secret", secret),
	S(NULL, "leases", leases),
	{ NULL, "devices", KEY_DEVICES, 0, 0, 0, 0 },
	{ NULL, "lan", KEY_LAN, 0, 0, 0, 0 },
	{ "capture", "interfaces", KEY_IFACES, 0, 0, 0, 0 },
	S("capture", "filter", filter),
	B("capture", "promiscuous", promisc),
	U("capture", "snaplen", snaplen, 1, 262144),
	U("capture", "buffer_size_mib", buffer_mib, 1, 4096),
	B("geoip", "enabled", geoip),
	S("geoip", "country", geoip_country),
	S("geoip", "asn", geoip_asn),
	S("rules", "dir", rules_dir),
	S("rules", "apps", apps),
	S("rules", "jurisdictions", jurisdictions),
	B("rules", "app_attribution", apps_on),
	B("rules", "personal_data", personal_data),
	B("policy", "shipped", policy_shipped),
	L("policy", "rules", policy_rules, n_policy_rules),
	L("policy", "enable", policy_enable, n_policy_enable),
	L("policy", "disable", policy_disable, n_policy_disable),
	{ "policy", "home_country", KEY_COUNTRY,
	    offsetof(struct runconf, home_country), 0, 0, 0 },
	S("store", "path", store_path),
	U("store", "retention_days", store_retention_days, 1, 36500),
	U("store", "max_size_mib", store_max_size_mib, 1, 1u << 20),
	{ "report", "mail", KEY_ARGV, offsetof(struct runconf, report_mail),
	    offsetof(struct runconf, n_report_mail), 0, 0 },
	S("events", "file", eve_path),
	B("events", "dns", eve_dns),
	B("events", "http", eve_http),
	S("events", "hostname", hostname),
	{ "events", "syslog", KEY_SYSLOG, offsetof(struct runconf, syslog),
	    0, 0, 0 },
	{ "events", "syslog_facility", KEY_FACILITY,
	    offsetof(struct runconf, syslog_facility), 0, 0, 0 },
	U("events", "syslog_max_message", syslog_max_message,
	    SYSLOG_MIN_MESSAGE, SYSLOG_MAX_MESSAGE),
	U("events", "syslog_queue_kib", syslog_queue_kib, 64, 1u << 20),
	U("events", "community_id_seed", community_id_seed, 0, 65535),
	U("events", "stats_interval", stats_interval, 0, 86400),
	U("events", "interim_interval", interim_interval, 0, 86400),
	U("limits", "max_flows", max_flows, 1, 1u << 24),
	U("limits", "stream_window", stream_window, 1, 16u << 20),
	U("limits", "max_body", max_body, 1, 16u << 20),
	U("limits", "stream_memory_mib", stream_memory_mib, 1, 65536),
	U("limits", "dns_cache", dns_cache, 1, 1u << 24),
	U("limits", "max_devices", max_devices, 1, 1u << 20),
};

static const char *const sections[] = {
	"capture", "geoip", "rules", "policy", "store", "report", "events",
	"limits",
};

struct loader {
	struct runconf *c;
	char *err;
	size_t errlen, used;
	unsigned errors;
};

/* Keep an error and go on: the messages accumulate one per line. */
static void
keep_error(struct loader *l, const char *msg)
{
	int n;

	l->errors++;
	if (l->used >= l->errlen)
		return;
	n = snprintf(l->err + l->used, l->errlen - l->used, "%s%s",
	    l->used > 0 ? "\n" : "", msg);
	if (n > 0)
		l->used += (size_t)n;
}

static bool
is_section(const char *name)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i], name) == 0)
			return true;
	return false;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if ((k->section == NULL) != (section == NULL))
			continue;
		if (section != NULL && strcmp(k->section, section) != 0)
			continue;
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

/* "a, b, c": the keys a section allows, for the unknown-key message. */
static void
allowed_keys(const char *section, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && o < size; i++) {
		const struct key *k = &keys[i];
		int n;

		if ((k->section == NULL) != (section == NULL) ||
		    (section != NULL && strcmp(k->section, section) != 0))
			continue;
		n = snprintf(buf + o, size - o, "%s%s", o > 0 ? ", " : "",
		    k->name);
		if (n > 0)
			o += (size_t)n;
	}
	for (size_t i = 0; section == NULL && o < size &&
	    i < sizeof(sections) / sizeof(sections[0]); i++) {
		int n = snprintf(buf + o, size - o, ", %s", sections[i]);

		if (n > 0)
			o += (size_t)n;
	}
}

static int
add_iface(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct runconf *c = arg;

	if (c->n_ifaces == RUNCONF_MAX_IFACES)
		return ynode_error(d, item, err, errlen,
		    "more than %d interfaces", RUNCONF_MAX_IFACES);
	if (s[0] == '\0' || strlen(s) >= 16)
		return ynode_error(d, item, err, errlen,
		    "expected an interface name (1-15 characters)");
	c->ifaces[c->n_ifaces++] = s;
	return 0;
}

static int
add_device(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct runconf *c = arg;

	if (c->n_devices == RUNCONF_MAX_DEVICES)
		return ynode_error(d, item, err, errlen,
		    "more than %d devices", RUNCONF_MAX_DEVICES);
	if (strchr(s, '=') == NULL)
		return ynode_error(d, item, err, errlen,
		    "expected MAC=NAME");
	c->devices[c->n_devices++] = s;
	return 0;
}

/* Where a KEY_LIST lands: its array, its count. */
struct list_dst {
	const char **v;
	int *n;
};

static int
add_list_item(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct list_dst *l = arg;

	if (*l->n == RUNCONF_MAX_LIST)
		return ynode_error(d, item, err, errlen, "more than %d items",
		    RUNCONF_MAX_LIST);
	if (s[0] == '\0')
		return ynode_error(d, item, err, errlen, "expected a name");
	l->v[(*l->n)++] = s;
	l->v[*l->n] = NULL;
	return 0;
}

static int
add_lan(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct runconf *c = arg;
	struct lan_prefix p;
	char why[256];

	if (c->n_lan == RUNCONF_MAX_LIST)
		return ynode_error(d, item, err, errlen, "more than %d "
		    "prefixes", RUNCONF_MAX_LIST);
	if (lan_prefix_parse(s, &p, why, sizeof(why)) != 0)
		return ynode_error(d, item, err, errlen, "%s", why);
	c->lan[c->n_lan++] = s;
	c->lan[c->n_lan] = NULL;
	return 0;
}

/* An argument vector: executed without a shell, so only the command
 * itself must be non-empty. */
static int
add_argv_item(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct list_dst *l = arg;

	if (*l->n == RUNCONF_MAX_LIST)
		return ynode_error(d, item, err, errlen, "more than %d items",
		    RUNCONF_MAX_LIST);
	if (*l->n == 0 && s[0] == '\0')
		return ynode_error(d, item, err, errlen, "expected a command");
	l->v[(*l->n)++] = s;
	l->v[*l->n] = NULL;
	return 0;
}

static void
load_value(struct loader *l, const struct key *k, const struct ynode *v)
{
	const struct ydoc *d = l->c->doc;
	char msg[1024];
	const char *s;
	struct runconf_num *num = (struct runconf_num *)((char *)l->c + k->off);
	bool b;
	int r = 0;

	switch (k->kind) {
	case KEY_STRING:
		if ((r = ynode_string(d, v, &s, msg, sizeof(msg))) == 0)
			*(const char **)((char *)l->c + k->off) = s;
		break;
	case KEY_BOOL:
		if ((r = ynode_bool(d, v, &b, msg, sizeof(msg))) == 0) {
			num->set = true;
			num->value = b;
		}
		break;
	case KEY_UINT:
		if ((r = ynode_uint(d, v, k->lo, k->hi, &num->value, msg,
		    sizeof(msg))) == 0)
			num->set = true;
		break;
	case KEY_IFACES:
		r = ynode_strings(d, v, add_iface, l->c, msg, sizeof(msg));
		break;
	case KEY_LIST:
	case KEY_ARGV: {
		struct list_dst dst = {
			.v = (const char **)((char *)l->c + k->off),
			.n = (int *)((char *)l->c + k->off2),
		};

		/* A command line as one string would be split by a shell,
		 * and there is none: a list is asked for. */
		if (k->kind == KEY_ARGV && (r = ynode_seq(d, v, msg,
		    sizeof(msg))) == 0 && v->n == 0)
			r = ynode_error(d, v, msg, sizeof(msg), "expected a "
			    "command and its arguments, e.g. [mail, -s, "
			    "subject, root]");
		if (r == 0)
			r = ynode_strings(d, v, k->kind == KEY_ARGV ?
			    add_argv_item : add_list_item, &dst, msg,
			    sizeof(msg));
		break;
	}
	case KEY_COUNTRY:
		if ((r = ynode_string(d, v, &s, msg, sizeof(msg))) != 0)
			break;
		/* As --home-country: ZZ (unknown) is no home. */
		if (!iso3166_alpha2_valid(s, strlen(s)) || strcmp(s, "ZZ") == 0)
			r = ynode_error(d, v, msg, sizeof(msg), "expected an "
			    "ISO 3166-1 alpha-2 code such as DE or US");
		else
			*(const char **)((char *)l->c + k->off) = s;
		break;
	case KEY_SYSLOG: {
		struct syslog_target t;
		char why[256];

		if ((r = ynode_string(d, v, &s, msg, sizeof(msg))) != 0)
			break;
		if (syslog_target_parse(s, &t, why, sizeof(why)) != 0)
			r = ynode_error(d, v, msg, sizeof(msg), "%s", why);
		else
			*(const char **)((char *)l->c + k->off) = s;
		break;
	}
	case KEY_FACILITY:
		if ((r = ynode_string(d, v, &s, msg, sizeof(msg))) != 0)
			break;
		if (syslog_facility_parse(s) < 0)
			r = ynode_error(d, v, msg, sizeof(msg), "unknown "
			    "facility '%s' (expected one of: %s)", s,
			    syslog_facility_names);
		else
			*(const char **)((char *)l->c + k->off) = s;
		break;
	case KEY_LAN:
		/* Every bad prefix of the list is said, not the first only. */
		if (v->type != YNODE_SEQ) {
			r = ynode_strings(d, v, add_lan, l->c, msg, sizeof(msg));
			break;
		}
		for (size_t i = 0; i < v->n; i++)
			if (ynode_string(d, v->items[i], &s, msg,
			    sizeof(msg)) != 0 || add_lan(l->c, d, v->items[i],
			    s, msg, sizeof(msg)) != 0)
				keep_error(l, msg);
		break;
	case KEY_DEVICES:
		if ((r = ynode_seq(d, v, msg, sizeof(msg))) == 0)
			r = ynode_strings(d, v, add_device, l->c, msg,
			    sizeof(msg));
		break;
	}
	if (r != 0)
		keep_error(l, msg);
}

static void
load_map(struct loader *l, const char *section, const struct ynode *map)
{
	const struct ydoc *d = l->c->doc;
	char msg[1024], allowed[512];

	for (size_t i = 0; i < map->n; i++) {
		const char *name = map->keys[i]->scalar;
		const struct key *k = find_key(section, name);

		if (k != NULL) {
			load_value(l, k, map->items[i]);
			continue;
		}
		if (section == NULL && is_section(name)) {
			if (ynode_map(d, map->items[i], msg, sizeof(msg)) != 0)
				keep_error(l, msg);
			else
				load_map(l, name, map->items[i]);
			continue;
		}
		allowed_keys(section, allowed, sizeof(allowed));
		ynode_error(d, map->keys[i], msg, sizeof(msg),
		    "unknown key '%s' (expected one of: %s)", name, allowed);
		keep_error(l, msg);
	}
}

static int
runconf_check(struct ydoc *doc, struct runconf **ret, char *err, size_t errlen)
{
	struct loader l = { .err = err, .errlen = errlen };
	char msg[1024];

	if ((l.c = calloc(1, sizeof(*l.c))) == NULL) {
		ydoc_free(doc);
		snprintf(err, errlen, "out of memory for the configuration");
		return -ENOMEM;
	}
	l.c->doc = doc;
	l.c->path = doc->path;
	err[0] = '\0';
	/* An empty file is a configuration that sets nothing. */
	if (!ynode_is_null(doc->root)) {
		if (ynode_map(doc, doc->root, msg, sizeof(msg)) != 0)
			keep_error(&l, msg);
		else
			load_map(&l, NULL, doc->root);
	}
	if (l.errors > 0) {
		runconf_free(l.c);
		return -EINVAL;
	}
	*ret = l.c;
	return 0;
}

int
runconf_load(const char *path, struct runconf **ret, char *err,
    size_t errlen)
{
	struct ydoc *doc;
	int r;

	if ((r = ydoc_load_file(path, &doc, err, errlen)) != 0)
		return r;
	return runconf_check(doc, ret, err, errlen);
}

int
runconf_load_string(const char *name, const char *buf, size_t len,
    struct runconf **ret, char *err, size_t errlen)
{
	struct ydoc *doc;
	int r;

	if ((r = ydoc_load_string(name, buf, len, &doc, err, errlen)) != 0)
		return r;
	return runconf_check(doc, ret, err, errlen);
}

struct runconf *
runconf_free(struct runconf *c)
{
	if (c == NULL)
		return NULL;
	ydoc_free(c->doc);
	free(c);
	return NULL;
}
