// The audit trail's wake by alarm (lib/platform/audit-delivery.ts auditWakeUps)
// with the queue (lib/coordinator/audit-queue.ts), as the background wires
// them, across a service worker that stops. FAKES (unit tests only): WXT's
// fakeBrowser alarms (an alarm outlives the "worker"; the test fires it), the
// in-memory store standing in for IndexedDB and a scripted receiver
// (tests/unit/audit-fakes.ts). A stopped worker's timers never fire: its
// queue is given timers that never run, so only start-up and the alarm can
// make it send.
//
// In real Chromium this could not be isolated: with a Target.closeTarget stop
// in the audit e2e, the offscreen engine and the tabs woke the worker again
// within a second, so the alarm's part was not measurable there.
import { fakeBrowser } from 'wxt/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditQueue } from '@/lib/coordinator/audit-queue';
import type { DeliveryResult } from '@/lib/coordinator/audit-queue';
import type { AuditEvent } from '@/lib/coordinator/audit-events';
import { AUDIT_ALARM, auditWakeUps } from '@/lib/platform/audit-delivery';
import { event, flush, memoryStore } from './audit-fakes';

const NOW = 1_800_000_000_000;

/** A receiver that is down (network error) or up (2xx), recording every request it got while up. */
function receiver() {
  const state = { up: false, requests: [] as { id: string; body: string }[], refused: 0 };
  const send = vi.fn(async (e: AuditEvent): Promise<DeliveryResult> => {
    if (!state.up) {
      state.refused++;
      return { kind: 'retry', reason: 'endpoint unreachable (network error or CORS refused)' };
    }
    state.requests.push({ id: e.id, body: JSON.stringify(e) });
    return { kind: 'delivered' };
  });
  return { state, send };
}

/** One service worker's life: the listeners its first turn registers, and its queue over the shared store. */
function worker(store: ReturnType<typeof memoryStore>, send: (e: AuditEvent) => Promise<DeliveryResult>) {
  // The listener runs only later, once the queue exists (as in the background).
  const wake = auditWakeUps(() => queue.kick());
  const queue: AuditQueue = new AuditQueue({
    store,
    send,
    limit: 5000,
    now: () => Date.now(),
    random: () => 0.5,
    // The worker stops before any backoff timer could run.
    setTimer: () => 'never',
    clearTimer: () => undefined,
    scheduleWake: wake.scheduleWake,
  });
  return queue;
}

const alarm = () => fakeBrowser.alarms.get(AUDIT_ALARM);
/** The browser stops the worker: its listeners die with it; the alarm stays, with the browser. */
function stop(queue: AuditQueue): void {
  queue.dispose();
  fakeBrowser.alarms.onAlarm.removeAllListeners();
}

beforeEach(() => {
  fakeBrowser.reset();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('audit trail: the alarm wakes a stopped worker', () => {
  it('asks for a wake no sooner than 30 s, named for the audit trail, when a retry waits', async () => {
    const store = memoryStore();
    const rx = receiver();
    const queue = worker(store, rx.send);
    await queue.start();
    await queue.enqueue([event('s1', 0)]);
    await flush();
    expect(rx.state.refused).toBe(1);
    // The first retry is due in 1–2 s; Chrome fires alarms no sooner than 30 s: the alarm says 30 s.
    expect(await alarm()).toMatchObject({ name: AUDIT_ALARM, scheduledTime: NOW + 30_000 });
    stop(queue);
  });

  it('events queued while the receiver is down, the worker stopped twice: the alarm outlives it, and the worker started for it sends each event once, with its id', async () => {
    const store = memoryStore();
    const rx = receiver();
    const first = worker(store, rx.send);
    await first.start();
    const events = [event('s1', 0), event('s1', 1)];
    await first.enqueue(events);
    await flush();
    expect(rx.state.refused).toBe(1);
    expect(await alarm()).toBeDefined();
    stop(first);

    // The worker is started again while the receiver is still down (its start-up try fails too)…
    vi.setSystemTime(NOW + 10_000);
    const second = worker(store, rx.send);
    await second.start();
    await flush();
    expect(rx.state.refused).toBe(2);
    expect(rx.state.requests).toEqual([]);
    // …and stops. Only the alarm is left to wake it.
    stop(second);
    rx.state.up = true;
    const due = (await alarm())!;
    vi.setSystemTime(due.scheduledTime);

    // The browser starts the worker for the alarm: its first turn registers the listeners and reads the
    // queue (the background's start-up sends what waits), then the alarm is delivered to it.
    const third = worker(store, rx.send);
    await third.start();
    await fakeBrowser.alarms.onAlarm.trigger(due);
    await flush();
    // Every event once, with the body it was recorded with; nothing left on disk.
    expect(rx.state.requests.map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(rx.state.requests.map((r) => JSON.parse(r.body) as AuditEvent)).toEqual(events);
    expect(store.data.events.size).toBe(0);
    stop(third);
  });

  it('the alarm alone, on a worker that is up and waiting out its backoff, sends at once', async () => {
    const store = memoryStore();
    const rx = receiver();
    const queue = worker(store, rx.send);
    await queue.start();
    await queue.enqueue([event('s2', 0)]);
    await flush();
    expect(queue.status().nextAttemptAt).toBeDefined();
    rx.state.up = true;
    // Another alarm does not kick the queue.
    await fakeBrowser.alarms.onAlarm.trigger({ name: 'someone-else', scheduledTime: NOW });
    await flush();
    expect(rx.state.requests).toEqual([]);
    await fakeBrowser.alarms.onAlarm.trigger((await alarm())!);
    await flush();
    expect(rx.state.requests).toHaveLength(1);
    expect(queue.status()).toMatchObject({ pending: 0 });
    stop(queue);
  });
});
