// One case: its figures and its events in event-time order, with the late ones marked.
import { api, html, badge, ms, table, enc, time, elapsed } from '../util.js';

export const live = false;

const LATE = { late: 'late: arrived after the watermark passed it, folded in', tooLate: 'too late: beyond the maximum lateness, stored but not counted' };

export function load(args) {
  return api('cases/' + enc(args.id));
}

export function draw(el, { case: c, events, watermark }) {
  el.innerHTML = html`<h1>Case ${c.id}</h1>
    <p>${badge(c.status)} <a href="#/process/${enc(c.process)}/${c.status}">${c.process}</a>, outcome ${c.outcome},
      ${c.events} events (${c.failedEvents} failed), ${ms(c.durationMs)} from ${time(c.start)} to ${time(c.end)}.
      ${c.sinceLastEventMs === undefined ? '' : html`<strong class="waiting">No event for ${elapsed(c.sinceLastEventMs)}</strong>
        since the last one (by the watermark, ${time(watermark)}).`}</p>
    <p>Keys: ${Object.entries(c.keys).map(([k, v]) => html`<code>${k}=${v.join(', ')}</code> `)}</p>
    <h2>Events in event-time order</h2>
    ${table(['Event time', 'Source', 'Activity', 'Outcome', 'Duration', 'Arrival', 'Seq'], events.map(e => html`<tr class="${e.arrival ? 'late' : ''}">
      <td>${e.time}</td><td><a href="#/service/${enc(e.source)}">${e.source}</a></td><td>${e.name}</td><td>${e.outcome}</td>
      <td class="n">${e.durationMs === undefined || e.durationMs === null ? '–' : ms(e.durationMs)}</td>
      <td>${e.arrival ? html`<span class="badge s-at-risk" title="${LATE[e.arrival]}">▲ ${LATE[e.arrival]}</span>` : 'on time'}</td>
      <td class="n">${e.seq}</td></tr>`), 'No events.')}`.html;
}
