// Idle cost of Earshot (issue 6): registered with the lab, a portal page of
// 50 agents open and watched (one dialog-info subscription each), no session.
// Over a minute: CPU (V8 CPU profiles of the service worker, the offscreen
// document and the content script's frames) and JS heap; over a second minute:
// every timer callback that runs in an Earshot context, counted with CDP
// instrumentation breakpoints. Real Chromium, the built extension, the lab.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CDPSession } from 'playwright-core';
import { startLab } from '../lab/index';
import { CHROME_E2E_OUT, launchChromium } from '../tests/e2e/support/browsers';
import { labEvents, labSettings, storeSettings, until } from '../tests/e2e/support/lab-client';
import { portalBenchPage } from './portal-page';
import { browserSession, targets, TargetSession } from './support/cdp-target';

export interface IdleContext {
  name: string;
  /** CPU time spent in this context's JS (and GC) over the window. */
  cpuMs: number;
  heapUsedMB: number;
  heapTotalMB: number;
}

export interface IdleTimer {
  context: string;
  location: string;
  fires: number;
  /** Shortest time between two fires of this callback (Infinity for one fire). */
  minIntervalMs: number;
}

export interface IdleFigures {
  agents: number;
  watched: number;
  seconds: number;
  contexts: IdleContext[];
  timers: IdleTimer[];
}

/** The part of a target the bench talks to: TargetSession (workers, offscreen) or a page's CDPSession. */
interface Cdp {
  send<T = unknown>(method: string, params?: object): Promise<T>;
  on(method: string, fn: (params: unknown) => void): void;
}

function pageCdp(session: CDPSession): Cdp {
  return {
    send: <T>(method: string, params: object = {}) => (session.send as (m: string, p: object) => Promise<T>)(method, params),
    on: (method, fn) => (session.on as (m: string, f: (p: unknown) => void) => void)(method, fn),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** CPU ms of the samples whose frame passes `ours` (plus GC when `withGc`). */
function busyMs(profile: Profile, ours: (node: ProfileNode) => boolean): number {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let micros = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node && ours(node)) micros += profile.timeDeltas[i + 1] ?? 0;
  });
  return micros / 1000;
}

const SYSTEM = new Set(['(idle)', '(root)', '(program)']);

