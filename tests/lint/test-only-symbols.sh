#!/bin/sh
# test-only-symbols.sh BINARY [TESTLIB...] - code that only tests and
# fuzz targets use stays out of the outflow binary (tests/support/, and
# the OUTFLOW_TESTING sections compiled into core_test_lib only).
#
# Fails if BINARY defines any symbol listed below.  Each TESTLIB (the
# test support library, the tests' core) is searched too: every listed
# symbol must be defined in one of them, so a renamed function cannot
# leave a stale name here that proves nothing.
set -u

# The one list: every test-only function, by where it lives.
symbols='
quic_build_initial		tests/support/quic_build.c
capture_open_memory		tests/support/capture_memory.c
pii_ac_test_sizes		daemon/detect/pii_ac.c (OUTFLOW_TESTING)
pii_text_pairs_every_byte	daemon/detect/pii_struct.c (OUTFLOW_TESTING)
store_sql_test_step		daemon/store/store_sql.c (OUTFLOW_TESTING)
'

[ $# -ge 1 ] || { echo "usage: $0 BINARY [TESTLIB...]" >&2; exit 2; }
bin=$1
shift
NM=${NM:-nm}

# Defined global symbols, one name a line.
defined() {
	"$NM" --defined-only -g "$1" 2>/dev/null | awk 'NF >= 3 { print $3 }'
}

bin_syms=$(defined "$bin")
if [ -z "$bin_syms" ]; then
	echo "test-only-symbols: $bin has no symbol table (stripped?)" >&2
	exit 77
fi
lib_syms=''
for l in "$@"; do
	lib_syms="$lib_syms
$(defined "$l")"
done

fail=0
names=$(echo "$symbols" | awk 'NF { print $1 }')
for s in $names; do
	where=$(echo "$symbols" | awk -v s="$s" '$1 == s { $1 = ""; sub(/^ +/, ""); print }')
	if echo "$bin_syms" | grep -qx "$s"; then
		echo "test-only-symbols: $bin defines $s ($where): test-only code in the binary"
		fail=1
	fi
	if [ $# -gt 0 ] && ! echo "$lib_syms" | grep -qx "$s"; then
		echo "test-only-symbols: no test library defines $s: stale entry?"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "test-only-symbols: none of $(echo $names) in $bin"
exit $fail
