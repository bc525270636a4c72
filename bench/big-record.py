#!/usr/bin/env python3
"""big-record.py — one JSON-lines record of about SIZE_MB megabytes of text,
the corpus's texts joined by blank lines (again from the start if needed),
to measure what one huge document costs a stage (docs/benchmarks.md).

    bench/big-record.py SIZE_MB OUT [CORPUS]
"""
import json
import sys

size = int(float(sys.argv[1]) * 1000000)
corpus = sys.argv[3] if len(sys.argv) > 3 else '../shared/data/corpus/news.jsonl'
parts, total = [], 0
with open(corpus, encoding='utf-8') as f:
    while total < size:
        for line in f:
            text = json.loads(line)['text']
            parts.append(text)
            total += len(text.encode()) + 2
            if total >= size:
                break
        else:
            f.seek(0)
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    out.write(json.dumps({'id': 'big-%s' % sys.argv[1], 'text': '\n\n'.join(parts)}) + '\n')
