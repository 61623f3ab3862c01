// Earshot on the real Asterisk 22 of ../shared/pbx/asterisk (its README has
// the facts), in real Chromium with the e2e build, ChanSpy *222 with DTMF
// 4 / 5 / 6:
// 1. click → Asterisk's channel and → first audio, cold and warm, next to the
//    plain sip.js page (bench/plain-sipjs) registered as another WebRTC
//    supervisor (2003, added to this bench's own ROOT only) dialling the
//    same *2221001, alternating in one browser;
// 2. a mode click in the side panel (real mouse) → Asterisk's AMI DTMFEnd
//    (Direction: Received) on PJSIP/2001, per DTMF method;
// 3. lost switches: 200+ clicks per method on one session with varied pauses
//    and bursts, comparing every digit the browser put on the wire with what
//    Asterisk received, and the panel's mode with Asterisk's after each burst.
// `npx tsx bench/asterisk.ts` runs this part alone, prints its section and
// puts it into docs/BENCHMARKS.md (replacing only that section).
import { spliceSection } from './support/splice-section';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { BUILT_IN_PROFILES } from '../lib/pbx/profiles';
import type { LogEntry } from '../lib/state/snapshot';
import { Ami, asteriskSettings, startAsterisk, type Asterisk } from '../tests/e2e/support/asterisk';
import { startStaticPortal } from '../tests/e2e/support/asterisk-portal';
import { CHROME_E2E_OUT, launchChromium, type ChromiumSession } from '../tests/e2e/support/browsers';
import { storeSettings, until } from '../tests/e2e/support/lab-client';
import { dialAndHear, type PlainApi } from './plain-sipjs/driver';
import { servePlainPage } from './plain-sipjs/serve';
import { fmt, seededRandom, summarize, summaryText } from './stats';
import { addWebrtcSupervisor, type ExtraSupervisor } from './support/asterisk-supervisor';
import { backgroundModes, DtmfTrace, traceBackgroundModes, type DtmfTraceEntry } from './support/dtmf-trace';

type Method = 'rfc4733' | 'info';
type Mode = 'listen' | 'whisper' | 'barge';
const METHODS: readonly Method[] = ['rfc4733', 'info'];
const MODES: readonly Mode[] = ['listen', 'whisper', 'barge'];
const AGENT = '1001';
const EARSHOT_USER = '2001';
/** The digit of each mode (the ChanSpy profile; Asterisk's README: 4 listen, 5 whisper, 6 barge). */
const CODES = BUILT_IN_PROFILES['asterisk-chanspy'].modeCodes as Record<Mode, string>;
const MODE_OF_DIGIT = Object.fromEntries(MODES.map((m) => [CODES[m], m])) as Record<string, Mode>;

export interface ClickToAudio {
  /** Click → Asterisk creating the supervisor's channel (AMI Newchannel). */
  toChannel: number;
  /** Click → first audio heard (RMS ≥ 0.005, watched every 20 ms). */
  toAudio: number;
  /** Earshot only, traced in the offscreen document: click → the engine has the start command, → the first INVITE written to the WebSocket. */
  toEngine?: number;
  toInvite?: number;
}

export interface StressFigures {
  /** Mode clicks the bench made, and those the panel received on an enabled mode button (trusted). */
  clicks: number;
  clicksOnButtons: number;
  /** set-mode messages the background received from the panel, and set-mode commands the engine received from the background. */
  atBackground: number;
  atEngine: number;
  bursts: number;
  /** Median time from the first to the last click of a burst. */
  burstSpanMs: number;
  /** Switches the engine reported done (session log "… on …"), and failed ones. */
  switchesReported: number;
  switchesFailed: number;
  /** RFC 4733: insertDTMF calls, and digits still waiting in the sender that an insert replaced. */
  inserts: number;
  replacedInBrowser: number;
  /** Digits on the wire: tones the browser started playing (RFC 4733) or SIP INFO requests sent. */
  sent: number;
  received: number;
  /** Sent but never received (alignment of the two sequences), and received but never sent. */
  lost: number;
  extra: number;
  /** Reported switches whose digit never went on the wire. */
  reportedNotSent: number;
  /** After each burst settled: Asterisk's mode (its last digit) ≠ the panel's mode. */
  checks: number;
  wrongFinalMode: number;
  /** After each burst settled: the panel not in the mode clicked last (coalescing ends in the last one asked). */
  panelNotLastClicked: number;
  /** … and got there only later than 0.75 s after the burst (slow, not wrong). */
  panelLate: number;
  /** Bursts after which the panel did not settle within 15 s. */
  unsettled: number;
  /** A few examples of what went wrong, for the report. */
  notes: string[];
  seconds: number;
}

