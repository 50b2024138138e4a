// Objectives and alerts: every objective's budget and burn rates, the alerts firing, recent changes, and the
// contracts with links to their period reports.
import { api, change, html, badge, percent, num, table, enc, time, elapsed, severity, month } from '../util.js';

export const live = true;
/** Each objective over its own period (a month, 28 rolling days). */
export const timeScope = 'each objective\'s own period';

function budgetBar(share) {
  if (share === null || share === undefined) return '–';
  const w = Math.max(0, Math.min(100, Math.round(100 * share)));
  const cls = share < 0 ? 's-breached' : share < 0.25 ? 's-at-risk' : 's-ok';
  return html`<span class="budget ${cls}"><span class="bar" style="--w:${w}"></span>${percent(share, 1)}</span>`;
}

const WINDOW_MS = { '1h': 3600e3, '6h': 6 * 3600e3, '1d': 86400e3, '3d': 3 * 86400e3 };

/** A burn rate, and when its window is not yet full of data, how much of it the figure rests on. */
function burn(o, w) {
  const cov = o.burnRateCoverage ? o.burnRateCoverage[w] : 1;
  const figure = o.burnRate[w].toFixed(2) + '×';
  if (cov >= 1) return html`<div>${w}: ${figure}</div>`;
  return html`<div>${w}: ${figure} <span class="muted">(${cov ? elapsed(cov * WINDOW_MS[w]) : 'no'} of data)</span></div>`;
}

/** Where the objective stands: met or breached so far, and how far into its period, or its closed outcome. */
function standing(o) {
  const so = o.period === 'in progress' ? html`<div class="muted">so far; period ${percent(o.elapsedShare, 0)} elapsed</div>` : '';
  return html`${badge(o.state)}${so}${o.evaluatedTo ? html`<div class="muted">judged through ${time(o.evaluatedTo)}</div>` : ''}`;
}

/** The forecast for the period's end at the day's burn rate; a rolling window has none (it never ends). */
function forecast(o) {
  if (o.period !== 'in progress') return o.period === 'rolling' ? html`<span class="muted">rolling window</span>` : '–';
  const f = o.forecast || {};
  if (f.achieved === null || f.achieved === undefined) return '–';
  return html`${percent(f.achieved, 3)} ${badge(f.met ? 'on track' : 'forecast to miss')}
    <div class="muted">budget left at the end: ${percent(f.budgetRemainingShare, 0)}</div>${paceNote(f)}`;
}

/** A forecast from less than a day of data is a guess: it says from how much. */
function paceNote(f) {
  return f.paceCoverage !== undefined && f.paceCoverage < 1
    ? html`<div class="muted">from ${f.paceCoverage ? elapsed(f.paceCoverage * WINDOW_MS['1d']) : 'no'} of data</div>` : '';
}

/** A contract objective's line: so far (with the forecast) while the period runs, its outcome once closed. */
function contractLine(o) {
  if (o.achievedPercent === undefined) return html`<div>${o.name}: no data</div>`;
  if (o.period === 'in progress') {
    const f = o.forecast;
    return html`<div>${o.name}: ${o.achievedPercent.toFixed(3)}% so far (period ${percent(o.elapsedShare, 0)} elapsed)${f
      ? html`; forecast ${f.achievedPercent.toFixed(3)}% ${badge(f.met ? 'on track' : 'forecast to miss')}${f.penaltyBand
        ? html` <strong>at risk: ${f.penaltyBand.consequence}</strong>` : ''}${paceNote(f)}` : ''}</div>`;
  }
  return html`<div>${o.name}: ${o.achievedPercent.toFixed(3)}% ${o.met ? '(met)' : '(missed)'}${o.penaltyBand
    ? ' → ' + o.penaltyBand.consequence : ''}</div>`;
}

/** Who is on a firing alert, and whether its messages are held back. */
function handled(a) {
  return html`${(a.acknowledgements || []).map((k, i) => html`<div>${i ? 'then' : 'acknowledged by'} <strong>${k.by}</strong> at
    ${time(k.at)}${k.note ? html`: ${k.note}` : ''}</div>`)}${a.silenced ? html`<div>silenced until ${time(a.silenced.until)} by
    <strong>${a.silenced.by}</strong>: ${a.silenced.reason}</div>` : ''}${!a.acknowledged && !a.silenced ? html`<span class="muted">nobody yet</span>` : ''}`;
}

