// The session record across browser restarts. The store is a fake in memory
// (unit test only); the real one is the extension origin's IndexedDB
// (lib/platform/history-store.ts), exercised by tests/e2e/history-chromium.e2e.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionHistory, type HistoryStore } from '@/lib/coordinator/session-history';
import { historyToCsv, isoWithOffset, mergeLogs, pruneHistory, type History } from '@/lib/log/history';
import type { EarshotState, SessionSnapshot } from '@/lib/state/snapshot';

afterEach(() => vi.useRealTimers());

const T0 = Date.parse('2026-12-02T09:00:00Z');
const DAY = 86_400_000;

function memoryHistoryStore(initial?: unknown): HistoryStore & { value: unknown; writes: number; cleared: number } {
  const store = {
    value: initial,
    writes: 0,
    cleared: 0,
    read: async () => store.value,
    write: async (h: History) => {
      store.writes++;
      store.value = structuredClone(h);
    },
    clear: async () => {
      store.cleared++;
      store.value = undefined;
    },
  };
  return store;
}

const session = (overrides: Partial<SessionSnapshot>): SessionSnapshot => ({
  id: 's1',
  agent: { extension: '1001', name: 'Alice Agent' },
  status: 'active',
  mode: 'listen',
  availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
  levels: { heard: 0, sent: 0 },
  ...overrides,
});

const state = (s: SessionSnapshot | null, log: EarshotState['log'] = []): Pick<EarshotState, 'session' | 'user' | 'agents' | 'log'> => ({
  session: s,
  user: { extension: '2001', displayName: 'Sam Supervisor', dtmfMonitoringGranted: false },
  agents: { '1001': { extension: '1001', dialog: 'confirmed', remote: { uri: 'sip:5550101@lab', display: 'Customer', onNet: false } } },
  log,
});

function history(store: HistoryStore, clock: { now: number }, enabled = true, days = 90) {
  const warnings: string[] = [];
  const h = new SessionHistory({ store, limits: () => ({ enabled, days, logEntries: 500 }), onWarning: (t) => warnings.push(t), now: () => clock.now, writeDelayMs: 10 });
  return { h, warnings };
}

describe('ISO 8601 times with their offset', () => {
  it('writes the local time and the offset east of UTC', () => {
    expect(isoWithOffset(T0, 0)).toBe('2026-12-02T09:00:00+00:00');
    expect(isoWithOffset(T0, 60)).toBe('2026-12-02T10:00:00+01:00');
    expect(isoWithOffset(T0, -330)).toBe('2026-12-02T03:30:00-05:30');
  });
});

