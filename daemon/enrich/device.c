/*
 * device.c - LAN device table.
 *
 * Devices live in a fixed array; one index map (hash.h) maps MACs to
 * devices and another maps IPv4 addresses (from leases and DHCP replies)
 * to devices, so a flow is named by its client MAC when the capture has
 * MACs (a LAN-side capture) and by its client address otherwise (a capture
 * behind the router's own stack, or Linux cooked captures).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "hash.h"
#include "dhcp.h"

#define DEVICE_NAME_MAX 64

struct device {
	uint8_t mac[6];
	uint8_t name_src;
	uint8_t has_ip;
	uint8_t ip[4];
	char name[DEVICE_NAME_MAX + 1];
};

struct device_table {
	struct device *dev;
	uint32_t n, max;
	struct hmap by_mac;	/* MAC -> device index */
	/* IPv4 address -> the device that last took it.  An entry always
	 * names a device that still has that address (set_ip() drops it
	 * when the device moves), so there is at most one per device. */
	struct hmap by_ip;
	uint64_t refused;
};

/* Keyed per run: MACs and addresses come off the wire. */
static uint32_t
slot_hash(const uint8_t *b, size_t n)
{
	return (uint32_t)hash_bytes(b, n);
}

struct device_table *
device_table_new(uint32_t max)
{
	struct device_table *t;

	if (max == 0 || max > (1u << 20))
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->dev = calloc(max, sizeof(*t->dev));
	if (t->dev == NULL || hmap_init(&t->by_mac, max) < 0 ||
	    hmap_init(&t->by_ip, max) < 0)
		return device_table_free(t);
	t->max = max;
	return t;
}

struct device_table *
device_table_free(struct device_table *t)
{
	if (t == NULL)
		return NULL;
	free(t->dev);
	hmap_fini(&t->by_mac);
	hmap_fini(&t->by_ip);
	free(t);
	return NULL;
}

int
device_parse_mac(const char *s, uint8_t ret[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		m[i] = (uint8_t)((isdigit((unsigned char)s[0]) ? s[0] - '0' :
		    (tolower((unsigned char)s[0]) - 'a' + 10)) << 4 |
		    (isdigit((unsigned char)s[1]) ? s[1] - '0' :
		    (tolower((unsigned char)s[1]) - 'a' + 10)));
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	memcpy(ret, m, 6);
	return 0;
}

/* The device with this MAC, or NULL with p where it would go. */
static struct device *
find_mac(const struct device_table *t, const uint8_t *mac,
    struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->by_mac, slot_hash(mac, 6), p); idx != 0;
	    idx = hmap_next(&t->by_mac, p))
		if (memcmp(t->dev[idx - 1].mac, mac, 6) == 0)
			return &t->dev[idx - 1];
	return NULL;
}

static struct device *
get_device(struct device_table *t, const uint8_t *mac)
{
	struct hmap_probe p;
	struct device *d = find_mac(t, mac, &p);

	if (d != NULL)
		return d;
	/* The map has room for max devices. */
	if (t->n == t->max || hmap_insert(&t->by_mac, &p, t->n) < 0) {
		t->refused++;
		return NULL;
	}
	d = &t->dev[t->n++];
	memcpy(d->mac, mac, 6);
	return d;
}

/* The device index + 1 holding ip in the address map, or 0 with p where
 * it would go. */
static uint32_t
find_ip(const struct device_table *t, const uint8_t ip[4],
    struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->by_ip, slot_hash(ip, 4), p); idx != 0;
	    idx = hmap_next(&t->by_ip, p))
		if (memcmp(t->dev[idx - 1].ip, ip, 4) == 0)
			return idx;
	return 0;
}

static void
set_ip(struct device_table *t, struct device *d, const uint8_t ip[4])
{
	uint32_t idx = (uint32_t)(d - t->dev) + 1;
	struct hmap_probe p;

	if (memcmp(ip, "\0\0\0\0", 4) == 0)
		return;
	/* Leaving an address: its entry goes, unless another device took
	 * the address since. */
	if (d->has_ip && find_ip(t, d->ip, &p) == idx)
		hmap_remove(&t->by_ip, &p);
	memcpy(d->ip, ip, 4);
	d->has_ip = 1;
	/* A known address, perhaps of another device before: it is ours
	 * now. */
	if (find_ip(t, ip, &p) != 0) {
		hmap_remove(&t->by_ip, &p);
		(void)find_ip(t, ip, &p);
	}
	/* At most one entry per device, and the map holds max. */
	if (hmap_insert(&t->by_ip, &p, idx - 1) < 0)
		t->refused++;
}

