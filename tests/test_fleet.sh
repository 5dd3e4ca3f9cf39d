#!/usr/bin/env bash
# test_fleet.sh - scripts/fleet/playbook.yml run for real by ansible-playbook (Debian's ansible-core) against an
# inventory of three local hosts (ansible_connection=local, each its own --host-class and work folder): a short
# io sweep on each in parallel (forks), the results fetched into a folder per host, merged on the control node,
# and the group_vars checked, also as Ansible reads them back. Skips (77) without ansible-playbook.
# Usage: test_fleet.sh path/to/tune-pool
set -u
bin=${1:?usage: test_fleet.sh path/to/tune-pool}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/lib.sh"
if ! command -v ansible-playbook >/dev/null; then
  echo "skip: ansible-playbook not installed (apt-get install ansible-core)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_HOME="$work/ansible" ANSIBLE_LOCAL_TEMP="$work/ansible/tmp" ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=false

# The inventory's groups are the classes, so the group_vars merge writes next to it apply to them.
inv="$work/inventory"
mkdir -p "$inv"
cat >"$inv/hosts.ini" <<EOF
[alpha]
local-a1 tunepool_workdir=$work/hosts/a1
local-a2 tunepool_workdir=$work/hosts/a2
[beta]
local-b1 tunepool_workdir=$work/hosts/b1
[alpha:vars]
tunepool_class=alpha
[beta:vars]
tunepool_class=beta
[all:vars]
ansible_connection=local
ansible_python_interpreter=$(command -v python3)
tunepool_args=--workload=io --latency=1ms --compute=20us --multipliers=1,2,4 --repeat=2 --tasks=100
EOF

out=$(ansible-playbook -i "$inv/hosts.ini" -f 3 "$src/scripts/fleet/playbook.yml" -e "tunepool_local_bin=$bin" \
  -e "tunepool_fetch_dir=$work/fetched" -e "tunepool_output_dir=$inv" 2>&1)
rc=$?
check "the playbook succeeds" test "$rc" -eq 0
check "no host failed" grep -Eq 'local-b1 +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' <<<"$out"
for h in local-a1 local-a2 local-b1; do
  check "$h: its result fetched into its own folder" test -s "$work/fetched/$h/fleet.json"
  check "$h: the tool was copied into its work folder" test -x "$work/hosts/${h#local-}/tune-pool"
done
cls=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host"]["class"])' "$work/fetched/local-a2/fleet.json")
check "each host ran with its own --host-class" test "$cls" = alpha

check "merged.json written" test -s "$inv/merged.json"
out=$(python3 "$src/tests/check_schema.py" "$inv/merged.json" 2>&1)
check "merged.json follows schema/merge.schema.json" grep -q ' 0 problem' <<<"$out"
out=$(python3 - "$inv/merged.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(f"{c['class']}:{c['n_hosts']}" for c in d["classes"]), "skipped:%d" % len(d["skipped"]))
EOF
)
check "merge found two classes, 2 + 1 hosts, nothing skipped" test "$out" = "alpha:2 beta:1 skipped:0"

for c in alpha beta; do
  f="$inv/group_vars/$c.yml"
  check "group_vars/$c.yml written" test -s "$f"
  check "group_vars/$c.yml sets tunepool_threads" grep -Eq '^tunepool_threads: [0-9]+$' "$f"
  check "group_vars/$c.yml sets tunepool_multiplier" grep -Eq '^tunepool_multiplier: [0-9.e+-]+$' "$f"
done
want=$(python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1]))["classes"] if c["class"] == "alpha"][0]["pick"]["threads"])' "$inv/merged.json")
# Ansible itself reads the group_vars back for the class's hosts.
out=$(ansible-inventory -i "$inv/hosts.ini" --host local-a1 2>&1)
check "Ansible gives local-a1 its class's tunepool_threads ($want)" grep -Eq "\"tunepool_threads\": $want\b" <<<"$out"
out=$(ansible-inventory -i "$inv/hosts.ini" --host local-b1 2>&1)
check "and local-b1 its own class's" grep -q '"tunepool_threads"' <<<"$out"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
