#!/bin/sh
# Regenerates every scenario into a temporary directory, checks that the
# generator is deterministic (two runs give identical bytes) and, when tshark
# is installed, that nothing decodes as Malformed except in malformed.scn
# and *_malformed.scn, where Malformed is expected. Also runs the generator's self-test.
# Usage: tests/gen/check.sh [SCENARIO.scn...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gen="$here/outflow-gen"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/outflow-gen-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -eq 0 ]; then
	set -- "$top"/tests/e2e/scenarios/*.scn "$top"/samples/*.scn
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if "$gen" --selftest >"$tmp/selftest.out" 2>&1; then ok; else bad "selftest"; cat "$tmp/selftest.out"; fi

have_tshark=0
command -v tshark >/dev/null 2>&1 && have_tshark=1
[ $have_tshark -eq 1 ] || echo "note: tshark not installed, decode checks skipped"

for scn in "$@"; do
	name=$(basename "$scn" .scn)
	out="$tmp/$name.pcap"
	if ! "$gen" "$scn" -o "$out" 2>"$tmp/$name.err"; then
		bad "$name: generator failed: $(cat "$tmp/$name.err")"
		continue
	fi
	"$gen" "$scn" -o "$out.again" 2>/dev/null
	if ! cmp -s "$out" "$out.again"; then
		bad "$name: two runs differ"
		continue
	fi
	if [ $have_tshark -eq 1 ]; then
		# -o options make tshark reassemble and decode as deeply as it can.
		tshark -n -r "$out" -V -o tcp.desegment_tcp_streams:TRUE \
			-o tls.desegment_ssl_records:TRUE -o http.decompress_body:TRUE \
			>"$tmp/$name.txt" 2>"$tmp/$name.tshark.err"
		rc=$?
		nmal=$(grep -c "Malformed Packet" "$tmp/$name.txt")
		case $name in
		malformed | *_malformed) want_malformed=1 ;;
		*) want_malformed=0 ;;
		esac
		if [ $want_malformed -eq 1 ]; then
			if [ "$nmal" -eq 0 ]; then bad "$name: expected Malformed packets, tshark found none"; continue; fi
		elif [ $rc -ne 0 ] && ! grep -q "cut short in the middle" "$tmp/$name.tshark.err"; then
			bad "$name: tshark exit $rc: $(head -3 "$tmp/$name.tshark.err")"
			continue
		elif [ "$nmal" -ne 0 ]; then
			bad "$name: $nmal Malformed Packet(s)"
			grep -B30 -m1 "Malformed Packet" "$tmp/$name.txt" | head -40
			continue
		fi
	fi
	ok
done
echo "check.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
