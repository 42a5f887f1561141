#!/bin/sh
# The highest replay rate `outflow run` takes with zero drops, and the
# drop rate at twice that, over veth as on a router.  One tcpreplay
# process tops out near 130,000 packets/s here, so SENDERS of them send
# in parallel, each on a veth pair of its own into an interface the one
# daemon captures on (it polls them all from one thread).  Each sender
# loops a capture of `outflow-gen --bench` (mixed TLS, QUIC, DNS, HTTP and
# bulk TCP over 100,000 concurrent flows; a different seed per sender) at
# RATE/SENDERS packets/s for SECONDS.  The daemon runs as installed: the
# shipped packs, GeoIP data where it finds it, the store and the event
# file written, default limits and capture buffer.
#
# Each step starts a fresh daemon, replays, ends it with SIGTERM and reads
# its final statistics line (captured, dropped by the kernel, dropped by
# the interface).  Rates go up by a quarter from START until a step drops
# (down by a fifth until one does not, if START drops already), then
# bisect between the last clean and the first dropping rate until they
# are within 5%; then one step at twice the highest clean rate.
# A step whose senders fall short of the asked rate by more than 5% is
# said: on a busy machine the senders, not outflow, may be the ceiling.
# Needs root, iproute2 with netns and tcpreplay.  Not a CI test.
#   bench/live_rate.sh OUTFLOW [START [SENDERS [SECONDS]]]
set -u
outflow=$(readlink -f "$1") start=${2:-50000} senders=${3:-2} secs=${4:-10}
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 1; }
command -v tcpreplay >/dev/null 2>&1 || { echo "needs tcpreplay"; exit 1; }
dir=$(mktemp -d) && chmod 0755 "$dir"
cap="olt-cap-$$" tx="olt-tx-$$"
cleanup() {
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$cap" 2>/dev/null
	ip netns del "$tx" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ip netns add "$cap" && ip netns add "$tx" || exit 1
ifaces=
k=0
while [ $k -lt "$senders" ]; do
	ip netns exec "$cap" ip link add "olt$$a$k" type veth peer name "olt$$b$k" netns "$tx" || exit 1
	for side in "$cap:olt$$a$k" "$tx:olt$$b$k"; do
		ns=${side%%:*} if=${side#*:}
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$if.disable_ipv6=1"
		ip netns exec "$ns" ip link set "$if" up
	done
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
  interfaces: [$ifaces]
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

# step RATE: prints "RATE SENT_PPS SENT CAPTURED KERNEL_DROPS IF_DROPS".
step() {
	rm -f "$dir/state/outflow.db"* "$dir/state/events.json"
	ip netns exec "$cap" "$outflow" run --config "$dir/outflow.yaml" 2>"$dir/log.txt" &
	pid=$!
	i=0
	until grep -q "running as nobody" "$dir/log.txt"; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null ||
			{ echo "outflow did not start" >&2; cat "$dir/log.txt" >&2; kill -9 "$pid"; exit 1; }
		sleep 0.1
	done
	k=0 rps=
	while [ $k -lt "$senders" ]; do
		ip netns exec "$tx" tcpreplay -q -K --loop=0 --duration="$secs" \
		    -i "olt$$b$k" --pps=$(($1 / senders)) "$dir/bench$k.pcap" \
		    >"$dir/replay$k.txt" 2>&1 &
		rps="$rps $!"
		k=$((k + 1))
	done
	wait $rps
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	pid=
	sent=$(awk '/^Actual:/ { n += $2 } END { print n + 0 }' "$dir"/replay*.txt)
	pps=$(awk '/^Rated:/ { n += $6 } END { printf "%d", n }' "$dir"/replay*.txt)
	set -- "$1" $(sed -n 's/.*statistics (final): [0-9]* packets (\([0-9]*\) captured, \([0-9]*\) dropped by the kernel, \([0-9]*\) by the interface).*/\1 \2 \3/p' "$dir/log.txt")
	[ $# -eq 4 ] || { echo "no final statistics" >&2; cat "$dir/log.txt" >&2; exit 1; }
	echo "$1 $pps $sent $2 $3 $4"
}
report() {
	echo "$1" | awk '{ d = $5 + $6; lost = $3 - $4;
	    printf "asked %7d pkt/s, sent %7d pkt/s (%d packets): captured %d, dropped %d by the kernel, %d by the interface (%.2f%% of sent)%s\n",
	    $1, $2, $3, $4, $5, $6, $3 ? 100 * (lost > d ? lost : d) / $3 : 0,
	    $2 < $1 * 0.95 ? "; the senders fell short" : "" }'
}
clean() { echo "$1" | awk '{ exit !($5 + $6 == 0 && $4 >= $3) }'; }

# Bisected on the asked rate; the figure is the rate the senders reached
# in the fastest step without a drop.
lo=0 hi=0 best=0 rate=$start
try() {
	r=$(step "$1") || exit 1
	report "$r"
	if clean "$r"; then
		lo=$1
		sent=$(echo "$r" | cut -d' ' -f2)
		[ "$sent" -gt "$best" ] && best=$sent
		return 0
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
echo "highest rate with zero drops: $best pkt/s sent (asked $lo; first dropping step asked $hi; $senders senders, $secs s a step)"
if [ "$best" -gt 0 ]; then
	r=$(step $((best * 2))) || exit 1
	printf "at twice that: "
	report "$r"
fi
