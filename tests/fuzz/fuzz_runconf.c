/*
 * fuzz_runconf.c - outflow.yaml on arbitrary bytes: the strict loader,
 * then the walk that checks every key and gathers every error into one
 * bounded message.
 */
#include <stddef.h>
#include <stdint.h>

#include "runconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runconf *c = NULL;
	char err[256];

	if (runconf_load_string("fuzz.yaml", (const char *)data, size, &c,
	    err, sizeof(err)) == 0)
		runconf_free(c);
	return 0;
}
