// repsim serve: the page. Plain JavaScript, no libraries, nothing fetched but
// the server's own JSON API (POST /api/run, POST /api/results.zip,
// GET /api/laws, GET /api/columns).
//
// The scenario's TOML text is the single source of truth: every field edits
// the text (one key at a time, keeping the rest of the file and its
// comments), every change of the text is sent to /api/run, and the fields
// show the resolved inputs the server returns.
'use strict';

const $ = (id) => document.getElementById(id);
const SVGNS = 'http://www.w3.org/2000/svg';

const COMPARE_BLOCK = `# Dropout schedules compared on the same run (ranked by loss_repeated).
[[compare]]
name = "no dropout"
"training.dropout.schedule" = "none"
"training.dropout.rate" = 0

[[compare]]
name = "constant 0.1"
"training.dropout.schedule" = "constant"
"training.dropout.rate" = 0.1

[[compare]]
name = "step: 0.1 from epoch 1"
"training.dropout.schedule" = "step"
"training.dropout.rate" = 0.1
"training.dropout.start_epoch" = 1

[[compare]]
name = "step: 0.1 from epoch 4"
"training.dropout.schedule" = "step"
"training.dropout.rate" = 0.1
"training.dropout.start_epoch" = 4

[[compare]]
name = "linear ramp 0 -> 0.1"
"training.dropout.schedule" = "linear"
"training.dropout.rate" = 0.1

[[compare]]
name = "early: 0.1 until epoch 4"
"training.dropout.schedule" = "early"
"training.dropout.rate" = 0.1
"training.dropout.end_epoch" = 4
`;

const SWEEP_BLOCK = `# The heatmap: epochs x unique tokens around this run.
[[sweep.axis]]
key = "training.epochs"
range = { from = 1, to = 1000, steps = 32, scale = "log" }

[[sweep.axis]]
key = "data.unique_tokens"
range = { from = 1e8, to = 1e13, steps = 32, scale = "log" }
`;

const DEFAULT_SCENARIO = `# A 1B-parameter causal LM on 10B unique tokens,
# repeated 20 times, dropout from the first repeat.
# Move the sliders, or edit this file.
[scenario]
name = "explorer"
description = "1B params, 10B unique tokens, 20 epochs"

[law]
preset = "ratio2026"

[model]
params = "1B"
objective = "causal"

[data]
unique_tokens = "10B"

[training]
epochs = 20

[training.dropout]
schedule = "step"
rate = 0.1
start_epoch = 1

[output]
trajectory_points = 96

`
  + COMPARE_BLOCK + '\n' + SWEEP_BLOCK;

const state = {
  runs: 0,            // successful updates of the summary
  sweeps: 0,          // successful updates of the heatmap
  inflight: false,
  pending: false,
  sweepTimer: null,
  sweepSeq: 0,
  columns: [],        // [{name, numeric, meaning}] from /api/columns
  last: null,         // the last /api/run document
  name: 'scenario',
};

// --- numbers -------------------------------------------------------------------

const SUFFIX = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];

// "25B", "1.5T", "400m", "2e9" -> number (SCENARIO.md's quantities); NaN if not one.
function parseQuantity(text) {
  const m = String(text).trim().replace(/^"|"$/g, '').match(/^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([kKmMbBtT]?)$/);
  if (!m) return NaN;
  const mult = { '': 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 }[m[2].toLowerCase()];
  return Number(m[1]) * mult;
}

function roundSig(v, digits) {
  if (!isFinite(v) || v === 0) return v;
  return Number(v.toPrecision(digits));
}

