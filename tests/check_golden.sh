#!/usr/bin/env bash
# check_golden.sh - every report of the seeded synthetic sweeps (tests/golden_reports.c) is byte for byte the
# committed one in tests/golden/. Usage: check_golden.sh GOLDEN_REPORTS_BINARY [--update]
set -uo pipefail
bin=$1
golden=$(cd "$(dirname "$0")" && pwd)/golden
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" "$out" || { echo "check_golden: $bin failed"; exit 1; }
if [[ ${2:-} == --update ]]; then
  rm -rf "$golden" && mkdir -p "$golden" && cp "$out"/* "$golden"/
  echo "check_golden: $(ls "$golden" | wc -l) files written to $golden"
  exit 0
fi
status=0
for f in "$golden"/* "$out"/*; do
  name=$(basename "$f")
  if [[ ! -f $golden/$name ]]; then echo "new report not in tests/golden: $name"; status=1; continue; fi
  if [[ ! -f $out/$name ]]; then echo "report no longer written: $name"; status=1; continue; fi
done
for f in "$golden"/*; do
  name=$(basename "$f")
  [[ -f $out/$name ]] || continue
  if ! cmp -s "$f" "$out/$name"; then
    echo "report differs from tests/golden/$name:"
    diff -u "$f" "$out/$name" | head -20
    status=1
  fi
done
n=$(ls "$golden" | wc -l)
if [[ $status -eq 0 ]]; then echo "check_golden: $n reports identical"; fi
exit $status
