#!/bin/sh
# writers.sh — the writer's formats against each other on the same records.
#
#   bench/writers.sh [CORPUS]        (default: ../shared/data/corpus/news.jsonl)
#
# Runs the news pipeline (normalizer ! ner ! claims) over the corpus once into
# a JSON lines file (kept in build-bench/ and reused while newer than the
# corpus and the plugins), then times `reader ! writer` over that file for
# each format, runs interleaved, 5 rounds (ROUNDS=N to change), and prints medians:
#   - jsonl: the reference (what reading and writing JSON lines costs);
#   - jsonl.gz: the same, gzipped (zlib's default level);
#   - csv: input MB/s and output MB/s (the three files' bytes per second);
#   - sqlite into a new database, and again over the full database (every
#     document upserted: its old spans deleted, the new ones inserted);
#   documents/s for each, entities and claims written per second for SQLite.
# Then bench-writer times the formats' own code on the same records loaded
# beforehand (thread CPU time: the workers' part and the sink thread's part
# apart), which is what the writer costs whatever the reader does.
# The figures are noisy on a shared machine: compare ratios from one run.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
build=$here/build-bench
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target docpipe-cli reader writer normalizer ner claims bench-writer >/dev/null
docpipe=$build/bin/docpipe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

annotated=$build/news-annotated.jsonl
if [ ! -s "$annotated" ] || [ "$corpus" -nt "$annotated" ] || [ "$build/plugins/claims.so" -nt "$annotated" ]; then
  echo "annotating $corpus once (normalizer ! ner ! claims) into $annotated ..."
  "$docpipe" run -q -e "reader path=$corpus ! normalizer ! ner ! claims ! writer path=$annotated"
fi
bytes=$(stat -c %s "$annotated")
docs=$(wc -l < "$annotated")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
run() {   # run NAME PATH: one timed run writing PATH, seconds appended to $tmp/NAME
  t0=$(now)
  "$docpipe" run -q -e "reader path=$annotated ! writer path=$2"
  t1=$(now)
  echo "$t1 - $t0" | bc -l >> "$tmp/$1"
}

rounds=${ROUNDS:-5}
for round in $(seq "$rounds"); do
  run jsonl "$tmp/out.jsonl"
  run gzip "$tmp/out.jsonl.gz"
  run csv "$tmp/out.csv"
  rm -f "$tmp/new.sqlite" "$tmp/new.sqlite-wal" "$tmp/new.sqlite-shm"
  run sqlite-new "$tmp/new.sqlite"
  [ -f "$tmp/full.sqlite" ] || cp "$tmp/new.sqlite" "$tmp/full.sqlite"
  run sqlite-upsert "$tmp/full.sqlite"
done

csv_bytes=$(cat "$tmp"/out-*.csv | wc -c)
entities=$(sqlite3 "$tmp/new.sqlite" "SELECT count(*) FROM entities" 2>/dev/null || echo 0)
claims=$(sqlite3 "$tmp/new.sqlite" "SELECT count(*) FROM claims" 2>/dev/null || echo 0)
echo "input: $annotated: $docs documents, $bytes bytes, $entities entities, $claims claims; $(nproc) cores"
echo "medians of $rounds runs, interleaved:"
for name in jsonl gzip csv sqlite-new sqlite-upsert; do
  t=$(median < "$tmp/$name")
  printf '%-14s %6.2f s  %8.0f documents/s  %7.1f MB/s in' "$name" "$t" "$(echo "$docs / $t" | bc -l)" \
         "$(echo "$bytes / $t / 1000000" | bc -l)"
  case $name in
    csv) printf '  %7.1f MB/s out (%s bytes in 3 files)' "$(echo "$csv_bytes / $t / 1000000" | bc -l)" "$csv_bytes" ;;
    gzip) printf '  (%s bytes)' "$(stat -c %s "$tmp/out.jsonl.gz")" ;;
    sqlite-*) printf '  %8.0f entities/s  %7.0f claims/s' "$(echo "$entities / $t" | bc -l)" "$(echo "$claims / $t" | bc -l)" ;;
  esac
  printf '  (x%.2f the jsonl time)\n' "$(echo "$t / $(median < "$tmp/jsonl")" | bc -l)"
done
echo "database: $(stat -c %s "$tmp/new.sqlite") bytes"
echo "the formats' own code, no reader (bench-writer):"
mkdir -p "$tmp/alone"
"$build/bin/bench-writer" "$annotated" "$tmp/alone"
