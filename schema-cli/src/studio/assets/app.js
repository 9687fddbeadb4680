// schema studio: the page. Every view has its own path (/t/users, /t/users/row?w.id=1,
// /schema, /migrations, /console); links are real <a href>s, and clicks on them are routed
// here without a reload. All data is written with textContent, never as HTML.
'use strict';

// ---------- small helpers ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'className') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const enc = encodeURIComponent;
const tableUrl = (name) => '/t/' + enc(name);

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const type = r.headers.get('content-type') || '';
  const data = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || String(data));
  return data;
}

function flash(message, kind) {
  const el = document.getElementById('flash');
  el.replaceChildren();
  if (!message) { el.hidden = true; return; }
  el.className = kind || 'ok';
  el.append(message instanceof Node ? message : document.createTextNode(message));
  el.hidden = false;
}

function formatCount(rows) {
  if (!rows) return '';
  const n = Number(rows.n).toLocaleString('en-US');
  if (rows.kind === 'estimate') return '~' + n;
  if (rows.kind === 'at_least') return 'more than ' + n;
  return n;
}

function countTitle(rows) {
  if (!rows) return '';
  if (rows.kind === 'estimate') return 'estimated: too many rows to count on every view';
  if (rows.kind === 'at_least') return 'too many rows to count on every view';
  return 'rows';
}

function formatBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

// The text a cell stands for: what an editor starts from and a link carries.
function cellText(cell) {
  if (cell === null) return null;
  if (cell.type === 'blob') return cell.hex;
  return cell.value;
}

function cellNode(cell) {
  if (cell === null) return h('span', { className: 'null', text: 'NULL' });
  switch (cell.type) {
    case 'integer':
    case 'real':
      return h('span', { className: 'num', text: cell.value });
    case 'blob':
      return h('span', { className: 'blob', title: cell.hex },
        'blob · ' + formatBytes(cell.size) + (cell.size ? ' · ' + cell.hex + (cell.truncated ? '…' : '') : ''));
    default: {
      if (cell.json) {
        let pretty = cell.value;
        try { pretty = JSON.stringify(JSON.parse(cell.value), null, 2); } catch (e) { /* cut: shown as is */ }
        return h('code', { className: 'json', title: pretty }, cell.value, cell.truncated ? h('span', { className: 'cut', text: '…' }) : null);
      }
      return h('span', { title: cell.value.length > 60 ? cell.value : null }, cell.value, cell.truncated ? h('span', { className: 'cut', text: '…' }) : null);
    }
  }
}

// The row view's URL: by primary key values where they read well, else by the opaque key.
function rowUrl(info, columns, row) {
  const pk = info.primary_key;
  if (pk.length) {
    const params = new URLSearchParams();
    let readable = true;
    for (const name of pk) {
      const cell = row.cells[columns.indexOf(name)];
      if (!cell || (cell.type !== 'integer' && cell.type !== 'text') || cell.truncated) readable = false;
      else params.append('w.' + name, cell.value);
    }
    if (readable) return tableUrl(info.name) + '/row?' + params;
  }
  return tableUrl(info.name) + '/row?key=' + enc(row.key);
}

// For each column, the foreign keys it is part of.
function fkByColumn(info) {
  const m = new Map();
  for (const fk of info.foreign_keys) for (const c of fk.columns) {
    if (!m.has(c)) m.set(c, []);
    m.get(c).push(fk);
  }
  return m;
}

// The parent row a foreign key points at, or null when a value is NULL.
function parentUrl(fk, columns, cells) {
  if (!fk.ref_columns.length) return null;
  const params = new URLSearchParams();
  for (let i = 0; i < fk.columns.length; i++) {
    const cell = cells[columns.indexOf(fk.columns[i])];
    if (cell === null || cell === undefined || cell.truncated) return null;
    params.append('w.' + fk.ref_columns[i], cellText(cell));
  }
  return tableUrl(fk.ref_table) + '/row?' + params;
}

function editableColumn(info, name) {
  const c = info.columns.find((c) => c.name === name);
  return info.editable && c && !c.generated;
}

// ---------- the table list (sidebar and home) ----------

let tablesCache = null;

async function loadTables() {
  tablesCache = await api('GET', '/api/tables');
  renderSidebar();
  return tablesCache;
}