// 1.5e9 -> "1.5B" (up to 4 significant digits) for people.
function short(v, digits = 4) {
  if (v === null || v === undefined) return 'not found';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  for (const [s, n] of SUFFIX) {
    if (a >= s) return `${Number((v / s).toPrecision(digits))}${n}`;
  }
  if (a !== 0 && (a < 1e-3)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

// A quantity as a TOML literal: a suffixed string when that is exact, else a number.
function quantityLiteral(v) {
  const s = short(v, 6);
  if (/[KMBT]$/.test(s) && parseQuantity(s) === v) return `"${s}"`;
  return String(v);
}

// Six significant digits, as `repsim run` prints its table.
function six(v) {
  if (v === null || v === undefined) return 'not found';
  if (typeof v !== 'number') return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

// --- the TOML text, one key at a time ----------------------------------------------

// Each line's role: a table header, a key of a (non-array) table, or other.
function scan(text) {
  const lines = text.split('\n');
  let table = '';
  let array = false;
  const info = lines.map((line) => {
    const t = line.trim();
    let m;
    if ((m = t.match(/^\[\[\s*([^\]]+?)\s*\]\]/))) {
      table = m[1]; array = true;
      return { kind: 'header', table, array };
    }
    if ((m = t.match(/^\[\s*([^\]]+?)\s*\]/))) {
      table = m[1]; array = false;
      return { kind: 'header', table, array };
    }
    if ((m = t.match(/^([A-Za-z0-9_-]+)\s*=/))) return { kind: 'key', table, array, key: m[1] };
    return { kind: t === '' || t.startsWith('#') ? 'blank' : 'other', table, array };
  });
  return { lines, info };
}

function findKey(text, table, key) {
  const { lines, info } = scan(text);
  const i = info.findIndex((x) => x.kind === 'key' && !x.array && x.table === table && x.key === key);
  return i < 0 ? null : lines[i].slice(lines[i].indexOf('=') + 1).replace(/#[^"]*$/, '').trim();
}

function setKey(text, table, key, literal) {
  const { lines, info } = scan(text);
  const line = `${key} = ${literal}`;
  const i = info.findIndex((x) => x.kind === 'key' && !x.array && x.table === table && x.key === key);
  if (i >= 0) {
    const old = lines[i];
    const comment = old.match(/^[^"#]*=[^"#]*(\s+#.*)$/);  // keep a comment after an unquoted value
    lines[i] = line + (comment ? comment[1] : '');
    return lines.join('\n');
  }
  const h = info.findIndex((x) => x.kind === 'header' && !x.array && x.table === table);
  if (h >= 0) {
    let j = h;
    for (let k = h + 1; k < lines.length && info[k].kind !== 'header'; k++) {
      if (info[k].kind === 'key' || info[k].kind === 'other') j = k;
    }
    lines.splice(j + 1, 0, line);
    return lines.join('\n');
  }
  // A new table: after its parent's block when there is one, else before the
  // first array of tables ([[compare]], [[sweep.axis]]), else at the end.
  const parent = table.includes('.') ? table.slice(0, table.lastIndexOf('.')) : null;
  let at = -1;
  const p = parent ? info.findIndex((x) => x.kind === 'header' && !x.array && x.table === parent) : -1;
  if (p >= 0) {
    at = p;
    for (let k = p + 1; k < lines.length && info[k].kind !== 'header'; k++) {
      if (info[k].kind === 'key' || info[k].kind === 'other') at = k;
    }
    at += 1;
  } else {
    at = info.findIndex((x) => x.kind === 'header' && x.array);
    if (at > 0) {  // before the comments that introduce the array
      while (at > 0 && info[at - 1].kind === 'blank' && lines[at - 1].trim() !== '') at--;
    }
    if (at < 0) at = lines.length;
  }
  lines.splice(at, 0, '', `[${table}]`, line);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

function removeKey(text, table, key) {
  const { lines, info } = scan(text);
  const out = lines.filter((_, i) => !(info[i].kind === 'key' && !info[i].array &&
                                       info[i].table === table && info[i].key === key));
  return out.join('\n');
}

function removeTable(text, table) {
  const { lines, info } = scan(text);
  const h = info.findIndex((x) => x.kind === 'header' && !x.array && x.table === table);
  if (h < 0) return text;
  let end = h + 1;
  while (end < lines.length && info[end].kind !== 'header') end++;
  // keep the comments that belong to the next table
  while (end > h + 1 && info[end - 1].kind === 'blank' && lines[end - 1].trim() !== '' && end < lines.length) end--;
  lines.splice(h, end - h);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

function hasArray(text, table) {
  return scan(text).info.some((x) => x.kind === 'header' && x.array && x.table === table);
}

// --- fields -> text ------------------------------------------------------------

function editText(fn) {
  const ta = $('toml');
  ta.value = fn(ta.value);
  textChanged(true);
}

function setTraining(basis, value) {
  editText((t) => {
    for (const k of ['tokens', 'epochs', 'compute']) if (k !== basis) t = removeKey(t, 'training', k);
    return setKey(t, 'training', basis, basis === 'epochs' ? String(value) : quantityLiteral(value));
  });
}

function setSchedule(schedule) {
  editText((t) => {
    if (schedule === 'none') return removeTable(t, 'training.dropout');
    const r = state.last || {};
    t = setKey(t, 'training.dropout', 'schedule', `"${schedule}"`);
    if (findKey(t, 'training.dropout', 'rate') === null) {
      t = setKey(t, 'training.dropout', 'rate', String(r.dropout_rate > 0 ? r.dropout_rate : 0.1));
    }
    const epochs = r.epochs || 10;
    if (schedule === 'step' || schedule === 'linear') {
      if (findKey(t, 'training.dropout', 'start_epoch') === null) t = setKey(t, 'training.dropout', 'start_epoch', '1');
    } else {
      t = removeKey(t, 'training.dropout', 'start_epoch');
    }
    if (schedule === 'early') {
      if (findKey(t, 'training.dropout', 'end_epoch') === null) {
        t = setKey(t, 'training.dropout', 'end_epoch', String(roundSig(Math.max(1, epochs / 4), 3)));
      }
    } else if (schedule !== 'linear') {
      t = removeKey(t, 'training.dropout', 'end_epoch');
    }
    return t;
  });
}

function bindQuantity(id, apply, { log = true, digits = 3, number = false } = {}) {
  const input = $(id);
  const slider = $(`${id}-slider`);
  input.addEventListener('change', () => {
    const raw = input.value.trim();
    if (id === 'params' && raw === 'compute_optimal') {
      input.classList.remove('invalid');
      editText((t) => setKey(t, 'model', 'params', '"compute_optimal"'));
      return;
    }
    const v = number ? Number(raw) : parseQuantity(raw);
    if (!(raw !== '' && isFinite(v))) {
      input.classList.add('invalid');
      return;
    }
    input.classList.remove('invalid');
    // What was typed is kept as typed: "134217728" stays exact, "25B" a string.
    apply(v, number || /^[0-9.eE+-]+$/.test(raw) ? raw : `"${raw}"`);
  });
  slider.addEventListener('input', () => {
    const s = Number(slider.value);
    const v = log ? roundSig(Math.pow(10, s), digits) : roundSig(s, digits);
    input.value = log ? short(v) : String(v);
    input.classList.remove('invalid');
    apply(v, number ? String(v) : quantityLiteral(v));
  });
}

function bindFields() {
  $('law').addEventListener('change', () => editText((t) => setKey(t, 'law', 'preset', `"${$('law').value}"`)));
  $('objective').addEventListener('change', () => editText((t) => setKey(t, 'model', 'objective', `"${$('objective').value}"`)));
  $('schedule').addEventListener('change', () => setSchedule($('schedule').value));
  $('basis').addEventListener('change', () => {
    const r = state.last;
    if (!r) return;
    if ($('basis').value === 'epochs') setTraining('epochs', roundSig(r.epochs, 4));
    else setTraining('tokens', roundSig(r.tokens, 4));
  });
  bindQuantity('params', (v, lit) => editText((t) => setKey(t, 'model', 'params', lit)));
  bindQuantity('unique', (v, lit) => editText((t) => setKey(t, 'data', 'unique_tokens', lit)));
  bindQuantity('training', (v, lit) => {
    const basis = $('basis').value;
    editText((t) => {
      for (const k of ['tokens', 'epochs', 'compute']) if (k !== basis) t = removeKey(t, 'training', k);
      return setKey(t, 'training', basis, lit);
    });
  }, { digits: 3 });
  bindQuantity('rate', (v, lit) => editText((t) => setKey(t, 'training.dropout', 'rate', lit)), { log: false, number: true });
  bindQuantity('start', (v, lit) => editText((t) => setKey(t, 'training.dropout', 'start_epoch', lit)), { log: false, number: true });
  bindQuantity('end', (v, lit) => editText((t) => setKey(t, 'training.dropout', 'end_epoch', lit)), { log: false, number: true });
  bindQuantity('wd', (v, lit) => editText((t) => setKey(t, 'training', 'weight_decay', lit)), { log: false, number: true });
}

// --- text -> fields (from the server's resolved inputs) --------------------------------

function showFields(r) {
  const active = document.activeElement;
  const put = (id, text) => { if ($(id) !== active) { $(id).value = text; $(id).classList.remove('invalid'); } };
  const slide = (id, v) => { if ($(id) !== active) $(id).value = v; };
  const text = $('toml').value;
  // "custom (from PRESET, overridden: ...)" when the file overrides constants.
  const custom = String(r.law).match(/from ([a-z0-9_]+)/);
  put('law', custom ? custom[1] : r.law);
  put('objective', r.objective);
  put('schedule', r.dropout_schedule);
  const optimal = (findKey(text, 'model', 'params') || '').includes('compute_optimal');
  put('params', optimal ? 'compute_optimal' : short(r.params, 6));
  slide('params-slider', Math.log10(r.params));
  const mixture = hasArray(text, 'data.source');
  put('unique', short(r.unique_tokens, 6));
  $('unique').disabled = $('unique-slider').disabled = mixture;
  slide('unique-slider', Math.log10(r.unique_tokens));
  const basis = findKey(text, 'training', 'epochs') !== null ? 'epochs' : 'tokens';
  put('basis', basis);
  const tr = $('training-slider');
  if (basis === 'epochs') {
    tr.min = -1; tr.max = 3.5;
    put('training', short(r.epochs, 6));
    slide('training-slider', Math.log10(r.epochs));
  } else {
    tr.min = 6; tr.max = 15;
    put('training', short(r.tokens, 6));
    slide('training-slider', Math.log10(r.tokens));
  }
  put('rate', String(r.dropout_rate));
  slide('rate-slider', r.dropout_rate);
  const maxEpoch = Math.max(2, Math.ceil(r.epochs));
  for (const id of ['start', 'end']) { $(`${id}-slider`).max = maxEpoch; $(`${id}-slider`).step = maxEpoch > 50 ? 1 : 0.1; }
  put('start', String(r.dropout_start_epoch));
  slide('start-slider', r.dropout_start_epoch);
  put('end', String(r.dropout_end_epoch));
  slide('end-slider', r.dropout_end_epoch);
  // summary.json has weight_decay only when the scenario sets it (0.1 otherwise).
  const wd = r.weight_decay === undefined ? 0.1 : r.weight_decay;
  put('wd', String(wd));
  slide('wd-slider', wd);
  const s = r.dropout_schedule;
  document.querySelector('.dropout-only').classList.toggle('hidden', s === 'none');
  document.querySelector('.dropout-start').classList.toggle('hidden', !(s === 'step' || s === 'linear'));
  document.querySelector('.dropout-end').classList.toggle('hidden', !(s === 'linear' || s === 'early'));
  const notes = [];
  if (custom) notes.push(`law: ${r.law}.`);
  if (optimal) notes.push(`params = "compute_optimal": ${short(r.params)} for these tokens.`);
  if (mixture) notes.push('A [[data.source]] mixture: edit its sources in the file.');
  if (findKey(text, 'training', 'compute') !== null) notes.push(`training.compute = ${short(r.compute)} FLOPs gives these tokens.`);
  $('field-note').textContent = notes.join(' ');
}

// --- the editor: line numbers, located errors ------------------------------------------

const LINE_HEIGHT = 18;
const PAD = 6;

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function drawEditor(diagnostics = []) {
  const text = $('toml').value;
  const lines = text.split('\n');
  const bad = new Map();
  for (const d of diagnostics) if (d.line > 0 && !bad.has(d.line)) bad.set(d.line, d);
  $('gutter').innerHTML = lines.map((_, i) => (bad.has(i + 1) ? `<span class="bad">${i + 1}</span>` : `${i + 1}`)).join('\n') + '\n\n';
  $('backdrop').innerHTML = lines.map((l, i) => (bad.has(i + 1) ? `<span class="badline">${escapeHtml(l) || ' '}</span>` : escapeHtml(l))).join('\n') + '\n\n';
  const diag = $('diag');
  if (!diagnostics.length) {
    diag.hidden = true;
    return;
  }
  const d = diagnostics[0];
  diag.hidden = false;
  diag.textContent = (d.line > 0 ? `line ${d.line}, column ${d.column}: ` : '') + d.message +
      (diagnostics.length > 1 ? `  (+${diagnostics.length - 1} more)` : '');
  diag.dataset.line = d.line;
  placeDiagnostic();
}

function placeDiagnostic() {
  const ta = $('toml');
  $('gutter').scrollTop = ta.scrollTop;
  $('backdrop').scrollTop = ta.scrollTop;
  $('backdrop').scrollLeft = ta.scrollLeft;
  const diag = $('diag');
  if (diag.hidden) return;
  const line = Number(diag.dataset.line) || 0;
  // Just below the line at fault (or at the top for a whole-file error).
  let top = PAD + line * LINE_HEIGHT - ta.scrollTop + 2;
  if (top + diag.offsetHeight > ta.clientHeight) {  // no room below: above the line
    top = PAD + (line - 1) * LINE_HEIGHT - ta.scrollTop - diag.offsetHeight - 2;
  }
  top = Math.max(2, Math.min(top, ta.clientHeight - diag.offsetHeight - 2));
  diag.style.top = `${top}px`;
}

// --- talking to the server ------------------------------------------------------------

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function textChanged(fromField = false) {
  state.changedAt = performance.now();
  drawEditor(fromField ? [] : currentDiagnostics);
  requestRun();
}

let currentDiagnostics = [];

function requestRun() {
  if (state.inflight) {
    state.pending = true;
    return;
  }
  runNow();
}

async function runNow() {
  state.inflight = true;
  state.pending = false;
  document.body.dataset.state = 'busy';
  const text = $('toml').value;
  const t0 = performance.now();
  try {
    const res = await fetch('/api/run?sweep=0', { method: 'POST', body: text, headers: { 'Content-Type': 'application/toml' } });
    const doc = await res.json();
    const ms = performance.now() - t0;
    const server = (res.headers.get('Server-Timing') || '').match(/dur=([0-9.]+)/);
    if (!state.pending) {
      if (res.ok) {
        currentDiagnostics = [];
        drawEditor([]);
        state.last = doc;
        state.name = doc.scenario;
        render(doc);
        showFields(doc);
        state.runs += 1;
        document.body.dataset.runs = String(state.runs);
        document.body.dataset.ms = ms.toFixed(1);
        document.body.dataset.serverMs = server ? server[1] : '';
        // From the change (field or typing pause) to the page redrawn.
        if (state.changedAt) document.body.dataset.latency = (performance.now() - state.changedAt).toFixed(1);
        setStatus(`updated in ${ms.toFixed(0)} ms` + (server ? ` (server ${Number(server[1]).toFixed(0)} ms)` : ''));
        document.body.dataset.state = 'ready';
        document.querySelector('.right').classList.remove('stale');
        scheduleSweep(text);
      } else {
        currentDiagnostics = doc.diagnostics || [];
        drawEditor(currentDiagnostics);
        const d = currentDiagnostics[0];
        setStatus(d ? `error at line ${d.line}: ${d.message}` : `error: ${doc.error}`, true);
        document.body.dataset.state = 'error';
        document.querySelector('.right').classList.add('stale');
      }
    }
  } catch (e) {
    setStatus(`cannot reach repsim serve: ${e.message}`, true);
    document.body.dataset.state = 'error';
  } finally {
    state.inflight = false;
    if (state.pending) runNow();
  }
}

// The sweep runs after the summary has been shown, and only its delta_pct column comes back.
function scheduleSweep(text) {
  clearTimeout(state.sweepTimer);
  if (!hasArray(text, 'sweep.axis')) {
    drawHeatmap(null);
    return;
  }
  state.sweepTimer = setTimeout(async () => {
    const seq = ++state.sweepSeq;
    document.body.dataset.heatmap = 'busy';
    try {
      const res = await fetch('/api/run?columns=delta_pct', { method: 'POST', body: text });
      const doc = await res.json();
      if (seq !== state.sweepSeq || text !== $('toml').value) return;
      if (res.ok) {
        drawHeatmap(doc);
        state.sweeps += 1;
        document.body.dataset.heatmap = 'ready';
      } else {
        drawHeatmap(null, doc.diagnostics && doc.diagnostics[0] ? doc.diagnostics[0].message : doc.error);
        document.body.dataset.heatmap = 'error';
      }
    } catch (e) {
      drawHeatmap(null, e.message);
    }
  }, 120);
}

// --- drawing ------------------------------------------------------------------------

function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function clear(svg) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

function emptyPlot(svg, message) {
  clear(svg);
  el('text', { x: 280, y: 165, 'text-anchor': 'middle', class: 'empty' }, svg, message);
}

// Ticks: powers of ten on a log axis (with 2 and 5 when the span is short), "nice" steps otherwise.
function ticks(min, max, log) {
  const out = [];
  if (log) {
    const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
    const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
    const step = Math.max(1, Math.ceil((hi - lo) / 7));
    for (let p = lo; p <= hi; p += step) {
      for (const m of mults) {
        const v = m * Math.pow(10, p);
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    }
    return out;
  }
  const span = max - min || 1;
  const raw = span / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6);
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function scale(min, max, a, b, log) {
  if (log) {
    const l0 = Math.log10(min), l1 = Math.log10(max);
    return (v) => a + (Math.log10(v) - l0) / (l1 - l0 || 1) * (b - a);
  }
  return (v) => a + (v - min) / (max - min || 1) * (b - a);
}

// Axes, grid and labels of a plot area; returns the x and y scales.
function frame(svg, box, x, y) {
  const sx = scale(x.min, x.max, box.left, box.right, x.log);
  const sy = scale(y.min, y.max, box.bottom, box.top, y.log);
  const grid = el('g', { class: 'grid' }, svg);
  const axis = el('g', { class: 'axis' }, svg);
  for (const v of ticks(x.min, x.max, x.log)) {
    const px = sx(v);
    el('line', { x1: px, x2: px, y1: box.top, y2: box.bottom }, grid);
    el('line', { x1: px, x2: px, y1: box.bottom, y2: box.bottom + 4 }, axis);
    el('text', { x: px, y: box.bottom + 18, 'text-anchor': 'middle' }, axis, (x.fmt || short)(v));
  }
  for (const v of ticks(y.min, y.max, y.log)) {
    const py = sy(v);
    el('line', { x1: box.left, x2: box.right, y1: py, y2: py }, grid);
    el('line', { x1: box.left - 4, x2: box.left, y1: py, y2: py }, axis);
    el('text', { x: box.left - 7, y: py + 4, 'text-anchor': 'end' }, axis, (y.fmt || short)(v));
  }
  el('path', { d: `M${box.left},${box.top}V${box.bottom}H${box.right}`, fill: 'none' }, axis);
  el('text', { x: (box.left + box.right) / 2, y: box.bottom + 40, 'text-anchor': 'middle', class: 'label' }, svg, x.label);
  el('text', { x: 16, y: (box.top + box.bottom) / 2, 'text-anchor': 'middle', class: 'label',
               transform: `rotate(-90 16 ${(box.top + box.bottom) / 2})` }, svg, y.label);
  return { sx, sy };
}

function clipTo(svg, box, id) {
  const defs = el('defs', {}, svg);
  const cp = el('clipPath', { id }, defs);
  el('rect', { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top }, cp);
  return el('g', { 'clip-path': `url(#${id})` }, svg);
}

function polyline(g, xs, ys, sx, sy, style) {
  const pts = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join(' ');
  el('polyline', Object.assign({ points: pts, fill: 'none' }, style), g);
}

function legend(svg, x, y, items) {
  const g = el('g', { class: 'legend' }, svg);
  items.forEach((it, i) => {
    const yy = y + i * 18;
    el('line', Object.assign({ x1: x, x2: x + 22, y1: yy, y2: yy }, it.style), g);
    el('text', { x: x + 28, y: yy + 4 }, g, it.label);
  });
}

const BOX = { left: 70, right: 548, top: 12, bottom: 272 };

function drawTrajectory(r) {
  const svg = $('plot-trajectory');
  clear(svg);
  const t = r.trajectory;
  if (!t || t.length < 2) return emptyPlot(svg, 'no trajectory');
  const xs = t.map((p) => p.tokens);
  const rep = t.map((p) => p.loss_repeated);
  const fresh = t.map((p) => p.loss_unique);
  const lo = Math.min(...rep, ...fresh);
  // The first points of a run are far above the end: show the part where repetition matters.
  const end = Math.max(rep[rep.length - 1], fresh[fresh.length - 1]);
  const hi = Math.min(Math.max(...rep, ...fresh), lo + Math.max(3 * (end - lo), 0.5));
  const pad = (hi - lo) * 0.05;
  const { sx, sy } = frame(svg, BOX,
      { min: xs[0], max: xs[xs.length - 1], log: true, label: 'tokens seen D (tokens, log scale)' },
      { min: lo - pad, max: hi + pad, log: false, label: 'loss (nats/token)', fmt: (v) => String(Number(v.toPrecision(4))) });
  const g = clipTo(svg, BOX, 'clip-traj');
  // Epoch boundaries as faint vertical lines (at most 12 labelled).
  const u = r.unique_tokens;
  const epochs = r.epochs;
  if (epochs >= 1.5) {
    const stepE = Math.max(1, Math.ceil(epochs / 12));
    for (let e = 1; e <= epochs; e += stepE) {
      const x = sx(e * u);
      if (x > BOX.left && x < BOX.right) el('line', { x1: x, x2: x, y1: BOX.top, y2: BOX.bottom, stroke: '#e3c9c2', 'stroke-dasharray': '2 3' }, g);
    }
  }
  polyline(g, xs, fresh, sx, sy, { stroke: 'var(--fresh)', 'stroke-width': 2, 'stroke-dasharray': '6 4' });
  polyline(g, xs, rep, sx, sy, { stroke: 'var(--repeated)', 'stroke-width': 2.2 });
  legend(svg, BOX.left + 14, BOX.bottom - 48, [
    { label: 'repeated data: loss_repeated', style: { stroke: 'var(--repeated)', 'stroke-width': 2.2 } },
    { label: 'fresh data: loss_unique', style: { stroke: 'var(--fresh)', 'stroke-width': 2, 'stroke-dasharray': '6 4' } },
    { label: 'epoch boundaries (D = k·U)', style: { stroke: '#e3c9c2', 'stroke-dasharray': '2 3' } },
  ]);
}

function drawEffective(r) {
  const svg = $('plot-effective');
  clear(svg);
  const t = r.trajectory;
  if (!t || t.length < 2) return emptyPlot(svg, 'no trajectory');
  const xs = t.map((p) => p.epochs);
  const eff = t.map((p) => p.effective_tokens);
  const seen = t.map((p) => p.tokens);
  const ceiling = r.unique_tokens * (1 + r.rd_star_effective);
  const ymin = Math.min(...eff);
  const ymax = Math.max(...seen, ceiling) * 1.3;
  const { sx, sy } = frame(svg, BOX,
      { min: xs[0], max: xs[xs.length - 1], log: true, label: 'epochs: D / U (passes over the unique data, log scale)', fmt: (v) => short(v) },
      { min: ymin, max: ymax, log: true, label: 'tokens (log scale)' });
  const g = clipTo(svg, BOX, 'clip-eff');
  polyline(g, xs, seen, sx, sy, { stroke: '#8a93a3', 'stroke-width': 1.5, 'stroke-dasharray': '5 4' });
  polyline(g, [xs[0], xs[xs.length - 1]], [ceiling, ceiling], sx, sy, { stroke: '#6a9a3a', 'stroke-width': 1.5, 'stroke-dasharray': '2 3' });
  polyline(g, xs, eff, sx, sy, { stroke: 'var(--repeated)', 'stroke-width': 2.2 });
  legend(svg, BOX.right - 292, BOX.bottom - 48, [
    { label: "effective tokens D' (worth as fresh)", style: { stroke: 'var(--repeated)', 'stroke-width': 2.2 } },
    { label: "tokens seen D (D' if all were fresh)", style: { stroke: '#8a93a3', 'stroke-width': 1.5, 'stroke-dasharray': '5 4' } },
    { label: 'ceiling U·(1 + R_D*)', style: { stroke: '#6a9a3a', 'stroke-width': 1.5, 'stroke-dasharray': '2 3' } },
  ]);
}

function appendBlock(block) {
  editText((t) => `${t.replace(/\s*$/, '')}\n\n${block}`);
}

function drawCompare(r) {
  const svg = $('plot-compare');
  clear(svg);
  // The caveats of the ranking (summary.json "caveats"): the terminal's `assumption:` lines.
  $('compare-caveats').textContent = (r.caveats || []).map((c) => `assumption: ${c.text}`).join('\n');
  $('add-compare').hidden = !!(r.compare && r.compare.length);
  // `repsim run` ranks the base among its variants as "base scenario" (results.h kBaseRowName).
  const rows = (r.compare || []).map((c) => ({ name: c.name === 'base scenario' ? 'this scenario (the fields)' : c.name,
                                               loss: c.loss_repeated, delta: c.delta, base: c.name === 'base scenario' }));
  if (!rows.length) return emptyPlot(svg, 'no [[compare]] variants in the scenario');
  if (!rows.some((x) => x.base)) rows.push({ name: 'this scenario (the fields)', loss: r.loss_repeated, delta: r.delta, base: true });
  rows.sort((a, b) => a.loss - b.loss);
  const box = { left: 212, right: 470, top: 10, bottom: 272 };
  const maxDelta = Math.max(...rows.map((x) => x.delta), 1e-12);
  const minDelta = Math.min(0, ...rows.map((x) => x.delta));
  const { sx } = frame(svg, box,
      { min: minDelta, max: maxDelta * 1.05, log: false, label: 'delta = loss_repeated − loss_unique (nats/token)', fmt: (v) => String(Number(v.toPrecision(3))) },
      { min: 0, max: 1, log: false, label: '', fmt: () => '' });
  svg.querySelectorAll('.axis text').forEach((t) => { if (t.textContent === '') t.remove(); });
  const h = (box.bottom - box.top) / rows.length;
  rows.forEach((row, i) => {
    const y = box.top + i * h;
    const bh = Math.min(22, h * 0.7);
    const x0 = sx(Math.min(0, row.delta)), x1 = sx(Math.max(0, row.delta));
    el('rect', { x: x0, y: y + (h - bh) / 2, width: Math.max(1, x1 - x0), height: bh, rx: 2,
                 fill: row.base ? 'var(--repeated)' : '#7f9bd0' }, svg);
    const name = row.name.length > 26 ? `${row.name.slice(0, 25)}…` : row.name;
    el('text', { x: box.left - 8, y: y + h / 2 + 4, 'text-anchor': 'end', 'font-weight': row.base ? 700 : 400 }, svg, `${i + 1}. ${name}`);
    el('text', { x: x1 + 5, y: y + h / 2 + 4 }, svg, `L = ${six(row.loss)}`);
  });
}

// OrRd-like ramp: pale where repetition costs little, dark red where it costs much.
const RAMP = [[255, 247, 236], [253, 212, 158], [252, 141, 89], [215, 48, 31], [127, 0, 0]];
function ramp(t) {
  t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - i;
  const c = RAMP[i].map((v, k) => Math.round(v + f * (RAMP[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const AXIS_LABELS = {
  'training.epochs': 'epochs (D / U)',
  'training.tokens': 'tokens seen D (tokens)',
  'training.compute': 'compute (FLOPs)',
  'data.unique_tokens': 'unique tokens U (tokens)',
  'model.params': 'parameters N',
  'training.dropout.rate': 'dropout rate',
};

function drawHeatmap(doc, message) {
  const svg = $('plot-heatmap');
  clear(svg);
  $('add-sweep').hidden = hasArray($('toml').value, 'sweep.axis');
  $('heatmap-caption').textContent = 'Repetition cost over the sweep ([[sweep.axis]])';
  if (!doc) return emptyPlot(svg, message || 'no [[sweep.axis]] in the scenario');
  const axes = doc.sweep_axes || [];
  const varying = axes.map((a, i) => i).filter((i) => axes[i].values.length > 1);
  if (!varying.length) return emptyPlot(svg, 'the sweep has no axis with more than one value');
  const length = varying.find((i) => /^training\.(epochs|tokens|compute)$/.test(axes[i].key));
  const xi = length !== undefined ? length : varying[0];
  const rest = varying.filter((i) => i !== xi);
  const yi = rest.find((i) => axes[i].key === 'data.unique_tokens') ?? rest[0];
  const X = axes[xi], Y = yi !== undefined ? axes[yi] : null;
  // Points on the plotted plane: the other axes at their first value.
  const fixed = axes.map((a, i) => (i === xi || i === yi ? null : a.values[0]));
  const rows = doc.sweep.filter((p) => fixed.every((v, i) => v === null || p[axes[i].key] === v));
  const box = { left: 70, right: 470, top: 12, bottom: 272 };
  const posLog = (vals) => vals.every((v) => v > 0) && Math.max(...vals) / Math.min(...vals) > 20;
  const xlog = posLog(X.values);
  const label = (a) => AXIS_LABELS[a.key] || a.key;
  // Cell edges halfway (in the axis' own scale) between neighbouring values.
  const edges = (vals, log) => {
    const f = log ? Math.log10 : (v) => v;
    const g = log ? (v) => Math.pow(10, v) : (v) => v;
    const s = vals.map(f);
    const e = [s[0] - (s[1] - s[0]) / 2];
    for (let i = 1; i < s.length; i++) e.push((s[i - 1] + s[i]) / 2);
    e.push(s[s.length - 1] + (s[s.length - 1] - s[s.length - 2]) / 2);
    return e.map(g);
  };
  if (!Y) {  // one varying axis: a line
    const ys = X.values.map((v) => { const p = rows.find((q) => q[X.key] === v); return p ? p.delta_pct : null; });
    const ok = ys.filter((v) => v !== null);
    if (!ok.length) return emptyPlot(svg, 'no point of the sweep could be evaluated');
    const { sx, sy } = frame(svg, box, { min: Math.min(...X.values), max: Math.max(...X.values), log: xlog, label: label(X) },
                             { min: 0, max: Math.max(...ok) * 1.05 || 1, log: false, label: 'delta_pct (% of loss_unique)' });
    polyline(svg, X.values.filter((_, i) => ys[i] !== null), ok, sx, sy, { stroke: 'var(--repeated)', 'stroke-width': 2 });
    $('heatmap-caption').textContent = `Repetition cost along ${X.key}`;
    return;
  }
  const ylog = posLog(Y.values);
  const xe = edges(X.values, xlog), ye = edges(Y.values, ylog);
  const { sx, sy } = frame(svg, box,
      { min: Math.min(...xe), max: Math.max(...xe), log: xlog, label: label(X) + (xlog ? ', log scale' : '') },
      { min: Math.min(...ye), max: Math.max(...ye), log: ylog, label: label(Y) + (ylog ? ', log scale' : '') });
  const vals = rows.map((p) => p.delta_pct).filter((v) => typeof v === 'number' && v > 0);
  const vmin = Math.max(vals.length ? Math.min(...vals) : 0.01, 0.01);
  const vmax = Math.max(vals.length ? Math.max(...vals) : 1, vmin * 10);
  const cl = (v) => (Math.log10(v) - Math.log10(vmin)) / (Math.log10(vmax) - Math.log10(vmin));
  // The cells are painted on a canvas (twice the plot's resolution) inside
  // the SVG: a thousand SVG rectangles cost the page ~100 ms per redraw.
  const xIndex = new Map(X.values.map((v, i) => [v, i]));
  const yIndex = new Map(Y.values.map((v, i) => [v, i]));
  const px = xe.map(sx), py = ye.map(sy);
  const k = 2;
  const canvas = document.createElement('canvas');
  canvas.width = (box.right - box.left) * k;
  canvas.height = (box.bottom - box.top) * k;
  const ctx = canvas.getContext('2d');
  const grid = new Map();
  for (const p of rows) {
    const i = xIndex.get(p[X.key]), j = yIndex.get(p[Y.key]);
    if (i === undefined || j === undefined) continue;
    grid.set(`${i},${j}`, p);
    const v = p.delta_pct;
    ctx.fillStyle = typeof v !== 'number' ? '#c9ccd2' : v <= 0 ? ramp(0) : ramp(cl(Math.max(v, vmin)));
    const x0 = Math.min(px[i], px[i + 1]) - box.left, x1 = Math.max(px[i], px[i + 1]) - box.left;
    const y0 = Math.min(py[j], py[j + 1]) - box.top, y1 = Math.max(py[j], py[j + 1]) - box.top;
    ctx.fillRect(Math.floor(x0 * k), Math.floor(y0 * k), Math.ceil((x1 - x0) * k) + 1, Math.ceil((y1 - y0) * k) + 1);
  }
  const holder = el('foreignObject', { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top });
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  canvas.style.display = 'block';
  holder.appendChild(canvas);
  svg.insertBefore(holder, svg.querySelector('.axis'));
  // Hovering a cell names its point.
  const hover = el('rect', { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top,
                             fill: 'transparent' }, svg);
  const tip = el('title', {}, hover, '');
  const find = (edges, v) => {
    for (let i = 0; i + 1 < edges.length; i++) {
      if (v >= Math.min(edges[i], edges[i + 1]) && v <= Math.max(edges[i], edges[i + 1])) return i;
    }
    return -1;
  };
  hover.addEventListener('mousemove', (e) => {
    const m = svg.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    const p = grid.get(`${find(px, pt.x)},${find(py, pt.y)}`);
    tip.textContent = p ? `${X.key} = ${short(p[X.key])}, ${Y.key} = ${short(p[Y.key])}: ` +
        (typeof p.delta_pct === 'number' ? `delta_pct ${six(p.delta_pct)} %` : p.status) : '';
  });
  // This scenario's point.
  const r = state.last;
  const here = r && { 'training.epochs': r.epochs, 'training.tokens': r.tokens, 'training.compute': r.compute,
                      'data.unique_tokens': r.unique_tokens, 'model.params': r.params, 'training.dropout.rate': r.dropout_rate };
  if (here && here[X.key] !== undefined && here[Y.key] !== undefined) {
    const hx = sx(here[X.key]), hy = sy(here[Y.key]);
    if (hx >= box.left && hx <= box.right && hy >= box.top && hy <= box.bottom) {
      el('circle', { cx: hx, cy: hy, r: 6, fill: 'none', stroke: '#fff', 'stroke-width': 3 }, svg);
      el('circle', { cx: hx, cy: hy, r: 6, fill: 'none', stroke: '#1d2330', 'stroke-width': 1.5 }, svg);
      el('text', { x: hx + 9, y: hy - 7, 'font-weight': 700, stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke' }, svg, 'this run');
    }
  }
  // Colour bar.
  const cb = { left: 490, right: 504, top: box.top, bottom: box.bottom };
  const n = 40;
  for (let k = 0; k < n; k++) {
    const y0 = cb.bottom - (k + 1) * (cb.bottom - cb.top) / n;
    el('rect', { x: cb.left, y: y0, width: cb.right - cb.left, height: (cb.bottom - cb.top) / n + 0.5, fill: ramp((k + 0.5) / n) }, svg);
  }
  const cs = scale(vmin, vmax, cb.bottom, cb.top, true);
  for (const v of ticks(vmin, vmax, true)) {
    el('line', { x1: cb.right, x2: cb.right + 3, y1: cs(v), y2: cs(v), stroke: '#8a93a3' }, svg);
    el('text', { x: cb.right + 5, y: cs(v) + 4 }, svg, short(v));
  }
  el('text', { x: 552, y: (cb.top + cb.bottom) / 2, 'text-anchor': 'middle', class: 'label',
               transform: `rotate(-90 552 ${(cb.top + cb.bottom) / 2})` }, svg, 'delta_pct (%, log colour)');
  const held = fixed.map((v, i) => (v === null ? null : `${axes[i].key} = ${short(v)}`)).filter((s) => s);
  $('heatmap-caption').textContent = `Repetition cost, delta_pct, over ${X.key} × ${Y.key}` + (held.length ? ` (${held.join(', ')})` : '');
}

const CARDS = [
  ['loss_repeated', 'predicted loss, repeated data', 'nats/token', (v) => six(v), true],
  ['loss_unique', 'same run on fresh data', 'nats/token', (v) => six(v)],
  ['delta_pct', 'what repetition costs', '% of the fresh loss', (v, r) => `+${Number(v.toPrecision(3))} %`],
  ['effective_fraction', 'tokens that still count', "D'/D", (v) => `${Number((100 * v).toPrecision(3))} %`],
  ['wasted_compute', 'compute wasted by repetition', '1 − D_eq/D', (v) => (v === null ? 'not found' : `${Number((100 * v).toPrecision(3))} %`)],
];

function render(r) {
  $('cards').innerHTML = '';
  for (const [key, name, unit, fmt, main] of CARDS) {
    const card = document.createElement('div');
    card.className = `card${main ? ' main' : ''}`;
    card.id = `card-${key}`;
    card.dataset.value = r[key] === null ? '' : String(r[key]);
    card.innerHTML = `<div class="name"></div><div class="value"></div><div class="unit"></div>`;
    card.querySelector('.name').textContent = name;
    card.querySelector('.value').textContent = fmt(r[key], r);
    card.querySelector('.unit').textContent = key === 'delta_pct' ? `delta = ${six(r.delta)} nats (${unit})` : unit;
    $('cards').appendChild(card);
  }
  const body = $('summary').tBodies[0];
  body.innerHTML = '';
  const cols = state.columns.length ? state.columns : Object.keys(r).map((name) => ({ name, meaning: '' }));
  for (const c of cols) {
    if (!(c.name in r)) continue;
    // A constant this law does not have (law_E of kaplan2020, law_loss_cap
    // without the overfitting term) is null: not a "not found", not shown.
    if (c.name.startsWith('law_') && r[c.name] === null) continue;
    if (c.name === 'law') {
      const sec = body.insertRow();
      const td = sec.insertCell();
      td.colSpan = 3;
      td.textContent = 'resolved inputs';
      sec.className = 'section';
    }
    const tr = body.insertRow();
    tr.id = `row-${c.name}`;
    tr.insertCell().textContent = c.name;
    const v = tr.insertCell();
    v.className = 'num';
    v.textContent = six(r[c.name]);
    v.title = r[c.name] === null ? 'null: no solution (see the warnings)' : String(r[c.name]);
    tr.insertCell().textContent = c.meaning;
  }
  $('warnings').textContent = (r.warnings || []).map((w) => `warning: ${w}`).join('\n');
  drawTrajectory(r);
  drawEffective(r);
  drawCompare(r);
}

// --- downloads ---------------------------------------------------------------------

function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function bindButtons() {
  $('add-compare').addEventListener('click', () => appendBlock(COMPARE_BLOCK));
  $('add-sweep').addEventListener('click', () => {
    // A mixture has no single data.unique_tokens: sweep the model size instead.
    const mixture = hasArray($('toml').value, 'data.source');
    appendBlock(mixture ? SWEEP_BLOCK.replace('epochs x unique tokens', 'epochs x parameters')
      .replace('"data.unique_tokens"', '"model.params"').replace('from = 1e8, to = 1e13', 'from = 1e8, to = 1e11')
      : SWEEP_BLOCK);
  });
}

function bindDownloads() {
  $('download-toml').addEventListener('click', (e) => {
    e.preventDefault();
    saveBlob(new Blob([$('toml').value], { type: 'application/toml' }), `${state.name}.toml`);
  });
  $('download-zip').addEventListener('click', async (e) => {
    e.preventDefault();
    setStatus('building the results zip…');
    const res = await fetch('/api/results.zip', { method: 'POST', body: $('toml').value });
    if (!res.ok) {
      const doc = await res.json();
      setStatus(`zip: ${doc.error}`, true);
      return;
    }
    saveBlob(await res.blob(), `${state.name}.zip`);
    setStatus('results zip downloaded');
  });
}

// --- start ---------------------------------------------------------------------------

async function start() {
  bindFields();
  bindDownloads();
  bindButtons();
  const ta = $('toml');
  ta.value = DEFAULT_SCENARIO;
  let typing = null;
  ta.addEventListener('input', () => {
    drawEditor(currentDiagnostics);
    clearTimeout(typing);
    typing = setTimeout(() => { state.changedAt = performance.now(); requestRun(); }, 150);
  });
  ta.addEventListener('scroll', placeDiagnostic);
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {  // a tab key inserts spaces rather than leaving the editor
      e.preventDefault();
      document.execCommand('insertText', false, '  ');
    }
  });
  drawEditor();
  try {
    const [laws, columns] = await Promise.all([
      fetch('/api/laws').then((r) => r.json()),
      fetch('/api/columns').then((r) => r.json()),
    ]);
    state.columns = columns;
    $('law').innerHTML = '';
    for (const l of laws) {
      const o = document.createElement('option');
      o.value = l.preset;
      o.textContent = l.preset;
      o.title = l.source;
      $('law').appendChild(o);
    }
  } catch (e) {
    setStatus(`cannot reach repsim serve: ${e.message}`, true);
  }
  requestRun();
}

start();
