// Host glue of the phone engine, with FAKE offscreen/runtime APIs and a FAKE
// engine: no browser extension APIs needed.
import { describe, expect, it } from 'vitest';
import type { EngineCommand, EngineEvent } from '../../lib/phone/engine-api';
import type { PhoneEngineApi } from '../../lib/phone/engine';
import { InPageEngineLink } from '../../lib/platform/in-page-engine-link';
import { hostEngineOverPort } from '../../lib/platform/offscreen-engine-host';
import { OffscreenEngineLink, type OffscreenDocuments } from '../../lib/platform/offscreen-engine-link';
import { installPageMicrophoneBridge, offerPageMicrophone, OPEN_SIDEBAR_MESSAGE } from '../../lib/platform/page-microphone';
import { MicrophoneUnavailableError } from '../../lib/phone/errors';
import { fakeConfig, FakeMicrophone } from './phone-fakes';
import { portPair, settle, type FakeEnd } from './port-fakes';

const state = (status: 'registered' | 'unconfigured'): EngineEvent => ({
  type: 'state',
  registration: { status, since: 1 },
  agents: {},
  session: null,
  microphone: 'not-needed',
  newLog: [],
});

/** A live session's event with these levels (nothing else differs between two of them). */
const live = (levels: { heard: number; sent: number }): EngineEvent => ({
  ...state('registered'),
  session: {
    id: 's1',
    agent: { extension: '201' },
    status: 'active',
    mode: 'listen',
    availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
    levels,
  },
});

