#!/bin/sh
# big.sh — the hostile-input suite's big cases at full size: a 200 MB single
# document, a million one-line documents, 10 MB JSON lines, and 4 MB texts
# shaped against each stage.  ctest runs them reduced (tests/test-hostile.c);
# this prints the figures docs/reliability.md quotes: exit code, seconds, the
# child's peak RSS against the baseline of a tiny run through the same stages.
# Needs about 1.5 GB of disk in $TMPDIR and as much memory.
#
#   tests/hostile/big.sh [BUILD_DIR]     (default: build)
set -eu
build=${1:-build}
bin="$build/bin/test-hostile"
[ -x "$bin" ] || { echo "big.sh: $bin not built (cmake --build $build --target test-hostile)" >&2; exit 2; }
DP_HOSTILE_FULL=1 DOCPIPE_PLUGIN_PATH= "$bin" --verbose \
  -p /hostile/huge-document -p /hostile/many-records -p /hostile/long-lines -p /hostile/stage-costs 2>&1 |
  grep -E '^(ok|not ok|Bail out)|^# (baseline|huge|long|shape|[0-9]+ one-line)'
