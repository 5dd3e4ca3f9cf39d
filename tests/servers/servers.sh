# servers.sh - sourced by tests and benchmarks: throwaway PostgreSQL and nginx servers on loopback, each in a
# temporary directory on a free port, stopped by tp_servers_stop (call it from an EXIT trap: pass or fail).
#   tp_pg_start DIR [max_connections]   sets TP_PG_CONNINFO, TP_PG_PORT; needs postgresql-15 (initdb refuses
#                                       root: the cluster belongs to the postgres user, trust auth on loopback)
#   tp_nginx_start DIR                  sets TP_NGINX_URL (http://127.0.0.1:PORT); endpoints:
#                                       /fast (200 "ok"), /sleep?s=SECONDS (200 after an echo_sleep timer),
#                                       /error (500), /echo (the request body back),
#                                       /flaky (500 for about 5% of the requests, by request id; else 200)
#   tp_servers_stop                     stops whatever was started (safe to call twice)

TP_PG_BIN=${TP_PG_BIN:-/usr/lib/postgresql/15/bin}
_tp_pg_data="" _tp_nginx_dir=""

tp_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_tp_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

tp_pg_start() { # dir [max_connections]
  local dir=$1 maxc=${2:-100}
  [[ -x $TP_PG_BIN/initdb ]] || { echo "servers.sh: $TP_PG_BIN/initdb missing (apt-get install postgresql-15)" >&2; return 1; }
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir" && chmod 700 "$dir"
  _tp_pg_data=$dir/data
  _tp_as_postgres "$TP_PG_BIN/initdb" -D "$_tp_pg_data" -A trust -U tp --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  TP_PG_PORT=$(tp_free_port)
  _tp_as_postgres "$TP_PG_BIN/pg_ctl" -D "$_tp_pg_data" -l "$dir/server.log" -w -t 60 \
    -o "-p $TP_PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=$maxc -c fsync=off \
        -c shared_buffers=32MB -c superuser_reserved_connections=0" start >/dev/null ||
    { cat "$dir/server.log" >&2; return 1; }
  TP_PG_CONNINFO="host=127.0.0.1 port=$TP_PG_PORT user=tp dbname=postgres connect_timeout=5"
  export TP_PG_CONNINFO TP_PG_PORT
}

# Runs SQL on the throwaway cluster (psql, quiet, stops on the first error).
tp_pg_sql() {
  "$TP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$TP_PG_CONNINFO" -c "$1"
}

tp_nginx_start() { # dir
  local dir=$1 mod=/usr/lib/nginx/modules/ngx_http_echo_module.so
  command -v nginx >/dev/null || { echo "servers.sh: nginx missing (apt-get install nginx-light)" >&2; return 1; }
  [[ -f $mod ]] || { echo "servers.sh: $mod missing (apt-get install libnginx-mod-http-echo)" >&2; return 1; }
  mkdir -p "$dir"
  _tp_nginx_dir=$dir
  local port; port=$(tp_free_port)
  cat >"$dir/nginx.conf" <<CONF
load_module $mod;
daemon on;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  split_clients "\${request_id}" \$tp_flaky { 5% fail; * ok; }
  server {
    listen 127.0.0.1:$port;
    location = /fast  { default_type text/plain; return 200 "ok\n"; }
    location = /sleep { default_type text/plain; echo_sleep \$arg_s; echo "ok"; }
    location = /error { default_type text/plain; return 500 "error\n"; }
    location = /echo  { default_type text/plain; echo_read_request_body; echo_request_body; }
    location = /flaky { default_type text/plain; if (\$tp_flaky = fail) { return 500 "error\n"; } return 200 "ok\n"; }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" || { cat "$dir/error.log" >&2; return 1; }
  TP_NGINX_URL=http://127.0.0.1:$port
  local i
  for i in $(seq 50); do
    curl -fsS "$TP_NGINX_URL/fast" >/dev/null 2>&1 && { export TP_NGINX_URL; return 0; }
    sleep 0.1
  done
  echo "servers.sh: nginx did not answer on $TP_NGINX_URL" >&2
  return 1
}

tp_servers_stop() {
  if [[ -n $_tp_pg_data && -f $_tp_pg_data/postmaster.pid ]]; then
    _tp_as_postgres "$TP_PG_BIN/pg_ctl" -D "$_tp_pg_data" -m immediate -w stop >/dev/null 2>&1
  fi
  _tp_pg_data=""
  if [[ -n $_tp_nginx_dir && -f $_tp_nginx_dir/nginx.pid ]]; then
    local pid; pid=$(cat "$_tp_nginx_dir/nginx.pid" 2>/dev/null)
    # (if, not &&, and || true: a caller under set -e must not exit on a server that is already gone)
    if [[ -n $pid ]]; then
      kill -QUIT "$pid" 2>/dev/null || true
      local i; for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  _tp_nginx_dir=""
  return 0
}
