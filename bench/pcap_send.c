/*
 * pcap_send.c - send the frames of a capture, looped, out of one
 * interface at a paced rate: the live benchmark's sender, faster than
 * tcpreplay (which makes one send() per packet and tops out near 320,000
 * packets/s on this project's machine).
 *
 * The capture is read into memory once.  Frames go out on an AF_PACKET
 * socket bound to the interface, with PACKET_QDISC_BYPASS (no qdisc
 * between us and the driver) in sendmmsg() batches.  Pacing is a token
 * bucket on CLOCK_MONOTONIC: each batch sends what the elapsed time
 * allows, at most BATCH frames.  The credit is capped at 10 ms of frames:
 * a sender held off the CPU for a scheduler slice or two makes up for it
 * with a short burst (the capture ring holds far more), but not for
 * longer stalls, which would make a burst the asked rate never had; the
 * time given up is printed as "late", and the achieved rate falls short.
 * Send errors are counted and printed, never hidden.
 *
 *   pcap_send -i IFACE -r FILE [-p PPS] [-t SECONDS] [-n PACKETS] [-b BATCH]
 *
 * PPS 0 (the default) sends as fast as it can.  It stops after SECONDS
 * (10) or PACKETS, whichever comes first, and prints one line:
 *   pcap_send: SENT packets BYTES bytes SECS s PPS pkt/s asked ASKED
 *   enobufs N eagain N other N skipped N late SECS
 * Needs CAP_NET_RAW.  Built by bench/live_rate.sh with cc; not part of
 * the product.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 1024

struct frames {
	unsigned char *bytes;	/* every frame, back to back */
	size_t *offset;		/* where frame i starts in bytes */
	size_t *len;
	size_t count;
	size_t skipped;		/* longer than the interface takes */
};

static int
frames_load(struct frames *f, const char *path, size_t max_frame)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t cap_bytes = 1 << 20, cap_frames = 1 << 14, used = 0;
	pcap_t *p;
	int r;

	memset(f, 0, sizeof(*f));
	if ((p = pcap_open_offline(path, err)) == NULL) {
		fprintf(stderr, "pcap_send: %s\n", err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "pcap_send: %s: not an Ethernet capture\n", path);
		pcap_close(p);
		return -1;
	}
	f->bytes = malloc(cap_bytes);
	f->offset = malloc(cap_frames * sizeof(*f->offset));
	f->len = malloc(cap_frames * sizeof(*f->len));
	if (f->bytes == NULL || f->offset == NULL || f->len == NULL)
		goto nomem;
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen > max_frame || h->caplen < ETHER_HDR_LEN) {
			f->skipped++;
			continue;
		}
		if (used + h->caplen > cap_bytes) {
			unsigned char *nb;

			while (used + h->caplen > cap_bytes)
				cap_bytes *= 2;
			if ((nb = realloc(f->bytes, cap_bytes)) == NULL)
				goto nomem;
			f->bytes = nb;
		}
		if (f->count == cap_frames) {
			size_t *no, *nl;

			cap_frames *= 2;
			no = realloc(f->offset, cap_frames * sizeof(*no));
			if (no != NULL)
				f->offset = no;
			nl = realloc(f->len, cap_frames * sizeof(*nl));
			if (nl != NULL)
				f->len = nl;
			if (no == NULL || nl == NULL)
				goto nomem;
		}
		memcpy(f->bytes + used, data, h->caplen);
		f->offset[f->count] = used;
		f->len[f->count] = h->caplen;
		f->count++;
		used += h->caplen;
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcap_send: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	if (f->count == 0) {
		fprintf(stderr, "pcap_send: %s: no frame to send\n", path);
		return -1;
	}
	return 0;
nomem:
	fprintf(stderr, "pcap_send: out of memory reading %s\n", path);
	pcap_close(p);
	return -1;
}

