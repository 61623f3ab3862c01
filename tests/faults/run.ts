// npm run faults: fault scenarios with real Chromium (the e2e build) against
// the lab and the real Asterisk; writes docs/RELIABILITY.md, then exits
// non-zero when any row's outcome is not what a supervisor would expect.
// FAULTS_ONLY=id,id runs a subset (the file is then written to
// docs/RELIABILITY.partial.md); FAULTS_SOAK_SESSIONS / FAULTS_SOAK_CLICKS size the soak.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Env, runScenario, type Row } from './harness';
import { LAB_SCENARIOS } from './lab-scenarios';
import { SOAK_SCENARIOS, type SoakFigures } from './soak';
import { asteriskRestartRow } from './asterisk';
import { firefoxReloadRow } from './firefox';

const only = process.env.FAULTS_ONLY?.split(',').filter(Boolean);
const wanted = (id: string) => !only || only.includes(id);

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function report(rows: Row[], soak: SoakFigures[], started: Date, seconds: number): string {
  const chromium = (() => {
    try {
      return execFileSync('/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return 'chromium (version unknown)';
    }
  })();
  const lines = [
    '# Reliability: faults, measured',
    '',
    `Produced by \`nice -n 10 npm run faults\` (tests/faults/run.ts) on ${started.toISOString().slice(0, 10)} (${started.toISOString()}), on this machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared with other engineers' builds and browsers, so timings are noisy. ${chromium}, Node ${process.version}, the e2e Chrome build (.output/e2e/chrome-mv3), the lab (lab/, in-process on free ports) and the real Asterisk 22 (../shared/pbx/asterisk). The run took ${Math.round(seconds)} s. ${rows.filter((r) => !r.ok).length} of ${rows.length} rows are not what a supervisor would expect (✗).`,
    '',
    '## How each column is measured',
    '- **Expected**: what a supervisor would expect; the scenario fails (non-zero exit) if it does not happen.',
    "- **What happened**: the side panel's own words, sampled every 100 ms during the fault: the registration label and message and the status line (`.earshot-reg-label`, `.earshot-reg-message`, `.earshot-live`), each distinct line once, in order. Figures in brackets come from the lab or the harness.",
    '- **Recovery (ms)**: from the moment the fault was injected to the state the supervisor can use again, as the row says (usually the panel at "Ready" with the session active and a mode switch that reached the PBX). Wall-clock on a loaded 2-core machine: read it as an order of magnitude.',
    '- **Lost?**, measured after the supervisor would have hung up (the harness hangs up anything still live and says so):',
    "  - *log*: the side panel's session log (`.earshot-log-list li`, the rows added during the scenario): a Start and an End row for each session, no Start without its End.",
    '  - *PBX*: monitor sessions (`/api/sessions`) and monitor dialogs (SIP dialogs the lab holds) for supervisor 2001 at the lab: must be 0. On Asterisk: `core show channels concise` lines for `PJSIP/2001-` (support cli).',
    "  - *mic*: capture tracks (`MediaStreamTrack`, audio, a device label) with readyState 'live' in the offscreen document, counted with CDP `Runtime.queryObjects` on `MediaStreamTrack.prototype`: must be 0.",
    "  - *pc / live tracks*: `RTCPeerConnection` instances whose connectionState and signalingState are not 'closed', and every live `MediaStreamTrack`, in the offscreen document (CDP `Runtime.queryObjects` after `HeapProfiler.collectGarbage`): no more than the offscreen document held just before the row (a leak is what is still there 3 s after the end).",
    "  - *subs*: the lab's dialog subscriptions from 2001 and the distinct agents they watch (a duplicate would be a leak); *not registered* if 2001 had no registration at the lab at the end.",
    '- Nothing of this asks Earshot what it holds: the offscreen document is read over the DevTools protocol (bench/support/cdp-target.ts), the lab in-process.',
    '',
    '| fault | expected | what happened (panel) | recovery (ms) | lost? | ok | how injected |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.fault)} | ${cell(r.expected)} | ${cell(r.happened)} | ${cell(r.recovery)} | ${cell(r.lost)} | ${r.ok ? '✓' : `✗ ${cell(r.problems.join('; '))}`} | ${cell(r.how)} |`),
    '',
  ];
  if (soak.length) {
    lines.push(
      '## Soak: figures before and after',
      'Heap: `Runtime.getHeapUsage().usedSize` of the offscreen document after `HeapProfiler.collectGarbage`. Peer connections and live tracks: `Runtime.queryObjects` as above. Subscriptions: the lab\'s, from 2001.',
      '',
      '| soak | peer connections | live tracks | mic tracks | heap (KB) | lab subscriptions | other figures |',
      '|---|---|---|---|---|---|---|',
      ...soak.map((f) => `| ${cell(f.what)} | ${f.before.peerConnections} → ${f.after.peerConnections} | ${f.before.liveTracks} → ${f.after.liveTracks} | ${f.before.micTracks} → ${f.after.micTracks} | ${Math.round(f.before.heapBytes / 1024)} → ${Math.round(f.after.heapBytes / 1024)} | ${f.subsBefore} → ${f.subsAfter} | ${cell(f.other)} |`),
      '',
    );
  }
  lines.push(
    '## Related',
    '- Malformed SIP and dialog-info: the corpus in `tests/corpus` (index.json says why each item is there and what must happen), run against the engine by `tests/unit/corpus-engine.test.ts` and against the lab by `lab/test/corpus.test.ts` (`npm test`); not repeated here.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const rows: Row[] = [];
  const soak: SoakFigures[] = [];
  let env: Env | undefined;
  const fresh = async () => {
    await env?.close().catch(() => undefined);
    env = await Env.start();
    return env;
  };
  // Stopped from outside (timeout, Ctrl-C): close the browser and the lab first.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void (env?.close() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  try {
    const labRows = LAB_SCENARIOS.filter((s) => wanted(s.id));
    const soakRows = SOAK_SCENARIOS.filter((s) => wanted(s.id));
    if (labRows.length || soakRows.length) {
      let e = await fresh();
      console.log(`[faults] baseline: ${JSON.stringify(e.baseline)}`);
      for (const s of labRows) {
        rows.push(await runScenario(e, s, s.body));
        // A scenario that left Earshot unusable must not fail the next ones: start over.
        if (!(await e.ready(5_000).then(() => true, () => false))) e = await fresh();
      }
      for (const s of soakRows) {
        e = await fresh();
        const { row, figures } = await s.run(e);
        rows.push(row);
        soak.push(figures);
      }
    }
  } finally {
    await env?.close().catch(() => undefined);
  }
  if (wanted('asterisk-restart')) rows.push(await asteriskRestartRow());
  if (wanted('firefox-bg-reload')) rows.push(await firefoxReloadRow());
  const seconds = (Date.now() - started.getTime()) / 1000;
  const file = only ? 'docs/RELIABILITY.partial.md' : 'docs/RELIABILITY.md';
  writeFileSync(file, report(rows, soak, started, seconds));
  const failed = rows.filter((r) => !r.ok);
  console.log(`[faults] wrote ${file}: ${rows.length} rows, ${failed.length} not as expected, ${Math.round(seconds)} s`);
  for (const r of failed) console.log(`[faults] ✗ ${r.id}: ${r.problems.join('; ')}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
