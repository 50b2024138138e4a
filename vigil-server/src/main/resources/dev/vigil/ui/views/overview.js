// Estate overview: business units and their services, suppliers, firing alerts and stuck cases, worst first.
import { api, html, badge, rate, percent, ms, num, entityLink, enc, closedMinutes, minutesSpan, sparkline, severity, clock, time } from '../util.js';
import * as timerange from '../timerange.js';

export const live = true;
/** The estate up to now: the header's range, up to a day of it (the API's longest window). */
export const timeScope = { max: 1440 };

/** A row: its last closed minute first (what is wrong now), its trend, then the window's figures and why. */
function row(kind, r, estate) {
  const now = r.now || {};
  return html`<tr data-status="${r.status}">
    <th scope="row">${entityLink(kind, r[kind === 'supplier' ? 'supplier' : 'service'])}</th>
    <td>${badge(r.status)}</td>
    <td class="n now">${rate(now.ratePerSecond)}</td>
    <td class="n now">${now.count ? percent(now.errorRatio) : '–'}</td>
    <td class="n now">${ms(now.p95Ms)}</td>
    <td>${sparkline(r.trend || [], estate.from, estate.to, estate.trendStepMinutes)}</td>
    <td class="n">${rate(r.ratePerSecond)}</td>
    <td class="n">${percent(r.errorRatio)}</td>
    <td class="n">${ms(r.p95Ms)}</td>
    <td class="why"><span>${r.reasons.join('; ')}</span></td></tr>`;
}

/** The estate's table: two header rows, so that "now" and the window read as two groups of the same figures. */
function rows(kind, list, estate, empty) {
  if (!list.length) return html`<p class="empty">${empty}</p>`;
  const window = `Last ${minutesSpan(estate.minutes)}`;
  return html`<div class="scroll"><table class="estate"><thead>
    <tr class="group"><td colspan="2"></td><th scope="colgroup" colspan="3">Last closed minute</th><td></td>
      <th scope="colgroup" colspan="3">${window}</th><td></td></tr>
    <tr>${['Name', 'Status', 'Throughput', 'Error ratio', 'p95 latency', 'Trend', 'Throughput', 'Error ratio', 'p95 latency', 'Why']
      .map(h => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${list.map(r => row(kind, r, estate))}</tbody></table></div>`;
}

export function emptyEstate() {
  return html`<div class="empty-state"><h2>No events yet</h2>
    <p>Point your sources at <code>POST ${location.origin}/ingest/events</code> (one JSON event per line; see
    docs/API.md), or run <code>./vigil demo</code> to watch a simulated estate. This page fills in by itself.</p></div>`;
}

function tile(label, value, detail, status) {
  return html`<div class="tile ${status ? 's-' + status.replace(/\s+/g, '-') : ''}"><div class="label">${label}</div>
    <div class="value">${value}</div><div class="detail">${detail}</div></div>`;
}

export function load() {
  return Promise.all([api('estate', { minutes: Math.min(timeScope.max, timerange.minutes()) }), api('alerts'), api('processes')]);
}

/**
 * Whether the objective figures on the page (the reasons, the statuses) were judged on the closed minutes
 * the page shows: the API judges them on the very windows it answers with, and says through which minute.
 */
function judged(estate) {
  const behind = (estate.objectives || []).filter(o => o.evaluatedTo && o.evaluatedTo !== estate.to);
  if (estate.objectivesInStep !== false && !behind.length) {
    return estate.objectives && estate.objectives.length ? ' Objectives judged on these minutes.' : '';
  }
  const through = behind.length ? behind.map(o => o.evaluatedTo).sort()[0] : null;
  return html` <strong class="s-at-risk">Objective figures are as of ${through
    ? clock(through) : 'a moment before these minutes'}</strong> (the store changed while
    they were read; the next refresh catches up).`;
}

const isToday = v => new Date(v).toDateString() === new Date().toDateString();

/** Times of today as times of day; with their dates when either is of another day (a backlog being read). */
function span(from, to) {
  return isToday(from) && isToday(to) ? `${clock(from)}–${clock(to)}` : `${time(from)} to ${time(to)}`;
}

function today(v) {
  return isToday(v) ? clock(v) : time(v);
}

/** The page as last drawn, but for the watermark's time (which alone changes between most refreshes). */
let drawn = null;

