#!/bin/sh
# outflow audit --store on a generated capture across UTC midnight: the
# rows add up to what the summary counts, days are cut at UTC midnight,
# the file is 0640 in WAL mode at the current schema, a second run adds
# to the same rows, and a store from a newer outflow is refused.
#   store.sh OUTFLOW GEN BUILDDIR
set -u
outflow=$1 gen=$2 dir=$3/store
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$dir"
rm -f "$dir"/s.db*
fail=0

python3 "$gen" "$here/scenarios/store_days.scn" -o "$dir/days.pcap" || exit 1
common="--rules-dir $top/rules --no-geoip"
# shellcheck disable=SC2086
(umask 022 && "$outflow" audit $common --json --store "$dir/s.db" \
    "$dir/days.pcap" >"$dir/summary.json" 2>"$dir/log.txt") || {
	echo "FAIL: audit --store exited $?"; cat "$dir/log.txt"; exit 1; }
mode=$(stat -c %a "$dir/s.db")
[ "$mode" = 640 ] || { echo "FAIL: store mode $mode, not 640"; fail=1; }

python3 - "$dir" <<'PY' || fail=1
import json, sqlite3, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
c = sqlite3.connect(d + "/s.db")
bad = []
def check(what, got, want):
    if got != want:
        bad.append(f"{what}: {got!r}, expected {want!r}")
check("integrity", c.execute("PRAGMA integrity_check").fetchone()[0], "ok")
check("journal", c.execute("PRAGMA journal_mode").fetchone()[0], "wal")
check("schema version", c.execute("PRAGMA user_version").fetchone()[0], 1)
days = [r[0] for r in c.execute("SELECT DISTINCT day FROM traffic_day ORDER BY day")]
check("days", days, ["2026-12-06", "2026-12-07"])
flows = c.execute("SELECT SUM(flows) FROM traffic_day").fetchone()[0]
check("flows", flows, s["flows"]["total"])
cov = c.execute("SELECT SUM(packets), SUM(flows) FROM coverage_day").fetchone()
check("coverage packets", cov[0], s["packets"])
check("coverage flows", cov[1], flows)
# 22:00-24:00 holds 720 of the 1440 ten-second steps, 3 flows each.
check("first day's flows", c.execute(
    "SELECT SUM(flows) FROM traffic_day WHERE day = '2026-12-06'").fetchone()[0],
    2157)
enc = c.execute("SELECT SUM(flows_encrypted) FROM traffic_day").fetchone()[0]
check("encrypted flows (TLS)", enc, 1440)
devs = c.execute("SELECT COUNT(DISTINCT device) FROM traffic_day").fetchone()[0]
check("devices", devs, 20)
for b in bad:
    print("FAIL:", b)
open(d + "/flows1", "w").write(str(flows))
sys.exit(1 if bad else 0)
PY

# A second run adds to the same rows.
# shellcheck disable=SC2086
"$outflow" audit $common -q --store "$dir/s.db" "$dir/days.pcap" \
    2>>"$dir/log.txt" || { echo "FAIL: second run"; fail=1; }
python3 - "$dir" <<'PY' || fail=1
import sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + "/s.db")
one = int(open(d + "/flows1").read())
two = c.execute("SELECT SUM(flows) FROM traffic_day").fetchone()[0]
if two != 2 * one:
    print(f"FAIL: after two runs {two} flows, expected {2 * one}")
    sys.exit(1)
PY

# A store from a newer outflow is refused, saying so; nothing is changed.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 99'); c.commit()" "$dir/s.db"
# shellcheck disable=SC2086
if "$outflow" audit $common -q --store "$dir/s.db" "$dir/days.pcap" \
    2>"$dir/newer.txt"; then
	echo "FAIL: a newer store was written"
	fail=1
fi
grep -q "schema version 99, newer than" "$dir/newer.txt" ||
    { echo "FAIL: no clear refusal:"; cat "$dir/newer.txt"; fail=1; }

[ "$fail" -eq 0 ] && echo "ok: store rows match the summary; newer store refused"
exit $fail
