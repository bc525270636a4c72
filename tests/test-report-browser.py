#!/usr/bin/env python3
"""test-report-browser.py — the report stage checked in a real browser.

Runs the news pipeline (pipelines/news.pipeline with a report group added
after its writer) over the sample corpus, writing JSON lines and the report
in the same run (falling back to a second run, `reader ! report`, on
a docpipe whose pipelines take one sink), opens the report in headless
Chromium and compares what the page shows, read from the DOM Chromium dumps,
with what the JSON lines say: every highlighted entity and claim part (the
text of its fragments), and the overview's numbers (data-stat cells).  Then
hostile documents: a page with the same payloads unescaped must set the
marker (the payloads work in this browser), the report must not, and must
show every text literally.  Screenshots go into the output directory.

usage: test-report-browser.py DOCPIPE SOURCE_DIR OUT_DIR
Exits 77 (skipped) when chromium is not installed.
"""
import collections
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

SKIP = 77
NOT_ABOUT = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"}
TOP = 25
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def chromium(url, out_dir, screenshot=None, size="1280,2000"):
    """The DOM after the page's scripts ran, as HTML; or a screenshot."""
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--user-data-dir=" + os.path.join(out_dir, "chromium-profile"),
            "--virtual-time-budget=10000"]
    if screenshot:
        argv += ["--window-size=" + size, "--screenshot=" + screenshot]
    else:
        argv += ["--dump-dom"]
    rc, out, err = run(argv + [url], timeout=60)
    if rc != 0:
        sys.exit("chromium failed (%d): %s" % (rc, err[-2000:]))
    return out


class Dom(html.parser.HTMLParser):
    """What the checks need from a dumped DOM: data-stat values, and per
    document the text of each entity and claim part (all its fragments)."""

    def __init__(self):
        super().__init__()
        self.stack = []          # (tag, attrs) of open elements
        self.stats = {}          # data-stat -> (data-value, text)
        self.docs = {}           # data-id -> {"ents": {id: text}, "labels": {id: label}, "parts": {(kind, id): text}, "text": str, "h3": str}
        self.edges = {}          # data-edge -> data-value
        self.tags = collections.Counter()
        self.attrs_seen = []     # every (tag, attrs) for marker checks
        self.doc = None
        self.mentions = 0        # items of the mentions panel (aside#mentions)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and any(t == "aside" and b.get("id") == "mentions" for t, b in self.stack):
            self.mentions += 1
        self.tags[tag] += 1
        self.attrs_seen.append((tag, a))
        if tag == "article" and "data-id" in a:
            self.doc = self.docs.setdefault(a["data-id"], {"ents": collections.defaultdict(str), "labels": {},
                                                         "parts": collections.defaultdict(str), "text": "", "h3": ""})
        if "data-edge" in a:
            self.edges[a["data-edge"]] = int(a["data-value"])
        if tag == "mark" and "data-ent" in a and self.doc is not None:
            self.doc["labels"][a["data-ent"]] = a.get("data-label")
            self.doc.setdefault("titles", {})[a["data-ent"]] = a.get("title", "")
        if "data-stat" in a and tag != "td" and tag != "span":
            self.stats[a["data-stat"]] = (int(a["data-value"]), None)
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack:
            t, a = self.stack.pop()
            if t == "article":
                self.doc = None
            if t == tag:
                break

    def handle_data(self, data):
        in_text = False
        for t, a in self.stack:
            if "data-stat" in a and t in ("td", "span"):
                v, s = self.stats.get(a["data-stat"], (int(a["data-value"]), ""))
                self.stats[a["data-stat"]] = (v, (s or "") + data)
            if self.doc is None:
                continue
            cls = a.get("class", "")
            if t == "h3":
                self.doc["h3"] += data
            if cls == "text":
                in_text = True
            if not in_text:
                continue
            if t == "mark" and "data-ent" in a:
                self.doc["ents"][a["data-ent"]] += data
            elif t == "span" and "data-claim" in a and cls in ("claim", "cue", "speaker", "hedge"):
                self.doc["parts"][(cls, a["data-claim"])] += data
        if in_text:
            self.doc["text"] += data


