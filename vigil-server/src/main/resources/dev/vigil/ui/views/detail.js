// Service or supplier detail: rate, errors and latency over a chosen range, what it calls and who calls it,
// the objectives that cover it, and their recent alerts.
import { api, html, badge, rate, percent, ms, entityLink, table, time, closedMinutes, enc, num, month } from '../util.js';
import { lines, COLOURS } from '../charts.js';
import * as timerange from '../timerange.js';

export const live = true;
export const timeScope = 'range';

let state = { key: null, log: false };

/** The step that keeps a custom range readable: minutes up to two days, hours up to 60 days, then days. */
function stepFor(spanMs) {
  return spanMs <= 2 * 86400e3 ? '1m' : spanMs <= 60 * 86400e3 ? '1h' : '1d';
}

function find(estate, kind, name) {
  if (kind === 'supplier') return { row: estate.suppliers.find(s => s.supplier === name), dimension: 'peer' };
  for (const u of estate.units) {
    const row = u.services.find(s => s.service === name);
    if (row) return { row, unit: u.unit, dimension: 'service' };
  }
  const called = estate.calledOnly.find(s => s.service === name);
  return { row: called, dimension: called ? 'peer' : 'service' };
}

function shell(el, args) {
  el.innerHTML = html`<h1>${args.name} <span class="kind">${args.kind}</span></h1>
    <p class="sub now-note" hidden></p>
    <div class="status-line"></div>
    ${args.kind === 'supplier' ? html`<section class="scorecard" aria-labelledby="score-h"><h2 id="score-h">Contracts</h2>
      <div class="contracts"></div></section>` : ''}
    <p class="sub range-text"></p>
    <p class="sub chart-help">Drag across a chart to see that stretch; click a point for that step's events; dashed
      lines mark its objectives' alerts.
      <label><input type="checkbox" class="logscale"> Latency on a log scale</label></p>
    <div class="charts">
      <div class="chart" id="c-rate"></div><div class="chart" id="c-errors"></div><div class="chart" id="c-latency"></div>
    </div>
    <div class="cols"><section><h2>Objectives</h2><div class="objectives"></div></section>
      <section><h2>Recent alerts</h2><div class="alerts"></div></section></div>
    <div class="cols"><section><h2>Calls out</h2><div class="out"></div></section>
      <section><h2>Callers</h2><div class="in"></div></section></div>
    <section class="runs-on"><h2>Runs on</h2><div class="placed"></div></section>
    ${args.kind === 'service' ? html`<section class="aligned"><h2>Beside its hosts</h2>
      <p class="sub">The same minutes as the charts above, from the hosts it runs on: where latency rose with a host's
        saturation, Vigil says so.</p>
      <div class="findings"></div>
      <div class="footprint"></div>
      <div class="charts"><div class="chart" id="c-hostcpu"></div><div class="chart" id="c-hostload"></div></div></section>` : ''}`.html;
  const log = el.querySelector('input.logscale');
  log.checked = !!state.log;
  log.addEventListener('change', () => {
    state.log = log.checked;
    render(el, args, false, true);
  });
}

/** Whether anything came from or went to {@code name} in the last 30 days (a name the estate's window misses). */
async function seenLately(name) {
  const to = new Date();
  const from = new Date(to - 30 * 86400e3);
  // The lists of series seen, not the name's own: a name with no series at all is a 404, which a browser logs.
  const lists = await Promise.all(['service', 'peer'].map(dimension => api('kpis/series',
    { dimension, from: from.toISOString(), to: to.toISOString() })));
  return lists.some(l => l.series.some(s => s.key === name && s.count > 0));
}

