// The cases Earshot runs against the real Asterisk (./asterisk.ts), written
// once for every browser: a suite supplies drivers that read and click its
// side panel and portal tab (PanelDriver, PortalDriver, AgentStateReader) and
// gets the same steps, waits, measurements and verdicts. Nothing here knows
// Playwright or puppeteer.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { newestFile, type Ami, type Asterisk, type SipNotify } from './asterisk';
import { until } from './lab-client';
import { readRecording, TONE_ABSENT_DB, TONE_PRESENT_DB, toneDb, type Recording } from './recordings';

export type Mode = 'listen' | 'whisper' | 'barge';
export const MODE_NAMES: Readonly<Record<Mode, string>> = { listen: 'Listen', whisper: 'Whisper', barge: 'Join' };

/** Earshot's side panel (or sidebar), read and clicked the way a supervisor would. */
export interface PanelDriver {
  /** The registration label ("Ready" once registered). */
  registration(): Promise<string | null | undefined>;
  /** The panel's session status (`data-session`): none, idle, connecting, active, ending, ended, failed. */
  session(): Promise<string | null | undefined>;
  /** The mode button shown pressed, if any. */
  pressedMode(): Promise<Mode | undefined>;
  /** True once the session's first audio was heard (the panel's `data-heard-at`); absent where the panel cannot meter (Firefox's background page). */
  heard?(): Promise<boolean>;
  /** Whether a mode button is unavailable (aria-disabled) and the text its aria-describedby names. */
  modeAvailability(mode: Mode): Promise<{ disabled: boolean; reason?: string }>;
  /** Clicks a mode button with the real mouse. */
  clickMode(mode: Mode): Promise<void>;
  /** Clicks Hang up with the real mouse. */
  hangUp(): Promise<void>;
}

/** The portal tab showing the static portal (./asterisk-portal.ts). */
export interface PortalDriver {
  /** Loads a page of the static portal in the portal tab. */
  open(url: string): Promise<void>;
  /** Earshot's icon of this agent is in the row and not hidden. */
  iconShown(agent: string): Promise<boolean>;
  /** Hovers the agent's row and clicks its icon with the real mouse (a trusted click); resolves at the click (ms epoch). */
  clickIcon(agent: string): Promise<number>;
}

/**
 * Earshot's own idea of an agent's call (`dialog`: unknown, idle, terminated,
 * early, confirmed), e.g. from the background's persisted state. Only used as
 * the proof that a NOTIFY was processed before asserting that something is
 * *not* shown.
 */
export type AgentStateReader = (agent: string) => Promise<string | undefined>;

export interface AsteriskCaseContext {
  pbx: Asterisk;
  ami: Ami;
  panel: PanelDriver;
  portal: PortalDriver;
  agentState: AgentStateReader;
  /** The static portal's page with every agent, and the one with none. */
  portalUrl: string;
  emptyPortalUrl: string;
  /** The WebRTC supervisor Earshot signs in as. */
  supervisor: string;
  /** The tone the browser's fake microphone sends (the supervisor's "voice"): Chromium plays a file, Firefox's fake device its own tone. */
  voiceHz: number;
}

