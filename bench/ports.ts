// Bytes per second over the extension's messaging (long-lived ports and
// runtime.sendMessage) and storage.session writes per second during a live
// monitor session: real Chromium, the built extension, the lab.
//
// Instrumentation is done from outside, by CDP evaluate, so any build can be
// measured (the base commit's too): in the service worker, the offscreen
// document, the side panel and the portal content script's world,
// runtime.sendMessage is wrapped, and in the service worker every port opened
// to it (both directions) and storage.session.set too. Sizes are the JSON text of each
// message, which is what Chrome serializes extension messages as. A broadcast
// sendMessage is counted once, at its sender (every extension page then
// receives it).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startLab } from '../lab/index';
import { CHROME_E2E_OUT, launchChromium } from '../tests/e2e/support/browsers';
import { evaluateInContentScript } from '../tests/e2e/support/portal';
import { labSettings, storeSettings, toneWav, until } from '../tests/e2e/support/lab-client';
import { clickIcon, signIn } from '../tests/e2e/support/portal';
import { browserSession, TargetSession, targets } from './support/cdp-target';

/** What one context sent while measured. */
export interface ContextTraffic {
  context: string;
  portMessages: number;
  portBytes: number;
  sendMessages: number;
  sendBytes: number;
  storageWrites: number;
  storageBytes: number;
  /** Service worker only: messages per port (name and opener's path). */
  ports?: Record<string, number>;
}

export interface PortsFigures {
  extensionDir: string;
  seconds: number;
  contexts: ContextTraffic[];
  /** All contexts: port + sendMessage bytes per second. */
  bytesPerSecond: number;
  messagesPerSecond: number;
  storageWritesPerSecond: number;
  storageBytesPerSecond: number;
}

/**
 * Installed once per context; idempotent. Counts what this context sends by
 * runtime.sendMessage and storage.session.set and, in the service worker
 * (`ports`), both ways of every port opened to it from then on: every port of
 * Earshot has the background at one end. Port methods are own properties of
 * each port, made when it connects (no shared method to patch), so the bench
 * instruments the worker before any UI opens.
 */
const instrument = (ports: boolean) => `(() => {
  const g = globalThis;
  if (g.__earshotBench) return 'already';
  const stats = { portMessages: 0, portBytes: 0, sendMessages: 0, sendBytes: 0, storageWrites: 0, storageBytes: 0, ports: {} };
  g.__earshotBench = stats;
  const size = (m) => { try { return (JSON.stringify(m) ?? '').length; } catch { return 0; } };
  const c = g.chrome;
  if (${ports}) {
    // Runs after the extension's own listeners, before anything is posted (the first post waits on a promise).
    c.runtime.onConnect.addListener((port) => {
      const post = port.postMessage;
      const key = 'port ' + port.name + ' ' + (port.sender && port.sender.url ? new URL(port.sender.url).pathname : '');
      const count = (message) => { stats.portMessages += 1; stats.portBytes += size(message); stats.ports[key] = (stats.ports[key] || 0) + 1; };
      port.postMessage = function (message) { count(message); return post.call(this, message); };
      port.onMessage.addListener(count);
    });
  }
  // Looked up at call time by webextension-polyfill and @webext-core/messaging alike.
  const send = c.runtime.sendMessage;
  c.runtime.sendMessage = function (...args) {
    const message = typeof args[0] === 'string' ? args[1] : args[0];
    stats.sendMessages += 1; stats.sendBytes += size(message);
    return send.apply(this, args);
  };
  const area = c.storage && c.storage.session;
  if (area) {
    const set = area.set;
    area.set = function (items, ...rest) {
      stats.storageWrites += 1; stats.storageBytes += size(items);
      return set.call(this, items, ...rest);
    };
  }
  return 'ok';
})()`;

/** Name of the port the engine host opens to the background (builds that link by port). */
const ENGINE_PORT_NAME = 'earshot:engine';

const RESET = `(() => { const s = globalThis.__earshotBench; for (const k of Object.keys(s)) s[k] = k === 'ports' ? {} : 0; return true; })()`;
const READ = `(() => ({ ...globalThis.__earshotBench }))()`;

interface Probe {
  name: string;
  evaluate<T>(expression: string): Promise<T>;
}

