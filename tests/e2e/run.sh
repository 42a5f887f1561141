#!/bin/sh
# One end-to-end test: scenario -> pcap (generator) -> outflow audit --eve
# -> compared with tests/e2e/expected/NAME.json.
#   run.sh OUTFLOW GEN BUILDDIR NAME SCENARIO [audit flags...]
# With UPDATE=1 the expected file is rewritten instead (see update.sh).
# Flags may name @TESTGEO@ for the directory of the test GeoIP databases
# ($TESTGEO, set by meson) and @TOP@ for the source tree.
set -eu
outflow=$1 gen=$2 builddir=$3 name=$4 scenario=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$builddir"
pcap="$builddir/$name.pcap"
out="$builddir/$name.json"
expected="$here/expected/$name.json"

# A scenario with a slash is relative to the top of the tree (samples/...).
case $scenario in
*/*) scn="$top/$scenario" ;;
*) scn="$here/scenarios/$scenario" ;;
esac
python3 "$gen" "$scn" -o "$pcap"
# Results must not depend on what is installed on the machine: the shipped
# packs from this tree, and no GeoIP unless the test names databases.
# A fixed evidence key, so observation hashes are the same on every run.
key="$builddir/test-hmac.key"
if [ ! -f "$key" ]; then
	umask 077
	# Tests run in parallel: each writes its own temporary, and the
	# rename is atomic, so every reader sees the whole key.
	printf 'outflow-e2e-test-key-32-bytes!!!' >"$key.$$" && mv -f "$key.$$" "$key"
fi
# A fixed observer.hostname, so events do not depend on the machine.
flags="--rules-dir $top/rules --secret $key --hostname e2e-sensor"
case " $* " in
*--geoip-*) ;;
*) flags="$flags --no-geoip" ;;
esac
for f in "$@"; do
	flags="$flags $(printf '%s' "$f" | sed "s|@TESTGEO@|${TESTGEO:-}|g; s|@TOP@|$top|g")"
done
rm -f "$out"
# shellcheck disable=SC2086
"$outflow" audit -q --eve "$out" $flags "$pcap"
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$out" "$expected"
	echo "updated $expected"
	exit 0
fi
if ! diff -u "$expected" "$out"; then
	echo "$name: events differ from $expected (UPDATE=1 tests/e2e/update.sh to accept)" >&2
	exit 1
fi