const IDLE = new Set(['idle', 'terminated']);
const LIVE_SESSION = new Set(['idle', 'connecting', 'active', 'reconnecting', 'ending']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until Asterisk has (or no longer has) the supervisor's dialog subscription to `agent`; with `fresh`, one made after that list of call-ids. */
async function untilWatched(ctx: AsteriskCaseContext, agent: string, watched: boolean, fresh?: ReadonlySet<string>): Promise<void> {
  await until(
    async () =>
      (await ctx.pbx.subscriptions()).some(
        (s) => s.endpoint === ctx.supervisor && s.resource === agent && s.event === 'dialog' && !fresh?.has(s.callId),
      ) === watched,
    20_000,
    `${ctx.supervisor} ${watched ? 'watching' : 'no longer watching'} ${agent} at Asterisk`,
  );
}

/**
 * Stores new settings (`store`: the suite's way, e.g. storage.local through
 * the background) and waits until Earshot took them: a new registration at
 * Asterisk (a contact it did not have), the panel Ready, and new dialog
 * subscriptions to `watch` (the agents on the open portal page). Earshot
 * re-registers on any change of its settings; storing the same ones again
 * would wait in vain.
 */
export async function applySettings(ctx: AsteriskCaseContext, store: () => Promise<void>, watch: readonly string[]): Promise<void> {
  const mine = <T extends { aor?: string; endpoint?: string }>(list: T[]) => list.filter((x) => (x.aor ?? x.endpoint) === ctx.supervisor);
  const contactsBefore = new Set(mine(await ctx.pbx.contacts()).map((c) => c.uri));
  const subscriptionsBefore = new Set(mine(await ctx.pbx.subscriptions()).map((s) => s.callId));
  await store();
  await until(async () => {
    const now = mine(await ctx.pbx.contacts());
    return now.length > 0 && now.every((c) => !contactsBefore.has(c.uri));
  }, 30_000, `a new registration of ${ctx.supervisor} at Asterisk`);
  await until(async () => (await ctx.panel.registration()) === 'Ready', 20_000, 'the panel to say Ready');
  for (const agent of watch) await untilWatched(ctx, agent, true, subscriptionsBefore);
}

async function supervisorChannels(ctx: AsteriskCaseContext): Promise<string[]> {
  return (await ctx.pbx.channels()).filter((c) => c.startsWith(`PJSIP/${ctx.supervisor}-`));
}

/** Ends Earshot's session from the panel and waits until the panel and Asterisk both say it is over. */
export async function hangUpSession(ctx: AsteriskCaseContext): Promise<number> {
  const at = Date.now();
  await ctx.panel.hangUp();
  await until(async () => !LIVE_SESSION.has((await ctx.panel.session()) ?? 'none'), 15_000, 'the panel to end the session');
  await until(async () => (await supervisorChannels(ctx)).length === 0, 15_000, `no ${ctx.supervisor} channel left at Asterisk`);
  return at;
}

/** Ends every call and waits until Asterisk has no channel left (the recordings then close). */
export async function endAllCalls(ctx: Pick<AsteriskCaseContext, 'pbx'>): Promise<void> {
  await ctx.pbx.hangupAll();
  await until(async () => (await ctx.pbx.channels()).length === 0, 15_000, 'every channel gone');
}

/** Clicks the agent's icon and waits for an active session in Listen; returns when the panel showed Listen. */
export async function startListening(ctx: Pick<AsteriskCaseContext, 'panel' | 'portal'>, agent: string): Promise<number> {
  await until(() => ctx.portal.iconShown(agent), 15_000, `the icon of ${agent}`);
  await ctx.portal.clickIcon(agent);
  await until(
    async () => (await ctx.panel.session()) === 'active' && (await ctx.panel.pressedMode()) === 'listen',
    20_000,
    'the panel in Listen on an active session',
  );
  // Asterisk's recordings start with the media, which may follow the answer by a second or more
  // (ICE and DTLS): the Listen phase counts from the first audio, as the supervisor hears it.
  const heard = ctx.panel.heard?.bind(ctx.panel);
  if (heard) await until(heard, 15_000, 'the first audio of the session');
  return Date.now();
}

// ---- 1. registration ----

/** Earshot registers over ws: the panel says Ready and Asterisk has a contact for the supervisor. */
export async function registersOverWs(ctx: AsteriskCaseContext): Promise<void> {
  await until(async () => (await ctx.panel.registration()) === 'Ready', 30_000, 'the panel to say Ready');
  const contact = await until(async () => (await ctx.pbx.contacts()).find((c) => c.aor === ctx.supervisor), 10_000, `a contact for ${ctx.supervisor} at Asterisk`);
  // Registered over the WebSocket transport (sip.js's contact says so; Asterisk keeps it).
  expect(contact.uri).toMatch(/transport=ws\b/i);
}

// ---- 2. call state from dialog-info ----

/**
 * No call: no icon on either agent, asserted once Earshot has processed each
 * agent's first NOTIFY (idle). A customer call on `agent`: its icon appears,
 * the other agent's stays hidden. The call ends: the icon that was seen goes.
 */
export async function iconFollowsDialogInfo(ctx: AsteriskCaseContext, agent: string, other: string): Promise<void> {
  for (const ext of [agent, other]) {
    await untilWatched(ctx, ext, true);
    await until(async () => IDLE.has((await ctx.agentState(ext)) ?? ''), 15_000, `Earshot to know ${ext} is idle`);
  }
  expect(await ctx.portal.iconShown(agent)).toBe(false);
  expect(await ctx.portal.iconShown(other)).toBe(false);

  await ctx.pbx.customerCall(agent, 0);
  try {
    await until(() => ctx.portal.iconShown(agent), 15_000, `the icon of ${agent} once it is on a call`);
    await until(async () => (await ctx.agentState(agent)) === 'confirmed', 5000, `Earshot to know ${agent} is on a call`);
    // The snapshot that showed agent's icon also carried other's state, which Earshot knows to be idle.
    expect(IDLE.has((await ctx.agentState(other)) ?? '')).toBe(true);
    expect(await ctx.portal.iconShown(other)).toBe(false);
  } finally {
    await endAllCalls(ctx);
  }
  await until(async () => !(await ctx.portal.iconShown(agent)), 15_000, `the icon of ${agent} to go after the call`);
  // Because the call ended (Earshot's state follows the terminated NOTIFY; its persisted copy may lag a little).
  await until(async () => IDLE.has((await ctx.agentState(agent)) ?? ''), 5000, `Earshot to know ${agent} is idle again`);
}

// ---- 3. the audio matrix ----

/** One way of monitoring with Asterisk. */
export interface MatrixCase {
  id: string;
  label: string;
  profile: { id: 'asterisk-chanspy' | 'asterisk-per-mode'; dtmfMethod: 'rfc4733' | 'info' };
  /** The code each mode is dialled with, as the recordings name it (without the `*`). */
  codes: Record<Mode, string>;
  /** The digits Asterisk must receive from the supervisor over the whole run, in order. */
  digits: string[];
}

export const MATRIX_CASES: readonly MatrixCase[] = [
  {
    id: 'chanspy-rfc4733',
    label: 'ChanSpy *222, DTMF RFC 4733',
    profile: { id: 'asterisk-chanspy', dtmfMethod: 'rfc4733' },
    codes: { listen: '222', whisper: '222', barge: '222' },
    digits: ['5', '6', '4'],
  },
  {
    id: 'chanspy-info',
    label: 'ChanSpy *222, DTMF SIP INFO',
    profile: { id: 'asterisk-chanspy', dtmfMethod: 'info' },
    codes: { listen: '222', whisper: '222', barge: '222' },
    digits: ['5', '6', '4'],
  },
  {
    id: 'per-mode',
    label: 'one code per mode *221 / *223 / *224',
    // dtmfMethod does not matter: every switch is a new call.
    profile: { id: 'asterisk-per-mode', dtmfMethod: 'rfc4733' },
    codes: { listen: '221', whisper: '223', barge: '224' },
    digits: [],
  },
];

/** The sequence every case runs. */
export const MATRIX_MODES: readonly Mode[] = ['listen', 'whisper', 'barge', 'listen'];

/** Tone levels (dB) of one phase, per party. */
export interface PhaseLevels {
  /** What the supervisor heard: the customer (440) and the agent (660). */
  supervisorHeard440: number;
  supervisorHeard660: number;
  /** What the supervisor sent: the supervisor's "voice" (the fake microphone's tone, {@link AsteriskCaseContext.voiceHz}). */
  supervisorSentVoice: number;
  /** What the agent heard: the customer (440) and the supervisor's voice. */
  agentHeard440: number;
  agentHeardVoice: number;
  /** What the customer heard: the agent (660) and the supervisor's voice. */
  customerHeard660: number;
  customerHeardVoice: number;
}

export interface MatrixPhase {
  mode: Mode;
  /** The measured window (ms epoch): from when the panel showed the mode (plus the settle time) to the next click. */
  fromMs: number;
  toMs: number;
  /** The code of the supervisor's recording that covers the window. */
  supervisorCode: string;
  levels: PhaseLevels;
}

export interface MatrixRun {
  case: MatrixCase;
  /** The supervisor's voice tone measured. */
  voiceHz: number;
  phases: MatrixPhase[];
  /** DTMF digits Asterisk received on the supervisor's channel (DTMFEnd, Direction Received). */
  digits: string[];
  /** The supervisor's recordings used (file names). */
  supervisorFiles: string[];
  /** The NOTIFYs Asterisk sent about the agent, per customer call placed (the last one was monitored). */
  notifies: string[];
}

export interface MatrixOptions {
  /** How long each mode is held, from when the panel shows it. */
  holdMs?: number;
  /** Skipped after the panel shows a mode (the switch settles). */
  settleMs?: number;
  /** Left out before the next click (the recordings' wall-clock placement is good to about 0.1 s). */
  marginMs?: number;
}

export interface SupervisorRecording {
  code: string;
  heard: Recording;
  sent: Recording;
}

/** The supervisor's recordings of the spy calls on `agent` closed since `since`, by call (Asterisk's and FreeSWITCH's test PBXs name them alike: `supervisor-<sup>-<code><agent>-<tag>-heard.wav`). */
export function supervisorRecordings(dir: string, supervisor: string, agent: string, since: number): SupervisorRecording[] {
  const name = new RegExp(`^supervisor-${supervisor}-(\\d+?)${agent}-(.+)-heard\\.wav$`);
  const found: SupervisorRecording[] = [];
  for (const file of readdirSync(dir)) {
    const m = name.exec(file);
    if (!m) continue;
    const heard = join(dir, file);
    if (statSync(heard).mtimeMs < since) continue;
    found.push({ code: m[1] ?? '', heard: readRecording(heard), sent: readRecording(heard.replace(/-heard\.wav$/, '-sent.wav')) });
  }
  return found.sort((a, b) => a.heard.startMs - b.heard.startMs);
}

function overlap(rec: Recording, fromMs: number, toMs: number): number {
  return Math.min(toMs, rec.startMs + rec.durationMs) - Math.max(fromMs, rec.startMs);
}

/**
 * A customer call on `agent` whose early NOTIFY to the supervisor named the
 * customer, as Asterisk's SIP logger shows. Asterisk builds that body from
 * the ringing channel; when the agent's phone answers first (baresip answers
 * within a few ms) the early NOTIFY names nobody (seen about one call in ten
 * here). Such a call proves nothing about Whisper: it is ended and another
 * placed, up to three calls. `notifies` is what Asterisk sent per call.
 */
export async function callNamedInEarlyNotify(
  ctx: AsteriskCaseContext,
  agent: string,
): Promise<{ call: Awaited<ReturnType<Asterisk['customerCall']>>; notifies: string[] }> {
  await ctx.pbx.sipLogger(true);
  const notifies: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const mark = ctx.pbx.logMark();
    const call = await ctx.pbx.customerCall(agent, 0);
    const sent = await notifiesOfCall(ctx, agent, mark).catch(async (error: unknown) => {
      await endAllCalls(ctx);
      throw error;
    });
    notifies.push(sent.map((n) => (n.remote ? `${n.state} (${n.remote})` : n.state)).join(' → '));
    if (sent.some((n) => n.state === 'early' && n.remote)) return { call, notifies };
    await endAllCalls(ctx);
    await until(async () => IDLE.has((await ctx.agentState(agent)) ?? ''), 15_000, `Earshot to know ${agent} is idle`);
  }
  await endAllCalls(ctx);
  throw new Error(`Asterisk named the customer in no early NOTIFY to ${ctx.supervisor} in three calls: ${notifies.join(' | ')}`);
}

