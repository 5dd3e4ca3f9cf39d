#!/usr/bin/env bash
# test_cli.sh - runs the real tune-pool binary: help, version, usage errors, a tiny real sweep, SIGINT.
set -u
bin=${1:?usage: test_cli.sh path/to/tune-pool}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# --help: stdout, exit 0, every option listed with its default.
out=$("$bin" --help 2>&1); rc=$?
check "help exits 0" test "$rc" -eq 0
for opt in --workload --latency --compute --multipliers --strategy --repeat --tasks --rep-time --no-warmup \
           --max-threads --stack-size --point-timeout --confidence --seed --cores --core-unit --format \
           --output-dir --name --no-save --quiet --help --version; do
  check "help lists $opt" grep -q -- "$opt" <<<"$out"
done
check "help shows exit codes" grep -q "130" <<<"$out"

out=$("$bin" --version); rc=$?
check "version exits 0" test "$rc" -eq 0
check "version prints the version" grep -Eq '^tune-pool [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out"

# Usage errors: exit 2, message with the prefix and the hint, nothing written.
usage_case() { # args...
  local dir="$work/usage"
  rm -rf "$dir"; mkdir -p "$dir"
  out=$("$bin" --output-dir="$dir/out" "$@" 2>&1 >/dev/null); rc=$?
  local name="usage: $*"
  if [[ $rc -eq 2 ]] && grep -q "^tune-pool: " <<<"$out" && grep -q "Try 'tune-pool --help'" <<<"$out" \
     && [[ -z $(ls -A "$dir") ]]; then
    ok "$name"
  else
    no "$name (rc=$rc)" "$out"
  fi
}
usage_case --bogus
usage_case --workload=disk
usage_case --latency=2
usage_case --latency=-1ms
usage_case --compute=nan
usage_case --multipliers=
usage_case --multipliers=1,,2
usage_case --multipliers=2,2
usage_case --multipliers=0
usage_case --repeat=0
usage_case --tasks=abc
usage_case --cores=-3
usage_case --format=xml
usage_case --max-threads=8 --multipliers=1,100
usage_case --workload=cpu --latency=1ms
usage_case extra-argument

out=$("$bin" --output-dir=/nonexistent/dir/x --multipliers=1 2>&1 >/dev/null); rc=$?
check "missing parent of --output-dir is exit 2" test "$rc" -eq 2
check "missing --output-dir named" grep -q -- "--output-dir" <<<"$out"
touch "$work/afile"
out=$("$bin" --output-dir="$work/afile" --multipliers=1 2>&1 >/dev/null); rc=$?
check "a file as --output-dir is exit 2" test "$rc" -eq 2

# A tiny real sweep: io, two multipliers, files written.
res="$work/res"
out=$("$bin" --workload=io --latency=1ms --compute=50us --multipliers=1,2 --repeat=2 --tasks=60 \
      --output-dir="$res" --name=tiny 2>"$work/err"); rc=$?
check "tiny sweep exits 0" test "$rc" -eq 0
check "table has a recommendation" grep -q "Recommendation" <<<"$out"
check "table has the m = 5 rule row" grep -q "ThreadPoolExecutor <= 3.7" <<<"$out"
check "table has the cores + 4 rule row" grep -q "min(32, cores + 4)" <<<"$out"
check "table has the CPU rule row" grep -q "CPU rule" <<<"$out"
check "table has the model" grep -qi "model" <<<"$out"
check "CSV written" test -s "$res/tiny.csv"
check "JSON written" test -s "$res/tiny.json"
check "no temp files left" test "$(ls "$res" | wc -l)" -eq 2
check "CSV has header and rows" test "$(wc -l <"$res/tiny.csv")" -ge 4
check "JSON has the recommendation" grep -q '"recommendation"' "$res/tiny.json"
check "JSON has the model" grep -q '"model"' "$res/tiny.json"
check "JSON has the topology sources" grep -q '"quota"' "$res/tiny.json"
check "JSON is not partial" grep -q '"partial": false' "$res/tiny.json"
check "progress went to stderr" grep -q "\[1/" "$work/err"

