#!/usr/bin/env bash
# ner-opennlp.sh — Apache OpenNLP's name finder on our NER benchmark data, as a
# point of comparison for the ner stage.
#
#   bench/ner-opennlp.sh [TRAIN] [DEV] [CORPUS]
#
#   TRAIN   CoNLL-2003 training data, IOB2   (default: ../shared/data/ner/conll2003/train.iob2)
#   DEV     CoNLL-2003 dev data, IOB2        (default: ../shared/data/ner/conll2003/dev.iob2)
#   CORPUS  JSON lines with a "text" member  (default: ../shared/data/corpus/news.jsonl)
#
# Needs the `opennlp` command (Debian: apt-get install opennlp), python3 and
# taskset; without opennlp it says so and exits 0.  Steps:
#   1. converts TRAIN and DEV (columns `token POS chunk tag`, -DOCSTART- lines
#      between documents) to OpenNLP's name-finder format: one sentence per
#      line, `<START:per> Ali Larijani <END>`, an empty line between documents
#      so that adaptive data is cleared;
#   2. trains one model for per/org/loc/misc with OpenNLP's defaults (default
#      feature generator; perceptron, 300 iterations, cutoff 0), timed.  The
#      model is cached in ${XDG_CACHE_HOME:-~/.cache}/docpipe-bench/, keyed by
#      the converted training data's SHA-256 and the OpenNLP version; delete it
#      there to retrain;
#   3. evaluates on DEV with TokenNameFinderEvaluator (exact span and type, as
#      conlleval), overall and per type;
#   4. tags CORPUS (sentence-split and tokenized here, once, in python3) with
#      TokenNameFinder pinned to one core (taskset -c $DOCPIPE_BENCH_CPU, default
#      0), three times, and reports tokens/s with the JVM start-up and model
#      load (timed on a 1-line input) subtracted.  The figure is wall time;
#      the same from the JVM's CPU time (user + sys) is printed beside it, as
#      it hardly moves when other jobs share the core.
# Run time: about 3 minutes on the 2-core development machine, 2.3 with the
# model cached.  JAVA_HEAP (e.g. 512m) is passed to the JVM as -Xmx by Debian's
# opennlp wrapper; the defaults work (training peaks at ~2 GB RSS only because
# the default heap limit is a quarter of RAM; it trains fine in 512m).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
train=${1:-$here/../shared/data/ner/conll2003/train.iob2}
dev=${2:-$here/../shared/data/ner/conll2003/dev.iob2}
corpus=${3:-$here/../shared/data/corpus/news.jsonl}
cpu=${DOCPIPE_BENCH_CPU:-0}
runs=3

if ! command -v opennlp >/dev/null 2>&1; then
  echo "opennlp not installed; skipping (apt-get install opennlp)"
  exit 0
fi
for f in "$train" "$dev" "$corpus"; do
  [ -r "$f" ] || { echo "ner-opennlp.sh: cannot read $f" >&2; exit 1; }
done
command -v python3 >/dev/null 2>&1 || { echo "ner-opennlp.sh: needs python3" >&2; exit 1; }
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c "$cpu")
  pinned="pinned to CPU $cpu (taskset), so per core"
  per="per core"
else
  pin=()
  pinned="NOT pinned (no taskset): figure is for all cores"
  per="on all cores, unpinned"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Debian's /usr/bin/opennlp passes its arguments unquoted: keep paths simple.
case $tmp in *[[:space:]]*) echo "ner-opennlp.sh: temporary directory has spaces: $tmp" >&2; exit 1 ;; esac

timed() {   # timed OUT ERR CMD...: runs CMD >OUT 2>ERR, prints "wall cpu" seconds
  local TIMEFORMAT='%R %U %S' out=$1 err=$2
  shift 2
  { time "$@" > "$out" 2> "$err"; } 2> "$tmp/time" || { cat "$err" >&2; return 1; }
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$tmp/time"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
commas() { awk -v n="$1" 'BEGIN { n = sprintf("%.0f", n); s = ""
  while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) }
  print n s }'; }

# --- 1. CoNLL IOB2 -> OpenNLP name samples ----------------------------------
# Prints "tokens sentences documents" on stderr.  An I- tag whose type differs
# from the open entity's starts a new entity (as conlleval does).
to_opennlp() {
  awk '
    function close_span() { if (open != "") { line = line " <END>"; open = "" } }
    function end_sentence() {
      close_span()
      if (line != "") { print substr(line, 2); sents++; in_doc = 1; line = "" }
    }
    $1 == "-DOCSTART-" { end_sentence(); if (in_doc) { print ""; docs++; in_doc = 0 }; next }
    NF == 0 { end_sentence(); next }
    {
      tag = $NF; type = tolower(substr(tag, 3))
      if (tag == "O") close_span()
      else if (substr(tag, 1, 2) == "B-" || type != open) {
        close_span(); line = line " <START:" type ">"; open = type
      }
      line = line " " $1; tokens++
    }
    END { end_sentence(); if (in_doc) docs++; print tokens + 0, sents + 0, docs + 0 > "/dev/stderr" }
  ' "$1"
}