const name = () => localStorage.getItem('vigil.name') || '';

/**
 * Acknowledge and silence, each a small form that opens in place. Who did it is asked once and remembered in this
 * browser; the server keeps it with the action.
 */
function actions(a) {
  return html`<details class="act"><summary>Acknowledge</summary>
      <form data-action="acknowledge" data-objective="${a.objective}" data-rule="${a.rule}">
        <label>Your name <input name="by" required maxlength="256" value="${name()}"></label>
        <label>Note <input name="note" maxlength="256" placeholder="what you are doing"></label>
        <button type="submit">Acknowledge</button></form></details>
    <details class="act"><summary>Silence</summary>
      <form data-action="silence" data-objective="${a.objective}" data-rule="${a.rule}">
        <label>Your name <input name="by" required maxlength="256" value="${name()}"></label>
        <label>Reason <input name="reason" required maxlength="256" placeholder="planned maintenance, known outage…"></label>
        <label>For <select name="for"><option>1h</option><option>4h</option><option>1d</option><option>7d</option></select></label>
        <label><input type="checkbox" name="all"> every rule of ${a.objective}</label>
        <button type="submit">Silence notifications</button></form></details>`;
}

/** The silences in force or to come, each with the way to end it now. */
function silenceList(silences) {
  if (!silences.length) return '';
  return html`<section aria-labelledby="sil-h"><h2 id="sil-h">Silences</h2>
    ${table(['Objective', 'Rule', 'From', 'Until', 'By', 'Reason', ''], silences.map(s => html`<tr>
      <th scope="row">${s.objective}</th><td>${s.rule || 'every rule'}</td><td>${time(s.starts)}</td><td>${time(s.ends)}</td>
      <td>${s.by}</td><td>${s.reason}</td>
      <td><button type="button" data-action="expire" data-id="${s.id}">End now</button></td></tr>`), '')}</section>`;
}

/** One listener for the page's forms and buttons (set as a property, so that redraws do not add more). */
function wire(el) {
  const done = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const fail = (where, e) => {
    let p = where.querySelector('.error');
    if (!p) {
      p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      where.append(p);
    }
    p.textContent = e.message;
  };
  el.onsubmit = async ev => {
    const f = ev.target.closest('form[data-action]');
    if (!f) return;
    ev.preventDefault();
    const by = f.elements.by.value.trim();
    localStorage.setItem('vigil.name', by);
    try {
      if (f.dataset.action === 'acknowledge') {
        await change('POST', 'alerts/acknowledge', { objective: f.dataset.objective, rule: f.dataset.rule, by,
          note: f.elements.note.value });
      } else {
        await change('POST', 'silences', { objective: f.dataset.objective, rule: f.elements.all.checked ? null : f.dataset.rule,
          for: f.elements.for.value, by, reason: f.elements.reason.value });
      }
      done();
    } catch (e) {
      fail(f, e);
    }
  };
  el.onclick = async ev => {
    const b = ev.target.closest('button[data-action="expire"]');
    if (!b) return;
    const by = name() || (window.prompt('Your name (kept with the silence)') || '').trim();
    if (!by) return;
    localStorage.setItem('vigil.name', by);
    try {
      await change('DELETE', `silences/${enc(b.dataset.id)}?by=${enc(by)}`);
      done();
    } catch (e) {
      fail(b.parentElement, e);
    }
  };
}

export function load() {
  return Promise.all([api('objectives'), api('alerts'), api('contracts')]);
}

