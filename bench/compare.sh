#!/bin/sh
# compare.sh — this tree against an older commit, side by side, interleaved.
#
#   bench/compare.sh [CORPUS]     (default: ../shared/data/corpus/news.jsonl)
#
# Environment: BASE (the commit to compare with, default e3f17f1), ROUNDS
# (rounds of the pass-through runs, default 7), NEWS_ROUNDS (rounds of the
# news pipelines, default 3), NEWS=0 to leave the news pipelines out.
#
# Builds BASE from git (`git archive`, Release, in build-base-BASE/, kept
# between runs) and this tree (Release, build-bench/), then runs, in rounds,
# each case with one build and then the other (base, new, base, new …), so
# both see the same machine load:
#   - pass-through (reader -> writer, JSON lines to /dev/null), 1 and 2 workers;
#   - pass-through of records that already carry layers (the four-stage news
#     pipeline's output over the corpus, made once with this build);
#   - pass-through of the corpus repeated ten times (peak RSS stays flat) and
#     to a .jsonl.gz file (BASE's too if its writer has gzip), 2 workers
#     (BIG_ROUNDS rounds, default 3);
#   - the news pipeline: reader -> normalizer -> ner -> writer with both
#     builds, and with claims (five stages) with this one, 1 and 2 workers.
# Each run is timed by /usr/bin/time: wall seconds, CPU seconds (user+sys,
# the figure to trust on a busy machine) and peak RSS.  Prints the medians,
# MB/s of the input file, the ratios new/base (throughput: base time / new
# time), the scaling from 1 to 2 workers, and, from --stats of the one-worker
# five-stage runs, each stage's share of the time.  Checks on the way that
# the outputs are byte-identical: both builds' pass-through, and 1 against
# 2 workers for every case.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
[ -f "$corpus" ] || corpus=$here/../../shared/data/corpus/news.jsonl   # from a worktree in wt/
base=${BASE:-e3f17f1}
rounds=${ROUNDS:-7}
news_rounds=${NEWS_ROUNDS:-3}
bytes=$(stat -c %s "$corpus")

