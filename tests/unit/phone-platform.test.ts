// Host glue of the phone engine, with FAKE offscreen/runtime APIs and a FAKE
// engine: no browser extension APIs needed.
import { describe, expect, it } from 'vitest';
import type { EngineCommand, EngineEvent } from '../../lib/contract/engine';
import type { PhoneEngineApi } from '../../lib/phone/engine';
import { InPageEngineLink } from '../../lib/platform/in-page-engine-link';
import { hostEngineInOffscreen, isOwnBackground } from '../../lib/platform/offscreen-engine-host';
import { OffscreenEngineLink, type OffscreenDocuments } from '../../lib/platform/offscreen-engine-link';
import { installPageMicrophoneBridge, offerPageMicrophone, OPEN_SIDEBAR_MESSAGE } from '../../lib/platform/page-microphone';
import { MicrophoneUnavailableError } from '../../lib/phone/errors';
import { fakeConfig, FakeMicrophone } from './phone-fakes';

const state = (status: 'registered' | 'unconfigured'): EngineEvent => ({
  type: 'state',
  registration: { status, since: 1 },
  agents: {},
  session: null,
  microphone: 'not-needed',
  newLog: [],
});

class FakeEngine implements PhoneEngineApi {
  readonly commands: EngineCommand[] = [];
  private listener: ((event: EngineEvent) => void) | undefined;
  handle(command: EngineCommand): Promise<void> {
    this.commands.push(command);
    this.listener?.(state('registered'));
    return Promise.resolve();
  }
  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listener = callback;
    return () => undefined;
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

function fakeDocuments(initially = false) {
  let exists = initially;
  const calls: string[] = [];
  const documents: OffscreenDocuments = {
    exists: async () => {
      calls.push('exists');
      return exists;
    },
    create: async () => {
      calls.push('create');
      await Promise.resolve();
      exists = true;
    },
  };
  return { documents, calls, close: () => (exists = false) };
}

describe('OffscreenEngineLink (fake offscreen API)', () => {
  it('creates one document for concurrent sends (one shared promise)', async () => {
    const docs = fakeDocuments();
    const sent: EngineCommand[] = [];
    const link = new OffscreenEngineLink({ documents: docs.documents, sendCommand: async (c) => (sent.push(c), { ok: true }) });
    await Promise.all([link.send({ type: 'sync' }), link.send({ type: 'watch', extensions: ['201'] }), link.send({ type: 'hangup' })]);
    expect(docs.calls.filter((c) => c === 'create')).toHaveLength(1);
    expect(sent.map((c) => c.type)).toContain('sync');
    expect(sent.map((c) => c.type)).toContain('hangup');
  });

  it('re-attaches to a surviving document with sync only (service worker restart)', async () => {
    const docs = fakeDocuments(true);
    const sent: EngineCommand[] = [];
    const link = new OffscreenEngineLink({ documents: docs.documents, sendCommand: async (c) => (sent.push(c), { ok: true }) });
    await link.send({ type: 'sync' });
    expect(docs.calls).toEqual(['exists']);
    expect(sent).toEqual([{ type: 'sync' }]);
  });

  it('replays the last configure and watch into a re-created document', async () => {
    const docs = fakeDocuments();
    const sent: EngineCommand[] = [];
    const link = new OffscreenEngineLink({ documents: docs.documents, sendCommand: async (c) => (sent.push(c), { ok: true }) });
    const configure: EngineCommand = { type: 'configure', config: fakeConfig() };
    await link.send(configure);
    await link.send({ type: 'watch', extensions: ['201'] });
    docs.close();
    sent.length = 0;
    await link.send({ type: 'start', agent: '201' });
    expect(sent.map((c) => c.type)).toEqual(['configure', 'watch', 'start']);
  });

  it('a refusal from the document rejects the send; events are delivered to subscribers', async () => {
    const docs = fakeDocuments(true);
    const link = new OffscreenEngineLink({ documents: docs.documents, sendCommand: async () => ({ ok: false, reason: 'nope' }) });
    await expect(link.send({ type: 'sync' })).rejects.toThrow('nope');
    const got: EngineEvent[] = [];
    link.onEvent((e) => got.push(e));
    link.deliver(state('registered'));
    expect(got).toHaveLength(1);
  });
});

describe('offscreen engine host', () => {
  const base = 'chrome-extension://abc/';
  it('accepts commands from the service worker only', () => {
    expect(isOwnBackground({ id: 'abc', url: `${base}background.js` }, 'abc', base)).toBe(true);
    expect(isOwnBackground({ id: 'abc' }, 'abc', base)).toBe(true);
    expect(isOwnBackground({ id: 'abc', url: `${base}sidepanel.html` }, 'abc', base)).toBe(false);
    expect(isOwnBackground({ id: 'abc', url: 'https://portal.example/', tab: { id: 3 } }, 'abc', base)).toBe(false);
    expect(isOwnBackground({ id: 'other', url: `${base}background.js` }, 'abc', base)).toBe(false);
  });

  it('validates, runs the command, and sends every event back', async () => {
    const engine = new FakeEngine();
    const events: EngineEvent[] = [];
    const handle = hostEngineInOffscreen({
      engine,
      sendEvent: async (e) => events.push(e),
      runtimeId: 'abc',
      extensionBaseUrl: base,
    });
    expect(await handle({ type: 'sync' }, { id: 'abc', url: `${base}background.js` })).toEqual({ ok: true });
    expect(await handle({ type: 'bogus' }, { id: 'abc' })).toEqual({ ok: false, reason: 'Invalid engine command.' });
    expect(await handle({ type: 'sync' }, { id: 'abc', url: `${base}sidepanel.html` })).toMatchObject({ ok: false });
    expect(engine.commands).toEqual([{ type: 'sync' }]);
    expect(events).toHaveLength(1);
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