function relationFor(name) {
  if (!tablesCache) return null;
  for (const s of tablesCache.schemas) for (const r of s.relations) if (r.name === name) return r;
  return null;
}

function renderSidebar() {
  const list = document.getElementById('table-list');
  const filter = document.getElementById('table-search').value.toLowerCase();
  list.replaceChildren();
  if (!tablesCache) return;
  const current = currentTable();
  for (const s of tablesCache.schemas) {
    list.append(h('h3', { text: s.name }));
    const ul = h('ul');
    for (const r of s.relations) {
      if (filter && !r.name.toLowerCase().includes(filter)) continue;
      ul.append(h('li', {}, h('a', { href: tableUrl(r.name), className: r.name === current ? 'active' : null, 'data-table': r.name },
        h('span', { text: r.name + (r.kind === 'table' ? '' : ' (' + r.kind + ')') }),
        h('span', { className: 'count', title: countTitle(r.rows), text: formatCount(r.rows) }))));
    }
    list.append(ul);
  }
}

function currentTable() {
  const s = segments();
  return s[0] === 't' ? s[1] : null;
}

async function viewHome(view) {
  const data = await loadTables();
  view.append(h('h1', { text: 'Tables' }));
  for (const s of data.schemas) {
    view.append(h('h2', { text: 'Schema ' + s.name }));
    const tbody = h('tbody');
    for (const r of s.relations) {
      tbody.append(h('tr', {},
        h('td', {}, h('a', { href: tableUrl(r.name), className: 'table-link', text: r.name })),
        h('td', { text: r.kind }),
        h('td', { className: 'count', title: countTitle(r.rows), text: formatCount(r.rows) + (r.rows.kind === 'estimate' ? ' (estimated)' : '') }),
        h('td', {}, h('a', { href: tableUrl(r.name) + '/schema', text: 'structure' }))));
    }
    view.append(h('div', { className: 'scroll' }, h('table', { className: 'grid', id: 'tables' },
      h('thead', {}, h('tr', {}, h('th', { text: 'name' }), h('th', { text: 'kind' }), h('th', { text: 'rows' }), h('th'))), tbody)));
  }
}

// ---------- rows ----------

