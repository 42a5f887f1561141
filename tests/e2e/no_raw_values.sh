#!/bin/sh
# outflow itself must never become the leak: with Emma's values configured
# as identities and sent every way in pii_planted.scn (every field an event
# can carry, every encoding the matcher knows), grep the event stream, the
# summary (text and JSON), the store (every table dumped, and the file's
# bytes) and the logs for every configured value in every one of those
# forms: nothing may be found.
# Then check the detectors did see them (so the test cannot pass by
# seeing nothing), and that --raw-evidence does put values in, flagged.
#   no_raw_values.sh OUTFLOW GEN BUILDDIR
set -u
outflow=$1 gen=$2 dir=$3/no_raw_values
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$dir"
# The event stream appends: start from nothing.
rm -f "$dir/events.json" "$dir/raw.json" "$dir"/store.db*
fail=0

python3 "$gen" "$here/scenarios/pii_planted.scn" -o "$dir/in.pcap" || exit 1
common="--rules-dir $top/rules --identities $here/pii_planted.yaml --no-geoip"
# shellcheck disable=SC2086
"$outflow" audit $common --eve "$dir/events.json" "$dir/in.pcap" \
    >"$dir/summary.txt" 2>"$dir/log.txt" || fail=1
# shellcheck disable=SC2086
"$outflow" audit $common --json --store "$dir/store.db" "$dir/in.pcap" \
    >"$dir/summary.json" 2>>"$dir/log.txt" || fail=1
# Every row of every table, as text; then the raw bytes of the file and
# its WAL (strings), in case a value sits where no row shows it.
python3 - "$dir/store.db" >"$dir/store.txt" <<'PY' || fail=1
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
    for row in c.execute(f"SELECT * FROM {t}"):
        print(t, *row, sep="\t")
PY
cat "$dir/store.db" "$dir/store.db-wal" 2>/dev/null | strings -n 6 \
    >"$dir/store.bytes.txt"
if ! grep -q "^data_day.*location.precise" "$dir/store.txt"; then
	echo "FAIL: the store has no location.precise row: it kept nothing"
	fail=1
fi

# Every form the matcher knows (daemon/detect/pii_forms.c) of every
# configured value: grep -i for those whose case does not matter, grep
# for base64 (case is the encoding).
python3 - "$dir" <<'PY'
import base64, hashlib, sys, urllib.parse
d = sys.argv[1]
bases = ["+1 202 555 0142", "+12025550142", "12025550142", "2025550142",
    "202-555-0142", "(202) 555-0142", "202.555.0142", "202 555 0142",
    "0012025550142", "202/555/0142",
    "emma.lee@example.org", "Emma Lee", "emma lee", "356938035643809",
    "38400000-8cf0-11bd-b23e-10b96e40000d",
    "38400000-8CF0-11BD-B23E-10B96E40000D",
    "384000008cf011bdb23e10b96e40000d", "9774d56d682e549c",
    "3c:22:fb:12:34:56", "3c-22-fb-12-34-56", "3c22fb123456",
    "3c22.fb12.3456"]
ci, cs = set(), set()
for b in bases:
    r = b.encode()
    ci.update([b, urllib.parse.quote(b, safe="-._~"),
        urllib.parse.quote_plus(b, safe="-._~"), r.hex(),
        base64.b32encode(r).decode().rstrip("=")])
    cs.update([base64.b64encode(r).decode().rstrip("="),
        base64.urlsafe_b64encode(r).decode().rstrip("=")])
    for h in (hashlib.md5, hashlib.sha1, hashlib.sha256):
        md = h(r).digest()
        ci.add(md.hex())
        cs.update([base64.b64encode(md).decode().rstrip("="),
            base64.urlsafe_b64encode(md).decode().rstrip("="),
            base64.b64encode(md.hex().encode()).decode().rstrip("=")])
ci.update(["38.8978", "-77.0366"])
# the coarse place planted with the shapes of issue 10
ci.update(["Arlington", "Virginia"])
for name, forms in (("forms_ci", ci), ("forms_cs", cs)):
    with open(d + "/" + name, "w") as f:
        f.write("\n".join(sorted(x for x in forms if len(x) >= 7)) + "\n")
PY
for f in events.json summary.txt summary.json store.txt store.bytes.txt \
    log.txt; do
	if grep -i -F -f "$dir/forms_ci" "$dir/$f" >"$dir/hits" ||
	    grep -F -f "$dir/forms_cs" "$dir/$f" >>"$dir/hits"; then
		echo "FAIL: a configured value found in $f:"
		grep -o -i -F -f "$dir/forms_ci" "$dir/$f" | sort -u | head
		grep -o -F -f "$dir/forms_cs" "$dir/$f" | sort -u | head
		cut -c1-300 "$dir/hits" | head -5
		fail=1
	fi
done

n=$(grep -c '"outflow.observation"' "$dir/events.json")
for cat in phone email name device_id.imei ad_id device_id.android_id \
    mac location.precise; do
	if ! grep -q "\"category\":\"$cat\"" "$dir/events.json"; then
		echo "FAIL: no $cat observation: the detectors missed a planted value"
		fail=1
	fi
done
# Places the detectors must have looked: server names, a number split
# over path segments, bare query items, the user agent.
for where in '"where":"server_name","location":"sni","encoding":"md5"' \
    '"where":"server_name","location":"sni","encoding":"base32"' \
    '"category":"phone","where":"path"' '"where":"query","location":"-"' \
    '"location":"User-Agent"' '"location":"X-Requested-With"' \
    '"location":"Host"'; do
	if ! grep -q -F -- "$where" "$dir/events.json"; then
		echo "FAIL: no observation with $where"
		fail=1
	fi
done
# The shapes of issue 10: lists inside a header and a cookie's value, a
# national phone deep in gzip'd chunked JSON, coarse places in it and in
# a query cut into segments.
for where in '"location":"X-Device-Info:IMEI"' '"location":"dev:tel"' \
    '"category":"phone","where":"body","location":"$.data.user.profile.contact[1].phoneNumber","encoding":"plain","identity":"emma"' \
    '"category":"location.coarse","where":"body"' \
    '"category":"location.coarse","where":"query"'; do
	if ! grep -q -F -- "$where" "$dir/events.json"; then
		echo "FAIL: no observation with $where"
		fail=1
	fi
done
if ! grep -q '"identity":"emma"' "$dir/events.json"; then
	echo "FAIL: no observation names the identity label"
	fail=1
fi

# The lab opt-in: raw values appear, and say so.
# shellcheck disable=SC2086
"$outflow" audit $common --raw-evidence -q --eve "$dir/raw.json" \
    "$dir/in.pcap" 2>/dev/null
if ! grep -q '"raw_evidence":true' "$dir/raw.json" ||
    ! grep -q -F "356938035643809" "$dir/raw.json"; then
	echo "FAIL: --raw-evidence did not put flagged raw values in the events"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "ok: $n observations, no raw value in events, summaries, the store or logs"
exit $fail
