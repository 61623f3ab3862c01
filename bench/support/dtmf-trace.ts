// What Earshot's engine really hands the browser as DTMF, seen from inside
// the offscreen document (the SIP engine's page in Chrome) over CDP: every
// RTCDTMFSender.insertDTMF call, every tone the browser started playing
// (`tonechange`), every SIP INFO with a dtmf-relay body written to the
// WebSocket, and every set-mode command the engine received from the
// background. The bench compares that with what Asterisk received (AMI
// DTMFEnd). Bench only: it wraps two prototypes and adds one message
// listener in that one page.
import type { BrowserContext, CDPSession } from 'playwright-core';
import { browserSession, targets, TargetSession } from './cdp-target';

export interface DtmfTraceEntry {
  at: number;
  kind: 'insert' | 'tone' | 'info' | 'command' | 'start' | 'invite';
  /**
   * insert: the tones passed; tone: the tone started ('' = the sender went idle); info: the Signal;
   * command: the mode of a set-mode the engine received; start: the agent of a start command; invite: the INVITE's request URI user.
   */
  value: string;
  /** insert: what was still in the sender's buffer (insertDTMF replaces it). */
  replaced?: string;
}

const INSTALL = `(() => {
  const g = globalThis;
  if (g.__earshotBenchDtmf) return 'already';
  const trace = [];
  g.__earshotBenchDtmf = trace;
  const watched = new WeakSet();
  const insert = RTCDTMFSender.prototype.insertDTMF;
  RTCDTMFSender.prototype.insertDTMF = function (tones, duration, gap) {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener('tonechange', (e) => trace.push({ at: Date.now(), kind: 'tone', value: e.tone }));
    }
    trace.push({ at: Date.now(), kind: 'insert', value: String(tones), replaced: this.toneBuffer });
    return insert.call(this, tones, duration, gap);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.startsWith('INFO ')) {
      const m = /Signal=\\s*([0-9A-D*#])/i.exec(data);
      if (m) trace.push({ at: Date.now(), kind: 'info', value: m[1] });
    } else if (typeof data === 'string' && data.startsWith('INVITE ')) {
      const m = /^INVITE sip:([^@\\s]+)@/.exec(data);
      trace.push({ at: Date.now(), kind: 'invite', value: m ? m[1] : '' });
    }
    return send.call(this, data);
  };
  // The engine's commands from the background (@webext-core/messaging: { id, type, data, timestamp }); a listener that answers nothing.
  chrome.runtime.onMessage.addListener((message) => {
    if (message && message.type === 'bg-to-engine:command' && message.data && message.data.type === 'set-mode') {
      trace.push({ at: Date.now(), kind: 'command', value: String(message.data.mode) });
    }
    if (message && message.type === 'bg-to-engine:command' && message.data && message.data.type === 'start') {
      trace.push({ at: Date.now(), kind: 'start', value: String(message.data.agent) });
    }
    return false;
  });
  return 'installed';
})()`;

export class DtmfTrace {
  private constructor(
    private readonly browser: CDPSession,
    private readonly target: TargetSession,
  ) {}

  /** Attaches to the extension's offscreen document and wraps the two prototypes there. */
  static async install(context: BrowserContext, extensionId: string): Promise<DtmfTrace> {
    const browser = await browserSession(context);
    const url = `chrome-extension://${extensionId}/offscreen.html`;
    const found = (await targets(browser)).find((t) => t.url === url);
    if (!found) throw new Error('no offscreen document (the SIP engine) to trace');
    const target = await TargetSession.attach(browser, found);
    await target.evaluate<string>(INSTALL);
    return new DtmfTrace(browser, target);
  }

  /** Everything traced since `since` (ms epoch); throws if the document was replaced (the trace would be partial). */
  async entries(since = 0): Promise<DtmfTraceEntry[]> {
    const all = await this.target.evaluate<DtmfTraceEntry[] | null>('globalThis.__earshotBenchDtmf ?? null');
    if (!all) throw new Error('the offscreen document was reloaded: its DTMF trace is gone');
    return all.filter((e) => e.at >= since);
  }

  async close(): Promise<void> {
    await this.target.detach();
    await this.browser.detach().catch(() => undefined);
  }
}

/** The set-mode messages the background (service worker) receives from extension pages, traced there. */
export async function traceBackgroundModes(worker: { evaluate<R>(fn: () => R | Promise<R>): Promise<R> }): Promise<void> {
  await worker.evaluate(() => {
    const g = globalThis as unknown as { __earshotBenchModes?: { at: number; mode: string }[]; chrome: { runtime: { onMessage: { addListener(fn: (m: unknown) => boolean): void } } } };
    if (g.__earshotBenchModes) return;
    const seen: { at: number; mode: string }[] = [];
    g.__earshotBenchModes = seen;
    g.chrome.runtime.onMessage.addListener((m) => {
      const message = m as { type?: string; data?: { mode?: string } } | null;
      if (message?.type === 'ui-to-bg:set-mode') seen.push({ at: Date.now(), mode: String(message.data?.mode) });
      return false;
    });
  });
}

/** What {@link traceBackgroundModes} saw since `since`; null when the worker restarted in between (the trace is gone). */
export async function backgroundModes(worker: { evaluate<R>(fn: () => R | Promise<R>): Promise<R> }, since: number): Promise<{ at: number; mode: string }[] | null> {
  const all = await worker.evaluate(() => (globalThis as unknown as { __earshotBenchModes?: { at: number; mode: string }[] }).__earshotBenchModes ?? null);
  return all ? all.filter((e) => e.at >= since) : null;
}