export interface AsteriskFigures {
  version: string;
  earshotCold: ClickToAudio[];
  earshotWarm: ClickToAudio[];
  plainCold: ClickToAudio[];
  plainWarm: ClickToAudio[];
  /** Per browser: whether the plain page made that browser's first call. */
  coldPlainFirst: boolean[];
  /** Per browser session: median warm Earshot / median warm plain page (click → audio). */
  warmRatios: number[];
  /** Isolated mode clicks → DTMFEnd at Asterisk. */
  modeSwitch: Record<Method, number[]>;
  /** The same clicks → the set-mode command reaching the engine, and → the digit going on the wire (tone started / INFO written). */
  modeSwitchToEngine: Record<Method, number[]>;
  modeSwitchToWire: Record<Method, number[]>;
  /** Isolated clicks with no DTMFEnd within 5 s, or with the wrong digit. */
  modeSwitchMissed: Record<Method, number>;
  stress: Partial<Record<Method, StressFigures>>;
  /** Customer calls after which Earshot did not know the remote party (and what Asterisk had sent). */
  callNotes: string[];
  browsers: number;
  seconds: number;
  /** The machine's 1-minute load average at the start and at the end (2 cores, shared with other browser runs). */
  load: [number, number];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Env {
  pbx: Asterisk;
  ami: Ami;
  portalOrigin: string;
  portalUrl: string;
  plainUrl: string;
  plainUser: ExtraSupervisor;
}

/** When Asterisk created a channel of `user` at or after `since` (AMI Newchannel). */
function channelAt(ami: Ami, user: string, since: number): number | undefined {
  return ami.events.find((e) => e.at >= since && e.fields.Event === 'Newchannel' && (e.fields.Channel ?? '').startsWith(`PJSIP/${user}-`))?.at;
}

async function noChannelOf(pbx: Asterisk, user: string): Promise<void> {
  await until(async () => !(await pbx.channels()).some((c) => c.startsWith(`PJSIP/${user}-`)), 15_000, `no PJSIP/${user} channel left`);
}

async function endAllCalls(pbx: Asterisk): Promise<void> {
  await pbx.hangupAll();
  await until(async () => (await pbx.channels()).length === 0, 15_000, 'every channel gone');
}

function worker(s: ChromiumSession) {
  return s.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${s.extensionId}/`)) ?? s.worker;
}

/** The static portal's icon, clicked as a supervisor would: hover the row, aim until the icon is what the mouse will hit, click. */
async function clickIcon(portal: Page, agent: string): Promise<number> {
  const icon = portal.locator(`tr[data-ext="${agent}"] earshot-monitor-icon[data-extension="${agent}"]:not([hidden])`);
  const centre = await until(async () => {
    await portal.hover(`tr[data-ext="${agent}"] td.name`, { timeout: 1000 });
    const box = await icon.boundingBox({ timeout: 1000 });
    if (!box) return undefined;
    const point = [box.x + box.width / 2, box.y + box.height / 2] as const;
    const hit = await portal.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName === 'EARSHOT-MONITOR-ICON', point);
    return hit ? point : undefined;
  }, 20_000, `the icon of ${agent}`);
  const at = Date.now();
  await portal.mouse.click(centre[0], centre[1]);
  return at;
}

interface PanelView {
  status: string;
  pressed?: Mode;
  pending: boolean;
  whisperDisabled: boolean;
  heardAt: number;
}

async function panelView(panel: Page): Promise<PanelView> {
  return panel.evaluate(() => {
    const root = document.querySelector('.earshot-panel[data-session]');
    const pressed = document.querySelector<HTMLElement>('button.earshot-mode-button[aria-pressed="true"]');
    const whisper = document.querySelector('button.earshot-mode-button[data-mode="whisper"]');
    return {
      status: root?.getAttribute('data-session') ?? 'none',
      pressed: (pressed?.dataset.mode as Mode | undefined) ?? undefined,
      pending: document.querySelector('button.earshot-mode-button[aria-busy="true"]') !== null,
      whisperDisabled: whisper?.getAttribute('aria-disabled') === 'true',
      heardAt: Number(root?.getAttribute('data-heard-at') ?? 0),
    };
  });
}

async function earshotClick(env: Env, portal: Page, panel: Page, trace: DtmfTrace): Promise<ClickToAudio> {
  await portal.bringToFront();
  const at = await clickIcon(portal, AGENT);
  const heardAt = await until(async () => {
    const view = await panelView(panel);
    if (view.status === 'failed') throw new Error('the session failed');
    return view.heardAt > at ? view.heardAt : undefined;
  }, 20_000, 'Earshot hearing the call');
  const channel = await until(() => channelAt(env.ami, EARSHOT_USER, at), 5000, `Asterisk's channel of ${EARSHOT_USER}`);
  const traced = await trace.entries(at);
  const start = traced.find((e) => e.kind === 'start');
  const invite = traced.find((e) => e.kind === 'invite');
  return { toChannel: channel - at, toAudio: heardAt - at, ...(start ? { toEngine: start.at - at } : {}), ...(invite ? { toInvite: invite.at - at } : {}) };
}

async function hangUpEarshot(env: Env, panel: Page): Promise<void> {
  await panel.getByRole('button', { name: 'Hang up' }).click({ timeout: 5000 });
  await noChannelOf(env.pbx, EARSHOT_USER);
  await until(async () => ['none', 'ended', 'failed'].includes((await panelView(panel)).status), 15_000, 'the panel to end the session');
}

async function plainClick(env: Env, page: Page): Promise<ClickToAudio> {
  await page.bringToFront();
  const { at, heardAt } = await dialAndHear(page);
  const channel = await until(() => channelAt(env.ami, env.plainUser.user, at), 5000, `Asterisk's channel of ${env.plainUser.user}`);
  await page.evaluate(() => (globalThis as unknown as PlainApi).plainSip.hangUp());
  await noChannelOf(env.pbx, env.plainUser.user);
  return { toChannel: channel - at, toAudio: heardAt - at };
}

/** Records every click the side panel receives (trusted or not, on which mode button, enabled or not). */
async function recordPanelClicks(panel: Page): Promise<void> {
  await panel.evaluate(() => {
    const g = globalThis as unknown as { __benchClicks?: unknown[] };
    if (g.__benchClicks) return;
    const clicks: unknown[] = [];
    g.__benchClicks = clicks;
    document.addEventListener(
      'click',
      (event) => {
        const button = (event.target as Element | null)?.closest?.('button.earshot-mode-button') as HTMLElement | null | undefined;
        clicks.push({ at: Date.now(), trusted: event.isTrusted, mode: button?.dataset.mode ?? null, disabled: button?.getAttribute('aria-disabled') === 'true' });
      },
      true,
    );
  });
}

async function panelClicks(panel: Page, since: number): Promise<{ at: number; trusted: boolean; mode: string | null; disabled: boolean }[]> {
  const all = await panel.evaluate(() => (globalThis as unknown as { __benchClicks?: { at: number; trusted: boolean; mode: string | null; disabled: boolean }[] }).__benchClicks ?? []);
  return all.filter((c) => c.at >= since);
}

/** The real mouse on a mode button, aimed from its box just before the press; returns the press time. */
async function clickMode(panel: Page, mode: Mode): Promise<number> {
  const point = await panel.evaluate((m) => {
    const r = document.querySelector(`button.earshot-mode-button[data-mode="${m}"]`)?.getBoundingClientRect();
    return r ? [r.x + r.width / 2, r.y + r.height / 2] : null;
  }, mode);
  if (!point) throw new Error(`no ${mode} button in the panel`);
  const at = Date.now();
  await panel.mouse.click(point[0] ?? 0, point[1] ?? 0);
  return at;
}

function received(env: Env, since: number): { at: number; digit: string }[] {
  return env.ami.dtmfReceived(`PJSIP/${EARSHOT_USER}-`, since);
}

/** The engine's session log (the background's persisted copy; auditRetention is raised so nothing is dropped). */
async function engineLog(panel: Page, since: number): Promise<LogEntry[]> {
  const log = await panel.evaluate(async () => {
    const chromeApi = (globalThis as unknown as { chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome;
    const record = (await chromeApi.storage.session.get('earshot:coordinator'))['earshot:coordinator'] as { state?: { log?: unknown[] } } | undefined;
    return (record?.state?.log ?? []) as { at: number; kind: string; agent?: string; mode?: string; text: string }[];
  });
  return (log as LogEntry[]).filter((e) => e.at >= since && e.agent === AGENT);
}

/** Length of the longest common subsequence: digits matched in order between what was sent and what arrived. */
function matched(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 0; j < b.length; j++) row[j + 1] = x === b[j] ? (prev[j] ?? 0) + 1 : Math.max(prev[j + 1] ?? 0, row[j] ?? 0);
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Waits until the panel shows `mode` with nothing pending, and Asterisk's last digit from `since` is that mode's. */
async function settle(env: Env, panel: Page, mode: Mode, since: number, timeoutMs = 10_000): Promise<boolean> {
  return until(
    async () => {
      const view = await panelView(panel);
      const last = received(env, since).at(-1)?.digit;
      return view.pressed === mode && !view.pending && (last === undefined ? mode === 'listen' : MODE_OF_DIGIT[last] === mode);
    },
    timeoutMs,
    `the panel and Asterisk in ${mode}`,
  ).catch(() => false);
}

/** Part 2: isolated clicks (the previous switch settled at both ends), click → DTMFEnd. */
async function isolatedSwitches(env: Env, panel: Page, trace: DtmfTrace, method: Method, count: number, since: number): Promise<{ ms: number[]; toEngine: number[]; toWire: number[]; missed: number; mode: Mode }> {
  const order: Mode[] = ['whisper', 'barge', 'listen', 'barge', 'whisper', 'listen'];
  const ms: number[] = [];
  const clicks: { at: number; mode: Mode }[] = [];
  let missed = 0;
  let mode: Mode = (await panelView(panel)).pressed ?? 'listen';
  const rnd = seededRandom(7);
  for (let i = 0; i < count; i++) {
    const next = order[i % order.length] ?? 'listen';
    if (next === mode) continue;
    await settle(env, panel, mode, since);
    await sleep(200 + Math.floor(rnd() * 300));
    const at = await clickMode(panel, next);
    clicks.push({ at, mode: next });
    const digit = await until(() => received(env, at)[0], 5000, `DTMFEnd ${CODES[next]}`).catch(() => undefined);
    if (!digit || digit.digit !== CODES[next]) {
      missed += 1;
      console.warn(`bench asterisk: isolated click on ${next}: Asterisk received ${digit ? digit.digit : 'nothing'} within 5 s`);
    } else {
      ms.push(digit.at - at);
    }
    await until(async () => (await panelView(panel)).pressed === next, 10_000, `the panel in ${next}`).catch(() => undefined);
    mode = next;
  }
  // Where the time goes, from the trace in the offscreen document: click → the engine has the command → the digit goes on the wire.
  const traced = await trace.entries(since);
  const toEngine: number[] = [];
  const toWire: number[] = [];
  for (const c of clicks) {
    const command = traced.find((e) => e.kind === 'command' && e.at >= c.at && e.value === c.mode);
    const wire = traced.find((e) => e.at >= c.at && e.value === CODES[c.mode] && (method === 'info' ? e.kind === 'info' : e.kind === 'tone'));
    if (command) toEngine.push(command.at - c.at);
    if (wire) toWire.push(wire.at - c.at);
  }
  return { ms, toEngine, toWire, missed, mode };
}

/** Fast real-mouse clicks for the bursts: CDP input events (trusted, what Playwright's mouse sends too), pipelined. */
class FastMouse {
  private constructor(private readonly cdp: CDPSession) {}

  static async on(panel: Page): Promise<FastMouse> {
    return new FastMouse(await panel.context().newCDPSession(panel));
  }

  /** Clicks the centre of a mode button; returns the press time. */
  async click(centres: Record<Mode, readonly [number, number]>, mode: Mode): Promise<number> {
    const [x, y] = centres[mode];
    const at = Date.now();
    await Promise.all([
      this.cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y }),
      this.cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', buttons: 1, clickCount: 1 }),
      this.cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 }),
    ]);
    return at;
  }

  /** A burst: click i pressed `gapMs` × i after the first, each sent without waiting for the one before (as fast clicks are). Returns the press times. */
  async burst(centres: Record<Mode, readonly [number, number]>, modes: readonly Mode[], gapMs: number): Promise<number[]> {
    const start = Date.now();
    const presses = modes.map(
      (mode, i) =>
        new Promise<number>((resolve, reject) => {
          setTimeout(() => {
            const [x, y] = centres[mode];
            const at = Date.now();
            Promise.all([
              this.cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y }),
              this.cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', buttons: 1, clickCount: 1 }),
              this.cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 }),
            ]).then(() => resolve(at), reject);
          }, Math.max(0, start + i * gapMs - Date.now()));
        }),
    );
    return Promise.all(presses);
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}

