// Small helpers every view shares: safe HTML, the API, and how figures are written.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Marks a string as already-safe HTML. */
export class Raw {
  constructor(html) { this.html = html; }
  toString() { return this.html; }
}

/** Text made safe to put inside HTML or SVG (an array's items joined, Raw left as it is). */
export function escape(v) {
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

/** Sends a change (POST or DELETE) to the API; JSON in, JSON out, the server's explanation on refusal. */
export async function change(method, path, body) {
  const res = await fetch('/api/v1/' + path, { method, headers: { Accept: 'application/json',
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  let out = null;
  try { out = await res.json(); } catch (e) { out = null; }
  if (!res.ok) throw new ApiError(res.status, out);
  return out;
}

export const enc = encodeURIComponent;

export function num(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number(v).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** "1 closed minute", "15 closed minutes", "6 hours (360 closed minutes)": a long span read in hours first. */
export function closedMinutes(n) {
  return n >= 120 && n % 60 === 0 ? `${n / 60} hours (${num(n, 0)} closed minutes)` : `${n} closed minute${n === 1 ? '' : 's'}`;
}

/** A span of minutes as a column's heading says it: "15 minutes", "24 hours". */
export function minutesSpan(n) {
  return n >= 120 && n % 60 === 0 ? `${n / 60} hours` : `${n} minute${n === 1 ? '' : 's'}`;
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

/**
 * What a case's time is about: a completed case's duration; an open or stuck one's wait since its last event (by
 * the watermark), where first-to-last event would say "1,668 ms" of a case stuck for hours.
 */
export function caseTime(c) {
  if (c.status === 'completed' || c.sinceLastEventMs === undefined) return ms(c.durationMs);
  return c.sinceLastEventMs < 1000 ? 'last event just now' : 'no event for ' + elapsed(c.sinceLastEventMs);
}

const pad = n => String(n).padStart(2, '0');

/** A time of day, "17:53:49", in the browser's zone (the header names it). */
export function clock(v) {
  if (v === null || v === undefined) return '–';
  const d = new Date(v);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A date and time, "2026-12-07 17:53:49": one format on every page, in the browser's zone (the header names it). */
export function time(v) {
  if (!v) return '–';
  const d = new Date(v);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}`;
}

/** As {@link time}, to the millisecond: the events of one case often fall in one second. */
export function timeMs(v) {
  if (!v) return '–';
  return time(v) + '.' + String(new Date(v).getMilliseconds()).padStart(3, '0');
}

/** A date as a datetime-local input takes it: local time, to the minute. */
export function localInput(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A month as reports name it, "2026-11", counted from this one (0) in UTC: -1 is last month. */
export function month(offset) {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
}

/** The browser's zone as the pages show times in it: "UTC", "UTC+01:00 (Europe/Paris)". */
export function zone() {
  const off = -new Date().getTimezoneOffset();
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const utc = off === 0 ? 'UTC' : `UTC${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return name && name !== 'UTC' && name !== 'Etc/UTC' ? `${utc} (${name})` : utc;
}

const SYMBOL = { 'breached': '✖', 'at risk': '▲', 'ok': '✔', 'met': '✔', 'no traffic': '○', 'no data': '○',
  'no closed minute yet': '○', 'firing': '✖', 'resolved': '✔', 'stuck': '✖', 'open': '…', 'completed': '✔',
  'on track': '✔', 'forecast to miss': '▲' };

/** A status as colour and words together, never colour alone. */
export function badge(status) {
  const cls = 's-' + String(status).replace(/\s+/g, '-');
  return html`<span class="badge ${cls}"><span aria-hidden="true">${SYMBOL[status] || '•'}</span> ${status}</span>`;
}

/**
 * An alert's severity, told apart at a glance: a page (someone is woken) filled red, a ticket (someone looks
 * today) outlined amber; always with the word.
 */
export function severity(name) {
  const page = name === 'page';
  return html`<span class="sev sev-${page ? 'page' : 'ticket'}"><span aria-hidden="true">${page ? '⚑' : '✉'}</span> ${name}</span>`;
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

/**
 * A row's trend as a sparkline: a bar per step, its height the events, its red part the errors, and a line for
 * the p95 latency (on its own scale). Steps without events are gaps. The last bar is the last closed minute.
 * The words say what the picture shows, for a screen reader and a tooltip alike.
 */
export function sparkline(trend, from, to, stepMinutes) {
  const stepMs = stepMinutes * 60000;
  const start = Math.floor(+new Date(from) / stepMs) * stepMs;
  const n = Math.max(1, Math.round((+new Date(to) - start) / stepMs));
  const W = 120, H = 28, bw = W / n;
  const maxCount = Math.max(1, ...trend.map(p => p.count));
  const timed = trend.filter(p => p.p95Ms !== null);
  const maxP95 = Math.max(1e-9, ...timed.map(p => p.p95Ms));
  const x = p => Math.round(((+new Date(p.start) - start) / stepMs) * bw * 10) / 10;
  const bars = trend.map(p => {
    const h = Math.max(1, H * p.count / maxCount);
    const e = p.errors ? Math.max(1, H * p.errors / maxCount) : 0;
    return `<rect class="ok" x="${x(p)}" y="${H - h}" width="${Math.max(1, bw - 1)}" height="${h - e}"/>`
      + (e ? `<rect class="err" x="${x(p)}" y="${H - e}" width="${Math.max(1, bw - 1)}" height="${e}"/>` : '');
  }).join('');
  const line = timed.length > 1 ? `<polyline class="p95" points="${timed.map(p =>
    `${x(p) + bw / 2},${Math.round((H - 2 - (H - 4) * p.p95Ms / maxP95) * 10) / 10}`).join(' ')}"/>` : '';
  const errorSteps = trend.filter(p => p.errors).length;
  const words = trend.length
    ? `${stepMinutes === 1 ? 'Per minute' : `Per ${stepMinutes} minutes`}: ${num(Math.min(...trend.map(p => p.count)), 0)} to ${num(maxCount, 0)} events; `
      + `errors in ${errorSteps} of ${trend.length}; p95 up to ${timed.length ? ms(maxP95) : '–'}`
    : 'No events in the window';
  return new Raw(`<svg class="spark" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escape(words)}">`
    + `<title>${escape(words)}</title>${bars}${line}</svg>`);
}
