// The fault suite's harness: one real Chromium with the e2e build on a lab
// (tests/e2e/support/chromium-lab.ts), the side panel read as a supervisor
// reads it, and one row per fault with what was measured.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { MODE_LABELS, type Mode } from '../../lib/monitor/modes';
import { chromiumOnLab, type ChromiumOnLab } from '../e2e/support/chromium-lab';
import { labApi, labSettings, storeSettings, until } from '../e2e/support/lab-client';
import { clickIcon, signIn } from '../e2e/support/portal';
import { browserSession } from '../../bench/support/cdp-target';
import { browserFigures, labFigures, trackLabels, within, type BrowserFigures, type LabFigures } from './probe';

export interface Row {
  id: string;
  fault: string;
  expected: string;
  happened: string;
  recovery: string;
  lost: string;
  ok: boolean;
  problems: string[];
  how: string;
}

export interface Outcome {
  happened: string;
  /** ms from the fault to the state a supervisor can use again; a string when it is not a number (n/a, never). */
  recoveryMs?: number | string;
  /** Whether the scenario started sessions (the log must then show a start and an end for each). */
  sessions?: number;
  note?: string;
}

const SCENARIO_TIMEOUT_MS = Number(process.env.FAULTS_SCENARIO_TIMEOUT_MS ?? 180_000);

/** The lab's media (RTP) timeout in the fault suite. */
export const FAULTS_MEDIA_TIMEOUT_MS = 15_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The supervisor's view: registration label and message, the live status line, the session status. */
export async function view(panel: Page): Promise<{ reg: string; regMessage: string; live: string; status: string; heardAt: number }> {
  // A string, not a function: tsx's esbuild would wrap inner functions in a __name() the page does not have.
  return within(panel.evaluate(`(() => {
    const text = (sel) => document.querySelector(sel)?.textContent?.trim() ?? '';
    return {
      reg: text('.earshot-reg-label'),
      regMessage: text('.earshot-reg-message'),
      live: text('.earshot-live'),
      status: document.querySelector('[data-session]')?.getAttribute('data-session') ?? '',
      heardAt: Number(document.querySelector('[data-heard-at]')?.getAttribute('data-heard-at') ?? 0),
    };
  })()`), 5000, 'the side panel');
}

/** Records every distinct thing the panel said (registration + status line) until stopped. */
export function watchPanel(panel: Page): { stop(): string[] } {
  const seen: string[] = [];
  let running = true;
  void (async () => {
    while (running) {
      const v = await view(panel).catch(() => undefined);
      if (v) {
        const line = [v.reg, v.regMessage, v.live].filter(Boolean).join(' · ');
        if (line && seen.at(-1) !== line) seen.push(line);
      }
      await sleep(100);
    }
  })();
  return {
    stop() {
      running = false;
      return seen;
    },
  };
}

/** Distinct panel lines, quoted, joined for a table cell. */
export function said(lines: string[], max = 6): string {
  const unique = lines.filter((l, i) => lines.indexOf(l) === i);
  const shown = unique.length > max ? [...unique.slice(0, max - 1), '…', unique.at(-1) ?? ''] : unique;
  return shown.map((l) => `“${l.replace(/\|/g, '/')}”`).join(' → ');
}

export interface LogRow {
  kind: string;
  text: string;
  time: string;
}

/** The side panel's session log rows, oldest first (the panel shows the newest 50). */
export async function logRows(panel: Page): Promise<LogRow[]> {
  const rows = await panel.locator('.earshot-log-list li').evaluateAll((lis) =>
    lis.map((li) => ({ kind: li.className.replace('earshot-log-', ''), text: li.textContent?.trim() ?? '', time: li.querySelector('time')?.getAttribute('datetime') ?? '' })),
  );
  return rows.reverse();
}

/** Rows after `before` (the rows read earlier): the newest rows down to the last one already seen. */
export function newRows(before: LogRow[], after: LogRow[]): LogRow[] {
  const last = before.at(-1);
  if (!last) return after;
  for (let i = after.length - 1; i >= 0; i--) {
    const r = after[i];
    if (r && r.time === last.time && r.text === last.text) return after.slice(i + 1);
  }
  return after;
}

