#!/usr/bin/env bash
# test_pg.sh - the pg workload against a real PostgreSQL: a throwaway cluster on loopback (tests/servers/servers.sh),
# one for every case, stopped by the EXIT trap pass or fail. Usage: test_pg.sh path/to/tune-pool
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tp=$1
source "$here/lib.sh"
source "$here/servers/servers.sh"

if [[ ! -x $TP_PG_BIN/initdb ]]; then
  echo "SKIP: $TP_PG_BIN/initdb missing (scripts/setup.sh installs postgresql-15)"
  exit 77
fi
work=$(mktemp -d)
chmod 755 "$work" # the cluster's directory inside belongs to the postgres user
trap 'tp_servers_stop; rm -rf "$work"' EXIT

# --cores=2 everywhere: the rule sizes are 2, 4, 6 and 10 threads on any machine, and max_connections = 12
# takes the largest of them and the monitor's connection, while 16 x 2 = 32 threads cannot all connect.
maxc=12
tp_pg_start "$work/pg" $maxc || { echo "FAIL cannot start the cluster"; exit 1; }
tp_pg_sql "CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL);
           INSERT INTO counters SELECT g, 0 FROM generate_series(0, 99) g;" || exit 1
ci=$TP_PG_CONNINFO
quick=(--cores=2 --repeat=3 --rep-time=100ms --point-timeout=60s)

# The JSON document of a run: $out holds stderr + stdout.
run() { out=$("$tp" "$@" 2>&1); rc=$?; }
js() { python3 -c "import json,sys; d=json.load(open('$1')); $2"; }

# 1. A query that waits: every size below the limit measured, the rule row, what the server saw.
run --workload=pg --conninfo="$ci" --query='SELECT pg_sleep(0.002)' --multipliers=0.5,1,2 "${quick[@]}" \
  --output-dir="$work/wait" --name=wait
check "wait: exit 0" test "$rc" -eq 0
cores=2
check "wait: every point ok" js "$work/wait/wait.json" \
  "assert all(p['status'] == 'ok' for p in d['points']), [p['status'] for p in d['points']]"
check "wait: the queries were all answered" js "$work/wait/wait.json" \
  "assert all(p['work']['ops'] > 0 and p['work']['errors'] == 0 for p in d['points'])"
check "wait: the hikari rule is 2 x server cores" js "$work/wait/wait.json" \
  "r = [x for x in d['rules'] if x['key'] == 'hikari'][0]; assert r['threads'] == 2 * $cores, r"
check "wait: the server saw the pool's backends sleeping" js "$work/wait/wait.json" \
  "s = d['points'][-1]['server']; assert s['samples'] > 0 and s['active_max'] >= 1, s; \
   assert any(w['event'] == 'Timeout:PgSleep' for w in s['waits']), s"
check "wait: the table shows the rule and the server" bash -c \
  'grep -q "2 x server cores + spindles" <<<"$1" && grep -q "server: .* active" <<<"$1"' _ "$out"

# 2. A query that computes, --server-cores and --spindles in the rule.
run --workload=pg --conninfo="$ci" --query='SELECT sum(g) FROM generate_series(1, 20000) g' --multipliers=1 \
  --server-cores=1 --spindles=1 "${quick[@]}" --output-dir="$work/cpu" --name=cpu
check "compute: exit 0" test "$rc" -eq 0
check "compute: the rule uses --server-cores and --spindles" js "$work/cpu/cpu.json" \
  "r = [x for x in d['rules'] if x['key'] == 'hikari'][0]; assert r['threads'] == 3, r; \
   assert d['workload']['server_cores'] == 1 and d['workload']['spindles'] == 1"

# 3. A real table, {task} bound as a parameter, a mix from a file: every task did its update.
cat >"$work/mix.sql" <<'SQL'
-- two statements, cycled by task index
UPDATE counters SET n = n + 1 WHERE id = {task} % 100;
SELECT n FROM counters WHERE id = {task}::int % 100;
SQL
tp_pg_sql "UPDATE counters SET n = 0;"
run --workload=pg --conninfo="$ci" --query=@"$work/mix.sql" --cores=2 --multipliers=1 --repeat=3 --tasks=200 \
  --no-warmup --output-dir="$work/mix" --name=mix
