// The lab's demo manager portal: a small single-page app that re-renders its
// Agents table from the portal API every second, the way real portals do.
// Earshot does not own this page; it reads it through a portal adapter.
'use strict';
const $ = (selector) => document.querySelector(selector);
const PAGE_SIZE = 5;
let user = JSON.parse(sessionStorage.getItem('lab-user') || 'null');
let agents = [];
let page = 0;

function show(selector, visible) {
  $(selector).hidden = !visible;
}

function view() {
  return location.pathname === '/queues' ? 'queues' : 'agents';
}

function cell(cls, text) {
  const td = document.createElement('td');
  td.className = cls;
  td.textContent = text;
  return td;
}

function renderAgents() {
  const filter = $('input[name="filter"]').value.trim().toLowerCase();
  const list = agents.filter((a) => !filter || a.name.toLowerCase().includes(filter) || a.extension.includes(filter));
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const rows = list.slice(page * PAGE_SIZE, page * PAGE_SIZE + PAGE_SIZE).map((a) => {
    const tr = document.createElement('tr');
    tr.className = 'agent-row';
    tr.dataset.agentId = a.extension;
    tr.append(
      cell('agent-name', a.name),
      cell('agent-ext', a.extension),
      cell('agent-status', a.status),
      cell('agent-call', a.call ? `${a.call.name} (${a.call.number})` : ''),
      cell('agent-actions', ''),
    );
    return tr;
  });
  // Replace the rows wholesale, like framework re-renders do.
  $('.agents-table tbody').replaceChildren(...rows);
  $('.page').textContent = `Page ${page + 1} of ${pages}`;
  $('.queue-count').textContent = String(agents.filter((a) => a.status === 'On call').length);
}

async function refresh() {
  if (!user) return;
  try {
    const res = await fetch('/portal/api/agents');
    agents = await res.json();
    renderAgents();
  } catch {
    // The lab went away; keep the last table.
  }
}

function render() {
  const signedIn = Boolean(user);
  show('.sign-in', !signedIn);
  show('.nav', signedIn);
  show('.user-menu', signedIn);
  show('.view-agents', signedIn && view() === 'agents');
  show('.view-queues', signedIn && view() === 'queues');
  if (user) {
    $('.user-menu').dataset.extension = user.extension;
    $('.user-name').textContent = user.name;
    $('.user-ext').textContent = user.extension;
    $('.user-scope').textContent = user.scope;
  }
}

$('.sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const res = await fetch('/portal/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ extension: form.get('extension'), password: form.get('password') }),
  });
  const body = await res.json();
  if (!res.ok) {
    $('.sign-in .error').textContent = body.error;
    return;
  }
  user = body;
  sessionStorage.setItem('lab-user', JSON.stringify(user));
  history.pushState(null, '', '/agents');
  render();
  refresh();
});

$('.sign-out').addEventListener('click', () => {
  user = null;
  sessionStorage.removeItem('lab-user');
  render();
});

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-view]');
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render();
});
window.addEventListener('popstate', render);
$('input[name="filter"]').addEventListener('input', () => { page = 0; renderAgents(); });
$('.prev').addEventListener('click', () => { page = Math.max(0, page - 1); renderAgents(); });
$('.next').addEventListener('click', () => { page += 1; renderAgents(); });

render();
refresh();
setInterval(refresh, 1000);
