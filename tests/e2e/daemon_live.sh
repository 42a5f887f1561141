#!/bin/sh
# outflow run as on a router: two network namespaces joined by a veth
# pair this test creates; outflow captures on one end, tcpreplay sends
# generated captures into the other at 100,000 packets/s.  Between the
# replays a broken configuration, then a broken rule file, are sent with
# SIGHUP (each refused, FILE:LINE:COL: in the log, the old configuration
# stays); mid-replay a changed one (a device renamed, the rule watching
# example.com replaced by one watching example.org), then SIGTERM.
# Checked: exit 0 within 10 s, every flow of the captures in the events
# (the same 5-tuples as `outflow audit` finds offline) and in the store,
# the event file reopened after a logrotate-style move, zero drops in the
# final outflow.stats event, the rename and the new rule in force, the
# findings of each rule in the events and the store alike, the privilege
# drop (from root, and from ambient capabilities as systemd gives them;
# the store handed to the user), memory within bounds.  Nothing leaves
# the namespaces.
# Needs root, iproute2 with netns and tcpreplay; otherwise skipped (77).
#   daemon_live.sh OUTFLOW GEN SRCDIR BUILDDIR [PPS]
set -u
outflow=$1 gen=$2 src=$3 pps=${5:-100000}
[ "$(id -u)" -eq 0 ] || { echo "not root: skipped"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "no iproute2: skipped"; exit 77; }
command -v tcpreplay >/dev/null 2>&1 || { echo "no tcpreplay: skipped"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "no user nobody: skipped"; exit 77; }
# The daemon drops to nobody and must still reach its files (the config
# and the rule packs on reload, the event file on reopen); a checkout
# under /root is out of its reach, so they live in a fresh folder under
# /tmp, as an installed daemon's live under /etc and /usr/share.
dir=$(mktemp -d) || exit 1
chmod 0755 "$dir"
cp -R "$src/rules" "$dir/packs" && chmod -R a+rX "$dir/packs" || exit 1

cap="ofd-cap-$$" tx="ofd-tx-$$"
a=ofd$$a b=ofd$$b
cleanup() {
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$cap" 2>/dev/null
	ip netns del "$tx" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ip netns add "$cap" 2>/dev/null || { echo "cannot create a namespace: skipped"; exit 77; }
ip netns add "$tx" || exit 1
ip netns exec "$cap" true 2>/dev/null ||
	{ echo "cannot enter a namespace (ip netns exec): skipped"; exit 77; }
. "$src/tests/support/veth.sh"
veth_pair "$cap" "$a" "$tx" "$b" || exit 1

python3 "$gen" "$src/tests/e2e/scenarios/many_flows.scn" -o "$dir/a.pcap" || exit 1
python3 "$gen" "$src/tests/e2e/daemon/replay_b.scn" -o "$dir/b.pcap" || exit 1
rm -f "$dir/offline.json"
"$outflow" audit --no-geoip -q --eve "$dir/offline.json" "$dir/a.pcap" \
    "$dir/b.pcap" || exit 1

# dev1 of many_flows is named "before"; the reload renames it "after".
# The rule in force before the reload watches many_flows' example.com,
# the one after it replay_b's example.org.
conf=$dir/outflow.yaml rules=$dir/rules.yaml
write_rules() {
	cat >"$rules" <<EOR
version: 1
ruleset: live
rules:
  - id: live.$1
    title: "{device} reached {domain}"
    severity: low
    when:
      destination: {domain: [$2]}
EOR
}
write_conf() {
	cat >"$conf" <<EOC
user: nobody
secret: $dir/hmac.key
capture:
  interfaces: [$a]
  filter: ip
  buffer_size_mib: 64
geoip:
  enabled: false
devices: ["02:00:00:00:00:01=$1"]
rules:
  dir: $dir/packs
policy:
  shipped: false
  rules: [$rules]
store:
  path: $dir/state/outflow.db
events:
  file: $dir/log/events.json
  stats_interval: 1
  interim_interval: 1
EOC
}
write_conf before
write_rules before example.com
chmod 0644 "$conf" "$rules"
# The log and state directories belong to the service user, as
# /var/log/outflow and /var/lib/outflow do.
rm -rf "$dir/log" "$dir/state" "$dir/hmac.key"
mkdir -p "$dir/log" "$dir/state" && chown nobody "$dir/log" "$dir/state"
"$outflow" check --config "$conf" || { echo "FAIL: check refuses the config"; exit 1; }
ip netns exec "$cap" "$outflow" run --config "$conf" 2>"$dir/log.txt" &
pid=$!
# Ready once it says it dropped privileges (captures are open by then).
i=0
until grep -q "running as nobody" "$dir/log.txt"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "FAIL: outflow did not start"; cat "$dir/log.txt"; exit 1; }
	kill -0 "$pid" 2>/dev/null || { echo "FAIL: outflow exited"; cat "$dir/log.txt"; exit 1; }
	sleep 0.1
