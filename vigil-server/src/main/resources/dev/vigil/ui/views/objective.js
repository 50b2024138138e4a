// One objective, as Pyrra shows one: where it stands in its period, its error budget burning down, its burn rates
// against its alert rules' thresholds, the hours that spent the most budget (with the evidence), its alerts and the
// contracts that hold it.
import { api, html, badge, percent, num, table, enc, time, severity, elapsed } from '../util.js';
import { lines, COLOURS } from '../charts.js';

export const live = true;
/** Its period, not the header's range: a budget is spent over the objective's own period. */
export const timeScope = 'the objective\'s own period';

export function load(args) {
  return Promise.all([api('objectives/' + enc(args.name)), api('alerts'), api('contracts')]);
}

/** The hours whose budget spend was largest, from the history's steps (each step's consumed minus the one before). */
function costliest(history, count) {
  const spent = [];
  for (let i = 0; i < history.length; i++) {
    const before = i ? history[i - 1].budgetConsumed : 0;
    const d = history[i].budgetConsumed - before;
    if (d > 0) spent.push({ to: history[i].at, from: i ? history[i - 1].at : null, spent: d });
  }
  return spent.sort((a, b) => b.spent - a.spent).slice(0, count);
}

/** Where the evidence of a stretch of time is: the measured service's or supplier's page over that stretch. */
function evidence(o, from, to) {
  const kind = o.series.dimension === 'peer' ? 'supplier' : 'service';
  return `#/${kind}/${enc(o.series.key)}?from=${enc(from)}&to=${enc(to)}`;
}

