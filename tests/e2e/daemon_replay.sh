#!/bin/sh
# outflow run without a network: -r replays a capture through the
# daemon's loop.  Checked: the flow table's limit holds under more flows
# than it has room for (evictions counted, peak within the limit, every
# flow still ends in an event), the final outflow.stats event, the
# configuration errors of run and check (every one with FILE:LINE:COL:),
# every error of a policy rule file in check, and run -r with rules and
# a store named by the file (findings and flows stored as in the events);
# --fail-on is audit's (exit 3), not run's.
#   daemon_replay.sh OUTFLOW GEN SRCDIR BUILDDIR
set -u
outflow=$1 gen=$2 src=$3
# run drops to nobody, which must reach the notify socket and the files:
# a build folder under /root is out of its reach, /tmp is not.
dir=$(mktemp -d) || exit 1
chmod 0755 "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM
# Started as root, run becomes a user: nobody here.
as=""
[ "$(id -u)" -ne 0 ] || as="--user nobody"
fail=0

python3 "$gen" "$src/tests/e2e/scenarios/many_flows.scn" -o "$dir/mf.pcap" || exit 1

# 2000 flows through a table of 500.
# shellcheck disable=SC2086
"$outflow" run -r "$dir/mf.pcap" --no-geoip --secret "$dir/key" $as \
    --max-flows 500 --eve "$dir/events.json" 2>"$dir/run.txt"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: run -r exited $rc"; cat "$dir/run.txt"; fail=1; }
python3 - "$dir/events.json" <<'PY' || fail=1
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
flows = [e for e in ev if e["event"]["dataset"] == "outflow.flow"]
stats = [e["outflow"]["stats"] for e in ev if e["event"]["dataset"] == "outflow.stats"]
ok = True
if len(stats) != 1 or not stats[0]["final"]:
    ok = False; print("FAIL: expected one final stats event, got", len(stats))
else:
    f = stats[0]["flows"]
    if f["capacity"] != 500 or f["peak"] > 500 or f["ended"]["evicted"] == 0:
        ok = False; print("FAIL: flow table not held to 500:", f)
    if f["created"] != len(flows) or f["created"] < 2000:
        ok = False; print("FAIL: %d flows created, %d flow events" % (f["created"], len(flows)))
    if stats[0]["events"]["written"] != len(ev) - 1:
        ok = False; print("FAIL: %d events counted, %d before the stats" % (stats[0]["events"]["written"], len(ev) - 1))
    if ok:
        print("ok: %d flows through 500 slots, %d evicted" % (f["created"], f["ended"]["evicted"]))
sys.exit(0 if ok else 1)
PY
grep -q "statistics (final): 15500 packets" "$dir/run.txt" ||
	{ echo "FAIL: no final statistics in the log"; cat "$dir/run.txt"; fail=1; }

# Under systemd (Type=notify): READY=1 once running, STOPPING=1 at the end.
# Only for a build with libsystemd.
if ldd "$outflow" 2>/dev/null | grep -q libsystemd; then
	rm -f "$dir/notify.sock"
	python3 - "$dir/notify.sock" "$dir/notify.txt" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)  # as systemd's: the daemon has dropped root
s.settimeout(20)
with open(sys.argv[2], "w") as out:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        out.write(m + "\n"); out.flush()
        if "STOPPING=1" in m:
            break
