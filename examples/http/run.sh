#!/usr/bin/env bash
# examples/http/run.sh - size an HTTP client's connection pool against a real server: a throwaway nginx on
# loopback (tests/servers/servers.sh) with an endpoint that answers after 5 ms, then tune-pool's http workload,
# the pool beside the event loops. Usage: examples/http/run.sh [path/to/tune-pool] (default: build/tune-pool)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/tune-pool}
. tests/servers/servers.sh
dir=$(mktemp -d)
trap 'tp_servers_stop; rm -rf "$dir"' EXIT
tp_nginx_start "$dir/nginx"
set -x
"$bin" --workload=http --url="$TP_NGINX_URL/sleep?s=0.005" --header='Accept: text/plain' \
  --executor=both --max-errors=0.5% --output-dir="$dir/results"
{ set +x; } 2>/dev/null