export async function render(el, args, first, rangeChanged) {
  const key = args.kind + '/' + args.name;
  if (first || state.key !== key) {
    state = { key, log: state.key === key && state.log };
    // A name nothing has come from or gone to is said to be unknown, not drawn as empty charts; checked before
    // anything is drawn, and again at each refresh until it shows up.
    const estate = await api('estate');
    if (!find(estate, args.kind, args.name).row && !(await seenLately(args.name))) {
      if (state.key !== key) return; // the user moved on meanwhile
      el.innerHTML = html`<h1>${args.name}: not found</h1>
        <p class="empty">No events from or to ${args.name} in the last 30 days, as a service or as a peer. Names are
          exact (case matters); <a href="#/">the overview</a> lists what is active, and search finds services,
          suppliers and cases.</p>`.html;
      state.key = null;
      return;
    }
    if (state.key !== key) return;
    shell(el, args);
  }
  // A live range follows the clock; a custom one stays where it was put, and is not read again.
  const { from, to, live: following } = timerange.span();
  const step = stepFor(to - from);
  if (!first && !rangeChanged && !following) return;
  const [estate, objectives, alerts, contracts] = await Promise.all([api('estate'), api('objectives'), api('alerts'),
    args.kind === 'supplier' ? api('contracts') : Promise.resolve(null)]);
  const { row, unit, dimension } = find(estate, args.kind, args.name);

  const kpis = await api('kpis', { dimension, key: args.name, step, from: from.toISOString(), to: to.toISOString() });
  // The user may have moved to another page while the figures loaded: its view has replaced this one (or this
  // view now shows another service), and these figures are not its to draw.
  if (!el.querySelector('.status-line') || state.key !== key) return;

  // A chosen stretch of the past moves the charts only: what follows the clock says so.
  const nowNote = el.querySelector('.now-note');
  nowNote.hidden = following;
  nowNote.textContent = following ? '' : `Only the charts show the range chosen; the status line, contracts, objectives, `
    + `alerts, calls and hosts are as of now (the last ${closedMinutes(estate.minutes)}).`;
  el.querySelector('.status-line').innerHTML = row
    ? html`<p>${badge(row.status)} ${row.reasons.join('; ')}${unit ? html` · business unit <strong>${unit}</strong>` : ''}
        · last ${estate.minutes} min: <span class="fig" data-fig="rate">${rate(row.ratePerSecond)}</span>,
        errors <span class="fig" data-fig="errors">${percent(row.errorRatio)}</span>,
        p95 <span class="fig" data-fig="p95">${ms(row.p95Ms)}</span>
        ${dimension === 'peer' ? ' (as measured by its callers)' : ''}</p>`.html
    : html`<p class="empty">No events from or to ${args.name} in the last ${closedMinutes(estate.minutes)}.</p>`.html;
  el.querySelector('.range-text').textContent = `${time(kpis.from)} to ${time(kpis.to)}, in steps of ${kpis.step}; `
    + `percentiles within ${kpis.relativeError * 100}% of the exact value.`;
  // Minutes the watermark has not closed yet are not listed: drawn as gaps, not as a drop to zero.
  const pts = f => kpis.points.map(p => [p.start, f(p)]);
  const range = [from, to];
  // The alerts of the objectives that cover it, where they fired and resolved, on every chart.
  const covers = new Set(row ? row.objectives : []);
  const markers = alerts.recent.filter(a => covers.has(a.objective) && Date.parse(a.at) >= from && Date.parse(a.at) <= to)
    .map(a => ({ at: a.at, label: `${a.severity} ${a.state}`, colour: a.state === 'firing' ? COLOURS.breached : COLOURS.ok }));
  const zoom = (a, b) => timerange.choose({ from: a, to: b });
  // A click on a point opens that step's events: from the service, or the calls to the supplier; its failed ones
  // from the error chart.
  const stepMs = { '1m': 60e3, '1h': 3600e3, '1d': 86400e3 }[step];
  const drill = failed => at => {
    const q = new URLSearchParams({ [dimension === 'peer' ? 'peer' : 'source']: args.name, from: at.toISOString(),
      to: new Date(+at + stepMs).toISOString() });
    if (failed) q.set('outcome', 'failed');
    location.hash = '#/events?' + q;
  };
  const opts = { markers, onZoom: zoom, onPick: drill(false) };
  lines(el.querySelector('#c-rate'), 'Throughput', '/s', [{ name: 'events/s', points: pts(p => p.ratePerSecond) }], range, opts);
  lines(el.querySelector('#c-errors'), 'Errors', '%', [
    { name: 'error ratio', points: pts(p => p.count ? +(100 * p.errorRatio).toFixed(3) : null), colour: COLOURS.breached }], range,
    { ...opts, onPick: drill(true) });
  lines(el.querySelector('#c-latency'), 'Latency' + (state.log ? ' (log scale)' : ''), ' ms', [
    { name: 'p50', points: pts(p => p.p50Ms) }, { name: 'p95', points: pts(p => p.p95Ms) },
    { name: 'p99', points: pts(p => p.p99Ms) }], range, { ...opts, log: state.log });
  if (args.kind === 'service') await drawAligned(el, args.name, from, to, range);

  if (contracts) scorecard(el, args.name, objectives, contracts);

  // Which objectives cover it is the server's rule (docs/API.md, /estate), not the page's.
  const covering = covers;
  const mine = objectives.objectives.filter(o => covering.has(o.name));
  el.querySelector('.objectives').innerHTML = table(['Objective', 'State', 'Achieved', 'Budget left', 'Burn 1h'],
    mine.map(o => html`<tr><th scope="row"><a href="#/objective/${enc(o.name)}">${o.displayName || o.name}</a></th><td>${badge(o.state)}</td>
      <td class="n">${percent(o.achieved, 3)}</td><td class="n">${o.budget ? percent(o.budget.remainingShare, 1) : '–'}</td>
      <td class="n">${o.burnRate ? o.burnRate['1h'].toFixed(2) + '×' : '–'}</td></tr>`),
    'No objective covers it (objectives come from the OpenSLO files vigil.yaml names; docs/SLO.md).').html;
  const recent = alerts.recent.filter(a => covering.has(a.objective)).slice(0, 10);
  el.querySelector('.alerts').innerHTML = table(['When', 'Objective', 'Change', 'Severity'],
    recent.map(a => html`<tr><td>${time(a.at)}</td><td>${a.objective}</td><td>${badge(a.state)}</td><td>${a.severity}</td></tr>`),
    'No alert changes.').html;
  // A traced call has the callee's own latency too: the difference is network and queueing between them.
  const callRow = (c, other, kind) => html`<tr><th scope="row">${entityLink(kind, other)}${c.virtual ? ' (virtual)' : ''}</th>
      <td class="n">${rate(c.ratePerSecond)}</td><td class="n">${percent(c.errorRatio)}</td><td class="n">${ms(c.p95Ms)}</td>
      <td class="n">${c.served ? ms(c.served.p95Ms) : '–'}</td></tr>`;
  const head = first => [first, 'Rate', 'Error ratio', 'p95 (caller)', 'p95 (callee)'];
  el.querySelector('.out').innerHTML = table(head('Called'),
    estate.calls.filter(c => c.source === args.name).map(c => callRow(c, c.peer, c.external ? 'supplier' : 'service')),
    'No calls out in the window.').html;
  el.querySelector('.in').innerHTML = table(head('Caller'),
    estate.calls.filter(c => c.peer === args.name).map(c => callRow(c, c.source, 'service')),
    'No callers in the window.').html;
  const hosts = row && row.hosts ? row.hosts : [];
  // (the aligned host charts were drawn above, with the service's)
  const instances = row && row.instances ? row.instances : [];
  el.querySelector('.placed').innerHTML = hosts.length || instances.length
    ? html`${table(['Host', 'Spans', 'Errors'], hosts.map(h => html`<tr><th scope="row"><a href="#/host/${enc(h.host)}">${h.host}</a></th>
        <td class="n">${h.spans}</td><td class="n">${h.errors}</td></tr>`), '')}
      ${table(['Instance', 'Spans', 'Errors'], instances.map(i => html`<tr><th scope="row">${i.instance}</th>
        <td class="n">${i.spans}</td><td class="n">${i.errors}</td></tr>`), '')}`.html
    : html`<p class="empty">No spans place ${args.name} on a host in the window (hosts and instances come from the
        resource attributes of its spans: host.name, service.instance.id).</p>`.html;
}