async function modeCentres(panel: Page): Promise<Record<Mode, readonly [number, number]>> {
  return panel.evaluate((modes) => {
    const out: Record<string, [number, number]> = {};
    for (const m of modes) {
      const r = document.querySelector(`button.earshot-mode-button[data-mode="${m}"]`)?.getBoundingClientRect();
      if (!r) throw new Error(`no ${m} button in the panel`);
      out[m] = [r.x + r.width / 2, r.y + r.height / 2];
    }
    return out as Record<Mode, [number, number]>;
  }, MODES as Mode[]);
}

/** Part 3: varied pauses and bursts on one session; every digit on the wire against what Asterisk received. */
async function stressSwitches(env: Env, s: ChromiumSession, panel: Page, trace: DtmfTrace, method: Method, target: number, from: Mode, sessionSince: number): Promise<StressFigures> {
  const rnd = seededRandom(method === 'rfc4733' ? 4733 : 2976);
  const pick = (last: Mode) => {
    const others = MODES.filter((m) => m !== last);
    return others[Math.floor(rnd() * others.length)] ?? 'listen';
  };
  const pause = () => sleep(50 + Math.floor(rnd() * 551));
  const mouse = await FastMouse.on(panel);
  await traceBackgroundModes(worker(s));
  const start = Date.now();
  let last = from;
  let clicks = 0;
  let bursts = 0;
  let checks = 0;
  let wrongFinalMode = 0;
  let panelNotLastClicked = 0;
  let panelLate = 0;
  let unsettled = 0;
  const spans: number[] = [];
  const notes: string[] = [];
  const note = (text: string) => {
    if (notes.length < 8) notes.push(text);
  };
  try {
    while (clicks < target) {
      const singles = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < singles && clicks < target; i++) {
        last = pick(last);
        await mouse.click(await modeCentres(panel), last);
        clicks += 1;
        await pause();
      }
      const size = 3 + Math.floor(rnd() * 3);
      const modes: Mode[] = [];
      for (let i = 0; i < size; i++) modes.push((last = pick(last)));
      const centres = await modeCentres(panel);
      const burstStart = Date.now();
      // 3–5 clicks about 25 ms apart: within about 100 ms.
      const presses = await mouse.burst(centres, modes, 25);
      clicks += size;
      spans.push((presses.at(-1) ?? burstStart) - (presses[0] ?? burstStart));
      bursts += 1;
      // What the panel really got (a button may have moved under the mouse): the last trusted click on an enabled mode button.
      const hits = (await panelClicks(panel, burstStart)).filter((c) => c.trusted && c.mode !== null && !c.disabled);
      const asked = (hits.at(-1)?.mode as Mode | undefined) ?? last;
      // The burst settles: the panel has nothing pending (twice, 250 ms apart: it hears of the last clicks a little later).
      await sleep(250);
      const view = await until(async () => {
        const v = await panelView(panel);
        if (v.pending || !v.pressed) return undefined;
        await sleep(250);
        const again = await panelView(panel);
        return !again.pending && again.pressed === v.pressed ? again : undefined;
      }, 15_000, 'the panel to settle').catch(() => undefined);
      checks += 1;
      if (!view?.pressed) {
        unsettled += 1;
        note(`burst ${bursts}: the panel did not settle within 15 s`);
        continue;
      }
      let shown = view.pressed;
      if (shown !== asked) {
        // Slow, or never? Give the panel 3 s more to reach the mode clicked last.
        const later = await until(async () => {
          const v = await panelView(panel);
          return v.pressed === asked && !v.pending ? v : undefined;
        }, 3000, 'the panel in the last mode clicked').catch(() => undefined);
        if (later) {
          panelLate += 1;
          shown = asked;
        } else {
          panelNotLastClicked += 1;
          const background = (await backgroundModes(worker(s), burstStart)) ?? [];
          const engine = (await trace.entries(burstStart)).filter((e) => e.kind === 'command');
          note(`burst ${bursts}: the panel settled in ${shown}, the last click asked for ${asked} (clicked ${hits.map((h) => h.mode).join(' → ')}; the background got ${background.map((b) => b.mode).join(' → ')}; the engine got ${engine.map((e) => e.value).join(' → ')})`);
        }
      }
      // Asterisk's mode: its last digit of the whole session (Listen before any).
      const asteriskMode = () => MODE_OF_DIGIT[received(env, sessionSince).at(-1)?.digit ?? CODES.listen];
      const settledShown = shown;
      const agrees = await until(() => asteriskMode() === settledShown, 3000, 'Asterisk in the panel mode')
        .then(() => true)
        .catch(() => false);
      if (!agrees) {
        wrongFinalMode += 1;
        note(`burst ${bursts}: the panel shows ${shown}, Asterisk is in ${asteriskMode() ?? '?'} (last digit ${received(env, sessionSince).at(-1)?.digit ?? 'none'})`);
      }
      last = (await panelView(panel)).pressed ?? shown;
      await pause();
    }
  } finally {
    await mouse.close();
  }
  await settle(env, panel, last, sessionSince);
  await sleep(1500);
  const got = received(env, start).map((d) => d.digit);
  const traced: DtmfTraceEntry[] = await trace.entries(start);
  const onWire = traced.filter((e) => (method === 'info' ? e.kind === 'info' : e.kind === 'tone' && e.value !== '')).map((e) => e.value);
  const inserts = traced.filter((e) => e.kind === 'insert');
  const log = await engineLog(panel, start);
  const reported = log.filter((e) => e.kind === 'mode' && e.mode).map((e) => CODES[e.mode as Mode]);
  const failed = log.filter((e) => e.kind === 'error');
  for (const f of failed.slice(0, 3)) note(`engine: ${f.text}`);
  const both = matched(onWire, got);
  const onButtons = (await panelClicks(panel, start)).filter((c) => c.trusted && c.mode !== null && !c.disabled).length;
  const atBackground = await backgroundModes(worker(s), start);
  return {
    clicks,
    clicksOnButtons: onButtons,
    atBackground: atBackground?.length ?? NaN,
    atEngine: traced.filter((e) => e.kind === 'command').length,
    bursts,
    burstSpanMs: summarize(spans).median,
    switchesReported: reported.length,
    switchesFailed: failed.length,
    inserts: inserts.length,
    replacedInBrowser: inserts.filter((e) => (e.replaced ?? '') !== '').length,
    sent: onWire.length,
    received: got.length,
    lost: onWire.length - both,
    extra: got.length - both,
    reportedNotSent: reported.length - matched(reported, onWire),
    checks,
    wrongFinalMode,
    panelNotLastClicked,
    panelLate,
    unsettled,
    notes,
    seconds: (Date.now() - start) / 1000,
  };
}

