// Estate map: services and suppliers as a graph of the calls observed between them (source -> peer).
import { api, html, rate, percent, ms, entityLink, table, closedMinutes } from '../util.js';
import { chartIn, COLOURS } from '../charts.js';
import { emptyEstate } from './overview.js';

export const live = true;

/** Columns by call depth: who calls no one's services comes first, suppliers last. */
function layout(nodes, calls) {
  const depth = new Map([...nodes.keys()].map(n => [n, 0]));
  for (let i = 0; i < nodes.size; i++) {
    let changed = false;
    for (const c of calls) {
      if (c.source === c.peer) continue;
      const d = depth.get(c.source) + 1;
      if (d > depth.get(c.peer) && d < nodes.size) {
        depth.set(c.peer, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const maxInternal = Math.max(0, ...[...nodes.values()].filter(n => !n.external).map(n => depth.get(n.name)));
  for (const n of nodes.values()) if (n.external) depth.set(n.name, maxInternal + 1);
  const columns = new Map();
  for (const n of [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const d = depth.get(n.name);
    if (!columns.has(d)) columns.set(d, []);
    columns.get(d).push(n);
  }
  for (const [d, col] of columns) col.forEach((n, i) => { n.x = d * 300; n.y = (i - (col.length - 1) / 2) * 70; });
  return Math.max(...[...columns.values()].map(c => c.length));
}

export function load() {
  return api('estate');
}

/**
 * What the map shows of the estate: not the watermark (it moves with every refresh while the closed minutes,
 * and so the map, stay the same), nor the objectives. The shell redraws the map only when this changes.
 */
export function shows(estate) {
  const { watermark, from, to, objectives, objectivesInStep, ...rest } = estate;
  return { seen: !!watermark, ...rest };
}

export function draw(el, estate) {
  if (!estate.watermark) {
    el.innerHTML = html`<h1>Estate map</h1>${emptyEstate()}`.html;
    return;
  }
  const nodes = new Map();
  const add = (name, status, external) => {
    if (!nodes.has(name)) nodes.set(name, { name, status, external });
  };
  estate.units.forEach(u => u.services.forEach(s => add(s.service, s.status, false)));
  estate.suppliers.forEach(s => add(s.supplier, s.status, true));
  estate.calledOnly.forEach(s => add(s.service, s.status, false));
  estate.calls.forEach(c => { add(c.source, 'ok', false); add(c.peer, 'ok', c.external); });
  const tallest = layout(nodes, estate.calls);

  if (!el.querySelector('.graph')) {
    el.innerHTML = html`<h1>Estate map</h1>
      <p class="sub">Calls observed in the last ${closedMinutes(estate.minutes)}. Diamonds with dashed borders are
        external suppliers; a node not ok names its state beside its name. Edges: call rate, error ratio, p95. Select a node for its detail, or use the table below.</p>
      <div class="graph" role="img" aria-label="Graph of services and the calls between them"></div>
      <h2>Calls</h2><div class="calls"></div>`.html;
  }
  const graph = el.querySelector('.graph');
  graph.style.height = Math.max(380, 64 * tallest + 60) + 'px';
  const chart = chartIn(graph);
  chart.setOption({
    animation: false,
    tooltip: { formatter: p => p.data.tip },
    series: [{
      type: 'graph', layout: 'none', roam: true, draggable: false, left: 40, right: 190, top: 30, bottom: 30,
      label: { show: true, position: 'right', fontSize: 12 },
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
      edgeLabel: { show: true, fontSize: 10, formatter: p => p.data.short },
      data: [...nodes.values()].map(n => ({
        name: n.name, x: n.x, y: n.y, symbol: n.external ? 'diamond' : 'roundRect',
        symbolSize: n.external ? 26 : [26, 18],
        itemStyle: { color: n.external ? '#fff' : COLOURS[n.status] || COLOURS.ok,
          borderColor: COLOURS[n.status] || COLOURS.ok, borderWidth: n.external ? 3 : 1,
          borderType: n.external ? 'dashed' : 'solid' },
        label: { formatter: `${n.name}${n.external ? ' · external' : ''}${n.status === 'ok' ? '' : ' · ' + n.status}` },
        tip: `${n.name}: ${n.external ? 'external supplier' : 'service'}, ${n.status}`,
        kind: n.external ? 'supplier' : 'service',
      })),
      links: estate.calls.map(c => ({
        source: c.source, target: c.peer,
        short: `${rate(c.ratePerSecond)} · ${percent(c.errorRatio, 1)} · ${ms(c.p95Ms)}`,
        tip: `${c.source} → ${c.peer}: ${rate(c.ratePerSecond)}, errors ${percent(c.errorRatio)}, p95 ${ms(c.p95Ms)}`,
        lineStyle: { width: 1 + Math.min(4, Math.log10(1 + c.ratePerSecond) * 2),
          color: c.errorRatio >= 0.05 ? COLOURS.breached : c.errorRatio >= 0.02 ? COLOURS['at risk'] : '#6b7280',
          curveness: 0.05 },
      })),
    }],
  }, true);
  chart.off('click');
  chart.on('click', p => {
    if (p.dataType === 'node') location.hash = `#/${p.data.kind}/${encodeURIComponent(p.data.name)}`;
  });
  const rows = [...estate.calls].sort((a, b) => b.errorRatio - a.errorRatio || b.ratePerSecond - a.ratePerSecond)
    .map(c => html`<tr><th scope="row">${entityLink('service', c.source)}</th>
      <td>${entityLink(c.external ? 'supplier' : 'service', c.peer)}${c.external ? ' (external)' : ''}</td>
      <td class="n">${rate(c.ratePerSecond)}</td><td class="n">${percent(c.errorRatio)}</td><td class="n">${ms(c.p95Ms)}</td></tr>`);
  el.querySelector('.calls').innerHTML = table(['Caller', 'Called', 'Rate', 'Error ratio', 'p95'], rows,
    'No calls with a peer in the window: events name whom they call in their "peer" field.').html;
}