export async function benchPorts(options: { seconds?: number; extensionDir?: string } = {}): Promise<PortsFigures> {
  const seconds = options.seconds ?? 20;
  const extensionDir = resolve(options.extensionDir ?? CHROME_E2E_OUT);
  const lab = await startLab({ sipPort: 0, httpPort: 0, quiet: process.env.EARSHOT_BENCH_VERBOSE !== '1' });
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-ports-'));
  const s = await launchChromium({ extensionDir, fakeAudio: toneWav(dir, 900, 60) });
  const attached: TargetSession[] = [];
  try {
    await s.worker.evaluate(instrument(true));
    // The offscreen document was made at the worker's start, before the counters. Where it links by a
    // port, close it once: the background sees the port close and makes a new one (what a crashed
    // document gets), whose port is then counted. Older builds link by sendMessage, counted anywhere.
    const scripts = [join(extensionDir, 'background.js'), ...readdirSync(join(extensionDir, 'chunks')).map((f) => join(extensionDir, 'chunks', f))];
    const byPort = scripts.some((file) => readFileSync(file, 'utf8').includes(ENGINE_PORT_NAME));
    if (process.env.EARSHOT_BENCH_VERBOSE === '1') console.log(`bench: engine link by ${byPort ? 'port (document re-made once)' : 'sendMessage'}`);
    // None yet (the worker has not made it): the one it makes later is counted anyway.
    if (byPort) await s.worker.evaluate(`chrome.offscreen.closeDocument().then(() => 'closed', (error) => String(error))`);
    await storeSettings(s.worker, labSettings(lab));
    const panel: Page = await s.context.newPage();
    await panel.goto(`chrome-extension://${s.extensionId}/sidepanel.html`);
    await until(() => panel.locator('.earshot-reg-label').textContent().then((t) => t === 'Ready'), 20_000, 'Ready');
    const portal = await s.context.newPage();
    await signIn(portal, lab.httpUrl, '2001');

    const cdp = await browserSession(s.context);
    const offscreenTarget = await until(async () => (await targets(cdp)).find((t) => t.url.endsWith('/offscreen.html')), 10_000, 'the offscreen document');
    const offscreen = await TargetSession.attach(cdp, offscreenTarget);
    attached.push(offscreen);
    const probes: Probe[] = [
      { name: 'service worker', evaluate: (e) => s.worker.evaluate(e) },
      { name: 'offscreen document', evaluate: (e) => offscreen.evaluate(e) },
      { name: 'side panel', evaluate: (e) => panel.evaluate(e) },
      { name: 'portal content script', evaluate: (e) => evaluateInContentScript(portal, s.extensionId, e) },
    ];
    for (const probe of probes.slice(1)) await probe.evaluate(instrument(false));

    // A live session: the real click on the portal's icon, then Listen until audio is heard.
    await portal.bringToFront();
    const clickedAt = await clickIcon(portal, '1001');
    await until(async () => {
      const value = Number(await panel.locator('.earshot-panel').getAttribute('data-heard-at'));
      return value > clickedAt ? value : undefined;
    }, 20_000, 'Earshot hearing the call');
    await panel.bringToFront();

    for (const probe of probes) await probe.evaluate(RESET);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const contexts: ContextTraffic[] = [];
    for (const probe of probes) contexts.push({ context: probe.name, ...(await probe.evaluate<Omit<ContextTraffic, 'context'>>(READ)) });
    const elapsed = (Date.now() - started) / 1000;
    const sum = (key: keyof Omit<ContextTraffic, 'context' | 'ports'>) => contexts.reduce((n, c) => n + c[key], 0);
    await panel.getByRole('button', { name: 'Hang up' }).click();
    return {
      extensionDir,
      seconds: elapsed,
      contexts,
      bytesPerSecond: (sum('portBytes') + sum('sendBytes')) / elapsed,
      messagesPerSecond: (sum('portMessages') + sum('sendMessages')) / elapsed,
      storageWritesPerSecond: sum('storageWrites') / elapsed,
      storageBytesPerSecond: sum('storageBytes') / elapsed,
    };
  } finally {
    for (const t of attached) await t.detach();
    await s.close();
    await lab.close();
  }
}

/** Lines for docs/BENCHMARKS.md: one table of the run. */
export function portsTable(figures: PortsFigures, label: string): string[] {
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const per = (n: number) => f(n / figures.seconds);
  const lines = [
    `**${label}** (${figures.seconds.toFixed(1)} s of Listen): ${f(figures.bytesPerSecond)} bytes/s over ports and sendMessage (${f(figures.messagesPerSecond)} messages/s); storage.session ${figures.storageWritesPerSecond.toFixed(2)} writes/s (${f(figures.storageBytesPerSecond)} bytes/s).`,
    '',
    '| context (sender) | port messages/s | port bytes/s | sendMessage/s | sendMessage bytes/s | storage.session writes/s | bytes written/s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of figures.contexts) {
    lines.push(`| ${c.context} | ${per(c.portMessages)} | ${per(c.portBytes)} | ${per(c.sendMessages)} | ${per(c.sendBytes)} | ${(c.storageWrites / figures.seconds).toFixed(2)} | ${per(c.storageBytes)} |`);
  }
  lines.push('');
  return lines;
}