export function draw(el, [estate, alerts, procs]) {
  if (!estate.watermark) {
    el.innerHTML = html`<h1>Estate overview</h1>${emptyEstate()}`.html;
    return;
  }
  // Services seen only by their callers are services too: the tile counts every row the page lists.
  const services = estate.units.flatMap(u => u.services).concat(estate.calledOnly);
  const count = (rows, s) => rows.filter(r => r.status === s).length;
  const bad = count(services, 'breached') + count(estate.suppliers, 'breached');
  const risky = count(services, 'at risk') + count(estate.suppliers, 'at risk');
  const stuck = procs.processes.reduce((n, p) => n + p.stuck, 0);
  const burning = estate.suppliers.filter(s => s.status !== 'ok' && s.status !== 'no traffic');
  const tiles = html`<section class="tiles" aria-label="Summary">
    ${tile('Services and suppliers', services.length + estate.suppliers.length,
      bad + ' breached, ' + risky + ' at risk', bad ? 'breached' : risky ? 'at risk' : 'ok')}
    ${tile('Firing alerts', alerts.firing.length,
      alerts.firing.length ? [...new Set(alerts.firing.map(a => a.objective))].join(', ') : 'none',
      alerts.firing.length ? 'breached' : 'ok')}
    ${tile('Suppliers burning budget', burning.length,
      burning.length ? burning.map(s => s.supplier).join(', ') : 'none', burning.length ? 'at risk' : 'ok')}
    ${tile('Stuck cases (24 h)', stuck,
      procs.processes.filter(p => p.stuck).map(p => p.name + ': ' + p.stuck).join(', ') || 'none',
      stuck ? 'at risk' : 'ok')}
  </section>`;
  const firing = alerts.firing.length ? html`<section aria-labelledby="firing-h"><h2 id="firing-h">Firing alerts</h2>
    <ul class="alerts">${[...alerts.firing].sort((a, b) => (a.severity === 'page' ? 0 : 1) - (b.severity === 'page' ? 0 : 1))
      .map(a => html`<li>${severity(a.severity)} <strong>${a.objective}</strong>: burn rate over ${num(a.factor, 2)}× in ${a.longWindow} and ${a.shortWindow}${a.acknowledged
        ? html` · <span class="muted">acknowledged by ${a.acknowledged.by}</span>` : ''}${a.silenced
        ? html` · <span class="muted">silenced until ${clock(a.silenced.until)}</span>` : ''}
      <a href="#/objective/${enc(a.objective)}">details</a></li>`)}</ul></section>` : '';
  const stuckList = stuck ? html`<p>Stuck business transactions: ${procs.processes.filter(p => p.stuck).map(p =>
    html`<a href="#/process/${enc(p.name)}/stuck">${p.stuck} ${p.name}</a> `)}</p>` : '';
  const units = estate.units.map(u => html`<section class="unit" aria-labelledby="unit-${u.unit || 'none'}">
    <h2 id="unit-${u.unit || 'none'}">${u.unit || 'No business unit'} ${badge(u.status)}</h2>
    ${rows('service', u.services, estate, 'No services.')}</section>`);
  const page = html`<h1>Estate overview</h1>
    <p class="sub">The last ${closedMinutes(estate.minutes)}, ${span(estate.from, estate.to)}
      (event time; the watermark is at <span class="watermark"></span>). Worst first, what is wrong in the last closed minute
      before what was wrong earlier.${judged(estate)}</p>
    ${tiles}${firing}${stuckList}
    <section aria-labelledby="sup-h"><h2 id="sup-h">External suppliers</h2>
      ${rows('supplier', estate.suppliers, estate,
        'No supplier under contract: suppliers are the peers that a supplier contract\'s objectives measure (docs/SLO.md).')}</section>
    ${units}
    ${estate.calledOnly.length ? html`<section aria-labelledby="called-h"><h2 id="called-h">Services seen only by their callers</h2>
      ${rows('service', estate.calledOnly, estate, '')}</section>` : ''}`.html;
  // A refresh that moved only the watermark changes only its time: the tables stay as they are.
  if (page !== drawn || !el.querySelector('.watermark')) {
    el.innerHTML = page;
    drawn = page;
  }
  el.querySelector('.watermark').textContent = today(estate.watermark);
}
