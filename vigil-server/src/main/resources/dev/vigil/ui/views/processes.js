// Processes: per process the cases started in the last day by status, durations and most frequent paths;
// then the cases of one process and status.
import { api, html, badge, percent, ms, table, enc, time, caseTime } from '../util.js';
import * as timerange from '../timerange.js';

export const live = true;
export const timeScope = 'range';

const STATUSES = ['stuck', 'open', 'completed', 'all'];

function card(p) {
  return html`<section class="process" aria-labelledby="p-${p.name}">
    <h2 id="p-${p.name}"><a href="#/process/${enc(p.name)}/stuck">${p.name}</a></h2>
    <dl class="figures">
      <div><dt>Started</dt><dd data-fig="started">${p.started}</dd></div>
      <div><dt>Open</dt><dd><a href="#/process/${enc(p.name)}/open" data-fig="open">${p.open}</a></dd></div>
      <div><dt>Completed</dt><dd><a href="#/process/${enc(p.name)}/completed" data-fig="completed">${p.completed}</a></dd></div>
      <div class="${p.stuck ? 's-at-risk' : ''}"><dt>Stuck</dt><dd><a href="#/process/${enc(p.name)}/stuck" data-fig="stuck">${p.stuck}</a></dd></div>
      <div><dt>Duration p50 / p90 / p99</dt><dd>${ms(p.completedDurationMs.p50)} / ${ms(p.completedDurationMs.p90)} / ${ms(p.completedDurationMs.p99)}</dd></div>
    </dl>
    <h3>Most frequent paths</h3>
    ${table(['Path', 'Cases', 'Share'], p.paths.map(x => html`<tr><td class="path">${x.path.join(' → ')}</td>
      <td class="n">${x.cases}</td><td class="n"><span class="bar" style="--w:${Math.round(100 * x.share)}"></span>${percent(x.share, 1)}</td></tr>`),
      'No cases started in the range.')}
  </section>`;
}

/** A case's duration, or how long it has waited (util.caseTime), marked for which it is. */
function waiting(c) {
  const done = c.status === 'completed' || c.sinceLastEventMs === undefined;
  return done ? html`<td class="n" data-fig="duration">${caseTime(c)}</td>`
    : html`<td class="n" data-fig="waiting" title="since its last event, by the watermark (event time)">${caseTime(c)}</td>`;
}

export function load(args) {
  const { from, to } = timerange.span();
  const range = { from: from.toISOString(), to: to.toISOString() };
  return Promise.all([api('processes', range), args.process ? api('cases', { process: args.process,
    status: args.status === 'all' ? null : args.status, order: 'desc', limit: 50, ...range }) : null]);
}

/** What the page shows, but for the range's bounds (which move with the clock at every refresh). */
export function shows([procs, cases]) {
  const { from, to, ...p } = procs;
  return [p, cases && cases.cases, timerange.label()];
}

export function draw(el, [procs, cases], args) {
  const status = args.status;
  const shownProcs = args.process ? procs.processes.filter(p => p.name === args.process) : procs.processes;
  if (!procs.processes.length) {
    el.innerHTML = html`<h1>Processes</h1><div class="empty-state"><h2>No processes declared</h2>
      <p>Business processes are declared in vigil.yaml under <code>processes:</code> (docs/CONFIG.md): their activities
      and the correlation keys that link them. Cases appear here as events arrive.</p></div>`.html;
    return;
  }
  el.innerHTML = html`<h1>${args.process ? 'Process ' + args.process : 'Processes'}</h1>
    <p class="sub">Cases that started in ${timerange.label()} (event time)${args.process ? '; below, the cases with events in it' : ''}.</p>
    ${shownProcs.map(card)}
    ${args.process ? html`<section aria-labelledby="cases-h"><h2 id="cases-h">Cases: ${status}</h2>
      <nav class="tabs" aria-label="Case status">${STATUSES.map(s => html`<a href="#/process/${enc(args.process)}/${s}"
        ${s === status ? html`aria-current="page"` : ''}>${s}</a>`)}</nav>
      ${table(['Case', 'Status', 'Started', 'Last event', 'Duration, or waiting', 'Path so far', 'Keys'], cases.cases.map(c => html`<tr>
        <th scope="row"><a href="#/case/${enc(c.id)}">${c.id}</a></th><td>${badge(c.status)}</td><td>${time(c.start)}</td>
        <td>${time(c.end)}</td>${waiting(c)}<td class="path">${c.path.join(' → ')}</td>
        <td>${Object.entries(c.keys).map(([k, v]) => k + '=' + v.join(',')).join(' ')}</td></tr>`),
        'No ' + (status === 'all' ? '' : status + ' ') + 'cases.')}</section>` : ''}`.html;
}
