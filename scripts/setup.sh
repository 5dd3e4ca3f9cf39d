#!/usr/bin/env bash
# setup.sh - installs the Debian 12 packages tune-pool needs to build and test, only those missing
# (--bench: and the peers the benchmarks measure against).
set -euo pipefail

packages=(
  gcc make cmake pkg-config          # toolchain (gcc brings ASan/UBSan/TSan runtimes)
  git                                # tests/check_format.sh lists the tracked C files
  dpkg-dev man-db                    # cpack -G DEB (dpkg-shlibdeps), man -w in tests/test_package.sh
  libhwloc-dev                       # topology
  libjansson-dev                     # JSON results
  libcriterion-dev                   # unit tests
  procps util-linux                  # pgrep, taskset (CLI tests)
  gnuplot-nox                        # --plot and scripts/plot.gp
  help2man                           # the man page, from --help
  valgrind                           # memcheck of tiny CLI runs (tests/test_valgrind.sh)
  clang libclang-rt-14-dev           # libFuzzer targets (tests/fuzz/run.sh)
  clang-format                       # tests/check_format.sh
  python3 python3-jsonschema         # tests/check_layout.py, tests/check_schema.py
  libcurl4-openssl-dev curl          # the http workload (libcurl); curl in tests and examples
  libpq-dev postgresql-15            # the pg workload (libpq); a throwaway cluster in the tests
  bash-completion zsh                # tests/test_completion.sh (both generated completions)
  nginx-light libnginx-mod-http-echo # a local HTTP server with delayed endpoints (tests/servers/servers.sh)
  xz-utils                           # examples/run: xz -T
  ansible-core                       # scripts/fleet/playbook.yml, run for real by tests/test_fleet.sh
)
# scripts/setup.sh --bench: also the peers the benchmarks measure against.
if [[ ${1:-} == --bench ]]; then
  packages+=(libglib2.0-dev libuv1-dev cthreadpool-dev hyperfine wrk
             time bc   # scripts/bench-merge: /usr/bin/time's max RSS, bc
             nodejs)   # examples/run/record.sh: node's libuv pool (UV_THREADPOOL_SIZE)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "setup.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
