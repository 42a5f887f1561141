#!/bin/sh
# outflow check on broken rule files (tests/policy/broken/): every error
# a file's "# expect: LINE:COL: text" lines name is printed as
# FILE:LINE:COL: ..., nothing else is, and the exit status is 1.  The
# shipped packs pass with every ruleset on.  --fail-on turns findings
# into exit status 3.
#   check_rules.sh OUTFLOW GEN OUTDIR
set -u
outflow=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$2 out=$3/check_rules
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
fail=0

for f in "$top"/tests/policy/broken/*.yaml; do
	name=$(basename "$f")
	(cd "$(dirname "$f")" && "$outflow" check --no-policy --rules "$name") \
	    >"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		echo "FAIL $name: exit $rc, expected 1"; fail=1; continue
	fi
	want=$(grep -c '^# expect: ' "$f")
	got=$(wc -l <"$out/$name.out")
	if [ "$want" -ne "$got" ]; then
		echo "FAIL $name: $got errors printed, $want expected"
		cat "$out/$name.out"; fail=1; continue
	fi
	ok=1
	grep '^# expect: ' "$f" | sed 's/^# expect: //' >"$out/$name.want"
	while IFS= read -r e; do
		pos=${e%%: *}
		text=${e#*: }
		if ! grep -F -- "$name:$pos: " "$out/$name.out" | grep -qF -- "$text"; then
			echo "FAIL $name: no \"$name:$pos: ...$text\""
			cat "$out/$name.out"; ok=0; fail=1
		fi
	done <"$out/$name.want"
	[ "$ok" -eq 1 ] && echo "ok   $name"
done

if "$outflow" check --ruleset us-28cfr202 --ruleset gdpr-chapter5 \
    --home-country DE >"$out/shipped.out" 2>&1; then
	echo "ok   shipped packs"
else
	echo "FAIL shipped packs:"; cat "$out/shipped.out"; fail=1
fi

# The sample: a high finding (precise location to Alibaba) and none
# critical.
python3 "$gen" "$top/samples/home.scn" -o "$out/home.pcap" || exit 1
"$outflow" audit -q --no-geoip --identities "$top/samples/identities.yaml" \
    --fail-on critical "$out/home.pcap"
rc=$?
[ "$rc" -eq 0 ] && echo "ok   fail_on critical" ||
    { echo "FAIL fail_on critical: exit $rc"; fail=1; }
"$outflow" audit -q --no-geoip --identities "$top/samples/identities.yaml" \
    --fail-on low "$out/home.pcap"
rc=$?
[ "$rc" -eq 3 ] && echo "ok   fail_on low" ||
    { echo "FAIL fail_on low: exit $rc, expected 3"; fail=1; }
"$outflow" audit -q --fail-on severe "$out/home.pcap" 2>"$out/bad.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'fail-on "severe": expected info' "$out/bad.err" &&
    echo "ok   fail_on bad" || { echo "FAIL fail_on bad: exit $rc"; fail=1; }
exit $fail
