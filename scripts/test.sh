#!/bin/sh
# The README's second command: install what the tests need, then build and
# run the whole suite twice (gcc with -Werror; clang with AddressSanitizer
# and UndefinedBehaviorSanitizer), then run every fuzz target briefly.
# Ends with one line "N passed, N failed" and exits non-zero on any failure.
#
#   FUZZ_SECONDS  seconds per fuzz target (default 20; 0 skips fuzzing)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fuzz_seconds=${FUZZ_SECONDS:-20}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

sh scripts/install-deps.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

# run_suite NAME BUILDDIR [meson options...]
run_suite() {
	name=$1 dir=$2
	shift 2
	echo "== $name"
	rm -rf "$dir"
	if ! meson setup "$dir" "$top" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 ||
	    ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		cat "$dir.setup.log" "$dir.build.log" 2>/dev/null | tail -40
		echo "build $name FAIL" >>"$results"
		return
	fi
	echo "build $name OK" >>"$results"
	meson test -C "$dir" --print-errorlogs --num-processes 2 || true
	python3 - "$dir/meson-logs/testlog.json" "$name" >>"$results" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(f"test {sys.argv[2]}/{t['name']} {t['result']}")
PY
}

# The README's first command must build with the build packages alone.
echo "== build with the build packages only"
if sh scripts/check-build-deps.sh build-deps >build-deps.log 2>&1; then
	echo "check build-deps OK" >>"$results"
else
	tail -30 build-deps.log
	echo "check build-deps FAIL" >>"$results"
fi

run_suite "gcc" build-ci
CC=clang run_suite "asan+ubsan" build-asan \
    -Db_sanitize=address,undefined -Db_lundef=false

if [ "$fuzz_seconds" -gt 0 ]; then
	echo "== fuzz ($fuzz_seconds s per target)"
	rm -rf build-fuzz
	if CC=clang meson setup build-fuzz "$top" -Dfuzzing=true \
	    -Db_sanitize=address,undefined -Db_lundef=false >build-fuzz.setup.log 2>&1 &&
	    ninja -C build-fuzz >build-fuzz.build.log 2>&1; then
		for f in build-fuzz/tests/fuzz/fuzz_*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			t=$(basename "$f" | sed 's/^fuzz_//')
			work=$(mktemp -d)
			cp -r "tests/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
			if "$f" -max_total_time="$fuzz_seconds" -timeout=10 \
			    -rss_limit_mb=2048 -print_final_stats=0 \
			    -artifact_prefix="build-fuzz/$t-" "$work" \
			    >"build-fuzz/$t.log" 2>&1; then
				echo "fuzz $t OK" >>"$results"
			else
				echo "fuzz $t FAIL" >>"$results"
				tail -30 "build-fuzz/$t.log"
			fi
			rm -rf "$work"
		done
	else
		tail -40 build-fuzz.setup.log build-fuzz.build.log
		echo "build fuzz FAIL" >>"$results"
	fi
fi

python3 - "$results" <<'PY'
import sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    parts = line.split()
    kind, name, result = parts[0], " ".join(parts[1:-1]), parts[-1]
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
        print(f"FAILED: {kind} {name} ({result})")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
