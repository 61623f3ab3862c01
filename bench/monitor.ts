// Click-to-audio and mode-switch figures (issue 6) in real Chromium with the
// built extension against the lab, next to a plain sip.js page dialling the
// same code on the same lab in the same browser. "Audio" is the first heard
// level at or above 0.005 RMS, watched every 20 ms by Earshot's engine and by
// the plain page alike; both are timed from the moment the mouse clicks.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLab, type Lab } from '../lab/index';
import type { Leg } from '../lab/media/leg';
import { MODE_LABELS } from '../lib/monitor/modes';
import { CHROME_E2E_OUT, launchChromium } from '../tests/e2e/support/browsers';
import { labEvents, labSettings, lastEventSeq, sessionOf, storeSettings, toneWav, until } from '../tests/e2e/support/lab-client';
import { clickIcon, signIn } from '../tests/e2e/support/portal';
import { dialAndHear, type PlainApi } from './plain-sipjs/driver';
import { servePlainPage } from './plain-sipjs/serve';
import { seededRandom, summarize, type Summary } from './stats';

export interface ClickToAudio {
  /** Click → the lab receiving the INVITE. */
  toInvite: number;
  /** Click → first audio heard. */
  toAudio: number;
}

export interface MonitorFigures {
  earshotCold: ClickToAudio[];
  earshotWarm: ClickToAudio[];
  plainCold: ClickToAudio[];
  plainWarm: ClickToAudio[];
  /** Per browser session: median warm Earshot / median warm plain page. */
  warmRatios: number[];
  /** Click → the lab's mode event, for the single clicks of the switch run. */
  modeSwitch: Record<'info' | 'rfc4733', Summary>;
  /** Switches the engine made that the lab never acted on (see {@link SwitchRun}). */
  modeSwitchMissed: Record<'info' | 'rfc4733', number>;
  modeSwitchRaw: Record<'info' | 'rfc4733', number[]>;
  /** The whole switch run per method. */
  modeSwitchRuns: Partial<Record<'info' | 'rfc4733', SwitchRun>>;
}

type DtmfMethod = 'info' | 'rfc4733';
type SwitchMode = 'barge' | 'listen';

/**
 * One run of consecutive mode switches in the side panel at the lab: single
 * clicks after varied pauses and bursts of fast clicks (which the engine's
 * queue coalesces). Each switch the engine makes sends one DTMF code and
 * logs one "Mode" row; the lab logs each digit it gets.
 */
export interface SwitchRun {
  method: DtmfMethod;
  /** Mouse clicks on mode buttons. */
  clicks: number;
  /** Steps: single clicks and bursts. */
  steps: number;
  bursts: number;
  /** Switches the engine made (its session log's Mode rows; one DTMF code each). */
  switches: number;
  /** Digits the lab received. */
  digits: number;
  /** Mode events at the lab that match no switch of the engine (a digit detected twice). */
  extra: number;
  /** Switches the lab never acted on: engine switches without a matching mode event at the lab, in order. */
  lost: number;
  /** Switches the engine reported failed (its Error rows). */
  failed: number;
  /** Click → the lab's mode event, single clicks only. */
  latencyMs: number[];
  /** The switches the lab never acted on. */
  incidents: { step: number; at: number; clicks: SwitchMode[]; switch: string }[];
}

