// Hosts: each scraped host's resources (the USE view) per minute, and the services spans placed on it.
import { api, ApiError, html, badge, percent, num, table, enc, entityLink } from '../util.js';
import { lines, COLOURS } from '../charts.js';
import * as timerange from '../timerange.js';

export const live = true;

/** A host's page shows the header's range; the list, each host's latest minute. */
export function timeScope(args) {
  return args.host ? 'range' : 'each host\'s latest minute';
}

/** A host's state in words, from its latest minute: saturated before busy, busy before ok. */
export function hostStatus(h) {
  const m = h.latest;
  if (!h.up) return 'breached';
  if (!m) return 'no traffic';
  if ((m.loadPerCore ?? 0) >= 1.5 || (m.cpuPressure ?? 0) >= 0.25 || (m.memoryUtilisation ?? 0) >= 0.95
      || (m.filesystemFree ?? 1) <= 0.05 || (m.diskBusy ?? 0) >= 0.9) return 'breached';
  if ((m.cpuUtilisation ?? 0) >= 0.8 || (m.loadPerCore ?? 0) >= 1 || (m.memoryUtilisation ?? 0) >= 0.85
      || (m.filesystemFree ?? 1) <= 0.15 || (m.diskBusy ?? 0) >= 0.6) return 'at risk';
  return 'ok';
}

/** Why a host has its status, in words. */
export function hostReasons(h) {
  const m = h.latest;
  if (!h.up) return ['a target of this host does not answer (see /api/v1/scrapes)'];
  if (!m) return ['no minute scraped yet'];
  const out = [];
  if ((m.loadPerCore ?? 0) >= 1) out.push(`load ${num(m.loadPerCore, 2)} per core (saturated above 1)`);
  if ((m.cpuPressure ?? 0) >= 0.1) out.push(`CPU pressure ${percent(m.cpuPressure, 0)} (tasks waiting for a CPU)`);
  if ((m.cpuUtilisation ?? 0) >= 0.8) out.push(`CPU ${percent(m.cpuUtilisation, 0)} busy`);
  if ((m.memoryUtilisation ?? 0) >= 0.85) out.push(`memory ${percent(m.memoryUtilisation, 0)} used`);
  if ((m.filesystemFree ?? 1) <= 0.15) out.push(`fullest filesystem ${percent(m.filesystemFree, 0)} free`);
  if ((m.diskBusy ?? 0) >= 0.6) out.push(`busiest disk ${percent(m.diskBusy, 0)} busy`);
  return out.length ? out : ['within its resources'];
}

