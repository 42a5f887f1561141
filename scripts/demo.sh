#!/bin/sh
# The README's first command: install, fetch the default GeoIP data, build,
# and audit the bundled sample capture.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/install-deps.sh
sh scripts/build.sh build
datadir=${OUTFLOW_DATADIR:-/usr/local/share/outflow}
geo=""
if sh scripts/fetch-geoip.sh "$datadir"; then
	geo="--geoip-country $datadir/dbip-country.mmdb --geoip-asn $datadir/asn.mmdb"
else
	echo "demo: GeoIP data could not be installed; auditing without it" >&2
fi
# shellcheck disable=SC2086
exec build/daemon/outflow audit $geo --eve build/sample-events.json samples/home.pcap
