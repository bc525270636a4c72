#!/bin/sh
# test-sdk.sh — the SDK as a third party meets it: install docpipe into a
# temporary prefix, build sdk/template against that installation with CMake
# (find_package) and with pkg-config (make, PKG_CONFIG_PATH given as the docs
# say), run its harness test, and run the result in pipelines with the
# installed docpipe binary: a second run over its own output, a record whose
# span is refused, and a consumer project whose own GLIB_* variables must
# survive find_package(Docpipe).
set -eu
build_dir=$1
src_dir=$2
link_flags=${3:-}   # for programs linked against a sanitized build: -fsanitize=…
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail () { echo "test-sdk: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cp -r "$tmp/prefix/share/docpipe/template" "$tmp/src"
cp -r "$tmp/src" "$tmp/src-nopc"
pcdir=$(ls -d "$tmp/prefix"/lib*/pkgconfig | head -n 1)
# Nothing from the caller's environment may find an SDK for us.
unset PKG_CONFIG_PATH

# 1. find_package(Docpipe); the template's harness test through ctest.
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >/dev/null
cmake --build "$tmp/build" >/dev/null
test -f "$tmp/build/keywords.so"
ctest --test-dir "$tmp/build" --output-on-failure >/dev/null || fail "template test (CMake build) failed"

# 2. pkg-config, with PKG_CONFIG_PATH on make's command line as the docs say.
make -s -C "$tmp/src" PKG_CONFIG_PATH="$pcdir" LDFLAGS="$link_flags" >/dev/null 2>"$tmp/make.err" \
  || fail "make PKG_CONFIG_PATH=… failed: $(cat "$tmp/make.err")"
test -f "$tmp/src/keywords.so"
make -s -C "$tmp/src" PKG_CONFIG_PATH="$pcdir" LDFLAGS="$link_flags" check >/dev/null || fail "make check failed"

# 3. Without it: a clear error before any compilation.
if make -C "$tmp/src-nopc" >"$tmp/nopc.out" 2>&1; then
  fail "make without PKG_CONFIG_PATH succeeded"
fi
grep -q "pkg-config cannot find docpipe-sdk" "$tmp/nopc.out" || fail "unclear make error: $(cat "$tmp/nopc.out")"
grep -q "PKG_CONFIG_PATH=" "$tmp/nopc.out" || fail "make error does not say what to set: $(cat "$tmp/nopc.out")"
! grep -q "No such file" "$tmp/nopc.out" || fail "make went on into a compiler error: $(cat "$tmp/nopc.out")"
test ! -e "$tmp/src-nopc/keywords.so"

# The installed binary runs the installed reader/writer plus the new stage.
docpipe="$tmp/prefix/bin/docpipe"
"$docpipe" plugins -P "$tmp/build" keywords | grep -q "words"
printf 'Iran and the IAEA met in Vienna; iran said no.\n' > "$tmp/doc.txt"
for plugdir in "$tmp/build" "$tmp/src"; do
  out=$("$docpipe" run -q -P "$plugdir" -e "reader path=$tmp/doc.txt ! keywords words=Iran,IAEA ! writer")
  echo "$out" | grep -q '"keywords":\[{"id":"keywords-1","start":0,"end":4,"label":"KEYWORD","text":"Iran"},{"id":"keywords-2","start":13,"end":17,"label":"KEYWORD","text":"IAEA"},{"id":"keywords-3","start":33,"end":37,"label":"KEYWORD","text":"iran"}\]' \
    || fail "unexpected output from $plugdir: $out"
done

# 4. A second run over the first run's output gives the same layer, not twice as many spans.
"$docpipe" run -q -P "$tmp/build" -e "reader path=$tmp/doc.txt ! keywords words=Iran,IAEA ! writer path=$tmp/once.jsonl"
"$docpipe" run -q -P "$tmp/build" -e "reader path=$tmp/once.jsonl ! keywords words=Iran,IAEA ! writer path=$tmp/twice.jsonl"
n_once=$(grep -o '"label":"KEYWORD"' "$tmp/once.jsonl" | wc -l)
n_twice=$(grep -o '"label":"KEYWORD"' "$tmp/twice.jsonl" | wc -l)
[ "$n_once" -eq 3 ] && [ "$n_twice" -eq 3 ] || fail "keywords: $n_once spans after one run, $n_twice after two"

# 5. A span the core refuses fails that record only: dead letter, the others go on.
# The template is built with dp_layer_add_span() wrapped so that a span at
# byte 0 gets an end past the text; libdocpipe refuses it as it would any bad
# offset, and the template must take the dp_batch_fail() path.
mkdir "$tmp/faulty"
cat > "$tmp/faulty/inject.c" <<'EOF'
#include <docpipe/docpipe.h>
DpSpan *dp_test_add_span (DpLayer *layer, gsize start, gsize end, const char *label, GError **error);
DpSpan *
dp_test_add_span (DpLayer *layer, gsize start, gsize end, const char *label, GError **error)
{
  return dp_layer_add_span (layer, start, start == 0 ? end + 1000 : end, label, error);
}
EOF
sdk_cflags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags docpipe-sdk)
sdk_libs=$(PKG_CONFIG_PATH="$pcdir" pkg-config --libs docpipe-sdk)
# shellcheck disable=SC2086
cc -std=c11 -fPIC -fvisibility=hidden $sdk_cflags -Ddp_layer_add_span=dp_test_add_span -c "$tmp/src/keywords.c" -o "$tmp/faulty/keywords.o"
# shellcheck disable=SC2086
cc -std=c11 -fPIC -fvisibility=hidden $sdk_cflags -c "$tmp/faulty/inject.c" -o "$tmp/faulty/inject.o"
# shellcheck disable=SC2086
cc -shared -o "$tmp/faulty/keywords.so" "$tmp/faulty/keywords.o" "$tmp/faulty/inject.o" $sdk_libs
printf '{"id":"a","text":"Talks with Iran."}\n{"id":"b","text":"Iran said no."}\n{"id":"c","text":"Iran"}\n{"id":"d","text":"No keyword."}\n' > "$tmp/four.jsonl"
status=0
(cd "$tmp" && "$docpipe" run -q -P "$tmp/faulty" \
   -e "reader path=$tmp/four.jsonl ! keywords words=Iran ! writer path=$tmp/survivors.jsonl") || status=$?