/** A row of the side panel's session log. */
interface LogRow {
  kind: string;
  text: string;
  at: number;
  /** For Mode rows: the mode switched to. */
  to?: SwitchMode | 'whisper';
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

/** Pauses before a step, ms: right after the last one settled up to a couple of seconds. */
const PAUSES_MS = [0, 0, 50, 120, 250, 400, 700, 1200, 2000] as const;
/** Gaps between the clicks of a burst, ms. */
const BURST_GAPS_MS = [0, 30, 60, 90, 140, 200] as const;

/** The side panel's session log rows newer than `since` (ms), oldest first. */
async function logRowsSince(panel: Page, since: number): Promise<LogRow[]> {
  const rows = await panel.evaluate((after) => {
    const out: { kind: string; text: string; at: number; mode?: string }[] = [];
    for (const li of document.querySelectorAll('.earshot-log-list li')) {
      const at = Date.parse(li.querySelector('time')?.getAttribute('datetime') ?? '');
      if (!(at > after)) continue;
      const mode = li.querySelector('.earshot-log-mode')?.textContent ?? undefined;
      out.push({ kind: li.className.replace('earshot-log-', ''), text: li.textContent ?? '', at, ...(mode ? { mode } : {}) });
    }
    return out.reverse();
  }, since);
  const byLabel = new Map(Object.entries(MODE_LABELS).map(([mode, label]) => [label, mode as SwitchMode | 'whisper']));
  return rows.map(({ mode, ...row }) => (row.kind === 'mode' && mode && byLabel.has(mode) ? { ...row, to: byLabel.get(mode) } : row));
}

async function clickMode(panel: Page, mode: SwitchMode): Promise<number> {
  // The real mouse on the button, timed from the press (not from Playwright's actionability waits).
  const box = await panel.locator(`button[data-mode="${mode}"]`).boundingBox();
  if (!box) throw new Error(`no ${mode} button in the panel`);
  const at = Date.now();
  await panel.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  return at;
}

/** The panel's mode once no switch is under way and it shows `target` (or an error row newer than `since`). */
async function settledMode(panel: Page, target?: string, since = 0): Promise<string> {
  return until(
    () =>
      panel.evaluate(
        ({ want, after }) => {
          if (document.querySelector('button[data-mode][aria-busy="true"]')) return undefined;
          const pressed = document.querySelector('button[data-mode][aria-pressed="true"]')?.getAttribute('data-mode') ?? undefined;
          if (want === undefined || pressed === want) return pressed;
          const failed = [...document.querySelectorAll('.earshot-log-list li.earshot-log-error time')].some(
            (t) => Date.parse(t.getAttribute('datetime') ?? '') > after,
          );
          return failed ? pressed : undefined;
        },
        { want: target, after: since },
      ),
    20_000,
    'the panel to settle',
  );
}

/**
 * Matches the engine's switches to the lab's mode events, in order: the
 * longest common subsequence where a pair has the same mode and the lab's
 * event lies within 1.5 s of the engine's row (the digit goes out about
 * 200 ms before the row is logged; the lab may lag), fewest total ms apart
 * among equals. Returns the indexes of the engine's switches that matched.
 */
export function alignSwitches(engine: { at: number; to?: string }[], lab: { at: number; to?: unknown }[]): Set<number> {
  const n = engine.length;
  const m = lab.length;
  // best[i][k]: [matches, -ms apart] over engine[i..] and lab[k..].
  const best: [number, number][][] = Array.from({ length: n + 1 }, () => Array.from({ length: m + 1 }, (): [number, number] => [0, 0]));
  const better = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
  const pairs = (i: number, k: number) => engine[i]!.to === lab[k]!.to && Math.abs(lab[k]!.at - engine[i]!.at) <= 1500;
  for (let i = n - 1; i >= 0; i--) {
    for (let k = m - 1; k >= 0; k--) {
      let pick = better(best[i + 1]![k]!, best[i]![k + 1]!) ? best[i + 1]![k]! : best[i]![k + 1]!;
      if (pairs(i, k)) {
        const take: [number, number] = [best[i + 1]![k + 1]![0] + 1, best[i + 1]![k + 1]![1] - Math.abs(lab[k]!.at - engine[i]!.at)];
        if (better(take, pick)) pick = take;
      }
      best[i]![k] = pick;
    }
  }
  const matched = new Set<number>();
  for (let i = 0, k = 0; i < n && k < m; ) {
    const here = best[i]![k]!;
    if (pairs(i, k) && here[0] === best[i + 1]![k + 1]![0] + 1 && here[1] === best[i + 1]![k + 1]![1] - Math.abs(lab[k]!.at - engine[i]!.at)) {
      matched.add(i);
      i++;
      k++;
    } else if (best[i + 1]![k]![0] === here[0] && best[i + 1]![k]![1] === here[1]) i++;
    else k++;
  }
  return matched;
}

/**
 * `switches` (at least) mode switches in a row on the live session in `panel`:
 * single clicks after varied pauses (0–2 s), and one step in four a burst of
 * 2–5 fast clicks (0–200 ms apart). After each step: the panel settled and
 * quiet for 500 ms, then up to 3 s for the lab to catch up. At the end the
 * engine's Mode rows (one DTMF code each) are matched in order to the lab's
 * mode events: a row without one is a switch the lab never acted on.
 * `recordDir` keeps what the lab received, for diagnosing losses.
 */
export async function switchRun(lab: Lab, panel: Page, method: DtmfMethod, switches: number, seed = 1, recordDir?: string): Promise<SwitchRun> {
  const random = seededRandom(seed);
  const run: SwitchRun = { method, clicks: 0, steps: 0, bursts: 0, switches: 0, digits: 0, extra: 0, lost: 0, failed: 0, latencyMs: [], incidents: [] };
  let mode = (await settledMode(panel)) as SwitchMode;
  // --record: what the lab received from the supervisor (48 kHz mono float, arrival ms per 10 ms frame) and each step.
  const recording: { frames: Float32Array[]; at: number[]; steps: object[] } = { frames: [], at: [], steps: [] };
  const legId = (await sessionOf(lab, '2001'))?.legId ?? '';
  const untap = recordDir
    ? (lab.media.getLeg(legId) as Leg | undefined)?.onFrame((frame) => {
        recording.frames.push(frame.slice());
        recording.at.push(Date.now());
      })
    : undefined;
  const runSeq = await lastEventSeq(lab);
  const runStart = Date.now();
  const rows = new Map<string, LogRow>();
  const steps: { step: number; start: number; clicks: SwitchMode[] }[] = [];
  const labModes = async (since: number) => (await labEvents(lab, since)).filter((e) => e.kind === 'mode');
  while ([...rows.values()].filter((r) => r.kind === 'mode').length < switches) {
    await new Promise((r) => setTimeout(r, pick(random, PAUSES_MS)));
    const burst = random() < 0.25;
    const clicks: SwitchMode[] = [];
    let next: SwitchMode = mode === 'listen' ? 'barge' : 'listen';
    for (let i = 0, n = burst ? 2 + Math.floor(random() * 4) : 1; i < n; i++) {
      clicks.push(next);
      next = next === 'listen' ? 'barge' : 'listen';
    }
    const seq = await lastEventSeq(lab);
    const start = Date.now();
    let firstAt = 0;
    for (const [i, target] of clicks.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, pick(random, BURST_GAPS_MS)));
      const at = await clickMode(panel, target);
      firstAt ||= at;
    }
    run.clicks += clicks.length;
    run.steps += 1;
    if (burst) run.bursts += 1;
    steps.push({ step: run.steps, start, clicks });
    let panelMode = (await settledMode(panel, clicks.at(-1), start - 1)) as SwitchMode;
    // The panel can look settled while the queue still runs a switch (a click back to the current mode
    // during a switch): settled means no new log row and no new lab event for 500 ms as well.
    for (let quiet = false, deadline = Date.now() + 15_000; !quiet && Date.now() < deadline; ) {
      const before = `${rows.size}|${await lastEventSeq(lab)}`;
      for (const row of await logRowsSince(panel, runStart)) rows.set(`${row.at}|${row.text}`, row);
      await new Promise((r) => setTimeout(r, 500));
      for (const row of await logRowsSince(panel, runStart)) rows.set(`${row.at}|${row.text}`, row);
      quiet = before === `${rows.size}|${await lastEventSeq(lab)}`;
      panelMode = (await settledMode(panel)) as SwitchMode;
    }
    // Pace on the lab: it has had as many mode events since the step began as the engine made switches
    // in it, and is in the panel's mode (or 3 s passed).
    const stepSwitches = [...rows.values()].filter((r) => r.kind === 'mode' && r.at >= start).length;
    const caughtUp = await until(async () => {
      const modes = await labModes(seq);
      return modes.length >= stepSwitches && (await sessionOf(lab, '2001'))?.mode === panelMode ? modes : undefined;
    }, 3_000, 'the lab catching up').catch(() => undefined);
    if (!burst && caughtUp) {
      const event = (await labModes(seq)).find((e) => e.data?.to === clicks[0]);
      if (event) run.latencyMs.push(event.at - firstAt);
    }
    if (recordDir) recording.steps.push({ step: run.steps, start, clicks, panelMode, caughtUp: caughtUp !== undefined });
    mode = panelMode;
  }
  // Late digits: give the lab a moment, then match the engine's switches to the lab's mode events, in order.
  await new Promise((r) => setTimeout(r, 2000));
  const engine = [...rows.values()].sort((a, b) => a.at - b.at);
  const labEventsAll = await labEvents(lab, runSeq);
  const modes = labEventsAll.filter((e) => e.kind === 'mode');
  run.digits = labEventsAll.filter((e) => e.kind === 'dtmf').length;
  run.failed = engine.filter((r) => r.kind === 'error').length;
  const switchRows = engine.filter((r) => r.kind === 'mode');
  run.switches = switchRows.length;
  const matched = alignSwitches(
    switchRows,
    modes.map((e) => ({ at: e.at, to: e.data?.to })),
  );
  for (const [i, row] of switchRows.entries()) {
    if (matched.has(i)) continue;
    run.lost += 1;
    const step = [...steps].reverse().find((st) => st.start <= row.at) ?? steps[0];
    run.incidents.push({ step: step?.step ?? 0, at: row.at, clicks: step?.clicks ?? [], switch: row.text });
    console.warn(`bench: ${method}: the lab never acted on "${row.text}" (step ${step?.step}, clicks ${step?.clicks.join(' ')})`);
  }
  run.extra = modes.length - matched.size;
  untap?.();
  if (recordDir) {
    mkdirSync(recordDir, { recursive: true });
    const samples = new Float32Array(recording.frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of recording.frames) {
      samples.set(frame, at);
      at += frame.length;
    }
    writeFileSync(join(recordDir, `${method}-received.f32`), new Uint8Array(samples.buffer));
    writeFileSync(join(recordDir, `${method}-steps.json`), JSON.stringify({ frameAt: recording.at, steps: recording.steps, engine, lab: labEventsAll }));
  }
  return run;
}

