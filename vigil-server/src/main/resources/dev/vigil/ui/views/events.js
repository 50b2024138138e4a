// The events explorer: stored events by source, operation, peer, outcome, correlation key and time, a page at a
// time, newest first. Charts drill down to it (a minute of a service's or supplier's figures); every filter is in
// the URL, so a list of events can be sent to someone.
import { api, html, enc, time, ms, table, Raw, localInput } from '../util.js';

export const live = false;

const FIELDS = [['source', 'Source'], ['name', 'Operation'], ['peer', 'Peer'], ['key', 'Key (name:value)']];

/** The query the URL holds, as the API takes it (times as RFC 3339). */
function query(args) {
  const q = {};
  for (const k of ['source', 'name', 'peer', 'key', 'outcome', 'from', 'to', 'cursor']) {
    const v = args.query.get(k);
    if (v) q[k] = v;
  }
  return q;
}

export async function render(el, args) {
  const q = query(args);
  const page = await api('events', { ...q, order: 'desc', limit: 100 });
  const from = q.from ? new Date(q.from) : null;
  const to = q.to ? new Date(q.to) : null;
  const next = page.next ? '#/events?' + new URLSearchParams({ ...q, cursor: page.next }) : null;
  el.innerHTML = html`<h1>Events</h1>
    <form class="filters range" aria-label="Filters">
      ${FIELDS.map(([k, label]) => html`<label>${label} <input name="${k}" value="${q[k] || ''}" size="14"></label>`)}
      <label>Outcome <select name="outcome">${['', 'ok', 'failed', 'error', 'timeout'].map(o =>
        html`<option value="${o}" ${(q.outcome || '') === o ? new Raw('selected') : ''}>${o || 'any'}</option>`)}</select></label>
      <label>From <input type="datetime-local" name="from" value="${from ? localInput(from) : ''}"></label>
      <label>To <input type="datetime-local" name="to" value="${to ? localInput(to) : ''}"></label>
      <button type="submit">Show</button>
    </form>
    <p class="sub">${page.events.length ? `${page.events.length} events, newest first${q.cursor ? ' (a later page)' : ''}.`
      : ''} Times are event times; a key opens the business transaction it belongs to.</p>
    ${table(['Time', 'Source', 'Operation', 'Kind', 'Outcome', 'Duration', 'Peer', 'Keys'], page.events.map(e => html`<tr>
      <td>${time(e.time)}</td><td><a href="#/service/${enc(e.source)}">${e.source}</a></td><td>${e.name}</td><td>${e.kind}</td>
      <td class="${e.outcome === 'ok' ? '' : 's-breached'}">${e.outcome}</td><td class="n">${ms(e.durationMs)}</td>
      <td>${e.peer || ''}</td>
      <td>${Object.entries(e.correlation || {}).map(([k, v]) => html`<a href="#/search/${enc(v)}" title="${k}">${k}=${v}</a> `)}</td></tr>`),
      'No event matches these filters.')}
    ${next ? html`<p><a class="next" href="${next}">Older events</a></p>` : ''}`.html;
  el.querySelector('form.filters').addEventListener('submit', ev => {
    ev.preventDefault();
    const f = ev.target.elements;
    const out = new URLSearchParams();
    for (const [k] of FIELDS) if (f[k].value.trim()) out.set(k, f[k].value.trim());
    if (f.outcome.value) out.set('outcome', f.outcome.value);
    if (f.from.value) out.set('from', new Date(f.from.value).toISOString());
    if (f.to.value) out.set('to', new Date(f.to.value).toISOString());
    location.hash = '#/events' + (out.toString() ? '?' + out : '');
  });
}