# Output formats on stdout.
out=$("$bin" --workload=cpu --compute=50us --multipliers=1 --repeat=1 --tasks=20 --no-save --quiet --format=csv); rc=$?
check "csv on stdout" test "$rc" -eq 0
check "csv header" grep -q "^multiplier,threads" <<<"$out"
out=$("$bin" --workload=cpu --compute=50us --multipliers=1 --repeat=1 --tasks=20 --no-save --quiet --format=json)
check "json on stdout" grep -q '"tool": "tune-pool"' <<<"$out"

# --cores overrides the detection, and the multipliers follow it.
out=$("$bin" --cores=3 --workload=cpu --compute=20us --multipliers=1 --repeat=1 --tasks=20 --no-save --quiet --format=csv)
check "--cores=3 gives 3 threads at m = 1" grep -q "^1,3," <<<"$out"

# The default adaptive search, kept tiny by --max-threads.
out=$("$bin" --workload=cpu --compute=20us --repeat=2 --tasks=50 --max-threads=8 --no-save --quiet); rc=$?
check "adaptive sweep exits 0" test "$rc" -eq 0
check "adaptive search is reported" grep -q "search: adaptive" <<<"$out"
out=$("$bin" --workload=cpu --compute=20us --repeat=2 --tasks=50 --max-threads=8 --no-save --quiet --format=json)
check "adaptive JSON names the strategy" grep -q '"strategy": "adaptive"' <<<"$out"
check "adaptive JSON marks coarse points" grep -q '"coarse"' <<<"$out"
out=$("$bin" --workload=io --latency=1ms --compute=20us --multipliers=1,4 --repeat=2 --tasks=40 --max-p99=1us \
      --no-save --quiet 2>&1); rc=$?
check "an impossible --max-p99 exits 1" test "$rc" -eq 1
check "an impossible --max-p99 says so" grep -q "max-p99" <<<"$out"

# taskset: the effective core count follows the affinity.
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  out=$(taskset -c 0 "$bin" --workload=cpu --compute=20us --multipliers=1 --repeat=1 --tasks=20 --no-save --quiet --format=json)
  check "taskset -c 0 sees one core" grep -q '"effective_cores": 1' <<<"$out"
fi

# SIGINT mid-sweep: exit 130, partial results written, no child left.
res2="$work/int"
"$bin" --workload=io --latency=5ms --compute=10us --multipliers=1,2,4,8,16 --repeat=5 --rep-time=400ms \
  --output-dir="$res2" --name=int --quiet >"$work/int.out" 2>"$work/int.err" &
pid=$!
sleep 2.5
kill -INT "$pid"
wait "$pid"; rc=$?
out=$(cat "$work/int.err")
check "SIGINT exits 130" test "$rc" -eq 130
check "SIGINT keeps partial JSON" grep -q '"partial": true' "$res2/int.json"
check "SIGINT keeps CSV" test -s "$res2/int.csv"
check "SIGINT says interrupted" grep -q "interrupted" "$work/int.err"
sleep 0.2
# A point's child is a fork: it has the same command line.
check "no measuring child left" test -z "$(pgrep -f -- "--output-dir=$res2" 2>/dev/null)"

# ---- workloads: file, net, mixed, noop, plugin (README: Workloads) ----
src=$(cd "$(dirname "$0")/.." && pwd)
plugins=${TP_TEST_PLUGIN_DIR:-}
out=$("$bin" --help)
for opt in --workload-arg --io-fraction --file-size --block-size --file-dir --direct --server-delay \
           --reply-size --request-size; do
  check "help lists $opt" grep -q -- "$opt" <<<"$out"