to_opennlp "$train" > "$tmp/train.txt" 2> "$tmp/train.count"
to_opennlp "$dev" > "$tmp/dev.txt" 2> "$tmp/dev.count"
read -r train_tokens train_sents train_docs < "$tmp/train.count"
read -r dev_tokens dev_sents dev_docs < "$tmp/dev.count"

version=$({ opennlp 2>/dev/null || true; } | sed -n '1s/^OpenNLP \([^ ]*\)\. .*/\1/p')
java_version=$(java -version 2>&1 | sed -n 1p)
echo "OpenNLP ${version:-?} ($java_version), $(nproc) cores"
echo "train: $train ($(commas "$train_tokens") tokens, $(commas "$train_sents") sentences, $train_docs documents)"
echo "dev:   $dev ($(commas "$dev_tokens") tokens, $(commas "$dev_sents") sentences, $dev_docs documents)"
printf 'train entities:'
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^<START:/) n[substr($i, 8, length($i) - 8)]++ }
     END { for (t in n) printf " %s %d", t, n[t] }' "$tmp/train.txt"
echo

# --- 2. training (cached) ---------------------------------------------------
cache=${XDG_CACHE_HOME:-$HOME/.cache}/docpipe-bench
key=$(sha256sum "$tmp/train.txt" | cut -c1-16)
cached_model=$cache/ner-opennlp-${version:-unknown}-$key.bin
model=$tmp/model.bin
if [ -s "$cached_model" ] && [ -s "$cached_model.seconds" ]; then
  cp "$cached_model" "$model"
  read -r train_seconds train_cpu < "$cached_model.seconds"
  train_note="(wall, CPU ${train_cpu:-?} s, when the cached model was trained: $cached_model; delete it to retrain)"
else
  echo "training (OpenNLP defaults: perceptron, 300 iterations max, cutoff 0, default features)..."
  read -r train_seconds train_cpu < <(timed "$tmp/train.log" "$tmp/train.err" opennlp TokenNameFinderTrainer \
    -model "$model" -lang en -data "$tmp/train.txt" -encoding UTF-8 || { cat "$tmp/train.log" >&2; echo FAIL; })
  if [ "$train_seconds" = FAIL ] || [ ! -s "$model" ]; then
    echo "ner-opennlp.sh: training failed" >&2
    exit 1
  fi
  train_note="(wall, JVM start included; CPU $train_cpu s; $(grep -o 'Performing [0-9]* iterations' "$tmp/train.log" || true); \
$(grep -m1 -o 'Stopping:.*' "$tmp/train.log" || echo 'ran all iterations'))"
  if mkdir -p "$cache" 2>/dev/null && cp "$model" "$cached_model.tmp" 2>/dev/null; then
    mv "$cached_model.tmp" "$cached_model"
    echo "$train_seconds $train_cpu" > "$cached_model.seconds"
  fi
fi
echo "train: $train_seconds s $train_note"

# --- 3. evaluation on dev ----------------------------------------------------
opennlp TokenNameFinderEvaluator -model "$model" -data "$tmp/dev.txt" -encoding UTF-8 \
  -detailedF true -misclassified false > "$tmp/eval.log" 2>&1 || { cat "$tmp/eval.log" >&2; exit 1; }
echo "dev evaluation (TokenNameFinderEvaluator: exact span + type match, same criterion as conlleval; micro-averaged):"
grep -E '^Evaluated|precision:' "$tmp/eval.log" | sed 's/^/  /'
read -r dev_p dev_r dev_f < <(sed -n 's/.*TOTAL: precision: *\([0-9.]*\)%; *recall: *\([0-9.]*\)%; *F1: *\([0-9.]*\)%.*/\1 \2 \3/p' "$tmp/eval.log") || true
[ -n "${dev_f:-}" ] || { echo "ner-opennlp.sh: no TOTAL line in the evaluator's output:" >&2; cat "$tmp/eval.log" >&2; exit 1; }

