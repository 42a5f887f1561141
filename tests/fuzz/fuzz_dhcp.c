/*
 * fuzz_dhcp.c - DHCP parser and the device table it feeds.
 */
#include <stdint.h>

#include "device.h"
#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct device_table *t;
	struct dhcp_msg m;
	struct addr ip;

	if (t == NULL && (t = device_table_new(64)) == NULL)
		return 0;
	if (dhcp_parse(data, size, &m).st == PARSE_OK) {
		device_learn_dhcp(t, &m);
		addr_set4(&ip, m.requested);
		(void)device_name(t, m.chaddr, &ip);
	}
	return 0;
}