/**
 * The supplier as a company: the contracts whose objectives measure its calls, each objective's standing so far and
 * its forecast for the period's end, the penalty band at risk, and the reports of this period and the last.
 */
function scorecard(el, name, objectives, contracts) {
  const box = el.querySelector('.contracts');
  if (!box) return;
  const byName = new Map(objectives.objectives.map(o => [o.name, o]));
  const mine = contracts.contracts.filter(c => c.supplier && c.objectives.some(x => {
    const o = byName.get(x.name);
    return o && o.series.dimension === 'peer' && o.series.key === name;
  }));
  const company = [...new Set(mine.map(c => c.supplier))];
  const kind = el.querySelector('h1 .kind');
  if (kind && company.length) kind.textContent = 'supplier · ' + company.join(', ');
  box.innerHTML = mine.length ? mine.map(c => html`<h3>${c.supplier}: ${c.displayName || c.name} <span class="muted">${c.name}${c.unit
    ? ' · for ' + c.unit : ''} · period ${c.period}</span></h3>
    ${table(['Objective', 'Target', 'So far', 'Forecast at period end', 'Penalty'], c.objectives.map(x => {
      const o = byName.get(x.name) || {};
      const f = x.forecast;
      return html`<tr><th scope="row"><a href="#/objective/${enc(x.name)}">${o.displayName || x.name}</a></th>
        <td class="n">${percent(o.target, 3)}</td>
        <td>${x.achievedPercent === undefined ? 'no data' : html`${num(x.achievedPercent, 3)}% ${badge(x.met ? 'met' : 'breached')}`}
          ${x.period === 'in progress' ? html`<div class="muted">period ${percent(x.elapsedShare, 0)} elapsed</div>` : ''}</td>
        <td>${f ? html`${num(f.achievedPercent, 3)}% ${badge(f.met ? 'on track' : 'forecast to miss')}` : '–'}</td>
        <td>${f && f.penaltyBand ? html`<strong>at risk: ${f.penaltyBand.consequence}</strong>`
          : x.period !== 'in progress' && x.penaltyBand ? x.penaltyBand.consequence : 'none'}</td></tr>`;
    }), '')}
    <p>Reports: <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(0)}" target="_blank" rel="noopener">${month(0)} so far</a>
      · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(-1)}" target="_blank" rel="noopener">${month(-1)}</a>
      · <a href="/api/v1/reports?contract=${enc(c.name)}&period=${month(-1)}&format=csv">${month(-1)} as CSV</a>${c.notes
      ? html` · ${c.notes}` : ''}</p>`).join('')
    : html`<p class="empty">No supplier contract measures ${name} (docs/SLO.md, "Contracts").</p>`.html;
}