export async function benchIdle(options: { agents?: number; seconds?: number } = {}): Promise<IdleFigures> {
  const agents = options.agents ?? 50;
  const seconds = options.seconds ?? 60;
  const lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true, extraAgents: agents - 8 });
  const extensions = [...lab.pbx.users.values()].filter((u) => lab.pbx.isAgent(u.extension)).map((u) => u.extension).slice(0, agents);
  const html = portalBenchPage(extensions.length, 0, extensions);
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s = await launchChromium({ extensionDir: CHROME_E2E_OUT });
  try {
    await storeSettings(s.worker, { ...labSettings(lab), portal: { origin, adapter: 'earshot-lab' } });
    const page = await s.context.newPage();
    // Earshot watches the agents whose rows are on screen: a screen tall enough for all of them.
    await page.setViewportSize({ width: 1280, height: 2400 });
    await page.goto(`${origin}/`);
    // Every agent on the page watched: the lab has a subscription from 2001 for each.
    const watched = await until(async () => {
      const events = await labEvents(lab);
      const targets = new Set(events.filter((e) => e.kind === 'subscribe' && e.text.startsWith('2001 ')).map((e) => e.text.split(' ').at(-1)));
      return targets.size >= extensions.length ? targets.size : undefined;
    }, 60_000, `${extensions.length} subscriptions`);
    await page.waitForTimeout(5000);

    const browser = await browserSession(s.context);
    const all = await targets(browser);
    const extensionUrl = `chrome-extension://${s.extensionId}/`;
    const sw = all.find((t) => t.type === 'service_worker' && t.url.startsWith(extensionUrl));
    const offscreen = all.find((t) => t.url === `${extensionUrl}offscreen.html`);
    if (!sw || !offscreen) throw new Error('no service worker or offscreen document to measure');
    const contexts: { name: string; cdp: Cdp; ours: (node: ProfileNode) => boolean }[] = [
      { name: 'service worker', cdp: await TargetSession.attach(browser, sw), ours: (n) => !SYSTEM.has(n.callFrame.functionName) },
      { name: 'offscreen document (SIP engine)', cdp: await TargetSession.attach(browser, offscreen), ours: (n) => !SYSTEM.has(n.callFrame.functionName) },
      {
        name: 'content script (portal page)',
        cdp: pageCdp(await s.context.newCDPSession(page)),
        ours: (n) => n.callFrame.url.startsWith(extensionUrl),
      },
    ];

    // Minute 1: CPU and heap.
    for (const c of contexts) {
      await c.cdp.send('Profiler.enable');
      await c.cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
      await c.cdp.send('Profiler.start');
    }
    await page.waitForTimeout(seconds * 1000);
    const measured: IdleContext[] = [];
    for (const c of contexts) {
      const { profile } = await c.cdp.send<{ profile: Profile }>('Profiler.stop');
      const heap = await c.cdp.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
      measured.push({ name: c.name, cpuMs: busyMs(profile, c.ours), heapUsedMB: heap.usedSize / 2 ** 20, heapTotalMB: heap.totalSize / 2 ** 20 });
    }

    // Minute 2: timer callbacks, each paused on for a moment and named by its first frame.
    const fires = new Map<string, { context: string; location: string; at: number[] }>();
    for (const c of contexts) {
      const scripts = new Map<string, string>();
      c.cdp.on('Debugger.scriptParsed', (params) => {
        const { scriptId, url } = params as { scriptId: string; url: string };
        scripts.set(scriptId, url);
      });
      c.cdp.on('Debugger.paused', (params) => {
        const { callFrames } = params as { callFrames: { functionName: string; url: string; location: { scriptId: string; lineNumber: number; columnNumber: number } }[] };
        const top = callFrames[0];
        const url = top ? top.url || scripts.get(top.location.scriptId) || '' : '';
        const location = top ? `${url.replace(extensionUrl, '')}:${top.location.lineNumber + 1}:${top.location.columnNumber + 1} ${top.functionName || '(anonymous)'}` : '(no frame)';
        const fromUs = c.name !== 'content script (portal page)' || url.startsWith(extensionUrl);
        if (fromUs) {
          const key = `${c.name}|${location}`;
          const entry = fires.get(key) ?? { context: c.name, location, at: [] };
          entry.at.push(Date.now());
          fires.set(key, entry);
        }
        void c.cdp.send('Debugger.resume').catch(() => undefined);
      });
      await c.cdp.send('Debugger.enable');
      for (const eventName of ['setTimeout.callback', 'setInterval.callback', 'requestAnimationFrame.callback']) {
        await c.cdp.send('EventBreakpoints.setInstrumentationBreakpoint', { eventName }).catch(() =>
          c.cdp.send('DOMDebugger.setInstrumentationBreakpoint', { eventName }),
        );
      }
    }
    await page.waitForTimeout(seconds * 1000);
    for (const c of contexts) await c.cdp.send('Debugger.disable').catch(() => undefined);
    const timers = [...fires.values()].map((f) => ({
      context: f.context,
      location: f.location,
      fires: f.at.length,
      minIntervalMs: f.at.slice(1).reduce((min, at, i) => Math.min(min, at - (f.at[i] ?? at)), Infinity),
    }));
    return { agents: extensions.length, watched, seconds, contexts: measured, timers };
  } finally {
    await s.close();
    server.close();
    await lab.close();
  }
}

// `tsx bench/idle.ts`: this part alone, printed.
if (process.argv[1]?.endsWith('bench/idle.ts')) {
  console.log(JSON.stringify(await benchIdle({ seconds: Number(process.env.EARSHOT_BENCH_IDLE_SECONDS ?? 60) }), null, 1));
}