[ "$status" -eq 3 ] || fail "span error: exit code $status, expected 3 (finished with dead letters)"
ids=$(grep -o '"id":"[a-d]"' "$tmp/survivors.jsonl" | tr -d '\n')
[ "$ids" = '"id":"a""id":"d"' ] || fail "span error: records written: $ids"
dead=$(cat "$tmp/inline-dead-letter.jsonl")
[ "$(wc -l < "$tmp/inline-dead-letter.jsonl")" -eq 2 ] || fail "span error: dead letters: $dead"
echo "$dead" | grep -q '^{"id":"b","source":"[^"]*","stage":"keywords","error":"[^"]' || fail "span error: dead letters: $dead"
echo "$dead" | grep -q '^{"id":"c",' || fail "span error: dead letters: $dead"

# 6. find_package(Docpipe) leaves the consumer's own variables alone.
mkdir "$tmp/consumer"
cat > "$tmp/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES C)
# What a project that found GLib its own way (or by pkg_check_modules(GLIB glib-2.0)) holds.
set(vars GLIB_FOUND GLIB_LIBRARIES GLIB_LINK_LIBRARIES GLIB_INCLUDE_DIRS GLIB_CFLAGS GLIB_VERSION
         JSONGLIB_FOUND JSONGLIB_LIBRARIES JSONGLIB_INCLUDE_DIRS)
foreach(var IN LISTS vars)
  set(${var} "consumer-${var}")
endforeach()
find_package(Docpipe REQUIRED)
foreach(var IN LISTS vars)
  if(NOT "${${var}}" STREQUAL "consumer-${var}")
    message(FATAL_ERROR "find_package(Docpipe) changed ${var} to '${${var}}'")
  endif()
endforeach()
if(TARGET PkgConfig::GLIB OR TARGET PkgConfig::JSONGLIB)
  message(FATAL_ERROR "find_package(Docpipe) created targets in the consumer's names")
endif()
# A second find_package (another subdirectory doing the same) is harmless.
find_package(Docpipe REQUIRED)
# And the targets still work: a plugin and a harness test link.
add_library(keywords MODULE "${KEYWORDS_SRC}/keywords.c")
target_link_libraries(keywords PRIVATE Docpipe::docpipe)
set_target_properties(keywords PROPERTIES PREFIX "")
add_executable(test-keywords "${KEYWORDS_SRC}/test-keywords.c")
target_link_libraries(test-keywords PRIVATE Docpipe::harness)
EOF
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DKEYWORDS_SRC="$tmp/src" -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$tmp/consumer.out" 2>&1 || { grep -A3 "CMake Error" "$tmp/consumer.out"; fail "the consumer project failed (above)"; }
cmake --build "$tmp/consumer/build" >/dev/null || fail "consumer build failed"
"$tmp/consumer/build/test-keywords" "$tmp/consumer/build/keywords.so" >/dev/null || fail "consumer's harness test failed"

# The installed news pipeline runs against the installed samples.
"$docpipe" run -q "$tmp/prefix/share/docpipe/pipelines/news.pipeline" | wc -l | grep -qx 12
echo "SDK install, template build (CMake and pkg-config), harness test, re-run, span errors, consumer variables: ok"