/** Runs of this build (and of a base build, when given) for {@link portsSection}. */
export interface PortsRuns {
  after: PortsFigures[];
  before?: PortsFigures[];
  /** What the base build is (e.g. a commit). */
  beforeLabel?: string;
}

export async function benchPortsRuns(options: { runs?: number; seconds?: number; baseDir?: string; baseLabel?: string } = {}): Promise<PortsRuns> {
  const runs = options.runs ?? 2;
  const result: PortsRuns = { after: [] };
  if (options.baseDir) {
    result.before = [];
    result.beforeLabel = options.baseLabel ?? options.baseDir;
  }
  for (let i = 0; i < runs; i++) {
    // Interleaved, so both builds see the same machine load.
    if (options.baseDir) result.before?.push(await benchPorts({ seconds: options.seconds, extensionDir: options.baseDir }));
    result.after.push(await benchPorts({ seconds: options.seconds }));
  }
  return result;
}

/** The docs/BENCHMARKS.md section "Ports and storage during a live session". */
export function portsSection(runs: PortsRuns): string[] {
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const each = (rs: PortsFigures[], key: 'bytesPerSecond' | 'messagesPerSecond' | 'storageWritesPerSecond' | 'storageBytesPerSecond') =>
    rs.map((r) => (key === 'storageWritesPerSecond' ? r[key].toFixed(2) : f(r[key]))).join(', ');
  const lines = [
    '## Ports and storage during a live session (real Chromium, the lab, Listen)',
    '',
    "A monitor session started by a real click on the portal's icon, the side panel and the in-page panel open, then measured for the stated seconds of Listen (the level meter running). Counted inside the extension by wrappers installed over CDP (`bench/ports.ts`): in the service worker every port opened to it, both ways (every Earshot port has the background at one end; the worker is instrumented before any UI opens, and a build whose engine links by port has its offscreen document re-made once so that port is counted too), and `storage.session.set`; `runtime.sendMessage` in the worker, the offscreen document, the side panel and the content script. Bytes are the JSON text of each message. Each figure is one run; runs alternate between the builds.",
    '',
    `Command: \`tsx bench/ports.ts${runs.before ? ' --base <base build>/e2e/chrome-mv3' : ''}\` (part of \`npm run bench\`; \`EARSHOT_BENCH_PORTS_BASE\` names a base build there).`,
    '',
    '| build | bytes/s over ports and sendMessage | messages/s | storage.session writes/s | bytes written/s |',
    '|---|---|---|---|---|',
  ];
  if (runs.before && runs.before.length > 0) {
    lines.push(`| before (${runs.beforeLabel}) | ${each(runs.before, 'bytesPerSecond')} | ${each(runs.before, 'messagesPerSecond')} | ${each(runs.before, 'storageWritesPerSecond')} | ${each(runs.before, 'storageBytesPerSecond')} |`);
  }
  lines.push(`| ${runs.before ? 'after (this build)' : 'this build'} | ${each(runs.after, 'bytesPerSecond')} | ${each(runs.after, 'messagesPerSecond')} | ${each(runs.after, 'storageWritesPerSecond')} | ${each(runs.after, 'storageBytesPerSecond')} |`);
  lines.push('');
  if (runs.before?.[0]) lines.push(...portsTable(runs.before[0], `Before, first run, per context (${runs.beforeLabel})`));
  if (runs.after[0]) lines.push(...portsTable(runs.after[0], 'After, first run, per context'));
  return lines;
}

// `tsx bench/ports.ts [--dir BUILD] [--seconds N]`: one run of a build (default: the e2e Chrome build), printed.
// `tsx bench/ports.ts --base BUILD [--base-label TEXT] [--runs N]`: the section, before (BUILD) and after (the e2e build).
if (process.argv[1]?.endsWith('bench/ports.ts')) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const seconds = arg('--seconds') ? Number(arg('--seconds')) : undefined;
  if (arg('--base')) {
    const runs = await benchPortsRuns({
      seconds,
      baseDir: arg('--base'),
      baseLabel: arg('--base-label'),
      ...(arg('--runs') ? { runs: Number(arg('--runs')) } : {}),
    });
    console.log(JSON.stringify(runs, null, 1));
    console.log(portsSection(runs).join('\n'));
  } else {
    const figures = await benchPorts({ ...(arg('--dir') ? { extensionDir: arg('--dir') } : {}), ...(seconds ? { seconds } : {}) });
    console.log(JSON.stringify(figures, null, 1));
    console.log(portsTable(figures, arg('--label') ?? 'this build').join('\n'));
  }
  // @roamhq/wrtc's finalizers crash Node at a natural exit.
  process.exit(0);
}
