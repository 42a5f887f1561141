#!/bin/sh
# The highest replay rate `outflow run` takes with zero drops, and the
# drop rate at twice that, over veth as on a router: the daemon in one
# network namespace, the senders in another, one veth pair per sender
# into an interface the daemon captures on (it polls them all from one
# thread).  Each sender loops a capture of `outflow-gen --bench` (mixed
# TLS, QUIC, DNS, HTTP and bulk TCP over 100,000 concurrent flows; a
# different seed per sender) at RATE/SENDERS packets/s for SECONDS.  The
# daemon runs as installed: the shipped packs, GeoIP data where it finds
# it, the store and the event file written, default limits and capture
# buffer (BUFFER_MIB=N sets capture.buffer_size_mib, to see whether
# drops come from the daemon's pauses, which a bigger ring absorbs, or
# from its throughput).
#
# The sender is bench/pcap_send.c (built here with cc: AF_PACKET,
# sendmmsg batches, no qdisc; over a million packets/s into a veth here),
# or tcpreplay (one send() a packet, about 320,000 packets/s here) when
# SENDER=tcpreplay or when pcap_send cannot be built.  The senders run on
# CPU 0 and the daemon on CPU 1 (taskset; PIN=no leaves them to the
# scheduler): veth delivers a frame to the capture ring on the sending
# CPU, so the sender's CPU also does the kernel's receive work, and the
# daemon keeps a CPU of its own, which gave the steadiest figures here.
#
# Each step starts a fresh daemon, replays, ends it with SIGTERM and reads
# its final statistics line (captured, dropped by the kernel, dropped by
# the interface), and both veth ends' counters (frames the sending end
# passed on or dropped, frames the capturing end received or dropped),
# which check the sender's own count.  Rates go up by a quarter from
# START until a step drops (down by a fifth until one does not, if START
# drops already), then bisect between the last clean and the first
# dropping rate until they are within 5%; then one step at twice the
# highest clean rate.  A step whose senders fall short of the asked rate
# by more than 5% is said: then the senders, not outflow, are the limit.
# Needs root, iproute2 with netns, and cc with libpcap's headers or
# tcpreplay.  Not a CI test.
#   [SENDER=pcap_send|tcpreplay] [PIN=no] [BUFFER_MIB=N] \
#   bench/live_rate.sh OUTFLOW [START [SENDERS [SECONDS]]]
set -u
outflow=$(readlink -f "$1") start=${2:-100000} secs=${4:-10}
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 1; }
dir=$(mktemp -d) && chmod 0755 "$dir"
sender=${SENDER:-pcap_send}
if [ "$sender" = pcap_send ] &&
    ! cc -O2 -o "$dir/pcap_send" "$here/pcap_send.c" -lpcap; then
	echo "pcap_send did not build: tcpreplay sends"
	sender=tcpreplay
fi
[ "$sender" = pcap_send ] || [ "$sender" = tcpreplay ] ||
	{ echo "SENDER is pcap_send or tcpreplay"; rm -rf "$dir"; exit 1; }
[ "$sender" = pcap_send ] || command -v tcpreplay >/dev/null 2>&1 ||
	{ echo "needs tcpreplay"; rm -rf "$dir"; exit 1; }
# One pcap_send reaches past what the daemon takes; tcpreplay needs two.
[ "$sender" = pcap_send ] && senders=${3:-1} || senders=${3:-2}
pin_tx= pin_cap=
[ "${PIN:-yes}" = yes ] && [ "$(nproc)" -ge 2 ] &&
	pin_tx="taskset -c 0" pin_cap="taskset -c 1"