async function inviteAt(lab: Lab, since: number, user: string): Promise<number> {
  const event = await until(async () => (await labEvents(lab, since)).find((e) => e.kind === 'invite' && e.text.startsWith(`${user} `)), 10_000, `INVITE from ${user}`);
  return event.at;
}

async function hangUpEarshot(panel: Page, lab: Lab): Promise<void> {
  await panel.getByRole('button', { name: 'Hang up' }).click();
  await until(async () => (await sessionOf(lab, '2001')) === undefined, 15_000, 'hang up');
}

async function earshotClick(lab: Lab, portal: Page, panel: Page): Promise<ClickToAudio> {
  const since = await lastEventSeq(lab);
  const at = await clickIcon(portal, '1001');
  const heardAt = await until(async () => {
    const value = Number(await panel.locator('.earshot-panel').getAttribute('data-heard-at'));
    return value > at ? value : undefined;
  }, 20_000, 'Earshot hearing the call');
  return { toInvite: (await inviteAt(lab, since, '2001')) - at, toAudio: heardAt - at };
}

async function plainClick(lab: Lab, page: Page): Promise<ClickToAudio> {
  const since = await lastEventSeq(lab);
  const { at, heardAt } = await dialAndHear(page);
  const result = { toInvite: (await inviteAt(lab, since, '2002')) - at, toAudio: heardAt - at };
  await page.evaluate(() => (globalThis as unknown as PlainApi).plainSip.hangUp());
  await until(async () => (await sessionOf(lab, '2002')) === undefined, 15_000, 'plain hang up');
  return result;
}

