// FAKES for the audit trail's unit tests (unit tests only): an in-memory store
// standing in for IndexedDB, a scripted transport standing in for fetch, and
// events with fixed ids.
import { vi } from 'vitest';
import type { AuditEvent, RecorderMemory } from '@/lib/coordinator/audit-events';
import type { AuditCounters, AuditQueueStore, DeliveryResult, QueuedEvent } from '@/lib/coordinator/audit-queue';

/** A store in memory with the IndexedDB store's contract (what survives a "restart" is what it holds). */
export function memoryStore() {
  const data = { events: new Map<number, AuditEvent>(), memory: {} as RecorderMemory, counters: { dropped: 0, rejected: 0 } as AuditCounters };
  const store: AuditQueueStore & { data: typeof data } = {
    data,
    async load() {
      const events: QueuedEvent[] = [...data.events].sort((a, b) => a[0] - b[0]).map(([key, event]) => ({ key, event: structuredClone(event) }));
      return { events, memory: structuredClone(data.memory), counters: { ...data.counters } };
    },
    async put(entry) {
      data.events.set(entry.key, structuredClone(entry.event));
    },
    async remove(keys) {
      for (const key of keys) data.events.delete(key);
    },
    async saveMemory(memory) {
      data.memory = structuredClone(memory);
    },
    async saveCounters(counters) {
      data.counters = { ...counters };
    },
  };
  return store;
}

/** A fake receiver: answers from a script (then 200), records every body it was sent. */
export function fakeTransport(script: DeliveryResult[] = []) {
  const received: AuditEvent[] = [];
  const answers = [...script];
  return {
    received,
    answers,
    send: vi.fn(async (event: AuditEvent): Promise<DeliveryResult> => {
      received.push(JSON.parse(JSON.stringify(event)) as AuditEvent);
      return answers.shift() ?? { kind: 'delivered' };
    }),
  };
}

let counter = 0;
export function event(sessionId = 's1', seq = 0): AuditEvent {
  counter++;
  return {
    schema: 'earshot.audit/1',
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    type: seq === 0 ? 'session.started' : 'session.mode',
    at: new Date(1_700_000_000_000 + counter).toISOString(),
    sessionId,
    seq,
    supervisor: { extension: '2001', name: 'Sam Supervisor' },
    agent: { extension: '1001', name: 'Alice Agent' },
    mode: 'listen',
  };
}

export const flush = async () => {
  for (let i = 0; i < 200; i++) await Promise.resolve();
};