/** Every start followed by an end before the next start (a leading end whose start scrolled off is skipped). */
export function logPairing(rows: LogRow[]): { starts: number; ends: number; complete: boolean } {
  let starts = 0;
  let ends = 0;
  let open = false;
  let complete = true;
  for (const r of rows) {
    if (r.kind === 'start') {
      if (open) complete = false;
      open = true;
      starts++;
    } else if (r.kind === 'end') {
      if (open || starts > 0) ends++;
      open = false;
    }
  }
  if (open) complete = false;
  return { starts, ends, complete };
}

export class Env {
  browser!: CDPSession;
  baseline!: BrowserFigures;
  baselineLab!: LabFigures;

  private constructor(readonly e: ChromiumOnLab) {}

  get lab() {
    return this.e.lab;
  }
  get panel() {
    return this.e.panel;
  }
  get portal() {
    return this.e.portal;
  }
  get s() {
    return this.e.s;
  }

  private toneDirs: string[] = [];

  static async start(): Promise<Env> {
    const mine = () => readdirSync(tmpdir()).filter((d) => d.startsWith('earshot-e2e-faults-'));
    const existing = new Set(mine());
    const env = new Env(await chromiumOnLab('faults'));
    // chromiumOnLab leaves the fake microphone's folder behind: remove ours on close.
    env.toneDirs = mine().filter((d) => !existing.has(d)).map((d) => join(tmpdir(), d));
    env.browser = await browserSession(env.s.context);
    // A real PBX's rtp_timeout (docs/pbx-setup.md), on for the whole suite: Earshot sends RTP in every mode
    // (silence in Listen), so only a call whose engine died is ended by it.
    env.lab.pbx.config.mediaTimeoutMs = FAULTS_MEDIA_TIMEOUT_MS;
    // Every NOTIFY names the other party, so Whisper is available on the seeded calls too.
    await labApi(env.lab, 'POST', '/api/config', { remoteIdentity: 'always' });
    // "Monitor an extension" (the soak's way in) needs the DTMF-monitoring grant.
    await storeSettings(env.s.worker, { ...labSettings(env.lab, 'info'), rules: { user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: true } } });
    await env.panel.setViewportSize({ width: 1280, height: 1400 });
    await until(async () => (await view(env.panel)).reg === 'Ready', 30_000, 'Ready');
    await signIn(env.portal, env.lab.httpUrl, '2001');
    await sleep(1500);
    env.baseline = await browserFigures(env.browser, env.s.extensionId);
    env.baselineLab = labFigures(env.lab);
    return env;
  }

  async close(): Promise<void> {
    await this.browser?.detach().catch(() => undefined);
    await this.e.close();
    for (const d of this.toneDirs) rmSync(d, { recursive: true, force: true });
  }

  /** A new side panel tab (a crashed one cannot navigate), the viewport as before. */
  async reopenPanel(): Promise<void> {
    await this.e.panel.close().catch(() => undefined);
    this.e.panel = await this.s.context.newPage();
    await this.e.panel.goto(`chrome-extension://${this.s.extensionId}/sidepanel.html`);
    await this.e.panel.setViewportSize({ width: 1280, height: 1400 });
  }

  sessionAt(agent?: string) {
    return [...this.lab.pbx.sessions.values()].find((s) => s.supervisor === '2001' && (!agent || s.agent === agent));
  }

  /** The mode the panel's status line says ('' when it names none). */
  async panelMode(): Promise<Mode | ''> {
    const live = (await view(this.panel)).live;
    for (const [mode, label] of Object.entries(MODE_LABELS) as [Mode, string][]) if (live.startsWith(`${label} on `)) return mode;
    return '';
  }

  /** A trusted click on the agent's icon in the portal, until the session is active in the panel and at the lab. */
  async startSession(agent: string): Promise<number> {
    const at = await clickIcon(this.portal, agent);
    await until(async () => (await view(this.panel)).status === 'active' && this.sessionAt(agent), 20_000, `session on ${agent}`);
    return Date.now() - at;
  }

  /** "Monitor an extension" from the side panel. */
  async startFromForm(agent: string): Promise<void> {
    const form = this.panel.locator('form.earshot-dtmf');
    await form.locator('input[name="extension"]').fill(agent);
    await form.getByRole('button', { name: 'Monitor' }).click();
  }

  modeButton(mode: Mode) {
    return this.panel.getByRole('button', { name: new RegExp(`^${MODE_LABELS[mode].replace(/[()]/g, '\\$&')}`) });
  }

  async setMode(mode: Mode): Promise<number> {
    const at = Date.now();
    await until(async () => (await this.modeButton(mode).getAttribute('aria-disabled', { timeout: 1000 })) !== 'true', 10_000, `${mode} available`);
    await this.modeButton(mode).click();
    await until(() => this.sessionAt()?.mode === mode && this.panelMode().then((m) => m === mode), 15_000, `${mode} at the PBX and in the panel`);
    return Date.now() - at;
  }

  async hangUp(): Promise<void> {
    await this.panel.getByRole('button', { name: 'Hang up' }).click({ timeout: 5000 });
    await until(async () => !this.sessionAt() && ['ended', 'failed', 'none'].includes((await view(this.panel)).status), 15_000, 'session over');
  }

  /** The agent's call at the lab, restarted (same customer) when it was ended. */
  async ensureCall(agent: string, customer: string): Promise<void> {
    const calls = await labApi<{ id: string; agent: string; state: string }[]>(this.lab, 'GET', '/api/calls');
    if (!calls.some((c) => c.agent === agent)) await labApi(this.lab, 'POST', '/api/calls', { agent, customer, answerAfterMs: 300 });
    await until(async () => (await labApi<{ agent: string; state: string }[]>(this.lab, 'GET', '/api/calls')).some((c) => c.agent === agent && c.state === 'confirmed'), 10_000, `${agent}'s call up`);
  }

  async endCall(agent: string): Promise<void> {
    const calls = await labApi<{ id: string; agent: string }[]>(this.lab, 'GET', '/api/calls');
    const call = calls.find((c) => c.agent === agent);
    if (!call) throw new Error(`${agent} has no call`);
    await labApi(this.lab, 'DELETE', `/api/calls/${call.id}`);
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    await until(async () => (await view(this.panel)).reg === 'Ready', timeoutMs, 'Ready');
  }
}

