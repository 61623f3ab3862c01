// Independent measurements for the fault suite: what the offscreen document
// really holds (peer connections not closed, tracks still live, the heap after
// a forced GC), read over the DevTools protocol, and what the lab really holds
// (monitor sessions, dialogs, subscriptions, registrations), read in-process.
// None of it asks Earshot what it thinks it holds.
import type { CDPSession } from 'playwright-core';
import type { Lab } from '../../lab/index';
import { TargetSession, targets, type TargetInfo } from '../../bench/support/cdp-target';
import { until } from '../e2e/support/lab-client';

export interface BrowserFigures {
  /** RTCPeerConnection objects whose connectionState is not 'closed'. */
  peerConnections: number;
  /** MediaStreamTrack objects with readyState 'live'. */
  liveTracks: number;
  /** Live tracks that come from a capture device (the microphone): a non-empty device label. */
  micTracks: number;
  /** Runtime.getHeapUsage().usedSize after HeapProfiler.collectGarbage, in bytes. */
  heapBytes: number;
}

export interface LabFigures {
  sessions: number;
  dialogs: number;
  subscriptions: number;
  distinctTargets: number;
  registered: boolean;
}

/** The extension's offscreen document as a CDP target (undefined while there is none). */
export async function offscreenTarget(browser: CDPSession, extensionId: string): Promise<TargetInfo | undefined> {
  return (await targets(browser)).find((t) => t.url.startsWith(`chrome-extension://${extensionId}/`) && t.url.includes('offscreen'));
}

export async function serviceWorkerTarget(browser: CDPSession, extensionId: string): Promise<TargetInfo | undefined> {
  return (await targets(browser)).find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
}

/** `p`, or a rejection after `ms` (a crashed target never answers). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Attaches to the offscreen document, runs `fn`, detaches. */
export async function withOffscreen<T>(browser: CDPSession, extensionId: string, fn: (t: TargetSession) => Promise<T>): Promise<T> {
  const target = await until(() => offscreenTarget(browser, extensionId), 20_000, 'the offscreen document');
  const session = await within(TargetSession.attach(browser, target), 10_000, 'attaching to the offscreen document');
  try {
    return await within(fn(session), 15_000, 'the offscreen document');
  } finally {
    await within(session.detach(), 5_000, 'detach').catch(() => undefined);
  }
}

/** Runs `fn` (a function body over `this`, an array of every live instance of `proto`) in the target; returns its value. */
export async function overInstances<T>(t: TargetSession, proto: string, fn: string): Promise<T> {
  const p = await t.send<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: `${proto}.prototype` });
  if (!p.result.objectId) throw new Error(`no ${proto} in the target`);
  const q = await t.send<{ objects: { objectId: string } }>('Runtime.queryObjects', { prototypeObjectId: p.result.objectId });
  const r = await t.send<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.callFunctionOn', {
    objectId: q.objects.objectId,
    functionDeclaration: `function () { ${fn} }`,
    returnByValue: true,
  });
  await t.send('Runtime.releaseObject', { objectId: q.objects.objectId }).catch(() => undefined);
  await t.send('Runtime.releaseObject', { objectId: p.result.objectId }).catch(() => undefined);
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
  return r.result.value;
}

export async function browserFigures(browser: CDPSession, extensionId: string): Promise<BrowserFigures> {
  return withOffscreen(browser, extensionId, async (t) => {
    await t.send('HeapProfiler.collectGarbage');
    const peerConnections = await overInstances<number>(t, 'RTCPeerConnection', "return this.filter((p) => p !== RTCPeerConnection.prototype && p.connectionState !== 'closed' && p.signalingState !== 'closed').length;");
    const tracks = await overInstances<{ live: number; mic: number }>(
      t,
      'MediaStreamTrack',
      "const live = this.filter((x) => x !== MediaStreamTrack.prototype && x.readyState === 'live'); return { live: live.length, mic: live.filter((x) => x.kind === 'audio' && x.label !== '' && !/MediaStreamAudioDestinationNode/.test(x.label)).length };",
    );
    const heap = await t.send<{ usedSize: number }>('Runtime.getHeapUsage');
    return { peerConnections, liveTracks: tracks.live, micTracks: tracks.mic, heapBytes: heap.usedSize };
  });
}

/** Labels and states of every track in the offscreen document (for the notes when a figure surprises). */
export async function trackLabels(browser: CDPSession, extensionId: string): Promise<string[]> {
  return withOffscreen(browser, extensionId, (t) =>
    overInstances<string[]>(t, 'MediaStreamTrack', "return this.filter((x) => x !== MediaStreamTrack.prototype).map((x) => `${x.kind}:${x.label || '(no label)'}:${x.readyState}`);"),
  );
}

/**
 * Ends the live microphone track in the offscreen document the way a device
 * going away does: stop() (capture ends, readyState 'ended'), then the
 * 'ended' event the browser fires when the source ends (stop() itself fires none).
 */
export async function endMicrophoneTrack(browser: CDPSession, extensionId: string): Promise<number> {
  return withOffscreen(browser, extensionId, (t) =>
    overInstances<number>(
      t,
      'MediaStreamTrack',
      "const mics = this.filter((x) => x !== MediaStreamTrack.prototype && x.readyState === 'live' && x.kind === 'audio' && x.label !== '' && !/MediaStreamAudioDestinationNode/.test(x.label)); for (const m of mics) { m.stop(); m.dispatchEvent(new Event('ended')); } return mics.length;",
    ),
  );
}

export function labFigures(lab: Lab, supervisor = '2001'): LabFigures {
  const subs = [...lab.sip.subscriptions.values()].filter((s) => s.subscriber === supervisor);
  return {
    sessions: [...lab.pbx.sessions.values()].filter((s) => s.supervisor === supervisor).length,
    dialogs: [...lab.sip.dialogs.values()].filter((d) => d.supervisor === supervisor).length,
    subscriptions: subs.length,
    distinctTargets: new Set(subs.map((s) => s.target)).size,
    registered: lab.sip.registrations.has(supervisor),
  };
}