static void
set_name(struct device *d, const char *name, enum device_name_src src)
{
	if (name == NULL || name[0] == '\0' || src < d->name_src)
		return;
	/* Names longer than DEVICE_NAME_MAX are cut. */
	snprintf(d->name, sizeof(d->name), "%.*s", DEVICE_NAME_MAX, name);
	d->name_src = (uint8_t)src;
}

int
device_add_config(struct device_table *t, const char *spec, char *err,
    size_t errlen)
{
	char mac_s[32];
	const char *eq = strchr(spec, '=');
	uint8_t mac[6];
	struct device *d;

	if (eq == NULL || (size_t)(eq - spec) >= sizeof(mac_s) || eq[1] == '\0') {
		snprintf(err, errlen, "device \"%s\": expected MAC=NAME", spec);
		return -EINVAL;
	}
	memcpy(mac_s, spec, (size_t)(eq - spec));
	mac_s[eq - spec] = '\0';
	if (device_parse_mac(mac_s, mac) != 0) {
		snprintf(err, errlen, "device \"%s\": bad MAC address \"%s\"",
		    spec, mac_s);
		return -EINVAL;
	}
	if ((d = get_device(t, mac)) == NULL) {
		snprintf(err, errlen, "device table full (%u)", t->max);
		return -ENOSPC;
	}
	set_name(d, eq + 1, DEVICE_NAME_CONFIG);
	return 0;
}

int
device_load_leases(struct device_table *t, const char *path, char *err,
    size_t errlen)
{
	char line[512], mac_s[64], ip_s[64], host[256];
	unsigned long long expiry;
	unsigned lineno = 0;
	uint8_t mac[6];
	struct addr ip;
	struct device *d;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		int r = -errno;

		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		/* IPv6 lease sections start with "duid"; not device names. */
		if (strncmp(line, "duid ", 5) == 0)
			break;
		if (sscanf(line, "%llu %63s %63s %255s", &expiry, mac_s, ip_s,
		    host) != 4 || device_parse_mac(mac_s, mac) != 0 ||
		    addr_parse(ip_s, &ip) != 0) {
			snprintf(err, errlen, "%s:%u: expected \"EXPIRY MAC IP "
			    "HOSTNAME CLIENTID\"", path, lineno);
			fclose(fp);
			return -EINVAL;
		}
		if ((d = get_device(t, mac)) == NULL)
			continue;
		if (ip.family == 4)
			set_ip(t, d, ip.a);
		if (strcmp(host, "*") != 0)
			set_name(d, host, DEVICE_NAME_LEASES);
	}
	fclose(fp);
	return 0;
}

void
device_learn_dhcp(struct device_table *t, const struct dhcp_msg *m)
{
	struct device *d;

	if (!m->chaddr_is_mac || (d = get_device(t, m->chaddr)) == NULL)
		return;
	if (m->op == 1) {
		set_name(d, m->hostname[0] ? m->hostname : m->fqdn,
		    DEVICE_NAME_DHCP);
		set_ip(t, d, m->ciaddr);
		set_ip(t, d, m->requested);
	} else if (m->msg_type == 5) {	/* DHCPACK: the address is theirs */
		set_ip(t, d, m->yiaddr);
	}
}

const char *
device_name(const struct device_table *t, const uint8_t *mac,
    const struct addr *ip)
{
	const struct device *d;
	struct hmap_probe p;
	uint32_t i;

	if (mac != NULL && (d = find_mac(t, mac, &p)) != NULL &&
	    d->name[0] != '\0')
		return d->name;
	if (ip == NULL || ip->family != 4)
		return NULL;
	if ((i = find_ip(t, ip->a, &p)) == 0)
		return NULL;
	d = &t->dev[i - 1];
	return d->name[0] ? d->name : NULL;
}

size_t
device_count(const struct device_table *t)
{
	return t->n;
}

uint64_t
device_refused(const struct device_table *t)
{
	return t->refused;
}
