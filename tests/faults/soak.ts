// Soak: many sessions in a row, and a burst of mode clicks, with the
// offscreen document's and the lab's figures before and after.
import { readFileSync } from 'node:fs';
import { DEFAULT_LOG_LIMIT } from '../../lib/coordinator/coordinator';
import type { Mode } from '../../lib/monitor/modes';
import { seededRandom, summarize } from '../../bench/stats';
import { until } from '../e2e/support/lab-client';
import { browserFigures, labFigures, type BrowserFigures } from './probe';
import { runScenario, said, sleep, view, watchPanel, type Env, type Outcome, type Row } from './harness';

export interface SoakFigures {
  what: string;
  before: BrowserFigures;
  after: BrowserFigures;
  subsBefore: number;
  subsAfter: number;
  other: string;
}

export interface SoakScenario {
  id: string;
  run(env: Env): Promise<{ row: Row; figures: SoakFigures }>;
}

/** A soak: one row of the table, and its figures before and after. */
function soak(
  def: { id: string; fault: string; expected: string; how: string; timeoutMs?: number },
  body: (e: Env, problems: string[], figures: (f: SoakFigures) => void) => Promise<Outcome>,
): SoakScenario {
  return {
    id: def.id,
    async run(env) {
      let figures: SoakFigures | undefined;
      const row = await runScenario(env, def, (e, problems) => body(e, problems, (f) => (figures = f)));
      const none: BrowserFigures = { peerConnections: NaN, liveTracks: NaN, micTracks: NaN, heapBytes: NaN };
      return { row, figures: figures ?? { what: `${def.fault} (broke off)`, before: none, after: none, subsBefore: NaN, subsAfter: NaN, other: row.problems.join('; ') } };
    },
  };
}

const SESSIONS = Number(process.env.FAULTS_SOAK_SESSIONS ?? 200);
const CLICKS = Number(process.env.FAULTS_SOAK_CLICKS ?? 1000);
const CLICK_WINDOW_MS = 10_000;

/** The whole session log as the supervisor exports it (Export CSV): counts of start and end rows. */
async function exportedLog(env: Env): Promise<{ rows: number; starts: number; ends: number; ordered: boolean; cutEnd: boolean }> {
  const [download] = await Promise.all([env.panel.waitForEvent('download', { timeout: 10_000 }), env.panel.getByRole('button', { name: 'Export CSV' }).click()]);
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').split(/\r\n/).slice(1).filter(Boolean);
  // In the order the log was written (lib/log logToCsv: oldest first).
  const kinds = lines.map((l) => l.split(',')[1] ?? '');
  // A full log keeps the newest DEFAULT_LOG_LIMIT rows: its first End may be of a session whose Start was cut off.
  // Only that one row is left out, and only when the log is full; every other Start needs its End next, and no End without its Start.
  const cut = lines.length >= DEFAULT_LOG_LIMIT ? kinds.findIndex((k) => k === 'start' || k === 'end') : -1;
  const paired = cut >= 0 && kinds[cut] === 'end' ? kinds.filter((_k, i) => i !== cut) : kinds;
  let open = false;
  let ordered = true;
  for (const k of paired) {
    if (k === 'start') ordered &&= !open;
    if (k === 'end') ordered &&= open;
    if (k === 'start' || k === 'end') open = k === 'start';
  }
  return {
    rows: lines.length,
    starts: paired.filter((k) => k === 'start').length,
    ends: paired.filter((k) => k === 'end').length,
    ordered: ordered && !open,
    cutEnd: paired !== kinds,
  };
}

const sessionsSoak = soak(
  {
    id: 'soak-sessions',
    fault: `soak: ${SESSIONS} sessions started and ended in a row`,
    expected: 'every one starts and ends; no peer connection, track, subscription or memory left growing',
    how: '"Monitor an extension" 1001 in the side panel, wait for active at the panel and the lab, Hang up, wait for ended; repeat',
    // About 2 s a session here: room for a slow machine.
    timeoutMs: SESSIONS * 6000 + 60_000,
  },
  async (e, problems, setFigures) => {
    const before = await browserFigures(e.browser, e.s.extensionId);
    const subsBefore = labFigures(e.lab).subscriptions;
    const cycle: number[] = [];
    const w = watchPanel(e.panel);
    for (let i = 0; i < SESSIONS; i++) {
      const at = Date.now();
      await e.startFromForm('1001');
      await until(async () => (await view(e.panel)).status === 'active' && e.sessionAt('1001'), 20_000, `session ${i + 1} active`);
      await e.hangUp();
      cycle.push(Date.now() - at);
      if ((i + 1) % 50 === 0) console.log(`[faults]   ${i + 1} sessions`);
    }
    w.stop();
    await sleep(1000);
    const after = await browserFigures(e.browser, e.s.extensionId);
    const subsAfter = labFigures(e.lab).subscriptions;
    const log = await exportedLog(e);
    const s = summarize(cycle);
    const growth = after.heapBytes - before.heapBytes;
    if (after.peerConnections > before.peerConnections) problems.push(`peer connections ${before.peerConnections} → ${after.peerConnections}`);
    if (after.liveTracks > before.liveTracks) problems.push(`live tracks ${before.liveTracks} → ${after.liveTracks}`);
    if (subsAfter > subsBefore) problems.push(`subscriptions ${subsBefore} → ${subsAfter}`);
    if (growth > 5 * 1024 * 1024) problems.push(`heap grew ${Math.round(growth / 1024)} KB`);
    if (log.starts !== log.ends || !log.ordered) problems.push(`exported log: ${log.starts} start / ${log.ends} end rows${log.ordered ? '' : ', not each Start followed by its End'}`);
    setFigures({
      what: `${SESSIONS} sessions in a row`,
      before,
      after,
      subsBefore,
      subsAfter,
      other: `cycle (start → active → hang up → ended) median ${Math.round(s.median)} ms, p95 ${Math.round(s.p95)} ms; exported log ${log.rows} rows (${log.starts} start / ${log.ends} end, each Start followed by its End${log.cutEnd ? '; not counted: the oldest row, an End whose Start the full log (newest 500 rows) had dropped' : ''})`,
    });
    return {
      happened: `${SESSIONS} sessions; cycle median ${Math.round(s.median)} ms (p95 ${Math.round(s.p95)}); heap ${Math.round(before.heapBytes / 1024)} → ${Math.round(after.heapBytes / 1024)} KB`,
      recoveryMs: 'n/a',
      sessions: 1,
    };
  },
);