const median = (values: number[]) => summarize(values).median;

/** One browser session: the first click is cold (fresh browser), the next ones warm, alternating with the plain page. */
async function session(lab: Lab, plainUrl: string | undefined, dtmfMethod: DtmfMethod, warmRuns: number, switches: number, seed = 1, recordDir?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: toneWav(dir, 900) });
  try {
    await storeSettings(s.worker, labSettings(lab, dtmfMethod));
    const panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');
    const earshot: ClickToAudio[] = [];
    const baseline: ClickToAudio[] = [];
    const plain = plainUrl === undefined ? undefined : await s.context.newPage();
    if (plain && plainUrl !== undefined) {
      await plain.goto(plainUrl);
      await plain.evaluate(
        (config) => (globalThis as unknown as PlainApi).plainSip.register(config),
        { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2002', password: 'lab-2002' },
      );
    }
    for (let i = 0; plain && i <= warmRuns; i++) {
      await portal.bringToFront();
      earshot.push(await earshotClick(lab, portal, panel));
      await hangUpEarshot(panel, lab);
      await plain.bringToFront();
      baseline.push(await plainClick(lab, plain));
    }
    await portal.bringToFront();
    await earshotClick(lab, portal, panel);
    // The supervisor now works in the side panel.
    await panel.bringToFront();
    const switching = switches > 0 ? await switchRun(lab, panel, dtmfMethod, switches, seed, recordDir) : undefined;
    await hangUpEarshot(panel, lab);
    const warm = earshot.slice(1);
    const plainWarm = baseline.slice(1);
    return {
      earshotCold: earshot.slice(0, 1),
      earshotWarm: warm,
      plainCold: baseline.slice(0, 1),
      plainWarm,
      ratio: median(warm.map((r) => r.toAudio)) / median(plainWarm.map((r) => r.toAudio)),
      switching,
    };
  } finally {
    await s.close();
  }
}

