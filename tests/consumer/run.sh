#!/usr/bin/env bash
# run.sh - installs this build into a temporary prefix, then configures, builds and runs tests/consumer
# against it: once from a fixture results JSON (RESULTS), once really measuring at configure time.
set -u
build=${1:?usage: run.sh BUILD_DIR CMAKE FIXTURE_JSON}
cmake=${2:?}
fixture=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok   $1"; }
no() { echo "FAIL $1"; [[ -n ${2:-} ]] && sed 's/^/     | /' <<<"$2"; fail=1; }

prefix="$work/prefix"
if ! out=$("$cmake" --install "$build" --prefix "$prefix" 2>&1); then
  no "cmake --install" "$out"; exit 1
fi
ok "cmake --install into a temporary prefix"
for f in bin/tune-pool include/tunepool/tunepool.h lib/pkgconfig/tunepool.pc \
         lib/cmake/tunepool/tunepoolConfig.cmake lib/cmake/tunepool/tunepoolConfigVersion.cmake \
         lib/cmake/tunepool/tunepoolRecommend.cmake lib/cmake/tunepool/tunepoolTargets.cmake \
         share/tunepool/plot.gp; do
  if [[ -e $prefix/$f ]]; then ok "installed $f"; else no "installed $f"; fi
done
if ls "$prefix"/lib/libtunepool.so* >/dev/null 2>&1 && [[ -e $prefix/lib/libtunepool.a ]]; then
  ok "installed the shared and the static library"
else
  no "installed the shared and the static library" "$(ls -R "$prefix/lib")"
fi
if command -v help2man >/dev/null; then
  if [[ -s $prefix/share/man/man1/tune-pool.1 ]]; then ok "installed the man page"; else no "installed the man page"; fi
fi
if command -v pkg-config >/dev/null; then
  if out=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs tunepool 2>&1) \
     && grep -q -- "-ltunepool" <<<"$out"; then ok "pkg-config finds tunepool"; else no "pkg-config finds tunepool" "$out"; fi
fi

# The number the fixture recommends, as tune-pool itself reads it.
expect=$( (eval "$("$prefix/bin/tune-pool" --from="$fixture" --emit=env)"; echo "$TUNEPOOL_THREADS") )

# A sanitizer build's static library needs the sanitizer at link time too.
san=$(sed -n 's/^TP_SANITIZER:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null)
san_args=()
if [[ -n $san ]]; then
  san_args=(-DCMAKE_C_FLAGS="-fsanitize=$san" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$san")
fi

consumer() { # name, cmake args...
  local name=$1; shift
  local dir="$work/$name"
  if ! out=$("$cmake" -S "$here" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" "${san_args[@]}" "$@" 2>&1); then
    no "$name: configure" "$out"; return 1
  fi
  ok "$name: configure"
  if ! out=$("$cmake" --build "$dir" 2>&1); then no "$name: build" "$out"; return 1; fi
  ok "$name: build"
  if ! run=$(LD_LIBRARY_PATH="$prefix/lib" "$dir/app" 2>&1); then no "$name: run" "$run"; return 1; fi
  got=$(sed -n 's/^threads=\([0-9]*\) .*/\1/p' <<<"$run")
  echo "     $name: app says: $run; pool_threads.txt: $(cat "$dir/pool_threads.txt")"
  [[ -n $got ]] && ok "$name: TUNEPOOL_THREADS reached the program" || no "$name: TUNEPOOL_THREADS reached the program" "$run"
  if static=$("$dir/app_static" 2>&1) && grep -q "^threads=$got " <<<"$static"; then
    ok "$name: the static library links and runs"
  else
    no "$name: the static library links and runs" "$static"
  fi
  cmake_var=$(cut -d' ' -f1 "$dir/pool_threads.txt")
  [[ $cmake_var == "$got" ]] && ok "$name: the CMake variable equals the compile definition" \
    || no "$name: the CMake variable equals the compile definition" "$cmake_var vs $got"
}

consumer fixture -DCONSUMER_RESULTS="$fixture"
if [[ ${got:-} == "$expect" ]]; then ok "fixture: the number is the fixture's ($expect)"; else no "fixture: the number is the fixture's" "expected $expect, got ${got:-none}"; fi

consumer measure
# The measured document stays in the build tree and is reused on the next configure.
json="$work/measure/tunepool/POOL_THREADS.json"
if [[ -s $json ]]; then ok "measure: results cached at build/tunepool/POOL_THREADS.json"; else no "measure: results cached"; fi
if out=$("$cmake" -S "$here" -B "$work/measure" 2>&1) && ! grep -q "measuring" <<<"$out"; then
  ok "measure: a second configure reads the cache instead of measuring"
else
  no "measure: a second configure reads the cache instead of measuring" "$out"
fi

# Something that is not a results document is refused at configure time.
echo '{"tool": "other"}' >"$work/bad.json"
if out=$("$cmake" -S "$here" -B "$work/bad" -DCMAKE_PREFIX_PATH="$prefix" -DCONSUMER_RESULTS="$work/bad.json" 2>&1); then
  no "a foreign JSON fails the configure" "$out"
else
  grep -q "not a tune-pool results" <<<"$out" && ok "a foreign JSON fails the configure" \
    || no "a foreign JSON fails the configure with a clear message" "$out"
fi
exit $fail
