# build-pair.sh — sourced by the scripts that time this tree against an older
# commit (compare.sh, ner-compare.sh, claims-stage.sh, json-glib-path.sh).
#
# build_pair BASE [TARGET…] builds BASE from git (`git archive`, Release) in
# $here/build-base-BASE/, kept between runs, and this tree in
# $here/build-bench/; TARGETs limit both builds (default: everything).  It
# sets $base_dir.  BASE_PREPARE, when set, is run in BASE's tree before its
# build (ner-compare.sh copies today's harness in).
# Both builds are incremental, so a second run of a script starts at once.
build_pair() {
  base_rev=$1; shift
  base_dir=$here/build-base-$base_rev
  if [ ! -f "$base_dir/CMakeLists.txt" ]; then
    rm -rf "$base_dir"; mkdir -p "$base_dir"
    git -C "$here" archive "$base_rev" | tar -x -C "$base_dir"
  fi
  [ -z "${BASE_PREPARE:-}" ] || (cd "$base_dir" && eval "$BASE_PREPARE")
  pair_targets=
  [ $# -eq 0 ] || pair_targets="--target $*"
  for pair in "$base_dir:$base_dir/build" "$here:$here/build-bench"; do
    cmake -S "${pair%%:*}" -B "${pair#*:}" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    # shellcheck disable=SC2086
    cmake --build "${pair#*:}" -j"$(nproc)" $pair_targets >/dev/null
  done
}