def parse_dom(text):
    d = Dom()
    d.feed(text)
    d.close()
    return d


# ---- what the JSON lines say -------------------------------------------------

def expected(records):
    """The overview's numbers and every document's spans, computed as the
    report's README defines them."""
    st = {"docs": len(records), "claims": 0, "mentions": 0, "undated": 0}
    labels = collections.defaultdict(lambda: [0, set()])
    ents = collections.defaultdict(lambda: [set(), 0])
    spks = collections.defaultdict(collections.Counter)
    dates = collections.defaultdict(lambda: [0, 0])
    edges = collections.Counter()
    spans = {}
    for r in records:
        t, lay = r["text"], r.get("layers", {})
        es, cs = lay.get("entities", []), lay.get("claims", [])
        st["claims"] += len(cs)
        st["mentions"] += len(es)
        by_id = {}
        doc = {"ents": {}, "labels": {}, "parts": {}}
        for e in es:
            key = (e.get("label", ""), e.get("canonical", t[e["start"]:e["end"]]))
            by_id[e["id"]] = key
            labels[key[0]][0] += 1
            labels[key[0]][1].add(r["id"])
            ents[key][0].add(r["id"])
            ents[key][1] += 1
            doc["ents"][e["id"]] = t[e["start"]:e["end"]]
            doc["labels"][e["id"]] = key[0]
        for c in cs:
            act = c.get("act") or "other"
            doc["parts"][("claim", c["id"])] = t[c["start"]:c["end"]]
            if c.get("cue"):
                doc["parts"][("cue", c["id"])] = t[c["cue"]["start"]:c["cue"]["end"]]
            for h in c.get("hedges", []):
                doc["parts"][("hedge", c["id"])] = doc["parts"].get(("hedge", c["id"]), "") + t[h["start"]:h["end"]]
            s = c.get("speaker")
            if not s:
                continue
            doc["parts"][("speaker", c["id"])] = t[s["start"]:s["end"]]
            linked = by_id.get(s.get("entity"))
            name = s.get("canonical") or (linked[1] if linked else t[s["start"]:s["end"]])
            spks[name]["total"] += 1
            spks[name][act] += 1
            about = set()
            for e in es:
                key = by_id[e["id"]]
                if c["start"] <= e["start"] and e["end"] <= c["end"] and key != linked and key[0] not in NOT_ABOUT:
                    about.add(key)
            for key in about:
                edges[(name, key)] += 1
        m = r.get("meta", {}).get("date")
        if isinstance(m, str) and re.match(r"\d{4}-\d\d-\d\d", m):
            dates[m[:10]][0] += 1
            dates[m[:10]][1] += len(cs)
        else:
            st["undated"] += 1
        spans[r["id"]] = doc
    if st["undated"] == 0:
        del st["undated"]            # the page names undated documents only when there are some
    for l, (n, docs) in labels.items():
        st["label:%s:mentions" % l] = n
        st["label:%s:docs" % l] = len(docs)
    for d, (n, c) in dates.items():
        st["date:%s:docs" % d] = n
        st["date:%s:claims" % d] = c
    top_ents = sorted(ents, key=lambda k: (-len(ents[k][0]), -ents[k][1], k[1] + "\t" + k[0]))[:TOP]
    for k in top_ents:
        st["entity:%s:%s:docs" % k] = len(ents[k][0])
        st["entity:%s:%s:mentions" % k] = ents[k][1]
    top_spks = sorted(spks, key=lambda n: (-spks[n]["total"], n))[:TOP]
    acts = {c.get("act") or "other" for r in records for c in r.get("layers", {}).get("claims", [])}
    for n in top_spks:
        st["speaker:%s:total" % n] = spks[n]["total"]
        for a in acts:
            st["speaker:%s:act:%s" % (n, a)] = spks[n][a]
    edge_names = {"%s\u2192%s:%s" % (n, k[0], k[1]): w for (n, k), w in edges.items()}
    return st, spans, edge_names


