#!/bin/sh
# Configure (once) and build outflow in BUILDDIR (default: build).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/build}
shift 2>/dev/null || true
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "$top" "$@"
fi
ninja -C "$builddir"
