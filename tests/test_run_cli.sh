#!/usr/bin/env bash
# test_run_cli.sh - tune-pool --run on small shell jobs: success, --env, failures at some sizes, a hang past
# --point-timeout with nothing left running, a missing metric, garbage output, a command not found, and the
# usage errors (exit 2, nothing written). No assertion is about speed.
# Usage: test_run_cli.sh path/to/tune-pool
set -u
bin=${1:?usage: test_run_cli.sh path/to/tune-pool}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$work" || exit 1

# run NAME ARGS...: tune-pool with a small budget into $work/NAME; sets rc and out (stdout + stderr).
run() {
  local name=$1; shift
  out=$("$bin" --cores=2 --quiet --max-runs="${max_runs:-12}" --output-dir="$work/$name" --name="$name" "$@" 2>&1)
  rc=$?
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$work/$1/$1.json" 2>&1; }

# Success: a busy loop that shrinks with {threads}.
run ok --run='i=0; n=$((400 / {threads})); while [ $i -lt $n ]; do i=$((i + 1)); done'
check "success exits 0" test "$rc" -eq 0
check "success writes JSON and CSV" test -s ok/ok.json -a -s ok/ok.csv
check "success: JSON is the race" grep -q '"strategy": "race"' ok/ok.json
check "success: a recommendation" grep -q 'Recommendation' <<<"$out"
check "success: the runs/s column" grep -q 'threads       runs/s' <<<"$out"

# --env: the size comes from the environment only.
run env --run='test -n "$TP_N" && test "$TP_N" -ge 1' --env=TP_N
check "--env exits 0" test "$rc" -eq 0
check "--env: every point ok" bash -c "! grep -q ',failed,' env/env.csv"

# Failure at some thread counts: points above 4 threads fail, the search goes on.
run part --run='test {threads} -le 4'
check "failing sizes: exit 0 (the others were measured)" test "$rc" -eq 0
check "failing sizes: reported failed" grep -q 'failed' <<<"$out"

# All points failing: exit 1, JSON still written.
run allfail --run='echo boom >&2; exit 3 # {threads}'
check "all failing: exit 1" test "$rc" -eq 1
check "all failing: JSON written" test -s allfail/allfail.json

# A command not found: each point fails (through the shell: exit 127).
run nocmd --run='tp_no_such_command_xyz {threads}'
check "command not found: exit 1" test "$rc" -eq 1
run nocmd2 --no-shell --run='tp_no_such_command_xyz {threads}'
check "command not found (--no-shell): exit 1" test "$rc" -eq 1

# A hang past --point-timeout: killed with its whole group, nothing left behind.
marker="tp_hang_marker_$$"
max_runs=3 run hang --run="sh -c 'sleep 30; : $marker' {threads}" --point-timeout=300ms --warmup=0
check "hang: exit 1 (every point timed out)" test "$rc" -eq 1
sleep 0.3
left=$(pgrep -f "sleep 30; : $marker" | grep -vx "$$" || true)
check "hang: no process left behind" test -z "$left"

# A missing metric and garbage output fail the points.
run nometric --run='echo nothing here {threads}' --metric='rate: ([0-9.]+)'
check "missing metric: exit 1" test "$rc" -eq 1
run garbage --run='head -c 200 /dev/urandom; echo {threads}' --metric='rate: ([0-9.]+)'
check "garbage output: exit 1" test "$rc" -eq 1
# A metric that is there: taken from the output.
run metric --run='echo "rate: $((100 * {threads}))"' --metric='rate: ([0-9.]+)'
check "metric: exit 0" test "$rc" -eq 0

# Downstream as for the built-in workloads: the table says what a run counts, --from reads the program back,
# --plot draws it, --emit describes it.
check "table: the metric column" grep -q ' metric  ' <<<"$out"
check "table: the program, not a workload" grep -q 'program: echo' <<<"$out"
from=$("$bin" --from="$work/metric/metric.json" 2>&1)
check "--from a --run: exit 0" test $? -eq 0
check "--from a --run: the program's lines" grep -q 'Your program (through /bin/sh -c): echo' <<<"$from"
check "--from a --run: the metric column" grep -q ' metric ' <<<"$from"
check "--from a --run: same pick" test "$(grep '^Recommendation' <<<"$from")" = "$(grep '^Recommendation' <<<"$out")"
emit=$("$bin" --from="$work/metric/metric.json" --emit=cmake 2>&1)
check "--emit from a --run: the program" grep -q 'TUNEPOOL_WORKLOAD "program"' <<<"$emit"
if command -v gnuplot >/dev/null; then
  run plot --run='i=0; n=$((300 / {threads})); while [ $i -lt $n ]; do i=$((i + 1)); done' --plot
  check "--plot with --run: exit 0" test "$rc" -eq 0
  check "--plot with --run: a PNG" test -s plot/plot.png
  check "--plot with --run: the runs/s axis" grep -q 'throughput (runs/s)' plot/plot.gp
fi
# A make-like job gains ninja's rule (cores + 2), measured by the race.
printf 'all:\n\t@true\n' >Makefile
max_runs=30 run make --run='make -s -j{threads} -f Makefile'
check "make: exit 0" test "$rc" -eq 0
check "make: ninja's rule row" grep -q "cores + 2 (ninja's default -j)" <<<"$out"
check "make: ninja's row in the JSON" test "$(json make "[r['key'] for r in d['rules']][-1]")" = ninja
check "make: --from keeps the row" grep -q "ninja's default" <<<"$("$bin" --from="$work/make/make.json" 2>&1)"

# Usage errors: exit 2, nothing written.
usage() {
  local what=$1; shift
  run usage "$@"
  check "usage error ($what): exit 2" test "$rc" -eq 2
  check "usage error ($what): nothing written" test ! -e usage
}
usage "no placeholder, no --env" --run=true
usage "bad regex" --run='echo {threads}' --metric='([0-9'
usage "regex without a group" --run='echo {threads}' --metric='[0-9]+'
usage "--workload" --run='echo {threads}' --workload=cpu
usage "--latency" --run='echo {threads}' --latency=1ms
usage "--env without --run" --env=X
usage "--metric-lower without --run" --metric-lower
usage "--online" --run='echo {threads}' --online
usage "bad env name" --run=true --env='1X'
usage "unterminated quote (--no-shell)" --no-shell --run="echo '{threads}"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
