/* report.js — draws the docpipe report from its data blocks.
 *
 * The index block (id "dp-index") holds the run's counts and one row per
 * listed document; each document's text and spans are in their own block
 * ("d0", "d1", …), parsed only when that document is shown, a page at a time,
 * so a report of thousands of documents opens as fast as a small one.
 * Everything from the data is inserted as text (textContent, createTextNode,
 * attributes that are never URLs or handlers), never as markup.
 */
(function () {
  'use strict';

  var idx = JSON.parse(document.getElementById('dp-index').textContent);
  var run = idx.run;
  var R_N = 0, R_ID = 1, R_TITLE = 2, R_DATE = 3, R_ENTS = 4, R_SPKS = 5, R_LABELS = 6, R_ACTS = 7, R_CLAIMS = 8;
  var SVGNS = 'http://www.w3.org/2000/svg';

  /* ---- small helpers ---------------------------------------------------- */

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    append(e, kids);
    return e;
  }

  function svg(tag, attrs, kids) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    append(e, kids);
    return e;
  }

  function setAttrs(e, attrs) {
    for (var k in attrs || {}) {
      if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
    }
  }

  function append(e, kids) {
    if (kids === null || kids === undefined) return;
    if (!Array.isArray(kids)) kids = [kids];
    kids.forEach(function (k) {
      if (k === null || k === undefined) return;
      e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
    });
  }

  function num(n) { return Number(n).toLocaleString('en'); }

  /* A number cell the tests and readers can find: data-stat names it. */
  function statCell(key, n) { return el('td', { 'class': 'n', 'data-stat': key, 'data-value': n }, num(n)); }

  var PALETTE = { PER: '#ffd6a5', ORG: '#bde0fe', LOC: '#caffbf', GPE: '#caffbf', MISC: '#e4c1f9',
                  DATE: '#fdffb6', TIME: '#fdffb6', MONEY: '#ffc6ff', PERCENT: '#ffc6ff' };
  var EXTRA = ['#a0c4ff', '#ffadad', '#9bf6ff', '#d0f4de', '#fcf6bd', '#e9ff70', '#ffcfd2', '#cfbaf0'];
  function labelColour(label) {
    if (PALETTE[label]) return PALETTE[label];
    var h = 0;
    for (var i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
    return EXTRA[h % EXTRA.length];
  }

  function byCountThenName(count, name) {
    return function (a, b) {
      return count(b) - count(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
    };
  }

  function topIndices(n, count, name, limit) {
    var ix = [];
    for (var i = 0; i < n; i++) ix.push(i);
    ix.sort(byCountThenName(count, name));
    return ix.slice(0, limit);
  }

  /* ---- state and derived tables ----------------------------------------- */

  var labels = idx.labels.map(function (l) { return l[0]; });
  var hasLayer = {};
  run.layers.forEach(function (l) { hasLayer[l[0]] = true; });
  var entKey = {};   /* label + TAB + canonical -> entity index */
  idx.ents.forEach(function (e, i) { entKey[labels[e[1]] + '\t' + e[0]] = i; });
  var actOrder = topIndices(idx.acts.length, function (a) {
    var t = 0;
    idx.spks.forEach(function (s) { t += s[3][a] || 0; });
    return t;
  }, function (a) { return idx.acts[a]; }, idx.acts.length);

  var filter = { entity: -1, entityText: '', speaker: -1, label: -1, act: -1, text: '' };
  var page = 0;
  var matches = idx.docs;

  /* ---- header ------------------------------------------------------------- */

  function renderRun() {
    var box = document.getElementById('run');
    box.textContent = '';
    var p = el('p', null, [
      el('span', { 'data-stat': 'docs', 'data-value': run.docs }, num(run.docs)), ' documents · ',
      el('span', { 'data-stat': 'claims', 'data-value': run.claims }, num(run.claims)), ' claims · ',
      el('span', { 'data-stat': 'mentions', 'data-value': run.mentions }, num(run.mentions)), ' entity mentions · ',
      el('span', { 'class': 'muted' }, run.generator + ', ' + run.created)]);
    box.appendChild(p);
    var layers = run.layers.map(function (l) { return l[0] + ' (' + num(l[2]) + ' spans in ' + num(l[1]) + ' documents)'; });
    box.appendChild(el('p', { id: 'layers' }, 'Layers: ' + (layers.length ? layers.join(', ') : 'none')));
    var missing = ['entities', 'claims'].filter(function (n) { return !hasLayer[n]; });
    if (missing.length)
      box.appendChild(el('p', { 'class': 'warn', id: 'missing-layers' },
        'The records had no ' + missing.join(' and no ') + ' layer: ' +
        (hasLayer.entities ? '' : 'no entities are highlighted or counted. ') +
        (hasLayer.claims ? '' : 'No claims are marked or counted, and there are no speakers, timeline claims or graph.')));
    if (run.omitted > 0)
      box.appendChild(el('p', { 'class': 'warn', id: 'omitted' },
        num(run.omitted) + ' documents (' + (run.omitted_bytes / 1048576).toFixed(1) + ' MiB of data) were left out of the ' +
        'document list: the report embeds at most ' + num(run.max_documents) + ' documents and ' + num(run.max_size / 1048576) +
        ' MiB (the report stage\'s max-documents and max-size). The overview counts all ' + num(run.docs) + ' documents.'));
  }

  /* ---- overview ------------------------------------------------------------ */

  function card(title, body, id, wide) {
    return el('div', { 'class': wide ? 'card wide' : 'card', id: id }, [el('h3', null, title), body]);
  }

  function entityButton(i) {
    var e = idx.ents[i];
    var b = el('button', { 'class': 'link', type: 'button', title: labels[e[1]] + ': show the documents that mention it' }, e[0]);
    b.addEventListener('click', function () { showMentions(i); setFilter({ entity: i }); });
    return b;
  }

  function labelTable() {
    var rows = labels.map(function (l, i) {
      var sw = el('span', { 'class': 'swatch' });
      sw.style.backgroundColor = labelColour(l);
      var b = el('button', { 'class': 'link', type: 'button' }, l);
      b.addEventListener('click', function () { setFilter({ label: i }); });
      return el('tr', { 'data-label': l }, [el('td', null, [sw, b]),
        statCell('label:' + l + ':mentions', idx.labels[i][1]), statCell('label:' + l + ':docs', idx.labels[i][2])]);
    });
    if (!rows.length) return el('p', { 'class': 'muted' }, 'No entities.');
    return el('table', { id: 'ov-labels' }, [el('tr', null, [el('th', null, 'Label'), el('th', { 'class': 'n' }, 'Mentions'),
      el('th', { 'class': 'n' }, 'Documents')])].concat(rows));
  }

  function entityTable() {
    var top = topIndices(idx.ents.length, function (i) { return idx.ents[i][2] * 1e9 + idx.ents[i][3]; },
                         function (i) { return idx.ents[i][0] + '\t' + labels[idx.ents[i][1]]; }, run.top);
    if (!top.length) return el('p', { 'class': 'muted' }, 'No entities.');
    var rows = top.map(function (i) {
      var e = idx.ents[i], key = 'entity:' + labels[e[1]] + ':' + e[0];
      return el('tr', null, [el('td', null, entityButton(i)), el('td', null, labels[e[1]]),
        statCell(key + ':docs', e[2]), statCell(key + ':mentions', e[3])]);
    });
    return el('table', { id: 'ov-entities' }, [el('tr', null, [el('th', null, 'Entity'), el('th', null, 'Label'),
      el('th', { 'class': 'n' }, 'Documents'), el('th', { 'class': 'n' }, 'Mentions')])].concat(rows));
  }

  function speakerTable() {
    var top = topIndices(idx.spks.length, function (i) { return idx.spks[i][2]; }, function (i) { return idx.spks[i][0]; }, run.top);
    if (!top.length) return el('p', { 'class': 'muted' }, hasLayer.claims ? 'No claim names its speaker.' : 'No claims layer.');
    var head = [el('th', null, 'Speaker'), el('th', { 'class': 'n' }, 'Claims')].concat(
      actOrder.map(function (a) { return el('th', { 'class': 'n' }, idx.acts[a]); }));
    var rows = top.map(function (i) {
      var s = idx.spks[i], key = 'speaker:' + s[0];
      var b = el('button', { 'class': 'link', type: 'button', title: s[1] >= 0 ? 'entity: ' + idx.ents[s[1]][0] : 'not linked to an entity' }, s[0]);
      b.addEventListener('click', function () { setFilter({ speaker: i }); });
      return el('tr', null, [el('td', null, b), statCell(key + ':total', s[2])].concat(
        actOrder.map(function (a) { return statCell(key + ':act:' + idx.acts[a], s[3][a] || 0); })));
    });
    return el('table', { id: 'ov-speakers' }, [el('tr', null, head)].concat(rows));
  }

  /* Documents and claims per publication date; by month when there are many days. */
  function timeline() {
    var days = idx.dates;
    var buckets = days;
    if (days.length > 60) {
      var m = {};
      buckets = [];
      days.forEach(function (d) {
        var k = d[0].slice(0, 7);
        if (!m[k]) { m[k] = [k, 0, 0]; buckets.push(m[k]); }
        m[k][1] += d[1]; m[k][2] += d[2];
      });
    }
    var wrap = el('div', { id: 'ov-timeline' });
    if (!buckets.length) {
      wrap.appendChild(el('p', { 'class': 'muted' }, 'No document has a publication date (meta.date).'));
      return wrap;
    }
    var maxV = 1;
    buckets.forEach(function (b) { maxV = Math.max(maxV, b[1], b[2]); });
    var bw = Math.max(6, Math.min(28, Math.floor(900 / buckets.length / 2))), gap = 6, h = 140, top = 14, bottom = 80;
    var width = 80 + buckets.length * (2 * bw + gap);
    var s = svg('svg', { width: width, height: h + top + bottom, role: 'img', 'aria-label': 'documents and claims by date' });
    buckets.forEach(function (b, i) {
      var x = 40 + i * (2 * bw + gap);
      var g = svg('g', { 'data-date': b[0] });
      [[1, '#7aa6d8', 'docs', 'documents'], [2, '#2a9d8f', 'claims', 'claims']].forEach(function (k, j) {
        var v = b[k[0]], bh = Math.round(v / maxV * h);
        var r = svg('rect', { x: x + j * bw, y: top + h - bh, width: bw - 1, height: Math.max(bh, v ? 1 : 0), fill: k[1],
                              'data-stat': 'date:' + b[0] + ':' + k[2], 'data-value': v });
        r.appendChild(svg('title', null, b[0] + ': ' + v + ' ' + k[3]));
        g.appendChild(r);
        if (v && bw >= 14) g.appendChild(svg('text', { x: x + j * bw + bw / 2, y: top + h - bh - 3, 'text-anchor': 'middle', 'font-size': 10 }, v));
      });
      g.appendChild(svg('text', { x: x + bw, y: top + h + 10, transform: 'rotate(50 ' + (x + bw) + ' ' + (top + h + 10) + ')' }, b[0]));
      s.appendChild(g);
    });
    s.appendChild(svg('text', { x: 0, y: top + 4 }, num(maxV)));
    s.appendChild(svg('line', { x1: 36, x2: width, y1: top + h + 0.5, y2: top + h + 0.5, stroke: '#999' }));
    wrap.appendChild(el('p', { 'class': 'legend' }, [legendKey('#7aa6d8', 'documents'), legendKey('#2a9d8f', 'claims'),
      run.undated ? el('span', { 'class': 'muted' }, [el('span', { 'data-stat': 'undated', 'data-value': run.undated }, num(run.undated)), ' documents without a date']) : null]));
    wrap.appendChild(s);
    return wrap;
  }

  function legendKey(colour, text) {
    var sw = el('span', { 'class': 'swatch' });
    sw.style.backgroundColor = colour;
    return el('span', null, [sw, text]);
  }

  /* Speakers on the left, the entities their claims mention on the right;
   * nodes are taken from the heaviest edges down to graph_nodes, and each
   * column is ordered by the mean position of its neighbours (a few rounds
   * of the barycentre heuristic), which keeps crossings few. */
  function graph() {
    var wrap = el('div', { id: 'ov-graph' });
    var L = [], Rt = [], li = {}, ri = {}, edges = [];
    idx.edges.forEach(function (e) {
      var newNodes = (li[e[0]] === undefined ? 1 : 0) + (ri[e[1]] === undefined ? 1 : 0);
      if (L.length + Rt.length + newNodes > run.graph_nodes) return;
      if (li[e[0]] === undefined) { li[e[0]] = L.length; L.push(e[0]); }
      if (ri[e[1]] === undefined) { ri[e[1]] = Rt.length; Rt.push(e[1]); }
      edges.push(e);
    });
    if (!edges.length) {
      wrap.appendChild(el('p', { 'class': 'muted' }, hasLayer.claims && hasLayer.entities ?
        'No claim mentions an entity.' : 'The graph needs both the claims and the entities layers.'));
      return wrap;
    }
    var posL = {}, posR = {};
    L.forEach(function (n, i) { posL[n] = i; });
    Rt.forEach(function (n, i) { posR[n] = i; });
    function reorder(nodes, pos, other, mine, theirs) {
      var bc = {};
      nodes.forEach(function (n) {
        var sum = 0, cnt = 0;
        edges.forEach(function (e) { if (e[mine] === n) { sum += other[e[theirs]] * e[2]; cnt += e[2]; } });
        bc[n] = cnt ? sum / cnt : pos[n];
      });
      nodes.sort(function (a, b) { return bc[a] - bc[b] || pos[a] - pos[b]; });
      nodes.forEach(function (n, i) { pos[n] = i; });
    }
    for (var round = 0; round < 4; round++) {
      reorder(Rt, posR, posL, 1, 0);
      reorder(L, posL, posR, 0, 1);
    }
    var rowH = 22, rows = Math.max(L.length, Rt.length), height = rows * rowH + 30, width = 760;
    var xL = 230, xR = width - 230;
    function y(pos, n, count) { return 20 + (pos[n] + 0.5) * (rows * rowH / count); }
    var s = svg('svg', { width: width, height: height, role: 'img', 'aria-label': 'who makes claims about whom' });
    s.appendChild(svg('text', { x: xL, y: 12, 'text-anchor': 'end', 'font-weight': 'bold' }, 'speakers'));
    s.appendChild(svg('text', { x: xR, y: 12, 'font-weight': 'bold' }, 'entities their claims mention'));
    var maxW = 1;
    edges.forEach(function (e) { maxW = Math.max(maxW, e[2]); });
    var paths = edges.map(function (e) {
      var y1 = y(posL, e[0], L.length), y2 = y(posR, e[1], Rt.length), mx = (xL + xR) / 2;
      var p = svg('path', { 'class': 'edge', d: 'M' + (xL + 6) + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + (xR - 6) + ',' + y2,
        'stroke-width': (1 + 5 * e[2] / maxW).toFixed(2), 'data-edge': idx.spks[e[0]][0] + '\u2192' + labels[idx.ents[e[1]][1]] + ':' + idx.ents[e[1]][0], 'data-value': e[2] });
      p.appendChild(svg('title', null, idx.spks[e[0]][0] + ' \u2192 ' + idx.ents[e[1]][0] + ': ' + e[2] + ' claims'));
      p._ends = e;
      s.appendChild(p);
      return p;
    });
    function hot(side, n, on) {
      paths.forEach(function (p) { if (p._ends[side] === n) p.classList.toggle('hot', on); });
    }
    function node(side, n, x, yy, name, anchor, click) {
      var g = svg('g', { 'class': 'node', 'data-node': (side ? 'entity:' : 'speaker:') + name });
      g.appendChild(svg('circle', { cx: x, cy: yy, r: 5, fill: side ? '#7aa6d8' : '#264653' }));
      var t = svg('text', { x: side ? x + 9 : x - 9, y: yy + 4, 'text-anchor': anchor }, name.length > 32 ? name.slice(0, 31) + '\u2026' : name);
      t.appendChild(svg('title', null, name));
      g.appendChild(t);
      g.addEventListener('mouseenter', function () { hot(side, n, true); });
      g.addEventListener('mouseleave', function () { hot(side, n, false); });
      g.addEventListener('click', click);
      s.appendChild(g);
    }
    L.forEach(function (n) { node(0, n, xL, y(posL, n, L.length), idx.spks[n][0], 'end', function () { setFilter({ speaker: n }); }); });
    Rt.forEach(function (n) { node(1, n, xR, y(posR, n, Rt.length), idx.ents[n][0], 'start', function () { showMentions(n); setFilter({ entity: n }); }); });
    wrap.appendChild(s);
    return wrap;
  }

  function renderOverview(app) {
    var sec = el('section', { id: 'sec-overview' }, el('h2', null, 'Overview'));
    var grid = el('div', { 'class': 'grid' }, [
      card('Entity mentions per label', labelTable(), 'card-labels'),
      card('Top entities (by documents)', entityTable(), 'card-entities'),
      card('Documents and claims by publication date', timeline(), 'card-timeline', true),
      card('Top speakers and their claims by act', speakerTable(), 'card-speakers', true)]);
    sec.appendChild(grid);
    sec.appendChild(el('div', { 'class': 'card', id: 'card-graph' }, [el('h3', null, 'Who makes claims about whom'), graph()]));
    app.appendChild(sec);
  }

  /* ---- documents ----------------------------------------------------------- */

  var docCache = {};
  function loadDoc(n) {
    if (!docCache[n]) docCache[n] = JSON.parse(document.getElementById('d' + n).textContent);
    return docCache[n];
  }

  function entityMatches() {
    if (filter.entity >= 0) return function (row) { return row[R_ENTS].indexOf(filter.entity) >= 0; };
    if (!filter.entityText) return null;
    var q = filter.entityText.toLowerCase(), set = {};
    idx.ents.forEach(function (e, i) { if (e[0].toLowerCase().indexOf(q) >= 0) set[i] = true; });
    return function (row) { return row[R_ENTS].some(function (e) { return set[e]; }); };
  }

  function applyFilter() {
    var ent = entityMatches(), q = filter.text.toLowerCase();
    matches = idx.docs.filter(function (row) {
      if (ent && !ent(row)) return false;
      if (filter.speaker >= 0 && row[R_SPKS].indexOf(filter.speaker) < 0) return false;
      if (filter.label >= 0 && row[R_LABELS].indexOf(filter.label) < 0) return false;
      if (filter.act >= 0 && row[R_ACTS].indexOf(filter.act) < 0) return false;
      if (q && (row[R_ID] + '\n' + (row[R_TITLE] || '')).toLowerCase().indexOf(q) < 0) return false;
      return true;
    });
    page = 0;
  }

  function setFilter(change) {
    for (var k in change) filter[k] = change[k];
    if ('entity' in change && change.entity >= 0) filter.entityText = '';
    applyFilter();
    syncControls();
    renderPage();
    showDocuments();
  }

  /* Overview and documents are two tabs, #overview (the default) and
   * #documents, so that a link or a bookmark can open either. */
  function showTab() {
    var docs = location.hash === '#documents' || location.hash.indexOf('#entity=') === 0;
    document.getElementById('sec-overview').hidden = docs;
    document.getElementById('sec-documents').hidden = !docs;
    document.querySelectorAll('nav.sections a').forEach(function (a) {
      a.classList.toggle('current', a.getAttribute('href') === (docs ? '#documents' : '#overview'));
    });
  }

  /* #entity=LABEL:canonical name (URL-encoded) opens the documents that
   * mention that entity, and its mentions: a link to an entity. */
  function openEntityFromHash() {
    var m = /^#entity=(.*)$/.exec(location.hash), key;
    if (!m) return;
    try { key = decodeURIComponent(m[1]); } catch (e) { return; }
    var colon = key.indexOf(':'), i = entKey[key.slice(0, colon) + '\t' + key.slice(colon + 1)];
    if (i === undefined) return;
    showMentions(i);
    filter.entity = i;
    filter.entityText = '';
    applyFilter();
    syncControls();
    renderPage();
  }

  function showDocuments() {
    if (location.hash !== '#documents') location.hash = '#documents';
    else document.getElementById('sec-documents').scrollIntoView();
  }

  var controls = {};
  function select(name, title, options) {
    var s = el('select', { name: name, 'aria-label': title });
    s.appendChild(el('option', { value: -1 }, 'any ' + title));
    options.forEach(function (o) { s.appendChild(el('option', { value: o[0] }, o[1])); });
    s.addEventListener('change', function () { var c = {}; c[name] = Number(s.value); setFilter(c); });
    controls[name] = s;
    return el('label', null, [title + ' ', s]);
  }

  function renderFilters() {
    var box = el('div', { 'class': 'filters', id: 'filters' });
    var entIn = el('input', { type: 'search', name: 'entity', placeholder: 'entity name contains…', list: 'entity-names' });
    var dl = el('datalist', { id: 'entity-names' });
    topIndices(idx.ents.length, function (i) { return idx.ents[i][2]; }, function (i) { return idx.ents[i][0]; }, 300)
      .forEach(function (i) { dl.appendChild(el('option', { value: idx.ents[i][0] })); });
    entIn.addEventListener('input', function () { setFilter({ entity: -1, entityText: entIn.value }); });
    controls.entityText = entIn;
    var textIn = el('input', { type: 'search', name: 'text', placeholder: 'title or id contains…' });
    textIn.addEventListener('input', function () { setFilter({ text: textIn.value }); });
    controls.text = textIn;
    var spk = topIndices(idx.spks.length, function (i) { return idx.spks[i][2]; }, function (i) { return idx.spks[i][0]; }, 500);
    box.appendChild(el('label', null, ['Entity ', entIn, dl]));
    box.appendChild(select('speaker', 'speaker', spk.map(function (i) { return [i, idx.spks[i][0] + ' (' + idx.spks[i][2] + ')']; })));
    box.appendChild(select('label', 'label', labels.map(function (l, i) { return [i, l]; })));
    box.appendChild(select('act', 'act', actOrder.map(function (a) { return [a, idx.acts[a]]; })));
    box.appendChild(el('label', null, ['Document ', textIn]));
    var chip = el('span', { id: 'entity-chip' });
    box.appendChild(chip);
    var reset = el('button', { type: 'button' }, 'Clear filters');
    reset.addEventListener('click', function () { setFilter({ entity: -1, entityText: '', speaker: -1, label: -1, act: -1, text: '' }); });
    box.appendChild(reset);
    return box;
  }

  function syncControls() {
    controls.speaker.value = String(filter.speaker);
    controls.label.value = String(filter.label);
    controls.act.value = String(filter.act);
    controls.entityText.value = filter.entityText;
    controls.text.value = filter.text;
    var chip = document.getElementById('entity-chip');
    chip.textContent = '';
    if (filter.entity >= 0) {
      var x = el('button', { 'class': 'link', type: 'button', title: 'remove' }, ' \u00d7');
      x.addEventListener('click', function () { setFilter({ entity: -1 }); });
      chip.appendChild(el('span', { 'class': 'chip' }, ['entity: ' + idx.ents[filter.entity][0], x]));
    }
  }

  function legend() {
    var box = el('div', { 'class': 'legend', id: 'legend' });
    labels.forEach(function (l) {
      var k = el('mark', { 'class': 'ent k' }, l);
      k.style.backgroundColor = labelColour(l);
      box.appendChild(k);
    });
    box.appendChild(el('span', { 'class': 'claim k' }, 'claim content'));
    box.appendChild(el('span', { 'class': 'cue k' }, 'cue'));
    box.appendChild(el('span', { 'class': 'speaker k' }, 'speaker'));
    box.appendChild(el('span', { 'class': 'hedge k' }, 'hedge'));
    return box;
  }

  function renderDocsSection(app) {
    var sec = el('section', { id: 'sec-documents' }, el('h2', null, 'Documents'));
    sec.appendChild(renderFilters());
    sec.appendChild(legend());
    sec.appendChild(el('div', { 'class': 'pager', id: 'pager-top' }));
    sec.appendChild(el('div', { id: 'doc-list' }));
    sec.appendChild(el('div', { 'class': 'pager', id: 'pager-bottom' }));
    app.appendChild(sec);
  }

  function pager(box, counted) {
    box.textContent = '';
    var pages = Math.max(1, Math.ceil(matches.length / run.page_size));
    var prev = el('button', { type: 'button' }, '\u2190 previous'), next = el('button', { type: 'button' }, 'next \u2192');
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    prev.addEventListener('click', function () { page--; renderPage(); showDocuments(); });
    next.addEventListener('click', function () { page++; renderPage(); showDocuments(); });
    box.appendChild(prev);
    box.appendChild(el('span', null, [el('span', counted ? { 'data-stat': 'matching', 'data-value': matches.length } : null, num(matches.length)),
      ' of ' + num(idx.docs.length) + ' listed documents · page ' + (page + 1) + ' of ' + pages]));
    box.appendChild(next);
  }

  function renderPage() {
    pager(document.getElementById('pager-top'), true);
    pager(document.getElementById('pager-bottom'));
    var list = document.getElementById('doc-list');
    list.textContent = '';
    matches.slice(page * run.page_size, (page + 1) * run.page_size).forEach(function (row) {
      list.appendChild(renderDoc(row[R_N]));
    });
  }

  function metaList(d) {
    var dl = el('dl', { 'class': 'meta' });
    var pairs = [['id', d.id], ['source', d.src]];
    d.meta.forEach(function (kv) { if (kv[0] !== 'title') pairs.push(kv); });
    pairs.forEach(function (kv) {
      dl.appendChild(el('dt', null, kv[0]));
      dl.appendChild(el('dd', { 'data-meta': kv[0] }, kv[1]));
    });
    return dl;
  }

  function titleOf(d) {
    for (var i = 0; i < d.meta.length; i++) if (d.meta[i][0] === 'title') return d.meta[i][1];
    return d.id;
  }

  /* The document's spans as items to nest: claim parts outside, entities inside. */
  function spanItems(d) {
    var items = [];
    d.c.forEach(function (c) {
      items.push({ s: c[0], e: c[1], rank: 0, kind: 'claim', c: c });
      if (c[4]) items.push({ s: c[4][0], e: c[4][1], rank: 1, kind: 'cue', c: c });
      if (c[5]) items.push({ s: c[5][0], e: c[5][1], rank: 1, kind: 'speaker', c: c });
      c[6].forEach(function (h) { items.push({ s: h[0], e: h[1], rank: 2, kind: 'hedge', c: c }); });
    });
    d.e.forEach(function (e) { items.push({ s: e[0], e: e[1], rank: 3, kind: 'ent', ent: e }); });
    return items.filter(function (it) { return it.e > it.s; });
  }

  function itemNode(it, n) {
    var node;
    if (it.kind === 'ent') {
      var e = it.ent;
      node = el('mark', { 'class': 'ent', 'data-ent': e[5], 'data-label': e[2],
        title: e[2] + ' \u00b7 ' + e[3] + (e[4] !== null ? ' \u00b7 cluster ' + e[4] : '') + ' \u00b7 ' + e[5] });
      node.style.backgroundColor = labelColour(e[2]);
      node.addEventListener('click', function (ev) {
        ev.stopPropagation();
        var g = entKey[e[2] + '\t' + e[3]];
        if (g !== undefined) showMentions(g);
      });
      return node;
    }
    var c = it.c, cls = { claim: 'claim', cue: 'cue', speaker: 'speaker', hedge: 'hedge' }[it.kind];
    node = el('span', { 'class': cls, 'data-claim': c[7] });
    if (it.kind === 'claim') {
      node.setAttribute('data-act', c[2]);
      node.title = 'claim ' + c[7] + ': ' + c[2] + (c[3] ? ', ' + c[3] : '') + (c[5] ? ', by ' + c[5][3] : '');
    } else if (it.kind === 'speaker') {
      if (c[5][2]) node.setAttribute('data-entity', c[5][2]);
      node.title = 'speaker of ' + c[7] + ': ' + c[5][3] + (c[5][2] ? ' \u2192 ' + c[5][2] : ' (not linked to an entity)');
      node.addEventListener('mouseenter', function () { flashEntity(n, c[5][2], true); });
      node.addEventListener('mouseleave', function () { flashEntity(n, c[5][2], false); });
    } else {
      node.title = it.kind + ' of ' + c[7];
    }
    return node;
  }

  function flashEntity(n, id, on) {
    if (!id) return;
    var art = document.getElementById('doc-' + n);
    if (!art) return;
    art.querySelectorAll('mark.ent').forEach(function (m) {
      if (m.getAttribute('data-ent') === id) m.classList.toggle('flash', on);
    });
  }

  /* Nests possibly overlapping spans: an element that must close while
   * elements opened inside it continue is closed, and those are reopened
   * as further fragments (with the same data attributes). */
  function highlight(d, n) {
    var text = d.text, items = spanItems(d);
    items.sort(function (a, b) { return a.s - b.s || b.e - a.e || a.rank - b.rank; });
    var pts = [0, text.length];
    items.forEach(function (it) { pts.push(it.s, it.e); });
    pts = pts.filter(function (p) { return p >= 0 && p <= text.length; }).sort(function (a, b) { return a - b; });
    var root = el('div', { 'class': 'text' }), stack = [], next = 0, last = 0;
    function top() { return stack.length ? stack[stack.length - 1].node : root; }
    function open(it) {
      var node = itemNode(it, n);
      top().appendChild(node);
      stack.push({ it: it, node: node });
    }
    for (var i = 0; i < pts.length; i++) {
      var p = pts[i];
      if (i && p === pts[i - 1]) continue;
      if (p > last) { top().appendChild(document.createTextNode(text.slice(last, p))); last = p; }
      if (stack.some(function (f) { return f.it.e <= p; })) {
        var reopen = [];
        while (stack.some(function (f) { return f.it.e <= p; })) {
          var f = stack.pop();
          if (f.it.e > p) reopen.unshift(f.it);
        }
        reopen.forEach(open);
      }
      while (next < items.length && items[next].s === p) open(items[next++]);
    }
    if (last < text.length) top().appendChild(document.createTextNode(text.slice(last)));
    return root;
  }

  function claimList(d, n) {
    if (!d.c.length) return null;
    var ol = el('ol');
    d.c.forEach(function (c) {
      var who = c[5] ? el('button', { 'class': 'link', type: 'button', 'data-claim': c[7],
        title: c[5][2] ? 'linked to entity ' + c[5][2] : 'not linked to an entity' }, c[5][3]) : el('span', { 'class': 'muted' }, 'nobody named');
      if (c[5] && c[5][2]) who.addEventListener('click', function () {
        var art = document.getElementById('doc-' + n), id = c[5][2];
        var m = Array.prototype.find.call(art.querySelectorAll('mark.ent'), function (x) { return x.getAttribute('data-ent') === id; });
        if (m) { m.scrollIntoView({ block: 'center' }); m.classList.add('flash'); setTimeout(function () { m.classList.remove('flash'); }, 1500); }
      });
      ol.appendChild(el('li', { 'data-claim': c[7] }, [el('span', { 'class': 'act' }, c[2]), who,
        c[4] ? ' \u2014 ' + d.text.slice(c[4][0], c[4][1]) + ': ' : ': ', '\u201c' + d.text.slice(c[0], c[1]) + '\u201d']));
    });
    return el('details', { 'class': 'claims' }, [el('summary', null, d.c.length + ' claims'), ol]);
  }

  function renderDoc(n) {
    var d = loadDoc(n);
    var art = el('article', { 'class': 'doc', id: 'doc-' + n, 'data-n': n, 'data-id': d.id });
    var layers = d.layers.map(function (l) { return l[0] + ' ' + l[1]; }).join(', ');
    art.appendChild(el('header', null, [el('h3', null, titleOf(d)), metaList(d),
      el('p', { 'class': 'muted' }, 'Layers: ' + (layers || 'none'))]));
    art.appendChild(highlight(d, n));
    var cl = claimList(d, n);
    if (cl) art.appendChild(cl);
    return art;
  }

  /* ---- an entity's mentions across the run ---------------------------------- */

  function showMentions(i) {
    var e = idx.ents[i], label = labels[e[1]];
    var box = document.getElementById('mentions');
    if (!box) { box = el('aside', { id: 'mentions' }); document.body.appendChild(box); }
    box.textContent = '';
    var close = el('button', { type: 'button' }, 'close');
    close.addEventListener('click', function () { box.remove(); });
    box.appendChild(el('h3', null, [e[0] + ' (' + label + ') ', close]));
    var rows = idx.docs.filter(function (r) { return r[R_ENTS].indexOf(i) >= 0; });
    box.appendChild(el('p', { 'class': 'muted' }, num(e[3]) + ' mentions in ' + num(e[2]) + ' documents' +
      (rows.length < e[2] ? ' (' + num(rows.length) + ' of them in the document list)' : '')));
    var ol = el('ol'), shown = 0, LIMIT = 200;
    rows.some(function (r) {
      var d = loadDoc(r[R_N]);
      d.e.forEach(function (m) {
        if (shown >= LIMIT || m[2] !== label || m[3] !== e[0]) return;
        shown++;
        var go = el('button', { 'class': 'link', type: 'button' }, r[R_TITLE] || r[R_ID]);
        go.addEventListener('click', function () { setFilter({ entity: i }); });
        ol.appendChild(el('li', null, [go, el('br'), el('span', { 'class': 'ctx' }, '\u2026' + d.text.slice(Math.max(0, m[0] - 50), m[0])),
          el('mark', { 'class': 'ent' }, d.text.slice(m[0], m[1])), el('span', { 'class': 'ctx' }, d.text.slice(m[1], m[1] + 50) + '\u2026')]));
      });
      return shown >= LIMIT;
    });
    box.appendChild(ol);
    if (shown >= LIMIT) box.appendChild(el('p', { 'class': 'muted' }, 'The first ' + LIMIT + ' mentions are shown.'));
  }

  /* ---- start ------------------------------------------------------------------ */

  var app = document.getElementById('app');
  renderRun();
  app.appendChild(el('nav', { 'class': 'sections' }, [el('a', { href: '#overview' }, 'Overview'), el('a', { href: '#documents' }, 'Documents')]));
  renderOverview(app);
  renderDocsSection(app);
  renderPage();
  /* When the first page was drawn, in milliseconds since navigation began
   * (bench/report.sh reads it). */
  var ms = performance.now();
  document.body.appendChild(el('footer', null, ['Drawn in ', el('span', { id: 'dp-rendered-ms' }, ms.toFixed(0)), ' ms. ',
    'Offsets in this page count UTF-16 code units; the JSON output counts code points.']));
  /* The tabs' hashes name no element, so the browser does not scroll to them. */
  showTab();
  openEntityFromHash();
  window.addEventListener('hashchange', function () { showTab(); openEntityFromHash(); window.scrollTo(0, 0); });
})();