# --- 4. tagging speed --------------------------------------------------------
# The corpus as TokenNameFinder wants it: one whitespace-tokenized sentence per
# line, an empty line after each document.  Rough on purpose: paragraphs are
# blank or indented lines (the Reuters texts are wrapped at ~70 columns),
# sentences end at . ! ? before a capital or digit (not after an initial or a
# common abbreviation), tokens are words, numbers, abbreviations like U.S.,
# clitics split as in CoNLL ("EU 's", "do n't"), other characters alone.
python3 - "$corpus" > "$tmp/input.txt" 2> "$tmp/input.count" <<'EOF'
import json, re, sys
PARA = re.compile(r'\n\s*\n|\n(?=[ \t])')
SENT = re.compile(r'(?<=[.!?])["\')\]]?\s+(?=["\'(\[]?[A-Z0-9])')
ABBR = re.compile(r'(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|St|Jr|Sr|Inc|Corp|Co|Ltd|Bros|No|vs'
                  r'|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N))\.$')
TOKEN = re.compile(r"""
    (?:[A-Za-z]\.){2,}                  # U.S.  a.m.
  | \d+(?:[.,:/-]\d+)*%?                # 5.93  155,221  10:30  1987-02-26  5%
  | \w+(?:[-'’]\w+)*                    # words, hyphenated, with apostrophes
  | [^\w\s]                             # any other character on its own
""", re.X)
CLITIC = re.compile(r"(?i)^(\w.*?)(n['’]t|['’](?:s|re|ve|ll|d|m))$")
tokens = sentences = docs = 0
out = sys.stdout
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        text = json.loads(line).get("text")
        if not text:
            continue
        docs += 1
        for para in PARA.split(text):
            para = " ".join(para.split())
            if not para:
                continue
            start, parts = 0, []
            for m in SENT.finditer(para):
                if ABBR.search(para[start:m.start()].rstrip("\"')]")):
                    continue
                parts.append(para[start:m.start()])
                start = m.end()
            parts.append(para[start:])
            for s in parts:
                toks = []
                for t in TOKEN.findall(s):
                    m = CLITIC.match(t)
                    toks.extend(m.groups() if m else (t,))
                if toks:
                    out.write(" ".join(toks) + "\n")
                    tokens += len(toks)
                    sentences += 1
        out.write("\n")
print(tokens, sentences, docs, file=sys.stderr)
EOF
read -r corpus_tokens corpus_sents corpus_docs < "$tmp/input.count"
echo "Peter Blackburn said in Brussels on Thursday ." > "$tmp/one.txt"
echo "corpus: $corpus ($corpus_docs documents -> $(commas "$corpus_sents") sentences, $(commas "$corpus_tokens") tokens, tokenized here)"
echo "tagging speed: TokenNameFinder, $pinned; $runs runs each:"

# Wall time is the figure; CPU time (user + sys of the pinned JVM) is shown
# beside it because it barely moves when other jobs compete for the core.
tag() {   # tag INPUT: runs the name finder once, prints "wall cpu" seconds
  timed "$tmp/tagged.txt" "$tmp/tag.err" "${pin[@]}" opennlp TokenNameFinder "$model" < "$1"
}
for i in $(seq "$runs"); do tag "$tmp/one.txt"; done > "$tmp/startup.s"
startup=$(cut -d' ' -f1 "$tmp/startup.s" | median)
startup_cpu=$(cut -d' ' -f2 "$tmp/startup.s" | median)
echo "  start-up + model load (1 sentence): $(cut -d' ' -f1 "$tmp/startup.s" | tr '\n' ' ')s wall -> median $startup s (CPU $startup_cpu s)"
: > "$tmp/rates"
for i in $(seq "$runs"); do
  read -r total total_cpu < <(tag "$tmp/input.txt" || echo FAIL)
  [ "$total" != FAIL ] || exit 1
  read -r rate rate_cpu < <(awk -v n="$corpus_tokens" -v t="$total" -v s="$startup" \
    -v c="$total_cpu" -v sc="$startup_cpu" 'BEGIN { printf "%.0f %.0f\n", n / (t - s), n / (c - sc) }')
  echo "$rate $rate_cpu" >> "$tmp/rates"
  echo "  run $i: $total s wall -> $(commas "$rate") tokens/s   (CPU $total_cpu s -> $(commas "$rate_cpu") tokens/s)"
done
rate=$(cut -d' ' -f1 "$tmp/rates" | median)
rate_cpu=$(cut -d' ' -f2 "$tmp/rates" | median)
entities=$(awk '{ n += gsub(/<START:/, "") } END { print n + 0 }' "$tmp/tagged.txt")
echo "  (last run found $(commas "$entities") entities)"

echo
echo "opennlp: train $(commas "$train_tokens") tokens in $train_seconds s; dev P/R/F1 $dev_p/$dev_r/$dev_f (exact span, as conlleval); tagging $(commas "$rate") tokens/s $per (median of $runs, startup excluded; by CPU time $(commas "$rate_cpu"))"