interface SessionOptions {
  method: Method;
  warmRuns: number;
  plainFirst: boolean;
  isolated: number;
  stress: number;
}

/** Earshot's idea of the agent's call (the background's persisted state, read by an extension page). */
async function agentCall(panel: Page): Promise<{ dialog?: string; remote?: { uri: string } } | undefined> {
  return panel.evaluate(async (ext) => {
    const chromeApi = (globalThis as unknown as { chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome;
    const record = (await chromeApi.storage.session.get('earshot:coordinator'))['earshot:coordinator'] as
      | { state?: { agents?: Record<string, { dialog?: string; remote?: { uri: string } }> } }
      | undefined;
    return record?.state?.agents?.[ext];
  }, AGENT);
}

/**
 * The customer calls the agent until Earshot knows who the agent talks to
 * (Whisper needs it; Asterisk names the remote party only in the early
 * NOTIFY). Asterisk's SIP logger is on around each call, so a call that
 * leaves Earshot without the remote party says what Asterisk sent. Returns
 * those notes (empty: the first call did it).
 */
async function customerCallKnown(env: Env, panel: Page): Promise<string[]> {
  const notes: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await env.pbx.sipLogger(true);
    const mark = env.pbx.logMark();
    await env.pbx.customerCall(AGENT, 0);
    const known = await until(async () => (await agentCall(panel))?.remote, 5000, 'Earshot to know the remote party').catch(() => undefined);
    await env.pbx.sipLogger(false);
    if (known) return notes;
    const sent = env.pbx.notifiesSent(mark).filter((n) => n.to === EARSHOT_USER && n.entity === AGENT);
    const seen = await agentCall(panel);
    notes.push(`customer call ${attempt}: Earshot did not learn the remote party (its state: ${seen?.dialog ?? 'none'}); Asterisk's dialog NOTIFYs to ${EARSHOT_USER}: ${sent.map((n) => `${n.state}${n.remote ? ` naming ${n.remote}` : ''}`).join(', ') || 'none'}`);
    console.warn(`bench asterisk: ${notes.at(-1)}`);
    await endAllCalls(env.pbx);
    await until(async () => ['idle', 'terminated'].includes((await agentCall(panel))?.dialog ?? ''), 10_000, 'Earshot to see the agent idle').catch(() => undefined);
  }
  throw new Error(`Earshot never learnt the remote party of ${AGENT}'s call, so Whisper stays off: ${notes.join('; ')}`);
}

/** One fresh browser: cold then warm clicks alternating Earshot and the plain page, then (optionally) the mode switches. */
async function browserRun(env: Env, o: SessionOptions) {
  await endAllCalls(env.pbx);
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT, fakeAudio: join(env.pbx.info.tone_files, 'tone-900.wav') });
  let trace: DtmfTrace | undefined;
  try {
    const panel = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    const portal = await s.context.newPage();
    const plain = await s.context.newPage();
    await plain.goto(env.plainUrl);
    const contactsBefore = new Set((await env.pbx.contacts()).map((c) => c.uri));
    const settings = { ...asteriskSettings(env.pbx.info, env.portalOrigin, { id: 'asterisk-chanspy', dtmfMethod: o.method }), auditRetention: 10_000 };
    await storeSettings(worker(s), settings);
    await until(async () => (await panel.locator('.earshot-reg-label').textContent({ timeout: 1000 })) === 'Ready', 30_000, 'the panel to say Ready');
    await until(async () => (await env.pbx.contacts()).some((c) => c.aor === EARSHOT_USER && !contactsBefore.has(c.uri)), 20_000, `a new registration of ${EARSHOT_USER}`);
    // Registered: the engine (offscreen document) is up; traced from here on.
    trace = await DtmfTrace.install(s.context, s.extensionId);
    const traceOf = trace;
    await portal.goto(env.portalUrl);
    await until(async () => (await env.pbx.subscriptions()).some((x) => x.endpoint === EARSHOT_USER && x.resource === AGENT && x.event === 'dialog'), 20_000, `${EARSHOT_USER} watching ${AGENT}`);
    await plain.evaluate(
      (config) => (globalThis as unknown as PlainApi).plainSip.register(config),
      { wsUrl: env.pbx.info.ws_url, domain: env.pbx.info.sip_domain, username: env.plainUser.user, password: env.plainUser.password },
    );
    await until(async () => (await env.pbx.contacts()).some((c) => c.aor === env.plainUser.user && !contactsBefore.has(c.uri)), 10_000, `${env.plainUser.user} registered`);
    // Placed after Earshot watches 1001: only the early NOTIFY names the customer, and Whisper needs that.
    const callNotes = await customerCallKnown(env, panel);
    await until(async () => (await portal.locator(`tr[data-ext="${AGENT}"] earshot-monitor-icon:not([hidden])`).count()) > 0, 15_000, `the icon of ${AGENT}`);

    const earshot: ClickToAudio[] = [];
    const baseline: ClickToAudio[] = [];
    const runEarshot = async () => {
      earshot.push(await earshotClick(env, portal, panel, traceOf));
      await hangUpEarshot(env, panel);
    };
    const runPlain = async () => {
      baseline.push(await plainClick(env, plain));
    };
    for (let i = 0; i <= o.warmRuns; i++) {
      // Alternating which one goes first, so each is first in some browsers.
      const pair = (o.plainFirst ? i % 2 === 0 : i % 2 === 1) ? [runPlain, runEarshot] : [runEarshot, runPlain];
      for (const step of pair) await step();
    }
    const result = {
      earshotCold: earshot.slice(0, 1),
      earshotWarm: earshot.slice(1),
      plainCold: baseline.slice(0, 1),
      plainWarm: baseline.slice(1),
      ratio: summarize(earshot.slice(1).map((r) => r.toAudio)).median / summarize(baseline.slice(1).map((r) => r.toAudio)).median,
      callNotes,
      isolated: [] as number[],
      isolatedToEngine: [] as number[],
      isolatedToWire: [] as number[],
      missed: 0,
      stress: undefined as StressFigures | undefined,
    };
    if (o.isolated === 0 && o.stress === 0) return result;

    // The supervisor now works in the side panel.
    await portal.bringToFront();
    await clickIcon(portal, AGENT);
    await panel.bringToFront();
    await until(async () => {
      const v = await panelView(panel);
      return v.status === 'active' && v.pressed === 'listen';
    }, 20_000, 'the panel in Listen on an active session');
    const view = await until(async () => {
      const v = await panelView(panel);
      return v.whisperDisabled ? undefined : v;
    }, 10_000, 'Whisper to be available (Earshot saw the call ring)').catch(() => undefined);
    if (!view) {
      const reason = await panel.locator('.earshot-reason').allTextContents();
      throw new Error(`Whisper stays unavailable although Earshot knows the remote party (${JSON.stringify((await agentCall(panel))?.remote)}): ${reason.join(' / ')}`);
    }
    await recordPanelClicks(panel);
    const since = Date.now();
    const iso = await isolatedSwitches(env, panel, traceOf, o.method, o.isolated, since);
    result.isolated = iso.ms;
    result.isolatedToEngine = iso.toEngine;
    result.isolatedToWire = iso.toWire;
    result.missed = iso.missed;
    if (o.stress > 0) {
      await settle(env, panel, iso.mode, since);
      result.stress = await stressSwitches(env, s, panel, traceOf, o.method, o.stress, iso.mode, since);
    }
    await hangUpEarshot(env, panel);
    return result;
  } finally {
    await trace?.close().catch(() => undefined);
    await s.close();
    await endAllCalls(env.pbx).catch(() => undefined);
  }
}

