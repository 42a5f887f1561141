#!/bin/sh
# outflow itself must never become the leak: with Emma's values configured
# as identities and sent every way in pii_planted.scn, grep the event
# stream, the summary (text and JSON) and the logs for every configured
# value as written and in its common plain forms: nothing may be found.
# Then check the detectors did see them (so the test cannot pass by
# seeing nothing), and that --raw-evidence does put values in, flagged.
#   no_raw_values.sh OUTFLOW GEN BUILDDIR
set -u
outflow=$1 gen=$2 dir=$3/no_raw_values
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$dir"
fail=0

python3 "$gen" "$here/scenarios/pii_planted.scn" -o "$dir/in.pcap" || exit 1
common="--rules-dir $top/rules --identities $here/pii_planted.yaml --no-geoip"
# shellcheck disable=SC2086
"$outflow" audit $common --eve "$dir/events.json" "$dir/in.pcap" \
    >"$dir/summary.txt" 2>"$dir/log.txt" || fail=1
# shellcheck disable=SC2086
"$outflow" audit $common --json "$dir/in.pcap" >"$dir/summary.json" \
    2>>"$dir/log.txt" || fail=1

for v in "+1 202 555 0142" "2025550142" "12025550142" "+12025550142" \
    "emma.lee@example.org" "emma.lee%40example.org" "Emma Lee" "Emma%20Lee" \
    "356938035643809" "38400000-8cf0-11bd-b23e-10b96e40000d" \
    "9774d56d682e549c" "3c:22:fb:12:34:56" "3c22fb123456" \
    "38.8978" "-77.0366"; do
	for f in events.json summary.txt summary.json log.txt; do
		if grep -q -i -F -- "$v" "$dir/$f"; then
			echo "FAIL: \"$v\" found in $f:"
			grep -n -i -F -- "$v" "$dir/$f" | cut -c1-300
			fail=1
		fi
	done
done

n=$(grep -c '"outflow.observation"' "$dir/events.json")
for cat in phone email name device_id.imei ad_id device_id.android_id \
    mac location.precise; do
	if ! grep -q "\"category\":\"$cat\"" "$dir/events.json"; then
		echo "FAIL: no $cat observation: the detectors missed a planted value"
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
[ "$fail" -eq 0 ] && echo "ok: $n observations, no raw value in events, summaries or logs"
exit $fail