done
usage_case --workload=plugin:
usage_case --workload=plugin:/nonexistent/x.so
usage_case --workload=file --block-size=0
usage_case --workload=file --file-size=1K --block-size=4K
usage_case --workload=file --direct --block-size=1000
usage_case --workload=net --reply-size=huge
usage_case --workload=mixed --io-fraction=1.5
usage_case --workload=io --file-size=1M
usage_case --workload=cpu --workload-arg=x
usage_case --workload=file --file-dir=/nonexistent/dir
tiny=(--cores=2 --multipliers=0.5,2 --repeat=2 --tasks=200 --no-save)
fdir="$work/fdir"; mkdir -p "$fdir"
out=$("$bin" --workload=file --file-dir="$fdir" --file-size=4M --block-size=4K "${tiny[@]}" 2>"$work/err"); rc=$?
check "file sweep exits 0" test "$rc" -eq 0
check "file sweep recommends" grep -q "Recommendation" <<<"$out"
check "file sweep reports reads and bytes" grep -Eq "threads: [0-9]+ reads, [0-9.]+ (KiB|MiB), 0 errors" <<<"$out"
check "file sweep leaves no file" test -z "$(ls -A "$fdir")"
out=$("$bin" --workload=file --file-dir="$fdir" --file-size=4M --direct "${tiny[@]}" 2>&1); rc=$?
check "file --direct runs or is refused by name" bash -c "[[ $rc -eq 0 ]] || { [[ $rc -eq 2 ]] && grep -q -- '--direct' <<<\"\$0\"; }" "$out"
# The sweep's environment carries a mark its server inherits, so only this sweep's servers are looked for (other
# tests may run net sweeps at the same time under ctest -j).
mark="TP_TEST_MARK=cli-$$-net"
out=$(env "$mark" "$bin" --workload=net --server-delay=500us --reply-size=2K "${tiny[@]}" --format=json 2>"$work/err"); rc=$?
check "net sweep exits 0" test "$rc" -eq 0
check "net sweep counts requests" grep -q '"ops": 400' <<<"$out"
check "net sweep has the server delay" grep -q '"server_delay_ns": 500000' <<<"$out"
marked_servers() { # the tp-netserver processes whose environment holds $mark
  local p
  for p in $(pgrep -x tp-netserver 2>/dev/null); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx -- "$mark" && echo "$p"
  done
}
check "net sweep leaves no server" test -z "$(marked_servers)"
out=$("$bin" --workload=mixed --io-fraction=0.3 --latency=1ms --compute=50us "${tiny[@]}" --format=csv 2>&1); rc=$?
check "mixed sweep exits 0" test "$rc" -eq 0
check "mixed CSV has work columns" grep -q "work_ops,work_bytes,work_errors" <<<"$out"
out=$("$bin" --workload=noop "${tiny[@]}" 2>&1); rc=$?
check "noop sweep exits 0" test "$rc" -eq 0
check "noop reports the overhead per task" grep -q "per task (1 / throughput), CPU" <<<"$out"
# SIGINT during a net sweep: the server goes with it.
"$bin" --workload=net --server-delay=2ms --multipliers=1,2,4,8 --repeat=5 --rep-time=400ms --no-save --quiet \
  >/dev/null 2>&1 &
pid=$!
sleep 1.5
srv=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
kill -INT "$pid"; wait "$pid"; rc=$?
sleep 0.3
check "net SIGINT exits 130" test "$rc" -eq 130
alive=""; for s in $srv; do kill -0 "$s" 2>/dev/null && alive="$alive $s"; done
check "net SIGINT leaves no server or child" test -z "$alive"
# The example plugin, built as README: Workloads says, then a sweep with it.
if command -v cc >/dev/null; then
  cc -O2 -fPIC -shared -I"$src/include" -o "$work/checksum.so" "$src/examples/plugin/checksum.c" 2>"$work/cc.err"
  check "example plugin builds with the documented command" test -s "$work/checksum.so"
  out=$("$bin" --workload=plugin:"$work/checksum.so" --workload-arg="$src/README.md" "${tiny[@]}" 2>&1); rc=$?
  [[ -f $src/README.md ]] || out=$("$bin" --workload=plugin:"$work/checksum.so" "${tiny[@]}" 2>&1)
  check "example plugin sweep recommends" grep -q "Recommendation" <<<"$out"
  check "example plugin counts tasks and bytes" grep -Eq "threads: [0-9]+ tasks ok, [0-9.]+ (B|KiB|MiB)" <<<"$out"