export interface BenchMonitorOptions {
  /** Browser sessions per DTMF method for click to audio (default 2). */
  browsers?: number;
  warmRuns?: number;
  /** Consecutive mode switches per DTMF method, in the first session of each (default 200). */
  switches?: number;
  /** Only the mode-switch runs (no click-to-audio, no plain page). */
  switchesOnly?: boolean;
  methods?: DtmfMethod[];
  /** Seed of the clicks and pauses (default 1). */
  seed?: number;
  /** Diagnostics: write what the lab received from the supervisor during the switch runs, and each step, here. */
  recordDir?: string;
}

export async function benchMonitor(options: BenchMonitorOptions = {}): Promise<MonitorFigures> {
  const lab = await startLab({ sipPort: 0, httpPort: 0, quiet: process.env.EARSHOT_BENCH_VERBOSE !== '1' });
  const plainPage = options.switchesOnly ? undefined : await servePlainPage('1001', 'lab.earshot.test');
  try {
    const figures: MonitorFigures = {
      earshotCold: [],
      earshotWarm: [],
      plainCold: [],
      plainWarm: [],
      warmRatios: [],
      modeSwitch: { info: summarize([]), rfc4733: summarize([]) },
      modeSwitchMissed: { info: 0, rfc4733: 0 },
      modeSwitchRaw: { info: [], rfc4733: [] },
      modeSwitchRuns: {},
    };
    const browsers = options.switchesOnly ? 1 : (options.browsers ?? 2);
    for (let b = 0; b < browsers; b++) {
      for (const method of options.methods ?? (['info', 'rfc4733'] as const)) {
        const switches = b === 0 ? (options.switches ?? 200) : 0;
        const run = await session(lab, plainPage?.url, method, options.warmRuns ?? 4, switches, options.seed ?? 1, options.recordDir);
        if (plainPage) {
          figures.earshotCold.push(...run.earshotCold);
          figures.earshotWarm.push(...run.earshotWarm);
          figures.plainCold.push(...run.plainCold);
          figures.plainWarm.push(...run.plainWarm);
          figures.warmRatios.push(run.ratio);
        }
        if (run.switching) {
          figures.modeSwitchRuns[method] = run.switching;
          figures.modeSwitchRaw[method] = run.switching.latencyMs;
          figures.modeSwitch[method] = summarize(run.switching.latencyMs);
          figures.modeSwitchMissed[method] = run.switching.lost;
        }
      }
    }
    return figures;
  } finally {
    await plainPage?.close();
    await lab.close();
  }
}

/** One line per method: what the switch run did and lost. */
export function switchRunText(run: SwitchRun): string {
  const latency = summarize(run.latencyMs);
  return (
    `${run.method}: ${run.switches} switches from ${run.clicks} clicks (${run.steps} steps, ${run.bursts} bursts of fast clicks); ` +
    `the lab got ${run.digits} digits; lost ${run.lost}; detected twice ${run.extra}; failed in the engine ${run.failed}; ` +
    `single click → lab median ${latency.median} ms (p95 ${latency.p95}, n=${latency.n})`
  );
}

// `tsx bench/monitor.ts`: this part alone, printed. `--switches-only` runs only the mode switches;
// `--switches N` (default 200 per method), `--methods info,rfc4733`, `--seed N`, `--record DIR` (the lab's
// received audio and the steps, for diagnosing losses).
if (process.argv[1]?.endsWith('bench/monitor.ts')) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const figures = await benchMonitor({
    browsers: Number(process.env.EARSHOT_BENCH_BROWSERS ?? 1),
    switchesOnly: process.argv.includes('--switches-only'),
    ...(arg('--switches') ? { switches: Number(arg('--switches')) } : {}),
    ...(arg('--methods') ? { methods: (arg('--methods') ?? '').split(',') as DtmfMethod[] } : {}),
    ...(arg('--seed') ? { seed: Number(arg('--seed')) } : {}),
    ...(arg('--record') ? { recordDir: arg('--record') } : {}),
  });
  console.log(JSON.stringify(figures, null, 1));
  for (const run of Object.values(figures.modeSwitchRuns)) console.log(switchRunText(run));
}
