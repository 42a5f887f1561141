#!/bin/sh
# The README's first command: install, fetch the default GeoIP data, build,
# audit the bundled sample capture into a store, and make the sample's
# weekly report from that store.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
echo "demo: installing packages"
sh scripts/install-deps.sh --geoip
echo "demo: building (log in build.log)"
sh scripts/build.sh build -Dtests=false >build.log 2>&1 || { cat build.log; exit 1; }
echo "demo: installing the default GeoIP data"
datadir=${OUTFLOW_DATADIR:-/usr/local/share/outflow}
geo=""
if sh scripts/fetch-geoip.sh "$datadir"; then
	geo="--geoip-country $datadir/dbip-country.mmdb --geoip-asn $datadir/asn.mmdb"
else
	echo "demo: GeoIP data could not be installed; auditing without it" >&2
fi
echo "demo: outflow audit samples/home.pcap (events in build/sample-events.json,"
echo "      store build/sample.db)"
echo
# A fresh store each time, so that running the demo twice counts once.
rm -f build/sample.db build/sample.db-wal build/sample.db-shm
# shellcheck disable=SC2086
build/daemon/outflow audit $geo --identities samples/identities.yaml \
    --eve build/sample-events.json --store build/sample.db samples/home.pcap
echo
# The sample was captured on Monday 2024-05-06: ISO week 2024-W19.
report=$(build/daemon/outflow report --store build/sample.db --week 2024-W19 \
    -o "$top/build")
echo "demo: the sample's weekly report (open it in a browser): $report"
