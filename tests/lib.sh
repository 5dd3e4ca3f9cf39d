# lib.sh - what the shell tests share: pass/fail counters and their check helpers. Source it.
pass=0
fail=0

# ok NAME / no NAME [OUTPUT]: count a result and print it (OUTPUT indented under a failure).
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [[ -n ${2:-} ]] && sed 's/^/     | /' <<<"$2"; }

# check NAME COMMAND...: ok when COMMAND succeeds, else no, showing $out.
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else no "$name" "${out:-}"; fi
}