cap="olt-cap-$$" tx="olt-tx-$$"
# Steps run in subshells: the daemon's and the senders' process ids are
# kept in a file, so that an interrupted run leaves none behind.
cleanup() {
	[ -s "$dir/pids" ] && kill -9 $(cat "$dir/pids") 2>/dev/null
	ip netns del "$cap" 2>/dev/null
	ip netns del "$tx" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ip netns add "$cap" && ip netns add "$tx" || exit 1
. "$here/../tests/support/veth.sh"
ifaces=
k=0
while [ $k -lt "$senders" ]; do
	veth_pair "$cap" "olt$$a$k" "$tx" "olt$$b$k" || exit 1
	ifaces="$ifaces${ifaces:+, }olt$$a$k"
	echo "generating sender $k's capture..."
	python3 "$here/../tests/gen/outflow-gen" --bench 500000 --flows 100000 \
	    --seed $((k + 1)) -o "$dir/bench$k.pcap" >/dev/null || exit 1
	k=$((k + 1))
done
bytes=$(stat -c %s "$dir/bench0.pcap")
echo "captures: 500000 packets each, $(( (bytes - 24) / 500000 - 16 )) bytes a frame on average"

mkdir -p "$dir/state" && chown nobody "$dir/state"
cat >"$dir/outflow.yaml" <<EOC
user: nobody
capture:
  interfaces: [$ifaces]${BUFFER_MIB:+
  buffer_size_mib: $BUFFER_MIB}
store:
  path: $dir/state/outflow.db
secret: $dir/state/hmac.key
events:
  file: $dir/state/events.json
  stats_interval: 0
EOC
chmod 0644 "$dir/outflow.yaml"
"$outflow" check --config "$dir/outflow.yaml" >/dev/null 2>&1 ||
	{ "$outflow" check --config "$dir/outflow.yaml"; exit 1; }

# counters NS IF: the interface's tx_packets tx_dropped rx_packets rx_dropped.
counters() {
	for c in tx_packets tx_dropped rx_packets rx_dropped; do
		ip netns exec "$1" cat "/sys/class/net/$2/statistics/$c"
	done | tr '\n' ' '
}
# all_counters: the sending ends' tx packets and drops, then the
# capturing ends' rx packets and drops, summed over the pairs.
all_counters() {
	k=0
	while [ $k -lt "$senders" ]; do
		echo "$(counters "$tx" "olt$$b$k") $(counters "$cap" "olt$$a$k")"
		k=$((k + 1))
	done | awk '{ t += $1; td += $2; r += $7; rd += $8 } END { print t, td, r, rd }'
}

# step RATE: prints "RATE SENT_PPS SENT CAPTURED KERNEL_DROPS IF_DROPS
# SEND_ERRORS VETH_TX VETH_TX_DROPS VETH_RX VETH_RX_DROPS".
step() {
	rm -f "$dir/state/outflow.db"* "$dir/state/events.json" "$dir"/replay*.txt
	ip netns exec "$cap" $pin_cap "$outflow" run --config "$dir/outflow.yaml" 2>"$dir/log.txt" &
	pid=$!
	echo "$pid" >"$dir/pids"
	i=0
	until grep -q "running as nobody" "$dir/log.txt"; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null ||
			{ echo "outflow did not start" >&2; cat "$dir/log.txt" >&2; kill -9 "$pid"; exit 1; }
		sleep 0.1
	done
	before=$(all_counters)
	k=0 rps=
	while [ $k -lt "$senders" ]; do
		if [ "$sender" = pcap_send ]; then
			ip netns exec "$tx" $pin_tx "$dir/pcap_send" -i "olt$$b$k" \
			    -r "$dir/bench$k.pcap" -p $(($1 / senders)) -t "$secs" \
			    >"$dir/replay$k.txt" 2>&1 &
		else
			ip netns exec "$tx" $pin_tx tcpreplay -q -K --loop=0 --duration="$secs" \
			    -i "olt$$b$k" --pps=$(($1 / senders)) "$dir/bench$k.pcap" \
			    >"$dir/replay$k.txt" 2>&1 &
		fi
		rps="$rps $!"
		echo "$!" >>"$dir/pids"
		k=$((k + 1))
	done
	wait $rps
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	: >"$dir/pids"
	after=$(all_counters)
	if [ "$sender" = pcap_send ]; then
		grep -h "^pcap_send:" "$dir"/replay*.txt | grep -qv "other 0 " &&
			cat "$dir"/replay*.txt >&2
		sent=$(awk '/^pcap_send:/ { n += $2 } END { print n + 0 }' "$dir"/replay*.txt)
		pps=$(awk '/^pcap_send:/ { n += $8 } END { printf "%d", n }' "$dir"/replay*.txt)
		errs=$(awk '/^pcap_send:/ { n += $13 + $15 + $17 } END { print n + 0 }' "$dir"/replay*.txt)
	else
		sent=$(awk '/^Actual:/ { n += $2 } END { print n + 0 }' "$dir"/replay*.txt)
		pps=$(awk '/^Rated:/ { n += $6 } END { printf "%d", n }' "$dir"/replay*.txt)
		errs=$(awk '/[Ff]ailed packets:/ { n += $3 } END { print n + 0 }' "$dir"/replay*.txt)
	fi
	veth=$(echo "$before $after" | awk '{ print $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')
	set -- "$1" $(sed -n 's/.*statistics (final): [0-9]* packets (\([0-9]*\) captured, \([0-9]*\) dropped by the kernel, \([0-9]*\) by the interface).*/\1 \2 \3/p' "$dir/log.txt")
	[ $# -eq 4 ] || { echo "no final statistics" >&2; cat "$dir/log.txt" >&2; exit 1; }
	echo "$1 $pps $sent $2 $3 $4 $errs $veth"
}
# Lost: whichever is more of the drops counted and the frames sent but
# not captured.
report() {
	echo "$1" | awk '{ d = $5 + ($6 > $11 ? $6 : $11) + $9; lost = $3 - $4;
	    printf "asked %7d pkt/s, sent %7d pkt/s (%d packets, %d send errors; veth: %d passed on, %d dropped sending, %d received, %d dropped receiving): captured %d, dropped %d by the kernel, %d by the interface (%.2f%% of sent)%s\n",
	    $1, $2, $3, $7, $8, $9, $10, $11, $4, $5, $6, $3 ? 100 * (lost > d ? lost : d) / $3 : 0,
	    $2 < $1 * 0.95 ? "; the senders fell short" : "" }'
}
clean() { echo "$1" | awk '{ exit !($5 + $6 + $9 + $11 == 0 && $4 >= $3) }'; }
short() { echo "$1" | awk '{ exit !($2 < $1 * 0.95) }'; }

# Bisected on the asked rate; the figure is the rate the senders reached
# in the fastest step without a drop.  A step the senders fell short in
# is run again once; if they fall short again, it does not count as a
# clean step at that rate (it proves nothing beyond the rate reached):
# the search then stops at the senders' ceiling and says so.
lo=0 hi=0 best=0 rate=$start ceiling=
try() {
	r=$(step "$1") || exit 1
	report "$r"
	if short "$r"; then
		r=$(step "$1") || exit 1
		printf "again: "
		report "$r"
	fi
	if clean "$r"; then
		sent=$(echo "$r" | cut -d' ' -f2)
		[ "$sent" -gt "$best" ] && best=$sent
		if ! short "$r"; then
			lo=$1
			return 0
		fi
		ceiling=" (the senders' ceiling, not a drop, stopped the search)"
	else
		ceiling=
	fi
	hi=$1
	return 1
}
if try "$rate"; then
	while try $((rate = rate * 5 / 4)); do :; done
else
	# Dropping from the start (a busier machine): down by a fifth.
	while [ "$rate" -gt 1000 ] && ! try $((rate = rate * 4 / 5)); do :; done
fi
while [ "$lo" -gt 0 ] && [ $((hi - lo)) -gt $((lo / 20)) ]; do
	try $(((lo + hi) / 2))
done
echo "highest rate with zero drops: $best pkt/s sent (asked $lo; first step not clean asked $hi; $senders $sender senders${pin_tx:+, pinned}${BUFFER_MIB:+, $BUFFER_MIB MiB buffer}, $secs s a step)$ceiling"
if [ "$best" -gt 0 ]; then
	r=$(step $((best * 2))) || exit 1
	printf "at twice that: "
	report "$r"
fi
