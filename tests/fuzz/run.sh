#!/bin/sh
# run.sh — builds the libFuzzer targets with clang, ASan and UBSan, replays
# every input that once failed (tests/fuzz/regressions/TARGET/: these must
# pass), then explores for SECONDS per target from a seed corpus of our own
# files (samples/, tests/fixtures/, pipelines/, tests/fuzz/seeds/TARGET/,
# with TARGET.dict as its dictionary when there is one).
#   tests/fuzz/run.sh [SECONDS] [--strict] [--ledger] [--only TARGET[,TARGET…]]
# SECONDS is per target (default 60; CI passes 60, so CI fuzzes
# 12 targets x 60 s = 12 minutes, plus the build).  0 only replays.
# A replayed regression failing is a test failure (exit 1).  A new finding
# during exploration is reported and its input kept in build-fuzz/; it fails
# the run only with --strict, so that CI does not throw away a change because
# the search happened to find an older bug: add the input to regressions/,
# fix it, and it is checked from then on.
# --ledger appends one line per target explored to tests/fuzz/hours.tsv
# (date, target, seconds it ran, executions, findings), so that fuzzing time adds
# up across sessions; tests/fuzz/hours.sh sums it.  The corpus is kept in
# build-fuzz/fuzz-corpus/ between runs, so later runs go on from it.
set -eu
seconds=60
strict=
ledger=
only=
while [ $# -gt 0 ]; do
  case $1 in
    --strict) strict=1 ;;
    --ledger) ledger=1 ;;
    --only) only=$2; shift ;;
    [0-9]*) seconds=$1 ;;
    *) echo "usage: $0 [SECONDS] [--strict] [--ledger] [--only T1,T2]" >&2; exit 2 ;;
  esac
  shift
done
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-fuzz
all="fuzz-normalize fuzz-record-json fuzz-ner fuzz-claims fuzz-html fuzz-tokenize fuzz-decode fuzz-jsonl
fuzz-pipeline fuzz-usergaz fuzz-models fuzz-writer"
targets=$all
[ -n "$only" ] && targets=$(echo "$only" | tr ',' ' ')
CC=clang cmake -S "$src" -B "$build" -DDOCPIPE_FUZZ=ON -DDOCPIPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DBUILD_TESTING=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets >/dev/null

