import type { EarshotState } from '../state/snapshot';

/**
 * A small key-value store for what must outlive the MV3 service worker
 * (`storage.session` in the extension, memory in tests).
 */
export interface StateStore<T> {
  get(): Promise<T | undefined>;
  set(value: T): Promise<void>;
}

/** A visible agent reported by a portal frame. */
export interface VisibleAgent {
  extension: string;
  name?: string;
  /** The other party of the agent's call as the portal shows it (unchecked text; classified before use). */
  otherParty?: string;
}

/** The key of one portal frame's list: `tabId:frameId`. */
export function frameSource(tabId: number | undefined, frameId: number | undefined): string {
  return `${tabId ?? -1}:${frameId ?? 0}`;
}

/** What the coordinator keeps across worker restarts. */
export interface PersistedCoordinator {
  state: EarshotState;
  /** Agents each portal frame reported visible, keyed by `tabId:frameId`. */
  visible: Record<string, VisibleAgent[]>;
}

/** A store in memory: for tests, and where `storage.session` is missing. */
export function memoryStore<T>(initial?: T): StateStore<T> & { value: T | undefined } {
  const store = {
    value: initial,
    async get() {
      return store.value === undefined ? undefined : structuredClone(store.value);
    },
    async set(value: T) {
      store.value = structuredClone(value);
    },
  };
  return store;
}