fi
if [[ -n $plugins && -f $plugins/tp_test_plugin.so ]]; then
  usage_case --workload=plugin:"$plugins/tp_test_plugin_badabi.so"
  usage_case --workload=plugin:"$plugins/tp_test_plugin_nosym.so"
  usage_case --workload=plugin:"$plugins/tp_test_plugin_notask.so"
  out=$("$bin" --workload=plugin:"$plugins/tp_test_plugin_badabi.so" --no-save 2>&1)
  check "bad ABI names the versions" grep -q "ABI version 99" <<<"$out"
  # Containment: worker 3 segfaults, so the pools of 4 threads and more crash; the others recommend.
  out=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=0:handle_abort=0" "$bin" --workload=plugin:"$plugins/tp_test_plugin.so" \
        --workload-arg=segv:3 --cores=2 --multipliers=0.5,1,2 --repeat=2 --tasks=100 --no-save 2>&1); rc=$?
  check "crashing plugin: exit 0" test "$rc" -eq 0
  check "crashing plugin: a recommendation" grep -q "Recommendation" <<<"$out"
  check "crashing plugin: the crash is named" grep -q "crashed (SIGSEGV" <<<"$out"
  out=$("$bin" --workload=plugin:"$plugins/tp_test_plugin.so" --workload-arg=hang:1 --point-timeout=1s \
        --cores=2 --multipliers=0.5,1 --repeat=1 --tasks=50 --no-save 2>&1); rc=$?
  check "hanging plugin: timeout recorded, exit 0" bash -c "[[ $rc -eq 0 ]] && grep -q 'point-timeout' <<<\"\$0\"" "$out"
  out=$("$bin" --workload=plugin:"$plugins/tp_test_plugin.so" --workload-arg=fail:5 --cores=1 --multipliers=1 \
        --repeat=1 --tasks=100 --no-save --format=json 2>&1)
  check "plugin task errors are counted" grep -q '"errors": 20' <<<"$out"
fi

# --executor (README: Executors): the event loops beside the pool; async on a
# workload without an async path is a usage error, in `both` the row is absent.
usage_case --workload=file --executor=async
check "async on file names the reason" grep -q "not supported by the async executor: file" <<<"$out"
usage_case --executor=fast
usage_case --inflight=1,4
out=$("$bin" --workload=io --latency=2ms --compute=100us --cores=1 --multipliers=1,4 --inflight=1,4 --repeat=2 \
      --tasks=60 --executor=both --no-save --format=json 2>/dev/null); rc=$?
check "executor both: exit 0" test "$rc" -eq 0
check "executor both: JSON async object with a verdict" python3 -c '
import json, sys
d = json.loads(sys.argv[1]); a = d["async"]
assert a["supported"] and len(a["points"]) == 2 and a["recommendation"]["loops"] == 1
assert a["comparison"]["winner"] in ("async", "pool", "indistinguishable")' "$out"
out=$("$bin" --workload=io --latency=2ms --compute=100us --cores=1 --multipliers=1 --inflight=2 --repeat=2 \
      --tasks=40 --executor=both --no-save --quiet 2>&1); rc=$?
check "executor both: table shows the side by side" bash -c "[[ $rc -eq 0 ]] && grep -q 'async pick' <<<\"\$0\" && grep -q '^Verdict: ' <<<\"\$0\"" "$out"
out=$("$bin" --workload=file --file-size=256K --cores=1 --multipliers=1 --repeat=1 --tasks=40 --executor=both \
      --no-save --quiet 2>&1); rc=$?