/** The NOTIFYs Asterisk sent the supervisor about `agent` since `mark`, once Earshot and the log both have the confirmed one. */
async function notifiesOfCall(ctx: AsteriskCaseContext, agent: string, mark: number): Promise<SipNotify[]> {
  await until(async () => (await ctx.agentState(agent)) === 'confirmed', 15_000, `Earshot to see ${agent} on a call`);
  // Asterisk's logger writes from its own thread: wait for the confirmed NOTIFY in the log too.
  return until(() => {
    const list = ctx.pbx.notifiesSent(mark).filter((n) => n.to === ctx.supervisor && n.entity === agent);
    return list.some((n) => n.state === 'confirmed') ? list : undefined;
  }, 5000, `Asterisk's log of the NOTIFYs to ${ctx.supervisor} about ${agent}`);
}

/**
 * Listen → Whisper → Join → Listen on `agent` with one profile (its settings
 * already stored and registered): a customer call placed while Earshot
 * watches the agent (so the early NOTIFY names the customer and Whisper is
 * on), the icon clicked, each mode held and switched with the real mouse on
 * the panel, the session hung up and the call ended; then every party's
 * recording measured per phase.
 */
export async function runMatrix(ctx: AsteriskCaseContext, c: MatrixCase, agent: string, opts: MatrixOptions = {}): Promise<MatrixRun> {
  const since = Date.now();
  await untilWatched(ctx, agent, true);
  await until(async () => IDLE.has((await ctx.agentState(agent)) ?? ''), 15_000, `Earshot to know ${agent} is idle`);

  const { call, notifies } = await callNamedInEarlyNotify(ctx, agent);
  let windows: ModeWindow[] = [];
  try {
    const shownAt = await startListening(ctx, agent);
    const whisper = await until(async () => {
      const w = await ctx.panel.modeAvailability('whisper');
      return w.disabled ? undefined : w;
    }, 10_000, 'Whisper to be available on a call Earshot saw ring').catch(async (error: unknown) => {
      const reason = (await ctx.panel.modeAvailability('whisper')).reason ?? 'none';
      throw new Error(`${String(error)}: Asterisk named the customer in its early NOTIFY (${notifies.at(-1)}), yet the panel says "${reason}"`);
    });
    expect(whisper.disabled).toBe(false);
    windows = await holdModes(ctx.panel, shownAt, opts);
    await hangUpSession(ctx);
  } finally {
    await endAllCalls(ctx);
  }
  // Headers are completed as each call closes.
  await sleep(1500);

  const supervisor = supervisorRecordings(ctx.pbx.info.recordings, ctx.supervisor, agent, since);
  if (supervisor.length === 0) throw new Error(`no recording of ${ctx.supervisor}'s spy calls on ${agent} in ${ctx.pbx.info.recordings}`);
  const customer = readRecording(call.customer_heard);
  const agentFile = newestFile(ctx.pbx.info.agents.find((a) => a.ext === agent)?.recordings ?? '', /^dump-.*-dec\.wav$/, since);
  if (!agentFile) throw new Error(`no baresip recording of what ${agent} heard`);
  const agentHeard = readRecording(agentFile);

  const phases = measurePhases({ windows, supervisor, customer, agentHeard, voiceHz: ctx.voiceHz });
  return {
    case: c,
    voiceHz: ctx.voiceHz,
    phases,
    digits: ctx.ami.dtmfReceived(`PJSIP/${ctx.supervisor}-`, since).map((d) => d.digit),
    supervisorFiles: supervisor.map((s) => s.heard.path.split('/').pop() ?? ''),
    notifies,
  };
}