function withParams(params, changes) {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

async function viewRows(view, name, params) {
  const page = await api('GET', '/api/tables/' + enc(name) + '/rows' + withParams(params, {}));
  const info = page.table;
  if (!tablesCache) await loadTables();
  const rel = relationFor(info.name);
  const fks = fkByColumn(info);
  const base = tableUrl(info.name);

  view.append(h('h1', {}, info.name, ' ', h('span', { className: 'badge', text: info.kind })));
  view.append(h('p', { className: 'muted' },
    rel ? h('span', { id: 'row-count', title: countTitle(rel.rows), text: formatCount(rel.rows) + ' rows' + (rel.rows.kind === 'estimate' ? ' (estimated)' : '') }) : null,
    ' · ', h('a', { href: base + '/schema', text: 'structure' }),
    page.paging === 'offset' ? ' · paged by offset (a view has no key)' : null));

  const selected = new Set();
  const toolbar = h('div', { className: 'toolbar' });
  const insertBox = h('div');
  if (info.editable) {
    const deleteButton = h('button', { id: 'delete-selected', disabled: true, text: 'Delete selected' });
    let armed = false;
    deleteButton.addEventListener('click', async () => {
      if (!armed) {
        armed = true;
        deleteButton.className = 'danger';
        deleteButton.textContent = 'Confirm: delete ' + selected.size + ' row(s)';
        return;
      }
      try {
        const r = await api('DELETE', '/api/tables/' + enc(info.name) + '/rows', { keys: [...selected] });
        await refresh('Deleted ' + r.deleted + ' row(s) from ' + info.name + '.');
      } catch (e) {
        flash(e.message, 'error');
        armed = false;
        deleteButton.className = '';
        deleteButton.textContent = 'Delete selected';
      }
    });
    toolbar.append(
      h('button', { id: 'insert-row', className: 'primary', text: 'Insert row', onclick: () => showInsertForm(insertBox, info) }),
      deleteButton);
    toolbar.onSelect = () => {
      armed = false;
      deleteButton.className = '';
      deleteButton.disabled = selected.size === 0;
      deleteButton.textContent = selected.size ? 'Delete selected (' + selected.size + ')' : 'Delete selected';
    };
  }
  const hasFilter = [...params.keys()].some((k) => k.startsWith('f.'));
  toolbar.append(h('span', { className: 'spacer' }));
  if (hasFilter || params.has('sort')) toolbar.append(h('a', { href: base, id: 'clear', text: 'Clear sort and filters' }));
  view.append(toolbar, insertBox);

  // Header: column names (sort links), then one filter per column.
  const sort = params.get('sort');
  const dir = params.get('dir') || 'asc';
  const headRow = h('tr');
  const filterRow = h('tr', { className: 'filters' });
  if (info.editable) {
    headRow.append(h('th'));
    filterRow.append(h('th'));
  }
  headRow.append(h('th', { text: '' }));
  filterRow.append(h('th', {}, h('button', { id: 'apply-filters', text: 'Filter', onclick: () => applyFilters() })));
  const filterInputs = [];
  for (const col of page.columns) {
    const meta = info.columns.find((c) => c.name === col) || {};
    const nextDir = sort === col && dir === 'asc' ? 'desc' : 'asc';
    const arrow = sort === col ? (dir === 'asc' ? ' ▲' : ' ▼') : '';
    headRow.append(h('th', { 'data-col': col },
      h('a', { className: 'sort', href: base + withParams(params, { sort: col, dir: nextDir, after: null, before: null }), text: col + arrow }),
      meta.primary_key ? h('span', { className: 'key-marker', text: 'PK' }) : null,
      fks.has(col) ? h('span', { className: 'key-marker', text: 'FK' }) : null,
      h('span', { className: 'type', text: (meta.type || '') + (meta.generated ? ' generated' : '') })));
    const current = params.get('f.' + col);
    let op = '', value = '';
    if (current === 'null' || current === 'notnull') op = current;
    else if (current && current.startsWith('eq:')) { op = 'eq'; value = current.slice(3); }
    else if (current && current.startsWith('has:')) { op = 'has'; value = current.slice(4); }
    const select = h('select', { 'data-filter-op': col, 'aria-label': 'filter on ' + col },
      ...[['', '—'], ['eq', '='], ['has', 'contains'], ['null', 'is null'], ['notnull', 'not null']].map(([v, label]) =>
        h('option', { value: v, selected: v === op, text: label })));
    const input = h('input', { type: 'text', 'data-filter': col, value, placeholder: 'filter', 'aria-label': 'filter value for ' + col });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        if (!select.value) select.value = 'has';
        applyFilters();
      }
    });
    select.addEventListener('change', () => { if (select.value === 'null' || select.value === 'notnull' || select.value === '') applyFilters(); });
    filterInputs.push([col, select, input]);
    filterRow.append(h('th', {}, select, input));
  }
  function applyFilters() {
    const p = new URLSearchParams(params);
    for (const k of [...p.keys()]) if (k.startsWith('f.')) p.delete(k);
    p.delete('after');
    p.delete('before');
    for (const [col, select, input] of filterInputs) {
      if (select.value === 'null' || select.value === 'notnull') p.set('f.' + col, select.value);
      else if (select.value && input.value !== '') p.set('f.' + col, select.value + ':' + input.value);
    }
    const s = p.toString();
    go(base + (s ? '?' + s : ''));
  }

  const tbody = h('tbody');
  for (const row of page.rows) {
    const tr = h('tr', { 'data-key': row.key });
    if (info.editable) {
      tr.append(h('td', {}, h('input', {
        type: 'checkbox', className: 'select-row', 'aria-label': 'select row',
        onchange: (e) => {
          if (e.target.checked) selected.add(row.key);
          else selected.delete(row.key);
          toolbar.onSelect();
        },
      })));
    }
    tr.append(h('td', {}, row.key ? h('a', { href: rowUrl(info, page.columns, row), className: 'row-link', title: 'open this row', text: '→' }) : null));
    page.columns.forEach((col, i) => {
      const cell = row.cells[i];
      const td = h('td', { className: 'cell', 'data-col': col });
      const links = (fks.get(col) || []).map((fk) => parentUrl(fk, page.columns, row.cells)).filter(Boolean);
      td.append(links.length ? h('a', { href: links[0], className: 'fk', title: 'open the row it references' }, cellNode(cell)) : cellNode(cell));
      if (row.key && editableColumn(info, col)) {
        td.classList.add('editable');
        td.title = 'double-click to edit';
        td.addEventListener('dblclick', () => startEdit(td, info, col, cell, row.key));
      }
      tr.append(td);
    });
    tbody.append(tr);
  }
  view.append(h('div', { className: 'scroll' }, h('table', { className: 'grid', id: 'rows', 'data-table': info.name },
    h('thead', {}, headRow, filterRow), tbody)));
  if (!page.rows.length) view.append(h('p', { className: 'muted', id: 'no-rows', text: 'No rows' + (hasFilter ? ' match these filters.' : '.') }));

  const pager = h('div', { className: 'pager' });
  if (page.prev) {
    pager.append(h('a', { href: base + withParams(params, { after: null, before: null }), id: 'first-page', text: '« First' }));
    pager.append(h('a', { href: base + withParams(params, { before: page.prev, after: null }), id: 'prev-page', text: '‹ Previous' }));
  }
  pager.append(h('span', { className: 'muted', text: page.rows.length + ' row(s) on this page' }));
  if (page.next) pager.append(h('a', { href: base + withParams(params, { after: page.next, before: null }), id: 'next-page', text: 'Next ›' }));
  view.append(pager);
}

