/*
 * capture.c - the only file that includes <pcap.h>.
 *
 * Files are opened with microsecond timestamp precision so nanosecond
 * pcaps and pcapng read the same way.  A link type that decode.c cannot
 * read is refused at open with its name, not silently skipped packet by
 * packet.
 *
 * Classic pcap files (version 2.4) are read from a memory mapping instead
 * of through libpcap's stdio reader: packets are used where they lie, not
 * copied twice, and stay valid for a whole batch, which lets the pipeline
 * look up a batch's flows before it touches them.  libpcap still opens the
 * file and checks its header (and maps the link type); pcapng, other
 * variants, pipes and files too large to map read through libpcap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"

/* libpcap's own ceiling on a record's captured length. */
#define PCAP_MAX_CAPLEN		262144
#define PCAP_FILE_HDR_LEN	24
#define PCAP_REC_HDR_LEN	16
/* Packets handed to the callback at once from a mapped file. */
#define CAPTURE_BATCH		32
/* Mapped pages already read are dropped every so often, so resident
 * memory stays small however large the file. */
#define MAP_DROP_BYTES		(1u << 20)

/* A classic pcap file read in place, from our mmap() of it. */
struct mapped {
	const uint8_t *base;
	size_t len;
	size_t off;		/* next record header */
	size_t dropped;		/* bytes before this are given back */
	uint32_t snaplen;
	bool failed;		/* err holds why reading stopped */
	char err[192];
	bool swapped;
	bool nsec;
};

struct capture {
	pcap_t *pc;
	int dlt;
	bool is_file;
	volatile bool break_loop;
	struct mapped *map;
	char name[256];
	struct capture_stats st;
	capture_cb *cb;
	void *ctx;
};

static void
set_name(struct capture *c, const char *name)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
}

static int
check_linktype(struct capture *c, char *err, size_t errlen)
{
	const char *n, *d;

	c->dlt = pcap_datalink(c->pc);
	if (decode_linktype_supported(c->dlt))
		return 0;
	n = pcap_datalink_val_to_name(c->dlt);
	d = pcap_datalink_val_to_description(c->dlt);
	snprintf(err, errlen, "%s: unsupported link type %d (%s%s%s); outflow "
	    "reads Ethernet (with VLAN/QinQ/PPPoE), Linux cooked v1/v2, raw IP, "
	    "BSD loopback, PPP, NFLOG and 802.11 with radiotap", c->name, c->dlt, n ? n : "unknown",
	    d ? ", " : "", d ? d : "");
	return -EPROTONOSUPPORT;
}

static uint32_t
get32(const uint8_t *b, bool swapped)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/*
 * Whether the bytes start with a classic pcap magic number; sets the byte
 * order and timestamp unit.  Anything else is libpcap's.
 */
static bool
classic_header(const uint8_t *b, size_t len, struct mapped *m)
{
	uint32_t magic;

	if (len < PCAP_FILE_HDR_LEN)
		return false;
	memcpy(&magic, b, 4);
	switch (magic) {
	case 0xa1b2c3d4: m->swapped = false; m->nsec = false; break;
	case 0xa1b23c4d: m->swapped = false; m->nsec = true; break;
	case 0xd4c3b2a1: m->swapped = true; m->nsec = false; break;
	case 0x4d3cb2a1: m->swapped = true; m->nsec = true; break;
	default: return false;
	}
	return true;
}

/* Set up in-place reading of c's file, already opened and checked by
 * libpcap; on any failure the capture just stays with libpcap. */
static void
map_attach(struct capture *c, const uint8_t *base, size_t len)
{
	struct mapped *m;
	uint16_t major, minor;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto no;
	if (!classic_header(base, len, m))
		goto no;
	memcpy(&major, base + 4, 2);
	memcpy(&minor, base + 6, 2);
	if (m->swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	/* Older versions swap caplen and len: libpcap knows them. */
	if (major != 2 || minor != 4)
		goto no;
	m->base = base;
	m->len = len;
	m->off = PCAP_FILE_HDR_LEN;
	/* libpcap's view of the snapshot length: it truncates to it. */
	m->snaplen = (uint32_t)pcap_snapshot(c->pc);
	if (m->snaplen == 0 || m->snaplen > PCAP_MAX_CAPLEN)
		m->snaplen = PCAP_MAX_CAPLEN;
	c->map = m;
	return;
no:
	free(m);
	munmap((void *)(uintptr_t)base, len);
}

/* Map the file libpcap opened (the same file, even if the path has
 * changed since). */
static void
map_file(struct capture *c)
{
	FILE *fp = pcap_file(c->pc);
	struct stat st;
	void *base;
	int fd;

	if (fp == NULL || (fd = fileno(fp)) < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < PCAP_FILE_HDR_LEN ||
	    (uintmax_t)st.st_size > (uintmax_t)SIZE_MAX)
		return;
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED)
		return;
	(void)madvise(base, (size_t)st.st_size, MADV_SEQUENTIAL);
	map_attach(c, base, (size_t)st.st_size);
}

