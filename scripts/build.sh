#!/usr/bin/env bash
# build.sh - configures and builds tune-pool into a build directory: build.sh [DIR [cmake args...]].
# TP_BUILD_TARGETS (space-separated) builds only those targets; by default, everything.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
targets=()
for t in ${TP_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >/dev/null
