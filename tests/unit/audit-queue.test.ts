// The audit trail's queue and recorder (lib/coordinator/audit-*.ts) with fakes:
// an in-memory store standing in for IndexedDB, a scripted transport standing
// in for fetch, vitest's fake timers and a fixed random for the jitter.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditRecorder } from '@/lib/coordinator/audit-events';
import { AuditQueue, backoffDelay, classifyStatus } from '@/lib/coordinator/audit-queue';
import { AuditTrail } from '@/lib/coordinator/audit-trail';
import type { EarshotState, SessionSnapshot } from '@/lib/state/snapshot';
import { event, fakeTransport, flush, memoryStore } from './audit-fakes';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('classifyStatus: retry or drop', () => {
  it('2xx delivered; 5xx, 408, 429 retried; other 4xx (and 3xx) rejected', () => {
    for (const status of [200, 201, 202, 204]) expect(classifyStatus(status)).toBe('delivered');
    for (const status of [500, 502, 503, 504, 408, 429]) expect(classifyStatus(status)).toBe('retry');
    for (const status of [400, 401, 403, 404, 409, 413, 422, 301, 304]) expect(classifyStatus(status)).toBe('rejected');
  });
});

describe('backoffDelay', () => {
  it('doubles per failure from the base, is capped, and jitters between half and all of it', () => {
    expect(backoffDelay(1, () => 0, 2000, 60_000)).toBe(1000);
    expect(backoffDelay(1, () => 1, 2000, 60_000)).toBe(2000);
    expect(backoffDelay(2, () => 1, 2000, 60_000)).toBe(4000);
    expect(backoffDelay(5, () => 1, 2000, 60_000)).toBe(32_000);
    expect(backoffDelay(20, () => 1, 2000, 60_000)).toBe(60_000);
    expect(backoffDelay(20, () => 0, 2000, 60_000)).toBe(30_000);
    const spread = new Set([0.1, 0.5, 0.9].map((r) => backoffDelay(3, () => r)));
    expect(spread.size).toBe(3);
  });
});

