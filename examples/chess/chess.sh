#!/usr/bin/env bash
# chess.sh - the seed's exhibition on one core: one table at a time, a pool of 24 threads, one
# event loop with 24 games in flight; compute : wait = 5 : 55, scaled from seconds to milliseconds.
# Usage: examples/chess/chess.sh [path/to/tune-pool]   (see examples/chess/README.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/tune-pool}
command -v python3 >/dev/null || { echo "chess.sh: needs python3" >&2; exit 1; }
command -v taskset >/dev/null || { echo "chess.sh: needs taskset (package util-linux)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One core, really: pinned to CPU 0 and --cores=1. The master's move = 5 ms of CPU (compute);
# the opponent's = 55 ms of waiting (a timer). Pool m = 1 (one table at a time) and m = 24;
# the event loop with 24 tables in flight. 96 moves per repetition (4 rounds of 24 tables).
taskset -c 0 "$bin" --cores=1 --workload=io --compute=5ms --latency=55ms \
  --multipliers=1,24 --executor=both --inflight=24 --repeat=3 --tasks=96 \
  --output-dir="$out" --name=chess --quiet >/dev/null

python3 - "$out/chess.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pts = {p["threads"]: p for p in d["points"] if p["status"] == "ok"}
loop = d["async"]["recommendation"]
def t(p): return p["throughput"]
one, pool = t(pts[1]), t(pts[24])
ev = loop["throughput"]
print("The seed's arithmetic: 24 games x 30 moves x 60 s = 12 h one game at a time;")
print("  30 moves x (24 x 5 s) = 1 h moving from table to table: 12x (the master's 5 s is the bottleneck).")
print("Measured on one core (5 ms : 55 ms), moves per second [95% interval]:")
for name, x, th in (("one table at a time (1 thread)", one, 1),
                    ("pool of 24 threads", pool, 24),
                    ("event loop, 24 tables in flight", ev, 1)):
    print("  %-34s %3d thread%s %7.1f [%.1f, %.1f]   %5.2fx one table" % (
        name, th, " " if th == 1 else "s", x["median"], x["ci_lo"], x["ci_hi"], x["median"] / one["median"]))
print("  predicted: one table 1/60 ms = 16.7/s; 24 tables: min(24/60 ms, 1/5 ms) = 200/s: 12x")
print("  event loop / pool = %.2fx" % (ev["median"] / pool["median"]))
PY
