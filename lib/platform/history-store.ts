import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { HistoryStore } from '../coordinator/session-history';

/**
 * The session record on disk: the extension origin's IndexedDB (like the
 * secrets and the audit queue: content scripts run with the portal's origin
 * and never see it, unlike storage.local). One value, read once at start-up
 * and validated by the reader (lib/log/history.ts).
 */
export function indexedDbHistoryStore(): HistoryStore {
  let store: UseStore | undefined;
  const db = () => (store ??= createStore('earshot-history', 'history'));
  return {
    read: () => get('history', db()),
    write: (history) => set('history', history, db()),
    clear: () => del('history', db()),
  };
}