export function draw(el, [objectives, alerts, contracts]) {
  // A form being filled in is not wiped by a refresh: the page is redrawn at the next change after it closes.
  if (el.querySelector('details.act[open]')) return;
  wire(el);
  if (!objectives.objectives.length) {
    el.innerHTML = html`<h1>Objectives and alerts</h1><div class="empty-state"><h2>No objectives yet</h2>
      <p>Objectives are OpenSLO files named under <code>objectives:</code> in vigil.yaml (docs/SLO.md). Each is judged
      minute by minute; its budget, burn rates and alerts appear here.</p></div>`.html;
    return;
  }
  const firingBy = new Map();
  alerts.firing.forEach(a => firingBy.set(a.objective, [...(firingBy.get(a.objective) || []), a]));
  el.innerHTML = html`<h1>Objectives and alerts</h1>
    <section aria-labelledby="firing-h"><h2 id="firing-h">Firing alerts</h2>
      ${table(['Objective', 'Rule', 'Severity', 'Burn rate over', 'Windows', 'Firing since', 'Handled', ''],
        [...alerts.firing].sort((a, b) => (a.severity === 'page' ? 0 : 1) - (b.severity === 'page' ? 0 : 1)).map(a => html`<tr class="firing" data-rule="${a.rule}">
        <th scope="row">${a.objective}</th><td>${a.rule}</td><td>${severity(a.severity)}</td><td class="n">${num(a.factor, 2)}×</td>
        <td>${a.longWindow} and ${a.shortWindow}</td><td>${time(a.since)}</td>
        <td class="handled">${handled(a)}</td><td>${actions(a)}</td></tr>`), 'No alert is firing.')}</section>
    ${silenceList(alerts.silences || [])}
    <section aria-labelledby="obj-h"><h2 id="obj-h">Objectives</h2>
      ${table(['Objective', 'Measures', 'Target', 'Achieved', 'State', 'Forecast at period end', 'Budget left', 'Burn rates', 'Alerts'],
        objectives.objectives.map(o => html`<tr id="obj-${o.name}">
          <th scope="row"><a href="#/objective/${enc(o.name)}">${o.displayName || o.name}</a><div class="muted">${o.name}</div></th>
          <td>${o.series.dimension === 'peer' ? html`calls to <a href="#/supplier/${enc(o.series.key)}">${o.series.key}</a>`
            : html`<a href="#/service/${enc(o.series.key)}">${o.series.key}</a>`}${o.service ? html`<div class="muted">service ${o.service}</div>` : ''}</td>
          <td class="n">${percent(o.target, 3)}</td><td class="n">${percent(o.achieved, 3)}</td>
          <td>${standing(o)}</td>
          <td>${forecast(o)}</td>
          <td>${o.budget ? budgetBar(o.budget.remainingShare) : '–'}</td>
          <td class="n">${o.burnRate ? ['1h', '6h', '1d', '3d'].map(w => burn(o, w)) : '–'}</td>
          <td>${firingBy.has(o.name) ? firingBy.get(o.name).map(a => html`<div>${severity(a.severity)} firing</div>`) : 'none'}</td></tr>`),
        '')}</section>
    <section aria-labelledby="con-h"><h2 id="con-h">Contracts</h2>
      ${table(['Contract', 'Party', 'Unit', 'Objectives this period', 'Reports'], contracts.contracts.map(c => html`<tr>
        <th scope="row">${c.displayName || c.name}<div class="muted">${c.name}</div></th>
        <td>${c.supplier ? 'supplier ' + c.supplier : 'provider ' + c.provider}</td><td>${c.unit || '–'}</td>
        <td>${c.objectives.map(contractLine)}</td>
        <td><a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(0)}" target="_blank" rel="noopener">${month(0)}</a>
          · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(-1)}" target="_blank" rel="noopener">${month(-1)}</a>
          · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(0)}&format=csv">CSV</a></td></tr>`),
        'No contracts (docs/SLO.md, "Contracts").')}</section>
    <section aria-labelledby="recent-h"><h2 id="recent-h">Recent alert changes</h2>
      ${table(['When', 'Objective', 'Change', 'Severity', 'Burn long / short'], alerts.recent.slice(0, 30).map(a => html`<tr>
        <td>${time(a.at)}</td><td>${a.objective}</td><td>${badge(a.state)}</td><td>${severity(a.severity)}</td>
        <td class="n">${a.longWindowBurnRate.toFixed(2)}× / ${a.shortWindowBurnRate.toFixed(2)}×</td></tr>`), 'No alert change recorded yet.')}</section>`.html;
}
