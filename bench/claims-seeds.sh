#!/bin/sh
# claims-seeds.sh — runs the news pipeline over the seed articles (real news
# in ../shared/seeds/, never committed) and prints every claim on one line, so
# that a reader can check the attributions issue 16 lists by eye:
#
#   "speaker" -> canonical (entity id) | cue | act kind | first words of the content
#
#   bench/claims-seeds.sh [BUILD-DIR] [SEED-DIR]   (defaults: build, ../shared/seeds)
#
# CLAIM_WORDS=N shows N words of each content (default 10).  Run by hand, not
# by ctest: the seeds are not part of the project.  Needs jq (apt-get install jq).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
seeds=${2:-$here/../shared/seeds}
words=${CLAIM_WORDS:-10}
command -v jq >/dev/null || { echo "claims-seeds: needs jq (apt-get install jq)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! "$build/bin/docpipe" run -q "$here/pipelines/news.pipeline" -s "read.path=$seeds/*.txt" -s write.path="$out"; then
  echo "claims-seeds: the pipeline failed" >&2
  exit 1
fi
jq -r --argjson n "$words" '
  def words: gsub("\\s+"; " ") | sub("^ "; "") | split(" ") | if length > $n then .[:$n] + ["…"] else . end | join(" ");
  "== \(.id): \(.layers.claims | length) claims",
  (.layers.claims[] |
    (if .speaker == null then "(nobody)"
     else "\"\(.speaker.text)\" -> \(.speaker.canonical // "?") (\(.speaker.entity // "no entity"))" end)
    + " | " + (.cue.text // "(no cue)") + " | \(.act) \(.kind) | " + (.text | words))
' "$out"
