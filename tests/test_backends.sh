#!/usr/bin/env bash
# test_backends.sh - the http workload against a real server: nginx started on loopback in a temporary directory
# (tests/servers/servers.sh), stopped by the EXIT trap, pass or fail. Fast, delayed and failing endpoints,
# --max-errors on both sides, --header/--body, an unreachable URL (exit 2, nothing written), --executor=both.
# Skipped (exit 0, a message) when nginx or its echo module is not installed (scripts/setup.sh installs them).
set -u
bin=${1:?usage: test_backends.sh path/to/tune-pool}
[[ $bin == /* ]] || bin="$PWD/$bin"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/servers/servers.sh"
work=$(mktemp -d)
trap 'tp_servers_stop; rm -rf "$work"' EXIT
cd "$work" || exit 1

if ! command -v nginx >/dev/null || [[ ! -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]]; then
  echo "skip: nginx-light and libnginx-mod-http-echo are not installed (scripts/setup.sh)"
  exit 0
fi
tp_nginx_start "$work/nginx" || { echo "FAIL nginx did not start"; exit 1; }
url=$TP_NGINX_URL
# Small sweeps: two grid points (plus the rule sizes), a few short repetitions.
small=(--multipliers=1,2 --repeat=3 --rep-time=50ms --quiet)

# jq-free JSON reads: python3 (a test dependency already, tests/check_schema.py).
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# ---- a fast endpoint: every request succeeds, the statuses are counted -------------------------
out=$("$bin" --workload=http --url="$url/fast" "${small[@]}" --output-dir=fast 2>&1); rc=$?
check "fast: exit 0" test "$rc" -eq 0
check "fast: a recommendation" test "$(jget fast/http.json 'd["recommendation"] is not None')" = True
check "fast: every point's requests are 200s" test "$(jget fast/http.json \
  'all(p["http"]["status"].get("200") == p["work"]["ops"] > 0 and p["work"]["errors"] == 0 for p in d["points"])')" = True
check "fast: error_share 0 everywhere" test "$(jget fast/http.json 'sum(p["error_share"] for p in d["points"])')" = 0.0
check "fast: the table shows the status counts" grep -q "status 200: " <<<"$out"
check "fast: the workload in the JSON" test "$(jget fast/http.json 'd["workload"]["url"] + " " + d["workload"]["method"]')" = "$url/fast GET"

# ---- a delayed endpoint (echo_sleep): each request waits for the server ------------------------
"$bin" --workload=http --url="$url/sleep?s=0.005" "${small[@]}" --output-dir=slow >/dev/null 2>&1; rc=$?
check "delayed: exit 0" test "$rc" -eq 0
check "delayed: no point answers faster than the server's 5 ms" test "$(jget slow/http.json \
  'all(p["latency_ns"]["p50"] >= 4.9e6 for p in d["points"])')" = True

# ---- an endpoint that always fails: every point is ineligible, the results are still written --
out=$("$bin" --workload=http --url="$url/error" "${small[@]}" --output-dir=err 2>&1); rc=$?
check "error: exit 1 (no eligible point)" test "$rc" -eq 1
check "error: the message names --max-errors" grep -q "max-errors" <<<"$out"
check "error: the JSON is written" test -s err/http.json
check "error: no recommendation" test "$(jget err/http.json 'd["recommendation"]')" = None
check "error: every point excluded for its failures" test "$(jget err/http.json \
  'all(p["error_excluded"] and p["error_share"] == 1.0 and "500" in p["http"]["status"] for p in d["points"])')" = True
check "error: the table says why" grep -q "not eligible: more than 1% of their tasks failed" <<<"$out"
# --ok-status makes the same 500s successes.
"$bin" --workload=http --url="$url/error" --ok-status=200-299,500 "${small[@]}" --no-save >/dev/null 2>&1; rc=$?
check "error with --ok-status=...,500: exit 0" test "$rc" -eq 0

# ---- about 5% failures: over the default 1%, within --max-errors=20% ---------------------------
"$bin" --workload=http --url="$url/flaky" "${small[@]}" --output-dir=flaky1 >/dev/null 2>&1; rc=$?
check "flaky, --max-errors=1%: exit 1, every point out" test "$rc" -eq 1
check "flaky: errors and successes both counted" test "$(jget flaky1/http.json \
  'all(0 < p["work"]["errors"] < p["work"]["ops"] and p["error_excluded"] for p in d["points"])')" = True
"$bin" --workload=http --url="$url/flaky" --max-errors=20% "${small[@]}" --output-dir=flaky20 >/dev/null 2>&1; rc=$?
check "flaky, --max-errors=20%: exit 0 with a pick" test "$rc" -eq 0
check "flaky, 20%: no point excluded" test "$(jget flaky20/http.json 'any(p["error_excluded"] for p in d["points"])')" = False
check "flaky, 20%: the bound in the JSON" test "$(jget flaky20/http.json 'd["sweep"]["objective"]["max_errors"]')" = 0.2

# ---- --method, --header (twice), --body: the echo endpoint sends the body back ------------------
printf 'hello, pool' >body.txt
"$bin" --workload=http --url="$url/echo" --method=PUT --header='X-One: 1' --header='X-Two: 2' --body=@body.txt \
  "${small[@]}" --output-dir=echo >/dev/null 2>&1; rc=$?
check "echo: exit 0" test "$rc" -eq 0
check "echo: each response is the 11-byte body" test "$(jget echo/http.json \
  'all(p["work"]["bytes"] == 11 * p["work"]["ops"] > 0 for p in d["points"])')" = True
check "echo: both headers and the method recorded" test "$(jget echo/http.json \
  'd["workload"]["headers"] == ["X-One: 1", "X-Two: 2"] and d["workload"]["method"] == "PUT"')" = True

# ---- an unreachable URL: exit 2 with libcurl's message, nothing measured, nothing written -------
port=$(tp_free_port)
out=$("$bin" --workload=http --url="http://127.0.0.1:$port/" --output-dir=none 2>&1); rc=$?
check "unreachable: exit 2" test "$rc" -eq 2
check "unreachable: libcurl's message" grep -q "http: cannot reach http://127.0.0.1:$port/: Couldn't connect to server" <<<"$out"
check "unreachable: nothing written" test ! -e none
out=$("$bin" --workload=http --url="http://tune-pool.invalid/" --output-dir=none 2>&1); rc=$?
check "unknown host: exit 2" test "$rc" -eq 2
check "unknown host: nothing written" test ! -e none

# ---- --executor=both: the pool against libcurl's multi interface on the event loops ------------
out=$("$bin" --workload=http --url="$url/sleep?s=0.002" --executor=both --inflight=1,4 "${small[@]}" \
  --output-dir=both 2>&1); rc=$?
check "both: exit 0" test "$rc" -eq 0
check "both: the async points got 200s" test "$(jget both/http.json \
  'all(p["http"]["status"].get("200") == p["work"]["ops"] > 0 and p["work"]["errors"] == 0 for p in d["async"]["points"])')" = True
check "both: a verdict" grep -q "^Verdict: " <<<"$out"
"$bin" --workload=http --url="$url/error" --executor=async --inflight=1,4 "${small[@]}" --output-dir=aerr >/dev/null 2>&1
rc=$?
check "async on the failing endpoint: exit 1, results written" test "$rc" -eq 1 -a -s aerr/http.json
check "async failures counted as transport or status errors" test "$(jget aerr/http.json \
  'all(p["http"]["status"].get("500") == p["work"]["errors"] > 0 for p in d["async"]["points"])')" = True

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
