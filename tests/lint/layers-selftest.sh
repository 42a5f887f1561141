#!/bin/sh
# Self-test for layers.sh: copy daemon/ and include/ to a scratch tree,
# plant one violation at a time and check that the lint fails and names it.
# Usage: layers-selftest.sh [TOP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${1:-$(cd "$here/../.." && pwd)}
lint=$here/layers.sh
allow=$here/layers-allow.txt

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

fresh() {
	rm -rf "$tmp/tree"
	mkdir "$tmp/tree"
	cp -R "$top/daemon" "$top/include" "$tmp/tree/"
}

# plant FILE LINE: add LINE after the first #include in FILE; prints the
# line number it landed on.
plant() {
	awk -v add="$2" '
		{ print }
		!done && /^#include/ { print add; done = 1; n = NR + 1 }
		END { print n > "/dev/stderr" }' "$tmp/tree/$1" \
	    >"$tmp/planted" 2>"$tmp/lineno"
	mv "$tmp/planted" "$tmp/tree/$1"
	cat "$tmp/lineno"
}

# expect NAME STATUS PATTERN [ALLOWLIST]: run the lint on the scratch tree;
# it must exit STATUS and print a line matching PATTERN (fixed string).
expect() {
	name=$1 want=$2 pattern=$3
	sh "$lint" -a "${4:-$allow}" "$tmp/tree" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ] || ! grep -qF -- "$pattern" "$tmp/out"; then
		echo "not ok - $name (exit $got, want $want; want a line with: $pattern)"
		sed 's/^/#   /' "$tmp/out"
		fail=1
	else
		echo "ok - $name"
	fi
}

fresh
expect "tree as it is passes" 0 "files follow the stage order"

fresh
n=$(plant daemon/core/flow.c '#include "eve.h"')
expect "early stage including an output header" 1 \
    "layers: daemon/core/flow.c:$n: includes eve.h (stage output, above core)"

fresh
n=$(plant daemon/enrich/apps.c '#include "pii_int.h"')
expect "stage-private header from another stage" 1 \
    "layers: daemon/enrich/apps.c:$n: includes pii_int.h (private to daemon/detect/)"

fresh
n=$(plant include/flow.h '#include "pii_int.h"')
expect "stage-private header from include/" 1 \
    "layers: include/flow.h:$n: includes pii_int.h (private to daemon/detect/)"

fresh
n=$(plant include/decode.h '#include "enrich.h"')
expect "public header including a later stage's" 1 \
    "layers: include/decode.h:$n: includes enrich.h (stage enrich, above core)"

fresh
n=$(plant include/pkt.h '#include "flow.h"')
expect "shared type header including a stage header" 1 \
    "layers: include/pkt.h:$n: includes flow.h (stage core, above shared)"

fresh
n=$(plant daemon/proto/proto_tls.c '#include "dns_cache.h"')
expect "parser header found through proto_X.c; enrich above proto" 1 \
    "layers: daemon/proto/proto_tls.c:$n: includes dns_cache.h (stage enrich, above proto)"

fresh
n=$(plant daemon/enrich/enrich.c '#include "dns.h"')
expect "later stage including an earlier one is fine" 0 \
    "files follow the stage order"

fresh
expect "allowlisted violations are reported without it" 1 \
    "includes flow.h (stage core, above shared)" /dev/null

fresh
cp "$allow" "$tmp/allow"
echo "daemon/core/flow.c eve.h  # planted" >>"$tmp/allow"
expect "stale allowlist entry fails" 1 \
    'stale allowlist entry "daemon/core/flow.c eve.h"' "$tmp/allow"

fresh
mkdir "$tmp/tree/daemon/extra"
expect "unranked stage folder fails" 1 \
    "daemon/extra/: stage folder not ranked"

[ "$fail" -eq 0 ] && echo "layers-selftest: all passed"
exit "$fail"
