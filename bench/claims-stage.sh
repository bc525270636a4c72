#!/bin/sh
# claims-stage.sh — the claims stage's own seconds, this tree against an
# older commit, side by side, interleaved.
#
#   bench/claims-stage.sh [CORPUS]     (default: ../shared/data/corpus/news.jsonl)
#
# Environment: BASE (the commit to compare with, default a9f0f05: before the
# claims stage's speed work of issue 19), ROUNDS (default 5), BYTES (the head
# of the corpus read, cut at a line's end; default 5000000).
#
# Builds BASE from git (`git archive`, Release, in build-base-BASE/, kept
# between runs; only the CLI and the five stages) and this tree (Release,
# build-bench/), then runs `reader ! normalizer ! ner ! claims ! writer`
# with one worker over the head of the corpus, base then new, ROUNDS times,
# so both see the same machine load.  Prints the medians of the claims
# stage's seconds (`--stats`: wall time inside the stage, so a busy machine
# inflates both alike) and of the whole run's, the ratio, and the load
# average before and after.  Fails if the two builds' outputs differ.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
[ -f "$corpus" ] || corpus=$here/../../shared/data/corpus/news.jsonl   # from a worktree in wt/
base=${BASE:-a9f0f05}
rounds=${ROUNDS:-5}
bytes=${BYTES:-5000000}
targets="docpipe-cli reader normalizer ner claims writer"

. "$here/bench/build-pair.sh"
# shellcheck disable=SC2086
build_pair "$base" $targets

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c "$bytes" "$corpus" | sed '$d' > "$tmp/in.jsonl"   # whole lines only
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stage_seconds() {   # STATS STAGE
  awk -v want="\"$2\"," '$1 == "\"name\"" { name = $3 } $1 == "\"seconds\"" && name == want { print $3 + 0; name = "" }' "$1"
}

echo "input: $(wc -c < "$tmp/in.jsonl") bytes, $(wc -l < "$tmp/in.jsonl") records of $corpus; $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for which in base new; do
    if [ "$which" = base ]; then bin=$base_dir/build/bin/docpipe; else bin=$here/build-bench/bin/docpipe; fi
    "$bin" run -q --no-progress -s pipeline.workers=1 --stats "$tmp/$which.stats" \
      -e "reader path=$tmp/in.jsonl ! normalizer ! ner ! claims ! writer path=$tmp/$which.out"
    stage_seconds "$tmp/$which.stats" claims >> "$tmp/$which.claims"
    awk '$1 == "\"seconds\"" { print $3 + 0; exit }' "$tmp/$which.stats" >> "$tmp/$which.total"
  done
  if ! cmp -s "$tmp/base.out" "$tmp/new.out"; then
    echo "OUTPUTS DIFFER (round $r)" >&2
    exit 1
  fi
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
bc=$(median < "$tmp/base.claims"); nc=$(median < "$tmp/new.claims")
bt=$(median < "$tmp/base.total"); nt=$(median < "$tmp/new.total")
printf '%-12s claims stage %6.3f s (of %6.3f s)   runs: %s\n' "base $base" "$bc" "$bt" "$(sort -n "$tmp/base.claims" | tr '\n' ' ')"
printf '%-12s claims stage %6.3f s (of %6.3f s)   runs: %s\n' "new" "$nc" "$nt" "$(sort -n "$tmp/new.claims" | tr '\n' ' ')"
printf 'claims stage: %.2fx as fast; whole run %.2fx; outputs identical\n' "$(echo "$bc / $nc" | bc -l)" \
  "$(echo "$bt / $nt" | bc -l)"
