import type { AuditStatus } from '../state/snapshot';
import type { AuditEvent, RecorderMemory } from './audit-events';

/**
 * The audit trail's delivery queue: at least once, in order, never in the
 * way of monitoring. Pure logic; the browser parts (IndexedDB, fetch, the
 * `online` event, alarms) are injected (lib/platform/audit-delivery.ts).
 *
 * - Every event is persisted before it is sent and removed only when the
 *   endpoint accepted it (2xx) or refused it for good (4xx other than
 *   408/429: dropped, counted, shown).
 * - One request at a time, oldest first: a session's events arrive in order.
 *   A retry sends the same id and the same body.
 * - A 5xx, 408, 429 or a network error keeps the event at the head and
 *   retries after an exponential backoff with jitter; {@link AuditQueue.kick}
 *   (the browser came online, start-up, an alarm) tries at once.
 * - Bounded: beyond `limit` events the oldest are dropped, counted in the
 *   status (the side panel shows it) and reported through `onWarning`.
 */

export type DeliveryResult =
  | { kind: 'delivered' }
  | { kind: 'retry'; reason: string }
  | { kind: 'rejected'; reason: string };

/** How an HTTP status is treated: 2xx delivered; 408, 429 and 5xx retried; any other 4xx (and 1xx/3xx) rejected. */
export function classifyStatus(status: number): DeliveryResult['kind'] {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'rejected';
}

/** One queued event under its store key (increasing: the queue's order). */
export interface QueuedEvent {
  key: number;
  event: AuditEvent;
}

/** Where the queue persists (the extension origin's IndexedDB in the browser). */
export interface AuditQueueStore {
  /** Every queued event, oldest first, the recorder's memory and the counters. */
  load(): Promise<{ events: QueuedEvent[]; memory: RecorderMemory; counters: AuditCounters }>;
  put(entry: QueuedEvent): Promise<void>;
  remove(keys: number[]): Promise<void>;
  saveMemory(memory: RecorderMemory): Promise<void>;
  saveCounters(counters: AuditCounters): Promise<void>;
}

export interface AuditCounters {
  dropped: number;
  rejected: number;
  lastRejection?: string;
}

export interface AuditQueueOptions {
  store: AuditQueueStore;
  /** Sends one event (the endpoint and token are the transport's). */
  send: (event: AuditEvent) => Promise<DeliveryResult>;
  /** Most events kept; the oldest beyond it are dropped with a warning. */
  limit: number;
  now?: () => number;
  random?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** The first retry's delay; doubled per failure up to maxDelayMs, then jittered (50–100 %). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Asked to wake the queue at this time even if the context slept (chrome.alarms). */
  scheduleWake?: (at: number) => void;
  onStatus?: (status: AuditStatus) => void;
  /** A plain-language warning for the session log (oldest dropped, an event refused). */
  onWarning?: (text: string) => void;
}

/** The delay before retry number `failures` (1, 2, …): exponential, capped, with jitter between half and all of it. */
export function backoffDelay(failures: number, random: () => number, baseMs = 2000, maxMs = 5 * 60_000): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

export class AuditQueue {
  private events: QueuedEvent[] = [];
  private nextKey = 1;
  private counters: AuditCounters = { dropped: 0, rejected: 0 };
  private failures = 0;
  private unreachableSince: number | undefined;
  private lastError: string | undefined;
  private nextAttemptAt: number | undefined;
  private timer: unknown;
  private sending = false;
  private enabled = true;
  private loaded: Promise<RecorderMemory> | undefined;
  /** Writes in order: an event is on disk before its send, removed after. */
  private writes: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private limit: number;

  constructor(private readonly options: AuditQueueOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.limit = options.limit;
  }

  /** Loads what a previous run left (events, the recorder's memory), then tries to send. Idempotent. */
  start(): Promise<RecorderMemory> {
    this.loaded ??= (async () => {
      const saved = await this.options.store.load().catch((error: unknown) => {
        // Unreadable (IndexedDB unavailable): what this run records is still kept and sent.
        this.options.onWarning?.(`The audit trail could not read its queue: ${error instanceof Error ? error.message : String(error)}`);
        return { events: [], memory: {}, counters: { dropped: 0, rejected: 0 } };
      });
      const known = new Set(this.events.map((e) => e.event.id));
      // Saved events are older than any recorded since this run started.
      this.events = [...saved.events.filter((e) => !known.has(e.event.id)), ...this.events];
      this.nextKey = Math.max(this.nextKey, ...saved.events.map((e) => e.key + 1));
      this.counters = { ...saved.counters, dropped: saved.counters.dropped + this.counters.dropped, rejected: saved.counters.rejected + this.counters.rejected };
      this.trim();
      this.publish();
      this.kick();
      return saved.memory;
    })();
    return this.loaded;
  }

