// The demo bar: shown only when the server is `vigil demo` (GET /api/v1/demo answers). It says which incidents
// run and which come next, and plays one on demand, so that a new user sees what Vigil is for at once.
import { ApiError, api, change, html, clock } from './util.js';

const bar = document.getElementById('demo');
let known = false;

function draw(d) {
  const running = d.running.length
    ? html`<strong>${d.running.map(r => `${r.name} until ${clock(r.until)}`).join(', ')}</strong>`
    : 'no incident running';
  const next = d.upcoming.length ? html` · next: ${d.upcoming[0].name} at ${clock(d.upcoming[0].at)}` : '';
  const status = html`<span class="what">Demo: ${running}${next}</span>`;
  const form = bar.querySelector('form');
  if (form) {
    // The form stays as it is (a choice being made is not reset); only the words change.
    bar.querySelector('.what').outerHTML = status.html;
    return;
  }
  bar.innerHTML = html`${status}
    <form id="demo-play"><label for="demo-incident">Play an incident</label>
      <select id="demo-incident" name="incident">${d.incidents.map(i => html`<option value="${i.name}" title="${i.description}">${i.name}</option>`)}</select>
      <button type="submit">Play</button></form>`.html;
  bar.querySelector('form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const name = ev.target.elements.incident.value;
    try {
      const r = await change('POST', 'demo/incidents', { incident: name });
      bar.querySelector('.what').textContent = `Demo: ${r.incident} starts now, until ${clock(r.until)}`;
    } catch (e) {
      bar.querySelector('.what').textContent = `Demo: ${e.message}`;
    }
  });
}

export async function refreshDemo() {
  try {
    const d = await api('demo');
    known = true;
    bar.hidden = false;
    draw(d);
  } catch (e) {
    // 404: not a demo, no bar. Another failure: the problem line already says Vigil is not answering.
    if (e instanceof ApiError && e.status === 404) bar.hidden = true;
    else if (!known) bar.hidden = true;
  }
}
