// The lab's NetSapiens-style Call Center → Agents page: the agents table
// (`#agents-table`, class `allowmonitor` only for users who may monitor),
// edited row by row, button by button, from the lab's live stream (the real
// portal's socket.io `agent` and `call` events). Never re-rendered wholesale.
'use strict';
const $ = (selector) => document.querySelector(selector);
const MONITORING_SCOPES = ['Call Center Supervisor', 'Office Manager'];
let stream;

/** The portal's element ids: `user@domain` with every non-word character written `-`. */
const domId = (address) => address.replace(/\W/g, '-');

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setAttr(element, name, value) {
  if (value === null) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function newRow(agent) {
  const tr = document.createElement('tr');
  tr.id = `agent-${domId(agent.id)}`;
  tr.className = 'agent';
  tr.innerHTML =
    '<td class="agent-name"><span class="contact"></span></td><td class="agent-extension"></td>' +
    '<td><span class="agent_in_queue"></span></td><td class="agent-call"></td>' +
    '<td class="agent-actions"><button type="button" class="btn btn-mini listen" title="Listen" disabled="disabled">Listen</button></td>';
  tr.querySelector('.listen').id = `listen-${domId(agent.id)}`;
  $('#agents-table tbody').append(tr);
  return tr;
}

/** One `agent` event: the row's presence, queue cell, call and listen control, edited in place. */
function upsert(agent) {
  const tr = document.getElementById(`agent-${domId(agent.id)}`) || newRow(agent);
  const contact = tr.querySelector('.contact');
  setAttr(contact, 'class', `contact ${agent.presence}`);
  setAttr(contact, 'title', agent.presence);
  setText(contact, agent.name);
  setText(tr.querySelector('.agent-extension'), agent.extension);
  const queue = tr.querySelector('.agent_in_queue');
  setAttr(queue, 'data-queue', agent.queue.name);
  setAttr(queue, 'data-status', agent.queue.status);
  setText(queue, agent.queue.name);
  setText(tr.querySelector('.agent-call'), agent.display);
  const listen = tr.querySelector('.listen');
  const call = agent.listen;
  // Enabled only on an answered call; the inline handler names the call (the page's CSP keeps it from running here).
  setAttr(listen, 'disabled', call ? null : 'disabled');
  setAttr(listen, 'onclick', call ? `audioMonitor.start(this, orig_id='${call.origId}', ani='${call.ani}', term_uri='${call.termUri}')` : null);
}

function signedIn(user) {
  $('#login').hidden = Boolean(user);
  $('#agents').hidden = !user;
  $('#user-menu').hidden = !user;
  const scope = $('.user-scope');
  setAttr($('#user-menu'), 'data-user', user ? `${user.extension}@${user.domain}` : null);
  setAttr(scope, 'data-scope', user ? user.scope : null);
  setText(scope, user ? user.scope : '');
  setText($('.user-name'), user ? user.name : '');
  $('#agents-table').classList.toggle('allowmonitor', Boolean(user) && MONITORING_SCOPES.includes(user.scope));
  stream?.close();
  stream = undefined;
  $('#agents-table tbody').replaceChildren();
  if (!user) return;
  stream = new EventSource('/netsapiens/api/agents/stream');
  stream.addEventListener('agent', (event) => upsert(JSON.parse(event.data)));
  stream.addEventListener('agent-removed', (event) => document.getElementById(`agent-${domId(JSON.parse(event.data).id)}`)?.remove());
}

$('#login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const res = await fetch('/portal/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ extension: form.get('username'), password: form.get('password') }),
  });
  const body = await res.json();
  if (!res.ok) {
    $('#login .error').textContent = body.error;
    return;
  }
  signedIn(body);
});

$('.sign-out').addEventListener('click', async () => {
  await fetch('/portal/api/session', { method: 'DELETE' });
  signedIn(null);
});

fetch('/portal/api/session').then(async (res) => signedIn(res.ok ? await res.json() : null), () => signedIn(null));
