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
bad=0
for f in $files; do
  if ! clang-format "$f" | cmp -s - "$f"; then echo "not formatted: $f (clang-format -i $f)"; bad=1; fi
done
[[ $bad -eq 0 ]] && echo "check_format: every C file is formatted"
exit $bad
