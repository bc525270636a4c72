#!/bin/sh
# test-sdk.sh — the SDK as a third party meets it: install docpipe into a
# temporary prefix, build sdk/template against that installation with CMake
# (find_package) and with pkg-config, and run the result in a pipeline with
# the installed docpipe binary.
set -eu
build_dir=$1
src_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
cp -r "$tmp/prefix/share/docpipe/template" "$tmp/src"

# 1. find_package(Docpipe)
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
test -f "$tmp/build/keywords.so"

# 2. pkg-config
libdir=$(ls -d "$tmp/prefix"/lib*/pkgconfig | head -n 1)
PKG_CONFIG_PATH="$libdir" make -s -C "$tmp/src" >/dev/null
test -f "$tmp/src/keywords.so"

# The installed binary runs the installed reader/writer plus the new stage.
docpipe="$tmp/prefix/bin/docpipe"
"$docpipe" plugins -P "$tmp/build" keywords | grep -q "words"
printf 'Iran and the IAEA met in Vienna; iran said no.\n' > "$tmp/doc.txt"
for plugdir in "$tmp/build" "$tmp/src"; do
  out=$("$docpipe" run -q -P "$plugdir" -e "reader path=$tmp/doc.txt ! keywords words=Iran,IAEA ! writer")
  echo "$out" | grep -q '"keywords":\[{"id":"keywords-1","start":0,"end":4,"label":"KEYWORD","text":"Iran"},{"id":"keywords-2","start":13,"end":17,"label":"KEYWORD","text":"IAEA"},{"id":"keywords-3","start":33,"end":37,"label":"KEYWORD","text":"iran"}\]' \
    || { echo "unexpected output from $plugdir: $out" >&2; exit 1; }
done

# The installed news pipeline runs against the installed samples.
"$docpipe" run -q "$tmp/prefix/share/docpipe/pipelines/news.pipeline" | wc -l | grep -qx 12
echo "SDK install, template build (CMake and pkg-config) and run: ok"
