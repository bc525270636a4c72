#!/bin/sh
# report.sh — the report of a big run, opened in a browser.
#
#   bench/report.sh [BUILD-DIR] [N] [RUNS] [CORPUS]
#       (defaults: build, 5000, 3, ../shared/data/corpus/news.jsonl)
#
# Annotates N news documents once with the news pipeline's stages (the first
# N of CORPUS when it is there, else the twelve sample articles repeated,
# each copy with its own id), then:
#   - writes the report (`reader ! report`) and, for comparison, JSON lines
#     (`reader ! writer`) from those records: wall time and peak RSS;
#   - opens the report in headless Chromium RUNS times: the time from
#     navigation to the first drawn page, which the page itself writes into
#     #dp-rendered-ms (performance.now() after the overview and the first
#     page of documents are in the DOM; the whole file is parsed by then),
#     and the wall time of the whole chromium process beside that of an
#     empty page (browser start-up; --dump-dom then serialises the whole
#     DOM, data blocks included, which takes most of the rest).  Medians.
# Needs chromium and /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-5000}
runs=${3:-3}
docpipe=$build/bin/docpipe
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "report.sh: needs chromium (apt-get install chromium)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "report.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

corpus=${4:-$here/../shared/data/corpus/news.jsonl}
if [ -f "$corpus" ]; then
  head -n "$n" "$corpus" > "$tmp/in.jsonl"
  what="the first $n documents of $(basename "$corpus")"
else
  awk -v n="$n" '{ line[NR] = $0 } END {
    for (i = 0; i < n; i++) {
      l = line[i % NR + 1]; k = int(i / NR)
      sub(/"id": *"/, "&" k "-", l)
      printf "%s\n", l } }' "$here/samples/news.jsonl" > "$tmp/in.jsonl"
  what="the 12 sample articles repeated to $n documents"
fi
"$docpipe" run -q -e "reader path=$tmp/in.jsonl ! normalizer ! ner ! claims ! writer path=$tmp/news.jsonl"
docs=$(wc -l < "$tmp/news.jsonl")
mb=$(du -m "$tmp/news.jsonl" | cut -f1)
echo "input: $what, annotated: $docs records, $mb MB of JSON lines"

for sink in writer report; do
  out=$tmp/out-$sink.$( [ $sink = report ] && echo html || echo jsonl )
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$docpipe" run -q -e "reader path=$tmp/news.jsonl ! $sink path=$out"
  read -r wall rss < "$tmp/time"
  echo "reader ! $sink: $wall s, peak RSS $((rss / 1024)) MB, output $(du -m "$out" | cut -f1) MB"
done

printf '<!DOCTYPE html><title>blank</title><p>blank</p>\n' > "$tmp/blank.html"
open_page() {   # URL -> "WALL_S DRAWN_MS"
  start=$(date +%s.%N)
  "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" \
    --dump-dom "$1" 2>/dev/null > "$tmp/dom.html"
  end=$(date +%s.%N)
  drawn=$(sed -n 's/.*id="dp-rendered-ms">\([0-9]*\)<.*/\1/p' "$tmp/dom.html")
  echo "$(echo "$end - $start" | bc) ${drawn:--}"
}
for i in $(seq "$runs"); do
  open_page "file://$tmp/blank.html" >> "$tmp/blank"
  open_page "file://$tmp/out-report.html" >> "$tmp/report"
done
echo "first page drawn (ms after navigation), median of $runs: $(cut -d' ' -f2 "$tmp/report" | median)  [runs: $(cut -d' ' -f2 "$tmp/report" | tr '\n' ' ')]"
echo "chromium --dump-dom wall s, median of $runs: report $(cut -d' ' -f1 "$tmp/report" | median), empty page $(cut -d' ' -f1 "$tmp/blank" | median)"