/** One mode as held: the wall-clock window to measure it in. */
export interface ModeWindow {
  mode: Mode;
  fromMs: number;
  toMs: number;
}

/**
 * Holds each mode of {@link MATRIX_MODES} (Listen already shown at
 * `shownAt`), switching with the real mouse on the panel; the windows to
 * measure, from when the panel showed a mode (plus the settle time) to just
 * before the next click.
 */
export async function holdModes(panel: PanelDriver, shownAt: number, opts: MatrixOptions = {}): Promise<ModeWindow[]> {
  const holdMs = opts.holdMs ?? 3000;
  const settleMs = opts.settleMs ?? 600;
  const marginMs = opts.marginMs ?? 200;
  const windows: ModeWindow[] = [];
  for (let i = 0; i < MATRIX_MODES.length; i++) {
    const mode = MATRIX_MODES[i]!;
    const next = MATRIX_MODES[i + 1];
    await sleep(holdMs);
    windows.push({ mode, fromMs: shownAt + settleMs, toMs: Date.now() - marginMs });
    if (!next) break;
    await panel.clickMode(next);
    await until(async () => (await panel.pressedMode()) === next, 20_000, `the panel to show ${MODE_NAMES[next]}`);
    shownAt = Date.now();
  }
  return windows;
}

/** Every party's tone levels per window, from the supervisor's spy-call recordings (the one covering each window), the customer's and the agent's. */
export function measurePhases(input: {
  windows: readonly ModeWindow[];
  supervisor: readonly SupervisorRecording[];
  customer: Recording;
  agentHeard: Recording;
  voiceHz: number;
}): MatrixPhase[] {
  return input.windows.map((window): MatrixPhase => {
    const rec = [...input.supervisor].sort((a, b) => overlap(b.heard, window.fromMs, window.toMs) - overlap(a.heard, window.fromMs, window.toMs))[0]!;
    // A recording starts with the call's media (ICE and DTLS after the answer): a phase that began
    // before it is measured from just after it.
    const w = rec.heard.startMs > window.fromMs ? { ...window, fromMs: rec.heard.startMs + 300 } : window;
    if (w.toMs - w.fromMs < 1200 || overlap(rec.heard, w.fromMs, w.toMs) < (w.toMs - w.fromMs) * 0.9) {
      throw new Error(`no supervisor recording covers the ${MODE_NAMES[w.mode]} phase ${new Date(w.fromMs).toISOString()}–${new Date(w.toMs).toISOString()}`);
    }
    return {
      mode: w.mode,
      fromMs: w.fromMs,
      toMs: w.toMs,
      supervisorCode: rec.code,
      levels: {
        supervisorHeard440: toneDb(rec.heard, 440, w.fromMs, w.toMs),
        supervisorHeard660: toneDb(rec.heard, 660, w.fromMs, w.toMs),
        supervisorSentVoice: toneDb(rec.sent, input.voiceHz, w.fromMs, w.toMs),
        agentHeard440: toneDb(input.agentHeard, 440, w.fromMs, w.toMs),
        agentHeardVoice: toneDb(input.agentHeard, input.voiceHz, w.fromMs, w.toMs),
        customerHeard660: toneDb(input.customer, 660, w.fromMs, w.toMs),
        customerHeardVoice: toneDb(input.customer, input.voiceHz, w.fromMs, w.toMs),
      },
    };
  });
}