done
wait_log() {
	i=0
	until [ "$(grep -c "$1" "$dir/log.txt")" -ge "$2" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "FAIL: no \"$1\" in the log"; cat "$dir/log.txt"; exit 1; }
		sleep 0.1
	done
}

ip netns exec "$tx" tcpreplay -q -K -i "$b" --pps="$pps" "$dir/a.pcap" >"$dir/replay_a.txt" 2>&1 ||
	{ echo "FAIL: tcpreplay"; cat "$dir/replay_a.txt"; exit 1; }
# logrotate: the file moves, SIGHUP reopens its path.  A broken file:
# refused with its place, the configuration in force stays.
mv "$dir/log/events.json" "$dir/log/events.json.1"
printf 'capture:\n  snaplen: many\n' >"$conf"
kill -HUP "$pid"
wait_log "not reloading" 1
# A valid file naming a broken rule: refused too, each error placed.
write_conf before
printf 'version: 1\nruleset: live\nrules:\n  - id: live.broken\n    title: x\n    severity: dire\n    when: {app: [no-such-app]}\n' >"$rules"
kill -HUP "$pid"
wait_log "not reloading" 2
write_conf after
write_rules after example.org
ip netns exec "$tx" tcpreplay -q -K -i "$b" --pps="$pps" "$dir/b.pcap" >"$dir/replay_b.txt" 2>&1 &
rp=$!
sleep 0.2
kill -HUP "$pid"
wait "$rp" || { echo "FAIL: tcpreplay"; cat "$dir/replay_b.txt"; exit 1; }
wait_log "configuration reloaded" 1
kill -USR1 "$pid"
wait_log "statistics:" 1
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
# Two interim ticks (1 s apart, wall clock) after the last packet: the
# second finds every flow still open at least 1 s old, however fast the
# replay was.
sleep 2.5
start=$(date +%s%N)
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "FAIL: still running 10 s after SIGTERM"; exit 1; }
	sleep 0.1
done
wait "$pid"
rc=$?
pid=
ms=$(( ($(date +%s%N) - start) / 1000000 ))

fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: outflow exited $rc"; fail=1; }
grep -q "outflow.yaml:2:12: expected an integer" "$dir/log.txt" ||
	{ echo "FAIL: the broken file's error is not in the log"; fail=1; }
grep -q "rules.yaml:6:15: unknown severity 'dire'" "$dir/log.txt" &&
    grep -q "rules.yaml:7:18: unknown app id 'no-such-app'" "$dir/log.txt" ||
	{ echo "FAIL: the broken rule file's errors are not in the log"; fail=1; }
echo "replay: $(grep -ho '[0-9.]* pps' "$dir/replay_a.txt" "$dir/replay_b.txt" | tr '\n' ' ')(asked $pps)"
# tcpreplay paces, but cannot exceed what a busy machine lets it send: the
# rate reached is shown, and a slower one said, not failed on.
rate=$(grep -ho '[0-9.]* pps' "$dir/replay_b.txt" | cut -d. -f1)
[ "${rate:-0}" -ge $((pps * 9 / 10)) ] ||
	echo "note: the sender reached only ${rate:-?} packets/s of $pps"
echo "SIGTERM to exit: $ms ms; peak RSS: $rss KiB"
python3 - "$dir/offline.json" "$dir/log/events.json" "$rss" "$dir/log/events.json.1" "$dir/state/outflow.db" <<'PY' || fail=1
import json, sqlite3, sys
interim, findings = [], []
def flows(path):
    out, stats = [], []
    global interim
    for line in open(path):
        e = json.loads(line)
        ds = e["event"]["dataset"]
        if ds == "outflow.flow" and e["outflow"].get("interim"):
            interim.append(e)
        elif ds == "outflow.flow":
            out.append(e)
        elif ds == "outflow.stats":
            stats.append(e["outflow"]["stats"])
        elif ds == "outflow.finding":
            findings.append(e)
    return out, stats
def key(e):
    return (e["source"]["ip"], e["source"].get("port"),
            e["destination"]["ip"], e["destination"].get("port"),
            e["network"]["transport"])
off, _ = flows(sys.argv[1])
live, stats = flows(sys.argv[2])
before, _ = flows(sys.argv[4])
ok = True
# Before the rotation: the first capture's DNS and HTTP events, no flow
# ended yet; everything after went to the reopened path.
n_before = sum(1 for _ in open(sys.argv[4]))
if n_before == 0 or before:
    ok = False
    print("FAIL: rotated file: %d events, %d flows" % (n_before, len(before)))