describe('the session record', () => {
  it('folds a session into one record: supervisor, agent, other party, each mode with its time, who ended it', async () => {
    vi.useFakeTimers();
    const clock = { now: T0 };
    const store = memoryHistoryStore();
    const { h } = history(store, clock);
    await h.load();
    h.observe(state(session({ status: 'connecting' })));
    clock.now = T0 + 1000;
    h.observe(state(session({ status: 'active', mode: 'listen' })));
    clock.now = T0 + 31_000;
    h.observe(state(session({ mode: 'whisper' })));
    h.commandSent({ type: 'hangup' }, session({ mode: 'whisper' }));
    clock.now = T0 + 61_000;
    h.observe(state(session({ status: 'ended', mode: 'whisper', message: 'You ended the session.' })));
    await vi.advanceTimersByTimeAsync(20);
    const [record] = h.sessions();
    expect(record).toMatchObject({
      id: 's1',
      supervisor: { extension: '2001', name: 'Sam Supervisor' },
      agent: { extension: '1001', name: 'Alice Agent' },
      otherParty: { uri: 'sip:5550101@lab', display: 'Customer', onNet: false },
      modes: [{ mode: 'listen', at: T0 }, { mode: 'whisper', at: T0 + 31_000 }],
      end: T0 + 61_000,
      outcome: { result: 'ended', endedBy: 'supervisor', reason: 'You ended the session.' },
    });
    expect((store.value as History).sessions).toHaveLength(1);
  });

  it('as CSV: one row per mode, times with their offset, durations, the outcome on each row, formulas defused', () => {
    const csv = historyToCsv(
      [
        {
          id: 's1',
          supervisor: { extension: '2001', name: 'Sam Supervisor' },
          agent: { extension: '1001', name: '=HYPERLINK("x")' },
          otherParty: { uri: 'sip:5550101@lab', display: 'Customer', onNet: false },
          modes: [{ mode: 'listen', at: T0 }, { mode: 'barge', at: T0 + 12_000 }],
          end: T0 + 42_000,
          outcome: { result: 'ended', endedBy: 'remote', reason: 'The PBX ended the session.' },
        },
      ],
      T0 + 50_000,
      () => 60,
    );
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('Session,Supervisor,Agent,Other party,Mode,Start,End,Duration (s),Outcome');
    expect(rows[1]).toBe(
      `s1,Sam Supervisor (2001),"'=HYPERLINK(""x"") (1001)",Customer <sip:5550101@lab>,Listen Only,2026-12-02T10:00:00+01:00,2026-12-02T10:00:12+01:00,12,ended by the PBX: The PBX ended the session.`,
    );
    expect(rows[2]).toContain('Join (Barge-In),2026-12-02T10:00:12+01:00,2026-12-02T10:00:42+01:00,30,ended by the PBX');
  });

  it('a live session has no end and counts its duration to now', () => {
    const csv = historyToCsv([{ id: 's2', supervisor: {}, agent: { extension: '1002' }, modes: [{ mode: 'listen', at: T0 }] }], T0 + 5_000, () => 0);
    expect(csv.trimEnd().split('\r\n')[1]).toBe('s2,,1002,,Listen Only,2026-12-02T09:00:00+00:00,,5,live');
  });

  it('reads back what an earlier run kept and adds to it; the log rows are merged once each', async () => {
    vi.useFakeTimers();
    const clock = { now: T0 + DAY };
    const kept: History = {
      version: 1,
      sessions: [{ id: 'old', supervisor: { extension: '2001' }, agent: { extension: '1003' }, modes: [{ mode: 'listen', at: T0 }], end: T0 + 10_000, outcome: { result: 'failed', reason: 'No answer' } }],
      log: [{ at: T0, kind: 'start', agent: '1003', text: 'Monitoring 1003' }],
    };
    const store = memoryHistoryStore(kept);
    const { h } = history(store, clock);
    const loaded = await h.load();
    expect(loaded.sessions.map((s) => s.id)).toEqual(['old']);
    const row = { at: T0 + DAY, kind: 'info' as const, text: 'Ready' };
    h.observe(state(null, [...kept.log, row]));
    await vi.advanceTimersByTimeAsync(20);
    expect((store.value as History).log).toEqual([kept.log[0], row]);
  });

  it('sets aside a record that does not read back, with a warning, and starts afresh', async () => {
    const { h, warnings } = history(memoryHistoryStore({ version: 7, sessions: 'x' }), { now: T0 });
    expect((await h.load()).sessions).toEqual([]);
    expect(warnings).toEqual(['The saved session record could not be read and was set aside; new sessions are recorded again.']);
  });

  it('turned off by settings: what was kept is erased and nothing is written', async () => {
    vi.useFakeTimers();
    const store = memoryHistoryStore({ version: 1, sessions: [], log: [] });
    const { h } = history(store, { now: T0 }, false);
    await h.load();
    h.observe(state(session({ status: 'active' })));
    await vi.advanceTimersByTimeAsync(50);
    expect(store.cleared).toBe(1);
    expect(store.writes).toBe(0);
    expect(h.sessions()).toHaveLength(1);
  });

  it('a failing store is reported once, not at every write', async () => {
    vi.useFakeTimers();
    const store = memoryHistoryStore();
    store.write = () => Promise.reject(new Error('QuotaExceededError'));
    const { h, warnings } = history(store, { now: T0 });
    await h.load();
    h.observe(state(session({ status: 'active' })));
    await vi.advanceTimersByTimeAsync(20);
    h.observe(state(session({ mode: 'barge' }), [{ at: T0, kind: 'error', text: warnings[0] ?? '' }]));
    await vi.advanceTimersByTimeAsync(20);
    expect(warnings).toEqual(['The session record could not be saved (QuotaExceededError); it is kept until the browser closes.']);
  });

  it('keeps the days and rows it is allowed', () => {
    const pruned = pruneHistory(
      {
        version: 1,
        sessions: [
          { id: 'a', supervisor: {}, agent: { extension: '1' }, modes: [{ mode: 'listen', at: T0 - 91 * DAY }], end: T0 - 91 * DAY },
          { id: 'b', supervisor: {}, agent: { extension: '2' }, modes: [{ mode: 'listen', at: T0 - 89 * DAY }], end: T0 - 89 * DAY },
        ],
        log: [3, 2, 1].map((n) => ({ at: T0 - n, kind: 'info' as const, text: String(n) })),
      },
      { days: 90, logEntries: 2 },
      T0,
    );
    expect(pruned.sessions.map((s) => s.id)).toEqual(['b']);
    expect(pruned.log.map((e) => e.text)).toEqual(['2', '1']);
    expect(mergeLogs(pruned.log, pruned.log)).toHaveLength(2);
  });
});
