#!/bin/sh
# run.sh — builds the libFuzzer targets with clang, ASan and UBSan, replays
# every input that once failed (tests/fuzz/regressions/: these must pass),
# then explores for SECONDS each (default 60) from a seed corpus of our
# sample articles (and tests/fuzz/seeds/TARGET/, with TARGET.dict as its
# dictionary when there is one).
#   tests/fuzz/run.sh [SECONDS] [--strict]
# A replayed regression failing is a test failure (exit 1).  A new finding
# during exploration is reported and its input kept in build-fuzz/; it fails
# the run only with --strict, so that CI does not throw away a change because
# the search happened to find an older bug: add the input to regressions/,
# fix it, and it is checked from then on.
set -eu
seconds=${1:-60}
strict=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
CC=clang cmake -S "$src" -B "$build" -DDOCPIPE_FUZZ=ON -DDOCPIPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz-normalize fuzz-record-json fuzz-ner fuzz-claims fuzz-html >/dev/null

corpus=$build/fuzz-corpus
mkdir -p "$corpus/fuzz-normalize" "$corpus/fuzz-record-json" "$corpus/fuzz-ner" "$corpus/fuzz-claims" "$corpus/fuzz-html"
cp "$src"/samples/news/*.txt "$corpus/fuzz-normalize/"
cp "$src"/samples/news/*.txt "$corpus/fuzz-ner/"
cp "$src"/samples/news/*.txt "$src"/tests/fuzz/seeds/fuzz-claims/* "$corpus/fuzz-claims/"
cp "$src"/tests/fixtures/reader/*.html "$corpus/fuzz-html/"
i=0
while IFS= read -r line; do
  i=$((i + 1)); printf '%s' "$line" > "$corpus/fuzz-record-json/sample-$i"
done < "$src/samples/news.jsonl"

status=0
for target in fuzz-normalize fuzz-record-json fuzz-ner fuzz-claims fuzz-html; do
  regressions=$src/tests/fuzz/regressions/$target
  if [ -d "$regressions" ]; then
    echo "$target: replaying $(ls "$regressions" | wc -l) regression inputs"
    if ! (cd "$build" && "bin/$target" "$regressions"/* > "$target-regressions.log" 2>&1); then
      grep -E "ERROR|SUMMARY|Running" "$build/$target-regressions.log" | tail -5 >&2
      status=1
    fi
  fi
  echo "$target: exploring for ${seconds}s"
  dict=
  [ -f "$src/tests/fuzz/$target.dict" ] && dict="-dict=$src/tests/fuzz/$target.dict"
  if ! (cd "$build" && "bin/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 $dict \
          -print_final_stats=1 "$corpus/$target" > "$target.log" 2>&1); then
    grep -a -E "ERROR|SUMMARY|Test unit written" "$build/$target.log" >&2 || tail -20 "$build/$target.log" >&2
    echo "$target: NEW FINDING (input kept in $build); add it to tests/fuzz/regressions/$target/" >&2
    [ "$strict" = "--strict" ] && status=1
  fi
  grep -a -E "^stat::(number_of_executed_units|peak_rss_mb)" "$build/$target.log" | sed 's/^/  /' || true
done
exit $status
