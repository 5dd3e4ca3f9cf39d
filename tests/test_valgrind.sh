#!/usr/bin/env bash
# test_valgrind.sh - tiny real CLI runs under valgrind memcheck: zero errors, no definite or indirect leaks.
# Children: the forked point processes and the net workload's server stay under valgrind (a fork does not
# leave it), so their reads and writes are checked and their leak check runs at their _exit; exec'd
# programs (gnuplot for --plot) are not ours and are not traced (--trace-children=no).
# "Still reachable" and "possibly lost" blocks are not errors: a point's child _exits by design without
# freeing what the parent built before the fork.
set -u
bin=${1:?usage: test_valgrind.sh path/to/tune-pool}
if ! command -v valgrind >/dev/null; then
  echo "skip: valgrind is not installed (apt-get install valgrind)"
  exit 0
fi
if grep -aq -e __asan_init -e __tsan_init "$bin"; then
  echo "skip: $bin is a sanitizer build; valgrind checks the plain build"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HWLOC_COMPONENTS=-x86 # hwloc's x86 backend cannot run under valgrind (it says so, then falls back)
pass=0
fail=0
vg() { # name expected-exit args...
  local name=$1 want=$2; shift 2
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --error-exitcode=99 --trace-children=no --log-file="$work/vg.%p.log" "$bin" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local logs; logs=$(cat "$work"/vg.*.log 2>/dev/null)
  if [[ $rc -eq $want && -z $logs ]]; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name (exit $rc, wanted $want)"
    sed 's/^/     | /' <<<"$logs"; tail -5 "$work/err" | sed 's/^/     | /'
  fi
  rm -f "$work"/vg.*.log
}
tiny=(--cores=2 --repeat=2 --tasks=50)
vg "io sweep, files written" 0 --workload=io --latency=1ms --compute=20us --multipliers=1,2 "${tiny[@]}" \
  --output-dir="$work/res" --name=v
vg "adaptive cpu sweep" 0 --workload=cpu --compute=20us --max-threads=4 "${tiny[@]}" --no-save --format=json
vg "net sweep (server child)" 0 --workload=net --server-delay=200us --multipliers=1 "${tiny[@]}" --no-save
vg "file sweep" 0 --workload=file --file-size=1M --multipliers=1 "${tiny[@]}" --no-save --file-dir="$work"
vg "--from, table" 0 --from="$work/res/v.json"
vg "--from, markdown" 0 --from="$work/res/v.json" --format=markdown
vg "--from, emit cmake" 0 --from="$work/res/v.json" --emit=cmake
vg "compare" 0 compare "$work/res/v.json" "$work/res/v.json"
vg "usage error" 2 --multipliers=1,1
vg "not our results file" 2 --from=/etc/hostname
vg "an impossible --max-p99" 1 --workload=io --latency=1ms --compute=20us --multipliers=1 "${tiny[@]}" \
  --max-p99=1us --no-save
vg "online: the controller thread resizing a pool" 0 --online --no-offline --phases=1ms,3ms --phase-time=1s \
  --compute=20us --max-threads=32 --output-dir="$work/res" --name=on --quiet
vg "online: the per-phase sweeps" 0 --online --phases=1ms --phase-time=500ms --compute=20us --max-threads=8 \
  --multipliers=1,2 "${tiny[@]}" --no-save
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
