import { createHash } from 'node:crypto';

/**
 * The item explorer's browser script, inlined into report.html and allowed by the page's
 * Content-Security-Policy through its sha256 hash (no 'unsafe-inline', no URL, no network).
 *
 * It reads the JSON data block (#explorer-data, see explorer-data.ts), builds each group section's
 * filters (truth, prediction, result, item id), sort (similarity) and table, and draws the filtered
 * rows a page at a time, so a group of 10,000 items costs 50 table rows in the DOM. Text goes in
 * through textContent only. A location hash `#<section>?truth=…&pred=…&result=…` (what the
 * confusion-matrix cells link to) selects the section and sets its filters.
 */
export const EXPLORER_SCRIPT = String.raw`(() => {
  'use strict';
  const INVALID = '(invalid)';
  const PAGE = 50;
  const data = JSON.parse(document.getElementById('explorer-data').textContent);
  const S = data.strings;
  const str = (i) => (i === undefined || i < 0 ? '' : S[i]);
  const num = (v, digits) => (v === null || v === undefined ? '' : v.toFixed(digits));
  const outcome = (g, i) => (!g.pred ? '' : g.pred[i] === -1 ? 'invalid' : g.correct[i] ? 'right' : 'wrong');
  const el = (tag, props, children) => {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children || []) e.append(c);
    return e;
  };

  /** Columns shown for a group: header, cell text, class. */
  function columns(g) {
    const out = [{ head: 'item', cell: (i) => str(g.key[i]), cls: 'id' }];
    if (g.valence) out.push({ head: 'valence', cell: (i) => num(g.valence[i], 2), cls: 'num' });
    if (g.arousal) out.push({ head: 'arousal', cell: (i) => num(g.arousal[i], 2), cls: 'num' });
    out.push({ head: 'truth', cell: (i) => str(g.truth[i]) });
    if (g.pred) {
      out.push({ head: 'prediction', cell: (i) => (g.pred[i] === -1 ? INVALID : str(g.pred[i])) });
      out.push({ head: 'result', cell: (i) => outcome(g, i), cls: (i) => 'result ' + outcome(g, i) });
    }
    if (g.raw) {
      out.push({ head: 'raw cosine', cell: (i) => num(g.raw[i], 3), cls: 'num' });
      if (g.z) out.push({ head: 'z', cell: (i) => num(g.z[i], 2), cls: 'num' });
      if (g.percentile) out.push({ head: 'percentile', cell: (i) => num(g.percentile[i], 1), cls: 'num' });
      if (g.nullMean) out.push({ head: 'shuffled mean', cell: (i) => num(g.nullMean[i], 3), cls: 'num' });
    }
    if (g.text) out.push({ head: 'description', cell: (i) => str(g.text[i]), cls: 'text' });
    if (g.reference) out.push({ head: 'reference', cell: (i) => str(g.reference[i]), cls: 'text' });
    if (g.answer) out.push({ head: "model's answer", cell: (i) => str(g.answer[i]), cls: 'text' });
    if (g.reason) out.push({ head: 'invalid reason', cell: (i) => str(g.reason[i]) });
    return out;
  }

  function select(name, label, options) {
    const s = el('select', { name }, [el('option', { value: '', textContent: 'any' })]);
    for (const [value, text] of options) s.append(el('option', { value, textContent: text }));
    s.dataset.filter = name;
    return el('label', {}, [label + ' ', s]);
  }

  function controls(g) {
    // Single-label groups offer every class (a confusion-matrix cell with no items still filters to none);
    // multi-label groups offer the label sets that occur.
    const seen = (col) => {
      const values = new Set();
      for (const i of col) if (i >= 0) values.add(S[i]);
      if (col === g.pred && col.includes(-1)) values.add(INVALID);
      return [...g.labels.filter((l) => values.has(l)), ...[...values].filter((v) => !g.labels.includes(v)).sort()];
    };
    const single = g.kind === 'classification';
    const truths = single ? g.labels.filter((l) => l !== INVALID) : seen(g.truth);
    const parts = [select('truth', 'Truth', truths.map((l) => [l, l]))];
    if (g.pred) {
      parts.push(select('pred', 'Prediction', (single ? g.labels : seen(g.pred)).map((l) => [l, l])));
      parts.push(select('result', 'Result', [['right', 'right'], ['wrong', 'wrong (incl. invalid)'], ['invalid', 'invalid only']]));
    }
    if (g.raw) {
      const sort = el('select', { name: 'sort' }, [el('option', { value: '', textContent: 'item' })]);
      for (const [value, text] of [['raw:desc', 'raw cosine, highest first'], ['raw:asc', 'raw cosine, lowest first'], ['z:desc', 'z, highest first'], ['z:asc', 'z, lowest first']]) {
        if (g[value.split(':')[0]]) sort.append(el('option', { value, textContent: text }));
      }
      sort.dataset.sort = '';
      parts.push(el('label', {}, ['Sort by ', sort]));
    }
    const search = el('input', { type: 'search', name: 'id', placeholder: 'part of an item id' });
    search.dataset.filter = 'id';
    parts.push(el('label', {}, ['Item ', search]));
    return parts;
  }

  const views = new Map();
  for (const section of document.querySelectorAll('section.explorer')) {
    const g = data.groups[Number(section.dataset.group)];
    const cols = columns(g);
    const tbody = el('tbody');
    const table = el('table', { className: 'items' }, [el('thead', {}, [el('tr', {}, cols.map((c) => el('th', { textContent: c.head })))]), tbody]);
    const count = el('p', { className: 'count' });
    count.setAttribute('aria-live', 'polite');
    const prev = el('button', { type: 'button', textContent: '‹ previous' });
    const next = el('button', { type: 'button', textContent: 'next ›' });
    const where = el('span');
    const form = el('form', { className: 'controls' }, controls(g));
    form.addEventListener('submit', (e) => e.preventDefault());
    section.append(form, count, el('div', { className: 'scroll' }, [table]), el('div', { className: 'pager' }, [prev, where, next]));
    const view = { section, g, cols, tbody, count, prev, next, where, page: 0, rows: [] };
    views.set(section.id, view);
    form.addEventListener('input', () => { view.page = 0; update(view); });
    prev.addEventListener('click', () => { view.page--; draw(view); });
    next.addEventListener('click', () => { view.page++; draw(view); });
    update(view);
  }

  function value(view, name) {
    const c = view.section.querySelector('[data-filter="' + name + '"]');
    return c ? c.value : '';
  }

  function update(view) {
    const { g } = view;
    const truth = value(view, 'truth');
    const pred = value(view, 'pred');
    const result = value(view, 'result');
    const id = value(view, 'id').trim().toLowerCase();
    const rows = [];
    for (let i = 0; i < g.key.length; i++) {
      if (truth && str(g.truth[i]) !== truth) continue;
      if (pred && (pred === INVALID ? g.pred[i] !== -1 : g.pred[i] === -1 || str(g.pred[i]) !== pred)) continue;
      if (result === 'right' && outcome(g, i) !== 'right') continue;
      if (result === 'wrong' && outcome(g, i) === 'right') continue;
      if (result === 'invalid' && outcome(g, i) !== 'invalid') continue;
      if (id && !str(g.key[i]).toLowerCase().includes(id)) continue;
      rows.push(i);
    }
    const sort = view.section.querySelector('[data-sort]');
    if (sort && sort.value) {
      const [col, dir] = sort.value.split(':');
      const v = g[col];
      const sign = dir === 'asc' ? 1 : -1;
      // Items without a score go last either way; ties keep item order.
      rows.sort((a, b) => (v[a] === null) - (v[b] === null) || sign * ((v[a] ?? 0) - (v[b] ?? 0)) || a - b);
    }
    view.rows = rows;
    draw(view);
  }

  function draw(view) {
    const { g, rows, cols } = view;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    view.page = Math.min(Math.max(view.page, 0), pages - 1);
    const start = view.page * PAGE;
    const shown = rows.slice(start, start + PAGE);
    view.tbody.replaceChildren(...shown.map((i) => el('tr', {}, cols.map((c) => el('td', { textContent: c.cell(i), className: typeof c.cls === 'function' ? c.cls(i) : c.cls || '' })))));
    view.count.textContent = rows.length + ' of ' + g.key.length + ' items' + (rows.length ? ' · showing ' + (start + 1) + '–' + (start + shown.length) : '');
    view.where.textContent = 'page ' + (view.page + 1) + ' of ' + pages;
    view.prev.disabled = view.page === 0;
    view.next.disabled = view.page >= pages - 1;
  }

  const groupFilter = document.getElementById('explorer-group');
  function showGroup(id) {
    for (const [sid, view] of views) view.section.hidden = id !== '' && sid !== id;
  }
  groupFilter.addEventListener('input', () => showGroup(groupFilter.value));

  function applyHash() {
    const hash = location.hash.slice(1);
    const q = hash.indexOf('?');
    const view = views.get(q === -1 ? hash : hash.slice(0, q));
    if (!view) return;
    if (groupFilter.value !== '' && groupFilter.value !== view.section.id) {
      groupFilter.value = view.section.id;
      showGroup(view.section.id);
    }
    if (q !== -1) {
      const params = new URLSearchParams(hash.slice(q + 1));
      for (const c of view.section.querySelectorAll('[data-filter]')) c.value = params.get(c.dataset.filter) || '';
      view.page = 0;
      update(view);
    }
    view.section.scrollIntoView();
  }
  window.addEventListener('hashchange', applyHash);
  applyHash();
})();`;

/** The CSP source that allows exactly this script. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}