// An inline editor in place of a cell: Enter saves, Escape cancels, "Set NULL" stores NULL.
async function startEdit(td, info, col, cell, key) {
  if (td.classList.contains('editing')) return;
  if (cell && cell.truncated) {
    try {
      const full = await api('GET', '/api/tables/' + enc(info.name) + '/row?key=' + enc(key));
      cell = full.row.cells[info.columns.findIndex((c) => c.name === col)];
    } catch (e) { flash(e.message, 'error'); return; }
  }
  const old = [...td.childNodes];
  const isBlob = cell && cell.type === 'blob';
  td.classList.add('editing');
  const area = h('textarea', { className: 'edit-value', 'aria-label': 'new value of ' + col });
  area.value = cell === null ? '' : cellText(cell);
  const error = h('div', { className: 'error edit-error' });
  const close = () => { td.classList.remove('editing'); td.replaceChildren(...old); flash(null); };
  const save = async (value) => {
    try {
      await api('PATCH', '/api/tables/' + enc(info.name) + '/rows', { key, column: col, value });
      await refresh('Saved ' + info.name + '.' + col + '.');
    } catch (e) {
      error.textContent = e.message;
      flash(e.message, 'error');
    }
  };
  const valueOf = () => (isBlob ? { type: 'blob', hex: area.value.replace(/\s+/g, '') } : { type: 'text', value: area.value });
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(valueOf()); }
    if (e.key === 'Escape') close();
  });
  td.replaceChildren(h('div', { className: 'editor' },
    isBlob ? h('span', { className: 'muted', text: 'blob, as hex' }) : null,
    area,
    h('div', { className: 'buttons' },
      h('button', { className: 'primary save-edit', text: 'Save', onclick: () => save(valueOf()) }),
      h('button', { className: 'null-edit', text: 'Set NULL', onclick: () => save(null) }),
      h('button', { className: 'cancel-edit', text: 'Cancel', onclick: close })),
    error));
  area.focus();
}

