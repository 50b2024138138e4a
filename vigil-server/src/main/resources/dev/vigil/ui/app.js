// The dashboard's shell: routes the URL fragment to a view, refreshes the live views every few seconds
// without reloading the page, and runs the search box.
import { ApiError, api, clock, zone, elapsed, num, localInput } from './util.js';
import * as timerange from './timerange.js';
import * as overview from './views/overview.js';
import * as map from './views/map.js';
import * as detail from './views/detail.js';
import * as processes from './views/processes.js';
import * as kase from './views/case.js';
import * as objectives from './views/objectives.js';
import * as objective from './views/objective.js';
import * as search from './views/search.js';
import * as hosts from './views/hosts.js';
import * as events from './views/events.js';
import { refreshDemo } from './demo.js';

const REFRESH_MS = 5000;

const ROUTES = [
  [/^$/, overview, () => ({}), 'overview'],
  [/^map$/, map, () => ({}), 'map'],
  [/^service\/(.+)$/, detail, m => ({ kind: 'service', name: decodeURIComponent(m[1]) }), 'overview'],
  [/^supplier\/(.+)$/, detail, m => ({ kind: 'supplier', name: decodeURIComponent(m[1]) }), 'overview'],
  [/^processes$/, processes, () => ({}), 'processes'],
  [/^process\/([^/]+)(?:\/(open|completed|stuck|all))?$/, processes,
    m => ({ process: decodeURIComponent(m[1]), status: m[2] || 'stuck' }), 'processes'],
  [/^case\/(.+)$/, kase, m => ({ id: decodeURIComponent(m[1]) }), 'processes'],
  [/^objectives$/, objectives, () => ({}), 'objectives'],
  [/^objective\/(.+)$/, objective, m => ({ name: decodeURIComponent(m[1]) }), 'objectives'],
  [/^hosts$/, hosts, () => ({}), 'hosts'],
  [/^host\/(.+)$/, hosts, m => ({ host: decodeURIComponent(m[1]) }), 'hosts'],
  [/^search\/(.*)$/, search, m => ({ q: decodeURIComponent(m[1]) }), null],
  [/^events$/, events, () => ({}), 'events'],
];

const main = document.getElementById('view');
const live = document.getElementById('live');
const problem = document.getElementById('problem');
let current = null;
let generation = 0;

/** The view for the URL's fragment: a path, and after "?" the view's parameters (a time range), so a view can be shared. */
function route() {
  const full = location.hash.replace(/^#\/?/, '');
  const q = full.indexOf('?');
  const path = q < 0 ? full : full.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : full.slice(q + 1));
  for (const [re, view, args, nav] of ROUTES) {
    const m = path.match(re);
    if (m) return { view, args: { ...args(m), query }, nav, path };
  }
  return null;
}

function showProblem(e) {
  if (!e) {
    problem.hidden = true;
    return;
  }
  problem.hidden = false;
  problem.textContent = e instanceof ApiError
    ? `The server refused a request (${e.status}): ${e.message}`
    : `Vigil is not answering (${e.message}); retrying every ${REFRESH_MS / 1000} s.`;
}

/**
 * Draws the current view. A view either exports load(args) and draw(el, data, args), and is redrawn only when
 * what it shows changed (its data, or the part of it that shows(data) picks), so that a refresh keeps focus
 * and scrolling and leaves the page's elements alone; or it keeps state of its own and exports render.
 */
async function render(first, rangeChanged) {
  const mine = generation;
  const page = current;
  try {
    if (page.view.render) {
      await page.view.render(main, page.args, first, rangeChanged);
    } else {
      const data = await page.view.load(page.args);
      const key = JSON.stringify(page.view.shows ? page.view.shows(data) : data);
      if (mine === generation && (first || rangeChanged || key !== page.shown)) {
        page.shown = key;
        page.view.draw(main, data, page.args);
      }
    }
    if (mine !== generation) return;
    showProblem(null);
    live.textContent = `updated ${clock(new Date())} · times in ${zone()}`;
  } catch (e) {
    if (mine !== generation) return;
    if (first && e instanceof ApiError) {
      main.replaceChildren();
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = e.message;
      main.append(p);
    }
    showProblem(e);
  }
}