/*
 * The next record of a mapped file, with libpcap's rules: a clean end
 * returns 0; a cut-off header or body, or a length beyond libpcap's
 * ceiling, is an error; a record longer than the snapshot length is
 * truncated to it.
 */
static int
map_next(struct capture *c, struct capture_packet *cp)
{
	struct mapped *m = c->map;
	const uint8_t *h;
	size_t left = m->len - m->off;
	uint32_t sec, frac, caplen, wirelen;

	if (left == 0)
		return 0;
	if (left < PCAP_REC_HDR_LEN) {
		snprintf(m->err, sizeof(m->err), "truncated dump file; tried "
		    "to read %d header bytes, only got %zu", PCAP_REC_HDR_LEN,
		    left);
		m->failed = true;
		return -EIO;
	}
	h = m->base + m->off;
	/* Stay ahead of the hardware prefetcher, which stops at pages. */
	if (left > 2048 + 128) {
		__builtin_prefetch(h + 2048);
		__builtin_prefetch(h + 2048 + 64);
	}
	sec = get32(h, m->swapped);
	frac = get32(h + 4, m->swapped);
	caplen = get32(h + 8, m->swapped);
	wirelen = get32(h + 12, m->swapped);
	if (caplen > PCAP_MAX_CAPLEN) {
		snprintf(m->err, sizeof(m->err), "invalid packet capture "
		    "length %u, bigger than maximum of %u", caplen,
		    PCAP_MAX_CAPLEN);
		m->failed = true;
		return -EIO;
	}
	if (caplen > left - PCAP_REC_HDR_LEN) {
		snprintf(m->err, sizeof(m->err), "truncated dump file; tried "
		    "to read %u captured bytes, only got %zu", caplen,
		    left - PCAP_REC_HDR_LEN);
		m->failed = true;
		return -EIO;
	}
	cp->ts_us = (uint64_t)sec * 1000000 + (m->nsec ? frac / 1000 : frac);
	cp->data = h + PCAP_REC_HDR_LEN;
	cp->caplen = caplen < m->snaplen ? caplen : m->snaplen;
	cp->wirelen = wirelen;
	m->off += PCAP_REC_HDR_LEN + (size_t)caplen;
	return 1;
}

/*
 * Hand up to max packets to the callback, CAPTURE_BATCH at a time.  A
 * read error after some packets is reported by the next call, so the
 * packets before it are counted first.
 */
static int
map_dispatch(struct capture *c, int max, char *err, size_t errlen)
{
	struct capture_packet batch[CAPTURE_BATCH];
	struct mapped *m = c->map;
	int total = 0;

	if (max <= 0)
		max = INT32_MAX;
	while (total < max && !m->failed && !c->break_loop) {
		unsigned n = 0;

		while (n < CAPTURE_BATCH && total + (int)n < max &&
		    map_next(c, &batch[n]) > 0) {
			c->st.packets++;
			c->st.bytes += batch[n].wirelen;
			n++;
		}
		if (n == 0)
			break;
		c->cb(batch, n, c->dlt, c->ctx);
		total += (int)n;
		/* Give back pages behind this batch; they are not read again. */
		if (m->off - m->dropped >= 2 * MAP_DROP_BYTES) {
			size_t upto = (m->off - MAP_DROP_BYTES) & ~(size_t)4095;

			(void)madvise((void *)(uintptr_t)(m->base + m->dropped),
			    upto - m->dropped, MADV_DONTNEED);
			m->dropped = upto;
		}
	}
	c->break_loop = false;
	if (total == 0 && m->failed) {
		snprintf(err, errlen, "%s: %s", c->name, m->err);
		return -EIO;
	}
	return total;
}