/** A service's footprint in words: how it was got, its means, per event, per business transaction, its trend. */
function footprint(s) {
  // CPU-ms to three significant places or so: 0.937, 11.9, 125
  const cpuMs = v => num(v, v >= 100 ? 0 : v >= 10 ? 1 : 3);
  const how = s.method === 'measured'
    ? html`measured: ${s.groups.join(', ')} on ${s.hosts.join(', ')}`
    : html`<span class="estimate" title="${s.estimate}">${s.method}</span> on ${s.hosts.join(', ')}`;
  const disk = b => b === null ? '' : html` and ${num(b / 1000, 1)} KB of disk`;
  const t = s.trend;
  const change = (a, b) => a === null || b === null || a === 0 ? null : Math.round(100 * (b - a) / a);
  const cpuChange = change(t.earlierCpuMsPerEvent, t.laterCpuMsPerEvent);
  return html`<p><strong>Footprint</strong> (${how}):
    <span class="fig" data-fig="cores">${num(s.cores, 2)} CPU cores</span>,
    <span class="fig" data-fig="memory">${num(s.residentBytes / 1e6, 0)} MB</span> resident memory on average;
    ${s.cpuMsPerEvent === null ? 'no per-event figure: no closed minute with both its CPU figures and events (its own, or calls into it)'
      : html`<span class="fig" data-fig="per-event">${cpuMs(s.cpuMsPerEvent)} CPU-ms${disk(s.diskBytesPerEvent)} per
        event</span> (${num(s.events, 0)} events)`}${s.perTransaction && s.perTransaction.cpuMs !== null
      ? html`; <span class="fig" data-fig="per-transaction">${cpuMs(s.perTransaction.cpuMs)}
        CPU-ms${disk(s.perTransaction.diskBytes)} per ${s.perTransaction.process} case</span>
        (${num(s.perTransaction.cases, 0)} begun)` : ''}.${cpuChange === null ? ''
      : html` <span class="fig" data-fig="trend">Per event ${cpuChange === 0 ? 'unchanged'
        : (cpuChange > 0 ? 'up ' : 'down ') + Math.abs(cpuChange) + '%'}</span> from the first half of the range to the
        second (${cpuMs(t.earlierCpuMsPerEvent)} to ${cpuMs(t.laterCpuMsPerEvent)} CPU-ms).`}</p>`.html;
}