function bytes(v) {
  if (v === null || v === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return num(v, v < 10 ? 1 : 0) + ' ' + units[i];
}

/** "1.6 of 4 CPUs": what is left at the 95th percentile peak. */
function cpuRoom(room) {
  if (!room || room.cpuHeadroomCores === null || room.cpuHeadroomCores === undefined) return '–';
  return `${num(room.cpuHeadroomCores, 1)} of ${room.cpus} CPUs`;
}

/** Which services spans placed on each host, from the estate's hosts per service. */
function servicesByHost(estate) {
  const on = new Map();
  const add = s => (s.hosts || []).forEach(h => {
    if (!on.has(h.host)) on.set(h.host, []);
    on.get(h.host).push({ service: s.service, spans: h.spans });
  });
  estate.units.forEach(u => u.services.forEach(add));
  (estate.calledOnly || []).forEach(add);
  return on;
}

export function load(args) {
  // A host spans name but no scrape or OTLP host metrics describe is known, only without figures: say so, not 404.
  if (args.host) return Promise.all([api('hosts/' + enc(args.host), { period: period() }).catch(e => {
    if (e instanceof ApiError && e.status === 404) return { unmeasured: true };
    throw e;
  }), api('estate')]);
  return Promise.all([api('hosts'), api('estate')]);
}

export function draw(el, data, args) {
  if (args.host) return drawHost(el, data, args.host, args);
  const [hosts, estate] = data;
  const rows = hosts.hosts.map(h => ({ ...h, status: hostStatus(h) }))
    .sort((a, b) => ['breached', 'at risk', 'ok', 'no traffic'].indexOf(a.status)
      - ['breached', 'at risk', 'ok', 'no traffic'].indexOf(b.status) || a.host.localeCompare(b.host))
    .map(h => {
      const m = h.latest || {};
      const services = (h.services || []).map(s => s.service);
      return html`<tr><th scope="row" class="name"><a href="#/host/${enc(h.host)}">${h.host}</a></th><td>${badge(h.status)}</td>
        <td class="n">${percent(m.cpuUtilisation, 0)}</td><td class="n">${num(m.loadPerCore, 2)}</td>
        <td class="n">${percent(m.memoryUtilisation, 0)}</td><td class="n">${percent(m.diskBusy, 0)}</td>
        <td class="n">${percent(m.filesystemFree, 0)}</td><td class="n">${bytes(m.networkBytesPerSecond)}/s</td>
        <td class="n">${cpuRoom(h.headroom)}</td>
        <td>${services.length ? services.join(', ') : '–'}</td><td class="why">${hostReasons(h).join('; ')}</td></tr>`;
    });
  el.innerHTML = html`<h1>Hosts</h1>
    <p class="sub">Each host's latest minute, from its exporters (vigil.yaml <code>scrape:</code>; docs/TELEMETRY.md).
      Load per core above 1 and CPU pressure mean work waits for a CPU: saturation, not only use.
      CPU headroom is what is left at the 95th percentile of the day's minute peaks. Services are those placed on the
      host in the last hour: by their spans, a scrape target's <code>service</code> label, or their process groups
      measured there.</p>
    ${table(['Host', 'Status', 'CPU', 'Load/core', 'Memory', 'Disk busy', 'FS free', 'Network', 'CPU headroom (1 d)', 'Services', 'Why'], rows,
      'No host scraped: declare node exporters under scrape.targets in vigil.yaml, or run ./vigil demo.')}`.html;
}

/** The API's period for the header's range: the preset itself, or back from now to a custom range's start. */
function period() {
  const c = timerange.current();
  return c.range === 'custom' ? Math.max(1, Math.ceil((Date.now() - c.from) / 60e3)) + 'm' : c.range;
}

function drawHost(el, data, name, args) {
  const [host, estate] = data;
  const services = servicesByHost(estate).get(name) || [];
  if (host.unmeasured) {
    el.dataset.host = '';
    el.innerHTML = html`<h1>${name} <span class="kind">host</span></h1>
      <p class="empty">No figures for ${name}: ${services.length ? 'its services\' spans name it, but ' : ''}no scrape
        target and no OpenTelemetry host metrics describe it. List its node exporter under <code>scrape.targets</code> in
        vigil.yaml, or point a Collector's host metrics at <code>/v1/metrics</code> (docs/TELEMETRY.md); if another
        source names it differently, <code>estate.hostAliases</code> joins the two names.</p>
      ${services.length ? html`<h2>Services on this host</h2><p>${services.map(s => html`${entityLink('service', s.service)} `)}</p>` : ''}`.html;
    return;
  }
  const { from, to, live } = timerange.span();
  const range = [from, to];
  const all = host.minutes || [];
  // Its state is now's, whatever the range; the charts show the range's minutes.
  const latest = all.length ? all[all.length - 1] : null;
  const mins = all.filter(m => Date.parse(m.minute) < +to);
  const status = hostStatus({ up: host.up, latest });
  if (!el.querySelector('#h-cpu') || el.dataset.host !== name) {
    el.dataset.host = name;
    el.innerHTML = html`<h1>${name} <span class="kind">host</span></h1><div class="status-line"></div>
      <p class="sub"><span class="span"></span>. Utilisation beside saturation: a host can be busy and fine, or less busy
        and saturated.</p>
      <div class="charts"><div class="chart" id="h-cpu"></div><div class="chart" id="h-mem"></div>
        <div class="chart" id="h-disk"></div><div class="chart" id="h-net"></div></div>
      <h2>Services on this host</h2><div class="on"></div>`.html;
  }
  el.querySelector('.span').textContent = `${num(mins.length, 0)} minutes of ${timerange.label()}`
    + (live ? ' (the last one still filling)' : '');
  const room = host.headroom;
  el.querySelector('.status-line').innerHTML = html`<p>${badge(status)} ${hostReasons({ up: host.up, latest }).join('; ')}
    ${latest ? html` · ${latest.cpus} CPUs, ${bytes(latest.memoryTotalBytes)} memory` : ''}</p>
    ${room ? html`<p>Headroom over the last ${room.period} (at the 95th percentile of ${num(room.minutes, 0)} minutes' peaks):
      ${cpuRoom(room)}, ${room.memoryHeadroomBytes === null ? '–' : bytes(room.memoryHeadroomBytes)} of
      ${bytes(room.memoryBytes)} memory.</p>` : ''}`.html;
  const pts = f => mins.map(m => [m.minute, f(m)]);
  const pct = v => v === null || v === undefined ? null : +(100 * v).toFixed(1);
  lines(el.querySelector('#h-cpu'), 'CPU', '', [
    { name: 'busy %', points: pts(m => pct(m.cpuUtilisation)) },
    { name: 'load per core ×100', points: pts(m => m.loadPerCore === null ? null : +(100 * m.loadPerCore).toFixed(1)), colour: COLOURS['at risk'] },
    { name: 'pressure %', points: pts(m => pct(m.cpuPressure)), colour: COLOURS.breached }], range);
  lines(el.querySelector('#h-mem'), 'Memory', '', [
    { name: 'used %', points: pts(m => pct(m.memoryUtilisation)) },
    { name: 'major faults/s', points: pts(m => m.majorFaultsPerSecond), colour: COLOURS.breached }], range);
  lines(el.querySelector('#h-disk'), 'Disk', ' %', [
    { name: 'busiest disk busy', points: pts(m => pct(m.diskBusy)) },
    { name: 'fullest filesystem free', points: pts(m => pct(m.filesystemFree)), colour: COLOURS.ok }], range);
  lines(el.querySelector('#h-net'), 'Network', '', [
    { name: 'KB/s', points: pts(m => m.networkBytesPerSecond === null ? null : +(m.networkBytesPerSecond / 1000).toFixed(1)) },
    { name: 'errors + drops/s', points: pts(m => (m.networkErrorsPerSecond ?? 0) + (m.networkDropsPerSecond ?? 0)), colour: COLOURS.breached }], range);
  const spans = new Map(services.map(s => [s.service, s.spans]));
  el.querySelector('.on').innerHTML = table(['Service', 'Known from', 'Spans in the estate window'],
    (host.services || []).map(s => html`<tr><th scope="row"><a href="#/service/${enc(s.service)}">${s.service}</a></th>
      <td>${s.knownFrom}</td><td class="n">${spans.has(s.service) ? num(spans.get(s.service), 0) : '–'}</td></tr>`),
    'No service placed on this host in the last hour (spans name it in their resource\'s host.name, a scrape target\'s label service: NAME says so, or a process exporter measures its group here; vigil.yaml estate.hostAliases joins names that differ).').html;
}
