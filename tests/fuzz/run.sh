#!/bin/sh
# run.sh — builds the libFuzzer targets with clang, ASan and UBSan, and runs
# each for SECONDS (default 60) from a seed corpus of our sample articles.
#   tests/fuzz/run.sh [SECONDS]
# Exits non-zero, keeping the failing input in build-fuzz/, if a target fails.
set -eu
seconds=${1:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
CC=clang cmake -S "$src" -B "$build" -DDOCPIPE_FUZZ=ON -DDOCPIPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz-normalize fuzz-record-json >/dev/null

corpus=$build/fuzz-corpus
mkdir -p "$corpus/fuzz-normalize" "$corpus/fuzz-record-json"
cp "$src"/samples/news/*.txt "$corpus/fuzz-normalize/"
cp "$src"/tests/fuzz/regressions/fuzz-normalize/* "$corpus/fuzz-normalize/"   # inputs that once failed
i=0
while IFS= read -r line; do
  i=$((i + 1)); printf '%s' "$line" > "$corpus/fuzz-record-json/sample-$i"
done < "$src/samples/news.jsonl"

status=0
for target in fuzz-normalize fuzz-record-json; do
  echo "$target: ${seconds}s"
  if ! (cd "$build" && "bin/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
          -print_final_stats=1 "$corpus/$target" > "$target.log" 2>&1); then
    grep -E "ERROR|SUMMARY|Test unit written" "$build/$target.log" >&2 || tail -20 "$build/$target.log" >&2
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$build/$target.log" | sed 's/^/  /'
done
exit $status