export async function benchAsterisk(options: { warmRuns?: number; isolated?: number; stress?: number; extraBrowsers?: number } = {}): Promise<AsteriskFigures> {
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? NaN;
  const pbx = await startAsterisk('bench');
  const closers: (() => Promise<void>)[] = [() => pbx.stop()];
  try {
    const plainUser = await addWebrtcSupervisor(pbx);
    const ami = await Ami.connect(pbx.info);
    closers.unshift(async () => ami.close());
    const site = await startStaticPortal([{ ext: AGENT, name: 'Alice Agent' }]);
    closers.unshift(() => site.close());
    const plain = await servePlainPage(AGENT, pbx.info.sip_domain);
    closers.unshift(() => plain.close());
    const env: Env = { pbx, ami, portalOrigin: site.origin, portalUrl: site.url, plainUrl: plain.url, plainUser };
    const figures: AsteriskFigures = {
      version: pbx.info.version,
      earshotCold: [],
      earshotWarm: [],
      plainCold: [],
      plainWarm: [],
      coldPlainFirst: [],
      warmRatios: [],
      modeSwitch: { rfc4733: [], info: [] },
      modeSwitchToEngine: { rfc4733: [], info: [] },
      modeSwitchToWire: { rfc4733: [], info: [] },
      modeSwitchMissed: { rfc4733: 0, info: 0 },
      stress: {},
      callNotes: [],
      browsers: 0,
      seconds: 0,
      load: [loadAtStart, NaN],
    };
    const runs: SessionOptions[] = [
      ...METHODS.map((method, i) => ({ method, warmRuns: options.warmRuns ?? 5, plainFirst: i % 2 === 1, isolated: options.isolated ?? 20, stress: options.stress ?? 200 })),
      ...Array.from({ length: options.extraBrowsers ?? 2 }, (_, i) => ({ method: 'rfc4733' as const, warmRuns: 3, plainFirst: (METHODS.length + i) % 2 === 1, isolated: 0, stress: 0 })),
    ];
    for (const run of runs) {
      console.log(`bench asterisk: browser ${figures.browsers + 1} of ${runs.length} (${run.method}${run.stress ? `, ${run.stress} switches` : ''})…`);
      const r = await browserRun(env, run);
      figures.browsers += 1;
      figures.earshotCold.push(...r.earshotCold);
      figures.earshotWarm.push(...r.earshotWarm);
      figures.plainCold.push(...r.plainCold);
      figures.plainWarm.push(...r.plainWarm);
      figures.coldPlainFirst.push(run.plainFirst);
      figures.warmRatios.push(r.ratio);
      if (run.isolated > 0) {
        figures.modeSwitch[run.method].push(...r.isolated);
        figures.modeSwitchToEngine[run.method].push(...r.isolatedToEngine);
        figures.modeSwitchToWire[run.method].push(...r.isolatedToWire);
        figures.modeSwitchMissed[run.method] += r.missed;
      }
      if (r.stress) figures.stress[run.method] = r.stress;
      figures.callNotes.push(...r.callNotes);
    }
    figures.seconds = (Date.now() - started) / 1000;
    figures.load = [loadAtStart, loadavg()[0] ?? NaN];
    return figures;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}

const HEADING = '## Real Asterisk 22';

/** The section of docs/BENCHMARKS.md. */
export function asteriskSection(f: AsteriskFigures): string[] {
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  const list = (rs: ClickToAudio[], key: 'toChannel' | 'toAudio') => rs.map((r) => `${r[key]}`).join(', ');
  const warm = (rs: ClickToAudio[], key: 'toChannel' | 'toAudio') => summaryText(summarize(rs.map((r) => r[key])));
  out(`${HEADING} (${f.version}, real Chromium, ChanSpy *222 with DTMF 4 / 5 / 6)`);
  out();
  out(`The PBX of ../shared/pbx/asterisk on loopback, started for this run: agents are baresip phones, a customer call (440 Hz) is up on ${AGENT}, placed after Earshot watched ${AGENT} (so its early NOTIFY names the customer and Whisper is on). Earshot (the e2e build) is registered as 2001 and clicked on a static portal page read by the generic adapter; the plain sip.js page (bench/plain-sipjs) is registered as 2003, a second WebRTC supervisor the bench adds to its own ROOT's pjsip.conf (modelled on 2001: webrtc=yes, ulaw), and dials the same *222${AGENT}. ${f.browsers} fresh browsers, ${f.seconds.toFixed(0)} s in all; the machine's load average was ${fmt(f.load[0], 1)} at the start and ${fmt(f.load[1], 1)} at the end (other browser runs share its 2 cores).`);
  out();
  out(`Click → channel: from the real mouse click (Earshot's speaker icon in the portal, the plain page's Listen button) to Asterisk creating the supervisor's channel (AMI Newchannel). Click → audio: to the first audio heard (RMS ≥ 0.005, watched every 20 ms in both; Earshot's \`data-heard-at\`). Cold: a fresh browser profile's first call (Earshot's and the plain page's firsts are in the same browser; which one went first alternates: ${f.coldPlainFirst.map((p) => (p ? 'plain' : 'Earshot')).join(', ')}); warm: the following calls, alternating Earshot and the plain page, each hung up before the next.`);
  out();
  out('| | Earshot | plain sip.js page |');
  out('|---|---|---|');
  out(`| cold, click → channel (ms, each browser) | ${list(f.earshotCold, 'toChannel')} | ${list(f.plainCold, 'toChannel')} |`);
  out(`| cold, click → audio (ms, each browser) | ${list(f.earshotCold, 'toAudio')} | ${list(f.plainCold, 'toAudio')} |`);
  out(`| warm, click → channel | ${warm(f.earshotWarm, 'toChannel')} | ${warm(f.plainWarm, 'toChannel')} |`);
  out(`| warm, click → audio | ${warm(f.earshotWarm, 'toAudio')} | ${warm(f.plainWarm, 'toAudio')} |`);
  out();
  const path = (rs: ClickToAudio[], key: 'toEngine' | 'toInvite') => rs.map((r) => r[key]).filter((v): v is number => v !== undefined);
  out(`Earshot's way there, traced in its offscreen document (the SIP engine): click → the engine has the start command (content script → service worker → offscreen document): cold ${path(f.earshotCold, 'toEngine').join(', ')} ms, warm median ${fmt(summarize(path(f.earshotWarm, 'toEngine')).median, 0)} ms; click → the first INVITE written to the WebSocket: cold ${path(f.earshotCold, 'toInvite').join(', ')} ms, warm median ${fmt(summarize(path(f.earshotWarm, 'toInvite')).median, 0)} ms.`);
  out();
  const ratios = summarize(f.warmRatios);
  const coldRatios = summarize(f.earshotCold.map((e, i) => e.toAudio / (f.plainCold[i]?.toAudio ?? NaN)));
  out(`Warm ratio Earshot / plain page, click → audio (median of each browser's medians): ${fmt(ratios.median)} (min ${fmt(ratios.min)}, max ${fmt(ratios.max)}, ${ratios.n} browsers). Cold ratio (each browser's pair): median ${fmt(coldRatios.median)} (min ${fmt(coldRatios.min)}, max ${fmt(coldRatios.max)}).`);
  out();
  if (f.callNotes.length > 0) {
    out(`Customer calls placed again because Earshot did not learn who the agent talks to (Whisper needs it; only Asterisk's early NOTIFY names the customer): ${f.callNotes.join('; ')}.`);
    out();
  }
  out("Mode click in the side panel (real mouse, chrome-extension://…/sidepanel.html as a tab) → Asterisk's AMI `DTMFEnd` (Direction: Received) on PJSIP/2001, clicked one at a time (the previous switch settled in the panel and at Asterisk, then 200–500 ms):");
  out();
  for (const method of METHODS) {
    const label = method === 'info' ? 'SIP INFO (application/dtmf-relay)' : 'RFC 4733';
    out(`- ${label}: ${summaryText(summarize(f.modeSwitch[method]))}; clicks Asterisk never acted on (no DTMFEnd with the mode's digit within 5 s): ${f.modeSwitchMissed[method]}. Of which click → the engine has the command: median ${fmt(summarize(f.modeSwitchToEngine[method]).median, 0)} ms; click → the digit on the wire (${method === 'info' ? 'INFO written to the WebSocket' : 'the browser starts the tone'}): median ${fmt(summarize(f.modeSwitchToWire[method]).median, 0)} ms.`);
  }
  out();
  const stress = METHODS.map((m) => [m, f.stress[m]] as const).filter((e): e is readonly [Method, StressFigures] => e[1] !== undefined);
  if (stress.length > 0) {
    out("Lost switches: one session per method, mode clicks with pauses of 50–600 ms and, after every one to three of them, a burst of 3–5 clicks about 25 ms apart (real mouse events through CDP; seeded, the same every run). Earshot's mode queue coalesces fast clicks (one switch running, the last one asked for waiting), so not every click becomes a digit. What went on the wire is traced inside the offscreen document (the SIP engine): tones the browser's RTCDTMFSender started playing (RFC 4733), SIP INFO requests written to the WebSocket (INFO). Lost: digits on the wire that Asterisk never reported as DTMFEnd (the two sequences aligned in order); extra: the reverse. After each burst settled (the panel with nothing pending), Asterisk's mode (its last digit) is compared with the panel's: a difference is a wrong final mode; and the panel's mode with the last mode clicked (what the mode queue promises). Set-mode at the background / at the engine: the panel's set-mode messages the service worker received, and the set-mode commands the engine (offscreen document) received from it; the difference is clicks dropped on the way.");
    out();
    out('| DTMF | clicks (on enabled buttons) | set-mode at the background / at the engine | bursts (median span) | switches Earshot reported (failed) | digits on the wire | received by Asterisk | lost | extra | reported, not on the wire | inserts replacing a waiting digit | wrong final mode (checks) | panel never in the last mode clicked (only late) | time |');
    out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [method, s] of stress) {
      out(`| ${method === 'info' ? 'SIP INFO' : 'RFC 4733'} | ${s.clicks} (${s.clicksOnButtons}) | ${s.atBackground} / ${s.atEngine} | ${s.bursts} (${fmt(s.burstSpanMs, 0)} ms) | ${s.switchesReported} (${s.switchesFailed}) | ${s.sent} | ${s.received} | ${s.lost} | ${s.extra} | ${s.reportedNotSent} | ${method === 'info' ? '–' : s.replacedInBrowser} | ${s.wrongFinalMode} (${s.checks}) | ${s.panelNotLastClicked} (${s.panelLate}) | ${s.seconds.toFixed(0)} s |`);
    }
    const notes = stress.flatMap(([method, s]) => s.notes.map((n) => `${method}: ${n}`));
    if (notes.length > 0) {
      out();
      out(`First problems seen: ${notes.join('; ')}.`);
    }
    out();
  }
  return lines;
}

// `npx tsx bench/asterisk.ts`: this part alone, printed and put into docs/BENCHMARKS.md.
if (process.argv[1]?.endsWith('bench/asterisk.ts')) {
  const env = (name: string) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : undefined);
  const figures = await benchAsterisk({
    warmRuns: env('EARSHOT_BENCH_ASTERISK_WARM'),
    isolated: env('EARSHOT_BENCH_ASTERISK_ISOLATED'),
    stress: env('EARSHOT_BENCH_ASTERISK_SWITCHES'),
    extraBrowsers: env('EARSHOT_BENCH_ASTERISK_EXTRA'),
  });
  const section = asteriskSection(figures);
  console.log(JSON.stringify(figures));
  console.log(section.join('\n'));
  if (process.env.EARSHOT_BENCH_NO_WRITE !== '1') spliceSection('docs/BENCHMARKS.md', HEADING, section);
}
