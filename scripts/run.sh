#!/usr/bin/env bash
# run.sh - sets up, builds and runs tune-pool with the given options, e.g. run.sh --workload=io.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/setup.sh"
bash "$here/build.sh" build
cd "$here/.."
exec build/tune-pool "$@"