/** What the verdict and the table read of a run: any PBX's run with the case's codes and digits. */
export type MatrixVerdictRun = Omit<MatrixRun, 'case'> & { case: Pick<MatrixCase, 'id' | 'codes' | 'digits'> };

/** Everything in a run that breaks the rules of the modes; empty when the run is right. */
export function matrixProblems(run: MatrixVerdictRun): string[] {
  const problems: string[] = [];
  const present = (what: string, db: number) => db > TONE_PRESENT_DB || problems.push(`${what}: ${db} dB, expected > ${TONE_PRESENT_DB}`);
  const absent = (what: string, db: number) => db < TONE_ABSENT_DB || problems.push(`${what}: ${db} dB, expected < ${TONE_ABSENT_DB}`);
  run.phases.forEach((p, i) => {
    const at = `${run.case.id} phase ${i + 1} (${MODE_NAMES[p.mode]})`;
    const l = p.levels;
    if (p.supervisorCode !== run.case.codes[p.mode]) problems.push(`${at}: the supervisor's call was *${p.supervisorCode}, expected *${run.case.codes[p.mode]}`);
    present(`${at}: the supervisor hears the customer (440)`, l.supervisorHeard440);
    present(`${at}: the supervisor hears the agent (660)`, l.supervisorHeard660);
    present(`${at}: the agent hears the customer (440)`, l.agentHeard440);
    present(`${at}: the customer hears the agent (660)`, l.customerHeard660);
    const talking = p.mode !== 'listen';
    (talking ? present : absent)(`${at}: the supervisor sends the microphone (${run.voiceHz})`, l.supervisorSentVoice);
    (talking ? present : absent)(`${at}: the agent hears the supervisor (${run.voiceHz})`, l.agentHeardVoice);
    (p.mode === 'barge' ? present : absent)(`${at}: the customer hears the supervisor (${run.voiceHz})`, l.customerHeardVoice);
  });
  if (run.digits.join(',') !== run.case.digits.join(',')) {
    problems.push(`${run.case.id}: Asterisk received the digits [${run.digits.join(',')}], expected [${run.case.digits.join(',')}]`);
  }
  return problems;
}

