// ECharts from Vigil's own server (the webjar), drawn as SVG so that labels are text a reader can select.
import * as echarts from '/ui/vendor/echarts/echarts.esm.min.js';

export { echarts };

const charts = new WeakMap();
/** Per chart, a drag in progress and what a finished one calls. */
const drags = new WeakMap();

/** The chart in this element, created on first use and resized with the window. */
export function chartIn(el) {
  let c = charts.get(el);
  if (!c || c.isDisposed()) {
    c = echarts.init(el, null, { renderer: 'svg' });
    charts.set(el, c);
    new ResizeObserver(() => c.resize()).observe(el);
  }
  return c;
}

export const COLOURS = { ok: '#1a7f37', 'at risk': '#b35900', breached: '#c62828', 'no traffic': '#6b7280' };

/**
 * A time-series line chart: one series per entry of {name, points: [[time, value], ...]}. With a range
 * ([from, to] as dates), the time axis spans exactly that, so charts of one page line up minute for minute.
 * Options: log (a logarithmic value axis: one p99 spike no longer flattens p50 and p95), markers ([{at, label,
 * colour}]: alert changes as vertical lines), onZoom(from, to) (drag across the chart to choose that stretch),
 * onPick(time) (a click on a point: drill down into that step).
 */
export function lines(el, title, unit, series, range, opts = {}) {
  const chart = chartIn(el);
  const markers = opts.markers || [];
  chart.setOption({
    title: { text: title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', valueFormatter: v => v === null || v === undefined ? '–' : v.toLocaleString('en') + unit },
    legend: { top: 0, right: 0 },
    // The value axis's labels are measured into the grid: a fixed margin cut "1,000 ms" to ",000 ms".
    grid: { left: 8, right: 20, top: 40, bottom: 30, containLabel: true },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true },
      ...(range ? { min: +new Date(range[0]), max: +new Date(range[1]) } : {}) },
    yAxis: opts.log ? { type: 'log', logBase: 10, axisLabel: { formatter: v => v.toLocaleString('en') + unit } }
      : { type: 'value', axisLabel: { formatter: v => v.toLocaleString('en') + unit } },
    animation: false,
    series: series.map((s, i) => ({ name: s.name, type: 'line', showSymbol: true, showAllSymbol: 'auto', symbolSize: 4, connectNulls: false,
      // A log axis has no place for zero: zeros are gaps there.
      data: opts.log ? s.points.map(([t, v]) => [t, v !== null && v <= 0 ? null : v]) : s.points,
      lineStyle: { width: 1.5 }, ...(s.colour ? { itemStyle: { color: s.colour } } : {}),
      ...(i === 0 && markers.length ? { markLine: { symbol: 'none', silent: true, animation: false,
        // Along the line, inside the plot: centred above it, a marker near either edge put its words outside the chart.
        label: { formatter: p => p.name, fontSize: 10, position: 'insideEndTop' },
        data: markers.map(m => ({ xAxis: +new Date(m.at), name: m.label, lineStyle: { color: m.colour || '#c62828', type: 'dashed' } })) } }
        : {}) })),
  }, true);
  chart.off('click');
  if (opts.onPick) chart.on('click', p => { if (p.componentType === 'series' && p.value) opts.onPick(new Date(p.value[0])); });
  // Dragging across the chart picks a stretch of time; the page then shows that stretch everywhere rather than
  // this chart alone. A press and release within a few pixels is a click (onPick), not a drag. The handlers are
  // the chart's for good, and read the latest onZoom: a live page redraws every few seconds, and handlers put
  // anew at each redraw forgot a press made before it (a drag across a refresh did nothing).
  let drag = drags.get(chart);
  if (!drag) {
    drag = { startX: null, onZoom: null };
    drags.set(chart, drag);
    const zr = chart.getZr();
    zr.on('mousedown', e => { drag.startX = e.offsetX; });
    zr.on('mouseup', e => {
      const startX = drag.startX;
      drag.startX = null;
      if (startX === null || !drag.onZoom) return;
      const a = Math.min(startX, e.offsetX);
      const b = Math.max(startX, e.offsetX);
      if (b - a < 8) return;
      const t0 = chart.convertFromPixel({ xAxisIndex: 0 }, a);
      const t1 = chart.convertFromPixel({ xAxisIndex: 0 }, b);
      if (t1 > t0) drag.onZoom(new Date(t0), new Date(t1));
    });
  }
  drag.onZoom = opts.onZoom || null;
}
