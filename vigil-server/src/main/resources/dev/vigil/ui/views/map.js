// Estate map: services and suppliers as a graph of the calls observed between them: paired from spans (both ends'
// latency) or named by events (source -> peer), with virtual nodes, undeclared edges and unpaired spans shown.
import { api, html, rate, percent, ms, entityLink, table, closedMinutes } from '../util.js';
import { chartIn, COLOURS } from '../charts.js';
import { emptyEstate } from './overview.js';
import * as timerange from '../timerange.js';

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

/**
 * Whether the straight line between two nodes passes over a third (in layout units, columns 300 apart, rows 70): an
 * edge drawn through a box read as that box's call. Such an edge is bent around it.
 */
function crossesNode(a, b, nodes) {
  if (!a || !b || a.x === b.x) return false;
  for (const n of nodes.values()) {
    if (n === a || n === b || n.x <= Math.min(a.x, b.x) || n.x >= Math.max(a.x, b.x)) continue;
    const y = a.y + (n.x - a.x) / (b.x - a.x) * (b.y - a.y);
    if (Math.abs(y - n.y) < 30) return true;
  }
  return false;
}

/** The estate up to now: the header's range, up to a day of it (the API's longest window). */
export const timeScope = { max: 1440 };

export function load() {
  return api('estate', { minutes: Math.min(timeScope.max, timerange.minutes()) });
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
  const add = (name, status, external, rate) => {
    if (!nodes.has(name)) nodes.set(name, { name, status, external, virtual: false, rate: rate || 0 });
  };
  estate.units.forEach(u => u.services.forEach(s => add(s.service, s.status, false, s.ratePerSecond)));
  estate.suppliers.forEach(s => add(s.supplier, s.status, true, s.ratePerSecond));
  estate.calledOnly.forEach(s => add(s.service, s.status, false, s.ratePerSecond));
  estate.calls.forEach(c => { add(c.source, 'ok', false); add(c.peer, 'ok', c.external); });
  // A callee that sends nothing of its own (a database, a queue, an uninstrumented supplier): drawn apart.
  estate.calls.filter(c => c.virtual).forEach(c => { nodes.get(c.peer).virtual = true; });
  const busiest = Math.max(1, ...[...nodes.values()].map(n => n.rate));
  const size = n => 16 + 18 * Math.sqrt(n.rate / busiest);
  const tallest = layout(nodes, estate.calls);
  const declaring = !!estate.interactions;

  if (!el.querySelector('.graph')) {
    el.innerHTML = html`<h1>Estate map</h1>
      <p class="sub">Calls observed in the last <span class="span">${closedMinutes(estate.minutes)}</span>. Boxes are services, sized by traffic and
        coloured by health (a node not ok names its state beside its name); diamonds with dashed borders are external
        suppliers; grey circles are virtual nodes: databases, queues and peers that send no spans, named by their
        callers. Edges: call rate, error ratio, p95 as the caller saw it; thicker for more calls, red or amber for
        errors, dashed when vigil.yaml does not declare the call. Drag to pan, scroll to zoom; select a node for its
        detail, or use the table below.</p>
      <div class="graph" role="img" aria-label="Graph of services and the calls between them"></div>
      <p class="narrow-note empty" hidden>On a screen this narrow the map is the table of calls below: a window wider
        than 760 px draws the graph.</p>
      <h2>Calls</h2><div class="calls"></div>
      <div class="cols"><section><h2>Unpaired spans</h2><div class="unpaired"></div></section>
        <section><h2>Declared, not seen</h2><div class="notseen"></div></section></div>`.html;
  }
  el.querySelector('.span').textContent = closedMinutes(estate.minutes);
  const graph = el.querySelector('.graph');
  // A phone's width leaves a node column a few dozen pixels: names ran into each other. The table says it all there.
  const narrow = window.matchMedia('(max-width: 760px)').matches;
  graph.hidden = narrow;
  el.querySelector('.narrow-note').hidden = !narrow;
  if (!narrow) drawGraph(graph, nodes, estate, size, tallest);
  const rows = [...estate.calls].sort((a, b) => b.errorRatio - a.errorRatio || b.ratePerSecond - a.ratePerSecond)
    .map(c => html`<tr><th scope="row">${entityLink('service', c.source)}</th>
      <td>${entityLink(c.external ? 'supplier' : 'service', c.peer)}${c.external ? ' (external)' : c.virtual ? ' (virtual)' : ''}</td>
      <td class="n">${rate(c.ratePerSecond)}</td><td class="n">${percent(c.errorRatio)}</td><td class="n">${ms(c.p95Ms)}</td>
      <td class="n">${c.served ? ms(c.served.p95Ms) : '–'}</td><td>${c.traced ? 'spans' : 'events'}</td>
      ${declaring ? html`<td>${c.declared ? 'yes' : html`<strong>not declared</strong>`}</td>` : ''}</tr>`);
  el.querySelector('.calls').innerHTML = table(['Caller', 'Called', 'Rate', 'Error ratio', 'p95 (caller)', 'p95 (callee)',
    'From', ...(declaring ? ['Declared'] : [])], rows,
    'No calls with a peer in the window: events name whom they call in their "peer" field; spans pair by themselves.').html;
  el.querySelector('.unpaired').innerHTML = table(['Service', 'End', 'Spans'],
    (estate.unpaired || []).map(u => html`<tr><th scope="row">${entityLink('service', u.service)}</th>
      <td>${u.end === 'client' ? 'client: a call no server answered, naming no peer' : 'server: its caller sent no span'}</td>
      <td class="n">${u.spans}</td></tr>`),
    'Every span found the other end of its call.').html;
  el.querySelector('.notseen').innerHTML = declaring
    ? table(['Caller', 'Called'], estate.interactions.notSeen.map(p => html`<tr><th scope="row">${p.source}</th><td>${p.peer}</td></tr>`),
      'Every declared interaction was seen in the window.').html
    : html`<p class="empty">No interactions declared: vigil.yaml's <code>estate.interactions</code> says who may call whom.</p>`.html;
}