function showInsertForm(box, info) {
  flash(null);
  if (box.firstChild) { box.replaceChildren(); return; }
  const fields = [];
  const form = h('form', { className: 'insert', id: 'insert-form' });
  for (const c of info.columns) {
    if (c.generated) continue;
    // An INTEGER PRIMARY KEY of its own is the rowid: SQLite assigns it when left out.
    const assigned = c.primary_key && info.primary_key.length === 1 && (c.autoincrement || (c.type || '').toLowerCase() === 'integer');
    let hint = c.type || 'any type';
    if (c.default !== null) hint += ' · default ' + c.default;
    else if (assigned) hint += ' · assigned';
    else if (c.not_null) hint += ' · required';
    else hint += ' · nullable';
    const empty = c.default !== null ? 'default' : assigned ? 'assigned by the database' : c.not_null ? 'left out' : 'NULL';
    const input = h('input', { type: 'text', name: c.name, 'data-insert': c.name, placeholder: 'empty: ' + empty });
    const nullBox = c.not_null ? null : h('input', { type: 'checkbox', 'data-insert-null': c.name, 'aria-label': c.name + ' is NULL' });
    fields.push([c.name, input, nullBox]);
    form.append(h('label', { for: 'insert-' + c.name }, c.name, h('span', { className: 'hint', text: hint })),
      h('div', { className: 'field' }, input, nullBox ? h('label', { className: 'muted' }, nullBox, ' NULL') : null));
    input.id = 'insert-' + c.name;
  }
  const error = h('div', { className: 'error', id: 'insert-error' });
  form.append(h('div', { className: 'actions' },
    h('button', { type: 'submit', className: 'primary', id: 'insert-submit', text: 'Insert' }),
    h('button', { type: 'button', text: 'Cancel', onclick: () => box.replaceChildren() }),
    h('span', { className: 'muted', text: 'Empty fields are left out of the INSERT, so their defaults apply.' })),
  error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = {};
    for (const [name, input, nullBox] of fields) {
      if (nullBox && nullBox.checked) values[name] = null;
      else if (input.value !== '') values[name] = { type: 'text', value: input.value };
    }
    try {
      const r = await api('POST', '/api/tables/' + enc(info.name) + '/rows', { values });
      const link = h('a', { href: tableUrl(info.name) + '/row?key=' + enc(r.row.key), id: 'inserted-link', text: 'open it' });
      await refresh(h('span', {}, 'Inserted a row into ' + info.name + ' (', link, ').'));
    } catch (err) {
      error.textContent = err.message;
      flash(err.message, 'error');
    }
  });
  box.replaceChildren(form);
  const first = fields.find(([, input]) => input);
  if (first) first[1].focus();
}

// ---------- one row ----------

async function viewRow(view, name, params) {
  const data = await api('GET', '/api/tables/' + enc(name) + '/row' + withParams(params, {}));
  const info = data.table;
  const columns = info.columns.map((c) => c.name);
  const row = data.row;
  const fks = fkByColumn(info);
  view.append(h('h1', {}, h('a', { href: tableUrl(info.name), text: info.name }), ' › row'));
  const tbody = h('tbody');
  columns.forEach((col, i) => {
    const cell = row.cells[i];
    const meta = info.columns[i];
    const td = h('td', { className: 'value cell', 'data-col': col });
    const links = (fks.get(col) || []).map((fk) => [fk, parentUrl(fk, columns, row.cells)]).filter(([, u]) => u);
    td.append(cellNode(cell));
    if (cell && cell.json) {
      try { td.replaceChildren(h('code', { className: 'json', text: JSON.stringify(JSON.parse(cell.value), null, 2) })); } catch (e) { /* shown as is */ }
    }
    for (const [fk, url] of links) td.append(' ', h('a', { href: url, className: 'fk', text: '→ ' + fk.ref_table }));
    if (row.key && editableColumn(info, col)) {
      td.classList.add('editable');
      td.title = 'double-click to edit';
      td.addEventListener('dblclick', () => startEdit(td, info, col, cell, row.key));
    }
    tbody.append(h('tr', {},
      h('th', {}, col, meta.primary_key ? h('span', { className: 'key-marker', text: 'PK' }) : null),
      td,
      h('td', { className: 'muted', text: meta.type + (meta.generated ? ' (generated)' : '') })));
  });
  view.append(h('table', { className: 'kv', id: 'row' }, tbody));
  if (info.editable) {
    const del = h('button', { id: 'delete-row', text: 'Delete this row' });
    let armed = false;
    del.addEventListener('click', async () => {
      if (!armed) { armed = true; del.className = 'danger'; del.textContent = 'Confirm: delete this row'; return; }
      try {
        await api('DELETE', '/api/tables/' + enc(info.name) + '/rows', { keys: [row.key] });
        flash('Deleted a row from ' + info.name + '.');
        go(tableUrl(info.name), true);
      } catch (e) { flash(e.message, 'error'); }
    });
    view.append(h('div', { className: 'toolbar' }, del));
  }
  view.append(h('h2', { text: 'Referenced by' }));
  if (!data.children.length) view.append(h('p', { className: 'muted', text: 'No foreign key points at ' + info.name + '.' }));
  const ul = h('ul', { className: 'plain', id: 'children' });
  for (const c of data.children) {
    const p = new URLSearchParams();
    c.columns.forEach((col, i) => p.append('f.' + col, c.values[i] === null ? 'null' : 'eq:' + c.values[i]));
    ul.append(h('li', {},
      h('a', { href: tableUrl(c.table) + '?' + p, className: 'child-link', 'data-table': c.table, text: c.table + ' (' + c.columns.join(', ') + ')' }),
      ': ', h('span', { className: 'count', text: formatCount(c.count) + ' row(s)' })));
  }
  view.append(ul);
}

