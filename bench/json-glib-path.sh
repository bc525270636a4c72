#!/bin/sh
# json-glib-path.sh — what the grammar check (core/json-check.c) costs on the
# lines that take json-glib's path, against the commit before it.
#
#   bench/json-glib-path.sh [CORPUS]   (default: ../shared/data/corpus/news.jsonl)
#
# Environment: BASE (default da58a16, the last commit without the check),
# ROUNDS (default 5), REPEAT (the corpus this many times over, default 4:
# /usr/bin/time counts in hundredths).  Every line of CORPUS gets a member with a fraction
# ("score":0.5), which the fast parser declines, so every line goes through
# the check and json-glib.  Runs reader -> writer on one worker with each
# build in turn (base, new, base, new …), prints the median CPU seconds
# (user + sys) and wall seconds of each, and new/base; checks that both
# builds write the same bytes.  The plain corpus (fast path) is timed too:
# the check must not touch it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
[ -f "$corpus" ] || corpus=$here/../../shared/data/corpus/news.jsonl   # from a worktree in wt/
base=${BASE:-da58a16}
rounds=${ROUNDS:-5}
repeat=${REPEAT:-4}

. "$here/bench/build-pair.sh"
build_pair "$base" docpipe-cli reader writer

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ $i -lt "$repeat" ]; do cat "$corpus"; i=$((i + 1)); done > "$tmp/fast.jsonl"
sed 's/^{/{"score":0.5,/' "$tmp/fast.jsonl" > "$tmp/glib.jsonl"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run NAME BIN INPUT: one timed pass-through; appends cpu and wall seconds.
run() {
  /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$2" run -q -s pipeline.workers=1 \
    -e "reader path=$3 ! writer path=-" > "$tmp/$1.out"
  read -r wall user sys < "$tmp/time"
  echo "$user $sys" | awk '{print $1 + $2}' >> "$tmp/$1.cpu"
  echo "$wall" >> "$tmp/$1.wall"
}

for input in glib fast; do
  i=0
  while [ $i -lt "$rounds" ]; do
    run "base-$input" "$base_dir/build/bin/docpipe" "$tmp/$input.jsonl"
    run "new-$input" "$here/build-bench/bin/docpipe" "$tmp/$input.jsonl"
    i=$((i + 1))
  done
  cmp -s "$tmp/base-$input.out" "$tmp/new-$input.out" || { echo "$input: outputs differ" >&2; exit 1; }
done

mb=$(stat -c %s "$tmp/glib.jsonl" | awk '{printf "%.1f", $1 / 1e6}')
echo "lines: $(wc -l < "$tmp/fast.jsonl"), ${mb} MB with the fraction; medians of $rounds runs, one worker"
printf '%-22s %10s %10s %10s %10s %8s\n' "input" "base cpu" "new cpu" "base wall" "new wall" "new/base"
for input in glib fast; do
  bc=$(median < "$tmp/base-$input.cpu"); nc=$(median < "$tmp/new-$input.cpu")
  bw=$(median < "$tmp/base-$input.wall"); nw=$(median < "$tmp/new-$input.wall")
  label=$input; [ "$input" = glib ] && label="json-glib path" || label="fast path (as is)"
  printf '%-22s %10s %10s %10s %10s %8s\n' "$label" "$bc" "$nc" "$bw" "$nw" \
    "$(echo "$nc $bc" | awk '{printf "%.2f", $1 / $2}')"
done
