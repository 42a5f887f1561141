/*
 * device.h - LAN devices: MAC, addresses and a name, learned from sniffed
 * DHCP (option 12), a dnsmasq leases file, or the configuration.  Bounded:
 * at most `max` devices; the table refuses new ones when full and counts
 * them.
 */
#ifndef OUTFLOW_DEVICE_H
#define OUTFLOW_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct dhcp_msg;
struct device_table;

enum device_name_src {
	DEVICE_NAME_NONE = 0,
	DEVICE_NAME_DHCP,
	DEVICE_NAME_LEASES,
	DEVICE_NAME_CONFIG,	/* strongest: never overwritten */
};

struct device_table *device_table_new(uint32_t max);
struct device_table *device_table_free(struct device_table *t);

/** "MAC=NAME" from the command line or configuration. */
int device_add_config(struct device_table *t, const char *spec, char *err,
    size_t errlen);

/**
 * Read a dnsmasq leases file: "EXPIRY MAC IP HOSTNAME CLIENTID" per line
 * ("*" for no hostname).  Malformed lines are errors naming the line.
 */
int device_load_leases(struct device_table *t, const char *path, char *err,
    size_t errlen);

/** Learn from a DHCP client message (name) or server reply (address). */
void device_learn_dhcp(struct device_table *t, const struct dhcp_msg *m);

/**
 * Name of the device with this MAC (may be NULL) or, failing that, this
 * address; NULL if unknown.  The string lives as long as the table.
 */
const char *device_name(const struct device_table *t, const uint8_t *mac,
    const struct addr *ip);

size_t device_count(const struct device_table *t);
uint64_t device_refused(const struct device_table *t);

/** Parse "3c:22:fb:12:34:56" (also '-' separated); 0 or -EINVAL. */
int device_parse_mac(const char *s, uint8_t ret[6]);

#endif