// ---------- schema ----------

function schemaList(items, render) {
  if (!items.length) return h('p', { className: 'muted', text: 'none' });
  return h('ul', { className: 'plain' }, items.map((i) => h('li', {}, render(i))));
}

async function viewTableSchema(view, name) {
  const info = await api('GET', '/api/tables/' + enc(name));
  view.append(h('h1', {}, h('a', { href: tableUrl(info.name), text: info.name }), ' › structure ', h('span', { className: 'badge', text: info.kind }),
    ...info.options.map((o) => h('span', { className: 'badge', text: o }))));
  const tbody = h('tbody');
  for (const c of info.columns) {
    tbody.append(h('tr', {},
      h('td', { className: 'mono', text: c.name }),
      h('td', { text: c.type }),
      h('td', { text: c.not_null ? 'NOT NULL' : '' }),
      h('td', { className: 'mono', text: c.default === null ? '' : c.default }),
      h('td', { text: [c.primary_key ? 'primary key' : '', c.autoincrement ? 'autoincrement' : '', c.collate ? 'collate ' + c.collate : ''].filter(Boolean).join(', ') }),
      h('td', { className: 'mono', text: c.generated ? c.generated.expr + (c.generated.stored ? ' (stored)' : ' (virtual)') : '' })));
  }
  view.append(h('h2', { text: 'Columns' }), h('div', { className: 'scroll' }, h('table', { className: 'grid', id: 'columns' },
    h('thead', {}, h('tr', {}, ...['column', 'type', 'null', 'default', 'key', 'generated'].map((t) => h('th', { text: t })))), tbody)));
  view.append(h('h2', { text: 'Indexes' }), schemaList(info.indexes, (i) => [h('code', { text: i.name }), ' on ', h('code', { text: i.expr || i.columns.join(', ') }), i.unique ? ' (unique)' : '', i.where ? ' where ' + i.where : '']));
  view.append(h('h2', { text: 'Checks' }), schemaList(info.checks, (c) => [h('code', { text: c.name }), ': ', h('code', { text: c.expr })]));
  view.append(h('h2', { text: 'Foreign keys' }), schemaList(info.foreign_keys, (f) => [
    h('code', { text: '(' + f.columns.join(', ') + ')' }), ' → ', h('a', { href: tableUrl(f.ref_table) + '/schema', text: f.ref_table }),
    h('code', { text: '(' + f.ref_columns.join(', ') + ')' }), ' on delete ' + f.on_delete + ', on update ' + f.on_update]));
  view.append(h('h2', { text: 'Referenced by' }), schemaList(info.referenced_by, (f) => [
    h('a', { href: tableUrl(f.table) + '/schema', text: f.table }), h('code', { text: '(' + f.columns.join(', ') + ')' })]));
  if (info.sql) view.append(h('h2', { text: 'SQL' }), h('pre', { className: 'sql', text: info.sql }));
}

async function viewSchema(view) {
  const [svg, schema] = await Promise.all([api('GET', '/api/diagram.svg'), api('GET', '/api/schema')]);
  const tables = schema.tables.filter((t) => t.kind === 'table');
  view.append(h('h1', { text: 'Schema' }), h('p', { className: 'muted', text: tables.length + ' tables; each box links to its rows, each arrow is a foreign key (child → parent). Parents stand left of their children.' }));
  const wrap = h('div', { className: 'diagram-wrap', id: 'diagram' });
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const svgEl = document.importNode(doc.documentElement, true);
  wrap.append(svgEl);
  const baseW = Number(svgEl.getAttribute('width'));
  const baseH = Number(svgEl.getAttribute('height'));
  let zoom = 1;
  const setZoom = (z) => {
    zoom = Math.min(4, Math.max(0.1, z));
    svgEl.setAttribute('width', String(baseW * zoom));
    svgEl.setAttribute('height', String(baseH * zoom));
  };
  view.append(h('div', { className: 'toolbar' },
    h('button', { text: '−', title: 'zoom out', onclick: () => setZoom(zoom / 1.25) }),
    h('button', { text: '+', title: 'zoom in', onclick: () => setZoom(zoom * 1.25) }),
    h('button', { text: 'Fit', onclick: () => setZoom(Math.min(1, (wrap.clientWidth - 4) / baseW)) })), wrap);
  view.append(h('h2', { text: 'Tables' }), schemaList(schema.tables, (t) => [
    h('a', { href: tableUrl(t.name) + '/schema', text: t.name }), ' ', h('span', { className: 'muted', text: t.kind + ', ' + t.columns.length + ' columns' })]));
}

