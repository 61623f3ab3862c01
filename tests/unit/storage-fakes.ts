// FAKE storage for unit tests only: in-memory storage areas with the browser's
// get/set shape, and the settings store's storage over them (an in-memory vault).
import { vi } from 'vitest';
import type { SettingsStorage, StorageAreaLike } from '@/lib/platform/settings-store';
import { memorySecretVault } from '@/lib/platform/secret-vault';

export function area(initial: Record<string, unknown> = {}) {
  const data: Record<string, unknown> = structuredClone(initial);
  return {
    data,
    get: vi.fn((keys?: string | string[] | null) => {
      if (keys === null || keys === undefined) return Promise.resolve(structuredClone(data));
      const list = typeof keys === 'string' ? [keys] : keys;
      return Promise.resolve(Object.fromEntries(list.filter((k) => k in data).map((k) => [k, structuredClone(data[k])])));
    }),
    set: vi.fn((items: Record<string, unknown>) => {
      Object.assign(data, structuredClone(items));
      return Promise.resolve();
    }),
  };
}

export function fakeStorage(managed: StorageAreaLike | undefined, local = area(), session = area(), vault = memorySecretVault()) {
  const listeners = new Set<(changes: Record<string, unknown>, areaName: string) => void>();
  const storage: SettingsStorage = {
    managed,
    local,
    session,
    vault,
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (changes: Record<string, unknown>, areaName: string) => listeners.forEach((l) => l(changes, areaName));
  return { storage, local, session, vault, emit };
}
