#!/bin/sh
# `meson install` into a staging directory gives a working outflow: the
# binary, the shipped packs (policy/ included), the example configuration,
# the units, sysusers.d and tmpfiles.d files and both man pages are where
# docs/operations.md says, and the installed binary checks the installed
# configuration against the installed packs (a pack broken in the staging
# tree is reported by its staged path, so the source tree's are not read).
# Skipped (77) without meson on PATH.
#   install_tree.sh OUTFLOW BUILDDIR SRCDIR OUTDIR
set -u
builddir=$2 top=$3 dir=$4/install_tree
command -v meson >/dev/null 2>&1 || { echo "no meson on PATH: skipped"; exit 77; }
rm -rf "$dir"
mkdir -p "$dir"
stage=$dir/stage
fail=0
bad() { echo "install_tree: $*" >&2; fail=1; }

meson install -C "$builddir" --no-rebuild --quiet --destdir "$stage" \
    >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }

one() { # the one staged file whose path ends with $1
	found=$(find "$stage" -path "*$1" | head -n 1)
	[ -n "$found" ] || bad "nothing installed as */$1"
	echo "$found"
}
bin=$(one /bin/outflow)
conf=$(one /outflow/outflow.yaml)
rules=$(dirname "$(one /outflow/rules/apps.yaml)")
one /man8/outflow.8 >/dev/null
one /man5/outflow.yaml.5 >/dev/null
for f in apps.yaml jurisdictions.yaml permissions.yaml personal_data.yaml; do
	cmp -s "$top/rules/$f" "$rules/$f" || bad "rules/$f not installed as shipped"
done
for f in "$top"/rules/policy/*.yaml; do
	cmp -s "$f" "$rules/policy/${f##*/}" || bad "rules/policy/${f##*/} not installed"
done
cmp -s "$top/etc/outflow.yaml" "$conf" || bad "etc/outflow.yaml not installed as $conf"
units=$(python3 -c 'import json,sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "install_systemd_unit"][0])' \
    <"$builddir/meson-info/intro-buildoptions.json")
if [ "$units" = True ]; then
	for u in "$top"/systemd/*.service "$top"/systemd/*.timer; do
		[ -e "$u" ] || continue
		cmp -s "$u" "$(one "/systemd/system/${u##*/}")" || bad "${u##*/} differs"
	done
	cmp -s "$top/systemd/outflow.sysusers" "$(one /sysusers.d/outflow.conf)" ||
	    bad "sysusers.d/outflow.conf differs"
	cmp -s "$top/systemd/outflow.tmpfiles" "$(one /tmpfiles.d/outflow.conf)" ||
	    bad "tmpfiles.d/outflow.conf differs"
fi
[ "$fail" = 0 ] || exit 1

# No GeoIP data in the staging tree: none used, whatever the host has.
# The user must exist here; any will do for check.
export OUTFLOW_GEOIP_DIR="$dir/no-geoip"
user=$(id -un)
if ! "$bin" check --config "$conf" --rules-dir "$rules" --user "$user" \
    >"$dir/check.out" 2>&1; then
	bad "installed check failed:"; cat "$dir/check.out" >&2
fi
grep -q "no errors" "$dir/check.out" || bad "check did not say no errors"
# The installed binary audits with the installed packs: apps attributed.
"$bin" audit -q --rules-dir "$rules" --eve "$dir/events.json" \
    "$top/samples/home.pcap" || bad "installed audit failed"
grep -q '"app"' "$dir/events.json" 2>/dev/null || bad "no app attributed by the installed packs"

# A pack broken in the staging tree is named by its staged path.
printf 'rules: [\n' >>"$rules/policy/default.yaml"
if "$bin" check --config "$conf" --rules-dir "$rules" --user "$user" \
    >"$dir/broken.out" 2>&1; then
	bad "check passed a broken staged pack"
fi
grep -q "^$rules/policy/default.yaml:[0-9]*:[0-9]*: " "$dir/broken.out" ||
    { bad "the error does not name the staged pack:"; cat "$dir/broken.out" >&2; }
exit $fail
