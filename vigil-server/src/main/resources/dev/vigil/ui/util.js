// Small helpers every view shares: safe HTML, the API, and how figures are written.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Marks a string as already-safe HTML. */
export class Raw {
  constructor(html) { this.html = html; }
  toString() { return this.html; }
}

function escape(v) {
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(escape).join('');
  if (v === null || v === undefined || v === false) return '';
  return String(v).replace(/[&<>"']/g, c => ESC[c]);
}

/** Tagged template: every interpolated value is escaped unless it is Raw (or an array of Raw). */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += escape(values[i]) + strings[i + 1];
  return new Raw(out);
}

/** An API failure, with the server's own explanation when it gave one. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** GET a JSON document of the public API. */
export async function api(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const url = '/api/v1/' + path + (q.toString() ? '?' + q : '');
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const enc = encodeURIComponent;

export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number(v).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** "1 closed minute", "15 closed minutes". */
export function closedMinutes(n) {
  return `${n} closed minute${n === 1 ? '' : 's'}`;
}

export function rate(perSecond) {
  return perSecond === null || perSecond === undefined ? '–' : num(perSecond, perSecond < 10 ? 2 : 1) + '/s';
}

export function percent(ratio, digits = 2) {
  return ratio === null || ratio === undefined ? '–' : num(100 * ratio, digits) + '%';
}

export function ms(v) {
  if (v === null || v === undefined) return '–';
  if (v >= 10000) return num(v / 1000, 1) + ' s';
  return num(v, v < 10 ? 2 : 0) + ' ms';
}

/** A long wait in words a reader takes in at a glance: "45 s", "7 min 8 s", "3 h 12 min", "2 d 4 h". */
export function elapsed(v) {
  if (v === null || v === undefined) return '–';
  const s = Math.floor(v / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
  const h = Math.floor(m / 60);
  if (h < 24) return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
  const d = Math.floor(h / 24);
  return d + ' d' + (h % 24 ? ' ' + (h % 24) + ' h' : '');
}

export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

const SYMBOL = { 'breached': '✖', 'at risk': '▲', 'ok': '✔', 'met': '✔', 'no traffic': '○', 'no data': '○',
  'no closed minute yet': '○', 'firing': '✖', 'resolved': '✔', 'stuck': '✖', 'open': '…', 'completed': '✔' };

/** A status as colour and words together, never colour alone. */
export function badge(status) {
  const cls = 's-' + String(status).replace(/\s+/g, '-');
  return html`<span class="badge ${cls}"><span aria-hidden="true">${SYMBOL[status] || '•'}</span> ${status}</span>`;
}

/** Link to a service or supplier page. */
export function entityLink(kind, name) {
  return html`<a href="#/${kind}/${enc(name)}">${name}</a>`;
}

export function table(head, rows, empty) {
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr>${head.map(h => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}