def compare_report(dom, records, what):
    st, spans, edges = expected(records)
    shown = {k: v for k, (v, _) in dom.stats.items() if k != "matching"}
    for k, (v, text) in dom.stats.items():
        if text is not None:
            check(text.replace(",", "") == str(v), "%s: %s shows %r but data-value is %d" % (what, k, text, v))
    check(set(shown) == set(st), "%s: the overview's numbers are not those expected: missing %s, extra %s"
          % (what, sorted(set(st) - set(shown))[:10], sorted(set(shown) - set(st))[:10]))
    for k in set(st) & set(shown):
        check(shown[k] == st[k], "%s: %s is %d in the report, %d in the JSON lines" % (what, k, shown[k], st[k]))
    check(len(dom.edges) > 0 or not edges, "%s: the graph has no edges" % what)
    for k, w in dom.edges.items():
        check(edges.get(k) == w, "%s: graph edge %s weighs %d, the JSON lines say %s" % (what, k, w, edges.get(k)))
    check(set(dom.docs) == {r["id"] for r in records}, "%s: documents shown %s" % (what, sorted(dom.docs)))
    for r in records:
        got, want = dom.docs.get(r["id"]), spans[r["id"]]
        if not got:
            continue
        check(got["text"] == r["text"], "%s: %s: the shown text differs from the record's" % (what, r["id"]))
        check(dict(got["ents"]) == want["ents"], "%s: %s: highlighted entities differ: %s"
              % (what, r["id"], sorted(set(got["ents"].items()) ^ set(want["ents"].items()))[:6]))
        check(got["labels"] == want["labels"], "%s: %s: entity labels differ" % (what, r["id"]))
        for e in r.get("layers", {}).get("entities", []):
            title = got.get("titles", {}).get(e["id"], "")
            hover = [e["label"], e.get("canonical", "")] + (["cluster %d" % e["cluster"]] if "cluster" in e else [])
            check(all(h in title for h in hover), "%s: %s: %s's hover text %r lacks %s" % (what, r["id"], e["id"], title, hover))
        check(dict(got["parts"]) == want["parts"], "%s: %s: claim parts differ: %s"
              % (what, r["id"], sorted(set(got["parts"].items()) ^ set(want["parts"].items()))[:6]))
    return st


# ---- hostile documents -----------------------------------------------------------

MARK = "document.documentElement.setAttribute('data-pwned','%s')"
PAYLOADS = [
    "<script>" + MARK % "script" + "</script>",
    "\"><img src=x onerror=\"" + MARK % "img" + "\">",
    "<a href=\"javascript:" + MARK % "js" + "\" id=\"jslink\">click</a>",
    "</textarea><svg onload=\"" + MARK % "svg" + "\"></svg>",
    "</script><script>" + MARK % "breakout" + "</script><!--",
    "<iframe srcdoc=\"<script>parent." + MARK % "iframe" + "</script>\"></iframe>",
]


def hostile_records():
    recs = []
    for i, p in enumerate(PAYLOADS):
        text = "\U0001F600 Mallory said \u2028 %s and more \u2029 end" % p
        start = text.index("Mallory")
        cue = text.index("said")
        recs.append({
            "id": "hostile-%d<b>" % i, "text": text,
            "meta": {"title": "<b onmouseover=\"%s\">title %d</b>" % (MARK % "title", i), "date": "2026-01-0%d" % (i + 1),
                     "byline": "</script><script>" + MARK % "meta" + "</script>"},
            "layers": {
                "entities": [{"id": "entities-1", "start": start, "end": start + 7, "label": "PER<x>",
                              "canonical": "Mallory <img src=x onerror=\"%s\">" % (MARK % "canon"), "cluster": 1},
                             {"id": "entities-2", "start": text.index(p), "end": text.index(p) + len(p), "label": "ORG",
                              "canonical": p}],
                "claims": [{"id": "claims-1", "start": cue + 5, "end": len(text), "act": "warn<script>", "kind": "indirect",
                            "cue": {"start": cue, "end": cue + 4},
                            "speaker": {"start": start, "end": start + 7, "entity": "entities-1",
                                        "canonical": "Mallory </script><script>" + MARK % "spk" + "</script>"},
                            "hedges": []}]}})
    return recs