check "executor both on file: the async row is absent, and why" \
  bash -c "[[ $rc -eq 0 ]] && grep -q 'the async row is absent: not supported by the async executor' <<<\"\$0\"" "$out"

# --online: a short real run (no offline sweeps), its files, document and plot; then SIGINT keeps what ran.
res3="$work/online"
out=$("$bin" --online --no-offline --phases=1ms,4ms --phase-time=1s --compute=50us --max-threads=256 \
      --output-dir="$res3" --quiet 2>&1); rc=$?
check "online: exit 0" test "$rc" -eq 0
check "online: table per phase" bash -c "grep -q '^Online tuning: io workload' <<<\"\$0\" && grep -Eq '^2 +4.00 ms' <<<\"\$0\"" "$out"
check "online: CSV and JSON written" test -s "$res3/online.csv" -a -s "$res3/online.json"
check "online: JSON document" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "tune-pool" and d["kind"] == "online" and not d["partial"]
assert [p["wait_ns"] for p in d["phases"]] == [1000000, 4000000]
assert all(p["offline"] is None for p in d["phases"])
t = d["runs"]["tuned"]
assert t["start_threads"] == min(5 * d["topology"]["effective_cores"], 256)
assert len(t["samples"]) >= 15 and {s["phase"] for s in t["samples"]} == {1, 2}
assert all(1 <= s["threads"] <= 256 for s in t["samples"])
assert len(t["steps"]) >= 5 and all(s["action"] != "collect" for s in t["steps"])
assert any(s["action"] == "move" for s in t["steps"])
r = d["phases"][1]["runs"]["tuned"]
assert r["tasks"] > 0 and r["fraction_of_best"] is None and 0 <= r["settle_s"] <= 1.5' "$res3/online.json"
if python3 -c 'import jsonschema' 2>/dev/null; then
  check "online: the --no-offline document validates against schema/online.schema.json" \
    python3 "$src/tests/check_schema.py" "$res3/online.json"
fi
out=$("$bin" --from="$res3/online.json" 2>&1); rc=$?
check "online: --from refuses the online document, saying why" bash -c "[[ $rc -eq 2 ]] && grep -q 'an --online document' <<<\"\$0\"" "$out"
check "online: CSV rows" bash -c "head -1 \"\$0\" | grep -q '^run,t_s,phase,wait_ns,threads,tasks_per_s\$' && test \$(grep -c '^tuned,' \"\$0\") -ge 15" "$res3/online.csv"
if command -v gnuplot >/dev/null; then
  "$bin" --online --no-offline --phases=1ms --phase-time=500ms --compute=50us --max-threads=64 \
    --output-dir="$res3" --name=plotted --plot --format=json --quiet >"$work/online.json.out" 2>&1; rc=$?
  check "online --plot: exit 0, PNG and script" bash -c "[[ $rc -eq 0 ]] && test -s \"\$0/plotted.png\" && grep -q 'set multiplot' \"\$0/plotted.gp\"" "$res3"
  check "online --format=json on stdout" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["kind"] == "online"' "$work/online.json.out"
fi
"$bin" --online --no-offline --phases=1ms,1ms --phase-time=20s --compute=50us --max-threads=64 \
  --output-dir="$res3" --name=int --quiet >"$work/online-int.out" 2>"$work/online-int.err" &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"; rc=$?
check "online SIGINT exits 130" test "$rc" -eq 130
check "online SIGINT keeps a partial document" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["partial"] and len(d["runs"]["tuned"]["samples"]) >= 5' "$res3/int.json"

# The option reference (docs/options.md, linked from the README) documents every option --help lists.
readme="$(dirname "$0")/../docs/options.md"
if [[ -f $readme ]]; then
  for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    check "docs/options.md documents $opt" grep -q -- "$opt" "$readme"
  done
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
