#!/usr/bin/env bash
# build.sh - configures and builds tune-pool into a build directory: build.sh [DIR [cmake args...]].
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
