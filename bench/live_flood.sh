#!/bin/sh
# outflow run under the flood of issue 14 (item 8) for MINUTES minutes,
# as on a router: two network namespaces joined by a veth pair, the
# daemon capturing on one end with the default packs, GeoIP data and the
# limits of etc/outflow.yaml, tcpreplay looping bench/flood.scn's capture
# into the other end at PPS packets/s.  First the daemon's idle RSS (no
# traffic for 10 s), then its RSS every 10 s under the flood.  Prints the
# limits in force, RSS over time (min/max after the first minute), the
# eviction and limit counters of the last outflow.stats event and the
# drops; leaves rss.csv, stats.json and log.txt in OUTDIR.
# Needs root, iproute2 with netns and tcpreplay.  Not a CI test.
#   bench/live_flood.sh OUTFLOW [MINUTES [PPS [OUTDIR]]]
set -u
outflow=$(readlink -f "$1") minutes=${2:-30} pps=${3:-40000}
here=$(cd "$(dirname "$0")" && pwd)
out=${4:-$(mktemp -d)}
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 1; }
command -v tcpreplay >/dev/null 2>&1 || { echo "needs tcpreplay"; exit 1; }
mkdir -p "$out" && chmod 0755 "$out"
# The daemon drops to nobody: its files live in a folder it can reach.
dir=$(mktemp -d) && chmod 0755 "$dir"
cap="ofl-cap-$$" tx="ofl-tx-$$" a=ofl$$a b=ofl$$b
cleanup() {
	[ -n "${rp:-}" ] && kill "$rp" 2>/dev/null
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	[ -n "${gp:-}" ] && kill "$gp" 2>/dev/null
	ip netns del "$cap" 2>/dev/null
	ip netns del "$tx" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ip netns add "$cap" && ip netns add "$tx" || exit 1
. "$here/../tests/support/veth.sh"
veth_pair "$cap" "$a" "$tx" "$b" || exit 1

echo "generating the flood capture..."
python3 "$here/../tests/gen/outflow-gen" "$here/flood.scn" -o "$dir/flood.pcap" || exit 1
npkt=$(python3 -c 'import os,sys; f=open(sys.argv[1],"rb"); f.seek(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    f.seek(int.from_bytes(h[8:12],"little"),1); n+=1
print(n)' "$dir/flood.pcap")

# The limits of etc/outflow.yaml, written out so that they are printed
# as they were in force.
conf=$dir/outflow.yaml
cat >"$conf" <<EOC
user: nobody
secret: $dir/state/hmac.key
capture:
  interfaces: [$a]
  buffer_size_mib: 16
store:
  path: $dir/state/outflow.db
events:
  file: $dir/events.fifo
  stats_interval: 10
  interim_interval: 300
limits:
  max_flows: 131072
  stream_window: 32768
  max_body: 65536
  stream_memory_mib: 16
  dns_cache: 16384
  max_devices: 4096
EOC
chmod 0644 "$conf"
mkdir -p "$dir/state" && chown nobody "$dir/state"
# Tens of thousands of events a second: only the statistics are kept.
mkfifo "$dir/events.fifo" && chmod 0666 "$dir/events.fifo"
grep -F --line-buffered '"outflow.stats"' <"$dir/events.fifo" >"$out/stats.json" &
gp=$!
"$outflow" check --config "$conf" || exit 1
ip netns exec "$cap" "$outflow" run --config "$conf" 2>"$out/log.txt" &
pid=$!
i=0
until grep -q "running as nobody" "$out/log.txt"; do
	i=$((i + 1))
	[ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null ||
		{ echo "outflow did not start"; cat "$out/log.txt"; exit 1; }
	sleep 0.1
done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
sleep 10
idle=$(rss)
echo "idle RSS (default packs, GeoIP, store; no traffic for 10 s): $idle KiB"

ip netns exec "$tx" tcpreplay -q -K --loop=0 -i "$b" --pps="$pps" \
    "$dir/flood.pcap" >"$out/replay.txt" 2>&1 &
rp=$!
echo "flood: $npkt packets a pass, looped at $pps packets/s for $minutes min"
echo "seconds,rss_kib" >"$out/rss.csv"
t0=$(date +%s)
end=$((t0 + minutes * 60))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 10
	kill -0 "$pid" 2>/dev/null || { echo "outflow died"; cat "$out/log.txt"; exit 1; }
	echo "$(($(date +%s) - t0)),$(rss)" >>"$out/rss.csv"
done
kill -INT "$rp"
wait "$rp"
rp=
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$gp"
gp=
echo "SIGTERM: exit $rc after $ms ms; peak RSS (VmHWM) $hwm KiB"
echo "store: $(du -k "$dir/state/outflow.db" | cut -f1) KiB"
sed -n '/limits:/,$p' "$conf"
python3 - "$out/rss.csv" "$out/stats.json" <<'PY'
import csv, json, sys
rows = [(int(r["seconds"]), int(r["rss_kib"])) for r in csv.DictReader(open(sys.argv[1]))]
warm = [r for s, r in rows if s > 60] or [r for s, r in rows]
print("RSS samples: %d; after the first minute min %d KiB, max %d KiB, last %d KiB"
      % (len(rows), min(warm), max(warm), rows[-1][1]))
for s, r in rows[::30]:
    print("  t=%5d s  RSS %d KiB" % (s, r))
stats = [json.loads(l)["outflow"]["stats"] for l in open(sys.argv[2])]
f = stats[-1]
print("final stats (%d stats events):" % len(stats))
print("  packets %d, capture %s" % (f["packets"], f.get("capture")))
print("  flows", json.dumps(f["flows"]))
print("  applayer", json.dumps(f.get("applayer")))
print("  events", json.dumps(f.get("events")))
PY
