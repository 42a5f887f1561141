#!/bin/sh
# Proves that the README's first command needs only the packages that
# install-deps.sh installs without --tests: configures and builds as
# scripts/demo.sh does, with pkg-config seeing only the .pc files of those
# packages (and the -dev packages they depend on), then audits the sample
# into a store and makes its report.
# A test-only dependency creeping into the plain build fails here even on a
# machine where the test packages are installed.
#   check-build-deps.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$1
pcdir=$(mktemp -d)
nocmake=$(mktemp -d)
trap 'rm -rf "$pcdir" "$nocmake"' EXIT
# meson also finds libraries through CMake, which a fresh machine lacks:
# a cmake that always fails makes meson look through pkg-config alone.
printf '#!/bin/sh\nexit 1\n' >"$nocmake/cmake"
chmod +x "$nocmake/cmake"

# The build packages and, through Depends, the -dev packages they pull in.
seen=""
add() {
	for p in "$@"; do
		p=${p%%:*}
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || continue
		dpkg -L "$p" 2>/dev/null | grep '\.pc$' | while read -r pc; do
			[ -f "$pc" ] && ln -sf "$pc" "$pcdir/"
		done
		deps=$(dpkg-query -W -f='${Depends}' "$p" 2>/dev/null |
		    tr ',|' '\n\n' | sed 's/(.*)//; s/^ *//; s/ *$//' |
		    grep -- '-dev' || true)
		# shellcheck disable=SC2086
		[ -n "$deps" ] && add $deps
	done
	return 0
}
# shellcheck disable=SC2046
add $(sh "$top/scripts/install-deps.sh" --list)
echo "check-build-deps: pkg-config sees $(ls "$pcdir" | tr '\n' ' ')"

rm -rf "$builddir"
PATH=$nocmake:$PATH PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' \
    sh "$top/scripts/build.sh" "$builddir" -Dtests=false
"$builddir/daemon/outflow" audit -q --no-geoip --rules-dir "$top/rules" \
    --eve /dev/null --store "$builddir/sample.db" "$top/samples/home.pcap"
# The first command ends with the sample's report, as demo.sh makes it.
report=$("$builddir/daemon/outflow" report --store "$builddir/sample.db" \
    --week 2024-W19 -o "$builddir")
[ -s "$report" ] || { echo "check-build-deps: no report" >&2; exit 1; }
echo "check-build-deps: OK"
