/*
 * fuzz_pcap.c - a whole capture file through the whole pipeline:
 * libpcap's file reader, decode, flows, reassembly, every app-layer
 * parser, the event writer and the summary.
 */
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_config pc;
	struct pipeline *p;
	struct capture *c;
	char err[256];
	FILE *devnull;

	pipeline_config_defaults(&pc);
	pc.max_flows = 64;		/* small, so eviction runs too */
	pc.stream_memcap = 64 * 1024;
	pc.dns_cache_entries = 256;	/* small tables: more runs per second */
	pc.max_devices = 16;
	pc.eve_path = "/dev/null";
	if (pipeline_new(&pc, &p, err, sizeof(err)) != 0)
		return 0;
	if (capture_open_memory(data, size, &c, err, sizeof(err)) == 0) {
		while (capture_dispatch(c, 256, pipeline_packets, p, err,
		    sizeof(err)) > 0)
			;
		capture_close(c);
	}
	pipeline_finish(p);
	if ((devnull = fopen("/dev/null", "w")) != NULL) {
		pipeline_print_summary(p, devnull, false, 5);
		pipeline_print_summary(p, devnull, true, 5);
		fclose(devnull);
	}
	pipeline_free(p);
	return 0;
}
