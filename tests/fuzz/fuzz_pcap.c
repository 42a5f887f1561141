/*
 * fuzz_pcap.c - a whole capture file through the whole pipeline:
 * libpcap's file reader, decode, flows, reassembly, every app-layer
 * parser, the event writer and the summary.
 */
#include <stdint.h>
#include <stdio.h>

#include "summary_output.h"
#include "capture_memory.h"
#include "eve.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_config pc;
	struct eve_options eo = { .dns = true, .http = true };
	struct conf *conf;
	struct pipeline *p;
	struct capture *c;
	struct eve *e;
	struct summary_output *text, *json;
	char err[256];
	FILE *devnull;
	int r;

	pipeline_config_defaults(&pc);
	pc.max_flows = 64;		/* small, so eviction runs too */
	pc.stream_memcap = 64 * 1024;
	pc.dns_cache_entries = 256;	/* small tables: more runs per second */
	pc.max_devices = 16;
	if (conf_load(&pc, NULL, &conf, err, sizeof(err)) != 0)
		return 0;
	r = pipeline_new(conf, &p, err, sizeof(err));
	conf_unref(conf);
	if (r != 0 || (devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	if (eve_open("/dev/null", &eo, &e, err, sizeof(err)) == 0)
		pipeline_add_output(p, &eve_output_ops, e);
	if ((text = summary_output_new(devnull, false, 5)) != NULL)
		pipeline_add_output(p, &summary_output_ops, text);
	if ((json = summary_output_new(devnull, true, 5)) != NULL)
		pipeline_add_output(p, &summary_output_ops, json);
	if (capture_open_memory(data, size, &c, err, sizeof(err)) == 0) {
		while (capture_dispatch(c, 256, pipeline_packets, p, err,
		    sizeof(err)) > 0)
			;
		capture_close(c);
	}
	pipeline_finish(p);
	pipeline_free(p);
	fclose(devnull);
	return 0;
}
