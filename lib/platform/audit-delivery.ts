import { browser } from 'wxt/browser';
import { createStore, del, delMany, entries, get, set, type UseStore } from 'idb-keyval';
import type { AuditEvent, RecorderMemory } from '../coordinator/audit-events';
import { classifyStatus, type AuditCounters, type AuditQueueStore, type DeliveryResult, type QueuedEvent } from '../coordinator/audit-queue';
import type { AuditConfig } from '../settings/source';

/**
 * The audit trail's browser parts: the queue on disk (the extension origin's
 * IndexedDB, like the secrets: content scripts run with the portal's origin
 * and never see it), the POST to the endpoint, and what wakes the queue
 * (the `online` event, start-up, an alarm that survives the service worker
 * sleeping).
 */

const EVENTS = 'events';
const META = 'meta';

/**
 * The queue over IndexedDB: database `earshot-audit`, object store `events`
 * (one record per event, numeric keys in queue order) and `meta` (the
 * recorder's memory, the counters). idb-keyval opens one object store per
 * database, so each has its own database.
 */
export function indexedDbAuditStore(): AuditQueueStore {
  let events: UseStore | undefined;
  let meta: UseStore | undefined;
  const ev = () => (events ??= createStore('earshot-audit', EVENTS));
  const mt = () => (meta ??= createStore('earshot-audit-meta', META));
  return {
    async load() {
      const rows = await entries<number, AuditEvent>(ev());
      const queued: QueuedEvent[] = rows
        .filter(([key, event]) => typeof key === 'number' && typeof event?.id === 'string')
        .map(([key, event]) => ({ key, event }))
        .sort((a, b) => a.key - b.key);
      const memory = ((await get<RecorderMemory>('memory', mt())) ?? {}) as RecorderMemory;
      const counters = (await get<AuditCounters>('counters', mt())) ?? { dropped: 0, rejected: 0 };
      return { events: queued, memory, counters };
    },
    put: (entry) => set(entry.key, entry.event, ev()),
    remove: (keys) => (keys.length === 1 ? del(keys[0] as number, ev()) : delMany(keys, ev())),
    saveMemory: (memory) => set('memory', memory, mt()),
    saveCounters: (counters) => set('counters', counters, mt()),
  };
}

/** How long one POST may take before it counts as a network failure (retried). */
export const AUDIT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * POSTs one event as JSON. The answer is classified by
 * {@link classifyStatus}; a network error, a timeout or a CORS refusal (which
 * fetch reports the same way) is retried.
 */
export function fetchAuditTransport(config: () => AuditConfig | undefined, fetchImpl: typeof fetch = fetch) {
  return async (event: AuditEvent): Promise<DeliveryResult> => {
    const audit = config();
    if (!audit) return { kind: 'retry', reason: 'no audit endpoint is set' };
    let response: Response;
    try {
      response = await fetchImpl(audit.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': event.id,
          ...(audit.token ? { Authorization: `Bearer ${audit.token}` } : {}),
        },
        body: JSON.stringify(event),
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        signal: AbortSignal.timeout(AUDIT_REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const timeout = error instanceof DOMException && error.name === 'TimeoutError';
      return { kind: 'retry', reason: timeout ? 'no answer in 15 s' : 'endpoint unreachable (network error or CORS refused)' };
    }
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    const kind = classifyStatus(response.status);
    return kind === 'delivered' ? { kind } : { kind, reason: `HTTP ${response.status}` };
  };
}

/** The alarm that wakes a sleeping service worker for the next retry. */
export const AUDIT_ALARM = 'earshot-audit-retry';

/**
 * What wakes the queue: the browser coming online, the retry alarm (Chrome:
 * `chrome.alarms`, which outlives the worker; Firefox's background page is
 * persistent and its timers suffice, so no alarm there). Register in the
 * background's first turn. Returns `scheduleWake` for the queue.
 */
export function auditWakeUps(kick: () => void): { scheduleWake: (at: number) => void } {
  const target = globalThis as unknown as { addEventListener?: (type: string, listener: () => void) => void };
  target.addEventListener?.('online', () => kick());
  const alarms = (browser as unknown as { alarms?: typeof browser.alarms }).alarms;
  alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === AUDIT_ALARM) kick();
  });
  return {
    scheduleWake(at) {
      // Chrome fires alarms no sooner than 30 s from now; an earlier retry is the queue's own timer.
      if (alarms) void alarms.create(AUDIT_ALARM, { when: Math.max(at, Date.now() + 30_000) });
    },
  };
}
