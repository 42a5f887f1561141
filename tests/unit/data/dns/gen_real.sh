#!/bin/sh
# gen_real.sh - regenerate real.txt, the DNS fixture of test_dns.c, from
# the nDPI capture corpus with tshark (the reference decoder).
#
# Each line: payload hex, TAB, first query name, TAB, A addresses of the
# answer section (comma-separated), TAB, AAAA addresses of the answer
# section.  tshark's dns.a/dns.aaaa span every section; the answer ones
# are the first k, k = A (AAAA) records among the first ancount records.
#
# Usage: gen_real.sh CORPUS_PCAP_DIR > real.txt
set -eu
dir=${1:?usage: gen_real.sh CORPUS_PCAP_DIR}
pick() {	# file, how many DNS messages
	tshark -r "$dir/$1" -Y 'dns && udp' -T fields -E separator=/t \
	    -E occurrence=a -E aggregator=, \
	    -e udp.payload -e dns.qry.name -e dns.count.answers \
	    -e dns.resp.type -e dns.a -e dns.aaaa 2>/dev/null | head -n "$2"
}
{
	pick dns_ambiguous_names.pcap 12
	pick googledns_android10.pcap 4
	pick dns_long_domainname.pcap 2
	pick weibo.pcap 6
	pick nest_log_sink.pcap 6
	pick KakaoTalk_chat.pcap 4
	pick dns_fragmented.pcap 4
} | awk -F '\t' '
{
	split($2, q, ","); n = $3 + 0
	nt = split($4, t, ","); na = split($5, a, ","); n6 = split($6, b, ",")
	ka = 0; k6 = 0
	for (i = 1; i <= n && i <= nt; i++) {
		if (t[i] == 1) ka++
		if (t[i] == 28) k6++
	}
	sa = ""; for (i = 1; i <= ka && i <= na; i++) sa = sa (i > 1 ? "," : "") a[i]
	s6 = ""; for (i = 1; i <= k6 && i <= n6; i++) s6 = s6 (i > 1 ? "," : "") b[i]
	printf "%s\t%s\t%s\t%s\n", $1, q[1], sa, s6
}'