. "$here/bench/build-pair.sh"
build_pair "$base"
old=$base_dir/build/bin/docpipe
new=$here/build-bench/bin/docpipe

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run NAME BIN WORKERS EXPR [GZ]: one timed run; appends wall, cpu and rss to
# $tmp/NAME.{wall,cpu,rss}, keeps the output's checksum in $tmp/NAME.sum (of
# the file GZ decompressed, when the run writes one).
run() {
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$2" run -q -s pipeline.workers="$3" \
    --stats "$tmp/$1.stats" -e "$4" > "$tmp/out"
  read -r wall user sys rss < "$tmp/time"
  echo "$wall" >> "$tmp/$1.wall"
  echo "$user + $sys" | bc -l >> "$tmp/$1.cpu"
  echo "$rss" >> "$tmp/$1.rss"
  if [ $# -gt 4 ]; then gzip -dc "$5"; else cat "$tmp/out"; fi | md5sum | cut -d' ' -f1 > "$tmp/$1.sum"
}

same() {   # A B: the outputs of two cases are the same bytes
  if ! cmp -s "$tmp/$1.sum" "$tmp/$2.sum"; then
    echo "OUTPUTS DIFFER: $1 and $2" >&2
    exit 1
  fi
}

# line LABEL NAME INPUT_BYTES: medians of a case.
line() {
  lw=$(median < "$tmp/$2.wall"); lc=$(median < "$tmp/$2.cpu"); lm=$(median < "$tmp/$2.rss")
  printf '%-34s %7.2f s %7.1f MB/s   cpu %7.2f s %7.1f MB/cpu-s   rss %6.1f MB\n' "$1" "$lw" \
    "$(echo "$3 / $lw / 1000000" | bc -l)" "$lc" "$(echo "$3 / $lc / 1000000" | bc -l)" "$(echo "$lm / 1024" | bc -l)"
}

# ratio LABEL A B: how many times faster B is than A (A's time / B's), wall and CPU.
ratio() {
  printf '  %-32s wall %5.2fx   cpu %5.2fx\n' "$1" \
    "$(echo "$(median < "$tmp/$2.wall") / $(median < "$tmp/$3.wall")" | bc -l)" \
    "$(echo "$(median < "$tmp/$2.cpu") / $(median < "$tmp/$3.cpu")" | bc -l)"
}

echo "corpus: $corpus ($bytes bytes), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "base: $base ($old)"
echo "new:  $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- core plugins lib || echo '+changes') ($new)"

"$new" run -q -s pipeline.workers=2 -e "reader path=$corpus format=jsonl ! normalizer ! ner ! writer path=$tmp/annotated.jsonl"
abytes=$(stat -c %s "$tmp/annotated.jsonl")

pt="reader path=$corpus format=jsonl ! writer path=-"
ptl="reader path=$tmp/annotated.jsonl format=jsonl ! writer path=-"
for i in $(seq "$rounds"); do
  for w in 1 2; do
    run "pt-base-$w" "$old" $w "$pt"; run "pt-new-$w" "$new" $w "$pt"
    run "ptl-base-$w" "$old" $w "$ptl"; run "ptl-new-$w" "$new" $w "$ptl"
  done
done
for w in 1 2; do same pt-base-1 "pt-base-$w"; same pt-base-1 "pt-new-$w"; same ptl-base-1 "ptl-base-$w"; same ptl-base-1 "ptl-new-$w"; done

echo
echo "pass-through, medians of $rounds interleaved rounds (outputs identical: both builds, 1 and 2 workers)"
for w in 1 2; do
  line "base, $w worker(s)" "pt-base-$w" "$bytes"
  line "new,  $w worker(s)" "pt-new-$w" "$bytes"
  ratio "new vs base, $w worker(s)" "pt-base-$w" "pt-new-$w"
done
ratio "scaling 1 -> 2 workers, base" pt-base-1 pt-base-2
ratio "scaling 1 -> 2 workers, new" pt-new-1 pt-new-2
echo "pass-through of records with layers ($abytes bytes: the 4-stage news output)"
for w in 1 2; do
  line "base, $w worker(s)" "ptl-base-$w" "$abytes"
  line "new,  $w worker(s)" "ptl-new-$w" "$abytes"
  ratio "new vs base, $w worker(s)" "ptl-base-$w" "ptl-new-$w"
done

# Ten times the corpus (peak RSS must not grow with the input), and gzip
# output, 2 workers.
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$corpus"; done > "$tmp/big.jsonl"
big="reader path=$tmp/big.jsonl format=jsonl ! writer path=-"
gz="reader path=$corpus format=jsonl ! writer path=$tmp/out.jsonl.gz"
# e3f17f1's writer has no gzip: the gzip lines need a later BASE.
base_gz=$(git -C "$here" show "$base:plugins/writer/writer.c" | grep -c gzip || true)
for i in $(seq "${BIG_ROUNDS:-3}"); do
  run big-base "$old" 2 "$big"; run big-new "$new" 2 "$big"
  [ "$base_gz" = 0 ] || run gz-base "$old" 2 "$gz" "$tmp/out.jsonl.gz"
  run gz-new "$new" 2 "$gz" "$tmp/out.jsonl.gz"
done
rm -f "$tmp/big.jsonl"
same big-base big-new; same pt-base-1 gz-new
[ "$base_gz" = 0 ] || same pt-base-1 gz-base
echo "pass-through x10 ($((bytes * 10)) bytes) and to a .gz file, 2 workers, medians of ${BIG_ROUNDS:-3} rounds"
line "x10, base" big-base $((bytes * 10))
line "x10, new" big-new $((bytes * 10))
ratio "new vs base, x10" big-base big-new
[ "$base_gz" = 0 ] || line "to .jsonl.gz, base" gz-base "$bytes"
line "to .jsonl.gz, new" gz-new "$bytes"
[ "$base_gz" = 0 ] || ratio "new vs base, gzip" gz-base gz-new

[ "${NEWS:-1}" = 0 ] && exit 0
four="reader path=$corpus format=jsonl ! normalizer ! ner ! writer path=-"
five="reader path=$corpus format=jsonl ! normalizer ! ner ! claims ! writer path=-"
stage_seconds() {   # CASE STAGE: that stage's seconds in the case's last --stats
  awk -v want="\"$2\"," '$1 == "\"name\"" { name = $3 } $1 == "\"seconds\"" && name == want { print $3 + 0; name = "" }' "$tmp/$1.stats"
}
for i in $(seq "$news_rounds"); do
  for w in 1 2; do
    run "n4-base-$w" "$old" $w "$four"; run "n4-new-$w" "$new" $w "$four"; run "n5-new-$w" "$new" $w "$five"
    if [ "$w" = 1 ]; then
      for s in reader normalizer ner claims writer; do
        stage_seconds n5-new-1 "$s" >> "$tmp/share-$s"
      done
      awk '$1 == "\"seconds\"" { print $3 + 0; exit }' "$tmp/n5-new-1.stats" >> "$tmp/share-total"
    fi
  done
done
for c in n4-base n4-new n5-new; do same "$c-1" "$c-2"; done
echo
echo "news pipeline, medians of $news_rounds interleaved rounds (outputs identical for 1 and 2 workers)"
for w in 1 2; do
  line "4 stages, base, $w worker(s)" "n4-base-$w" "$bytes"
  line "4 stages, new,  $w worker(s)" "n4-new-$w" "$bytes"
  line "5 stages, new,  $w worker(s)" "n5-new-$w" "$bytes"
  ratio "4 stages new vs base, $w w." "n4-base-$w" "n4-new-$w"
  ratio "5 stages new vs 4 base, $w w." "n4-base-$w" "n5-new-$w"
done
ratio "scaling 1 -> 2 workers, 5 stages" n5-new-1 n5-new-2
total=$(median < "$tmp/share-total")
echo "5 stages, 1 worker: each stage's own seconds (--stats, medians) and share of the run's $total s"
for s in reader normalizer ner claims writer; do
  v=$(median < "$tmp/share-$s")
  printf '  %-11s %6.2f s  %5.1f %%\n' "$s" "$v" "$(echo "100 * $v / $total" | bc -l)"
done
echo "  (reader: reading and decoding the JSON; writer: encoding in the workers and writing; the rest of the run is queues, waiting and start-up)"
