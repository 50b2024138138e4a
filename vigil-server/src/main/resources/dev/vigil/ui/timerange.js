// The time range every page shows, chosen once in the header and carried in the URL's fragment (?range=6h, or
// ?from=...&to=... in RFC 3339): a view sent to someone shows the same minutes, a move to another page keeps them,
// and Back returns to the range the page had.
import { time } from './util.js';

export const PRESETS = [['5m', 'Last 5 minutes', 5 * 60e3], ['15m', 'Last 15 minutes', 15 * 60e3],
  ['1h', 'Last hour', 3600e3], ['6h', 'Last 6 hours', 6 * 3600e3], ['1d', 'Last day', 86400e3],
  ['7d', 'Last 7 days', 7 * 86400e3], ['30d', 'Last 30 days', 30 * 86400e3]];
export const DEFAULT = '1h';
const KEYS = ['range', 'from', 'to'];

let chosen = { range: DEFAULT };
const listeners = [];

/** The chosen range: {range: '1h'}, or {range: 'custom', from, to} with dates. */
export function current() {
  return chosen;
}

function preset(id) {
  return PRESETS.find(p => p[0] === id);
}

/** A time as a link may give it: RFC 3339, or epoch milliseconds as the API takes them. Null when it is neither. */
function parse(text) {
  if (text === null || text === undefined || text.trim() === '') return null;
  const d = /^\d+$/.test(text.trim()) ? new Date(Number(text)) : new Date(text);
  return isNaN(d) ? null : d;
}

/**
 * Takes the range a URL's query names, if it names one. A range that cannot be read changes nothing and is
 * answered with a sentence saying what was wrong and what is shown instead: a mistyped link never silently shows
 * other minutes than the reader thinks.
 */
export function read(query) {
  const r = query.get('range');
  const f = query.get('from');
  const t = query.get('to');
  if (r !== null) {
    if (preset(r)) {
      chosen = { range: r };
      return null;
    }
    return `The link's range "${r}" is not one of ${PRESETS.map(p => p[0]).join(', ')}: showing ${label()} instead.`;
  }
  if (f === null && t === null) return null;
  const from = parse(f);
  const to = t === null ? new Date() : parse(t);
  if (!from || !to) {
    const bad = !from ? `from "${f === null ? '' : f}"` : `to "${t}"`;
    return `The link's ${bad} is not a time (RFC 3339 such as 2026-12-07T10:00:00Z, or epoch milliseconds): `
      + `showing ${label()} instead.`;
  }
  if (!(from < to)) return `The link's from (${time(from)}) is not before its to (${time(to)}): showing ${label()} instead.`;
  chosen = { range: 'custom', from, to };
  return null;
}

/** The range's bounds now: a preset follows the clock (live), a custom range stays where it was put. */
export function span() {
  if (chosen.range === 'custom') return { from: chosen.from, to: chosen.to, live: false };
  const to = new Date();
  return { from: new Date(to - preset(chosen.range)[2]), to, live: true };
}

/** The range's length in whole minutes (at least one). */
export function minutes() {
  const s = span();
  return Math.max(1, Math.round((s.to - s.from) / 60e3));
}

/** The range in words: "the last hour", "2026-12-07 10:00:00 to 2026-12-07 11:00:00". */
export function label() {
  if (chosen.range === 'custom') return `${time(chosen.from)} to ${time(chosen.to)}`;
  return preset(chosen.range)[1].replace(/^Last/, 'the last');
}

/** The URL's query with this range in it (other parameters kept): what a link to the same view carries. */
export function into(query) {
  const q = new URLSearchParams(query);
  KEYS.forEach(k => q.delete(k));
  if (chosen.range === 'custom') {
    q.set('from', chosen.from.toISOString());
    q.set('to', chosen.to.toISOString());
  } else {
    q.set('range', chosen.range);
  }
  return q;
}

/** Chooses a range (a preset's id, or {from, to}); the header and the page follow. */
export function choose(next) {
  chosen = typeof next === 'string' ? { range: next } : { range: 'custom', from: next.from, to: next.to };
  listeners.forEach(f => f());
}

export function onChange(f) {
  listeners.push(f);
}
