// Who the engine watches (one dialog-info SUBSCRIBE each): the agents some
// portal frame shows now, never those of a document that went away.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coordinator, initialState } from '@/lib/coordinator/coordinator';
import type { EngineLink } from '@/lib/coordinator/engine-link';
import { frameSource, memoryStore, type PersistedCoordinator, type StateStore } from '@/lib/coordinator/store';
import { createStateHub, type PortLike } from '@/lib/messaging/state-port';
import type { EngineCommand } from '@/lib/contract/engine';

function fakeLink() {
  const sent: EngineCommand[] = [];
  const link: EngineLink = {
    send: (command) => {
      sent.push(command);
    },
    onEvent: () => () => undefined,
  };
  const watches = () => sent.filter((c): c is Extract<EngineCommand, { type: 'watch' }> => c.type === 'watch').map((c) => c.extensions);
  return { link, sent, watches };
}

/** What a stopped worker left in storage.session: two portal frames' lists. */
function savedFrames(): PersistedCoordinator {
  return {
    state: { ...initialState(0), revision: 3 },
    visible: { '7:0': [{ extension: '1008', name: 'Hank Agent' }], '8:0': [{ extension: '1001' }] },
  };
}

let coordinator: Coordinator | undefined;
afterEach(() => {
  coordinator?.dispose();
  vi.useRealTimers();
});

describe('coordinator: watched agents after a worker restart', () => {
  it("a restored frame that never reports again (its document went away while the worker was stopped) stops being watched", async () => {
    vi.useFakeTimers();
    const { link, watches } = fakeLink();
    const store = memoryStore(savedFrames());
    coordinator = new Coordinator({ link, store, restoredFrameGraceMs: 5000 });
    await coordinator.restore();
    // Tab 8's content script reconnects to the new worker and reports again; tab 7 navigated away.
    coordinator.reportAgents('8:0', [{ extension: '1001' }]);
    expect(watches()).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(watches().at(-1)).toEqual(['1001']);
    await coordinator.flush();
    expect(Object.keys(store.value?.visible ?? {})).toEqual(['8:0']);
  });

  it('a frame that reports again within the grace keeps its agents watched', async () => {
    vi.useFakeTimers();
    const { link, watches } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore(savedFrames()), restoredFrameGraceMs: 5000 });
    await coordinator.restore();
    coordinator.reportAgents('7:0', [{ extension: '1008', name: 'Hank Agent' }]);
    coordinator.reportAgents('8:0', [{ extension: '1001' }]);
    await vi.advanceTimersByTimeAsync(6000);
    expect(watches()).toEqual([]);
  });

  it('a tab forgotten (or a frame emptied) while the store is still being read is not revived by it', async () => {
    const { link, watches } = fakeLink();
    let release: (value: PersistedCoordinator) => void = () => undefined;
    const store: StateStore<PersistedCoordinator> & { value?: PersistedCoordinator } = {
      get: () => new Promise<PersistedCoordinator>((resolve) => (release = resolve)),
      set: async (value) => {
        store.value = structuredClone(value);
      },
    };
    coordinator = new Coordinator({ link, store, persistDelayMs: 0 });
    const restored = coordinator.restore();
    // The worker was woken by these very events: the tab closed, the other frame shows nobody now.
    coordinator.forgetTab(7);
    coordinator.reportAgents('8:0', []);
    release(savedFrames());
    await restored;
    await coordinator.flush();
    expect(store.value?.visible).toEqual({});
    expect(watches().at(-1)).toEqual([]);
  });
});

describe('state hub: a portal frame leaves with its port', () => {
  function fakePort(sender: PortLike['sender']) {
    const disconnects: (() => void)[] = [];
    const port: PortLike = {
      name: 'earshot:state',
      sender,
      postMessage: () => undefined,
      disconnect: () => undefined,
      onMessage: { addListener: () => undefined },
      onDisconnect: { addListener: (callback) => disconnects.push(callback) },
    };
    return { port, close: () => disconnects.forEach((callback) => callback()) };
  }

  it("forgets a content script's frame when its port closes (navigation, reload), not a side panel's", async () => {
    const gone: string[] = [];
    const hub = createStateHub({
      current: () => ({ type: 'state', state: initialState(0), logSeq: 0, logLimit: 500 }),
      authorize: (sender) => (sender.tab ? { ok: true, role: 'content', tabId: sender.tab.id } : { ok: true, role: 'page' }),
      onContentGone: ({ tabId, frameId }) => gone.push(frameSource(tabId, frameId)),
    });
    const content = fakePort({ id: 'x', url: 'https://portal.example.com/agents', tab: { id: 7 }, frameId: 0 });
    const panel = fakePort({ id: 'x', url: 'chrome-extension://x/sidepanel.html' });
    expect(await hub.accept(content.port)).toBe(true);
    expect(await hub.accept(panel.port)).toBe(true);
    panel.close();
    expect(gone).toEqual([]);
    content.close();
    expect(gone).toEqual(['7:0']);
  });
});

