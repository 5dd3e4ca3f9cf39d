#!/usr/bin/env bash
# test_integration.sh - build integration through the real binary: each --emit snippet parsed by its own tool
# (cmake -P, make, the C compiler, sh), --from, compare, --plot, --format, and the progress line.
set -u
bin=${1:?usage: test_integration.sh path/to/tune-pool [cc]}
cc=${2:-cc}
[[ $bin == /* ]] || bin="$PWD/$bin"
here=$(cd "$(dirname "$0")" && pwd)
fixture="$here/fixtures/results-small.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
. "$here/lib.sh"

# The fixture's recommendation, read by CMake's own JSON parser.
cat >expect.cmake <<'CM'
file(READ "${doc}" text)
string(JSON t GET "${text}" recommendation threads)
message("${t}")
CM
expect=$(cmake -Ddoc="$fixture" -P expect.cmake 2>&1)
check "the fixture has a recommendation" test -n "$expect"

# ---- emitters: each snippet parsed by its own tool -------------------------
"$bin" --from="$fixture" --emit=cmake >tp.cmake; rc=$?
check "emit cmake exits 0" test "$rc" -eq 0
cat >use.cmake <<'CM'
include("${snippet}")
foreach(v TUNEPOOL_THREADS TUNEPOOL_MULTIPLIER TUNEPOOL_CORES TUNEPOOL_WORKLOAD TUNEPOOL_VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "${v} is not set")
  endif()
endforeach()
math(EXPR twice "${TUNEPOOL_THREADS} * 2")
message("${TUNEPOOL_THREADS} ${TUNEPOOL_CORES} ${TUNEPOOL_WORKLOAD} ${twice}")
CM
out=$(cmake -Dsnippet="$work/tp.cmake" -P use.cmake 2>&1); rc=$?
check "cmake -P includes the cmake snippet" test "$rc" -eq 0
check "cmake snippet: TUNEPOOL_THREADS is the pick" grep -q "^$expect 2 io " <<<"$out"

"$bin" --from="$fixture" --emit=make >tp.mk
printf 'include tp.mk\nall:\n\t@echo "$(TUNEPOOL_THREADS) $(TUNEPOOL_MULTIPLIER) $(TUNEPOOL_CORES) $(TUNEPOOL_WORKLOAD) $(TUNEPOOL_VERSION)"\n' >Makefile
out=$(make -s -f Makefile 2>&1); rc=$?
check "make includes the make snippet" test "$rc" -eq 0
check "make snippet: TUNEPOOL_THREADS is the pick" grep -q "^$expect [0-9.]* 2 io [0-9]" <<<"$out"

"$bin" --from="$fixture" --emit=header >tunepool_config.h
cat >use.c <<'C'
#include <stdio.h>
#include "tunepool_config.h"
#include "tunepool_config.h" /* guarded: a second include is harmless */
_Static_assert(TUNEPOOL_THREADS > 0, "threads");
int main(void)
{
    double m = TUNEPOOL_MULTIPLIER;
    printf("%d %g %d %s %s\n", TUNEPOOL_THREADS, m, TUNEPOOL_CORES, TUNEPOOL_WORKLOAD, TUNEPOOL_VERSION);
    return 0;
}
C
out=$("$cc" -std=c17 -Wall -Wextra -Werror -o use use.c 2>&1); rc=$?
check "the C compiler takes the header (-Wall -Wextra -Werror)" test "$rc" -eq 0
out=$(./use 2>&1)
check "header: TUNEPOOL_THREADS is the pick" grep -q "^$expect [0-9.]* 2 io [0-9]" <<<"$out"

"$bin" --from="$fixture" --emit=env >tp.env
out=$(sh -c 'set -eu; set -a; . ./tp.env; set +a; sh -c "echo \$TUNEPOOL_THREADS \$TUNEPOOL_CORES \$TUNEPOOL_WORKLOAD \$TUNEPOOL_VERSION"' 2>&1); rc=$?
check "sh sources the env snippet" test "$rc" -eq 0
check "env: TUNEPOOL_THREADS is the pick (exported with set -a)" grep -q "^$expect 2 io [0-9]" <<<"$out"
out=$(sh -n tp.env 2>&1); check "sh -n accepts the env snippet" test $? -eq 0

"$bin" --from="$fixture" --emit=json >tp.json
cat >json.cmake <<'CM'
file(READ "${doc}" text)
string(JSON t GET "${text}" threads)
string(JSON c GET "${text}" cores)
string(JSON tool GET "${text}" tool)
message("${t} ${c} ${tool}")
CM
out=$(cmake -Ddoc="$work/tp.json" -P json.cmake 2>&1); rc=$?
check "a JSON parser reads the json snippet" test "$rc" -eq 0
check "json: threads is the pick" grep -q "^$expect 2 tune-pool$" <<<"$out"
if command -v python3 >/dev/null; then
  out=$(python3 -c 'import json,sys; d=json.load(open("tp.json")); print(d["threads"], d["multiplier"], d["workload"])' 2>&1)
  check "python's json reads the json snippet" grep -q "^$expect " <<<"$out"
fi

# ---- --from: usage conflicts and foreign files ----------------------------
usage2() { # name, args...
  local name=$1; shift
  out=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  if [[ $rc -eq 2 ]] && grep -q "^tune-pool: " <<<"$out" && grep -q "Try 'tune-pool --help'" <<<"$out"; then
    ok "$name"; else no "$name (rc=$rc)" "$out"; fi
}
usage2 "--from with --workload is a usage conflict" --from="$fixture" --workload=cpu
usage2 "--from with --multipliers is a usage conflict" --from="$fixture" --multipliers=1,2
usage2 "--emit with --format is a usage conflict" --from="$fixture" --emit=cmake --format=json
usage2 "--emit=yaml is unknown" --from="$fixture" --emit=yaml
usage2 "--plot-format=gif is unknown" --from="$fixture" --plot-format=gif
usage2 "--from a missing file" --from="$work/none.json"
echo '{"tool": "hyperfine", "schema": 1}' >foreign.json
usage2 "--from another tool's JSON" --from=foreign.json --emit=cmake
check "the foreign file is named as not ours" grep -q "not a tune-pool results" <<<"$out"
printf 'multiplier,threads\n1,2\n' >x.csv
usage2 "--from a CSV" --from=x.csv

# A run where every point failed: nothing to emit, exit 1, nothing on stdout.
cat >failed.json <<'J'
{"tool": "tune-pool", "schema": 1, "version": "0.1.0", "topology": {"effective_cores": 2},
 "workload": {"name": "io", "latency_ns": 1000000, "compute_ns": 10000},
 "sweep": {"cores": 2, "repeat": 3},
 "points": [{"multiplier": 1, "threads": 2, "status": "failed", "reason": "Resource temporarily unavailable", "reps": []}],
 "recommendation": null}
J
out=$("$bin" --from=failed.json --emit=cmake 2>err); rc=$?
check "emit without a recommendation exits 1" test "$rc" -eq 1
check "emit without a recommendation prints nothing on stdout" test -z "$out"
out=$(cat err)
check "emit without a recommendation says so" grep -q "no recommendation" <<<"$out"

# ---- --format from --from --------------------------------------------------
for f in table csv json markdown; do
  out=$("$bin" --from="$fixture" --format=$f 2>&1); rc=$?
  check "--from --format=$f exits 0" test "$rc" -eq 0
done
out=$("$bin" --from="$fixture" --format=csv)
check "--format=csv has the header" grep -q "^multiplier,threads" <<<"$out"
out=$("$bin" --from="$fixture" --format=json)
check "--format=json is a results document" grep -q '"tool": "tune-pool"' <<<"$out"
out=$("$bin" --from="$fixture" --format=markdown)
check "--format=markdown has a table" grep -q "^|" <<<"$out"

# ---- compare ---------------------------------------------------------------
out=$("$bin" compare "$fixture" "$fixture" 2>&1); rc=$?
check "compare exits 0" test "$rc" -eq 0
check "compare shows both files" grep -q "A: .*B: " <<<"$out"
check "compare shows B/A of each m" grep -q "B/A" <<<"$out"
check "compare of a run with itself gives 1.00" grep -q "1.00 \[" <<<"$out"
out=$("$bin" compare --format=markdown "$fixture" "$fixture" 2>&1)
check "compare --format=markdown" grep -q "^| m " <<<"$out"
usage2 "compare needs two files" compare "$fixture"
usage2 "compare refuses a foreign file" compare "$fixture" foreign.json

# ---- --plot ----------------------------------------------------------------
if command -v gnuplot >/dev/null; then
  mkdir -p p
  out=$("$bin" --from="$fixture" --plot="$work/p/fx.png" 2>&1); rc=$?
  check "--from --plot=FILE exits 0" test "$rc" -eq 0
  check "--plot writes a PNG" test "$(head -c 8 p/fx.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a"
  check "--plot writes the script next to it" grep -q "EOD" p/fx.gp
  check "the script re-renders by hand" gnuplot -e "tp_output='$work/p/again.png'" p/fx.gp
  out=$("$bin" --from="$fixture" --plot="$work/p/fx.svg" 2>&1)
  check "--plot=FILE.svg writes an SVG" grep -q "<svg" p/fx.svg
  cp "$fixture" p/copy.json
  out=$("$bin" --from=p/copy.json --plot 2>&1); rc=$?
  check "--from X.json --plot defaults to X.png" test -s p/copy.png
  # scripts/plot.gp on a CSV written by a real run.
  "$bin" --from="$fixture" --format=csv >p/fx.csv
  out=$(gnuplot -e "csv='$work/p/fx.csv'" "$here/../scripts/plot.gp" 2>&1); rc=$?
  check "scripts/plot.gp renders a results CSV" test "$rc" -eq 0
  check "scripts/plot.gp wrote a PNG" test "$(head -c 4 p/fx.png | od -An -tx1 | tr -d ' \n')" = "89504e47"
fi

# A tiny real sweep with --plot, and without gnuplot: exit 1, the package named, results still written.
out=$(env PATH=/nonexistent "$bin" --workload=io --latency=1ms --compute=20us --multipliers=1,2 --repeat=2 \
      --tasks=40 --output-dir="$work/nognu" --name=n --plot 2>&1 >/dev/null); rc=$?
check "--plot without gnuplot exits 1" test "$rc" -eq 1
check "--plot without gnuplot names gnuplot-nox" grep -q "gnuplot-nox" <<<"$out"
check "--plot without gnuplot still writes the JSON" test -s nognu/n.json
check "--plot without gnuplot still writes the CSV" test -s nognu/n.csv

# --emit during a measurement: stdout is the snippet alone, the results files are written too.
out=$("$bin" --workload=io --latency=1ms --compute=20us --multipliers=1,2 --repeat=2 --tasks=40 \
      --output-dir="$work/em" --name=e --emit=env 2>"$work/em.err"); rc=$?
check "--emit while measuring exits 0" test "$rc" -eq 0
check "--emit while measuring prints only the snippet" test "$(grep -cv '^#\|^TUNEPOOL_' <<<"$out")" -eq 0
check "--emit while measuring still writes the JSON" test -s em/e.json

# ---- progress ---------------------------------------------------------------
# Not a terminal: one plain line per finished point, with the time left.
err=$(cat "$work/em.err")
out=$err
check "progress (not a tty): a line per point" test "$(grep -c '^tune-pool: \[[0-9]*/[0-9]*\] m = ' <<<"$err")" -ge 2
check "progress (not a tty): no carriage returns" test "$(tr -cd '\r' <<<"$err" | wc -c)" -eq 0
check "progress (not a tty): time left" grep -q "left" <<<"$err"
# A terminal (script(1) gives it a pty): the status line with elapsed and time left, redrawn with \r.
if command -v script >/dev/null; then
  script -qfec "'$bin' --workload=io --latency=1ms --compute=20us --multipliers=1,2,4 --repeat=3 --rep-time=100ms --no-save --format=csv" \
    "$work/tty.log" >/dev/null 2>&1 </dev/null
  out=$(tr '\r' '\n' <"$work/tty.log")
  check "progress (tty): the status line shows elapsed" grep -q "elapsed" <<<"$out"
  check "progress (tty): the status line shows the time left" grep -Eq "left|estimating" <<<"$out"
  check "progress (tty): the status line shows the repetition" grep -Eq "rep [1-3]/3" <<<"$out"
  check "progress (tty): redrawn in place" test "$(tr -cd '\r' <"$work/tty.log" | wc -c)" -ge 3
  script -qfec "'$bin' --workload=io --latency=1ms --compute=20us --multipliers=1 --repeat=2 --tasks=40 --no-save --quiet --format=csv" \
    "$work/q.log" >/dev/null 2>&1 </dev/null
  out=$(cat "$work/q.log")
  check "--quiet: no progress on a terminal" test "$(grep -c "elapsed" <<<"$out")" -eq 0
fi

# --help documents the new options.
out=$("$bin" --help)
for opt in --emit --from --plot --plot-format compare TUNEPOOL_THREADS; do
  check "help lists $opt" grep -q -- "$opt" <<<"$out"
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
