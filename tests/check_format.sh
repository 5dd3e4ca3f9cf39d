#!/usr/bin/env bash
# check_format.sh - every C file of the tree is as .clang-format formats it (clang-format 14, Debian).
# Prints the files that differ; exit 1 if any. Skips with a message when clang-format is missing.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null || { echo "skip: clang-format not found (apt-get install clang-format)"; exit 0; }
bad=0
for f in $(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'scripts/bench/*.c' 'scripts/bench/*.h' 'examples/*.c'); do
  if ! clang-format "$f" | cmp -s - "$f"; then echo "not formatted: $f (clang-format -i $f)"; bad=1; fi
done
[[ $bad -eq 0 ]] && echo "check_format: every C file is formatted"
exit $bad
