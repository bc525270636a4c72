#!/bin/sh
# run.sh — docpipe's throughput and memory benchmark.
#
#   bench/run.sh [CORPUS]        (default: ../shared/data/corpus/news.jsonl)
#
# Prints, as medians of 5 runs on this machine (3 for the news pipeline):
#   - `cat` over the corpus (the reference: what reading the file costs);
#   - pass-through: reader (JSON lines) -> writer (JSON lines), all cores;
#   - the same over the corpus repeated 10 times, with peak RSS, to show that
#     memory stays bounded whatever the input size;
#   - pass-through of records that already carry layers (the news pipeline's
#     output over the corpus, made once), next to `cat` over the same file;
#   - writing those records as JSON on one thread: the core's writer against
#     json-glib's generator, and one 80 KB non-ASCII record with 16,000 spans
#     (bench-json);
#   - tokenizer + sentence splitter alone (bench-tokenize);
#   - the normalizer alone, default settings (bench-normalize), and on single
#     documents of 5 to 40 MB and hostile ones (bench-normalize --long);
#   - the news pipeline with its five stages (reader -> normalizer -> ner ->
#     claims -> writer) beside the four without claims, with 1 and 2 workers,
#     runs interleaved, medians of 3, and the time ratios; the claims stage
#     alone (its own seconds in --stats, one worker): MB/s per core, beside
#     the ner stage's in the same runs, and with the rules alone (claims
#     model=); its trained model alone, on one core (bench-claims);
#   - the NER: the whole stage and the model alone on one core, model load
#     time (bench-ner), and the shipped model's scores on CoNLL-2003 dev and
#     Universal NER English-EWT dev (docpipe-ner-train eval);
#   - Apache OpenNLP's name finder on the same data, when `opennlp` is
#     installed (bench/ner-opennlp.sh; NER_OPENNLP=0 skips it).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/data/corpus/news.jsonl}
build=$here/build-bench
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
docpipe=$build/bin/docpipe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bytes=$(stat -c %s "$corpus")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

seconds_of() {   # runs "$@" 5 times, prints the median wall time
  for i in 1 2 3 4 5; do
    t0=$(now); "$@" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l
  done | median
}

echo "corpus: $corpus ($bytes bytes), $(nproc) cores"
t=$(seconds_of cat "$corpus")
printf 'cat                     %8.1f MB/s\n' "$(echo "$bytes / $t / 1000000" | bc -l)"

# pipeline_rate LABEL NOTE INPUT BYTES STAGES: median MB/s of a run over INPUT, then its peak RSS.
pipeline_rate() {
  run_it() { "$docpipe" run -q --stats "$tmp/stats.json" -e "reader path=$1 format=jsonl ! $2 writer path=-"; }
  t=$(seconds_of run_it "$3" "$5")
  printf '%-23s %8.1f MB/s   (%s)\n' "$1" "$(echo "$4 / $t / 1000000" | bc -l)" "$2"
  rss=$(sed -n 's/.*"peak_rss_kb" : \([0-9]*\).*/\1/p' "$tmp/stats.json")
  printf '  peak RSS              %8.1f MB\n' "$(echo "$rss / 1024" | bc -l)"
}

pipeline_rate "pass-through" "reader -> writer, JSON lines" "$corpus" "$bytes" ""
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$corpus"; done > "$tmp/big.jsonl"
pipeline_rate "pass-through x10" "$((bytes * 10 / 1000000)) MB input" "$tmp/big.jsonl" $((bytes * 10)) ""
rm -f "$tmp/big.jsonl"

# Records with layers: offsets converted on the way in and out, entities' attributes copied.
"$docpipe" run -q -e "reader path=$corpus format=jsonl ! normalizer ! ner ! writer path=$tmp/annotated.jsonl"
abytes=$(stat -c %s "$tmp/annotated.jsonl")
t=$(seconds_of cat "$tmp/annotated.jsonl")
printf 'cat, annotated          %8.1f MB/s\n' "$(echo "$abytes / $t / 1000000" | bc -l)"
pipeline_rate "pass-through, layers" "reader -> writer, $((abytes / 1000000)) MB with entities" "$tmp/annotated.jsonl" "$abytes" ""
"$build/bin/bench-json" "$tmp/annotated.jsonl" | sed 's/^/json: /'
rm -f "$tmp/annotated.jsonl"