/* An AF_PACKET socket bound to IFACE; its MTU in *ret_mtu. */
static int
socket_open(const char *iface, unsigned *ret_mtu)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, one = 1, sndbuf = 4 << 20;

	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) == -1) {
		perror("pcap_send: socket(AF_PACKET)");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(iface) >= sizeof(ifr.ifr_name)) {
		fprintf(stderr, "pcap_send: %s: name too long\n", iface);
		goto fail;
	}
	memcpy(ifr.ifr_name, iface, strlen(iface));
	if (ioctl(fd, SIOCGIFMTU, &ifr) == -1) {
		fprintf(stderr, "pcap_send: %s: %s\n", iface, strerror(errno));
		goto fail;
	}
	*ret_mtu = (unsigned)ifr.ifr_mtu;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;	/* send only: receive nothing */
	sll.sll_ifindex = (int)if_nametoindex(iface);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		fprintf(stderr, "pcap_send: bind %s: %s\n", iface, strerror(errno));
		goto fail;
	}
	/* Without the bypass each frame goes through the qdisc's lock. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == -1)
		fprintf(stderr, "pcap_send: PACKET_QDISC_BYPASS: %s (going on without)\n",
		    strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	return fd;
fail:
	close(fd);
	return -1;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pcap_send -i IFACE -r FILE [-p PPS] [-t SECONDS] "
	    "[-n PACKETS] [-b BATCH]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	const char *iface = NULL, *path = NULL;
	unsigned long long limit = 0, sent = 0, bytes = 0;
	unsigned long long enobufs = 0, eagain = 0, other = 0;
	double pps = 0, secs = 10, forgiven = 0;
	double start, now, elapsed, credit_max, base, least;
	struct frames f;
	size_t next = 0;
	unsigned mtu;
	int batch = 64, fd, c;

	while ((c = getopt(argc, argv, "i:r:p:t:n:b:")) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'r': path = optarg; break;
		case 'p': pps = strtod(optarg, NULL); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'n': limit = strtoull(optarg, NULL, 10); break;
		case 'b': batch = atoi(optarg); break;
		default: usage();
		}
	}
	if (iface == NULL || path == NULL || optind != argc || pps < 0 ||
	    secs <= 0 || batch < 1 || batch > BATCH_MAX)
		usage();
	if ((fd = socket_open(iface, &mtu)) == -1)
		return 1;
	/* An Ethernet header, and a VLAN tag the interface may take. */
	if (frames_load(&f, path, (size_t)mtu + ETHER_HDR_LEN + 4) == -1)
		return 1;
	for (c = 0; c < batch; c++) {
		msgs[c].msg_hdr.msg_iov = &iov[c];
		msgs[c].msg_hdr.msg_iovlen = 1;
	}
	credit_max = pps * 0.010 > batch ? pps * 0.010 : batch;
	/* Send in batches of up to 100 us of frames: full batches at high
	 * rates, no bursts of milliseconds at low ones. */
	least = pps * 100e-6 < batch ? pps * 100e-6 : batch;
	if (least < 1)
		least = 1;
	start = base = now_seconds();
	for (;;) {
		double due;
		int want, done, refused, k;

		now = now_seconds();
		if (now - start >= secs || (limit && sent >= limit))
			break;
		want = batch;
		if (pps > 0) {
			due = (now - base) * pps - (double)sent;
			if (due > credit_max) {
				/* Held off the CPU: forget the lost time. */
				base += (due - credit_max) / pps;
				forgiven += (due - credit_max) / pps;
				due = credit_max;
			}
			if (due < least) {
				struct timespec ts;
				double wait = (least - due) / pps;

				ts.tv_sec = (time_t)wait;
				ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
				/* Short waits spin: a VM's timer is too coarse. */
				if (wait > 50e-6)
					nanosleep(&ts, NULL);
				continue;
			}
			if (due < want)
				want = (int)due;
		}
		if (limit && limit - sent < (unsigned long long)want)
			want = (int)(limit - sent);
		for (k = 0; k < want; k++) {
			iov[k].iov_base = f.bytes + f.offset[next];
			iov[k].iov_len = f.len[next];
			next = next + 1 == f.count ? 0 : next + 1;
		}
		done = sendmmsg(fd, msgs, (unsigned)want, 0);
		refused = 0;
		if (done < 0) {
			int e = errno;

			done = 0;
			if (e == ENOBUFS)
				enobufs++;
			else if (e == EAGAIN || e == EWOULDBLOCK)
				eagain++;
			else if (e != EINTR) {
				refused = 1;
				if (++other == 1)
					fprintf(stderr, "pcap_send: sendmmsg: %s\n",
					    strerror(e));
			}
		}
		for (k = 0; k < done; k++)
			bytes += iov[k].iov_len;
		sent += (unsigned long long)done;
		/* Frames not sent go again next time, in order; but a frame
		 * the kernel refuses for itself is passed over, not retried
		 * until the time is up. */
		for (k = done; k < want; k++)
			next = next == 0 ? f.count - 1 : next - 1;
		if (refused)
			next = next + 1 == f.count ? 0 : next + 1;
		if (done == 0) {
			/* Nothing went: give the kernel (or the link) 100 us
			 * rather than spin on the error. */
			struct timespec pause = { 0, 100000 };

			nanosleep(&pause, NULL);
		}
	}
	elapsed = now_seconds() - start;
	printf("pcap_send: %llu packets %llu bytes %.3f s %.0f pkt/s asked %.0f "
	    "enobufs %llu eagain %llu other %llu skipped %zu late %.3f\n",
	    sent, bytes, elapsed, (double)sent / elapsed, pps,
	    enobufs, eagain, other, f.skipped, forgiven);
	close(fd);
	return other ? 1 : 0;
}
