// cairn dashboard: renders the updates that /events pushes as Server-Sent
// Events. Plain JavaScript and SVG, no libraries, nothing fetched from
// elsewhere.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const PALETTE = ['#4e79a7', '#f28e2b', '#76b7b2', '#59a14f', '#edc948', '#b07aa1',
    '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#e15759', '#d4a6c8'];
  // Order of states in the progress bar and legend: finished work first.
  const BAR_ORDER = ['checkpointed', 'done', 'restored', 'pruned', 'skipped', 'failed',
    'running', 'retrying', 'queued', 'pending'];
  const DARK = { checkpointed: 1, restored: 1, failed: 1 };
  const MAX_TASKS = 20000;
  const MAX_EDGES = 4000;
  // The task stream of a cluster run fits this many pixels, whatever the
  // number of workers; a worker shows at most MAX_SUBROWS tasks at once.
  const STREAM_HEIGHT = 760;
  const MAX_SUBROWS = 16;

  const fnColors = new Map();
  // The run to show; 0 follows the latest. A URL may name one (?run=2);
  // otherwise the page opens on the finished run with the most work.
  let follow = runFromURL();
  let chosen = follow !== 0;
  let source = null;
  let names = [];
  let colors = [];
  let graph = null; // what is drawn: {run, mode, nodes: [...]}
  let tasks = [];

  function colorOf(fn) {
    if (!fnColors.has(fn)) fnColors.set(fn, PALETTE[fnColors.size % PALETTE.length]);
    return fnColors.get(fn);
  }

  function svg(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function html(tag, cls, text, parent) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function fmtNum(n) { return Math.round(n).toLocaleString('en-US'); }

  // fmtShort abbreviates large counts for tight places: 12.3k, 4.5M.
  function fmtShort(n) {
    if (n < 10000) return fmtNum(n);
    if (n < 1e6) return (n / 1e3).toFixed(n < 1e5 ? 1 : 0) + 'k';
    return (n / 1e6).toFixed(1) + 'M';
  }

  function fmtBytes(b) {
    if (!b) return '0 B';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i ? b.toFixed(b < 10 ? 2 : 1) : b) + ' ' + u[i];
  }

  // Tick steps of the task stream's time axis, in ms: 1 µs to 1 h.
  const TICK_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000,
    60000, 120000, 300000, 600000, 1800000, 3600000];

  // fmtTick labels a time ms after the run's start in the unit its tick
  // step calls for (µs below 1 ms, ms below 1 s, s below 1 min, then min),
  // so that neighbouring ticks never read the same.
  function fmtTick(ms, step) {
    const round = (v) => String(Math.round(v * 1000) / 1000);
    if (step < 1) return round(ms * 1000) + 'µs';
    if (step < 1000) return round(ms) + 'ms';
    if (step < 60000) return round(ms / 1000) + 's';
    return round(ms / 60000) + 'min';
  }

  function fmtDur(ms) {
    if (ms < 0 || !isFinite(ms)) return '—';
    if (ms < 1) return Math.round(ms * 1000) + ' µs';
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' m ' + Math.round(s % 60) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' m';
  }

  function runFromURL() {
    const n = parseInt(new URLSearchParams(location.search).get('run') || '0', 10);
    return n > 0 ? n : 0;
  }

  // show follows run id (0: the latest), and says so in the page's URL.
  function show(id) {
    follow = id;
    chosen = true;
    const u = new URL(location.href);
    if (id) u.searchParams.set('run', id); else u.searchParams.delete('run');
    history.replaceState(null, '', u);
    connect();
  }

  // openOn picks the run a page opened without ?run= shows: the latest while
  // it runs, else the finished run with the most work (the latest of equals),
  // rather than, say, a last run whose result was restored whole.
  function openOn(runs) {
    if (chosen || !runs.length) return false;
    chosen = true;
    const latest = runs[runs.length - 1];
    if (latest.status === 'running') return false;
    let best = latest;
    for (const r of runs) if (r.work > best.work) best = r;
    if (best.id === latest.id) return false;
    show(best.id);
    return true;
  }

  function clip(s, n) { return s.length > n ? s.slice(0, Math.max(1, n - 1)) + '…' : s; }

  function connect() {
    if (source) source.close();
    graph = null;
    tasks = [];
    source = new EventSource('events' + (follow ? '?run=' + follow : ''));
    source.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'conn live'; };
    source.onerror = () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'conn'; };
    source.onmessage = (e) => render(JSON.parse(e.data));
    const q = follow ? '?run=' + follow : '';
    $('dot').href = 'graph.dot' + q;
    $('mmd').href = 'graph.mmd' + q;
  }

  function render(m) {
    if (openOn(m.runs)) return;
    names = m.stateNames;
    colors = m.stateColors;
    $('title').textContent = m.title;
    if (m.reset) tasks = [];
    for (const t of m.tasks) tasks.push(t);
    if (tasks.length > MAX_TASKS) tasks = tasks.slice(tasks.length - MAX_TASKS);
    renderRuns(m);
    const r = m.run;
    document.body.dataset.status = r ? r.status : 'idle';
    document.body.dataset.run = r ? r.id : '';
    if (!r) {
      $('cards').replaceChildren(html('div', 'none', 'Waiting for a run: add the dashboard to cairn.Config.Listeners.'));
      return;
    }
    const counts = {};
    names.forEach((n, i) => { counts[n] = r.counts[i]; });
    renderCards(m, r, counts);
    renderBar(r, counts);
    renderGraph(r);
    renderSpark(r);
    renderErrors(r);
    renderStream(m, r);
    renderWorkers(r);
  }

  function renderRuns(m) {
    const nav = $('runs');
    nav.replaceChildren();
    const latest = html('button', follow === 0 ? 'sel' : '', 'follow latest', nav);
    latest.onclick = () => show(0);
    for (const r of m.runs) {
      const b = html('button', r.status + (follow === r.id ? ' sel' : ''), undefined, nav);
      b.dataset.run = r.id;
      html('span', 'dot', undefined, b);
      html('span', '', '#' + r.id + (r.name ? ' ' + r.name : '') + ' · ' + r.status, b);
      b.title = r.thunks + ' thunks';
      b.onclick = () => show(r.id);
    }
  }

  function card(parent, key, id, value, sub, cls) {
    const c = html('div', 'card' + (cls ? ' ' + cls : ''), undefined, parent);
    c.id = 'card-' + id;
    html('div', 'k', key, c);
    html('div', 'v', value, c);
    html('div', 's', sub, c);
  }

  function renderCards(m, r, c) {
    const cards = $('cards');
    cards.replaceChildren();
    const total = r.thunks;
    const final = c.done + c.checkpointed + c.restored + c.pruned + c.skipped + c.failed;
    const elapsed = (r.end || m.now) - r.start;
    card(cards, 'Run #' + r.id, 'status', r.status, r.name || 'unnamed run', 'status-' + r.status);
    if (!total && r.status === 'restored') {
      card(cards, 'Progress', 'progress', 'restored', 'the final result: no graph ran');
    } else {
      card(cards, 'Progress', 'progress', (total ? (100 * final / total).toFixed(1) : '100.0') + '%',
        fmtNum(final) + ' / ' + fmtNum(total) + ' thunks');
    }
    card(cards, 'Running', 'running', fmtNum(c.running + c.retrying),
      fmtShort(c.queued) + ' queued' + (c.queued < 1000 ? ' · ' + fmtShort(c.pending) + ' pending' : ''));
    card(cards, 'Rate', 'rate', (r.rate >= 100 ? fmtNum(r.rate) : r.rate.toFixed(1)) + ' /s',
      r.status === 'running' ? 'ETA ' + (r.eta >= 0 ? fmtDur(r.eta * 1000) : '—') : 'finished');
    card(cards, 'Elapsed', 'elapsed', fmtDur(elapsed), r.status === 'running' ? 'running' : 'wall time');
    const join = (parts) => parts.filter(Boolean).join(' · ');
    card(cards, 'Checkpointed', 'checkpointed', fmtNum(r.checkpoints), join([
      r.bytesWritten ? fmtBytes(r.bytesWritten) + ' written' : '',
      r.checkpointFailed ? r.checkpointFailed + ' failed' : (r.bytesWritten ? '' : 'none failed')]));
    card(cards, 'Restored', 'restored', fmtNum(r.restores), join([
      r.bytesRead ? fmtBytes(r.bytesRead) + ' read' : '',
      fmtNum(c.pruned) + ' pruned',
      r.restoreFailed ? r.restoreFailed + ' failed' : '']));
    card(cards, 'Failed', 'failed', fmtNum(c.failed), fmtNum(c.skipped) + ' skipped',
      c.failed ? 'status-failed' : '');
    // A cluster run: its workers, and the executions lost with them.
    const workers = r.workers || [];
    if (workers.length) {
      const gone = workers.length - r.liveWorkers;
      card(cards, 'Workers', 'workers', fmtNum(r.liveWorkers), join([
        gone ? gone + ' gone' : 'all live',
        r.lost ? fmtNum(r.lost) + ' lost' : 'none lost',
        r.recomputed ? fmtNum(r.recomputed) + ' recomputed' : '']), r.lost ? 'status-lost' : '');
    } else if (r.lost) {
      card(cards, 'Lost', 'workers', fmtNum(r.lost), 'executions ran again', 'status-lost');
    }
    cards.style.setProperty('--cards', cards.children.length);
  }

  function renderBar(r, c) {
    const bar = $('bar');
    const legend = $('legend');
    bar.replaceChildren();
    legend.replaceChildren();
    const total = Math.max(r.thunks, 1);
    for (const s of BAR_ORDER) {
      const i = names.indexOf(s);
      if (c[s] > 0) {
        const seg = html('span', '', undefined, bar);
        seg.style.width = (100 * c[s] / total) + '%';
        seg.style.background = colors[i];
        seg.title = c[s] + ' ' + s;
      }
      const item = html('span', '', undefined, legend);
      item.id = 'count-' + s;
      const sw = html('i', '', undefined, item);
      sw.style.background = colors[i];
      if (s === 'pruned') sw.style.borderStyle = 'dashed';
      html('b', '', fmtNum(c[s]), item);
      item.appendChild(document.createTextNode(' ' + s));
    }
  }

  function renderGraph(r) {
    const g = $('graph');
    if (r.layout && (!graph || graph.run !== r.id)) buildGraph(g, r);
    if (!r.layout && r.status !== 'running' && (!graph || graph.run !== r.id)) {
      // No graph: the final result was restored (or there was none to draw).
      g.replaceChildren();
      g.removeAttribute('width');
      g.setAttribute('height', 0);
      $('graph-note').textContent = r.status === 'restored'
        ? 'none: the final result was restored from its checkpoint, so no thunk was looked at'
        : 'none';
      graph = { run: r.id, mode: 'none', nodes: [] };
    }
    if (!graph) return;
    if (graph.mode === 'nodes' && r.states) {
      for (let i = 0; i < graph.nodes.length; i++) {
        const s = r.states.charCodeAt(i) - 48;
        const n = graph.nodes[i];
        const wk = r.workerOf ? r.workerOf[i] : 0;
        if (n.state === s && n.wk === wk) continue;
        n.state = s;
        n.wk = wk;
        n.rect.setAttribute('fill', colors[s]);
        n.rect.dataset.state = names[s];
        // Where it last ran or was restored, with a cluster executor.
        const where = wk && r.workers[wk - 1] ? r.workers[wk - 1].name : '';
        if (where) n.rect.dataset.worker = where; else delete n.rect.dataset.worker;
        n.tip.textContent = n.title + ' — ' + names[s] + (where ? ' · worker ' + where : '');
        if (n.text) n.text.setAttribute('fill', DARK[names[s]] ? '#fff' : '#1f2328');
      }
    } else if (graph.mode === 'groups' && r.groupStates) {
      r.groupStates.forEach((counts, k) => updateGroup(graph.nodes[k], counts));
    }
  }

  function buildGraph(g, r) {
    const L = r.layout;
    g.replaceChildren();
    // Fill the panel's width, but do not blow small graphs up.
    const room = g.parentNode.clientWidth || L.w;
    const scale = Math.min(L.mode === 'groups' ? 1 : 1.25, room / L.w);
    g.setAttribute('viewBox', '0 0 ' + L.w + ' ' + L.h);
    g.setAttribute('width', L.w * scale);
    g.setAttribute('height', L.h * scale);
    graph = { run: r.id, mode: L.mode, nodes: [] };
    const edges = svg('g', {}, g);
    const nodes = svg('g', {}, g);
    const n = L.nodes;
    $('graph-note').textContent = L.mode === 'nodes'
      ? fmtNum(n.length) + ' thunks'
      : fmtNum(r.thunks) + ' thunks in ' + n.length + ' functions (large graphs are drawn one box per function)';
    const drawEdges = L.edges.length <= MAX_EDGES;
    if (!drawEdges) $('graph-note').textContent += ' · ' + fmtNum(L.edges.length) + ' edges not drawn';
    L.edges.forEach((e, k) => {
      if (!drawEdges) return;
      const a = n[e[0]], b = n[e[1]];
      const y1 = a.y + a.h / 2, y2 = b.y - b.h / 2, my = (y1 + y2) / 2;
      svg('path', { class: 'edge', d: `M${a.x} ${y1}C${a.x} ${my} ${b.x} ${my} ${b.x} ${y2}`,
        'stroke-width': L.mode === 'groups' ? 1.6 : 1 }, edges);
      if (L.edgeN && L.edgeN[k] > 1) {
        svg('text', { x: (a.x + b.x) / 2 + 4, y: my, class: 'gcount' }, edges).textContent = '×' + fmtNum(L.edgeN[k]);
      }
    });
    if (L.mode === 'nodes') {
      for (const l of L.layers) {
        const t = svg('text', { x: 8, y: l.y - 2, class: 'layer' }, nodes);
        svg('title', {}, t).textContent = l.title;
        const a = svg('tspan', { class: 'fn' }, t);
        a.textContent = clip(l.label, 20);
        const b = svg('tspan', { x: 8, dy: 15 }, t);
        b.textContent = '× ' + fmtNum(l.n) + (l.more ? ' +' + fmtNum(l.more) + ' other' : '');
      }
    }
    for (const d of n) {
      if (L.mode === 'nodes') {
        const rect = svg('rect', { class: 'node', x: d.x - d.w / 2, y: d.y - d.h / 2, width: d.w, height: d.h,
          rx: d.label ? 5 : 2.5, fill: colors[0] }, nodes);
        rect.dataset.state = names[0];
        rect.dataset.fn = d.fn;
        const tip = svg('title', {}, rect);
        let text = null;
        if (d.label) {
          text = svg('text', { x: d.x, y: d.y + 4, 'text-anchor': 'middle', class: 'label' }, nodes);
          text.textContent = clip(d.label, Math.floor(d.w / 7));
        }
        graph.nodes.push({ rect, tip, text, title: d.title, state: -1 });
      } else {
        const x0 = d.x - d.w / 2, y0 = d.y - d.h / 2;
        const box = svg('g', { class: 'group' }, nodes);
        const rect = svg('rect', { class: 'node', x: x0, y: y0, width: d.w, height: d.h, rx: 6, fill: '#fff' }, box);
        rect.dataset.fn = d.fn;
        svg('title', {}, rect).textContent = d.title;
        svg('text', { x: x0 + 10, y: y0 + 17, class: 'glabel' }, box).textContent = clip(d.label, Math.floor((d.w - 70) / 8.5));
        svg('text', { x: x0 + d.w - 10, y: y0 + 17, 'text-anchor': 'end', class: 'gsub' }, box).textContent = '× ' + fmtNum(d.n);
        const bar = svg('g', {}, box);
        const sub = svg('text', { x: x0 + 10, y: y0 + d.h - 8, class: 'gsub' }, box);
        graph.nodes.push({ rect, bar, sub, x: x0 + 10, y: y0 + 24, w: d.w - 20, n: d.n, key: '' });
      }
    }
  }

  function updateGroup(node, counts) {
    const key = counts.join(',');
    if (node.key === key) return;
    node.key = key;
    node.bar.replaceChildren();
    const total = Math.max(counts.reduce((a, b) => a + b, 0), 1);
    let x = node.x;
    const parts = [];
    const full = [];
    let top = -1;
    for (const s of BAR_ORDER) {
      const i = names.indexOf(s);
      if (!counts[i]) continue;
      const w = node.w * counts[i] / total;
      svg('rect', { x, y: node.y, width: Math.max(w, 0.5), height: 10, fill: colors[i] }, node.bar);
      x += w;
      parts.push(fmtShort(counts[i]) + ' ' + s);
      full.push(fmtNum(counts[i]) + ' ' + s);
      if (top < 0 || counts[i] > counts[top]) top = i;
    }
    const failed = names.indexOf('failed'), running = names.indexOf('running');
    const state = counts[failed] ? failed : counts[running] ? running : top;
    node.rect.dataset.state = names[state] || 'pending';
    node.sub.textContent = clip(parts.slice(0, 3).join(' · '), 40);
    node.rect.dataset.counts = full.join(', ');
  }

  function renderSpark(r) {
    const s = $('spark');
    s.replaceChildren();
    const tp = r.throughput;
    const max = Math.max(1, ...tp);
    const w = 300 / tp.length;
    tp.forEach((v, i) => {
      if (!v) return;
      const h = 66 * v / max;
      const bar = svg('rect', { x: i * w + 0.5, y: 70 - h, width: w - 1, height: h }, s);
      svg('title', {}, bar).textContent = v + ' /s, ' + (tp.length - 1 - i) + ' s ago';
    });
    svg('text', { x: 4, y: 12, 'font-size': 10, fill: '#6b7280' }, s).textContent = 'peak ' + fmtNum(max) + '/s';
  }

  function renderErrors(r) {
    const box = $('errors');
    box.replaceChildren();
    const list = r.errors.slice();
    if (!list.length && r.err) list.push({ kind: 'run failed', thunk: 'run #' + r.id, err: r.err });
    $('err-note').textContent = list.length ? list.length + (r.moreErrors ? '+' + r.moreErrors : '') : '';
    if (!list.length) {
      html('div', 'none', 'No errors.', box);
      return;
    }
    for (const e of list.slice().reverse()) {
      const warn = e.kind !== 'failed' && e.kind !== 'run failed';
      const d = html('div', 'err' + (warn ? ' warn' : ''), undefined, box);
      const h = html('div', 'h', undefined, d);
      html('b', '', e.thunk, h);
      html('span', '', e.kind + (e.worker ? ' · worker ' + e.worker : ''), h);
      html('pre', '', e.err, d);
    }
  }

  // byName orders worker names as people count: w2 before w10.
  function byName(a, b) { return a.localeCompare(b, 'en', { numeric: true }); }

  const IN_FLIGHT = '\u0000in flight';
  const HERE = '';

  // streamRows lays out the task stream of a cluster run: one group of rows
  // per worker (its tasks packed into as many rows as ran at once there),
  // "this process" for tasks without a worker, and one "in flight" row for
  // tasks sent whose worker is not known until they answer. Each item gets
  // its row; the groups come with their first row and row count.
  function streamRows(items, r) {
    const byGroup = new Map();
    const add = (g) => { if (!byGroup.has(g)) byGroup.set(g, []); return byGroup.get(g); };
    for (const w of r.workers || []) add(w.name);
    for (const it of items) add(it.group).push(it);
    const workers = [...byGroup.keys()].filter((g) => g !== IN_FLIGHT && g !== HERE).sort(byName);
    const order = [];
    if (byGroup.has(IN_FLIGHT)) order.push(IN_FLIGHT);
    order.push(...workers);
    if (byGroup.has(HERE)) order.push(HERE);
    const groups = [];
    let row = 0;
    for (const g of order) {
      const list = byGroup.get(g).sort((a, b) => a.a - b.a);
      const ends = [];
      for (const it of list) {
        let k = 0;
        if (g !== IN_FLIGHT) { // in flight: one row, bars overlap
          k = ends.findIndex((e) => e <= it.a);
          if (k < 0 && ends.length < MAX_SUBROWS) k = ends.length;
          if (k < 0) k = ends.indexOf(Math.min(...ends));
        }
        ends[k] = Math.max(ends[k] || -Infinity, it.b);
        it.row = row + k;
      }
      const n = Math.max(ends.length, 1);
      groups.push({ name: g, first: row, n, count: list.length });
      row += n;
    }
    return { groups, rows: row };
  }

  function renderStream(m, r) {
    const s = $('stream');
    const W = Math.max(s.clientWidth || s.parentNode.clientWidth - 28, 300);
    // The run's span (its last minute while it runs), a little padded.
    let t1 = r.end || m.now;
    let t0 = r.start;
    if (!r.end) {
      t0 = Math.max(t0, t1 - 60000);
      t1 = Math.max(t1, t0 + 1000);
    }
    const pad = Math.max((t1 - t0) * 0.015, 0.001);
    t0 -= pad;
    t1 += pad;
    // What is drawn: each task over [a, b]. A worker's task is drawn over
    // the time it reports it ran, which ends when its answer came.
    const items = [];
    for (const t of tasks) {
      const a = t.worker && t.ran ? Math.max(t.s, t.e - t.ran) : t.s;
      if (t.e < t0 || a > t1) continue;
      items.push({ t, a, b: t.e, running: false,
        group: t.worker || (t.st === 'cancelled' ? IN_FLIGHT : HERE) });
    }
    for (const t of m.running) {
      if (t.s > t1) continue;
      items.push({ t, a: t.s, b: m.now, running: true, group: IN_FLIGHT });
    }
    const grouped = (r.workers && r.workers.length > 0) || items.some((it) => it.t.worker);
    let layout;
    if (grouped) {
      layout = streamRows(items, r);
    } else {
      for (const it of items) it.row = it.t.slot;
      const groups = [];
      for (let w = 0; w < Math.max(m.slots, 1); w++) groups.push({ name: 'slot ' + w, first: w, n: 1, slot: true });
      layout = { groups, rows: groups.length };
    }
    $('stream-note').textContent = grouped
      ? 'one group of rows per worker, each task where and when it ran (as its worker reports), coloured by function; in flight: sent, worker not known until it answers'
      : 'one row per worker slot of this process, coloured by function';
    const laneH = grouped ? Math.max(3, Math.min(22, Math.floor(STREAM_HEIGHT / layout.rows))) : 22;
    const gap = grouped ? (laneH >= 10 ? 4 : 1) : 0;
    const top = 20, left = grouped ? 120 : 64, right = 12;
    // Each group's top and height in pixels, tall enough for its label.
    let y = top;
    const groupOf = new Array(layout.rows);
    for (const [k, g] of layout.groups.entries()) {
      g.y = y;
      g.h = grouped ? Math.max(g.n * laneH, 9) : laneH;
      y += g.h + gap;
      for (let i = 0; i < g.n; i++) groupOf[g.first + i] = k;
    }
    const H = y + 4;
    s.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    s.setAttribute('height', H);
    s.replaceChildren();
    const defs = svg('defs', {}, s);
    const hatch = svg('pattern', { id: 'lost-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse',
      patternTransform: 'rotate(45)' }, defs);
    svg('rect', { width: 6, height: 6, fill: '#4b5563' }, hatch);
    svg('rect', { width: 3, height: 6, fill: '#d1d5db' }, hatch);
    const X = (t) => left + (t - t0) / (t1 - t0) * (W - left - right);
    const gone = new Set((r.workers || []).filter((w) => w.gone).map((w) => w.name));
    layout.groups.forEach((g, k) => {
      const h = g.h - (grouped ? 0 : 4);
      const lane = svg('rect', { class: 'lane' + (grouped && k % 2 ? ' alt' : ''), x: left, y: g.y, width: W - left - right, height: h }, s);
      const label = g.slot ? g.name : g.name === IN_FLIGHT ? 'in flight' : g.name === HERE ? 'this process' : g.name;
      if (grouped) lane.dataset.worker = label;
      // Labels as large as the group's pitch allows, up to 11px.
      const size = Math.min(11, Math.floor((g.h + gap) / 1.25));
      if (size >= 6) {
        const text = svg('text', { class: 'lanelabel' + (gone.has(g.name) ? ' gone' : ''), x: left - 8,
          y: g.y + Math.min(h, 18) / 2 + size * 0.36, 'text-anchor': 'end' }, s);
        text.style.fontSize = size + 'px';
        text.textContent = clip(label, 16) + (gone.has(g.name) ? ' ✕' : '');
        svg('title', {}, text).textContent = label + (gone.has(g.name) ? ': gone (a loss named it, and it has not answered since)' :
          g.name === IN_FLIGHT ? ': tasks sent to the cluster; where they run is known when they answer' : '') +
          (grouped && g.name !== IN_FLIGHT ? ' · ' + g.count + ' tasks shown' : '');
      }
    });
    const span = t1 - t0;
    const step = TICK_STEPS.find((x) => span / x <= 10) || TICK_STEPS[TICK_STEPS.length - 1];
    const first = Math.max(0, Math.ceil((t0 - r.start) / step));
    for (let k = first; r.start + k * step <= t1; k++) {
      const x = X(r.start + k * step);
      svg('line', { class: 'tick', x1: x, x2: x, y1: top - 4, y2: H - 4 }, s);
      svg('text', { class: 'ticklabel', x, y: top - 7, 'text-anchor': 'middle' }, s).textContent = fmtTick(k * step, step);
    }
    const seen = new Set();
    let lost = 0;
    for (const it of items) {
      const t = it.t;
      if (it.row === undefined || it.row >= layout.rows) continue;
      const x = X(Math.max(it.a, t0));
      const w = Math.max(X(Math.min(it.b, t1)) - x, 1.2);
      const cls = 'task' + (t.st === 'failed' ? ' failed' : '') + (t.st === 'lost' ? ' lost' : '') +
        (t.st === 'cancelled' ? ' cancelled' : '') + (it.running ? ' running' : '') + (t.run !== r.id ? ' other' : '');
      const g = layout.groups[groupOf[it.row]];
      const rowH = g.name === IN_FLIGHT ? g.h : laneH;
      const y = g.y + (it.row - g.first) * laneH + (grouped ? 0.5 : 1);
      const h = Math.max(rowH - (grouped ? (rowH >= 8 ? 2 : 1) : 6), 1);
      const rect = svg('rect', { class: cls, x, y, width: w, height: h, rx: Math.min(2, h / 3),
        fill: t.st === 'lost' ? 'url(#lost-hatch)' : colorOf(t.fn) }, s);
      rect.dataset.fn = t.fn;
      if (t.worker) rect.dataset.worker = t.worker;
      let tip = t.name + ' (run #' + t.run + '): ';
      if (it.running) {
        tip += fmtDur(m.now - t.s) + ', running' + (grouped ? ' (sent; its worker is known when it answers)' : '');
      } else {
        tip += fmtDur(it.b - it.a) + ', ' + t.st + (t.worker ? ' on ' + t.worker : grouped ? ' in this process' : '');
        if (t.worker && t.ran) tip += ' (' + fmtDur(t.e - t.s) + ' from sending to its answer)';
        if (t.err) tip += '\n' + t.err;
      }
      svg('title', {}, rect).textContent = tip;
      if (t.run === r.id) {
        seen.add(t.fn);
        if (t.st === 'lost') lost++;
      }
    }
    if (!r.end) svg('line', { class: 'now', x1: X(m.now), x2: X(m.now), y1: top - 4, y2: H - 4 }, s);
    const legend = $('fn-legend');
    legend.replaceChildren();
    for (const fn of [...seen].sort()) {
      const item = html('span', '', undefined, legend);
      html('i', '', undefined, item).style.background = colorOf(fn);
      item.appendChild(document.createTextNode(fn));
    }
    if (lost) {
      const item = html('span', 'lost', undefined, legend);
      item.id = 'legend-lost';
      html('i', 'hatch', undefined, item);
      item.appendChild(document.createTextNode(lost + ' lost with their worker (ran again)'));
    }
    if (!seen.size) html('span', 'none', r.status === 'running' ? 'No task has started yet.' : 'No task ran in this run: everything was restored or pruned.', legend);
  }

  // renderWorkers fills the Workers panel: one row per worker the run's
  // events named (none with the local executor: the panel is hidden).
  function renderWorkers(r) {
    const panel = $('workers-panel');
    const list = (r.workers || []).slice().sort((a, b) => byName(a.name, b.name));
    panel.hidden = list.length === 0;
    if (!list.length) return;
    $('workers-note').textContent = r.liveWorkers + ' live of ' + list.length + ' seen in this run';
    const body = $('workers');
    body.replaceChildren();
    for (const w of list) {
      const tr = html('tr', w.gone ? 'gone' : '', undefined, body);
      tr.dataset.worker = w.name;
      const name = html('td', 'name', w.name, tr);
      if (w.gone) {
        html('span', 'tag', 'gone', name);
        tr.title = w.why || 'a loss named it';
      }
      html('td', '', fmtNum(w.tasks), tr);
      html('td', w.failed ? 'bad' : 'zero', fmtNum(w.failed), tr);
      html('td', w.lost ? 'lost' : 'zero', fmtNum(w.lost), tr);
      html('td', w.restored ? '' : 'zero', fmtNum(w.restored), tr);
      html('td', '', fmtDur(w.busy), tr);
    }
  }

  connect();
})();
