#!/bin/sh
# check-exports.sh — libdocpipe's ABI is exactly what the SDK headers mark DP_API.
#
#   check-exports.sh LIBRARY.so HEADER_DIR [MACRO]
#
# Compares the dynamic symbols the library defines (nm -D --defined-only) with
# the functions and variables declared MACRO (default DP_API; the harness
# library's is DP_HARNESS_API) in HEADER_DIR/*.h, and fails,
# listing the difference, when either side has a name the other lacks: an
# exported symbol no header declares is ABI by accident; a DP_API declaration
# the library does not export breaks every plugin that calls it.
set -eu
export LC_ALL=C   # sort and comm must agree on the order
lib=$1
headers=$2
macro=${3:-DP_API}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Names the toolchain may add to any shared object; never docpipe's own.
nm -D --defined-only "$lib" | awk '{ print $NF }' \
  | grep -Ev '^(_init|_fini|_edata|_end|__bss_start|__.*)$' | sort -u > "$tmp/exported"

# The declarations: comments and preprocessor lines (with their continuation
# lines) dropped, then statements split at ';' so a declaration may span lines.
for h in "$headers"/*.h; do cat "$h"; echo; done | awk -v macro="$macro" '
  BEGIN { incomment = 0; cont = 0 }
  {
    line = $0
    if (cont) { cont = (line ~ /\\$/); next }
    out = ""
    while (length (line) > 0) {
      if (incomment) {
        i = index (line, "*/")
        if (i == 0) { line = ""; break }
        line = substr (line, i + 2); incomment = 0
      } else {
        i = index (line, "/*")
        if (i == 0) { out = out line; line = ""; break }
        out = out substr (line, 1, i - 1) " "; line = substr (line, i + 2); incomment = 1
      }
    }
    if (out ~ /^[ \t]*#/) { cont = (out ~ /\\$/); next }
    printf "%s ", out
  }' | tr ';' '\n' | awk -v macro="$macro" '
  $0 ~ ("(^| )" macro " ") {
    s = $0
    sub (".*" macro "[ \t]+", "", s)
    gsub (/G_GNUC_[A-Z_]+[ \t]*(\([^()]*\))?/, " ", s)
    gsub (/__attribute__[ \t]*\(\([^()]*(\([^()]*\))?[^()]*\)\)/, " ", s)
    p = index (s, "(")
    if (p > 0) {
      head = substr (s, 1, p - 1)
      rest = substr (s, p + 1)
      if (head ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_ \t*]*[ \t*]$/ && rest ~ /^[ \t]*\*/) {
        # a function pointer variable: TYPE (*name) (ARGS)
        sub (/^[ \t]*\*[ \t]*/, "", rest); sub (/[^A-Za-z0-9_].*/, "", rest); print rest; next
      }
      sub (/[ \t]+$/, "", head); n = split (head, w, /[^A-Za-z0-9_]+/); print w[n]; next
    }
    sub (/[[=].*/, "", s); sub (/[ \t]+$/, "", s); n = split (s, w, /[^A-Za-z0-9_]+/); print w[n]
  }' | sort -u > "$tmp/declared"

if [ ! -s "$tmp/declared" ]; then
  echo "check-exports: no $macro declarations found in $headers" >&2
  exit 1
fi
comm -23 "$tmp/exported" "$tmp/declared" > "$tmp/undeclared"
comm -13 "$tmp/exported" "$tmp/declared" > "$tmp/missing"
status=0
if [ -s "$tmp/undeclared" ]; then
  echo "check-exports: $lib exports symbols that no SDK header declares $macro:" >&2
  sed 's/^/  /' "$tmp/undeclared" >&2
  status=1
fi
if [ -s "$tmp/missing" ]; then
  echo "check-exports: SDK headers declare $macro symbols that $lib does not export:" >&2
  sed 's/^/  /' "$tmp/missing" >&2
  status=1
fi
[ $status -eq 0 ] && echo "check-exports: $(wc -l < "$tmp/exported") symbols exported, all declared $macro in $headers"
exit $status
