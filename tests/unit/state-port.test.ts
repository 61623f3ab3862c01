// The state channel between the background and every UI: the hub and the
// client over FAKE port pairs (tests/unit/port-fakes.ts; unit tests only).
import { describe, expect, it } from 'vitest';
import { initialState } from '@/lib/coordinator/coordinator';
import { createStateClient, createStateHub, type Publication } from '@/lib/messaging/state-port';
import type { SenderInfo } from '@/lib/messaging/senders';
import type { EarshotState, LogEntry, SessionSnapshot } from '@/lib/state/snapshot';
import { portPair, settle, type FakeEnd } from './port-fakes';

const session = (levels = { heard: 0, sent: 0 }, id = 's1'): SessionSnapshot => ({
  id,
  agent: { extension: '1001' },
  status: 'active',
  mode: 'listen',
  availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
  levels,
});
const entry = (n: number): LogEntry => ({ at: n, kind: 'info', text: `entry ${n}` });

/** A FAKE background (unit test only): one hub, the state it publishes, the ports it accepted. */
function background() {
  let state: EarshotState = { ...initialState(0), revision: 1 };
  let logSeq = 0;
  const publication = (): Extract<Publication, { type: 'state' }> => ({ type: 'state', state, logSeq, logLimit: 3 });
  const hub = createStateHub({
    current: publication,
    authorize: (sender) => (sender.url?.includes('offscreen') ? { ok: true, role: 'engine' } : { ok: true, role: 'sidepanel' }),
  });
  const receivers: FakeEnd[] = [];
  return {
    hub,
    receivers,
    connect(sender: SenderInfo = { url: 'chrome-extension://x/sidepanel.html' }) {
      const { opener, receiver } = portPair('earshot:state', sender);
      receivers.push(receiver);
      void hub.accept(receiver);
      return opener;
    },
    change(next: Partial<EarshotState>, newEntries: LogEntry[] = []) {
      logSeq += newEntries.length;
      state = { ...state, ...next, revision: state.revision + 1, log: [...state.log, ...newEntries].slice(-3) };
      hub.publish(publication());
    },
    levels(levels: SessionSnapshot['levels'], id = 's1') {
      hub.publish({ type: 'levels', revision: state.revision, session: id, levels });
    },
  };
}

function client(connect: () => FakeEnd, timers: (() => void)[] = []) {
  const states: EarshotState[] = [];
  const connection: boolean[] = [];
  const invalid: string[] = [];
  const c = createStateClient({
    connect,
    onState: (s) => states.push(s),
    onConnection: (up) => connection.push(up),
    onInvalid: (reason) => invalid.push(reason),
    setTimer: (callback) => void timers.push(callback),
  });
  return { c, states, connection, invalid, last: () => states.at(-1) };
}

describe('state hub and client', () => {
  it('a new UI gets the snapshot and the whole log; then snapshots without the log and the new entries only', async () => {
    const bg = background();
    bg.change({}, [entry(1), entry(2)]);
    const ui = client(() => bg.connect());
    await settle();
    expect(ui.last()?.log).toEqual([entry(1), entry(2)]);
    bg.change({ microphone: 'granted' }, [entry(3)]);
    await settle();
    const posted = bg.receivers[0]?.posted ?? [];
    expect(posted.map((m) => (m as { type: string }).type)).toEqual(['snapshot', 'log', 'snapshot', 'log']);
    expect(posted[2]).not.toHaveProperty('state.log');
    expect(posted[3]).toEqual({ type: 'log', reset: false, entries: [entry(3)], limit: 3 });
    expect(ui.last()).toMatchObject({ microphone: 'granted', log: [entry(1), entry(2), entry(3)] });
  });

  it('the UI keeps its copy of the log capped; entries it missed come as a reset', async () => {
    const bg = background();
    const ui = client(() => bg.connect());
    await settle();
    bg.change({}, [entry(1), entry(2), entry(3)]);
    bg.change({}, [entry(4)]);
    await settle();
    expect(ui.last()?.log).toEqual([entry(2), entry(3), entry(4)]);
    // More entries than the log holds since this port's last: the hub sends the whole log.
    bg.change({}, [entry(5), entry(6), entry(7), entry(8)]);
    await settle();
    expect(bg.receivers[0]?.posted.at(-1)).toMatchObject({ type: 'log', reset: true });
    expect(ui.last()?.log).toEqual([entry(6), entry(7), entry(8)]);
  });

  it('levels travel on their own small topic and apply to the session they name only', async () => {
    const bg = background();
    bg.change({ session: session() });
    const ui = client(() => bg.connect());
    await settle();
    bg.levels({ heard: 0.4, sent: 0.1 });
    bg.levels({ heard: 0.9, sent: 0.9 }, 'another');
    await settle();
    const last = bg.receivers[0]?.posted.at(-1);
    expect(JSON.stringify(last).length).toBeLessThan(120);
    expect(ui.last()?.session?.levels).toEqual({ heard: 0.4, sent: 0.1 });
    expect(ui.last()?.revision).toBe(2);
  });

  it('drops snapshots older than the one shown, and malformed messages with a reason', async () => {
    const bg = background();
    const ui = client(() => bg.connect());
    await settle();
    const port = bg.receivers[0] as FakeEnd;
    port.postMessage({ type: 'snapshot', state: { ...initialState(0), revision: 7 } });
    port.postMessage({ type: 'snapshot', state: { ...initialState(0), revision: 5, configured: true } });
    port.postMessage({ type: 'snapshot', state: { nonsense: true } });
    port.postMessage({ type: 'levels', revision: 1, session: 's1', levels: { heard: 1, sent: 1 } });
    await settle();
    expect(ui.last()).toMatchObject({ revision: 7, configured: false });
    expect(ui.invalid).toHaveLength(1);
    expect(ui.invalid[0]).toMatch(/^Dropped a malformed state message/);
  });

  it('reconnects when the port drops (worker stopped) and takes the new worker’s first snapshot and log whatever its revision', async () => {
    let bg = background();
    bg.change({}, [entry(1)]);
    bg.change({ configured: true });
    const timers: (() => void)[] = [];
    const ui = client(() => bg.connect(), timers);
    await settle();
    expect(ui.last()?.revision).toBe(3);
    bg.receivers[0]?.disconnect();
    await settle();
    expect(ui.connection).toEqual([true, false]);
    expect(ui.c.connected).toBe(false);
    // A restarted worker: its revisions start over.
    bg = background();
    timers.shift()?.();
    await settle();
    expect(ui.connection).toEqual([true, false, true]);
    expect(ui.last()).toMatchObject({ revision: 1, configured: false, log: [] });
  });

  it('a port from a context that is not a UI is disconnected', async () => {
    const bg = background();
    const { opener, receiver } = portPair('earshot:state', { url: 'chrome-extension://x/offscreen.html' });
    expect(await bg.hub.accept(receiver)).toBe(false);
    await settle();
    expect(opener.closed).toBe(true);
    expect(bg.hub.size).toBe(0);
  });
});