/** The graph itself: nodes where layout() put them, edges with their figures; select a node for its page. */
function drawGraph(graph, nodes, estate, size, tallest) {
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
        name: n.name, x: n.x, y: n.y, symbol: n.external ? 'diamond' : n.virtual ? 'circle' : 'roundRect',
        symbolSize: n.external || n.virtual ? size(n) : [size(n), size(n) * 0.7],
        itemStyle: { color: n.external ? '#fff' : n.virtual ? '#e5e7eb' : COLOURS[n.status] || COLOURS.ok,
          borderColor: COLOURS[n.status] || COLOURS.ok, borderWidth: n.external || n.virtual ? 3 : 1,
          borderType: n.external ? 'dashed' : n.virtual ? 'dotted' : 'solid' },
        label: { formatter: `${n.name}${n.external ? ' · external' : n.virtual ? ' · virtual' : ''}${n.status === 'ok' ? '' : ' · ' + n.status}` },
        tip: `${n.name}: ${n.external ? 'external supplier' : n.virtual ? 'virtual node (sends no spans; named by its callers)' : 'service'}, ${n.status}`,
        kind: n.external ? 'supplier' : 'service',
      })),
      links: estate.calls.map(c => ({
        source: c.source, target: c.peer,
        short: `${rate(c.ratePerSecond)} · ${percent(c.errorRatio, 1)} · ${ms(c.p95Ms)}`,
        tip: tip(c),
        lineStyle: { width: 1 + Math.min(4, Math.log10(1 + c.ratePerSecond) * 2),
          color: c.errorRatio >= 0.05 ? COLOURS.breached : c.errorRatio >= 0.02 ? COLOURS['at risk'] : '#6b7280',
          type: c.declared === false ? 'dashed' : 'solid',
          curveness: crossesNode(nodes.get(c.source), nodes.get(c.peer), nodes) ? 0.35 : 0.05 },
      })),
    }],
  }, true);
  chart.off('click');
  chart.on('click', p => {
    if (p.dataType === 'node') location.hash = `#/${p.data.kind}/${encodeURIComponent(p.data.name)}`;
  });
}

/** An edge's tooltip: the caller's view, and for a paired call the callee's and the difference between them. */
function tip(c) {
  let t = `${c.source} → ${c.peer}: ${rate(c.ratePerSecond)}, errors ${percent(c.errorRatio)}, p95 ${ms(c.p95Ms)}`;
  if (c.served) {
    t += ` as ${c.source} saw it; ${ms(c.served.p95Ms)} as ${c.peer} served it`;
    if (c.p50Ms !== null && c.served.p50Ms !== null) t += ` (median network and queueing ≈ ${ms(Math.max(0, c.p50Ms - c.served.p50Ms))})`;
  }
  if (c.declared === false) t += '; not declared in vigil.yaml';
  return t;
}
