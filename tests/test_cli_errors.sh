#!/usr/bin/env bash
# test_cli_errors.sh - table-driven bad-input test of the real tune-pool binary: every case must end with its
# documented exit code, a "tune-pool: " message that matches the case's pattern (naming the option), the
# "Try 'tune-pool --help'" hint for usage errors, and no file written anywhere.
# Usage: test_cli_errors.sh path/to/tune-pool [plugin-dir]
set -u
bin=${1:?usage: test_cli_errors.sh path/to/tune-pool [plugin-dir]}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
plugins=${2:-${TP_TEST_PLUGIN_DIR:-}}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'umount "$work/readonly" 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# ---- fixtures (read-only inputs, in their own directory) ----
fx="$work/fx"
mkdir -p "$fx/adir"
cp "$src/tests/fixtures/results-small.json" "$fx/good.json"
echo 'hello, not JSON' >"$fx/notjson.json"
echo '{"name": "someone else", "schema": 1}' >"$fx/notours.json"
echo '[1, 2, 3]' >"$fx/array.json"
: >"$fx/empty.json"
head -c 300 "$fx/good.json" >"$fx/truncated.json"
sed 's/"schema": 1/"schema": 99/' "$fx/good.json" >"$fx/schema99.json"
sed 's/"tool": "tune-pool"/"tool": "tune-pool", "tool": "again"/' "$fx/good.json" >"$fx/dupkey.json"
sed '0,/"threads": [0-9]*/s//"threads": -4/' "$fx/good.json" >"$fx/negthreads.json"
sed '0,/"throughput": [0-9][0-9.e+]*/s//"throughput": -1/' "$fx/good.json" >"$fx/negtput.json"
sed '0,/"throughput": [0-9][0-9.e+]*/s//"throughput": 1e308/' "$fx/good.json" >"$fx/hugetput.json"
sed '0,/"status": "ok"/s//"status": "splendid"/' "$fx/good.json" >"$fx/badstatus.json"
printf '\x00\x01\x02binary' >"$fx/binary.json"
cp "$src/tests/fixtures/merge/good/web-01.json" "$fx/m-web-01.json"
cp "$src/tests/fixtures/merge/mixed/web-05.json" "$fx/m-web-05.json"
chmod -R a-w "$fx"
touch "$work/afile"
# A directory nobody may write in: root ignores modes, so root gets a read-only tmpfs there.
ro="$work/readonly"; mkdir -p "$ro"; chmod 555 "$ro"
ro_ok=1
if [[ $(id -u) -eq 0 ]]; then
  mount -t tmpfs -o ro,size=1m tp-test-ro "$ro" 2>/dev/null || ro_ok=0
fi