export function draw(el, [one, alerts, contracts]) {
  const o = one.objective;
  const history = one.history;
  const firing = alerts.firing.filter(a => a.objective === o.name);
  const recent = alerts.recent.filter(a => a.objective === o.name).slice(0, 20);
  const holding = contracts.contracts.filter(c => c.objectives.some(x => x.name === o.name));
  const f = o.forecast || {};
  const measures = o.series.dimension === 'peer'
    ? html`calls to <a href="#/supplier/${enc(o.series.key)}">${o.series.key}</a>`
    : html`<a href="#/service/${enc(o.series.key)}">${o.series.key}</a>`;
  el.innerHTML = html`<h1>${o.displayName || o.name} <span class="kind">objective</span></h1>
    <p>${badge(o.state)} ${o.period === 'in progress' ? 'so far' : ''} ${percent(o.achieved, 3)} of ${measures} good, target
      ${percent(o.target, 3)} · ${o.budgeting} · period ${time(o.periodStart)} to ${time(o.periodEnd)}${o.period === 'in progress'
      ? html` (${percent(o.elapsedShare, 0)} elapsed)` : html` (${o.period})`}</p>
    ${o.period === 'in progress' && f.achieved !== null && f.achieved !== undefined ? html`<p class="forecast">Forecast for the
      period's end at the last day's burn rate (${num(f.paceBurnRate, 2)}×${f.paceCoverage < 1 ? html`, from
      ${elapsed(f.paceCoverage * 86400e3)} of data` : ''}): <strong>${percent(f.achieved, 3)}</strong>
      ${badge(f.met ? 'on track' : 'forecast to miss')}, budget left at the end ${percent(f.budgetRemainingShare, 0)}.</p>` : ''}
    <p class="sub">A burn rate of 1 spends the budget exactly over the period; the red lines are the page rules'
      thresholds.</p>
    <div class="charts"><div class="chart" id="c-budget"></div><div class="chart" id="c-burn"></div></div>
    <details class="history"><summary>The burn-down as a table (${history.length} steps)</summary>
      ${table(['At', 'Achieved', 'Budget spent', 'Budget left', 'Burn 1h', 'Burn 6h'], history.map(h => html`<tr>
        <td>${time(h.at)}</td><td class="n">${percent(h.achieved, 3)}</td><td class="n">${num(h.budgetConsumed, 2)}</td>
        <td class="n budget-left">${percent(h.budgetRemainingShare, 1)}</td><td class="n">${num(h.burnRate1h, 2)}×</td>
        <td class="n">${num(h.burnRate6h, 2)}×</td></tr>`), 'No step judged yet.')}</details>
    <section aria-labelledby="rules-h"><h2 id="rules-h">Alert rules</h2>
      ${table(['Rule', 'Severity', 'Fires above', 'Windows', 'Now', 'Policies'], o.alerts.map(r => {
        const fire = firing.find(a => a.rule === r.rule);
        return html`<tr data-rule="${r.rule}"><th scope="row">${r.rule}</th><td>${severity(r.severity)}</td>
          <td class="n">${num(r.factor, 2)}×</td><td>${r.longWindow} and ${r.shortWindow}</td>
          <td>${fire ? html`${badge('firing')} since ${time(fire.since)}${fire.acknowledged ? html`<div class="muted">acknowledged by
            ${fire.acknowledged.by}</div>` : ''}${fire.silenced ? html`<div class="muted">silenced until ${time(fire.silenced.until)}</div>` : ''}`
            : 'not firing'}</td><td>${r.policies.length ? r.policies.join(', ') : 'default webhooks'}</td></tr>`;
      }), 'No alert rules.')}
      <p class="sub">Acknowledge or silence a firing alert on <a href="#/objectives">Objectives &amp; alerts</a>.</p></section>
    <section aria-labelledby="cost-h"><h2 id="cost-h">The hours that spent the most budget</h2>
      ${table(['Hour to', 'Budget spent', 'Share of the budget', 'Evidence'], costliest(history, 5).map(c => html`<tr>
        <td>${time(c.to)}</td><td class="n">${num(c.spent, 2)}</td>
        <td class="n">${o.budget && o.budget.total ? percent(c.spent / o.budget.total, 1) : '–'}</td>
        <td>${c.from ? html`<a href="${evidence(o, c.from, c.to)}">${o.series.key} over that hour</a>` : '–'}</td></tr>`),
        'No budget spent yet this period.')}</section>
    <div class="cols"><section aria-labelledby="changes-h"><h2 id="changes-h">Alert changes</h2>
      ${table(['When', 'Change', 'Severity', 'Burn long / short'], recent.map(a => html`<tr><td>${time(a.at)}</td>
        <td>${badge(a.state)}</td><td>${severity(a.severity)}</td>
        <td class="n">${a.longWindowBurnRate.toFixed(2)}× / ${a.shortWindowBurnRate.toFixed(2)}×</td></tr>`), 'No alert change recorded.')}</section>
    <section aria-labelledby="contracts-h"><h2 id="contracts-h">Contracts that hold it</h2>
      ${table(['Contract', 'Party'], holding.map(c => html`<tr><th scope="row">${c.displayName || c.name}</th>
        <td>${c.supplier ? html`<a href="#/supplier/${enc(o.series.key)}">${c.supplier}</a>` : 'provider ' + c.provider}</td></tr>`),
        'No contract holds it.')}</section></div>`.html;

  const periodRange = [o.periodStart, o.periodEnd];
  // Where its alerts fired and resolved, on both charts.
  const markers = { markers: alerts.recent.filter(a => a.objective === o.name && a.at >= o.periodStart).map(a => ({
    at: a.at, label: `${a.severity} ${a.state}`, colour: a.state === 'firing' ? COLOURS.breached : COLOURS.ok })) };
  const pts = key => history.map(h => [h.at, h[key] === null ? null : +(100 * h[key]).toFixed(2)]);
  // The ideal line spends the budget evenly: 100% at the start, 0% at the end.
  lines(el.querySelector('#c-budget'), 'Error budget left', '%', [
    { name: 'budget left', points: pts('budgetRemainingShare'), colour: COLOURS.ok },
    { name: 'even spend', points: [[o.periodStart, 100], [o.periodEnd, 0]], colour: COLOURS['no traffic'] }], periodRange, markers);
  lines(el.querySelector('#c-burn'), 'Burn rate', '×', [
    { name: '1h', points: history.map(h => [h.at, h.burnRate1h]) },
    { name: '6h', points: history.map(h => [h.at, h.burnRate6h]) },
    ...[...new Set(o.alerts.filter(r => r.severity === 'page').map(r => r.factor))].map(factor => ({
      name: `page above ${num(factor, 2)}×`, points: [[o.periodStart, factor], [o.periodEnd, factor]], colour: COLOURS.breached }))],
  periodRange, markers);
}
