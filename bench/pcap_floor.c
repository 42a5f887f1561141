/*
 * pcap_floor.c - the benchmark's floor: read every packet of a capture
 * with libpcap and do nothing else.
 */
#include <pcap/pcap.h>
#include <stdio.h>

static void
count(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	unsigned long long *n = (unsigned long long *)user;

	(void)h;
	(void)bytes;
	(*n)++;
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	unsigned long long n = 0;
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (pcap_loop(p, -1, count, (u_char *)&n) == PCAP_ERROR) {
		fprintf(stderr, "%s\n", pcap_geterr(p));
		return 1;
	}
	printf("%llu packets\n", n);
	pcap_close(p);
	return 0;
}
