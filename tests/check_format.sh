#!/usr/bin/env bash
# check_format.sh - every C file of the tree is as .clang-format formats it (clang-format 14, Debian).
# Prints the files that differ; exit 1 if any. Skips with a message when clang-format is missing.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null || { echo "skip: clang-format not found (apt-get install clang-format)"; exit 0; }
# The tracked C files; outside a git checkout (a tarball), every C file under those folders.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'scripts/bench/*.c' 'scripts/bench/*.h' 'examples/*.c')
else
  files=$(find src include tests scripts/bench examples -name '*.[ch]' -not -path '*/fuzz/corpus/*' | sort)
fi
[[ -n $files ]] || { echo "check_format: no C file found: a broken checkout"; exit 1; }
# One clang-format process checks them all (--dry-run --Werror: a warning per change, exit 1 if any); the
# files it names are then listed once each.
bad=0
# shellcheck disable=SC2086 # the file list is split on purpose (tracked paths have no spaces)
if ! report=$(clang-format --dry-run --Werror $files 2>&1); then
  bad=1
  named=$(sed -n 's/^\([^: ]*\.[ch]\):[0-9]*:[0-9]*: .*/\1/p' <<<"$report" | sort -u)
  [[ -n $named ]] || { echo "check_format: clang-format failed:"; echo "$report"; }
  for f in $named; do echo "not formatted: $f (clang-format -i $f)"; done
fi
[[ $bad -eq 0 ]] && echo "check_format: every C file is formatted"
exit $bad