/** The matrix as a table: one line per phase, dB per party and tone. */
export function formatMatrix(runs: readonly MatrixVerdictRun[]): string {
  const hz = runs[0]?.voiceHz ?? 900;
  const header = `case             phase    call   sup←440 sup←660 sup→${hz} agent←440 agent←${hz} cust←660 cust←${hz}`;
  const lines = runs.flatMap((run) =>
    run.phases.map((p) => {
      const l = p.levels;
      const cells = [l.supervisorHeard440, l.supervisorHeard660, l.supervisorSentVoice, l.agentHeard440, l.agentHeardVoice, l.customerHeard660, l.customerHeardVoice];
      const widths = [7, 7, 4 + String(hz).length, 9, 6 + String(hz).length, 8, 5 + String(hz).length];
      return `${run.case.id.padEnd(16)} ${MODE_NAMES[p.mode].padEnd(8)} *${p.supervisorCode.padEnd(5)} ${cells.map((v, i) => v.toFixed(1).padStart(widths[i] ?? 7)).join(' ')}`;
    }),
  );
  const digits = runs.map((r) => `${r.case.id}: DTMF received [${r.digits.join(',')}]`);
  return [header, ...lines, ...digits].join('\n');
}

// ---- 4. Whisper and the remote identity ----

/**
 * A call that was up before Earshot watched the agent: Asterisk's first
 * NOTIFY (confirmed) names nobody, so Whisper is off with its reason. The
 * portal tab goes to a page with no agents (Earshot unsubscribes, checked at
 * Asterisk), the customer calls `agent` (answered), then the portal page
 * with the agents is loaded again: the SUBSCRIBE comes after the call was up.
 * Returns the reason shown.
 */