/**
 * The service's hosts on the service's time axis: CPU busy and load per core per host, and what the minutes say
 * together (docs/TELEMETRY.md, alignment). Hosts keep a day of minutes, so longer ranges show the last day of them.
 */
async function drawAligned(el, name, from, to, range) {
  const minutes = Math.min(1440, Math.max(10, Math.round((to - from) / 60e3)));
  const [a, f] = await Promise.all([api('alignment/' + enc(name), { minutes }), api('footprints', { minutes, service: name })]);
  const mine = f.services.find(s => s.service === name);
  const foot = el.querySelector('.footprint');
  if (foot) {
    foot.innerHTML = mine ? footprint(mine)
      : html`<p class="empty">No footprint: a process exporter on its hosts (or OpenTelemetry process metrics) measures
          what it uses; without one, spans or a scrape label placing it on a scraped host give an estimate
          (docs/TELEMETRY.md, footprints).</p>`.html;
  }
  const box = el.querySelector('.findings');
  if (!box) return;
  box.innerHTML = a.findings.length
    ? html`<ul class="said">${a.findings.map(f => html`<li>${f.sentence}</li>`)}</ul>`.html
    : html`<p class="empty">${!a.hosts.length
        ? 'No host known: spans name theirs (host.name), a scrape target\'s label service: ' + name + ' says so, or '
          + 'its process metrics do.'
        : a.minutes.length < 10 || !a.hosts.some(h => (a.hostMinutes[h.host] || []).length >= 10)
          ? 'Too little to compare yet: it takes 10 minutes of the service beside 10 of a host\'s figures.'
          : 'Nothing to say: its latency did not rise in three minutes or more of this range, or not with its hosts\' saturation.'}</p>`.html;
  const series = (f, scale) => a.hosts.map(h => ({ name: h.host,
    points: (a.hostMinutes[h.host] || []).map(m => [m.minute, f(m) === null || f(m) === undefined ? null : +(scale * f(m)).toFixed(2)]) }));
  lines(el.querySelector('#c-hostcpu'), 'Hosts: CPU busy', ' %', series(m => m.cpuUtilisation, 100), range);
  lines(el.querySelector('#c-hostload'), 'Hosts: load per core (saturated above 1)', '', series(m => m.loadPerCore, 1), range);
}
