// Search results: services, suppliers, processes, objectives, and cases by id or correlation key value.
import { api, html, table, enc } from '../util.js';

export const live = false;
export const timeScope = 'names seen in the last 7 days, cases of any time';

const HREF = {
  service: n => '#/service/' + enc(n), supplier: n => '#/supplier/' + enc(n), process: n => '#/process/' + enc(n) + '/all',
  case: n => '#/case/' + enc(n), objective: n => '#/objective/' + enc(n),
};

export function load(args) {
  return api('search', { q: args.q, limit: 50 });
}

export function draw(el, r, args) {
  document.getElementById('q').value = args.q;
  const only = r.results.length === 1 ? r.results[0] : null;
  el.innerHTML = html`<h1>Search: ${args.q}</h1>
    ${table(['Found', 'Kind', 'What'], r.results.map(x => html`<tr><th scope="row"><a href="${HREF[x.kind](x.name)}">${x.name}</a></th>
      <td>${x.kind}</td><td>${x.detail}</td></tr>`),
      'Nothing matches. Search by a service, supplier, process or objective name, a case id, or a correlation key value such as an order number.')}`.html;
  if (only && only.kind === 'case') location.replace(HREF.case(only.name));
}