// ---------- migrations ----------

async function viewMigrations(view) {
  const r = await api('GET', '/api/migrations');
  view.append(h('h1', { text: 'Migrations' }), h('p', { className: 'muted' }, 'Folder ', h('code', { text: r.folder })));
  if (r.error) { view.append(h('p', { className: 'error', id: 'migrations-error', text: r.error })); return; }
  if (!r.migrations.length && !r.missing.length) {
    view.append(h('p', { id: 'no-migrations', text: 'No migrations in this folder. Point the studio at yours with --out, or `out` in schema.toml.' }));
    return;
  }
  const tbody = h('tbody');
  for (const m of r.migrations) {
    tbody.append(h('tr', { 'data-tag': m.tag },
      h('td', {}, h('a', { href: '/migrations/' + enc(m.tag), className: 'mono', text: m.tag })),
      h('td', {}, h('span', { className: 'badge ' + m.state, text: m.state })),
      h('td', { className: 'muted', text: m.applied_at || (m.state === 'applied' ? '(by drizzle-orm)' : '') }),
      h('td', { className: 'muted', text: m.statements + ' statement(s)' })));
  }
  for (const tag of r.missing) {
    tbody.append(h('tr', { 'data-tag': tag },
      h('td', { className: 'mono', text: tag }),
      h('td', {}, h('span', { className: 'badge missing', text: 'missing' })),
      h('td', { className: 'muted', text: 'applied, but not in the folder' }), h('td')));
  }
  view.append(h('div', { className: 'scroll' }, h('table', { className: 'grid', id: 'migrations' },
    h('thead', {}, h('tr', {}, h('th', { text: 'migration' }), h('th', { text: 'state' }), h('th', { text: 'applied' }), h('th'))), tbody)));
  const counts = {};
  for (const m of r.migrations) counts[m.state] = (counts[m.state] || 0) + 1;
  view.append(h('p', { className: 'muted', id: 'migration-summary',
    text: r.migrations.length + ' migration(s): ' + (counts.applied || 0) + ' applied, ' + (counts.pending || 0) + ' pending, ' + (counts.edited || 0) + ' edited, ' + r.missing.length + ' missing' }));
  view.append(h('h2', { text: 'Drift: the database against its migrations' }));
  const drift = h('div', { id: 'drift' });
  if (r.drift_error) drift.append(h('p', { className: 'error', text: r.drift_error }));
  else if (r.drift === null) drift.append(h('p', { className: 'muted', text: 'No migration is applied yet, so there is nothing to compare with.' }));
  else if (!r.drift.length) drift.append(h('p', { className: 'ok', text: 'The database matches what its applied migrations say.' }));
  else {
    for (const t of r.drift) {
      drift.append(h('h3', {}, t.table ? h('a', { href: tableUrl(t.table) + '/schema', text: t.table }) : '(schema)'),
        h('ul', { className: 'plain' }, t.differences.map((d) => h('li', { text: d }))));
    }
  }
  view.append(drift);
}

async function viewMigration(view, tag) {
  const m = await api('GET', '/api/migrations/' + enc(tag));
  view.append(h('h1', {}, h('a', { href: '/migrations', text: 'Migrations' }), ' › ', h('span', { className: 'mono', text: m.tag }), ' ', h('span', { className: 'badge ' + m.state, text: m.state })),
    h('p', { className: 'muted', text: m.statements + ' statement(s)' + (m.applied_at ? ', applied ' + m.applied_at : '') }),
    h('pre', { className: 'sql', id: 'migration-sql', text: m.sql }));
}

// ---------- console ----------

