// Objectives and alerts: every objective's budget and burn rates, the alerts firing, recent changes, and the
// contracts with links to their period reports.
import { api, html, badge, percent, num, table, enc, time } from '../util.js';

export const live = true;

function budgetBar(share) {
  if (share === null || share === undefined) return '–';
  const w = Math.max(0, Math.min(100, Math.round(100 * share)));
  const cls = share < 0 ? 's-breached' : share < 0.25 ? 's-at-risk' : 's-ok';
  return html`<span class="budget ${cls}"><span class="bar" style="--w:${w}"></span>${percent(share, 1)}</span>`;
}

function month(offset) {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
}

export function load() {
  return Promise.all([api('objectives'), api('alerts'), api('contracts')]);
}

export function draw(el, [objectives, alerts, contracts]) {
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
      ${table(['Objective', 'Rule', 'Severity', 'Burn rate over', 'Windows'], alerts.firing.map(a => html`<tr class="firing">
        <th scope="row">${a.objective}</th><td>${a.rule}</td><td>${badge('firing')} ${a.severity}</td><td class="n">${num(a.factor, 2)}×</td>
        <td>${a.longWindow} and ${a.shortWindow}</td></tr>`), 'No alert is firing.')}</section>
    <section aria-labelledby="obj-h"><h2 id="obj-h">Objectives</h2>
      ${table(['Objective', 'Measures', 'Target', 'Achieved', 'State', 'Budget left', 'Burn 1h / 6h / 1d / 3d', 'Alerts'],
        objectives.objectives.map(o => html`<tr id="obj-${o.name}">
          <th scope="row">${o.displayName || o.name}<div class="muted">${o.name}</div></th>
          <td>${o.series.dimension === 'peer' ? html`calls to <a href="#/supplier/${enc(o.series.key)}">${o.series.key}</a>`
            : html`<a href="#/service/${enc(o.series.key)}">${o.series.key}</a>`}${o.service ? html`<div class="muted">service ${o.service}</div>` : ''}</td>
          <td class="n">${percent(o.target, 3)}</td><td class="n">${percent(o.achieved, 3)}</td>
          <td>${badge(o.state)}${o.evaluatedTo ? html`<div class="muted">judged through ${new Date(o.evaluatedTo).toLocaleTimeString('en-GB')}</div>` : ''}</td>
          <td>${o.budget ? budgetBar(o.budget.remainingShare) : '–'}</td>
          <td class="n">${o.burnRate ? ['1h', '6h', '1d', '3d'].map(w => o.burnRate[w].toFixed(2) + '×').join(' / ') : '–'}</td>
          <td>${firingBy.has(o.name) ? html`${badge('firing')} ${firingBy.get(o.name).map(a => a.severity).join(', ')}` : 'none'}</td></tr>`),
        '')}</section>
    <section aria-labelledby="con-h"><h2 id="con-h">Contracts</h2>
      ${table(['Contract', 'Party', 'Unit', 'Objectives this period', 'Reports'], contracts.contracts.map(c => html`<tr>
        <th scope="row">${c.displayName || c.name}<div class="muted">${c.name}</div></th>
        <td>${c.supplier ? 'supplier ' + c.supplier : 'provider ' + c.provider}</td><td>${c.unit || '–'}</td>
        <td>${c.objectives.map(o => html`<div>${o.name}: ${o.achievedPercent === undefined ? 'no data'
          : o.achievedPercent.toFixed(3) + '% ' + (o.met ? '(met)' : '(missed)')}${o.penaltyBand ? ' → ' + o.penaltyBand.consequence : ''}</div>`)}</td>
        <td><a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(0)}" target="_blank" rel="noopener">${month(0)}</a>
          · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(-1)}" target="_blank" rel="noopener">${month(-1)}</a>
          · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(0)}&format=csv">CSV</a></td></tr>`),
        'No contracts (docs/SLO.md, "Contracts").')}</section>
    <section aria-labelledby="recent-h"><h2 id="recent-h">Recent alert changes</h2>
      ${table(['When', 'Objective', 'Change', 'Severity', 'Burn long / short'], alerts.recent.slice(0, 30).map(a => html`<tr>
        <td>${time(a.at)}</td><td>${a.objective}</td><td>${badge(a.state)}</td><td>${a.severity}</td>
        <td class="n">${a.longWindowBurnRate.toFixed(2)}× / ${a.shortWindowBurnRate.toFixed(2)}×</td></tr>`), 'No alert has fired yet.')}</section>`.html;
}