"$build/bin/bench-tokenize" "$corpus" | sed 's/^/tokenizer: /'
"$build/bin/bench-normalize" "$corpus" | sed 's/^/normalizer: /'
"$build/bin/bench-normalize" --long "$corpus" | sed 's/^/normalizer: /'
"$build/bin/bench-ner" "$corpus" | sed 's/^/ner: /'

# The news pipeline with and without claims, side by side: for 1 and 2
# workers, three rounds of (four stages, five stages), each run timed; the
# claims and ner stages' own seconds from the one-worker five-stage runs.
news_run() {   # WORKERS STAGES: one run, prints its wall seconds; stats in $tmp/news.json
  t0=$(now)
  "$docpipe" run -q -s pipeline.workers="$1" --stats "$tmp/news.json" \
    -e "reader path=$corpus format=jsonl ! normalizer ! ner ! $2 writer path=-" >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
stage_seconds() {   # NAME: that stage's seconds in $tmp/news.json
  awk -v want="\"$1\"," '$1 == "\"name\"" { name = $3 } $1 == "\"seconds\"" && name == want { print $3 + 0; name = "" }' "$tmp/news.json"
}
for w in 1 2; do
  : > "$tmp/four.$w"; : > "$tmp/five.$w"
  for round in 1 2 3; do
    news_run "$w" "" >> "$tmp/four.$w"
    news_run "$w" "claims !" >> "$tmp/five.$w"
    if [ "$w" = 1 ]; then
      stage_seconds claims >> "$tmp/claims.s"
      stage_seconds ner >> "$tmp/ner.s"
      news_run 1 "claims model= !" > /dev/null   # the rules alone: what the model costs is the difference
      stage_seconds claims >> "$tmp/rules.s"
    fi
  done
  t4=$(median < "$tmp/four.$w"); t5=$(median < "$tmp/five.$w")
  printf 'news, 4 stages, %s worker(s) %6.2f s %6.1f MB/s   (reader -> normalizer -> ner -> writer)\n' \
    "$w" "$t4" "$(echo "$bytes / $t4 / 1000000" | bc -l)"
  printf 'news, 5 stages, %s worker(s) %6.2f s %6.1f MB/s   (... ner -> claims -> writer: %.3f x the time)\n' \
    "$w" "$t5" "$(echo "$bytes / $t5 / 1000000" | bc -l)" "$(echo "$t5 / $t4" | bc -l)"
done
tc=$(median < "$tmp/claims.s"); tn=$(median < "$tmp/ner.s")
printf 'claims stage alone       %6.2f s %6.1f MB/s per core (median of 3, one worker; %.3f x the ner stage)\n' \
  "$tc" "$(echo "$bytes / $tc / 1000000" | bc -l)" "$(echo "$tc / $tn" | bc -l)"
tr=$(median < "$tmp/rules.s")
printf 'claims stage, rules only %6.2f s %6.1f MB/s per core (claims model=, one worker, median of 3, runs interleaved)\n' \
  "$tr" "$(echo "$bytes / $tr / 1000000" | bc -l)"
printf 'ner stage alone          %6.2f s %6.1f MB/s per core (same runs)\n' "$tn" "$(echo "$bytes / $tn / 1000000" | bc -l)"
"$build/bin/bench-claims" "$corpus" | sed 's/^/claims: /'
ner_data=$here/plugins/ner/data
ner_eval() {
  "$build/bin/docpipe-ner-train" eval --propagate -g "$ner_data/gazetteers" -w "$ner_data/clusters.txt" -m "$ner_data/en-news.dpm" "$@" |
    grep -E "overall|PER |ORG |LOC |MISC " | sed 's/^/  /'
}
shared=$here/../shared/data/ner
echo "ner: CoNLL-2003 dev (exact spans, as conlleval)"
ner_eval "$shared/conll2003/dev.iob2"
echo "ner: Universal NER English-EWT dev, PER/ORG/LOC"
ner_eval --types PER,ORG,LOC "$shared/uner-ewt/dev.iob2"
if [ "${NER_OPENNLP:-1}" != 0 ]; then
  bash "$here/bench/ner-opennlp.sh" "$shared/conll2003/train.iob2" "$shared/conll2003/dev.iob2" "$corpus" |
    sed 's/^/opennlp: /'
fi