/** Runs one fault: the body's outcome, then what was left behind, measured. */
export async function runScenario(
  env: Env,
  def: { id: string; fault: string; expected: string; how: string; timeoutMs?: number },
  body: (env: Env, problems: string[]) => Promise<Outcome>,
): Promise<Row> {
  const limit = def.timeoutMs ?? SCENARIO_TIMEOUT_MS;
  const problems: string[] = [];
  const t0 = Date.now();
  process.stdout.write(`[faults] ${def.id} …`);
  const before = await logRows(env.panel).catch(() => [] as LogRow[]);
  // Leaks are this row's own: compared with what the offscreen document held just before it.
  const start = await browserFigures(env.browser, env.s.extensionId).catch(() => env.baseline);
  let outcome: Outcome;
  try {
    // No scenario may hang the suite: it fails after SCENARIO_TIMEOUT_MS.
    let timer: NodeJS.Timeout | undefined;
    outcome = await Promise.race([
      body(env, problems),
      new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`no outcome after ${limit / 1000} s`)), limit))),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    problems.push(`failed: ${(error as Error).message.split('\n')[0]}`);
    outcome = { happened: `the scenario broke off: ${(error as Error).message.split('\n')[0]}`, recoveryMs: 'never' };
  }
  // Whatever the fault left, the supervisor would hang up: do it, and say so.
  const v = await view(env.panel).catch(() => undefined);
  if (v && ['active', 'connecting', 'reconnecting', 'idle'].includes(v.status)) {
    await env.hangUp().catch((e: Error) => problems.push(`could not hang up afterwards: ${e.message}`));
  }
  await labApi(env.lab, 'POST', '/api/faults', { kind: 'clear' }).catch(() => undefined);
  await until(() => !env.sessionAt(), 10_000, 'no session at the lab').catch(() => undefined);
  await sleep(500);
  const after = await logRows(env.panel).catch(() => [] as LogRow[]);
  const rows = newRows(before, after);
  const pairing = logPairing(rows);
  if (process.env.FAULTS_DEBUG) console.log(JSON.stringify(rows));
  const labNow = labFigures(env.lab);
  let figs: BrowserFigures | undefined;
  try {
    figs = await browserFigures(env.browser, env.s.extensionId);
    // Something still open may be on its way out: a leak is what is still there 3 s later.
    if (figs.peerConnections > start.peerConnections || figs.liveTracks > start.liveTracks || figs.micTracks > 0) {
      await sleep(3000);
      figs = await browserFigures(env.browser, env.s.extensionId);
    }
  } catch (error) {
    problems.push(`offscreen not measurable: ${(error as Error).message}`);
  }
  const lost: string[] = [];
  const expectSessions = outcome.sessions ?? 1;
  const logOk = expectSessions === 0 || (pairing.complete && pairing.starts >= expectSessions && pairing.starts === pairing.ends);
  lost.push(`log ${pairing.starts} start / ${pairing.ends} end ${logOk ? '✓' : '✗'}`);
  if (!logOk) problems.push(`session log: ${pairing.starts} start, ${pairing.ends} end rows (${expectSessions} session(s) expected)`);
  const pbxOk = labNow.sessions === 0 && labNow.dialogs === 0;
  lost.push(`PBX ${labNow.sessions} session / ${labNow.dialogs} dialog ${pbxOk ? '✓' : '✗'}`);
  if (!pbxOk) problems.push(`stray at the lab: ${labNow.sessions} session(s), ${labNow.dialogs} dialog(s)`);
  if (figs) {
    const micOk = figs.micTracks === 0;
    const leakOk = figs.peerConnections <= start.peerConnections && figs.liveTracks <= start.liveTracks;
    lost.push(`mic ${figs.micTracks} ${micOk ? '✓' : '✗'}`);
    lost.push(`pc ${start.peerConnections}→${figs.peerConnections} / live tracks ${start.liveTracks}→${figs.liveTracks} ${leakOk ? '✓' : '✗'}`);
    if (!micOk) problems.push(`${figs.micTracks} microphone track(s) still live`);
    if (!leakOk) {
      const labels = await trackLabels(env.browser, env.s.extensionId).catch(() => [] as string[]);
      problems.push(`left ${figs.peerConnections - start.peerConnections} more peer connection(s), ${figs.liveTracks - start.liveTracks} more live track(s) than before the row, 3 s after the end (live now: ${labels.filter((l) => l.endsWith(':live')).join(', ')})`);
    }
  }
  const subsOk = labNow.subscriptions === labNow.distinctTargets;
  lost.push(`subs ${labNow.subscriptions} (${labNow.distinctTargets} agents) ${subsOk ? '✓' : '✗'}`);
  if (!subsOk) problems.push(`duplicate subscriptions at the lab: ${labNow.subscriptions} for ${labNow.distinctTargets} agents`);
  if (!labNow.registered) {
    lost.push('not registered ✗');
    problems.push('not registered at the lab afterwards');
  }
  const rec = outcome.recoveryMs;
  const { timeoutMs: _t, ...shown } = def;
  const row: Row = {
    ...shown,
    happened: outcome.happened + (outcome.note ? ` ${outcome.note}` : ''),
    recovery: typeof rec === 'number' ? `${rec}` : (rec ?? 'n/a'),
    lost: lost.join('; '),
    ok: problems.length === 0,
    problems,
  };
  process.stdout.write(` ${row.ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)${row.ok ? '' : `: ${problems.join('; ')}`}\n`);
  return row;
}
