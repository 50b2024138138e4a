// One case: its figures, a waterfall of its steps on a time axis (the wait before each, and how long it has been
// stuck), and its events in event-time order, with the late ones marked.
import { api, html, badge, ms, table, enc, time, timeMs, elapsed, Raw, escape } from '../util.js';

export const live = false;
export const timeScope = 'the case\'s own events';

const LATE = { late: 'late: arrived after the watermark passed it, folded in', tooLate: 'too late: beyond the maximum lateness, stored but not counted' };

export function load(args) {
  return api('cases/' + enc(args.id));
}

/**
 * The case's steps on one time axis from its first event: a bar per event (its duration, at least a hairline), the
 * gap before it as the wait, and for an open or stuck case the time since its last event, up to the watermark.
 */
function waterfall(c, events, watermark) {
  const start = Date.parse(c.start);
  const rows = events.map(e => {
    const at = Date.parse(e.time) - start;
    return { e, at, end: at + (e.durationMs || 0) };
  });
  const waiting = c.sinceLastEventMs === undefined ? 0 : c.sinceLastEventMs;
  const lastEnd = rows.reduce((m, r) => Math.max(m, r.end), 0);
  const total = Math.max(1, lastEnd, (Date.parse(c.end) - start) + waiting);
  const W = 600, row = 18, left = 190, H = (rows.length + (waiting ? 1 : 0)) * row + 24;
  const x = v => left + (W - left - 10) * v / total;
  let prevEnd = 0;
  const bars = rows.map((r, i) => {
    const y = 4 + i * row;
    const wait = Math.max(0, r.at - prevEnd);
    prevEnd = Math.max(prevEnd, r.end);
    const label = `${r.e.name} (${r.e.source})`;
    return `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${escape(label.length > 30 ? label.slice(0, 29) + '…' : label)}</text>`
      + (wait > 0 ? `<line class="wait" x1="${x(r.at - wait)}" x2="${x(r.at)}" y1="${y + 8}" y2="${y + 8}"/>` : '')
      + `<rect class="${r.e.outcome === 'ok' ? 'step' : 'step failed'}" x="${x(r.at)}" y="${y + 2}" width="${Math.max(2, x(r.end) - x(r.at))}"`
      + ` height="${row - 6}"><title>${escape(`${label}: at +${fmt(r.at)}, took ${fmt(r.end - r.at)}, waited ${fmt(wait)} before`)}</title></rect>`;
  }).join('');
  const stuck = waiting ? (() => {
    const y = 4 + rows.length * row;
    return `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${c.status === 'stuck' ? 'stuck' : 'waiting'}</text>`
      + `<rect class="stuck" x="${x(lastEnd)}" y="${y + 2}" width="${Math.max(2, x(total) - x(lastEnd))}" height="${row - 6}">`
      + `<title>no event for ${escape(fmt(waiting))}, to the watermark ${escape(time(watermark))}</title></rect>`;
  })() : '';
  const axis = `<text x="${left}" y="${H - 4}">+0</text><text x="${W - 10}" y="${H - 4}" text-anchor="end">+${escape(fmt(total))}</text>`;
  return html`<figure class="waterfall"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${`The case's ${rows.length} steps on a time
    axis from its first event${waiting ? `, then ${fmt(waiting)} without an event` : ''}`}">${new Raw(bars + stuck + axis)}</svg>
    <figcaption class="muted">Each bar is a step (its duration), the thin line before it the wait, ${waiting ? 'the hatched bar the time since the last event; ' : ''}
      hover a bar for its figures.</figcaption></figure>`;
}

const fmt = v => (v >= 60000 ? elapsed(v) : ms(v));

export function draw(el, { case: c, events, watermark }) {
  let prev = null;
  const waits = events.map(e => {
    const t = Date.parse(e.time);
    const w = prev === null ? null : Math.max(0, t - prev);
    prev = Math.max(prev === null ? t : prev, t + (e.durationMs || 0));
    return w;
  });
  const traces = [...new Set(events.map(e => e.correlation && e.correlation.traceId).filter(Boolean))];
  el.innerHTML = html`<h1>Case ${c.id}</h1>
    <p>${badge(c.status)} <a href="#/process/${enc(c.process)}/${c.status}">${c.process}</a>, outcome ${c.outcome},
      ${c.events} events (${c.failedEvents} failed), ${ms(c.durationMs)} from ${time(c.start)} to ${time(c.end)}.
      ${c.sinceLastEventMs === undefined ? '' : html`<strong class="waiting">No event for ${elapsed(c.sinceLastEventMs)}</strong>
        since the last one (by the watermark, ${time(watermark)}).`}</p>
    <p>Keys: ${Object.entries(c.keys).map(([k, v]) => html`<code>${k}=${v.join(', ')}</code> `)}${traces.length
      ? html` · spans: ${traces.map(t => html`<a href="#/events?key=${enc('traceId:' + t)}">trace ${t.slice(0, 8)}…</a> `)}` : ''}</p>
    ${events.length ? waterfall(c, events, watermark) : ''}
    <h2>Events in event-time order</h2>
    ${table(['Event time', 'Source', 'Activity', 'Outcome', 'Duration', 'Wait before', 'Arrival', 'Seq'], events.map((e, i) => html`<tr class="${e.arrival ? 'late' : ''}">
      <td data-time="${e.time}">${timeMs(e.time)}</td><td><a href="#/service/${enc(e.source)}">${e.source}</a></td><td>${e.name}</td><td>${e.outcome}</td>
      <td class="n">${e.durationMs === undefined || e.durationMs === null ? '–' : ms(e.durationMs)}</td>
      <td class="n">${waits[i] === null ? '–' : fmt(waits[i])}</td>
      <td>${e.arrival ? html`<span class="badge s-at-risk" title="${LATE[e.arrival]}">▲ ${LATE[e.arrival]}</span>` : 'on time'}</td>
      <td class="n">${e.seq}</td></tr>`), 'No events.')}`.html;
}