const MODES: Mode[] = ['listen', 'whisper', 'barge'];

const clicksSoak = soak(
  {
    id: 'soak-clicks',
    fault: `soak: ${CLICKS} mode clicks in ${CLICK_WINDOW_MS / 1000} s`,
    expected: 'the PBX ends in the last mode asked, the panel agrees; nothing leaked',
    how: 'trusted mouse clicks (CDP Input) on the side panel\'s three mode buttons, seeded random order (bench/stats.ts seededRandom(16)), paced over 10 s',
  },
  async (e, problems, setFigures) => {
    await e.ensureCall('1001', '5550101');
    await e.startSession('1001');
    await e.setMode('whisper');
    await e.setMode('listen');
    const before = await browserFigures(e.browser, e.s.extensionId);
    const subsBefore = labFigures(e.lab).subscriptions;
    const boxes = new Map<Mode, { x: number; y: number }>();
    for (const m of MODES) {
      const b = await e.modeButton(m).boundingBox();
      if (!b) throw new Error(`no ${m} button`);
      boxes.set(m, { x: b.x + b.width / 2, y: b.y + b.height / 2 });
    }
    const random = seededRandom(16);
    const w = watchPanel(e.panel);
    const t0 = Date.now();
    let last: Mode = 'listen';
    let clicked = 0;
    for (let i = 0; i < CLICKS; i++) {
      const m = MODES[Math.floor(random() * MODES.length)] ?? 'listen';
      const p = boxes.get(m);
      if (!p) continue;
      await e.panel.mouse.click(p.x, p.y);
      clicked++;
      last = m;
      const due = t0 + ((i + 1) * CLICK_WINDOW_MS) / CLICKS;
      if (Date.now() < due) await sleep(due - Date.now());
    }
    const clickMs = Date.now() - t0;
    let settle: number | string = 'never';
    try {
      await until(async () => e.sessionAt('1001')?.mode === last && (await e.panelMode()) === last, 60_000, `the PBX and the panel in ${last}`);
      settle = Date.now() - t0 - clickMs;
    } catch (err) {
      problems.push(`${(err as Error).message}: PBX ${e.sessionAt('1001')?.mode}, panel ${await e.panelMode()}`);
    }
    const lines = w.stop();
    const dtmf = e.lab.log.since(0).filter((x) => x.kind === 'dtmf').length;
    await sleep(1000);
    const after = await browserFigures(e.browser, e.s.extensionId);
    const subsAfter = labFigures(e.lab).subscriptions;
    if (after.peerConnections > before.peerConnections) problems.push(`peer connections ${before.peerConnections} → ${after.peerConnections}`);
    if (after.liveTracks > before.liveTracks) problems.push(`live tracks ${before.liveTracks} → ${after.liveTracks}`);
    if (subsAfter > subsBefore) problems.push(`subscriptions ${subsBefore} → ${subsAfter}`);
    const pbxMode = e.sessionAt('1001')?.mode ?? 'none';
    const panelMode = (await e.panelMode()) || '?';
    await e.hangUp();
    // The visible log is all Mode rows by now: the exported one has the Start and the End.
    const log = await exportedLog(e);
    if (log.starts < 1 || log.starts !== log.ends || !log.ordered) problems.push(`exported log: ${log.starts} start / ${log.ends} end rows${log.ordered ? '' : ', not each Start followed by its End'}`);
    setFigures({
      what: `${clicked} mode clicks in ${clickMs} ms (in a session)`,
      before,
      after,
      subsBefore,
      subsAfter,
      other: `last asked ${last}; PBX ${pbxMode}, panel ${panelMode}; settled ${settle} ms after the last click; ${dtmf} DTMF digits (SIP INFO) reached the lab; exported log ${log.rows} rows (${log.starts} start / ${log.ends} end)`,
    });
    return {
      happened: `${clicked} clicks in ${clickMs} ms, last asked ${last}: PBX ${pbxMode}, panel ${panelMode}; ${said(lines.slice(-2))} (${dtmf} digits reached the lab)`,
      recoveryMs: settle,
      // Checked on the exported log above.
      sessions: 0,
    };
  },
);

export const SOAK_SCENARIOS: SoakScenario[] = [clicksSoak, sessionsSoak];
