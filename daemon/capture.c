/*
 * capture.c - the only file that includes <pcap.h>.
 *
 * Files are opened with microsecond timestamp precision so nanosecond
 * pcaps and pcapng read the same way.  A link type that decode.c cannot
 * read is refused at open with its name, not silently skipped packet by
 * packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"

struct capture {
	pcap_t *pc;
	int dlt;
	bool is_file;
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
	    "reads Ethernet (with VLAN/QinQ/PPPoE), Linux cooked v1/v2, raw IP "
	    "and BSD loopback", c->name, c->dlt, n ? n : "unknown",
	    d ? ", " : "", d ? d : "");
	return -EPROTONOSUPPORT;
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
	*ret = c;
	return 0;
}

int
capture_open_memory(const void *data, size_t len, struct capture **ret,
    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	FILE *fp;
	int r;

	if (len == 0) {
		snprintf(err, errlen, "memory: cannot read capture: empty");
		return -EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	set_name(c, "memory");
	c->is_file = true;
	/* fmemopen only reads; the cast drops const for its prototype. */
	if ((fp = fmemopen((void *)(uintptr_t)data, len, "rb")) == NULL) {
		free(c);
		return -errno;
	}
	c->pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (c->pc == NULL) {
		snprintf(err, errlen, "memory: cannot read capture: %s", ebuf);
		fclose(fp);
		free(c);
		return -EINVAL;
	}
	if ((r = check_linktype(c, err, errlen)) != 0) {
		capture_close(c);
		return r;
	}
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
	c->cb(&cp, c->dlt, c->ctx);
}

int
capture_dispatch(struct capture *c, int max, capture_cb *cb, void *ctx,
    char *err, size_t errlen)
{
	int n;

	c->cb = cb;
	c->ctx = ctx;
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
	free(c);
	return NULL;
}
