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

/**
 * Keeps `storage.session` to Earshot's own pages and background, out of
 * content scripts' reach. That is the default, but Chrome remembers a raised
 * level across restarts, so it is set again at every start. Where the method
 * is missing, the area is documented as closed to content scripts anyway.
 */
export async function restrictSessionStorage(): Promise<void> {
  const area = browser.storage?.session as { setAccessLevel?: (options: { accessLevel: string }) => Promise<void> } | undefined;
  if (typeof area?.setAccessLevel === 'function') await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
}