int
capture_open_file(const char *path, struct capture **ret, char *err,
    size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	set_name(c, path);
	c->is_file = true;
	c->pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (c->pc == NULL) {
		snprintf(err, errlen, "%s: cannot read capture: %s", path, ebuf);
		free(c);
		return -EINVAL;
	}
	if ((r = check_linktype(c, err, errlen)) != 0) {
		capture_close(c);
		return r;
	}
	map_file(c);
	*ret = c;
	return 0;
}

int
capture_open_live(const char *iface, const struct capture_live_opts *o,
    struct capture **ret, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	struct capture *c;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	set_name(c, iface);
	if ((c->pc = pcap_create(iface, ebuf)) == NULL) {
		snprintf(err, errlen, "%s: %s", iface, ebuf);
		free(c);
		return -ENODEV;
	}
	pcap_set_snaplen(c->pc, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(c->pc, o->promisc ? 1 : 0);
	/* Wake up at least every 100 ms so timers and signals run. */
	pcap_set_timeout(c->pc, 100);
	if (o->buffer_mib > 0)
		pcap_set_buffer_size(c->pc, o->buffer_mib * 1024 * 1024);
	if ((r = pcap_activate(c->pc)) < 0) {
		snprintf(err, errlen, "%s: %s", iface,
		    r == PCAP_ERROR ? pcap_geterr(c->pc) : pcap_statustostr(r));
		capture_close(c);
		return -EIO;
	}
	if ((r = check_linktype(c, err, errlen)) != 0) {
		capture_close(c);
		return r;
	}
	if (o->filter != NULL && o->filter[0] != '\0') {
		if (pcap_compile(c->pc, &prog, o->filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter \"%s\": %s", iface,
			    o->filter, pcap_geterr(c->pc));
			capture_close(c);
			return -EINVAL;
		}
		r = pcap_setfilter(c->pc, &prog);
		pcap_freecode(&prog);
		if (r != 0) {
			snprintf(err, errlen, "%s: cannot set filter: %s", iface,
			    pcap_geterr(c->pc));
			capture_close(c);
			return -EINVAL;
		}
	}
	if (pcap_setnonblock(c->pc, 1, ebuf) != 0) {
		snprintf(err, errlen, "%s: %s", iface, ebuf);
		capture_close(c);
		return -EIO;
	}
	*ret = c;
	return 0;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;
	struct capture_packet cp;

	cp.ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	cp.caplen = h->caplen;
	cp.wirelen = h->len;
	cp.data = bytes;
	c->st.packets++;
	c->st.bytes += h->len;
	c->cb(&cp, 1, c->dlt, c->ctx);
}

int
capture_dispatch(struct capture *c, int max, capture_cb *cb, void *ctx,
    char *err, size_t errlen)
{
	int n;

	c->cb = cb;
	c->ctx = ctx;
	if (c->map != NULL)
		return map_dispatch(c, max, err, errlen);
	n = pcap_dispatch(c->pc, max, on_packet, (u_char *)c);
	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", c->name, pcap_geterr(c->pc));
		return -EIO;
	}
	if (n == PCAP_ERROR_BREAK)
		return 0;
	return n;
}

bool
capture_is_file(const struct capture *c)
{
	return c->is_file;
}

int
capture_fd(const struct capture *c)
{
	return c->is_file ? -1 : pcap_get_selectable_fd(c->pc);
}

int
capture_datalink(const struct capture *c)
{
	return c->dlt;
}

const char *
capture_datalink_name(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);

	return n ? n : "unknown";
}

void
capture_break(struct capture *c)
{
	c->break_loop = true;
	pcap_breakloop(c->pc);
}

void
capture_get_stats(struct capture *c, struct capture_stats *ret)
{
	struct pcap_stat ps;

	*ret = c->st;
	if (!c->is_file && pcap_stats(c->pc, &ps) == 0) {
		ret->kernel_drops = ps.ps_drop;
		ret->if_drops = ps.ps_ifdrop;
	}
}

const char *
capture_name(const struct capture *c)
{
	return c->name;
}

struct capture *
capture_close(struct capture *c)
{
	if (c == NULL)
		return NULL;
	if (c->pc != NULL)
		pcap_close(c->pc);
	if (c->map != NULL)
		munmap((void *)(uintptr_t)c->map->base, c->map->len);
	free(c->map);
	free(c);
	return NULL;
}