describe('AuditQueue', () => {
  it('sends in order, one at a time, and removes each event from the store once delivered', async () => {
    const store = memoryStore();
    const transport = fakeTransport();
    let inFlight = 0;
    let most = 0;
    const queue = new AuditQueue({
      store,
      limit: 100,
      send: async (e) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await Promise.resolve();
        inFlight--;
        return transport.send(e);
      },
    });
    await queue.start();
    const events = [event('a', 0), event('b', 0), event('a', 1), event('b', 1), event('a', 2)];
    await queue.enqueue(events);
    await flush();
    expect(transport.received.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(most).toBe(1);
    expect(store.data.events.size).toBe(0);
    expect(queue.status()).toMatchObject({ pending: 0, dropped: 0, rejected: 0 });
  });

  it('persists an event before it is sent', async () => {
    const store = memoryStore();
    let onDiskAtSend = -1;
    const queue = new AuditQueue({
      store,
      limit: 100,
      send: async () => {
        onDiskAtSend = store.data.events.size;
        return { kind: 'delivered' };
      },
    });
    await queue.start();
    await queue.enqueue([event()]);
    await flush();
    expect(onDiskAtSend).toBe(1);
  });

  it('5xx / network errors: retried with backoff, the same id and body each time, nothing lost, order kept', async () => {
    const store = memoryStore();
    const transport = fakeTransport([
      { kind: 'retry', reason: 'HTTP 500' },
      { kind: 'retry', reason: 'HTTP 503' },
      { kind: 'retry', reason: 'endpoint unreachable (network error or CORS refused)' },
    ]);
    const wakes: number[] = [];
    const queue = new AuditQueue({ store, limit: 100, send: transport.send, random: () => 1, baseDelayMs: 1000, maxDelayMs: 60_000, scheduleWake: (at) => wakes.push(at) });
    await queue.start();
    const first = event('s', 0);
    const second = event('s', 1);
    await queue.enqueue([first, second]);
    await flush();
    expect(transport.received).toHaveLength(1);
    expect(queue.status()).toMatchObject({ pending: 2, lastError: 'HTTP 500' });
    expect(queue.status().unreachableSince).toBeTypeOf('number');
    const since = queue.status().unreachableSince;
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.received).toHaveLength(2); // after 1 s
    await vi.advanceTimersByTimeAsync(2000);
    expect(transport.received).toHaveLength(3); // after 2 s more
    expect(queue.status().unreachableSince).toBe(since);
    await vi.advanceTimersByTimeAsync(4000);
    await flush();
    // Delivered on the 4th try, then the second event.
    expect(transport.received.map((e) => e.id)).toEqual([first.id, first.id, first.id, first.id, second.id]);
    // Duplicates are exact copies: same id, same body.
    const copies = transport.received.filter((e) => e.id === first.id).map((e) => JSON.stringify(e));
    expect(new Set(copies).size).toBe(1);
    expect(wakes).toHaveLength(3);
    expect(queue.status()).toMatchObject({ pending: 0 });
    expect(queue.status().unreachableSince).toBeUndefined();
    expect(store.data.events.size).toBe(0);
  });

  it('a 4xx other than 408/429 drops that event with a warning and goes on with the next', async () => {
    const store = memoryStore();
    const transport = fakeTransport([{ kind: 'rejected', reason: 'HTTP 401' }]);
    const warnings: string[] = [];
    const queue = new AuditQueue({ store, limit: 100, send: transport.send, onWarning: (w) => warnings.push(w) });
    await queue.start();
    const [a, b] = [event(), event()];
    await queue.enqueue([a, b]);
    await flush();
    expect(transport.received.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(queue.status()).toMatchObject({ pending: 0, rejected: 1, lastRejection: 'HTTP 401' });
    expect(warnings.join()).toMatch(/refused an event \(HTTP 401\)/);
    expect(store.data.counters.rejected).toBe(1);
  });

  it('kick() (online, start-up, the alarm) retries at once instead of waiting for the backoff', async () => {
    const transport = fakeTransport([{ kind: 'retry', reason: 'network' }]);
    const queue = new AuditQueue({ store: memoryStore(), limit: 100, send: transport.send, baseDelayMs: 60_000, random: () => 1 });
    await queue.start();
    await queue.enqueue([event()]);
    await flush();
    expect(queue.status().nextAttemptAt).toBeTypeOf('number');
    queue.kick();
    await flush();
    expect(transport.received).toHaveLength(2);
    expect(queue.status().pending).toBe(0);
  });

  it('bounded: beyond the limit the oldest are dropped, counted and warned about', async () => {
    const store = memoryStore();
    const warnings: string[] = [];
    const queue = new AuditQueue({ store, limit: 3, send: async () => ({ kind: 'retry', reason: 'HTTP 503' }), onWarning: (w) => warnings.push(w), baseDelayMs: 60_000 });
    await queue.start();
    const events = [event(), event(), event(), event(), event()];
    for (const e of events) await queue.enqueue([e]);
    await flush();
    expect(queue.status()).toMatchObject({ pending: 3, dropped: 2 });
    expect([...store.data.events.values()].map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
    expect(store.data.counters.dropped).toBe(2);
    expect(warnings.filter((w) => /queue is full/.test(w))).toHaveLength(2);
  });

  it('a restart resumes: the events left in the store are sent first, with their ids, in order', async () => {
    const store = memoryStore();
    const down = new AuditQueue({ store, limit: 100, send: async () => ({ kind: 'retry', reason: 'network' }), baseDelayMs: 60_000 });
    await down.start();
    const before = [event('s', 0), event('s', 1)];
    await down.enqueue(before);
    await flush();
    down.dispose(); // the browser closes
    expect(store.data.events.size).toBe(2);

    const transport = fakeTransport();
    const up = new AuditQueue({ store, limit: 100, send: transport.send });
    const after = event('s', 2);
    void up.enqueue([after]); // recorded before the saved queue was read: still goes after it
    await up.start();
    await flush();
    expect(transport.received.map((e) => e.id)).toEqual([...before, after].map((e) => e.id));
    expect(transport.received.map((e) => JSON.stringify(e))).toEqual([...before, after].map((e) => JSON.stringify(e)));
    expect(store.data.events.size).toBe(0);
  });

  it('disabled (no endpoint): keeps what waits, sends nothing, and sends it when enabled', async () => {
    const transport = fakeTransport();
    const queue = new AuditQueue({ store: memoryStore(), limit: 100, send: transport.send });
    queue.setEnabled(false);
    await queue.start();
    await queue.enqueue([event()]);
    await flush();
    expect(transport.received).toHaveLength(0);
    queue.setEnabled(true);
    await flush();
    expect(transport.received).toHaveLength(1);
  });
});

function snapshot(session: Partial<SessionSnapshot> | null, extra: Partial<EarshotState> = {}): Pick<EarshotState, 'session' | 'user' | 'agents'> {
  return {
    user: { extension: '2001', displayName: 'Sam Supervisor', dtmfMonitoringGranted: false },
    agents: { 1008: { extension: '1008', name: 'Bob Agent', dialog: 'confirmed', remote: { uri: 'sip:5550108@lab', display: 'Customer', onNet: false } } },
    session: session && {
      id: 'sess-1',
      agent: { extension: '1008', name: 'Bob Agent' },
      status: 'connecting',
      mode: 'listen',
      availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
      levels: { heard: 0, sent: 0 },
      ...session,
    },
    ...extra,
  };
}

describe('AuditRecorder: snapshots → events', () => {
  it('start, each confirmed mode change, the end by the supervisor; the other party when known', () => {
    let n = 0;
    let t = Date.UTC(2026, 0, 1, 12, 0, 0);
    const recorder = new AuditRecorder({ newId: () => `id-${n++}`, now: () => (t += 1000) });
    const out = [
      ...recorder.observe(snapshot(null)),
      ...recorder.observe(snapshot({ status: 'connecting' })),
      ...recorder.observe(snapshot({ status: 'active' })),
      ...recorder.observe(snapshot({ status: 'active', pendingMode: 'whisper' })),
      ...recorder.observe(snapshot({ status: 'active', mode: 'whisper' })),
      ...recorder.observe(snapshot({ status: 'active', mode: 'whisper', levels: { heard: 0.5, sent: 0.1 } })),
      ...recorder.observe(snapshot({ status: 'active', mode: 'barge' })),
    ];
    recorder.hangupAsked('sess-1');
    out.push(...recorder.observe(snapshot({ status: 'ending', mode: 'barge' })));
    out.push(...recorder.observe(snapshot({ status: 'ended', mode: 'barge' })));
    out.push(...recorder.observe(snapshot({ status: 'ended', mode: 'barge' })));
    expect(out.map((e) => [e.type, e.seq, e.mode, e.previousMode])).toEqual([
      ['session.started', 0, 'listen', undefined],
      ['session.mode', 1, 'whisper', 'listen'],
      ['session.mode', 2, 'barge', 'whisper'],
      ['session.ended', 3, 'barge', undefined],
    ]);
    expect(new Set(out.map((e) => e.id)).size).toBe(4);
    expect(out[0]).toMatchObject({
      schema: 'earshot.audit/1',
      sessionId: 'sess-1',
      supervisor: { extension: '2001', name: 'Sam Supervisor' },
      agent: { extension: '1008', name: 'Bob Agent' },
      otherParty: { uri: 'sip:5550108@lab', display: 'Customer', onNet: false },
      at: '2026-01-01T12:00:01.000Z',
    });
    expect(out[3]?.outcome).toEqual({ result: 'ended', endedBy: 'supervisor' });
  });

  it('ended by the other side, and failed with the reason', () => {
    let n = 0;
    const recorder = new AuditRecorder({ newId: () => `id-${n++}` });
    recorder.observe(snapshot({ status: 'active' }));
    const [ended] = recorder.observe(snapshot({ status: 'ended', message: 'The agent’s call ended.' }));
    expect(ended?.outcome).toEqual({ result: 'ended', endedBy: 'remote', reason: 'The agent’s call ended.' });
    const failed = recorder.observe(snapshot({ id: 'sess-2', status: 'failed', message: 'The PBX refused the monitor call (403).' }));
    expect(failed.map((e) => e.type)).toEqual(['session.started', 'session.failed']);
    expect(failed[1]?.outcome).toEqual({ result: 'failed', reason: 'The PBX refused the monitor call (403).' });
  });

  it('a restarted worker with the saved memory repeats nothing', () => {
    const first = new AuditRecorder({ newId: () => crypto.randomUUID() });
    first.observe(snapshot({ status: 'active' }));
    const second = new AuditRecorder({ newId: () => crypto.randomUUID() });
    second.load(structuredClone(first.remembered()));
    expect(second.observe(snapshot({ status: 'active' }))).toEqual([]);
    expect(second.observe(snapshot({ status: 'active', mode: 'whisper' })).map((e) => [e.type, e.seq])).toEqual([['session.mode', 1]]);
  });
});

describe('AuditTrail: recorder and queue together', () => {
  it('records only with an endpoint; status for the UI; the supervisor’s hang-up; resumes after a restart', async () => {
    const store = memoryStore();
    const statuses: unknown[] = [];
    const transport = fakeTransport([{ kind: 'retry', reason: 'HTTP 500' }]);
    const trail = new AuditTrail({ store, send: transport.send, newId: () => crypto.randomUUID(), onStatus: (s) => statuses.push(s), baseDelayMs: 60_000 });
    trail.observe(snapshot({ status: 'active' })); // before start: kept for after
    await trail.start();
    expect(store.data.events.size).toBe(0); // no endpoint: nothing recorded
    trail.configure({ endpoint: 'https://audit.example.com/e', token: 't', queueLimit: 100 });
    trail.observe(snapshot({ id: 'sess-9', status: 'active' }));
    await trail.settled();
    await flush();
    expect(trail.status()).toMatchObject({ pending: 1, lastError: 'HTTP 500' });
    expect(statuses.at(-1)).toMatchObject({ pending: 1 });
    trail.commandSent({ type: 'hangup' }, snapshot({ id: 'sess-9', status: 'active' }).session);
    trail.observe(snapshot({ id: 'sess-9', status: 'ended' }));
    await trail.settled();
    trail.dispose();
    expect(store.data.events.size).toBe(2);

    const again = fakeTransport();
    const restarted = new AuditTrail({ store, send: again.send, newId: () => crypto.randomUUID(), onStatus: () => undefined });
    restarted.configure({ endpoint: 'https://audit.example.com/e', queueLimit: 100 });
    await restarted.start();
    restarted.observe(snapshot({ id: 'sess-9', status: 'ended' }));
    await flush();
    expect(again.received.map((e) => [e.type, e.seq])).toEqual([['session.started', 0], ['session.ended', 1]]);
    expect(again.received[1]?.outcome).toEqual({ result: 'ended', endedBy: 'supervisor' });
    expect(store.data.events.size).toBe(0);
  });
});

describe('fetchAuditTransport (lib/platform) with a fake fetch', () => {
  it('POSTs the event as JSON with the bearer token and the id as Idempotency-Key; classifies the answers', async () => {
    const { fetchAuditTransport } = await import('@/lib/platform/audit-delivery');
    const calls: { url: string; init: RequestInit }[] = [];
    const statuses = [204, 503, 429, 401];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const status = statuses.shift();
      if (status === undefined) throw new TypeError('Failed to fetch');
      return new Response(status === 204 ? null : 'x', { status });
    }) as unknown as typeof fetch;
    const send = fetchAuditTransport(() => ({ endpoint: 'https://audit.example.com/e', token: 'tok', queueLimit: 100 }), fakeFetch);
    const e = event();
    expect(await send(e)).toEqual({ kind: 'delivered' });
    expect(await send(e)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
    expect(await send(e)).toEqual({ kind: 'retry', reason: 'HTTP 429' });
    expect(await send(e)).toEqual({ kind: 'rejected', reason: 'HTTP 401' });
    expect((await send(e)).kind).toBe('retry');
    const first = calls[0]!;
    expect(first.url).toBe('https://audit.example.com/e');
    expect(first.init.method).toBe('POST');
    expect(first.init.headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: 'Bearer tok', 'Idempotency-Key': e.id });
    expect(first.init.credentials).toBe('omit');
    expect(JSON.parse(String(first.init.body))).toEqual(e);
    // The same body every time: a retry is an exact copy.
    expect(new Set(calls.map((c) => c.init.body)).size).toBe(1);
    const off = fetchAuditTransport(() => undefined, fakeFetch);
    expect((await off(e)).kind).toBe('retry');
  });
});

describe('AuditQueue: an unreadable store', () => {
  it('warns and still sends what this run records', async () => {
    const store = memoryStore();
    store.load = () => Promise.reject(new Error('IndexedDB closed'));
    const warnings: string[] = [];
    const transport = fakeTransport();
    const queue = new AuditQueue({ store, limit: 10, send: transport.send, onWarning: (w) => warnings.push(w) });
    await queue.start();
    await queue.enqueue([event()]);
    await flush();
    expect(warnings.join()).toMatch(/could not read its queue: IndexedDB closed/);
    expect(transport.received).toHaveLength(1);
  });
});
