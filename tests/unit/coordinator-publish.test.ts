// What the coordinator publishes and persists, and that failures nobody's
// command waits for are shown. A FAKE engine link (records commands, can
// refuse) and a memory store that counts writes: unit test only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coordinator } from '@/lib/coordinator/coordinator';
import type { EngineLink } from '@/lib/coordinator/engine-link';
import { memoryStore, type PersistedCoordinator } from '@/lib/coordinator/store';
import { createBackgroundHandlers } from '@/lib/messaging/background-handlers';
import type { Publication } from '@/lib/messaging/state-port';
import type { EngineCommand, EngineEvent } from '@/lib/contract/engine';

const ALLOWED = { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } };

const engineState = (levels = { heard: 0, sent: 0 }, newLog: EngineEvent['newLog'] = []): EngineEvent => ({
  type: 'state',
  registration: { status: 'registered', since: 1 },
  agents: {},
  session: { id: 's1', agent: { extension: '1001' }, status: 'active', mode: 'listen', availability: ALLOWED, levels },
  microphone: 'not-needed',
  newLog,
});

function fakeLink(refuse?: (command: EngineCommand) => string | undefined) {
  const sent: EngineCommand[] = [];
  let deliver: (event: EngineEvent) => void = () => undefined;
  const link: EngineLink = {
    send: async (command) => {
      const reason = refuse?.(command);
      if (reason) throw new Error(reason);
      sent.push(command);
    },
    onEvent: (callback) => {
      deliver = callback;
      return () => undefined;
    },
  };
  return { link, sent, deliver: (event: EngineEvent) => deliver(event) };
}

function countingStore() {
  const store = memoryStore<PersistedCoordinator>();
  const set = vi.spyOn(store, 'set');
  return { store, writes: () => set.mock.calls.length };
}

let coordinator: Coordinator | undefined;
afterEach(() => {
  coordinator?.dispose();
  vi.useRealTimers();
});

describe('coordinator: publications and storage', () => {
  it('an event that changes only the levels goes on the levels topic: no new revision, nothing written', async () => {
    const { link, deliver } = fakeLink();
    const { store, writes } = countingStore();
    coordinator = new Coordinator({ link, store, persistDelayMs: 0 });
    await coordinator.restore();
    const published: Publication[] = [];
    coordinator.subscribe((p) => published.push(p));
    deliver(engineState());
    await coordinator.flush();
    const revision = coordinator.getState().revision;
    const before = writes();
    for (let i = 1; i <= 8; i++) deliver(engineState({ heard: i / 10, sent: 0 }));
    deliver(engineState({ heard: 0.8, sent: 0 }));
    await coordinator.flush();
    expect(published.map((p) => p.type)).toEqual(['state', ...Array(8).fill('levels')]);
    expect(published.at(-1)).toEqual({ type: 'levels', revision, session: 's1', levels: { heard: 0.8, sent: 0 } });
    expect(coordinator.getState().revision).toBe(revision);
    expect(coordinator.getState().session?.levels).toEqual({ heard: 0.8, sent: 0 });
    expect(writes()).toBe(before);
  });

  it('writes storage.session only when the state changed in substance', async () => {
    const { link, deliver } = fakeLink();
    const { store, writes } = countingStore();
    coordinator = new Coordinator({ link, store, persistDelayMs: 0 });
    await coordinator.restore();
    deliver(engineState());
    await coordinator.flush();
    const after = writes();
    // The engine says the same again (a sync answer): a new revision, but nothing to keep.
    deliver(engineState());
    await coordinator.flush();
    expect(writes()).toBe(after);
    deliver(engineState(undefined, [{ at: 5, kind: 'info', text: 'something happened' }]));
    await coordinator.flush();
    expect(writes()).toBe(after + 1);
  });

  it('publishes how far the log has grown, so UIs get appends', async () => {
    const { link, deliver } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>(), logLimit: 2 });
    await coordinator.restore();
    const seqs: number[] = [];
    coordinator.subscribe((p) => p.type === 'state' && seqs.push(p.logSeq));
    deliver(engineState(undefined, [{ at: 1, kind: 'info', text: 'a' }]));
    deliver(engineState(undefined, [{ at: 2, kind: 'info', text: 'b' }, { at: 3, kind: 'info', text: 'c' }]));
    expect(seqs).toEqual([1, 3]);
    expect(coordinator.getState().log.map((e) => e.text)).toEqual(['b', 'c']);
    expect(coordinator.publication()).toMatchObject({ logSeq: 3, logLimit: 2 });
  });

  it('a configure or watch the engine could not take is shown in the log, once while it lasts', async () => {
    const { link } = fakeLink((command) => (command.type === 'configure' || command.type === 'watch' ? 'The phone engine did not connect within 10 s.' : undefined));
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>() });
    await coordinator.restore();
    await coordinator.configureEngine(null);
    await coordinator.configureEngine(null);
    coordinator.reportAgents('7:0', [{ extension: '1001' }]);
    await vi.waitFor(() => expect(coordinator?.getState().log).toHaveLength(2));
    expect(coordinator.getState().log.map((e) => [e.kind, e.text])).toEqual([
      ['error', 'The phone engine could not take its settings: The phone engine did not connect within 10 s.'],
      ['error', 'The phone engine could not watch the portal’s agents: The phone engine did not connect within 10 s.'],
    ]);
  });
});

