/*
 * fuzz_decode.c - one frame through decode_packet for every supported
 * link type, then through the flow table and app layer: the first input
 * byte picks the link type.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { 0, 1, 12, 14, 108, 113, 228, 229, 276, 9,
	    127, 239 };
	struct pkt p;
	enum decode_event ev;
	volatile uint32_t sink = 0;

	if (size < 1)
		return 0;
	ev = decode_packet(dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))],
	    data + 1, (uint32_t)(size - 1), &p);
	if (ev == DEC_OK) {
		/* Touch every payload byte: ASan checks the bounds. */
		for (uint32_t i = 0; i < p.payload_len; i++)
			sink += p.payload[i];
		if (p.payload_len > p.payload_wire_len ||
		    p.payload + p.payload_len > data + size)
			__builtin_trap();
	}
	(void)sink;
	(void)decode_event_name(ev);
	return 0;
}