  /** Sending on or off (no endpoint set): events already queued are kept either way. */
  setEnabled(enabled: boolean, limit?: number): void {
    this.enabled = enabled;
    if (limit !== undefined && limit > 0) this.limit = limit;
    this.trim();
    this.publish();
    if (enabled) this.kick();
  }

  /** Queues events (persisted before they are sent) and starts sending. Returns once they are written. */
  enqueue(events: readonly AuditEvent[], memory?: RecorderMemory): Promise<void> {
    if (events.length === 0) return this.writes;
    for (const event of events) {
      const entry = { key: this.nextKey++, event };
      this.events.push(entry);
      this.write(() => this.options.store.put(entry));
    }
    if (memory) this.write(() => this.options.store.saveMemory(memory));
    this.trim();
    this.publish();
    this.kick();
    return this.writes;
  }

  /** Try now (the browser came online, start-up, the wake alarm): the backoff wait is cut short. */
  kick(): void {
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
    this.nextAttemptAt = undefined;
    void this.pump();
  }

  status(): AuditStatus {
    return {
      pending: this.events.length,
      ...(this.unreachableSince !== undefined ? { unreachableSince: this.unreachableSince } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.nextAttemptAt !== undefined ? { nextAttemptAt: this.nextAttemptAt } : {}),
      dropped: this.counters.dropped,
      rejected: this.counters.rejected,
      ...(this.counters.lastRejection ? { lastRejection: this.counters.lastRejection } : {}),
    };
  }

  /** Resolves when every write so far is on disk (tests). */
  settled(): Promise<void> {
    return this.writes;
  }

  dispose(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.enabled = false;
  }

  private async pump(): Promise<void> {
    // Not before the saved queue is read: it holds older events, which go first.
    if (this.sending || !this.enabled || !this.loaded) return;
    this.sending = true;
    try {
      await this.loaded;
      while (this.enabled && this.events.length > 0 && this.timer === undefined) {
        const head = this.events[0] as QueuedEvent;
        // On disk before it leaves: a worker stopped mid-request resends it after the restart.
        await this.writes;
        let result: DeliveryResult;
        try {
          result = await this.options.send(head.event);
        } catch (error) {
          result = { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
        }
        if (result.kind === 'retry') {
          this.failures++;
          this.unreachableSince ??= this.now();
          this.lastError = result.reason;
          const delay = backoffDelay(this.failures, this.random, this.options.baseDelayMs, this.options.maxDelayMs);
          this.nextAttemptAt = this.now() + delay;
          this.timer = this.setTimer(() => {
            this.timer = undefined;
            this.nextAttemptAt = undefined;
            void this.pump();
          }, delay);
          this.options.scheduleWake?.(this.nextAttemptAt);
          this.publish();
          break;
        }
        this.failures = 0;
        this.unreachableSince = undefined;
        this.lastError = undefined;
        // The head may have been dropped by trim() meanwhile: remove by identity.
        this.events = this.events.filter((e) => e !== head);
        this.write(() => this.options.store.remove([head.key]));
        if (result.kind === 'rejected') {
          this.counters = { ...this.counters, rejected: this.counters.rejected + 1, lastRejection: result.reason };
          const counters = this.counters;
          this.write(() => this.options.store.saveCounters(counters));
          this.options.onWarning?.(`The audit trail endpoint refused an event (${result.reason}); it was dropped.`);
        }
        this.publish();
      }
    } finally {
      this.sending = false;
    }
  }

  /** Drops the oldest events beyond the limit, with a warning. */
  private trim(): void {
    const excess = this.events.length - this.limit;
    if (excess <= 0) return;
    // The head may be in flight: it is dropped from the queue all the same (a send that succeeds is harmless).
    const gone = this.events.splice(0, excess);
    this.counters = { ...this.counters, dropped: this.counters.dropped + gone.length };
    const counters = this.counters;
    this.write(() => this.options.store.remove(gone.map((e) => e.key)));
    this.write(() => this.options.store.saveCounters(counters));
    this.options.onWarning?.(
      `The audit trail queue is full (${this.limit} events): the oldest ${gone.length === 1 ? 'event was' : `${gone.length} events were`} dropped without being delivered.`,
    );
  }

  private write(operation: () => Promise<void>): void {
    this.writes = this.writes.then(operation).catch((error: unknown) => {
      this.options.onWarning?.(`The audit trail could not keep an event on disk: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private publish(): void {
    this.options.onStatus?.(this.status());
  }
}