if sorted(map(key, off)) != sorted(map(key, live)):
    ok = False
    print("FAIL: %d flows offline, %d live; %d missing, %d extra" % (
        len(off), len(live), len(set(map(key, off)) - set(map(key, live))),
        len(set(map(key, live)) - set(map(key, off)))))
final = [s for s in stats if s["final"]]
if len(final) != 1 or len(stats) < 1:
    ok = False
    print("FAIL: %d stats events, %d final" % (len(stats), len(final)))
else:
    f = final[0]
    cap = f.get("capture", {})
    if cap.get("kernel_dropped", 1) != 0 or cap.get("interface_dropped", 1) != 0:
        ok = False
        print("FAIL: drops", cap)
    if f["packets"] != 15500 + 57000:
        ok = False
        print("FAIL: %d packets, 72500 sent" % f["packets"])
# Flows open a second or more were written as they were, each with its
# flow's 5-tuple, before they ended.
if not interim or not set(map(key, interim)) <= set(map(key, live)):
    ok = False
    print("FAIL: %d interim flow events, not all of flows that ended" % len(interim))
if any("end" in e["event"] or e["event"]["type"] != ["connection", "info"]
       for e in interim):
    ok = False
    print("FAIL: an interim flow event says it ended")
names = {e.get("outflow", {}).get("device", {}).get("name") for e in live}
if "after" not in names or "before" in names:
    ok = False
    print("FAIL: device names after the reload:", names - {None})
# Each rule found what it watches; the one before the reload only in
# the first capture, the one after it in the second.
by_rule = {}
for e in findings:
    by_rule.setdefault(e["rule"]["id"], []).append(e["destination"].get("domain", ""))
if set(by_rule) != {"live.before", "live.after"} or \
        len(by_rule["live.before"]) != 500 or \
        not all(d.endswith(".example.com") for d in by_rule["live.before"]) or \
        not all(d.endswith(".example.org") for d in by_rule["live.after"]):
    ok = False
    print("FAIL: findings by rule:", {k: len(v) for k, v in by_rule.items()})
# The store holds what the events hold: every flow, every finding.
db = sqlite3.connect(sys.argv[5])
stored = db.execute("SELECT SUM(flows) FROM traffic_day").fetchone()[0]
stored_by_rule = dict(db.execute(
    "SELECT rule_id, SUM(count) FROM finding_day GROUP BY rule_id"))
if stored != len(live) or \
        stored_by_rule != {k: len(v) for k, v in by_rule.items()}:
    ok = False
    print("FAIL: store: %s flows, findings %s" % (stored, stored_by_rule))
if int(sys.argv[3]) > 256 * 1024:
    ok = False
    print("FAIL: peak RSS %s KiB over 256 MiB" % sys.argv[3])
if ok:
    print("ok: %d flows live = offline = stored, %d packets, no drops, "
          "%d interim, findings %s" % (len(live), final[0]["packets"],
          len(interim), {k: len(v) for k, v in by_rule.items()}))
sys.exit(0 if ok else 1)
PY
owner=$(stat -c %U "$dir/log/events.json")
[ "$owner" = nobody ] || { echo "FAIL: events.json belongs to $owner"; fail=1; }
owner=$(stat -c %U "$dir/state/outflow.db")
[ "$owner" = nobody ] || { echo "FAIL: the store belongs to $owner"; fail=1; }
[ "$(stat -c %a "$dir/hmac.key")" = 600 ] || { echo "FAIL: hmac.key is not 0600"; fail=1; }
[ $fail -eq 0 ] || cat "$dir/log.txt"

# As systemd starts it: a plain user holding CAP_NET_RAW and CAP_NET_ADMIN
# as ambient capabilities.  Once capturing, it holds none.
if command -v setpriv >/dev/null 2>&1; then
	ip netns exec "$cap" setpriv --reuid nobody --regid nogroup --clear-groups \
	    --inh-caps +net_raw,+net_admin --ambient-caps +net_raw,+net_admin \
	    "$outflow" run -i "$a" --no-geoip --rules-dir "$dir/packs" \
	    --secret "$dir/hmac.key" \
	    --stats-interval 0 2>"$dir/caps.txt" &
	pid=$!
	i=0
	until grep -q "capturing on" "$dir/caps.txt"; do
		i=$((i + 1))
		[ $i -lt 100 ] || break
		sleep 0.1
	done
	caps=$(awk '/^Cap(Prm|Eff|Amb)/ { printf "%s", $2 }' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	grep -q "capabilities dropped" "$dir/caps.txt" && [ "$rc" -eq 0 ] &&
	    [ "$caps" = 000000000000000000000000000000000000000000000000 ] ||
		{ echo "FAIL: capabilities kept ($caps), exit $rc"; cat "$dir/caps.txt"; fail=1; }
fi
exit $fail
