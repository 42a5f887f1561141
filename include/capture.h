/*
 * capture.h - packet sources (stage 1): pcap/pcapng files and live
 * interfaces, through libpcap (classic pcap files are read in place from
 * a mapping).  Timestamps are normalised to microseconds.
 */
#ifndef OUTFLOW_CAPTURE_H
#define OUTFLOW_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture_packet {
	uint64_t ts_us;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;
};

/*
 * Packets come in batches (one at a time from live interfaces and pipes,
 * up to 32 from mapped files); their data stays valid until the callback
 * returns.
 */
typedef void capture_cb(const struct capture_packet *cps, unsigned n, int dlt,
    void *ctx);

struct capture_live_opts {
	const char *filter;	/* BPF expression or NULL */
	int snaplen;		/* 0: 262144 */
	int buffer_mib;		/* kernel buffer; 0: libpcap default */
	bool promisc;
};

struct capture_stats {
	uint64_t packets;	/* handed to the callback */
	uint64_t bytes;		/* wire bytes of those */
	uint64_t kernel_drops;	/* live only: dropped by the kernel */
	uint64_t if_drops;	/* live only: dropped by the interface */
};

/**
 * Open a pcap or pcapng file ("-" for stdin).  Errors name the file and
 * say why (missing, not a capture, unsupported link type).
 */
int capture_open_file(const char *path, struct capture **ret, char *err,
    size_t errlen);

/** Open a live interface; needs CAP_NET_RAW. */
int capture_open_live(const char *iface, const struct capture_live_opts *o,
    struct capture **ret, char *err, size_t errlen);

/**
 * Hand up to max packets (-1: all buffered) to cb.  Returns the number
 * handled, 0 at the end of a file or when nothing is waiting on a live
 * capture, or -EIO on a read error (err says what; packets read before
 * it were handed on).
 */
int capture_dispatch(struct capture *c, int max, capture_cb *cb, void *ctx,
    char *err, size_t errlen);

/** Whether the source is a file (ends) rather than an interface. */
bool capture_is_file(const struct capture *c);
/** A descriptor to poll() for a live capture, -1 for files. */
int capture_fd(const struct capture *c);
/** Link type (DLT_*) and its name. */
int capture_datalink(const struct capture *c);
const char *capture_datalink_name(int dlt);
/** Ask a blocking dispatch to return (signal-safe). */
void capture_break(struct capture *c);
void capture_get_stats(struct capture *c, struct capture_stats *ret);
const char *capture_name(const struct capture *c);
struct capture *capture_close(struct capture *c);

#endif