async function navigate() {
  generation++;
  const r = route();
  document.querySelectorAll('[data-nav]').forEach(a => {
    if (r && a.dataset.nav === r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (!r) {
    main.innerHTML = '<h1>Not found</h1><p class="empty">No page here. <a href="#/">Back to the overview</a>.</p>';
    current = null;
    return;
  }
  current = r;
  const unread = timerange.read(r.args.query);
  whenProblem.hidden = !unread;
  whenProblem.textContent = unread || '';
  showWhen();
  main.innerHTML = '<p class="loading">Loading…</p>';
  await render(true);
  const h1 = main.querySelector('h1');
  document.title = (h1 ? h1.textContent + ' · ' : '') + 'Vigil';
  // The new page takes the focus, unless the reader already put it somewhere while it loaded (the search box).
  const active = document.activeElement;
  if (!active || active === document.body || active === main || main.contains(active)) main.focus({ preventScroll: true });
}

// The header's time range. A view says what it does with it: 'range' (shows exactly it), {max} (the estate up to
// now, at most max minutes of it), or a sentence saying which time it shows instead (an objective's period).
const when = document.getElementById('when');
const whenProblem = document.getElementById('when-problem');
const custom = when.querySelector('.custom');
when.range.innerHTML = timerange.PRESETS.map(([v, label]) => `<option value="${v}">${label}</option>`).join('')
  + '<option value="custom">Custom…</option>';

/** What this page makes of the range, in words, when it is not exactly the range. */
function scopeNote(scope) {
  if (scope === 'range') return '';
  if (scope && scope.max) {
    const most = scope.max >= 1440 ? 'day' : scope.max + ' minutes';
    if (timerange.current().range === 'custom') {
      return `this page: the estate up to now, over as long as the range (a ${most} at most), not a past stretch`;
    }
    return timerange.minutes() > scope.max ? `this page: the last ${most} at most, up to now` : '';
  }
  return scope ? 'this page: ' + scope : '';
}

/** The header and the URL as the range and the page are: the URL carries the range only where the page uses it. */
function showWhen() {
  const c = timerange.current();
  const s = timerange.span();
  when.range.value = c.range;
  custom.hidden = c.range !== 'custom';
  if (document.activeElement !== when.from && document.activeElement !== when.to) {
    when.from.value = localInput(s.from);
    when.to.value = localInput(s.to);
  }
  const declared = current ? current.view.timeScope : undefined;
  const scope = typeof declared === 'function' ? declared(current.args) : declared;
  const uses = scope === 'range' || (!!scope && typeof scope === 'object');
  [when.range, when.from, when.to, custom.querySelector('button')].forEach(x => { x.disabled = !uses; });
  when.querySelector('.when-note').textContent = scopeNote(scope);
  if (current && uses) {
    history.replaceState(null, '', '#/' + current.path + '?' + timerange.into(current.args.query));
  }
}

timerange.onChange(() => {
  whenProblem.hidden = true;
  if (current) current.args = { ...current.args, query: timerange.into(current.args.query) };
  showWhen();
  if (current) render(false, true);
});
when.range.addEventListener('change', () => {
  if (when.range.value !== 'custom') timerange.choose(when.range.value);
  else {
    custom.hidden = false;
    when.from.focus();
  }
});
when.addEventListener('submit', ev => {
  ev.preventDefault();
  const from = when.from.value ? new Date(when.from.value) : null;
  const to = when.to.value ? new Date(when.to.value) : new Date();
  if (!from || !(from < to)) {
    whenProblem.hidden = false;
    whenProblem.textContent = 'Choose a "from" before "to" for a custom range.';
    return;
  }
  timerange.choose({ from, to });
});

setInterval(() => {
  if (current && current.view.live && document.visibilityState === 'visible') render(false);
}, REFRESH_MS);

// Vigil's own health: when it is behind or stuck, the figures on every page are incomplete, and the user
// must know that before reading a traffic cliff as an incident.
const self = document.getElementById('self');
const health = document.getElementById('health');
async function checkSelf() {
  try {
    const s = await api('status');
    self.hidden = s.status === 'ok';
    self.dataset.status = s.status;
    self.textContent = s.message;
    // Always in the header, in three figures: a cliff in the estate's traffic is then never mistaken for Vigil's own.
    health.dataset.status = s.status;
    const behind = s.watermarkDelayMillis === null || s.watermarkDelayMillis === undefined ? '–' : elapsed(s.watermarkDelayMillis);
    health.textContent = `Vigil ${s.status}: ingest lag ${elapsed(s.ingestLagMillis || 0)} · event time ${behind} behind`
      + ` · loader backlog ${num(s.loaderBacklog ? s.loaderBacklog.events : 0, 0)}`;
  } catch (e) {
    self.hidden = true; // the problem line already says Vigil is not answering
    health.textContent = '';
  }
}
setInterval(() => {
  if (document.visibilityState === 'visible') {
    checkSelf();
    refreshDemo();
  }
}, REFRESH_MS);
checkSelf();
refreshDemo();

window.addEventListener('hashchange', navigate);

document.getElementById('search').addEventListener('submit', ev => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = '#/search/' + encodeURIComponent(q);
});

// "/" focuses the search box, as on most dashboards, unless one is typing somewhere already.
document.addEventListener('keydown', ev => {
  const t = ev.target;
  if (ev.key === '/' && !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t.isContentEditable)) {
    ev.preventDefault();
    document.getElementById('q').focus();
  }
});

navigate();
