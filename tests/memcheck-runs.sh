#!/bin/sh
# memcheck-runs.sh — the docpipe binary itself under valgrind memcheck, on runs
# that between them load every plugin and take every reader and writer path:
# the five-stage news pipeline, HTML/gzip/JSON-lines input, JSONL, gzip, CSV
# and SQLite output with a state file, the report, dead letters, 2 workers.
# Any memory error or definite leak fails (valgrind's exit code 9); so does a
# run that does not exit as expected.  ctest runs it with the label memcheck
# (configure with -DDOCPIPE_MEMCHECK=ON; see tests/CMakeLists.txt).
#
#   tests/memcheck-runs.sh DOCPIPE PLUGIN_DIR SOURCE_DIR
set -eu
docpipe=$1
plugins=$2
src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export DOCPIPE_PLUGIN_PATH=$plugins

n=0
# vg EXPECTED_EXIT DESCRIPTION ARGS...: one docpipe run under valgrind.
vg() {
  want=$1 what=$2
  shift 2
  n=$((n + 1))
  set +e
  valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite --error-exitcode=9 \
    --log-file="$tmp/vg-$n.log" "$docpipe" "$@" > "$tmp/out-$n" 2> "$tmp/err-$n"
  got=$?
  set -e
  if [ "$got" -ne "$want" ] || [ -s "$tmp/vg-$n.log" ]; then
    echo "not ok $n - $what (exit $got, expected $want)"
    cat "$tmp/vg-$n.log" "$tmp/err-$n" | head -60
    exit 1
  fi
  echo "ok $n - $what"
}

gzip -c "$src/samples/news.jsonl" > "$tmp/news.jsonl.gz"
cp "$src/tests/fixtures/reader/"*.html "$tmp/"
printf '{"id":"a","text":"Fine."}\n{"id":"b","text":17}\nnot json\n' > "$tmp/bad.jsonl"

vg 0 "news pipeline, five stages, 2 workers, stats" run -q -j 2 --stats "$tmp/stats.json" \
  -e "reader path=$src/samples/news/*.txt format=text ! normalizer ! ner ! claims ! writer path=$tmp/news.jsonl"
docs=$(ls "$src"/samples/news/*.txt | wc -l)
[ "$(wc -l < "$tmp/news.jsonl")" -eq "$docs" ] || { echo "not ok - news.jsonl does not hold $docs records"; exit 1; }
vg 0 "gzip JSON lines in, gzip out" run -q \
  -e "reader path=$tmp/news.jsonl.gz ! normalizer ! writer path=$tmp/copy.jsonl.gz"
vg 0 "HTML pages in, CSV out" run -q \
  -e "reader path=$tmp/*.html ! normalizer ! ner ! writer path=$tmp/pages.csv"
vg 0 "SQLite out with a state file" run -q \
  -e "reader path=$tmp/news.jsonl ! writer path=$tmp/news.sqlite" -s pipeline.state="$tmp/state.sqlite"
vg 0 "the same run again: nothing to do" run -q \
  -e "reader path=$tmp/news.jsonl ! writer path=$tmp/news.sqlite" -s pipeline.state="$tmp/state.sqlite"
vg 0 "the report over earlier output" run -q -e "reader path=$tmp/news.jsonl ! report path=$tmp/report.html"
vg 3 "bad records dead-lettered, the good one written" run -q \
  -e "reader path=$tmp/bad.jsonl ! writer path=$tmp/good.jsonl" -s pipeline.dead-letter="$tmp/dead.jsonl"
[ "$(wc -l < "$tmp/good.jsonl")" -eq 1 ] && [ "$(wc -l < "$tmp/dead.jsonl")" -eq 2 ] ||
  { echo "not ok - expected 1 record written and 2 dead letters"; exit 1; }
vg 2 "a pipeline with a mistake" check -e "reader path=x ! nosuchstage"
vg 0 "plugins listed" plugins
echo "1..$n"