check "table: exit 0" test "$rc" -eq 0
total=$(tp_pg_sql "COPY (SELECT sum(n) FROM counters) TO STDOUT" 2>/dev/null)
want=$(js "$work/mix/mix.json" "print(sum(p['work']['ops'] for p in d['points']) // 2)" 2>/dev/null)
check "table: every other task updated a row (${total:-none} of ${want:-?})" test "${total:-0}" -eq "${want:--1}" -a "${want:-0}" -gt 0
check "table: the JSON keeps the file's name, not the password" js "$work/mix/mix.json" \
  "assert d['workload']['queries'] == ['@$work/mix.sql'] and 'password' not in d['workload']['conninfo']"

# 3b. A statement that fails for some tasks: counted as errors, never fatal, the connection goes on; with
# half of them failing, --max-errors=60% keeps the points eligible, the default 1% would not.
run --workload=pg --conninfo="$ci" --query='SELECT 1 / ({task}::int % 2)' --cores=2 --multipliers=1 --repeat=3 \
  --tasks=100 --no-warmup --max-errors=60% --output-dir="$work/err" --name=err
check "errors: exit 0" test "$rc" -eq 0
check "errors: every even task failed (division by zero), the odd ones ran" js "$work/err/err.json" \
  "p = [x for x in d['points'] if x['threads'] == 2][0]; assert p['status'] == 'ok'; \
   assert p['work']['errors'] == 150 and p['work']['ops'] == 150, p['work']"

# 4. The top sizes refused by max_connections: failed points with the server's words, the others measured.
run --workload=pg --conninfo="$ci" --query='SELECT 1' --multipliers=1,16 "${quick[@]}" \
  --output-dir="$work/full" --name=full
check "refused: exit 0 (the sweep went on)" test "$rc" -eq 0
check "refused: the small size ok, the large one failed with the server's message" js "$work/full/full.json" \
  "p = {x['threads']: x for x in d['points']}; assert p[$cores]['status'] == 'ok'; \
   f = p[16 * $cores]; assert f['status'] == 'failed', f['status']; \
   assert 'too many clients' in f['reason'], f['reason']"
check "refused: the table says why" grep -q "too many clients already" <<<"$out"

# 5. --executor=both: the event loops against the pool, on the same server.
run --workload=pg --conninfo="$ci" --query='SELECT pg_sleep(0.002)' --multipliers=1,2 --inflight=1,2 \
  --executor=both "${quick[@]}" --output-dir="$work/both" --name=both
check "both: exit 0" test "$rc" -eq 0
check "both: async points measured and a verdict" js "$work/both/both.json" \
  "a = d['async']; assert all(p['status'] == 'ok' for p in a['points']), [p['status'] for p in a['points']]; \
   assert a['points'][-1]['work']['ops'] > 0 and a['points'][-1]['work']['errors'] == 0; \
   assert a['comparison']['winner'] in ('pool', 'async', 'indistinguishable'), a['comparison']"

# 6. Preflight: a bad conninfo, a statement the server refuses: exit 2, libpq's words, nothing written.
for bad in "host=127.0.0.1 port=1 connect_timeout=2|Connection refused|SELECT 1" \
  "$ci user=nobody|role \"nobody\" does not exist|SELECT 1" "$ci|syntax error|SELEC 1"; do
  IFS='|' read -r bci want q <<<"$bad"
  rm -rf "$work/bad"
  run --workload=pg --conninfo="$bci" --query="$q" --output-dir="$work/bad" --name=bad
  check "preflight ($want): exit 2" test "$rc" -eq 2
  check "preflight ($want): libpq's message" grep -qF "$want" <<<"$out"
  check "preflight ($want): nothing written" test ! -e "$work/bad"
done
run --workload=pg --conninfo="$ci" --query="SELECT '{task}'" --no-save
check "{task} inside quotes: exit 2 with a hint" bash -c '[[ $1 -eq 2 ]] && grep -q "inside a quoted literal" <<<"$2"' \
  _ "$rc" "$out"
run --workload=pg --query="SELECT 1" --no-save
check "no --conninfo: exit 2" bash -c '[[ $1 -eq 2 ]] && grep -q "needs --conninfo" <<<"$2"' _ "$rc" "$out"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