# ---- the table: expected exit @@ pattern the message must match (ERE) @@ arguments (shell words) ----
# @FX@ is the fixtures directory, @W@ the scratch directory, @P@ the test plugins' directory.
cases=$(cat <<'EOF'
2 @@ unknown option '--bogus' @@ --bogus
2 @@ unknown option '-x' @@ -x
2 @@ --run: the command has no \{threads\} or \{m\} and no --env @@ --run=true
2 @@ --metric '\(\[0-9' is not a POSIX extended regex @@ --run='echo {threads}' --metric='([0-9'
2 @@ --workload is a workload option: --run measures your program @@ --run='echo {threads}' --workload=cpu
2 @@ --latency is a workload option @@ --run='echo {threads}' --latency=1ms
2 @@ --env is for your program: give it with --run @@ --env=X
2 @@ --max-runs: out of range value '0' @@ --run='echo {threads}' --max-runs=0
2 @@ --warmup: malformed value 'x' @@ --run='echo {threads}' --warmup=x
2 @@ --strategy: unknown strategy 'fast' \(expected adaptive, grid or race\) @@ --strategy=fast
2 @@ --phases belongs to --online @@ --phases=1ms,2ms
2 @@ --phase-time belongs to --online @@ --phase-time=2s
2 @@ --start-threads belongs to --online @@ --start-threads=4
2 @@ --online-baselines belongs to --online @@ --online-baselines
2 @@ --no-offline belongs to --online @@ --no-offline
2 @@ --online runs the io workload.*cpu @@ --online --workload=cpu
2 @@ --online runs the io workload.*net @@ --online --workload=net
2 @@ --online tunes the pool @@ --online --executor=both
2 @@ --online has no single recommendation @@ --online --emit=cmake
2 @@ --latency: with --online the waits come from --phases @@ --online --latency=1ms
2 @@ --phases: malformed list '1ms,,2ms' @@ --online --phases=1ms,,2ms
2 @@ --phases: malformed list '' @@ --online --phases=
2 @@ --phases: out of range list '0ms' @@ --online --phases=0ms
2 @@ --phases: out of range list '11s' @@ --online --phases=11s
2 @@ --phases: malformed list '2' @@ --online --phases=2
2 @@ --phases: out of range list '1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms' @@ --online --phases=1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms,1ms
2 @@ --phase-time: out of range duration '100ms' @@ --online --phase-time=100ms
2 @@ --phase-time: malformed duration 'soon' @@ --online --phase-time=soon
2 @@ --start-threads: out of range number '0' @@ --online --start-threads=0
2 @@ --start-threads=64 is more than --max-threads=32 @@ --online --start-threads=64 --max-threads=32
2 @@ --from reads an earlier run.*--online @@ --from=@FX@/x.json --online
2 @@ unexpected argument 'frobnicate' @@ frobnicate
2 @@ unexpected argument 'extra' @@ --workload=cpu extra
2 @@ --latency' needs a value @@ --latency
2 @@ unknown option '--no-save=1' @@ --no-save=1
2 @@ unknown option '--help=x' @@ --help=x
2 @@ --workload: unknown workload 'disk' @@ --workload=disk
2 @@ --workload: unknown workload 'IO' @@ --workload=IO
2 @@ --workload: unknown workload '' @@ --workload=
2 @@ --workload=plugin:/nonexistent/x.so: No such file @@ --workload=plugin:/nonexistent/x.so
2 @@ --workload=plugin:.*not a regular file @@ --workload=plugin:@FX@/adir
2 @@ --workload=plugin:.*shared object @@ --workload=plugin:@FX@/good.json
2 @@ --workload: .* @@ --workload=plugin:
2 @@ --latency: malformed duration '2' @@ --latency=2
2 @@ --latency: malformed duration '-1ms' @@ --latency=-1ms
2 @@ --latency: malformed duration '' @@ --latency=
2 @@ --latency: malformed duration 'ms' @@ --latency=ms
2 @@ --latency: malformed duration '1.5.5ms' @@ --latency=1.5.5ms
2 @@ --latency: malformed duration '2 ms' @@ "--latency=2 ms"
2 @@ --latency: malformed duration '2MS' @@ --latency=2MS
2 @@ --latency: malformed duration '0x10ms' @@ --latency=0x10ms
2 @@ --latency: out of range duration '1e999ms' @@ --latency=1e999ms
2 @@ --latency: out of range duration '61s' @@ --latency=61s
2 @@ --latency: malformed duration 'nanms' @@ --latency=nanms
2 @@ --latency: malformed duration 'infs' @@ --latency=infs
2 @@ --compute: malformed duration 'nan' @@ --compute=nan
2 @@ --compute: a task must do something @@ --compute=0 --latency=0
2 @@ --latency: the cpu workload has no wait @@ --workload=cpu --latency=1ms
2 @@ --latency: given twice @@ --latency=1ms --latency=2ms
2 @@ --multipliers: given twice @@ --multipliers=1 --multipliers=2
2 @@ --multipliers: malformed list '' @@ --multipliers=
2 @@ --multipliers: malformed list '1,,2' @@ --multipliers=1,,2
2 @@ --multipliers: malformed list '1,2,' @@ --multipliers=1,2,
2 @@ --multipliers: malformed list ',1' @@ --multipliers=,1
2 @@ --multipliers: malformed list '2,2' @@ --multipliers=2,2
2 @@ --multipliers: malformed list 'nan' @@ --multipliers=nan
2 @@ --multipliers: malformed list 'inf' @@ --multipliers=inf
2 @@ --multipliers: malformed list '-1' @@ --multipliers=-1
2 @@ --multipliers: malformed list '1;2' @@ '--multipliers=1;2'
2 @@ --multipliers: out of range list '0' @@ --multipliers=0
2 @@ --multipliers: out of range list '1e400' @@ --multipliers=1e400
2 @@ --multipliers: out of range list '1e-400' @@ --multipliers=1e-400
2 @@ --multipliers: .*at most 256 @@ --multipliers=@LIST300@
2 @@ --multipliers: m = 100 needs 200 threads on 2 cores, more than --max-threads=8 @@ --cores=2 --max-threads=8 --multipliers=1,100
2 @@ --multipliers: m = 40000 .*more than --max-threads=4096 @@ --multipliers=40000
2 @@ --multipliers conflicts with --strategy=adaptive @@ --multipliers=1 --strategy=adaptive
2 @@ --strategy: unknown strategy 'random' @@ --strategy=random
2 @@ --repeat: out of range value '0' @@ --repeat=0
2 @@ --repeat: out of range value '65' @@ --repeat=65
2 @@ --repeat: malformed value '' @@ --repeat=
2 @@ --repeat: malformed value '1.5' @@ --repeat=1.5
2 @@ --max-repeat: out of range value '1' @@ --max-repeat=1
2 @@ --precision: out of range value '0%' @@ --precision=0%
2 @@ --precision: out of range value '100%' @@ --precision=100%
2 @@ --precision: out of range value '1' @@ --precision=1
2 @@ --precision: malformed value '%' @@ --precision=%
2 @@ --resolution: out of range value '1' @@ --resolution=1
2 @@ --resolution: malformed value 'nan' @@ --resolution=nan
2 @@ --tasks: malformed value '1e3' @@ --tasks=1e3
2 @@ --tasks: malformed value 'abc' @@ --tasks=abc
2 @@ --tasks: malformed value '\+5' @@ --tasks=+5
2 @@ --tasks: out of range value '0' @@ --tasks=0
2 @@ --tasks: out of range value '-5' @@ --tasks=-5
2 @@ --tasks: out of range value '99999999999999999999' @@ --tasks=99999999999999999999
2 @@ --rep-time: out of range duration '0' @@ --rep-time=0
2 @@ --rep-time: out of range duration '999us' @@ --rep-time=999us
2 @@ --max-threads: out of range value '0' @@ --max-threads=0
2 @@ --max-threads: out of range value '70000' @@ --max-threads=70000
2 @@ --stack-size: malformed size '1e3' @@ --stack-size=1e3
2 @@ --stack-size: malformed size '64k' @@ --stack-size=64k
2 @@ --stack-size: out of range size '1K' @@ --stack-size=1K
2 @@ --stack-size: out of range size '2G' @@ --stack-size=2G
2 @@ --stack-size: out of range size '99999999999999999999G' @@ --stack-size=99999999999999999999G
2 @@ --point-timeout: out of range duration '0' @@ --point-timeout=0
2 @@ --point-timeout: out of range duration '90000s' @@ --point-timeout=90000s
2 @@ --confidence: out of range value '1' @@ --confidence=1
2 @@ --confidence: out of range value '0.4' @@ --confidence=0.4
2 @@ --confidence: malformed value 'nan' @@ --confidence=nan
2 @@ --seed: out of range value '-1' @@ --seed=-1
2 @@ --seed: out of range value '99999999999999999999999' @@ --seed=99999999999999999999999
2 @@ --cores: out of range value '0' @@ --cores=0
2 @@ --cores: out of range value '-3' @@ --cores=-3
2 @@ --cores: out of range value '99999999999' @@ --cores=99999999999
2 @@ --cores: malformed value '' @@ --cores=
2 @@ --cores: malformed value '2.5' @@ --cores=2.5
2 @@ --core-unit: unknown unit 'socket' @@ --core-unit=socket
2 @@ --format: unknown format 'xml' @@ --format=xml
2 @@ --objective: unknown objective 'speed' @@ --objective=speed
2 @@ --objective=latency needs a bound @@ --objective=latency
2 @@ --max-p99 conflicts with --objective=throughput @@ --objective=throughput --max-p99=10ms
2 @@ --max-p99: out of range duration '0' @@ --max-p99=0
2 @@ --name: '' is not a usable file name @@ --name=
2 @@ --name: '../x' is not a usable file name @@ --name=../x
2 @@ --name: 'a/b' is not a usable file name @@ --name=a/b
2 @@ --name: '.hidden' is not a usable file name @@ --name=.hidden
2 @@ --name: 'a b' is not a usable file name @@ "--name=a b"
2 @@ --name: .* is not a usable file name @@ --name=@LONGNAME@
2 @@ --output-dir: empty directory name @@ --output-dir=
2 @@ --output-dir: cannot (create|write) @@ --output-dir=/proc/x
2 @@ --output-dir: cannot (create|write) @@ --output-dir=/nonexistent/dir/x
2 @@ --output-dir: '.*afile' is not a directory @@ --output-dir=@W@/afile
2 @@ --output-dir: .*readonly.*(not writable|cannot) @@ --output-dir=@W@/readonly
2 @@ --output-dir: .*(not writable|cannot) @@ --output-dir=@W@/readonly/sub
2 @@ --plot: empty file name @@ --plot=
2 @@ --plot: .*is a directory @@ --plot=@FX@/adir
2 @@ --plot: .*does not exist @@ --plot=/nonexistent/x.png
2 @@ --plot-format: unknown format 'gif' @@ --plot-format=gif
2 @@ --emit: unknown kind 'yaml' @@ --emit=yaml
2 @@ --emit prints a snippet .* --format @@ --emit=cmake --format=csv
2 @@ --emit: given twice @@ --emit=cmake --emit=make
2 @@ --io-fraction: out of range value '1.5' @@ --workload=mixed --io-fraction=1.5
2 @@ --io-fraction: malformed value 'nan' @@ --workload=mixed --io-fraction=nan
2 @@ --io-fraction: only the mixed workload @@ --io-fraction=0.5
2 @@ --file-size: only the file workload @@ --workload=io --file-size=1M
2 @@ --block-size: out of range size '0' @@ --workload=file --block-size=0
2 @@ --file-size: 1024 bytes is smaller than --block-size @@ --workload=file --file-size=1K --block-size=4K
2 @@ --block-size: .*multiple of 512 @@ --workload=file --direct --block-size=1000
2 @@ --file-dir: .*/nonexistent/dir @@ --workload=file --file-dir=/nonexistent/dir
2 @@ --file-dir: empty directory name @@ --workload=file --file-dir=
2 @@ --reply-size: malformed size 'huge' @@ --workload=net --reply-size=huge
2 @@ --request-size: out of range size '128M' @@ --workload=net --request-size=128M
2 @@ --server-delay: malformed duration '-1ms' @@ --workload=net --server-delay=-1ms
2 @@ --latency: the net workload has no modelled wait @@ --workload=net --latency=1ms
2 @@ --workload-arg: only the plugin workload @@ --workload=cpu --workload-arg=x
2 @@ --from: empty file name @@ --from=
2 @@ --from: cannot read .*No such file @@ --from=/nonexistent.json
2 @@ --from: cannot read .*Is a directory @@ --from=@FX@/adir
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=@FX@/notjson.json
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=@FX@/empty.json
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=@FX@/truncated.json
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=@FX@/binary.json
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=/dev/null
2 @@ --from: .* not a tune-pool results file: not valid JSON @@ --from=@FX@/dupkey.json
2 @@ --from: .* not a tune-pool results file: not a tune-pool results document @@ --from=@FX@/notours.json
2 @@ --from: .* not a tune-pool results file: not a JSON object @@ --from=@FX@/array.json
2 @@ --from: .* not a tune-pool results file: unsupported results schema @@ --from=@FX@/schema99.json
2 @@ --from: .* not a tune-pool results file: points\[0\]: multiplier and threads @@ --from=@FX@/negthreads.json
2 @@ --from: .* not a tune-pool results file: points\[0\]\.reps\[0\] @@ --from=@FX@/negtput.json
2 @@ --from: .* not a tune-pool results file: points\[0\]\.reps\[0\] @@ --from=@FX@/hugetput.json
2 @@ --from: .* not a tune-pool results file: points\[0\]\.status @@ --from=@FX@/badstatus.json
2 @@ --from reads an earlier run .* --latency @@ --from=@FX@/good.json --latency=1ms
2 @@ --from reads an earlier run .* --cores @@ --from=@FX@/good.json --cores=2
2 @@ --plot: .*does not exist @@ --from=@FX@/good.json --plot=/nonexistent/p.png
2 @@ compare: needs two results files @@ compare
2 @@ compare: needs two results files @@ compare @FX@/good.json
2 @@ compare: needs two results files @@ compare @FX@/good.json @FX@/good.json @FX@/good.json
2 @@ compare: .*notours.json is not a tune-pool results file @@ compare @FX@/good.json @FX@/notours.json
2 @@ compare: cannot read .*Is a directory @@ compare @FX@/good.json @FX@/adir
2 @@ compare: cannot read .*No such file @@ compare /nonexistent.json @FX@/good.json
2 @@ compare: --format: unknown format 'csv' @@ compare @FX@/good.json @FX@/good.json --format=csv
2 @@ compare: unknown option '--bogus' @@ compare --bogus @FX@/good.json @FX@/good.json
2 @@ merge: needs results files or folders @@ merge
2 @@ merge: unknown option '--bogus' @@ merge --bogus @FX@/m-web-01.json
2 @@ merge: --format: unknown format 'yaml' @@ merge --format=yaml @FX@/m-web-01.json
2 @@ merge: --emit: unknown kind 'toml' @@ merge --emit=toml @FX@/m-web-01.json
2 @@ merge: --plot-format: unknown format 'gif' @@ merge --plot --plot-format=gif @FX@/m-web-01.json
2 @@ merge: .*measured different workloads: .*workload.latency_ns \(1000000, not 2000000\) @@ merge @FX@/m-web-01.json @FX@/m-web-05.json
1 @@ merge: nothing to merge @@ merge @FX@/notours.json @FX@/truncated.json /nonexistent.json
2 @@ --host-class: 'a/b' is not a class name @@ --host-class=a/b
2 @@ --host-class: '.hidden' is not a class name @@ --host-class=.hidden
EOF
)