PY
	srv=$!
	i=0
	while [ ! -S "$dir/notify.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	# shellcheck disable=SC2086
	NOTIFY_SOCKET=$dir/notify.sock "$outflow" run -r "$dir/mf.pcap" \
	    --no-geoip --secret "$dir/key" $as 2>/dev/null ||
		{ echo "FAIL: run under NOTIFY_SOCKET"; fail=1; }
	wait "$srv"
	grep -q "^READY=1" "$dir/notify.txt" && grep -q "^STOPPING=1" "$dir/notify.txt" ||
		{ echo "FAIL: notifications:"; cat "$dir/notify.txt"; fail=1; }
fi

# A file with three errors: check and run report every one and refuse.
printf 'capture:\n  snaplen: 0\nlimits:\n  max_flows: lots\nevents: {dns: maybe}\n' >"$dir/bad.yaml"
"$outflow" check --config "$dir/bad.yaml" >"$dir/check.txt" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: check of a bad file exited $rc"; fail=1; }
for want in "bad.yaml:2:12: expected an integer in \[1, 262144\]" \
    "bad.yaml:4:14: expected an integer" "bad.yaml:5:15: expected true or false"; do
	grep -q "$want" "$dir/check.txt" || { echo "FAIL: check did not say $want"; cat "$dir/check.txt"; fail=1; }
done
# shellcheck disable=SC2086
"$outflow" run --config "$dir/bad.yaml" -r "$dir/mf.pcap" $as 2>"$dir/run_bad.txt"
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: run with a bad file exited $rc"; fail=1; }
[ "$(grep -c 'bad.yaml:[0-9]*:[0-9]*: ' "$dir/run_bad.txt")" -eq 3 ] ||
	{ echo "FAIL: run did not report the 3 errors"; cat "$dir/run_bad.txt"; fail=1; }
# The shipped example is valid (but for its user, which may not exist here).
"$outflow" check --config "$src/etc/outflow.yaml" --user "$(id -un)" \
    --no-geoip 2>"$dir/check_ok.txt" ||
	{ echo "FAIL: the shipped example does not pass check"; cat "$dir/check_ok.txt"; fail=1; }
# run's own options are not audit's, nor audit's --fail-on run's.
"$outflow" audit --user nobody "$dir/mf.pcap" 2>/dev/null
[ $? -eq 2 ] || { echo "FAIL: audit accepted --user"; fail=1; }
"$outflow" run -r "$dir/mf.pcap" --fail-on high 2>"$dir/run_failon.txt"
[ $? -eq 2 ] && grep -q -- "--fail-on is an option of outflow audit" "$dir/run_failon.txt" ||
	{ echo "FAIL: run accepted --fail-on"; cat "$dir/run_failon.txt"; fail=1; }

# Policy rules with three errors: check prints all three, one per line,
# each FILE:LINE:COL:, whether named by --rules or by the file.
printf 'version: 1\nruleset: local\nrules:\n  - id: local.a\n    title: x\n    severity: dire\n    when: {app: [no-such-app]}\n  - id: local.b\n    title: y\n    severity: low\n    when: {bogus: 1}\n' >"$dir/bad_rules.yaml"
printf 'policy:\n  rules: [%s]\n' "$dir/bad_rules.yaml" >"$dir/rules_conf.yaml"
for how in "--rules $dir/bad_rules.yaml" "--config $dir/rules_conf.yaml"; do
	# shellcheck disable=SC2086
	"$outflow" check --no-geoip $how >"$dir/check_rules.txt" 2>/dev/null
	rc=$?
	[ "$rc" -eq 1 ] || { echo "FAIL: check $how exited $rc"; fail=1; }
	printf '%s\n' "$dir/bad_rules.yaml:6:15: unknown severity 'dire'" \
	    "$dir/bad_rules.yaml:7:18: unknown app id 'no-such-app'" \
	    "$dir/bad_rules.yaml:11:12: unknown key 'bogus'" >"$dir/want_rules.txt"
	sed 's/ (.*)$//' "$dir/check_rules.txt" >"$dir/got_rules.txt"
	cmp -s "$dir/want_rules.txt" "$dir/got_rules.txt" ||
		{ echo "FAIL: check $how printed:"; cat "$dir/check_rules.txt"; fail=1; }
done
# A bad key of policy: or store: in the file, placed.
printf 'policy:\n  home_country: Germany\nstore:\n  retention_days: 0\n' >"$dir/bad_store.yaml"
"$outflow" check --config "$dir/bad_store.yaml" >"$dir/check_store.txt" 2>&1
[ $? -eq 1 ] && grep -q "bad_store.yaml:2:17: expected an ISO 3166-1 alpha-2" "$dir/check_store.txt" &&
    grep -q "bad_store.yaml:4:19: expected an integer in \[1, 36500\]" "$dir/check_store.txt" ||
	{ echo "FAIL: check of policy: and store: keys"; cat "$dir/check_store.txt"; fail=1; }

# run -r with rules and a store from the file: the rule's findings reach
# the events and the store alike, and every flow the store.
printf 'version: 1\nruleset: local\nrules:\n  - id: local.watch\n    title: "{device} reached {domain}"\n    severity: low\n    when:\n      destination: {domain: [example.com]}\n' >"$dir/watch.yaml"
rm -rf "$dir/state" && mkdir -p "$dir/state"
[ -z "$as" ] || chown nobody "$dir/state"
printf 'policy:\n  shipped: false\n  rules: %s\nstore:\n  path: %s\n' \
    "$dir/watch.yaml" "$dir/state/s.db" >"$dir/store_conf.yaml"
# shellcheck disable=SC2086
"$outflow" run --config "$dir/store_conf.yaml" -r "$dir/mf.pcap" --no-geoip \
    --secret "$dir/key" $as --eve "$dir/store_events.json" 2>"$dir/run_store.txt" ||
	{ echo "FAIL: run with a store"; cat "$dir/run_store.txt"; fail=1; }
python3 - "$dir/store_events.json" "$dir/state/s.db" <<'PY' || fail=1
import json, sqlite3, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
flows = sum(1 for e in ev if e["event"]["dataset"] == "outflow.flow")
found = [e for e in ev if e["event"]["dataset"] == "outflow.finding"]
db = sqlite3.connect(sys.argv[2])
stored = db.execute("SELECT SUM(flows) FROM traffic_day").fetchone()[0]
by_rule = dict(db.execute("SELECT rule_id, SUM(count) FROM finding_day GROUP BY rule_id"))
if len(found) != 500 or {e["rule"]["id"] for e in found} != {"local.watch"} \
        or by_rule != {"local.watch": 500} or stored != flows:
    print("FAIL: run --store: %d findings in events, %s in the store; "
          "%d flows, %s stored" % (len(found), by_rule, flows, stored))
    sys.exit(1)
print("ok: run --store: %d flows, 500 findings, events and store alike" % flows)
PY
# audit keeps --fail-on through the shared option table: exit 3.
"$outflow" audit -q --no-geoip --no-policy --rules "$dir/watch.yaml" \
    --secret "$dir/key" --fail-on low "$dir/mf.pcap" 2>/dev/null
rc=$?
[ "$rc" -eq 3 ] || { echo "FAIL: audit --fail-on low exited $rc"; fail=1; }
[ $fail -eq 0 ] && echo "ok: configuration errors reported and refused"
exit $fail
