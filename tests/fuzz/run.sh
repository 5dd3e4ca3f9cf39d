#!/usr/bin/env bash
# run.sh - a short, bounded libFuzzer run of every fuzz target: run.sh [BUILD_DIR [SECONDS_PER_TARGET]].
# Builds the targets with clang (TP_FUZZ=ON), fuzzes each from a scratch copy of its seed corpus
# (tests/fuzz/corpus/<target>/ is not changed), prints executions, coverage and time, and fails on a crash:
# the crashing input is kept in BUILD_DIR/fuzz-crashes/ to add to the corpus once fixed.
set -uo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-build-fuzz}
secs=${2:-20}
targets=(values args results)
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if ! command -v clang >/dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
     clang -x c -fsanitize=fuzzer,address,undefined - -o "$probe/probe" 2>/dev/null; then
  echo "fuzz: skipped: clang with libFuzzer is not installed (apt-get install clang libclang-rt-14-dev)"
  exit 0
fi
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DTP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null || exit 1
mkdir -p "$dir/fuzz-crashes"
status=0
for t in "${targets[@]}"; do
  work="$probe/$t"
  mkdir -p "$work"
  cp tests/fuzz/corpus/"$t"/* "$work"/
  log="$dir/fuzz-$t.log"
  timeout $((secs + 60)) "$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$dir/fuzz-crashes/$t-" "$work" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  corp=$(ls "$work" | wc -l)
  if [[ $rc -eq 0 ]]; then
    echo "fuzz: $t: ok: ${execs:-?} executions in ${secs} s, ${cov:-cov: ?} edges, corpus ${corp} inputs"
  else
    status=1
    echo "fuzz: $t: FAILED (exit $rc); input kept in $dir/fuzz-crashes/; log $log:"
    grep -A30 -m1 -E '^==[0-9]+==ERROR|runtime error|deadly signal|timeout' "$log" | sed 's/^/     | /'
  fi
done
exit $status
