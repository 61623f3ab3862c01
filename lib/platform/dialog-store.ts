import { createStore, get, set, type UseStore } from 'idb-keyval';
import { readDialogRecords, type MonitorDialogRecord, type MonitorDialogStore } from '../phone/dialog-journal';

/**
 * Where the engine keeps the live monitor call's dialog (lib/phone/dialog-journal.ts) for the
 * engine after it: the extension origin's IndexedDB (database `earshot-engine`, object store
 * `dialogs`, one key). IndexedDB because Chrome's offscreen document has no `storage` API, and
 * because it outlives what kills an engine: the offscreen document crashing or closing, the
 * Firefox background page reloading. Content scripts never reach it (their IndexedDB is the
 * portal's). It holds dialog identifiers and the agent's extension, never a secret.
 */
export function indexedDbDialogStore(): MonitorDialogStore {
  let store: UseStore | undefined;
  const open = () => (store ??= createStore('earshot-engine', 'dialogs'));
  return {
    read: () => get(KEY, open()),
    write: (records) => set(KEY, records, open()),
  };
}

const KEY = 'monitor-dialogs';

/**
 * Notes that the session log has the End row of `sessionId` (the Chrome link writes it when the
 * engine's document dies under a live session), so the next engine ending the call does not write
 * a second one. Runs in the service worker while no engine is alive to write.
 */
export async function markDialogEndLogged(store: MonitorDialogStore, sessionId: string): Promise<void> {
  const { records } = await readDialogRecords(store);
  if (!records.some((r) => r.sessionId === sessionId && !r.endLogged)) return;
  await store.write(records.map((r): MonitorDialogRecord => (r.sessionId === sessionId ? { ...r, endLogged: true } : r)));
}