describe('coordinator: a frame whose content script went away', () => {
  it('stops being watched after the grace', async () => {
    vi.useFakeTimers();
    const { link, watches } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>(), frameGoneGraceMs: 2000 });
    coordinator.reportAgents('7:0', [{ extension: '1008' }]);
    coordinator.frameGone('7:0');
    await vi.advanceTimersByTimeAsync(1999);
    expect(watches()).toEqual([['1008']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(watches()).toEqual([['1008'], []]);
  });

  it('keeps its agents watched when a newer copy of the script reports within the grace (no SUBSCRIBE churn)', async () => {
    vi.useFakeTimers();
    const { link, watches } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>(), frameGoneGraceMs: 2000 });
    coordinator.reportAgents('7:0', [{ extension: '1008' }]);
    coordinator.frameGone('7:0');
    coordinator.reportAgents('7:0', [{ extension: '1008' }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(watches()).toEqual([['1008']]);
  });
});

describe("coordinator: the portal's other party goes to the engine classified", () => {
  const watchCommands = (sent: EngineCommand[]) => sent.filter((c): c is Extract<EngineCommand, { type: 'watch' }> => c.type === 'watch');

  it('classifies each agent’s other party with the settings’ rules; junk and unknown are left out; a change is sent again', () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore() });
    coordinator.setPartyRules({ onNetPattern: '[0-9]{3,4}', domain: 'lab.earshot.test' });
    coordinator.reportAgents('1:0', [
      { extension: '1001', otherParty: '5550101' },
      { extension: '1006', otherParty: '1007' },
      { extension: '1008', otherParty: '<img src=x>' },
      { extension: '1002' },
    ]);
    expect(watchCommands(sent).at(-1)).toEqual({
      type: 'watch',
      extensions: ['1001', '1002', '1006', '1008'],
      parties: { '1001': { uri: '5550101', onNet: false }, '1006': { uri: '1007', onNet: true } },
    });
    const count = watchCommands(sent).length;
    coordinator.reportAgents('1:0', [{ extension: '1001', otherParty: '5550101' }, { extension: '1006', otherParty: '1007' }, { extension: '1008' }, { extension: '1002' }]);
    expect(watchCommands(sent)).toHaveLength(count);
    coordinator.reportAgents('1:0', [{ extension: '1001', otherParty: '5550199' }, { extension: '1002' }, { extension: '1006' }, { extension: '1008' }]);
    expect(watchCommands(sent).at(-1)?.parties).toEqual({ '1001': { uri: '5550199', onNet: false } });
  });

  it("uses the portal's own rule where the adapter has one (NetSapiens: shorter than 7 without * is on-net)", () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore() });
    coordinator.setPartyRules({ onNetPattern: '[0-9]{3,4}', rule: 'netsapiens' });
    coordinator.reportAgents('1:0', [{ extension: '1001', otherParty: '123456' }, { extension: '1002', otherParty: '*97' }]);
    expect(watchCommands(sent).at(-1)?.parties).toEqual({ '1001': { uri: '123456', onNet: true }, '1002': { uri: '*97', onNet: false } });
  });

  it('without rules (Earshot not set up) no party is sent', () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore() });
    coordinator.reportAgents('1:0', [{ extension: '1001', otherParty: '5550101' }]);
    expect(watchCommands(sent).at(-1)).toEqual({ type: 'watch', extensions: ['1001'] });
  });
});

describe('coordinator: settings arriving while a restarted worker restores', () => {
  it('do not send the engine an empty watch list before the saved frames are back', async () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore(savedFrames()) });
    const restoring = coordinator.restore();
    coordinator.setPartyRules({ onNetPattern: '[0-9]{3,4}' });
    await restoring;
    // The engine (which outlived the worker) keeps watching the saved frames' agents: nothing was sent that unwatches them.
    expect(sent.filter((c) => c.type === 'watch')).toEqual([]);
  });
});
