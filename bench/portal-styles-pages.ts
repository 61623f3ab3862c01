/**
 * The real portals' pages for the portal bench (bench/portal-styles.ts),
 * generated in the structure of the fixtures (tests/fixtures/portals/*, from
 * ../shared/design/portals.md) so the built-in adapters read them:
 *
 * - FusionPBX Call Center → Active call centers: `agents` agent rows and the
 *   callers table below, the whole `#ajax_response` fragment replaced every
 *   `everyMs` (what the portal does with call_center_active_inc.php), then
 *   every row's cells bound to navigate on click (as its jQuery does);
 * - NetSapiens Call Center → Agents: `agents` rows in `#agents-table.allowmonitor`,
 *   `perSecond` incremental edits of single rows in place (presence class,
 *   the listen control enabled with its handler on an answered call, the
 *   call column), each its own task (a socket.io event).
 *
 * Both keep `window.longTasks` (a long-task observer) and, per update, the
 * start (`window.pageUpdateAt`), the page's own script time (`window.pageScriptMs`) and its task up to the end
 * of the microtasks it queued (`window.pageUpdateMs`: the mutation observers
 * run there, Earshot's among them). `<meta name="earshot-bench">` asks
 * Earshot to leave User Timing entries for its scans and slices.
 */

const HEAD = (title: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="earshot-bench"><title>${title}</title></head>`;

/** The measuring part both pages share: long tasks, and `timed(update)` recording an update's times. */
const MEASURE = `
window.longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
window.pageScriptMs = [];
window.pageUpdateMs = [];
window.pageUpdateAt = [];
function timed(update) {
  const t0 = performance.now();
  update();
  window.pageUpdateAt.push(t0);
  window.pageScriptMs.push(performance.now() - t0);
  // Microtasks run in order: this one after the mutation observers' (queued by the update's first change).
  queueMicrotask(() => window.pageUpdateMs.push(performance.now() - t0));
}`;

export function fusionpbxCallCenterPage(agents: number, everyMs: number): string {
  return `${HEAD('Active Call Center')}
<body>
<div id="main_content">
  <div class="action_bar" id="action_bar"><div class="heading"><b>Active Call Center</b></div></div>
  <div id="ajax_response"></div>
</div>
<script>
const AGENTS = ${agents}, EVERY_MS = ${everyMs};
${MEASURE}
const pad = (n) => String(n).padStart(12, '0');
let tick = 0;
function fragment() {
  tick++;
  const rows = [], callers = [];
  for (let i = 0; i < AGENTS; i++) {
    const ext = String(10000 + i), name = 'Agent ' + i;
    const onCall = (i + tick) % 3 !== 0;
    const options = onCall
      ? '<button type="button" class="btn btn-link" title="Eavesdrop" onclick="if (confirm(\\'Are you sure you want to eavesdrop?\\')) { send_command(\\'call_center_exec.php?command=eavesdrop&amp;uuid=a3b1c9de-1111-4c2a-8f00-' + pad(i) + '&amp;extension=' + ext + '\\'); } return false;">Eavesdrop</button><button type="button" class="btn btn-link" title="Transfer" onclick="return false;">Transfer</button>'
      : '<button type="button" class="btn btn-link" title="Call" onclick="return false;">Call</button>';
    rows.push('<tr class="list-row" href="../call_centers/call_center_agent_edit.php?id=6f1c0d6e-8a0b-4f0e-9a77-' + pad(i) + '" data-agent-status="Available"><td>' + name + '</td><td>' + ext + '</td><td>Available</td><td>' + (onCall ? 'In a queue call' : 'Waiting') + '</td><td>00:02:11</td><td>00:00:40</td><td>0</td><td>12</td><td>' + (onCall ? 'Active Inbound' : 'Ready') + '</td><td>1</td><td>1</td><td class="no-link center">' + options + '</td></tr>');
    if (onCall) callers.push('<tr class="list-row"><td>00:01:10</td><td>Customer</td><td>555' + String(1000000 + ((i * 7 + tick) % 9000000)) + '</td><td>Answered</td><td class="no-link"></td><td>' + name + '</td></tr>');
  }
  return '<div class="card"><table class="list"><tr class="list-header"><th>Name</th><th>Extension</th><th>Status</th><th>State</th><th>Status Change</th><th>Last Call</th><th>Missed</th><th>Answered</th><th>Tier State</th><th>Tier Level</th><th>Tier Position</th><th class="center">Options</th></tr>'
    + rows.join('') + '</table></div>'
    + '<div class="action_bar sub"><div class="heading"><b>Queue: Support</b></div><div class="actions">Waiting: 0 &nbsp; Trying: 0 &nbsp; Answered: ' + callers.length + '</div></div>'
    + '<div class="card"><table class="list"><tr class="list-header"><th>Time</th><th>Name</th><th>Number</th><th>Status</th><th>Options</th><th>Agent</th></tr>' + callers.join('') + '</table></div>';
}
const target = document.getElementById('ajax_response');
function render() {
  target.innerHTML = fragment();
  // FusionPBX binds every row's cells to the agent's edit page, except the no-link kinds.
  for (const row of target.querySelectorAll('tr.list-row[href]')) {
    for (const cell of row.querySelectorAll('td:not(.no-link):not(.checkbox):not(.button):not(.action-button)')) {
      cell.addEventListener('click', () => { window.navigations = (window.navigations || 0) + 1; });
    }
  }
}
render();
window.churn = setInterval(() => timed(render), EVERY_MS);
</script></body></html>`;
}

export function netsapiensAgentsPage(agents: number, perSecond: number): string {
  return `${HEAD('Manager Portal · Call Center · Agents')}
<body>
<div id="navigation"><div id="user-menu" data-user="2001@acme.example.com"><span class="user-name">Sam Supervisor</span> <span class="user-scope" data-scope="Call Center Supervisor">Call Center Supervisor</span></div></div>
<div id="content">
  <table id="agents-table" class="table table-condensed allowmonitor">
    <thead><tr><th>Agent</th><th>Extension</th><th>Queues</th><th>Current call</th><th></th></tr></thead>
    <tbody id="rows"></tbody>
  </table>
</div>
<script>
const AGENTS = ${agents}, PER_SECOND = ${perSecond};
${MEASURE}
const tbody = document.getElementById('rows');
const id = (i) => (10000 + i) + '-acme-example-com';
function row(i) {
  const tr = document.createElement('tr');
  tr.id = 'agent-' + id(i);
  tr.className = 'agent';
  tr.innerHTML = '<td class="agent-name"><span class="contact open" title="open">Agent ' + i + '</span></td><td class="agent-extension">' + (10000 + i) + '</td>'
    + '<td><span class="agent_in_queue" data-queue="Support" data-status="available">Support</span></td><td class="agent-call"></td>'
    + '<td class="agent-actions"><button type="button" id="listen-' + id(i) + '" class="btn btn-mini listen" title="Listen" disabled="disabled"><i class="icon-headphones"></i></button></td>';
  return tr;
}
const fragment = document.createDocumentFragment();
for (let i = 0; i < AGENTS; i++) fragment.append(row(i));
tbody.append(fragment);
const rows = [...tbody.children];
let n = 0;
/** One socket event: an agent's call answered, ringing, or over; the row edited in place. */
function event() {
  n++;
  const i = (n * 7919) % AGENTS;
  const tr = rows[i];
  const contact = tr.querySelector('.contact');
  const listen = tr.querySelector('.listen');
  const call = tr.querySelector('.agent-call');
  const phase = n % 3;
  const state = phase === 0 ? 'inuse' : phase === 1 ? 'alerting' : 'open';
  contact.className = 'contact ' + state;
  contact.title = state;
  if (state === 'inuse') {
    const ani = '555' + String(1000000 + (n % 9000000));
    listen.removeAttribute('disabled');
    listen.setAttribute('onclick', "audioMonitor.start(this, orig_id='0_" + n + "_abc@10.0.0.1', ani='" + ani + "', term_uri='sip:" + (10000 + i) + "@acme.example.com')");
    call.textContent = ani;
  } else {
    listen.setAttribute('disabled', 'disabled');
    listen.removeAttribute('onclick');
    call.textContent = '';
  }
}
// Each socket event is its own task, as socket.io delivers them (a message each); a timer only says how many
// are due, so the rate holds even when a loaded machine runs timers late.
const channel = new MessageChannel();
channel.port1.onmessage = () => timed(event);
const started = performance.now();
let sent = 0;
window.churn = setInterval(() => {
  const due = Math.floor(((performance.now() - started) * PER_SECOND) / 1000);
  for (; sent < due; sent++) channel.port2.postMessage(0);
}, 20);
</script></body></html>`;
}