# Seeds: our own files, one input each (the first byte of the targets that
# take a mode byte varies over the files).
corpus=$build/fuzz-corpus
seed() {   # seed TARGET FILE… : the files as they are
  t=$1; shift
  mkdir -p "$corpus/$t"
  cp "$@" "$corpus/$t/"
}
seed_prefixed() {   # seed_prefixed TARGET BYTE NAME FILE : the file after one mode byte
  mkdir -p "$corpus/$1"
  { printf "\\$(printf '%03o' "$2")"; cat "$4"; } > "$corpus/$1/$3"
}
news=$(ls "$src"/samples/news/*.txt)
seed fuzz-normalize $news
seed fuzz-ner $news
seed fuzz-claims $news "$src"/tests/fuzz/seeds/fuzz-claims/*
seed fuzz-html "$src"/tests/fixtures/reader/*.html
seed fuzz-tokenize $news
seed fuzz-usergaz "$src"/plugins/ner/data/aliases.tsv
# A list, a NUL, a document: matches to check.
{ printf '\000'; head -c 3000 "$src/plugins/ner/data/aliases.tsv"; printf '\000'; cat "$src/samples/news/$(ls "$src/samples/news" | head -1)"; } \
  > "$corpus/fuzz-usergaz/aliases-and-news"
mkdir -p "$corpus/fuzz-record-json" "$corpus/fuzz-jsonl" "$corpus/fuzz-decode" "$corpus/fuzz-pipeline" \
  "$corpus/fuzz-models" "$corpus/fuzz-writer"
i=0
while IFS= read -r line; do
  i=$((i + 1)); printf '%s' "$line" > "$corpus/fuzz-record-json/sample-$i"
done < "$src/samples/news.jsonl"
head -c 20000 "$src/samples/news.jsonl" > "$build/news-head.jsonl"
for b in 0 1 5 6 16; do seed_prefixed fuzz-jsonl $b "news-$b" "$build/news-head.jsonl"; done
n=0
for f in $news "$src"/tests/fixtures/reader/*; do
  [ -f "$f" ] || continue
  n=$((n + 1)); seed_prefixed fuzz-decode $((n * 9 % 64)) "file-$n" "$f"
done
for f in "$src"/pipelines/*.pipeline "$src"/tests/fixtures/*.pipeline; do
  [ -f "$f" ] || continue
  seed_prefixed fuzz-pipeline 0 "$(basename "$f")" "$f"
done
printf '\001reader path=- ! normalizer ! ner ! writer path=- format=jsonl\000writer.span-text=false\000pipeline.workers=2' \
  > "$corpus/fuzz-pipeline/expression"
DP_FUZZ_WRITE_SEEDS=$corpus/fuzz-models "$build/bin/fuzz-models" 2>/dev/null
head -c 4000 "$src/plugins/ner/data/clusters.txt" > "$build/clusters-head.txt"
seed_prefixed fuzz-models 1 clusters-head "$build/clusters-head.txt"
for b in 0 1 2 4 5; do seed_prefixed fuzz-writer $b "news-$b" "$src/samples/news/$(ls "$src/samples/news" | head -1)"; done

# The writer, the reader and the loaders write files on every run: without
# fsync (eatmydata, when installed) they run several times faster.
wrap=
command -v eatmydata >/dev/null && wrap=eatmydata
# GLib 2.74's slice allocator carves JsonNodes, GLists and hash tables out
# of blocks it keeps: LeakSanitizer cannot see them leak (a fuzz-writer leak
# grew to 2 GB unreported).  Plain malloc makes every leak visible.
export G_SLICE=always-malloc
# The targets' temporary files: libFuzzer leaves without running atexit
# handlers (time up, or a finding), so they are swept here instead.
# One directory per run, so that two runs at once (--only, different
# targets) do not sweep each other's files.
mkdir -p "$build/tmp"
TMPDIR=$(mktemp -d "$build/tmp/run-XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

status=0
for target in $targets; do
  regressions=$src/tests/fuzz/regressions/$target
  if [ -d "$regressions" ]; then
    echo "$target: replaying $(ls "$regressions" | wc -l) regression inputs"
    if ! (cd "$build" && $wrap "bin/$target" "$regressions"/* > "$target-regressions.log" 2>&1); then
      grep -a -E "ERROR|SUMMARY|Running|^fuzz" "$build/$target-regressions.log" | tail -5 >&2
      status=1
    fi
  fi
  [ "$seconds" -gt 0 ] || continue
  echo "$target: exploring for ${seconds}s"
  dict=
  [ -f "$src/tests/fuzz/$target.dict" ] && dict="-dict=$src/tests/fuzz/$target.dict"
  findings=0
  started=$(date +%s)
  if ! (cd "$build" && $wrap "bin/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 $dict \
          -print_final_stats=1 "$corpus/$target" > "$target.log" 2>&1); then
    grep -a -E "ERROR|SUMMARY|Test unit written|^fuzz" "$build/$target.log" >&2 || tail -20 "$build/$target.log" >&2
    echo "$target: NEW FINDING (input kept in $build); add it to tests/fuzz/regressions/$target/" >&2
    findings=1
    [ -n "$strict" ] && status=1
  fi
  elapsed=$(($(date +%s) - started))
  execs=$(grep -a -E "^stat::number_of_executed_units" "$build/$target.log" | awk '{print $2}')
  grep -a -E "^stat::(number_of_executed_units|peak_rss_mb)" "$build/$target.log" | sed 's/^/  /' || true
  if [ -n "$ledger" ]; then
    hours=$src/tests/fuzz/hours.tsv
    [ -f "$hours" ] || printf 'date\ttarget\tseconds\texecutions\tfindings\n' > "$hours"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$target" "$elapsed" "${execs:-0}" "$findings" >> "$hours"
  fi
done
exit $status
