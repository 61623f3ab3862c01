import { browser } from 'wxt/browser';
import { memoryStore, type StateStore } from '../coordinator/store';

/**
 * A {@link StateStore} over `storage.session` (survives the MV3 worker's
 * restarts, cleared when the browser closes); memory where it is missing.
 */
export function sessionStore<T>(key: string): StateStore<T> {
  const area = browser.storage?.session;
  if (!area) return memoryStore<T>();
  return {
    async get() {
      const record = await area.get(key);
      return record[key] as T | undefined;
    },
    async set(value: T) {
      await area.set({ [key]: value });
    },
  };
}
