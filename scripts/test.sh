#!/usr/bin/env bash
# test.sh - sets up, then runs the whole suite: the unit, CLI and stress tests in a plain build, again
# under AddressSanitizer + UndefinedBehaviorSanitizer, and the thread stress tests under ThreadSanitizer.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
bash scripts/setup.sh || exit 1

status=0
step() { echo; echo "== $* =="; }
# The tests run two at a time (one per core of the CI machine): most of them wait on sleeps, servers and
# children, and none asserts on speed, so they share the cores without changing a verdict.
jobs=${TP_TEST_JOBS:-$(nproc)}
run_ctest() { # dir [ctest args]
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "$jobs" "$@" || status=1
}

step "plain build"
bash scripts/build.sh build || exit 1
run_ctest build

step "AddressSanitizer + UndefinedBehaviorSanitizer"
bash scripts/build.sh build-asan -DTP_SANITIZER=address,undefined || exit 1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp run_ctest build-asan

step "ThreadSanitizer (plain programs: Criterion cannot run under TSan)"
# Only what this step runs: the executable and the stress programs (the Criterion tests are not run here).
TP_BUILD_TARGETS="tune-pool stress_pool stress_resize" bash scripts/build.sh build-tsan -DTP_SANITIZER=thread || exit 1
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_ctest build-tsan -R '^(stress_|tsan_)'

step "Fuzzing (libFuzzer + ASan + UBSan, ${TP_FUZZ_SECONDS:-20} s per target; skipped without clang)"
bash tests/fuzz/run.sh build-fuzz "${TP_FUZZ_SECONDS:-20}" || status=1

echo
if [[ $status -eq 0 ]]; then echo "test.sh: all suites passed"; else echo "test.sh: FAILED"; fi
exit $status
