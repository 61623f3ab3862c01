// The lab's media (RTP) timeout with FAKE legs (a packet counter the test moves)
// and fake timers; the real thing over WebRTC is in lab-sip.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventLog } from '../log';
import type { WebRtcLeg } from '../media';
import { MediaTimeout } from '../pbx/media-timeout';
import type { MonitorSession } from '../pbx/pbx';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A FAKE leg: only its packet counter. */
const fakeLeg = (counter: { packets: number }) => ({ packetsReceived: async () => counter.packets }) as unknown as WebRtcLeg;
const session = (id: string) => ({ id, supervisor: '2001', agent: '1001' }) as MonitorSession;

function watchdog(timeoutMs: number | undefined) {
  const sessions = new Map<string, MonitorSession>([['s1', session('s1')]]);
  const counter = { packets: 0 };
  const ended: string[] = [];
  const config = { timeoutMs };
  const log = new EventLog(true);
  const timeout = new MediaTimeout(
    {
      sessions: () => sessions.values(),
      leg: () => fakeLeg(counter),
      end: (s, reason) => {
        sessions.delete(s.id);
        ended.push(`${s.id}: ${reason}`);
      },
      timeoutMs: () => config.timeoutMs,
    },
    log,
    () => Date.now(),
    1000,
  );
  return { counter, ended, config, log, timeout };
}

describe('MediaTimeout (fake legs)', () => {
  it('ends a session whose packet count has not moved for the timeout, not before', async () => {
    const w = watchdog(5000);
    w.counter.packets = 100;
    await vi.advanceTimersByTimeAsync(1000);
    // Packets flow for 3 s, then stop.
    for (let i = 0; i < 3; i++) {
      w.counter.packets += 50;
      await vi.advanceTimersByTimeAsync(1000);
    }
    await vi.advanceTimersByTimeAsync(4000);
    expect(w.ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.ended).toEqual(['s1: media timeout (no RTP)']);
    expect(w.log.since(0).map((e) => e.kind)).toEqual(['media-timeout']);
    w.timeout.close();
  });

  it('off (undefined or 0) ends nothing, however long the media stops', async () => {
    const w = watchdog(undefined);
    await vi.advanceTimersByTimeAsync(60_000);
    w.config.timeoutMs = 0;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.ended).toEqual([]);
    w.timeout.close();
  });

  it('counts from when it is switched on, not from the session start', async () => {
    const w = watchdog(undefined);
    await vi.advanceTimersByTimeAsync(30_000);
    w.config.timeoutMs = 3000;
    await vi.advanceTimersByTimeAsync(3000);
    expect(w.ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.ended).toHaveLength(1);
    w.timeout.close();
  });
});
