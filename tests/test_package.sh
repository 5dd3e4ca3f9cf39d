#!/usr/bin/env bash
# test_package.sh - `cpack -G DEB` makes a package a user installs: its control fields (dependencies from
# shlibdeps, gnuplot recommended), its files, and the installed tool, man page, completion, schemas and a
# consumer build (pkg-config and find_package) against it, unpacked into a scratch root.
# Usage: test_package.sh BUILD_DIR FIXTURE_JSON
set -u
build=$1
fixture=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || { echo "skip: $t not found (apt-get install cmake dpkg-dev)"; exit 0; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$(cd "$build" && cpack -G DEB -B "$work/pkg" 2>&1)
deb=$(ls "$work"/pkg/tune-pool_*.deb 2>/dev/null | head -n 1)
check "cpack -G DEB makes tune-pool_<version>_<arch>.deb" test -s "${deb:-/nonexistent}"
[[ -n $deb ]] || { echo "$out"; echo "$pass passed, $fail failed"; exit 1; }

depends=$(dpkg-deb -f "$deb" Depends)
out=$depends
check "Depends names the hwloc runtime (shlibdeps)" grep -q "libhwloc15" <<<"$depends"
check "Depends names the jansson runtime (shlibdeps)" grep -q "libjansson4" <<<"$depends"
check "Depends names libc (shlibdeps)" grep -q "libc6" <<<"$depends"
out=$(dpkg-deb -f "$deb" Recommends)
check "gnuplot is recommended" grep -q "gnuplot" <<<"$out"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/tune-pool ./usr/include/tunepool/tunepool.h ./usr/include/tunepool/plugin.h \
         ./usr/lib/pkgconfig/tunepool.pc ./usr/lib/cmake/tunepool/tunepoolConfig.cmake \
         ./usr/lib/cmake/tunepool/tunepoolConfigVersion.cmake ./usr/lib/libtunepool.a \
         ./usr/share/bash-completion/completions/tune-pool ./usr/share/zsh/vendor-completions/_tune-pool ./usr/share/tunepool/schema/sweep.schema.json \
         ./usr/share/tunepool/schema/online.schema.json ./usr/share/tunepool/schema/merge.schema.json \
         ./usr/share/tunepool/plot.gp \
         ./usr/share/doc/tune-pool/README.md ./usr/share/doc/tune-pool/docs/run.md \
         ./usr/share/doc/tune-pool/examples/plugin/checksum.c; do
  out=$contents
  check "the package holds $f" grep -qxF "$f" <<<"$contents"
done
out=$contents
check "the package holds the shared library" grep -qE '^\./usr/lib/libtunepool\.so\.[0-9]+$' <<<"$contents"
check "the package holds the man page" grep -qE '^\./usr/share/man/man1/tune-pool\.1' <<<"$contents"

root=$work/root
dpkg-deb -x "$deb" "$root"
out=$("$root/usr/bin/tune-pool" --version 2>&1)
check "the installed tune-pool --version runs" grep -q "tune-pool" <<<"$out"
out=$(MANPATH="$root/usr/share/man" man -w tune-pool 2>&1)
check "man -w tune-pool finds the installed page" grep -q "$root/usr/share/man/man1/tune-pool.1" <<<"$out"
out=$(MANPATH="$root/usr/share/man" MANWIDTH=80 man tune-pool 2>/dev/null | col -b)
check "the man page has its examples" grep -q "EXAMPLES" <<<"$out"
check "the man page has its exit status" grep -q "EXIT STATUS" <<<"$out"
out=$(bash -c 'source "$1" 2>&1; declare -F _tune_pool' _ "$root/usr/share/bash-completion/completions/tune-pool")
check "the installed completion defines _tune_pool" grep -q _tune_pool <<<"$out"
out=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["$id"])' "$root/usr/share/tunepool/schema/sweep.schema.json" 2>&1)
check "the installed schema has its id" grep -q "urn:tune-pool:schema:sweep" <<<"$out"

# A consumer through pkg-config, then through find_package (tests/consumer).
export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs tunepool 2>&1)
out=$(cc -o "$work/app_pc" "$here/consumer/main.c" -DTUNEPOOL_THREADS=7 $flags 2>&1)
check "pkg-config: a consumer compiles and links against the package" test -x "$work/app_pc"
out=$(LD_LIBRARY_PATH="$root/usr/lib" "$work/app_pc" 2>&1)
check "pkg-config: the consumer runs with the packaged shared library" grep -q "threads=7 library=" <<<"$out"
out=$(PATH="$root/usr/bin:$PATH" cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$root/usr" \
      -DCONSUMER_RESULTS="$fixture" 2>&1 && cmake --build "$work/consumer" 2>&1)
check "find_package(tunepool): the consumer configures and builds" test -x "$work/consumer/app"
out=$(LD_LIBRARY_PATH="$root/usr/lib" "$work/consumer/app" 2>&1)
check "find_package: the number reached the consumer" grep -qE "^threads=[0-9]+ " <<<"$out"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
