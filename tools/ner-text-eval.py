#!/usr/bin/env python3
"""ner-text-eval.py — scores the ner stage as a pipeline runs it: on running
text, tokenized and split into sentences by the core, not on the gold tokens
and sentences `docpipe-ner-train eval` uses.

CoNLL-2003 documents are written back as text the way tools/sentence-eval.c
does (prose spacing, sentences joined by a space, a sentence without final
punctuation on a line of its own), with the gold entities' character spans.

  tools/ner-text-eval.py text ../shared/data/ner/conll2003/dev.iob2 dev.jsonl gold.json
  build/bin/docpipe run -q -e "reader path=dev.jsonl format=jsonl ! ner ! writer" > out.jsonl
  tools/ner-text-eval.py score gold.json out.jsonl

Exact spans (start, end, label) over PER ORG LOC MISC, micro-averaged.
Offsets are code points (the writer's), and the text is written as code points.
"""
import json
import sys

LEFT = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...", "'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "'"}
RIGHT = {"(", "[", "{", "$", "#"}
LABELS = ("PER", "ORG", "LOC", "MISC")


def documents(path):
    doc, sent = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-") or not line.strip():
            if sent:
                doc.append(sent)
                sent = []
            if line.startswith("-DOCSTART-") and doc:
                yield doc
                doc = []
            continue
        cols = line.split(" ")
        sent.append((cols[0], cols[-1]))
    if sent:
        doc.append(sent)
    if doc:
        yield doc


def write_text(doc):
    text, spans, quote_open, ended, prev = "", [], False, True, None
    for sent in doc:
        cur = None
        for j, (w, tag) in enumerate(sent):
            space = len(text) > 0
            if w == '"':
                space = space and not quote_open
                quote_open = not quote_open
            elif w.lower() in LEFT and j > 0:
                space = False
            if prev and (prev in RIGHT or (prev == '"' and quote_open)):
                space = False
            if j == 0 and text:
                text += " " if ended else "\n"
                space = False
            if space:
                text += " "
            start = len(text)
            text += w
            if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
                if cur:
                    spans.append(cur)
                cur = [start, len(text), tag[2:]]
            elif tag.startswith("I-"):
                cur[1] = len(text)
            elif cur:
                spans.append(cur)
                cur = None
            if w not in ('"', ")"):
                ended = w in (".", "!", "?", "...") or (len(w) > 1 and w.endswith("."))
            prev = w
        if cur:
            spans.append(cur)
    return text, spans


def make(iob, jsonl, gold_path):
    gold = {}
    with open(jsonl, "w", encoding="utf-8") as out:
        for i, doc in enumerate(documents(iob)):
            text, spans = write_text(doc)
            gold[str(i)] = spans
            out.write(json.dumps({"id": str(i), "text": text}) + "\n")
    with open(gold_path, "w", encoding="utf-8") as f:
        json.dump(gold, f)


def score(gold_path, output):
    gold = json.load(open(gold_path, encoding="utf-8"))
    tp = n_gold = n_pred = 0
    for line in open(output, encoding="utf-8"):
        rec = json.loads(line)
        pred = {(e["start"], e["end"], e["label"]) for e in rec["layers"].get("entities", []) if e["label"] in LABELS}
        want = {tuple(s) for s in gold[rec["id"]]}
        tp += len(pred & want)
        n_gold += len(want)
        n_pred += len(pred)
    p = 100.0 * tp / n_pred if n_pred else 0.0
    r = 100.0 * tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print("entities: %d gold, %d found, %d correct  P %.2f  R %.2f  F1 %.2f" % (n_gold, n_pred, tp, p, r, f))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "text":
        make(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
