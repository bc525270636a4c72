#!/bin/sh
# ner-compare.sh — the ner stage on one core, this tree against an older
# commit, side by side, interleaved.  Prints figures; no pass or fail.
#
#   bench/ner-compare.sh [CORPUS]   (default: ../shared/data/corpus/news.jsonl)
#
# Environment: BASE (default e3f17f1, the build issue 19 measures against),
# ROUNDS (default 5), CLAIMS=1 to time the claims stage too (this tree and
# CLAIMS_BASE, default the commit before this tree's seqtag change, whose
# claims stage is the one to compare with; e3f17f1 has none).
#
# Builds BASE from git (`git archive`, Release, in build-base-BASE/, kept
# between runs) with this tree's bench/bench-ner.c (the harness that also
# reports the stage's thread CPU time; the NER it times is BASE's), and this
# tree in build-bench/.  Then, in rounds, one build after the other:
#   - bench-ner with STAGE_ONLY=1: the ner stage's whole work per record
#     (tokenizing and sentence splitting, features, decoding, rules,
#     linking, the entities layer), one thread, median of 5 repetitions:
#     its CPU time and wall time;
#   - docpipe run --stats, one worker, reader ! normalizer ! ner ! writer:
#     the ner stage's own seconds (wall), and the run's CPU time (user+sys),
#     the steadier figure on a busy machine.
# Prints the medians over the rounds and the ratios base / new (> 1: this
# tree is faster), and checks that the pipeline's outputs are the same
# bytes for both builds.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
[ -f "$corpus" ] || corpus=$here/../../shared/data/corpus/news.jsonl   # from a worktree in wt/
base=${BASE:-e3f17f1}
rounds=${ROUNDS:-5}

. "$here/bench/build-pair.sh"
BASE_PREPARE="cp '$here/bench/bench-ner.c' bench/bench-ner.c" build_pair "$base"
old=$here/build-base-$base/build/bin
new=$here/build-bench/bin

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stage_seconds() {   # STATS-FILE STAGE
  awk -v want="\"$2\"," '$1 == "\"name\"" { name = $3 } $1 == "\"seconds\"" && name == want { print $3 + 0; name = "" }' "$1"
}

bench() {   # NAME BIN-DIR: one bench-ner run
  STAGE_ONLY=1 "$2/bench-ner" "$corpus" > "$tmp/out"
  awk '$1 == "stage:" { print $2 }' "$tmp/out" >> "$tmp/$1.wall"
  awk '$1 == "stage" && $2 == "CPU:" { print $3 }' "$tmp/out" >> "$tmp/$1.cpu"
  awk '$1 == "texts:" { gsub(/[(]/, "", $3); print $3, $5 }' "$tmp/out" > "$tmp/$1.size"
}

pipeline() {   # NAME BIN-DIR: one run of the four stages, one worker
  /usr/bin/time -f '%U %S' -o "$tmp/time" "$2/docpipe" run -q -s pipeline.workers=1 --stats "$tmp/$1.stats" \
    -e "reader path=$corpus format=jsonl ! normalizer ! ner ! writer path=-" | md5sum > "$tmp/$1.sum"
  stage_seconds "$tmp/$1.stats" ner >> "$tmp/$1.stage"
  awk '{ print $1 + $2 }' "$tmp/time" >> "$tmp/$1.cpu"
}

claims() {   # NAME BIN-DIR: the claims stage's own seconds, five stages, one worker
  "$2/docpipe" run -q -s pipeline.workers=1 --stats "$tmp/$1.stats" \
    -e "reader path=$corpus format=jsonl ! normalizer ! ner ! claims ! writer path=-" | md5sum > "$tmp/$1.sum"
  stage_seconds "$tmp/$1.stats" claims >> "$tmp/$1.stage"
}

if [ "${CLAIMS:-0}" = 1 ]; then
  cbase=${CLAIMS_BASE:-$(git -C "$here" log --format=%h -1 --grep='^seqtag: rows found through slot bits')^}
  cbase=$(git -C "$here" rev-parse --short "$cbase")
  build_at "$cbase" "$here/build-base-$cbase"
  cold=$here/build-base-$cbase/build/bin
fi

r=0
while [ "$r" -lt "$rounds" ]; do
  bench base "$old"; bench new "$new"
  pipeline pbase "$old"; pipeline pnew "$new"
  if [ "${CLAIMS:-0}" = 1 ]; then claims cbase "$cold"; claims cnew "$new"; fi
  r=$((r + 1))
done

read -r bytes tokens < "$tmp/new.size"
echo "corpus: $corpus ($bytes bytes of text, $tokens tokens); $rounds rounds, base = $base"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
line() {   # LABEL BASE-FILE NEW-FILE
  b=$(median < "$tmp/$2"); n=$(median < "$tmp/$3")
  printf '%-44s base %7.3f s   new %7.3f s   base/new %.2fx   new: %.1f MB/s\n' "$1" "$b" "$n" \
    "$(echo "$b / $n" | bc -l)" "$(echo "$bytes / $n / 1000000" | bc -l)"
}
line "bench-ner, stage CPU time (median)" base.cpu new.cpu
line "bench-ner, stage wall time (median)" base.wall new.wall
line "docpipe --stats, ner stage seconds, 1 worker" pbase.stage pnew.stage
line "docpipe, 4 stages, 1 worker: CPU (user+sys)" pbase.cpu pnew.cpu
if [ "${CLAIMS:-0}" = 1 ]; then
  line "docpipe --stats, claims stage seconds ($cbase)" cbase.stage cnew.stage
  if cmp -s "$tmp/cbase.sum" "$tmp/cnew.sum"; then echo "five-stage output: the same bytes"; else echo "five-stage output: DIFFERS"; fi
fi
if cmp -s "$tmp/pbase.sum" "$tmp/pnew.sum"; then echo "four-stage output: the same bytes"; else echo "four-stage output: differs from $base's (expected: the NER changed since)"; fi
