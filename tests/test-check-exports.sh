#!/bin/sh
# test-check-exports.sh — check-exports.sh fails when either side has a name
# the other lacks: a DP_API declaration the library does not export, and an
# exported symbol whose declaration lost its DP_API mark.
set -eu
lib=$1
headers=$2
check="$(dirname "$0")/check-exports.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sh "$check" "$lib" "$headers" >/dev/null

# A declaration the library lacks.
mkdir "$tmp/extra"
cp "$headers"/*.h "$tmp/extra/"
printf 'DP_API gboolean dp_not_in_the_library (const DpRecord *rec,\n    GError **error);\n' >> "$tmp/extra/record.h"
if sh "$check" "$lib" "$tmp/extra" 2> "$tmp/err"; then
  echo "check-exports.sh passed a header declaring a symbol the library lacks" >&2
  exit 1
fi
grep -q '^  dp_not_in_the_library$' "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }

# An exported symbol no header marks (here dp_record_free and the multi-line
# dp_record_new, unmarked).
mkdir "$tmp/unmarked"
cp "$headers"/*.h "$tmp/unmarked/"
sed -e '/dp_record_free (/s/^DP_API //' \
    -e 's/^DP_API G_GNUC_WARN_UNUSED_RESULT$/G_GNUC_WARN_UNUSED_RESULT/' \
    "$headers/record.h" > "$tmp/unmarked/record.h"
if sh "$check" "$lib" "$tmp/unmarked" 2> "$tmp/err"; then
  echo "check-exports.sh passed a library exporting symbols no header marks DP_API" >&2
  exit 1
fi
for name in dp_record_free dp_record_new dp_record_new_deferred; do
  grep -q "^  $name\$" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
done
echo "check-exports.sh catches extra names on either side: ok"
