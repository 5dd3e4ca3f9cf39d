#!/usr/bin/env bash
# nginx-delay.sh - a local HTTP server whose /delay answers after a fixed wait (nginx + echo module), for the curl example.
#
#   examples/run/nginx-delay.sh start [DELAY]   starts it (DELAY seconds per request, default 0.05);
#                                               prints the port; state lives in $TMPDIR/tp-nginx-delay
#   examples/run/nginx-delay.sh stop            stops it and removes the state
# Needs the Debian packages nginx-light (or nginx) and libnginx-mod-http-echo.
set -euo pipefail
dir=${TMPDIR:-/tmp}/tp-nginx-delay
module=/usr/lib/nginx/modules/ngx_http_echo_module.so

case ${1:-} in
start)
    delay=${2:-0.05}
    [ -f "$module" ] || { echo "nginx-delay.sh: $module missing: apt-get install libnginx-mod-http-echo" >&2; exit 1; }
    mkdir -p "$dir/logs" "$dir/tmp"
    # A free port: bind to 0 and read what the kernel gave.
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$dir/nginx.conf" <<CONF
load_module $module;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    server {
        listen 127.0.0.1:$port;
        location /delay { echo_sleep $delay; echo ok; }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf"
    echo "$port" >"$dir/port"
    echo "$port"
    ;;
stop)
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    rm -rf "$dir"
    ;;
*)
    echo "Usage: nginx-delay.sh start [DELAY] | stop" >&2
    exit 2
    ;;
esac