class FakeEngine implements PhoneEngineApi {
  readonly commands: EngineCommand[] = [];
  /** When set, every command is refused with this reason. */
  refuse: string | undefined;
  private listener: ((event: EngineEvent) => void) | undefined;
  handle(command: EngineCommand): Promise<void> {
    if (this.refuse) return Promise.reject(new Error(this.refuse));
    this.commands.push(command);
    this.listener?.(state('registered'));
    return Promise.resolve();
  }
  emit(event: EngineEvent): void {
    this.listener?.(event);
  }
  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listener = callback;
    return () => undefined;
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

const base = 'chrome-extension://abc/';

/**
 * FAKE offscreen documents (unit test only): creating one starts a host over
 * a FAKE engine, whose engine port is handed to the link as the background's
 * onConnect would; closing one drops its port.
 */
function fakeDocuments(link: () => OffscreenEngineLink) {
  const calls: string[] = [];
  let doc: { engine: FakeEngine; host: { close(): void } } | undefined;
  const start = () => {
    const engine = new FakeEngine();
    const host = hostEngineOverPort({
      engine,
      connect: (name) => {
        const { opener, receiver } = portPair(name, { id: 'abc', url: `${base}offscreen.html` });
        link().attach(receiver);
        return opener;
      },
      setTimer: () => undefined,
    });
    doc = { engine, host };
  };
  const documents: OffscreenDocuments = {
    exists: async () => {
      calls.push('exists');
      return doc !== undefined;
    },
    create: async () => {
      calls.push('create');
      await Promise.resolve();
      start();
    },
  };
  return {
    documents,
    calls,
    /** A document that survived a worker restart: its engine was configured before. */
    survive: () => {
      start();
      doc?.engine.commands.push({ type: 'configure', config: null });
    },
    engine: () => doc?.engine,
    close: () => {
      doc?.host.close();
      doc = undefined;
    },
  };
}

function linkWithDocuments() {
  const holder: { link?: OffscreenEngineLink } = {};
  const docs = fakeDocuments(() => holder.link as OffscreenEngineLink);
  const link = new OffscreenEngineLink({ documents: docs.documents, connectTimeoutMs: 1000 });
  holder.link = link;
  return { link, docs };
}

describe('OffscreenEngineLink over the engine port (fake offscreen API, fake ports)', () => {
  it('creates one document for concurrent sends (one shared promise)', async () => {
    const { link, docs } = linkWithDocuments();
    await Promise.all([link.send({ type: 'sync' }), link.send({ type: 'watch', extensions: ['201'] }), link.send({ type: 'hangup' })]);
    expect(docs.calls.filter((c) => c === 'create')).toHaveLength(1);
    const sent = docs.engine()?.commands.map((c) => c.type);
    expect(sent).toContain('sync');
    expect(sent).toContain('hangup');
  });

  it('re-attaches to a surviving document without replaying (service worker restart): one probe, none once linked', async () => {
    const { link, docs } = linkWithDocuments();
    docs.survive();
    docs.engine()?.commands.splice(0);
    await link.send({ type: 'sync' });
    await link.send({ type: 'hangup' });
    expect(docs.calls).toEqual(['exists']);
    expect(docs.engine()?.commands).toEqual([{ type: 'sync' }, { type: 'hangup' }]);
  });

  it('a closed port is a document gone: a configured link makes a new one and replays configure and watch first', async () => {
    const { link, docs } = linkWithDocuments();
    const configure: EngineCommand = { type: 'configure', config: fakeConfig() };
    await link.send(configure);
    await link.send({ type: 'watch', extensions: ['201'] });
    docs.close();
    await settle();
    await settle();
    expect(docs.calls.filter((c) => c === 'create')).toHaveLength(2);
    await link.send({ type: 'start', agent: '201' });
    expect(docs.engine()?.commands.map((c) => c.type)).toEqual(['configure', 'watch', 'start']);
  });

  it('a refusal from the engine rejects the send; events are delivered to subscribers, levels-only ones too', async () => {
    const { link, docs } = linkWithDocuments();
    const got: EngineEvent[] = [];
    link.onEvent((e) => got.push(e));
    await link.send({ type: 'sync' });
    const engine = docs.engine() as FakeEngine;
    engine.refuse = 'nope';
    await expect(link.send({ type: 'hangup' })).rejects.toThrow('nope');
    engine.emit(live({ heard: 0.1, sent: 0 }));
    engine.emit(live({ heard: 0.2, sent: 0 }));
    await settle();
    expect(got.at(-2)?.session?.levels).toEqual({ heard: 0.1, sent: 0 });
    expect(got.at(-1)?.session?.levels).toEqual({ heard: 0.2, sent: 0 });
  });

  it('a command waiting on a document that never connects fails with a reason', async () => {
    const link = new OffscreenEngineLink({ documents: { exists: async () => true, create: async () => undefined }, connectTimeoutMs: 20 });
    await expect(link.send({ type: 'sync' })).rejects.toThrow(/did not connect/);
  });
});

describe('offscreen engine host (fake ports, fake engine)', () => {
  function hosted() {
    const engine = new FakeEngine();
    const ends: ReturnType<typeof portPair>[] = [];
    const timers: (() => void)[] = [];
    hostEngineOverPort({
      engine,
      connect: (name) => {
        const pair = portPair(name);
        ends.push(pair);
        return pair.opener;
      },
      setTimer: (callback) => void timers.push(callback),
      onError: () => undefined,
    });
    const background = () => ends.at(-1)?.receiver as FakeEnd;
    const received = () => {
      const got: unknown[] = [];
      background().onMessage.addListener((m) => got.push(m));
      return got;
    };
    return { engine, ends, timers, background, received };
  }

  it('says hello (fresh until configured), validates and runs commands, answers each', async () => {
    const h = hosted();
    const got = h.received();
    await settle();
    expect(got[0]).toEqual({ type: 'hello', fresh: true });
    h.background().postMessage({ type: 'command', id: 1, command: { type: 'sync' } });
    h.background().postMessage({ type: 'command', id: 2, command: { type: 'bogus' } });
    await settle();
    expect(h.engine.commands).toEqual([{ type: 'sync' }]);
    expect(got).toContainEqual({ type: 'result', id: 1, ok: true });
    expect(got.some((m) => (m as { id?: number }).id === 2)).toBe(false);
  });

  it('sends whole events, and levels alone when nothing else changed', async () => {
    const h = hosted();
    const got = h.received();
    h.engine.emit(live({ heard: 0.1, sent: 0 }));
    h.engine.emit(live({ heard: 0.3, sent: 0 }));
    await settle();
    expect(got.map((m) => (m as { type: string }).type)).toEqual(['hello', 'event', 'levels']);
    expect(got[2]).toEqual({ type: 'levels', session: 's1', levels: { heard: 0.3, sent: 0 } });
  });

  it('reconnects when the worker drops the port, and says it was configured; the next event goes whole', async () => {
    const h = hosted();
    h.background().postMessage({ type: 'command', id: 1, command: { type: 'configure', config: null } });
    h.engine.emit(live({ heard: 0.1, sent: 0 }));
    await settle();
    h.background().disconnect();
    await settle();
    expect(h.timers).toHaveLength(1);
    h.timers[0]?.();
    const got = h.received();
    await settle();
    expect(got).toEqual([{ type: 'hello', fresh: false }, expect.objectContaining({ type: 'event' })]);
  });
});

describe('InPageEngineLink (Firefox background page)', () => {
  it('passes commands to the engine and delivers events a microtask later', async () => {
    const engine = new FakeEngine();
    const link = new InPageEngineLink(engine);
    const got: EngineEvent[] = [];
    link.onEvent((e) => got.push(e));
    const sending = link.send({ type: 'sync' });
    expect(got).toHaveLength(0);
    await sending;
    await Promise.resolve();
    expect(got).toHaveLength(1);
  });
});

describe('page microphone bridge (Firefox)', () => {
  it('without a visible Earshot page, acquire fails with the plain reason', async () => {
    const bridge = installPageMicrophoneBridge({});
    await expect(bridge.acquire()).rejects.toThrow(MicrophoneUnavailableError);
    await expect(bridge.acquire()).rejects.toThrow(OPEN_SIDEBAR_MESSAGE);
  });

  it('a visible page offers its microphone through getBackgroundPage(); withdrawn on pagehide', async () => {
    const background = {};
    const bridge = installPageMicrophoneBridge(background);
    const pageMic = new FakeMicrophone();
    pageMic.permission = 'granted';
    const handlers: Record<string, () => void> = {};
    await offerPageMicrophone({ getBackgroundPage: async () => background }, 'sidebar', pageMic, {
      addEventListener: ((type: string, listener: () => void) => {
        handlers[type] = listener;
      }) as Window['addEventListener'],
    });
    expect(await bridge.query()).toBe('granted');
    const track = await bridge.acquire();
    expect(pageMic.calls).toEqual(['acquire']);
    bridge.release(track);
    expect(pageMic.tracks[0]?.stopped).toBe(true);
    handlers.pagehide?.();
    await expect(bridge.acquire()).rejects.toThrow(OPEN_SIDEBAR_MESSAGE);
  });
});
