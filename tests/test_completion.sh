#!/usr/bin/env bash
# test_completion.sh - the generated bash completion (tune-pool completion bash), sourced and asked as bash
# asks it: options, closed sets of values, file names after --from= and plugin:.
# Usage: test_completion.sh TUNE_POOL
set -u
bin=$1
source "$(dirname "$0")/lib.sh"
bc=/usr/share/bash-completion/bash_completion
if [[ ! -f $bc ]]; then echo "skip: bash-completion is not installed (apt-get install bash-completion)"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" completion bash >"$work/tune-pool.bash" || { echo "FAIL completion bash"; exit 1; }
mkdir -p "$work/res" && touch "$work/res/a.json" "$work/res/b.json" "$work/res/notes.txt" "$work/libtask.so"

# complete WORD...: the completions bash offers for the last word of `tune-pool WORD...`.
complete_words() {
  ( cd "$work" && bash -c '
      source "$1" >/dev/null 2>&1; source "$2"; shift 2
      COMP_WORDS=(tune-pool "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
      compopt() { :; }; _tune_pool; printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$work/tune-pool.bash" "$@" )
}
has() { grep -qxF -- "$1" <<<"$2"; }

out=$(complete_words --work)
check "options: --work completes to --workload= and --workload-arg=" has --workload= "$out"
check "options: --workload-arg= too" has --workload-arg= "$out"
out=$(complete_words --onl)
check "options: a flag completes without =" has --online "$out"
for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
  out=$(complete_words "$opt")
  check "every --help option completes: $opt" grep -qE -- "^$opt=?\$" <<<"$out"
done
out=$(complete_words --workload=)
check "--workload= values: io" has io "$out"
check "--workload= values: plugin:" has plugin: "$out"
out=$(complete_words --workload=plugin:lib)
# bash breaks words at ":" (COMP_WORDBREAKS), so the reply is what follows it.
check "plugin: completes a file name" has libtask.so "$out"
out=$(complete_words --format "")
for v in table csv json markdown; do check "--format value $v" has "$v" "$out"; done
out=$(complete_words --emit "")
for v in cmake make header env json; do check "--emit value $v" has "$v" "$out"; done
out=$(complete_words --strategy "")
check "--strategy values: adaptive" has adaptive "$out"
out=$(complete_words --executor "")
check "--executor values: both" has both "$out"
out=$(complete_words --from=res/)
check "--from= offers JSON files" has res/a.json "$out"
check "--from= leaves other files out" bash -c '! grep -qx res/notes.txt <<<"$1"' _ "$out"
out=$(complete_words --output-dir "r")
check "--output-dir offers directories" has res "$out"
out=$(complete_words co)
check "subcommands: compare, completion" has compare "$out"
out=$(complete_words compare "res/")
check "compare takes JSON files" has res/b.json "$out"
out=$(complete_words merge "res/")
check "merge takes JSON files" has res/b.json "$out"
out=$(complete_words merge --e)
check "merge completes its own options: --emit=" has --emit= "$out"
out=$(complete_words merge --emit "")
check "merge --emit values: ansible" has ansible "$out"
for opt in $("$bin" merge --help | grep -oE -- '^  --[a-z][a-z0-9-]+' | sort -u); do
  out=$(complete_words merge "$opt")
  check "every merge --help option completes: $opt" grep -qE -- "^$opt=?\$" <<<"$out"
done
"$bin" completion fish >/dev/null 2>&1; rc=$?
check "completion for another shell is a usage error" test "$rc" -eq 2

# zsh: the generated function parses, and hands _arguments a spec for every option with the closed sets
# (zsh's completion system itself needs a terminal: _arguments and _values are stubs that print their words).
if command -v zsh >/dev/null; then
  "$bin" completion zsh >"$work/_tune-pool" || fail=$((fail + 1))
  check "zsh: the script parses" zsh -n "$work/_tune-pool"
  specs=$(zsh -fc '_arguments() { printf "%s\n" "$@"; }; _values() { printf "%s\n" "$@"; }
    words=(tune-pool --q); CURRENT=2; source "$1"' _ "$work/_tune-pool")
  for opt in $("$bin" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    check "zsh: spec for $opt" grep -qE -- "^$opt(=-|\$)" <<<"$specs"
  done
  check "zsh: --workload's values" grep -qE -- '^--workload=-:workload:\(io cpu .*plugin:.*\)$' <<<"$specs"
  check "zsh: --from takes JSON files" grep -qxF -- '--from=-:results:_files -g \*.json' <<<"$specs"
  subs=$(zsh -fc '_values() { printf "%s\n" "$@"; }; words=(tune-pool co); CURRENT=2; source "$1"' _ "$work/_tune-pool")
  check "zsh: subcommands" grep -qx compare <<<"$subs"
else
  echo "skip: zsh is not installed (zsh completion untested)"
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