# Long arguments the table cannot hold literally.
list300=$(seq -s, 1 300)
longname=$(printf 'n%.0s' $(seq 1 200))

# The files under the scratch directory, with each file's size and mtime, outside the cases' working
# directory: one find per case (a process per check would make this table the slowest test of the suite).
snapshot() { find "$work" -path "$work/cwd" -prune -o -type d -printf '%p/\n' -o -printf '%p %s %T@\n'; }
# Every case runs in the same working directory, empty when it starts (what a case left there is reported, then
# removed): the default output directory (results/) would appear in it.
cwd="$work/cwd"
mkdir -p "$cwd"
shopt -s nullglob dotglob
baseline=$(snapshot)
i=0
while IFS= read -r line; do
  [[ -z ${line// } || $line == \#* ]] && continue
  i=$((i + 1))
  want=${line%% @@ *}
  rest=${line#* @@ }
  pattern=${rest%% @@ *}
  argstr=${rest#* @@ }
  argstr=${argstr//@FX@/$fx}
  argstr=${argstr//@W@/$work}
  argstr=${argstr//@P@/$plugins}
  argstr=${argstr//@LIST300@/$list300}
  argstr=${argstr//@LONGNAME@/$longname}
  eval "args=($argstr)"
  if [[ $ro_ok -eq 0 && $argstr == *readonly* ]]; then
    echo "skip $argstr (root, and no read-only mount possible here)"; continue
  fi
  err=$(cd "$cwd" && exec timeout 15 "$bin" "${args[@]}" 2>&1 >/dev/null); rc=$?
  after=$(snapshot)
  name="[$want] ${argstr:0:100}"
  why=""
  [[ $rc -eq $want ]] || why+=" exit $rc, not $want;"
  # The message checks, line by line as grep would match them.
  mapfile -t lines <<<"$err"
  prefixed=0 matched=0 hint=0
  for l in "${lines[@]}"; do
    [[ $l == "tune-pool: "* ]] && prefixed=$((prefixed + 1))
    [[ $l =~ $pattern ]] && matched=1
    [[ $l == "Try 'tune-pool --help' for more information." ]] && hint=1
  done
  [[ $prefixed -ge 1 ]] || why+=" no 'tune-pool: ' prefix;"
  [[ $matched -eq 1 ]] || why+=" message does not match /$pattern/;"
  [[ $want -ne 2 || $hint -eq 1 ]] || why+=" no --help hint;"
  [[ $prefixed -le 1 ]] || why+=" more than one message;"
  left=("$cwd"/*)
  if [[ ${#left[@]} -gt 0 ]]; then why+=" wrote ${left[*]##*/};"; rm -rf "${left[@]}"; fi
  [[ $baseline == "$after" ]] || { why+=" changed files outside its directory;"; baseline=$after; }
  [[ ! -e /nonexistent ]] || why+=" created /nonexistent;"
  if [[ -z $why ]]; then ok "$name"; else no "$name:$why" "$err"; fi
done <<<"$cases"
shopt -u nullglob dotglob

# Plugins that load but are wrong: refused before anything runs.
if [[ -n $plugins && -f $plugins/tp_test_plugin_badabi.so ]]; then
  for p in badabi nosym notask; do
    err=$(cd "$work" && "$bin" --workload=plugin:"$plugins/tp_test_plugin_$p.so" --output-dir="$work/pl" 2>&1 >/dev/null)
    rc=$?
    if [[ $rc -eq 2 ]] && grep -q "^tune-pool: --workload=plugin:" <<<"$err" && [[ ! -e $work/pl ]]; then
      ok "[2] broken plugin $p"
    else
      no "[2] broken plugin $p (rc=$rc)" "$err"
    fi
  done
fi

# Help and version write nothing but stdout.
for a in --help --version; do
  out=$(cd "$work" && "$bin" $a 2>&1); rc=$?
  if [[ $rc -eq 0 && -n $out && ! -e $work/results ]]; then ok "[0] $a"; else no "[0] $a (rc=$rc)"; fi
done

echo "$pass passed, $fail failed ($i table cases)"
[[ $fail -eq 0 ]]
