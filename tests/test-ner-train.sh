#!/bin/sh
# test-ner-train.sh — docpipe-ner-train's cross-validation (cv) and case-augmented
# copies (--case-copies, --copy-case) on a small made-up corpus: cv reports
# every part and their sum, copies are counted and recorded in the model, the
# same command gives the same bytes, eval --tags-out writes the tags, and bad
# settings are refused.
# Usage: test-ner-train.sh DOCPIPE-NER-TRAIN GAZETTEER-DIR
set -eu
bin=$1 gaz=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
names="Ali:Larijani:Tehran Hassan:Rouhani:Geneva Amara:Okafor:Lagos Kim:Yong-nam:Pyongyang Helena:Marchetti:Vienna Choe:Thae-bok:Beijing"
for round in 1 2; do
  for n in $names; do
    first=${n%%:*} rest=${n#*:} last=${rest%%:*} city=${rest#*:}
    printf -- '-DOCSTART- -X- -X- O\n\n'
    printf '%s NNP B-NP B-PER\n%s NNP I-NP I-PER\nvisited VBD B-VP O\n%s NNP B-NP B-LOC\n. . O O\n\n' "$first" "$last" "$city"
    printf 'The DT B-NP O\nUnited NNP I-NP B-ORG\nNations NNP I-NP I-ORG\nsaid VBD B-VP O\nso RB O O\n. . O O\n\n'
  done
done > "$dir/train.iob2"
opts="-g $gaz -e 2 -f 2 -r 1 -s 1"

"$bin" cv --propagate -k 3 $opts "$dir/train.iob2" > "$dir/cv.out" 2>/dev/null
grep -q '^part 3/3:' "$dir/cv.out"
grep -q '^3-fold cross-validation, all parts:' "$dir/cv.out"
# Every document is held out once: the sum counts all 36 gold entities.
sed -n '/all parts/,$p' "$dir/cv.out" | grep -q 'entities: 36 gold'

"$bin" train $opts --case-copies 2 -o "$dir/a.dpm" "$dir/train.iob2" 2>/dev/null
"$bin" train $opts --case-copies 2 -o "$dir/b.dpm" "$dir/train.iob2" 2>/dev/null
cmp "$dir/a.dpm" "$dir/b.dpm"
"$bin" info "$dir/a.dpm" > "$dir/info"
grep -q -- '--case-copies 2' "$dir/info"
grep -q 'data: 24 documents' "$dir/info"   # 12 and a lower- or upper-cased copy of each

# One kind of copy only, of every Nth document.
"$bin" train $opts --case-copies 3 --copy-case lower -o "$dir/c.dpm" "$dir/train.iob2" 2>/dev/null
"$bin" info "$dir/c.dpm" > "$dir/info"
grep -q -- '--case-copies 3 --copy-case lower' "$dir/info"
grep -q 'data: 16 documents' "$dir/info"   # 12 and a lower-cased copy of every 3rd
if "$bin" train $opts --case-copies 3 --copy-case title -o "$dir/d.dpm" "$dir/train.iob2" 2>"$dir/err"; then exit 1; fi
grep -q -- "--copy-case: 'title' is not lower, upper or both" "$dir/err"

# eval --tags-out: a line per token (word, gold label, predicted tag), a blank line per sentence.
"$bin" eval -g "$gaz" -m "$dir/a.dpm" --tags-out "$dir/tags" "$dir/train.iob2" > /dev/null
test "$(grep -c . "$dir/tags")" -eq "$(grep -c '^[^-].* [BIO]-*[A-Z]*$' "$dir/train.iob2")"
grep -q '^Larijani I-PER [A-Z]' "$dir/tags"
test "$(grep -c '^$' "$dir/tags")" -eq 24

if "$bin" cv -k 1 $opts "$dir/train.iob2" 2>"$dir/err"; then exit 1; fi
grep -q -- '--cv must be at least 2' "$dir/err"
echo ok