export async function whisperOffForCallUpBeforeWatching(ctx: AsteriskCaseContext, agent: string): Promise<string> {
  await ctx.portal.open(ctx.emptyPortalUrl);
  await untilWatched(ctx, agent, false);
  await ctx.pbx.sipLogger(true);
  await ctx.pbx.customerCall(agent, 0);
  try {
    const mark = ctx.pbx.logMark();
    await ctx.portal.open(ctx.portalUrl);
    await untilWatched(ctx, agent, true);
    await until(async () => (await ctx.agentState(agent)) === 'confirmed', 15_000, `Earshot to see ${agent} on a call`);
    // What Earshot was told: the new subscription's first NOTIFY, confirmed, naming nobody.
    const first = await until(() => ctx.pbx.notifiesSent(mark).find((n) => n.to === ctx.supervisor && n.entity === agent), 5000, 'the first NOTIFY in the log');
    expect(first).toEqual({ to: ctx.supervisor, entity: agent, state: 'confirmed' });
    await startListening(ctx, agent);
    const whisper = await ctx.panel.modeAvailability('whisper');
    expect(whisper.disabled).toBe(true);
    expect(whisper.reason).toMatch(/could not tell who the agent is talking to/);
    // Join stays available: only Whisper needs the other party's identity.
    expect((await ctx.panel.modeAvailability('barge')).disabled).toBe(false);
    await hangUpSession(ctx);
    return whisper.reason ?? '';
  } finally {
    await endAllCalls(ctx);
  }
}
