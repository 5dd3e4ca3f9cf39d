#!/usr/bin/env bash
# test_cli_faults.sh - faults a pipeline meets, on the real tune-pool binary: thread creation failing part way
# (a process limit, an address-space limit), the output disk full, the output directory removed mid-run,
# SIGTERM and SIGINT mid-sweep (also to the whole process group, as a CI runner cancelling a job does).
# Each must end with a clear message, the documented exit code, and nothing already measured or written lost.
# Cases that need root (a tmpfs mount) or a tool that is missing are skipped with a message.
set -u
bin=${1:?usage: test_cli_faults.sh path/to/tune-pool}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
skip() { echo "skip $1"; }
# The sanitizer runtimes reserve terabytes of address space: no RLIMIT_AS case under them.
sanitized=0
grep -aq -e __asan_init -e __tsan_init "$bin" && sanitized=1
is_root=0; [[ $(id -u) -eq 0 ]] && is_root=1
tiny=(--workload=io --latency=1ms --compute=20us --repeat=2 --tasks=100 --cores=2)
slow=(--workload=io --latency=1ms --compute=20us --repeat=5 --rep-time=200ms --multipliers=1,2,4 --cores=2)

# Waits (at most 30 s) until file holds pattern: the sweep has measured its first point.
wait_for() { # file pattern
  for _ in $(seq 1 300); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# The pids of every descendant of pid (children, grandchildren), one line.
descendants() {
  local p kids=$(pgrep -P "$1" 2>/dev/null)
  for p in $kids; do echo -n "$p "; descendants "$p"; done
}
none_alive() { local p; for p in $1; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# ---- 1. thread creation fails part way: a per-user process limit ----
# RLIMIT_NPROC counts every thread of the user; root is exempt, so root runs the binary as nobody.
if command -v prlimit >/dev/null; then
  d="$work/nproc"; mkdir -p "$d"; chmod 777 "$d" "$work"
  run_as=()
  limit=40
  if [[ $is_root -eq 1 ]]; then
    if command -v setpriv >/dev/null; then run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
    limit=$(( $(ps -L -u 65534 --no-headers 2>/dev/null | wc -l) + 40 ))
  else
    limit=$(( $(ps -L -u "$(id -u)" --no-headers | wc -l) + 40 ))
  fi
  if [[ $is_root -eq 0 || ${#run_as[@]} -gt 0 ]]; then
    out=$(cd "$d" && "${run_as[@]}" prlimit --nproc=$limit "$bin" "${tiny[@]}" --multipliers=1,4,64 \
          --output-dir="$d/out" --name=np 2>&1); rc=$?
    check "nproc: a sweep with a failing point still exits 0" test "$rc" -eq 0
    check "nproc: the failed point names the reason" grep -Eq "failed .*Resource temporarily unavailable \([0-9]+ of 128 threads started\)" <<<"$out"
    check "nproc: still a recommendation" grep -q "^Recommendation: " <<<"$out"
    check "nproc: the recommendation says which points it rests on" grep -Eq "rests on [0-9]+ of [0-9]+ points; without m = 64 \(128 threads\) failed" <<<"$out"
    check "nproc: the JSON records the failed point" grep -q '"status": "failed"' "$d/out/np.json"
    check "nproc: the JSON keeps the reason" grep -q 'Resource temporarily unavailable' "$d/out/np.json"
    # --online: the controller wants ~200 threads for 10 ms waits; the limit stops it near 40. The run
    # goes on at the size reached, and the steps say why the maximum was lowered.
    out=$(cd "$d" && "${run_as[@]}" prlimit --nproc=$limit "$bin" --online --no-offline --phases=10ms \
          --phase-time=2s --compute=50us --max-threads=256 --output-dir="$d/out" --name=onp --quiet 2>&1); rc=$?
    check "nproc: --online at the thread limit still exits 0" test "$rc" -eq 0
    check "nproc: --online says a worker could not be started, and stays under the limit" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); t = d["runs"]["tuned"]
assert any("could not be started" in s["reason"] for s in t["steps"]), [s["reason"] for s in t["steps"]]
assert max(s["threads"] for s in t["samples"]) < int(sys.argv[2])
assert d["phases"][0]["runs"]["tuned"]["tasks"] > 0' "$d/out/onp.json" "$limit"
  else
    skip "nproc: root without setpriv cannot be held to RLIMIT_NPROC"
  fi
else
  skip "nproc: prlimit not installed (util-linux)"
fi

# ---- 2. thread creation fails part way: an address-space limit and big stacks ----
if command -v prlimit >/dev/null && [[ $sanitized -eq 0 ]]; then
  out=$(prlimit --as=$((700 * 1024 * 1024)) "$bin" "${tiny[@]}" --stack-size=16M --multipliers=1,32 --no-save 2>&1); rc=$?
  check "RLIMIT_AS: exit 0" test "$rc" -eq 0
  check "RLIMIT_AS: the big pool fails with its reason" grep -Eq "failed .*\(([0-9]+) of 64 threads started\)|failed +(Cannot allocate memory|Resource temporarily unavailable)" <<<"$out"
  check "RLIMIT_AS: still a recommendation" grep -q "^Recommendation: " <<<"$out"
else
  skip "RLIMIT_AS: sanitizer build (or no prlimit)"
fi

# ---- 3. the output disk is full: a clear error, exit 1, the earlier files intact ----
full="$work/full"; mkdir -p "$full"
if [[ $is_root -eq 1 ]] && mount -t tmpfs -o size=256k tp-test-full "$full" 2>/dev/null; then
  mounts+=("$full")
  "$bin" "${tiny[@]}" --multipliers=1 --output-dir="$full/out" --name=r --quiet >/dev/null 2>&1
  sum_before=$(cat "$full/out/r.csv" "$full/out/r.json" | md5sum)
  dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null # fills it: "No space left on device"
  out=$("$bin" "${tiny[@]}" --multipliers=1,2 --output-dir="$full/out" --name=r 2>"$work/full.err"); rc=$?
  err=$(cat "$work/full.err")
  check "disk full: exit 1" test "$rc" -eq 1
  out=$err check "disk full: names the file and the cause" grep -q "cannot write $full/out/r\..*: No space left on device" <<<"$err"
  check "disk full: the earlier files are intact" test "$(cat "$full/out/r.csv" "$full/out/r.json" | md5sum)" = "$sum_before"
  check "disk full: no temporary file left" test "$(ls -A "$full/out" | wc -l)" -eq 2
  check "disk full: the measurement still reaches stdout" grep -q "^Recommendation: " <<<"$out"
else
  skip "disk full: needs root to mount a small tmpfs"
fi

# ---- 4. the output directory removed mid-run ----
# Only the directory: it is made again and the results are written.
d="$work/gone1"
mkdir -p "$d/out"; echo stale >"$d/out/other.txt" # before the start: the preflight must find it
"$bin" "${slow[@]}" --output-dir="$d/out" --name=g \
  >/dev/null 2>"$work/gone1.err" &
pid=$!
wait_for "$work/gone1.err" "\[1/"; rm -rf "$d/out"
wait "$pid"; rc=$?
out=$(cat "$work/gone1.err")
check "output dir removed: exit 0" test "$rc" -eq 0
check "output dir removed: made again, JSON written" grep -q '"tool": "tune-pool"' "$d/out/g.json"
# Its parent too: a clear error naming the directory, exit 1, the table still on stdout.
d="$work/gone2"; mkdir -p "$d"
"$bin" "${slow[@]}" --output-dir="$d/out" --name=g \
  >"$work/gone2.out" 2>"$work/gone2.err" &
pid=$!
wait_for "$work/gone2.err" "\[1/"; rm -rf "$d"
wait "$pid"; rc=$?
out=$(cat "$work/gone2.err")
check "output parent removed: exit 1" test "$rc" -eq 1
check "output parent removed: names the directory and the cause" grep -q "^tune-pool: cannot create $d/out: No such file or directory" <<<"$out"
out=$(cat "$work/gone2.out")
check "output parent removed: the measurement still reaches stdout" grep -q "^Recommendation: " <<<"$out"

# ---- 5. SIGTERM / SIGINT mid-sweep: exit 130, partial results written atomically, nothing left running ----
long=(--multipliers=1,2,4,8,16 --repeat=5 --rep-time=300ms --cores=2)
signal_case() { # name signal workload target(pid|group)
  local name=$1 sig=$2 wl=$3 target=$4 d="$work/sig-$1"
  local per_task=(--latency=5ms --compute=10us)
  [[ $wl == net ]] && per_task=(--server-delay=5ms)
  setsid "$bin" --workload="$wl" "${per_task[@]}" "${long[@]}" --output-dir="$d" --name=s \
    >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  if ! wait_for "$work/$name.err" "\[1/"; then no "$name: no point finished in 30 s"; kill -KILL "$pid"; return; fi
  local kids; kids=$(descendants "$pid")
  if [[ $target == group ]]; then kill -"$sig" -- -"$pid"; else kill -"$sig" "$pid"; fi
  wait "$pid"; local rc=$?
  sleep 0.3
  out=$(cat "$work/$name.err")
  check "$name: exit 130" test "$rc" -eq 130
  check "$name: says interrupted" grep -q "^tune-pool: interrupted: keeping the [1-9][0-9]* of" <<<"$out"
  check "$name: partial JSON" grep -q '"partial": true' "$d/s.json"
  check "$name: the JSON keeps a measured point" grep -q '"status": "ok"' "$d/s.json"
  check "$name: CSV written" test -s "$d/s.csv"
  check "$name: no temporary file left" test "$(ls -A "$d" | wc -l)" -eq 2
  out="children were: $kids"
  check "$name: no child process or server left" none_alive "$kids"
  check "$name: the table says partial" grep -q "PARTIAL" "$work/$name.out"
}
signal_case sigterm TERM io pid
signal_case sigterm-group TERM io group
signal_case sigint-group INT io group
signal_case sigterm-net TERM net pid

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
