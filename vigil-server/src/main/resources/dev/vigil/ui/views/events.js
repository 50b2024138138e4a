// The events explorer: stored events by source, operation, peer, outcome, correlation key and time, a page at a
// time, newest first, and the business transactions they belong to. Charts drill down to it (a minute of a
// service's or supplier's figures); every filter is in the URL, so a list of events can be sent to someone.
import { api, html, enc, time, ms, table, Raw, badge, caseTime } from '../util.js';
import * as timerange from '../timerange.js';

export const live = false;
export const timeScope = 'range';

/** How many of the page's correlation keys are looked up for their cases: one request each. */
const CASE_LOOKUPS = 20;

const FIELDS = [['source', 'Source'], ['name', 'Operation'], ['peer', 'Peer'], ['key', 'Key (name:value)']];

/** The query the URL holds, as the API takes it (times as RFC 3339). */
function query(args) {
  const q = {};
  for (const k of ['source', 'name', 'peer', 'key', 'outcome', 'cursor']) {
    const v = args.query.get(k);
    if (v) q[k] = v;
  }
  return q;
}

/**
 * The cases the events belong to: each distinct correlation key of the page (the first few) asked for its cases,
 * once each; a case several keys lead to is listed once.
 */
async function casesOf(events) {
  const keys = [...new Set(events.flatMap(e => Object.entries(e.correlation || {}).map(([k, v]) => k + ':' + v)))];
  const answers = await Promise.all(keys.slice(0, CASE_LOOKUPS).map(key => api('cases', { key, limit: 5 })));
  const byId = new Map();
  answers.forEach(a => a.cases.forEach(c => byId.set(c.id, c)));
  return { cases: [...byId.values()].sort((a, b) => Date.parse(b.start) - Date.parse(a.start)), keys: keys.length };
}

export async function render(el, args) {
  const q = query(args);
  const { from, to } = timerange.span();
  const page = await api('events', { ...q, from: from.toISOString(), to: to.toISOString(), order: 'desc', limit: 100 });
  const linked = await casesOf(page.events);
  const next = page.next ? '#/events?' + timerange.into(new URLSearchParams({ ...q, cursor: page.next })) : null;
  el.innerHTML = html`<h1>Events</h1>
    <form class="filters range" aria-label="Filters">
      ${FIELDS.map(([k, label]) => html`<label>${label} <input name="${k}" value="${q[k] || ''}" size="14"></label>`)}
      <label>Outcome <select name="outcome">${['', 'ok', 'failed', 'error', 'timeout'].map(o =>
        html`<option value="${o}" ${(q.outcome || '') === o ? new Raw('selected') : ''}>${o || 'any'}</option>`)}</select></label>
      <button type="submit">Show</button>
    </form>
    <p class="sub">${page.events.length ? `${page.events.length} events of ${timerange.label()}, newest first${q.cursor ? ' (a later page)' : ''}.`
      : ''} Times are event times (the header's range); a key finds everything that carries it.</p>
    ${table(['Time', 'Source', 'Operation', 'Kind', 'Outcome', 'Duration', 'Peer', 'Keys'], page.events.map(e => html`<tr>
      <td>${time(e.time)}</td><td><a href="#/service/${enc(e.source)}">${e.source}</a></td><td>${e.name}</td><td>${e.kind}</td>
      <td class="${e.outcome === 'ok' ? '' : 's-breached'}">${e.outcome}</td><td class="n">${ms(e.durationMs)}</td>
      <td>${e.peer || ''}</td>
      <td>${Object.entries(e.correlation || {}).map(([k, v]) => html`<a href="#/search/${enc(v)}" title="${k}">${k}=${v}</a> `)}</td></tr>`),
      'No event matches these filters.')}
    ${next ? html`<p><a class="next" href="${next}">Older events</a></p>` : ''}
    <section class="cases" aria-labelledby="cases-h"><h2 id="cases-h">Their business transactions</h2>
      ${table(['Case', 'Process', 'Status', 'Started', 'Duration, or waiting', 'Path so far'], linked.cases.map(c => html`<tr>
        <th scope="row"><a href="#/case/${enc(c.id)}">${c.id}</a></th><td>${c.process}</td><td>${badge(c.status)}</td>
        <td>${time(c.start)}</td><td class="n">${caseTime(c)}</td><td class="path">${c.path.join(' → ')}</td></tr>`),
        'None of these events belongs to a case of a declared process.')}
      ${linked.keys > CASE_LOOKUPS ? html`<p class="sub">From the first ${CASE_LOOKUPS} of the page's ${linked.keys}
        correlation keys; narrow the filters for the rest.</p>` : ''}</section>`.html;
  el.querySelector('form.filters').addEventListener('submit', ev => {
    ev.preventDefault();
    const f = ev.target.elements;
    const out = new URLSearchParams();
    for (const [k] of FIELDS) if (f[k].value.trim()) out.set(k, f[k].value.trim());
    if (f.outcome.value) out.set('outcome', f.outcome.value);
    location.hash = '#/events?' + timerange.into(out);
  });
}
