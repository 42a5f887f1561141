#!/bin/sh
# The README's first command: install, fetch the default GeoIP data, build,
# and audit the bundled sample capture.
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
echo "demo: outflow audit samples/home.pcap (events in build/sample-events.json)"
echo
# shellcheck disable=SC2086
exec build/daemon/outflow audit $geo --identities samples/identities.yaml \
    --eve build/sample-events.json samples/home.pcap