def hostile(docpipe, out):
    recs = hostile_records()
    src = os.path.join(out, "hostile.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    # The control: the payloads as plain markup do set the marker here.
    control = os.path.join(out, "control.html")
    with open(control, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html><body>%s</body></html>" % "".join(PAYLOADS[:2] + PAYLOADS[3:5]))
    cdom = parse_dom(chromium("file://" + control, out))
    check(any("data-pwned" in a for t, a in cdom.attrs_seen if t == "html"),
          "control: the payloads did not set the marker, so its absence would prove nothing")

    page = os.path.join(out, "hostile.html")
    rc, _, err = run([docpipe, "run", "-q", "-e", "reader path=%s ! report path=%s title='<script>%s</script>'"
                      % (src, page, MARK % "param")])
    check(rc == 0, "hostile: docpipe exited %d: %s" % (rc, err))
    raw = open(page, encoding="utf-8").read()
    data_blocks = re.findall(r'<script type="application/json" id="(d\d+|dp-index)">(.*?)</script>', raw, re.S)
    check(len(data_blocks) == len(recs) + 1, "hostile: %d data blocks for %d documents" % (len(data_blocks), len(recs)))
    for name, body in data_blocks:
        check("<" not in body and ">" not in body and "\u2028" not in body and "\u2029" not in body,
              "hostile: data block %s holds a raw <, > or line separator" % name)
    dom = parse_dom(chromium("file://" + page, out))
    check(dom.tags["footer"] == 1, "hostile: the page's script did not finish drawing")
    pwned = [a.get("data-pwned") for t, a in dom.attrs_seen if "data-pwned" in a]
    check(not pwned, "hostile: a payload ran: %s" % pwned)
    check(dom.tags["img"] == 0 and dom.tags["iframe"] == 0, "hostile: an <img> or <iframe> was created from the data")
    check(not any(a.get("href", "").lower().startswith("javascript") for t, a in dom.attrs_seen),
          "hostile: a javascript: link was created")
    check(dom.tags["script"] == len(recs) + 2, "hostile: %d script elements, expected %d" % (dom.tags["script"], len(recs) + 2))
    for r in recs:
        d = dom.docs.get(r["id"])
        check(d is not None, "hostile: %r is not shown" % r["id"])
        if d:
            check(d["text"] == r["text"], "hostile: %r's text is not shown literally" % r["id"])
            check(d["h3"] == r["meta"]["title"], "hostile: %r's title is not shown literally: %r" % (r["id"], d["h3"]))
            check(d["ents"].get("entities-2") == PAYLOADS[recs.index(r)], "hostile: the payload entity of %r" % r["id"])
    chromium("file://" + page + "#documents", out, os.path.join(out, "hostile.png"), "1280,1400")


# ---- the sample corpus ---------------------------------------------------------------

def samples(docpipe, srcdir, out):
    jsonl, page = os.path.join(out, "news.jsonl"), os.path.join(out, "report.html")
    # pipelines/news.pipeline with a second sink, the report, after its writer.
    news = os.path.join(srcdir, "pipelines/news.pipeline")
    both = os.path.join(out, "news-report.pipeline")
    with open(both, "w", encoding="utf-8") as f:
        f.write(open(news, encoding="utf-8").read() + "\n[report]\nplugin = report\npath = %s\n" % page)
    rc, _, err = run([docpipe, "run", "-q", "--set", "read.path=%s/samples/news/*.txt" % srcdir, both],
                     env=dict(os.environ, DOCPIPE_OUT=jsonl))
    if rc != 0:
        print("note: one run with two sinks failed (%s); running the pipeline, then reader ! report" % err.strip()[:200])
        rc, _, err = run([docpipe, "run", "-q", os.path.join(srcdir, "pipelines/news.pipeline")],
                         env=dict(os.environ, DOCPIPE_OUT=jsonl))
        check(rc == 0, "news pipeline: exit %d: %s" % (rc, err))
        rc, _, err = run([docpipe, "run", "-q", "-e", "reader path=%s ! report path=%s" % (jsonl, page)])
        check(rc == 0, "reader ! report: exit %d: %s" % (rc, err))
    records = [json.loads(l) for l in open(jsonl, encoding="utf-8")]
    check(len(records) == 12, "news: %d records, 12 expected" % len(records))
    dom = parse_dom(chromium("file://" + page, out))
    st = compare_report(dom, records, "news")
    print("news: %d documents, %d claims, %d entity mentions, %d numbers and %d graph edges compared"
          % (st["docs"], st["claims"], st["mentions"], len(st), len(dom.edges)))

    # A link to an entity (#entity=LABEL:canonical): its documents only, and its mentions.
    ments = collections.Counter()
    docs_of = collections.defaultdict(set)
    for r in records:
        for e in r.get("layers", {}).get("entities", []):
            key = (e["label"], e.get("canonical", r["text"][e["start"]:e["end"]]))
            ments[key] += 1
            docs_of[key].add(r["id"])
    key = max(ments, key=lambda k: (len(docs_of[k]) > 1, ments[k], k))
    url = "file://%s#entity=%s" % (page, urllib.parse.quote(key[0] + ":" + key[1]))
    edom = parse_dom(chromium(url, out))
    check(set(edom.docs) == docs_of[key], "entity link %s: documents shown %s, expected %s"
          % (key, sorted(edom.docs), sorted(docs_of[key])))
    check(edom.mentions == ments[key], "entity link %s: %d mentions listed, %d expected" % (key, edom.mentions, ments[key]))
    check(edom.stats.get("matching", (None,))[0] == len(docs_of[key]), "entity link %s: the count of matching documents" % (key,))

    # The same from the JSON lines of the earlier run: the same document blocks.
    again = os.path.join(out, "report-from-jsonl.html")
    rc, _, err = run([docpipe, "run", "-q", "-e", "reader path=%s ! report path=%s" % (jsonl, again)])
    check(rc == 0, "reader ! report: exit %d: %s" % (rc, err))
    blocks = lambda p: re.findall(r'<script type="application/json" id="d\d+">.*?</script>', open(p, encoding="utf-8").read(), re.S)
    check(blocks(page) == blocks(again) and len(blocks(page)) == 12,
          "the report of the JSON lines embeds other documents than the report of the run")

    # Without layers: the report says so and still lists the documents.
    bare = os.path.join(out, "bare.html")
    rc, _, err = run([docpipe, "run", "-q", "-e", "reader path=%s/samples/news/*.txt format=text ! report path=%s" % (srcdir, bare)])
    check(rc == 0, "reader ! report without layers: exit %d: %s" % (rc, err))
    bdom = parse_dom(chromium("file://" + bare, out))
    check(any(a.get("id") == "missing-layers" for t, a in bdom.attrs_seen), "no layers: the report does not say so")
    check(len(bdom.docs) == 12, "no layers: %d documents shown" % len(bdom.docs))

    chromium("file://" + page, out, os.path.join(out, "report-overview.png"), "1280,2000")
    chromium("file://" + page + "#documents", out, os.path.join(out, "report-documents.png"), "1280,1400")


def main():
    global CHROMIUM
    docpipe, srcdir, out = sys.argv[1:4]
    CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
    if not CHROMIUM:
        print("SKIP: chromium is not installed (apt-get install chromium); the report's browser test needs it")
        return SKIP
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    samples(docpipe, srcdir, out)
    hostile(docpipe, out)
    print("screenshots in", out)
    if failures:
        print("%d checks failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
