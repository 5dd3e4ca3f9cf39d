#!/usr/bin/env bash
# record.sh - runs the four --run examples of examples/run/README.md with the CLI and records each result
# (table, JSON, CSV, plot) in results/run-<name>.*: xz -T, xargs -P, curl --parallel-max, node's libuv pool.
# Usage: examples/run/record.sh [path/to/tune-pool] [name ...]    (default: build/tune-pool, all four)
# Needs xz-utils, nginx-light + libnginx-mod-http-echo, curl, nodejs (scripts/setup.sh installs all but node).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/tune-pool}
shift || true
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(xz xargs curl node)
tmp=$(mktemp -d)
trap 'TMPDIR=$tmp "$root/examples/run/nginx-delay.sh" stop; rm -rf "$tmp"' EXIT
out=$root/results

# record NAME ARGS...: one run into results/run-NAME.{txt,json,csv,gp,png}.
record() {
  local name=run-$1; shift
  echo "== $name: tune-pool $*" >&2
  "$bin" --output-dir="$tmp/$name" --name="$name" --plot "$@" >"$tmp/$name.txt"
  local rc=$?
  { printf '$ tune-pool'; printf " %q" "$@"; printf '\n# uptime: %s\n\n' "$(uptime)"; cat "$tmp/$name.txt"; } \
    >"$out/$name.txt"
  for ext in json csv gp png; do
    [[ -f $tmp/$name/$name.$ext ]] && cp "$tmp/$name/$name.$ext" "$out/"
  done
  [[ -f $out/$name.gp ]] && sed -i "s|$tmp/$name/||g" "$out/$name.gp"
  echo "   exit $rc; $(grep '^Recommendation' "$out/$name.txt")" >&2
}

for n in "${names[@]}"; do
  case $n in
  xz) # CPU-bound: the pick should come out near m = 1.
    python3 -c 'import random; r = random.Random(1); open("'"$tmp"'/data.txt", "w").write(" ".join(
        "".join(r.choice("abcdefghijklmnop") for _ in range(r.randint(2, 9))) for _ in range(1000000)))'
    record xz --run="xz -T{threads} -0 -c $tmp/data.txt" --max-runs=30 --max-threads=16 ;;
  xargs) # many small IO-bound jobs: the pick well above the cores.
    python3 -c 'open("'"$tmp"'/jobs.txt", "w").write("0.02\n" * 100)'
    record xargs --run="xargs -a $tmp/jobs.txt -P {threads} -n 1 sleep" --no-shell --work=100 \
      --max-runs=30 --max-threads=64 ;;
  curl) # a client pool against a server with a 50 ms delay.
    port=$(TMPDIR=$tmp "$root/examples/run/nginx-delay.sh" start 0.05) || { echo "record.sh: no nginx" >&2; continue; }
    record curl --run="curl -s -o /dev/null --parallel --parallel-max {threads} http://127.0.0.1:$port/delay?[1-200]" \
      --work=200 --max-runs=30 --max-threads=200 ;;
  node) # --env: libuv's pool size from UV_THREADPOOL_SIZE, the rate from node's own output.
    command -v node >/dev/null || { echo "record.sh: no node: skipped" >&2; continue; }
    record node --run="node $root/examples/run/uv_pbkdf2.js 64 20000" --env=UV_THREADPOOL_SIZE \
      --metric='ops/s: ([0-9.]+)' --max-runs=30 --max-threads=32 ;;
  *) echo "record.sh: unknown example '$n' (xz, xargs, curl, node)" >&2; exit 2 ;;
  esac
done
