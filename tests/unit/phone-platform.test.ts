// Host glue of the phone engine, with FAKE offscreen/runtime APIs and a FAKE
// engine: no browser extension APIs needed.
import { describe, expect, it } from 'vitest';
import type { EngineCommand, EngineEvent } from '../../lib/contract/engine';
import type { PhoneEngineApi } from '../../lib/phone/engine';
import { InPageEngineLink } from '../../lib/platform/in-page-engine-link';
import { hostEngineOverPort, type EngineHost } from '../../lib/platform/offscreen-engine-host';
import { ENGINE_GONE_MESSAGE, OffscreenEngineLink, type OffscreenDocuments } from '../../lib/platform/offscreen-engine-link';
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
 * a FAKE engine, whose engine port reaches whoever `route` names (the link,
 * as the background's onConnect would); closing one drops its port.
 */
function fakeDocuments(link: () => OffscreenEngineLink) {
  const calls: string[] = [];
  let doc: { engine: FakeEngine; host: EngineHost } | undefined;
  let route: (receiver: FakeEnd) => void = (receiver) => link().attach(receiver);
  const start = () => {
    const engine = new FakeEngine();
    const host = hostEngineOverPort({
      engine,
      connect: (name) => {
        const { opener, receiver } = portPair(name, { id: 'abc', url: `${base}offscreen.html` });
        route(receiver);
        return opener;
      },
      onError: () => undefined,
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
  /** The worker's one engine-connect message: reaches the document's host, if there is one. */
  const wake = async () => {
    if (!doc) throw new Error('Could not establish connection. Receiving end does not exist.');
    doc.host.wake();
  };
  return {
    documents,
    wake,
    calls,
    /** A document that an earlier worker configured before it stopped. */
    async survive() {
      const old: FakeEnd[] = [];
      route = (receiver) => old.push(receiver);
      start();
      old[0]?.postMessage({ type: 'command', id: 1, command: { type: 'configure', config: null } });
      await settle();
      old[0]?.disconnect();
      await settle();
      route = (receiver) => link().attach(receiver);
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
  const link = new OffscreenEngineLink({ documents: docs.documents, wake: docs.wake, connectTimeoutMs: 1000 });
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

  it('asks a surviving document for its port, without replaying (service worker restart): one probe, none once linked', async () => {
    const { link, docs } = linkWithDocuments();
    await docs.survive();
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

  it('a document that dies under a live session: the session shows as failed with the reason and its End row, not registered, and a new document comes', async () => {
    const { link, docs } = linkWithDocuments();
    const got: EngineEvent[] = [];
    link.onEvent((e) => got.push(e));
    await link.send({ type: 'configure', config: fakeConfig() });
    docs.engine()?.emit(live({ heard: 0.3, sent: 0 }));
    await settle();
    docs.close();
    await settle();
    await settle();
    // The event the link makes of the dead document (before the new engine's own).
    const gone = got.find((e) => e.session?.status === 'failed');
    expect(gone).toMatchObject({
      registration: { status: 'reconnecting' },
      session: { id: 's1', status: 'failed', message: ENGINE_GONE_MESSAGE, levels: { heard: 0, sent: 0 } },
    });
    expect(gone?.newLog.map((l) => l.kind)).toEqual(['error', 'end']);
    expect(docs.calls.filter((c) => c === 'create')).toHaveLength(2);
  });

  it('a document that dies under a live session: the End row the link wrote is noted for the next engine before the new document is made', async () => {
    const holder: { link?: OffscreenEngineLink } = {};
    const docs = fakeDocuments(() => holder.link as OffscreenEngineLink);
    const order: string[] = [];
    let release = () => undefined as void;
    const link = new OffscreenEngineLink({
      documents: {
        exists: () => docs.documents.exists(),
        create: async () => {
          order.push('create');
          await docs.documents.create();
        },
      },
      wake: docs.wake,
      connectTimeoutMs: 1000,
      // The note takes a while (IndexedDB): no document may be made before it is done.
      sessionEndLogged: (sessionId) =>
        new Promise<void>((resolve) => {
          release = () => {
            order.push(`noted ${sessionId}`);
            resolve();
          };
        }),
    });
    holder.link = link;
    await link.send({ type: 'configure', config: fakeConfig() });
    docs.engine()?.emit(live({ heard: 0.3, sent: 0 }));
    await settle();
    order.splice(0);
    docs.close();
    await settle();
    await settle();
    expect(order).toEqual([]);
    release();
    await settle();
    await settle();
    expect(order).toEqual(['noted s1', 'create']);
  });

  it('restarting a dead document is retried when the first attempt fails (a closing document may still be listed)', async () => {
    let listed = true;
    let created = 0;
    const holder: { link?: OffscreenEngineLink } = {};
    const docs = fakeDocuments(() => holder.link as OffscreenEngineLink);
    const link = new OffscreenEngineLink({
      documents: {
        // The first look after the close still lists the dead document; its wake reaches nobody.
        exists: async () => (listed ? ((listed = false), true) : docs.documents.exists()),
        create: async () => {
          created++;
          await docs.documents.create();
        },
      },
      wake: async () => undefined,
      connectTimeoutMs: 20,
      retryDelayMs: 5,
    });
    holder.link = link;
    await docs.documents.create();
    await settle();
    await link.send({ type: 'configure', config: fakeConfig() });
    docs.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(created).toBe(1);
    expect(link.connected).toBe(true);
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
    const link = new OffscreenEngineLink({
      documents: { exists: async () => true, create: async () => undefined },
      wake: async () => undefined,
      connectTimeoutMs: 20,
    });
    await expect(link.send({ type: 'sync' })).rejects.toThrow(/did not connect/);
  });
});

describe('offscreen engine host (fake ports, fake engine)', () => {
  function hosted() {
    const engine = new FakeEngine();
    const ends: ReturnType<typeof portPair>[] = [];
    const host = hostEngineOverPort({
      engine,
      connect: (name) => {
        const pair = portPair(name);
        ends.push(pair);
        return pair.opener;
      },
      onError: () => undefined,
    });
    const background = () => ends.at(-1)?.receiver as FakeEnd;
    const received = (end: FakeEnd = background()) => {
      const got: unknown[] = [];
      end.onMessage.addListener((m) => got.push(m));
      return got;
    };
    return { engine, host, ends, background, received };
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

  it('an idle engine lets a stopped worker sleep; its next event opens a new port (hello: configured), whole, with the log kept meanwhile', async () => {
    const h = hosted();
    h.background().postMessage({ type: 'command', id: 1, command: { type: 'configure', config: null } });
    h.engine.emit(live({ heard: 0.1, sent: 0 }));
    await settle();
    h.background().disconnect();
    await settle();
    expect(h.ends).toHaveLength(1);
    h.engine.emit({ ...live({ heard: 0.2, sent: 0 }), newLog: [{ at: 1, kind: 'info', text: 'while away' }] });
    expect(h.ends).toHaveLength(2);
    const got = h.received();
    await settle();
    expect(got).toEqual([
      { type: 'hello', fresh: false },
      expect.objectContaining({ type: 'event', event: expect.objectContaining({ newLog: [{ at: 1, kind: 'info', text: 'while away' }] }) }),
    ]);
  });

  it('a restarted worker asks for the port: a new one when there is none, a second hello on the one that is open', async () => {
    const h = hosted();
    h.engine.emit(live({ heard: 0.1, sent: 0 }));
    await settle();
    h.background().disconnect();
    await settle();
    h.host.wake();
    expect(h.ends).toHaveLength(2);
    const got = h.received();
    await settle();
    expect(got.map((m) => (m as { type: string }).type)).toEqual(['hello', 'event']);
    h.host.wake();
    await settle();
    expect(h.ends).toHaveLength(2);
    expect(got.at(-1)).toEqual({ type: 'hello', fresh: true });
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
