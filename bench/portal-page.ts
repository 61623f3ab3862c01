/**
 * The benchmark's host page: an agent list of `rows` rows in the lab portal's
 * markup (so the earshot-lab adapter reads it), `churn` of them re-rendered
 * every second the way single-page portals do (new <tr> elements; none when
 * `churn` is 0), the agents' extensions when given, and a
 * long-task observer. `<meta name="earshot-bench">` asks Earshot to leave
 * User Timing entries for its scans and updates.
 */
export function portalBenchPage(rows: number, churn: number, extensions: string[] = []): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="earshot-bench"><title>Portal benchmark</title></head>
<body>
<div class="user-menu" data-extension="2001"><span class="user-scope">Call Center Supervisor</span></div>
<table class="agents-table"><tbody id="rows"></tbody></table>
<script>
const ROWS = ${rows}, CHURN = ${churn}, EXTENSIONS = ${JSON.stringify(extensions)};
const tbody = document.getElementById('rows');
window.longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push({ start: e.startTime, duration: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
function row(i, onCall) {
  const tr = document.createElement('tr');
  tr.className = 'agent-row';
  for (const [cls, text] of [['agent-name', 'Agent ' + i], ['agent-ext', EXTENSIONS[i] ?? String(10000 + i)],
      ['agent-status', onCall ? 'On call' : 'Available'], ['agent-call', onCall ? 'Customer 555' + i : ''], ['agent-actions', '']]) {
    const td = document.createElement('td'); td.className = cls; td.textContent = text; tr.append(td);
  }
  return tr;
}
for (let i = 0; i < ROWS; i++) tbody.append(row(i, i % 2 === 0));
window.pageUpdateMs = [];
let tick = 0;
if (CHURN > 0) window.churn = setInterval(() => {
  const t0 = performance.now();
  tick++;
  for (let k = 0; k < CHURN; k++) {
    const i = (tick * 7919 + k * 104729) % ROWS;
    tbody.children[i].replaceWith(row(i, (i + tick) % 3 !== 0));
  }
  window.pageUpdateMs.push(performance.now() - t0);
}, 1000);
</script></body></html>`;
}
