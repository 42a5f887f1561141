#!/bin/sh
# Regenerate every expected event file from the current build.
#   tests/e2e/update.sh [BUILDDIR]     (default: build)
# Review the diff before committing: it is what the tests will hold you to.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${1:-$top/build}
ninja -C "$builddir"
UPDATE=1 meson test -C "$builddir" --suite e2e --num-processes 2
