// ECharts from Vigil's own server (the webjar), drawn as SVG so that labels are text a reader can select.
import * as echarts from '/ui/vendor/echarts/echarts.esm.min.js';

export { echarts };

const charts = new WeakMap();

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
 */
export function lines(el, title, unit, series, range) {
  chartIn(el).setOption({
    title: { text: title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', valueFormatter: v => v === null || v === undefined ? '–' : v.toLocaleString('en') + unit },
    legend: { top: 0, right: 0 },
    // The value axis's labels are measured into the grid: a fixed margin cut "1,000 ms" to ",000 ms".
    grid: { left: 8, right: 20, top: 40, bottom: 30, containLabel: true },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true },
      ...(range ? { min: +new Date(range[0]), max: +new Date(range[1]) } : {}) },
    yAxis: { type: 'value', axisLabel: { formatter: v => v.toLocaleString('en') + unit } },
    animation: false,
    series: series.map(s => ({ name: s.name, type: 'line', showSymbol: true, showAllSymbol: 'auto', symbolSize: 4, connectNulls: false, data: s.points,
      lineStyle: { width: 1.5 }, ...(s.colour ? { itemStyle: { color: s.colour } } : {}) })),
  }, true);
}