function viewConsole(view, params) {
  const area = h('textarea', { className: 'sql', id: 'sql', spellcheck: 'false', 'aria-label': 'SQL' });
  area.value = params.get('sql') || 'SELECT name, type FROM sqlite_master ORDER BY name;';
  const writes = h('input', { type: 'checkbox', id: 'allow-writes' });
  const mode = h('span', { id: 'console-mode', className: 'muted', text: 'Read-only: statements run on a read-only connection.' });
  writes.addEventListener('change', () => {
    mode.className = writes.checked ? 'writes-on' : 'muted';
    mode.textContent = writes.checked ? 'Writes allowed: statements run on the read-write connection and commit at once.' : 'Read-only: statements run on a read-only connection.';
  });
  const out = h('div', { id: 'console-output' });
  const run = async () => {
    history.replaceState(null, '', '/console?sql=' + enc(area.value));
    out.replaceChildren(h('p', { className: 'muted', text: 'Running…' }));
    try {
      const r = await api('POST', '/api/console', { sql: area.value, write: writes.checked });
      const summary = r.columns.length
        ? r.rows.length + ' row(s)' + (r.truncated ? ' (the first ' + r.rows.length + ')' : '')
        : r.changes + ' row(s) changed';
      out.replaceChildren(h('p', { className: 'muted', id: 'console-summary', text: summary + ' in ' + r.elapsed_ms.toFixed(1) + ' ms' }));
      if (r.columns.length) {
        const tbody = h('tbody');
        for (const row of r.rows) tbody.append(h('tr', {}, row.map((c) => h('td', { className: 'cell' }, cellNode(c)))));
        out.append(h('div', { className: 'scroll' }, h('table', { className: 'grid', id: 'console-result' },
          h('thead', {}, h('tr', {}, r.columns.map((c) => h('th', { text: c })))), tbody)));
      }
      if (r.changes) loadTables().catch(() => {});
    } catch (e) {
      out.replaceChildren(h('p', { className: 'error', id: 'console-error', text: e.message }));
    }
  };
  area.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  view.append(h('h1', { text: 'SQL console' }), area,
    h('div', { className: 'toolbar' },
      h('button', { className: 'primary', id: 'run', text: 'Run (Ctrl+Enter)', onclick: run }),
      h('label', {}, writes, ' Allow writes'), mode),
    out);
}

// ---------- routing ----------

function segments() {
  return location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
}

let renderSeq = 0;

async function render(keepFlash) {
  const seq = ++renderSeq;
  if (!keepFlash) flash(null);
  const s = segments();
  const params = new URLSearchParams(location.search);
  const section = s[0] === 't' || s.length === 0 ? 'tables' : s[0];
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.nav === section);
  const view = h('div', { id: 'view' });
  try {
    if (s.length === 0) await viewHome(view);
    else if (s[0] === 't' && s.length === 2) await viewRows(view, s[1], params);
    else if (s[0] === 't' && s[2] === 'row') await viewRow(view, s[1], params);
    else if (s[0] === 't' && s[2] === 'schema') await viewTableSchema(view, s[1]);
    else if (s[0] === 'schema') await viewSchema(view);
    else if (s[0] === 'migrations' && s.length === 1) await viewMigrations(view);
    else if (s[0] === 'migrations') await viewMigration(view, s[1]);
    else if (s[0] === 'console') viewConsole(view, params);
    else view.append(h('p', { text: 'Nothing here.' }));
    document.title = (s.length ? s.slice(0, 2).join(' ') + ' · ' : '') + 'schema studio';
  } catch (e) {
    view.replaceChildren(h('p', { className: 'error', id: 'view-error', text: e.message }));
    if (e.status === 401) view.append(h('p', { text: 'Open the URL that `schema studio` printed: it carries this run\'s access token.' }));
  }
  if (seq !== renderSeq) return;
  document.getElementById('view').replaceWith(view);
  renderSidebar();
  document.body.dataset.rendered = String(seq);
}

function go(url, keepFlash) {
  history.pushState(null, '', url);
  render(keepFlash);
}

// After a write: the counts, then the view, again; the message stays.
async function refresh(message) {
  await loadTables().catch(() => {});
  await render(true);
  flash(message, 'ok');
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || a.target) return;
  e.preventDefault();
  go(href);
});
window.addEventListener('popstate', () => render());
document.getElementById('table-search').addEventListener('input', renderSidebar);

api('GET', '/api/info').then((info) => {
  document.getElementById('location').textContent = info.dialect + ' · ' + info.location;
}).catch(() => {});
loadTables().catch(() => {});
render();