describe('background handlers (real coordinator, fake link)', () => {
  const sender = { role: 'content' as const, tabId: 7, frameId: 2 };

  it("report-agents keys the list by the sender's tab and frame; the engine watches them", async () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>() });
    await coordinator.restore();
    const handlers = createBackgroundHandlers(coordinator, { openPanel: async () => undefined, portalConfig: () => ({ ok: false, reason: 'none' }) });
    expect(handlers['report-agents']({ type: 'report-agents', agents: [{ extension: '1002' }, { extension: '1001' }] }, sender)).toEqual({ ok: true });
    await vi.waitFor(() => expect(sent).toContainEqual({ type: 'watch', extensions: ['1001', '1002'] }));
  });

  it('open-panel calls the platform first thing, for the sender’s tab; without a tab it refuses', async () => {
    const { link } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>() });
    const opened: number[] = [];
    const handlers = createBackgroundHandlers(coordinator, {
      openPanel: async (tabId) => void opened.push(tabId),
      portalConfig: () => ({ ok: false, reason: 'none' }),
    });
    const answer = handlers['open-panel']({ type: 'open-panel' }, sender);
    expect(opened).toEqual([7]);
    expect(await answer).toEqual({ ok: true });
    expect(await handlers['open-panel']({ type: 'open-panel' }, { role: 'content' })).toEqual({ ok: false, reason: 'No tab to open the panel for.' });
  });

  it('start, set-mode and hangup go through the coordinator’s rules; portal-config comes from the deps', async () => {
    const { link, sent } = fakeLink();
    coordinator = new Coordinator({ link, store: memoryStore<PersistedCoordinator>() });
    await coordinator.restore();
    const handlers = createBackgroundHandlers(coordinator, { openPanel: async () => undefined, portalConfig: () => ({ ok: false, reason: 'No portal adapter.' }) });
    expect(await handlers.start({ type: 'start', agent: '1001' }, sender)).toEqual({ ok: false, reason: 'Earshot is not set up yet: open the options.' });
    expect(await handlers.hangup({ type: 'hangup' }, sender)).toEqual({ ok: false, reason: 'No monitor session to hang up.' });
    expect(await handlers['set-mode']({ type: 'set-mode', mode: 'barge' }, sender)).toMatchObject({ ok: false });
    expect(await handlers['export-log']({ type: 'export-log' }, { role: 'sidepanel' })).toMatchObject({ ok: true, csv: expect.stringContaining('Refused') });
    expect(handlers['portal-config']({ type: 'portal-config' }, sender)).toEqual({ ok: false, reason: 'No portal adapter.' });
    expect(sent.filter((c) => c.type !== 'sync')).toEqual([]);
  });
});
