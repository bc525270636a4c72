#!/bin/sh
# soak.sh — the five-stage news pipeline over about 1 GB of news, to show that
# throughput and memory stay flat over a long run, alone and beside a second
# run.
#
#   bench/soak.sh [MB] [CORPUS]    (default: 1024 MB of ../shared/data/corpus/news.jsonl)
#
# The corpus is repeated until MB megabytes have been fed, through a pipe
# (nothing of that size is written to disk), into
#   reader path=- ! normalizer ! ner ! claims ! writer path=-
# on 2 workers with --progress, whose JSON log line every 10 seconds gives the
# records and bytes done so far.  The output is counted, not kept.  The script
# samples the process's resident memory every 2 seconds.
#
# Prints, for one run and then for two runs started together:
#   - per 10-second interval: records so far, MB/s of text in that interval
#     (docpipe counts the records' text when reading a pipe), highest RSS;
#   - the run's records in and out (they must be equal: nothing lost), wall
#     time, mean MB/s, and peak RSS (VmHWM) with the sampled maxima of the
#     first and the last quarter of the run (after its first 10 seconds,
#     when the models are loaded): a flat run has them about equal.
# Exits non-zero if a run fails or loses records.  Figures only: no time limit.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-1024}
corpus=${2:-$here/../shared/data/corpus/news.jsonl}
[ -f "$corpus" ] || corpus=$here/../../shared/data/corpus/news.jsonl   # from a worktree in wt/
bin=${DOCPIPE:-$here/build/bin/docpipe}
[ -x "$bin" ] || { echo "soak.sh: build first ($bin not found)" >&2; exit 2; }

bytes=$(stat -c %s "$corpus")
lines=$(wc -l < "$corpus")
copies=$(( (mb * 1048576 + bytes - 1) / bytes ))
expr="reader path=- format=jsonl ! normalizer ! ner ! claims ! writer path=-"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

feed() {   # the corpus, $copies times
  i=0
  while [ $i -lt "$copies" ]; do cat "$corpus"; i=$((i + 1)); done
}

# start NAME: one run in the background; its pid in $tmp/NAME.pid.
start() {
  mkfifo "$tmp/$1.in" "$tmp/$1.out"
  date +%s.%N > "$tmp/$1.t0"
  "$bin" run -j 2 --progress --log-format json -e "$expr" < "$tmp/$1.in" > "$tmp/$1.out" 2> "$tmp/$1.log" &
  echo $! > "$tmp/$1.pid"
  feed > "$tmp/$1.in" &
  echo $! > "$tmp/$1.feeder"
  wc -l < "$tmp/$1.out" > "$tmp/$1.count" &
  echo $! > "$tmp/$1.counter"
}

# sample NAME...: every 2 s, each live run's seconds since its start, VmRSS
# and VmHWM (kB), until all end.
sample() {
  while :; do
    alive=0
    for n in "$@"; do
      pid=$(cat "$tmp/$n.pid")
      if [ -r "/proc/$pid/status" ]; then
        awk -v t="$(echo "$(date +%s.%N) - $(cat "$tmp/$n.t0")" | bc -l)" '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {if (r) print t, r, h}' \
          "/proc/$pid/status" >> "$tmp/$n.rss" 2>/dev/null || true
        alive=1
      fi
    done
    [ $alive = 1 ] || break
    sleep 2
  done
}

# report NAME: the intervals from the progress lines, then the totals.
report() {
  pid=$(cat "$tmp/$1.pid")
  wait "$pid" || { echo "$1: docpipe failed:" >&2; tail -5 "$tmp/$1.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  wait "$(cat "$tmp/$1.feeder")" "$(cat "$tmp/$1.counter")"
  out=$(cat "$tmp/$1.count")
  in=$((lines * copies))
  echo "$1: $in records in ($((bytes * copies / 1048576)) MB), $out out"
  echo "  seconds  records   text MB/s (interval)   RSS MB"
  grep '"progress' "$tmp/$1.log" | sed 's/.*"records":\([0-9]*\).*"bytes":\([0-9]*\).*"seconds":\([0-9.]*\).*/\1 \2 \3/' |
    awk -v rss="$tmp/$1.rss" '
      BEGIN { while ((getline l < rss) > 0) { split(l, f, " "); n++; t[n] = f[1]; r[n] = f[2] } }
      { mbs = ($3 > s) ? ($2 - b) / ($3 - s) / 1e6 : 0; m = 0
        for (j = 1; j <= n; j++) if (t[j] > s && t[j] <= $3 + 1 && r[j] > m) m = r[j]
        printf "  %7.0f %8d %15.1f %14.1f\n", $3, $1, mbs, m / 1024; b = $2; s = $3 }'
  awk -v t0="$(cat "$tmp/$1.t0")" -v t1="$t1" -v total="$((bytes * copies))" '
      $1 >= 10 { n++; r[n] = $2 }
      { h = $3 }
      END { q = int(n / 4); if (q < 1) q = 1
            for (i = 1; i <= q; i++) if (r[i] > a) a = r[i]
            for (i = n - q + 1; i <= n; i++) if (r[i] > z) z = r[i]
            printf "  wall %.0f s, %.1f MB/s of JSON lines; peak RSS %.1f MB (sampled max: first quarter %.1f MB, last quarter %.1f MB)\n",
                   t1 - t0, total / (t1 - t0) / 1e6, h / 1024, a / 1024, z / 1024 }' "$tmp/$1.rss"
  [ "$out" -eq "$in" ] || { echo "$1: RECORDS LOST: $in in, $out out" >&2; exit 1; }
}

echo "soak: $bin, $copies copies of $corpus ($((bytes * copies / 1048576)) MB), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== one run"
start solo
sample solo
report solo
echo
echo "== two runs at once"
start a; start b
sample a b
report a
report b
