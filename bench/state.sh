#!/bin/sh
# state.sh — what incremental runs cost: a reader ! writer pipeline over N
# generated JSON-lines records (about 1 KB of text each), timed without a
# state file, with one on the first run (every record hashed and marked done)
# and on a second run (every record hashed, looked up and skipped), and the
# same pipeline with --shard 0/4.  Prints medians of RUNS runs side by side.
#
#   bench/state.sh [BUILD-DIR] [N] [RUNS]     (defaults: build, 200000, 5)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-200000}
runs=${3:-5}
docpipe=$build/bin/docpipe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v n="$n" 'BEGIN {
  s = "Officials in Geneva said on Monday that the talks on the enrichment site would resume next week. ";
  t = s s s s s s s s s s;
  for (i = 0; i < n; i++) printf "{\"id\":\"doc-%d\",\"text\":\"%d %s\"}\n", i, i, t }' > "$tmp/in.jsonl"
mb=$(du -m "$tmp/in.jsonl" | cut -f1)

[ -x /usr/bin/time ] || { echo "state.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# "WALL,CPU" seconds of one run.
one() {
  /usr/bin/time -f '%e,%U,%S' -o "$tmp/time" \
    "$docpipe" run -q -e "reader path=$tmp/in.jsonl ! writer path=$tmp/out.jsonl" "$@"
  awk -F, '{ printf "%s,%.2f\n", $1, $2 + $3 }' "$tmp/time"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The median of field @1 of the "WALL,CPU" pairs in @2.
med() { echo $2 | tr ' ' '\n' | cut -d, -f"$1" | median; }

plain="" first="" second="" shard=""
i=0
while [ $i -lt "$runs" ]; do
  rm -f "$tmp/state.db"
  plain="$plain $(one)"
  first="$first $(one --set pipeline.state="$tmp/state.db")"
  second="$second $(one --set pipeline.state="$tmp/state.db")"
  shard="$shard $(one --shard 0/4)"
  i=$((i + 1))
done
echo "$n records, $mb MB, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), medians of $runs runs:"
echo "                      wall s     CPU s   CPU vs no state   CPU us/record"
for row in "no state:$plain" "state, first run:$first" "state, all skipped:$second" "--shard 0/4:$shard"; do
  name=${row%%:*}
  data=${row#*:}
  awk -v name="$name" -v w="$(med 1 "$data")" -v c="$(med 2 "$data")" -v p="$(med 2 "$plain")" -v n="$n" \
    'BEGIN { printf "  %-18s %8.2f  %8.2f  %10.2fx  %14.2f\n", name, w, c, c / p, c / n * 1e6 }'
done
