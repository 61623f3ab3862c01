import { describe, expect, it, vi } from 'vitest';
import {
  createSettingsStore,
  LAST_GOOD_MANAGED_KEY,
  SESSION_CREDENTIALS_KEY,
  USER_SETTINGS_KEY,
  type SettingsStorage,
  type StorageAreaLike,
} from '@/lib/platform/settings-store';

// Fakes (unit tests only): in-memory storage areas with the browser's get/set shape.
function area(initial: Record<string, unknown> = {}) {
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

function fakeStorage(managed: StorageAreaLike | undefined, local = area(), session = area()) {
  const listeners = new Set<(changes: Record<string, unknown>, areaName: string) => void>();
  const storage: SettingsStorage = {
    managed,
    local,
    session,
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (changes: Record<string, unknown>, areaName: string) => listeners.forEach((l) => l(changes, areaName));
  return { storage, local, session, emit };
}

const POLICY = { pbx: { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com' }, portal: { origin: 'https://portal.example.com' } };

describe('settings store', () => {
  it('reads no policy when Firefox throws for a missing policy', async () => {
    const managed: StorageAreaLike = { get: () => Promise.reject(new Error('Managed storage manifest not found')) };
    const { storage } = fakeStorage(managed, area({ [USER_SETTINGS_KEY]: { auditRetention: 20 } }));
    const state = await createSettingsStore(storage).read();
    expect(state.settings.auditRetention).toBe(20);
    expect(state.errors).toEqual([]);
  });

  it('loads CoordinatorSettings from policy + user', async () => {
    const { storage } = fakeStorage(area(POLICY), area({ [USER_SETTINGS_KEY]: { pbx: { username: '2001', password: 'pw' } } }));
    const loaded = await createSettingsStore(storage).load();
    expect(loaded.portalOrigins).toEqual(['https://portal.example.com']);
    expect(loaded.engine?.sip).toMatchObject({ wsUrl: 'wss://pbx.example.com/ws', username: '2001' });
    expect(loaded.view.configured).toBe(true);
  });

  it('persists the last good policy and uses it when the policy turns invalid', async () => {
    const managed = area(POLICY);
    const { storage, local } = fakeStorage(managed);
    const store = createSettingsStore(storage);
    await store.read();
    expect(local.data[LAST_GOOD_MANAGED_KEY]).toMatchObject({ 'pbx.wsUrl': 'wss://pbx.example.com/ws' });
    managed.data.pbx = { ...POLICY.pbx, wsUrl: 'ws://pbx.example.com/ws' };
    const state = await store.read();
    expect(state.settings.pbx.wsUrl).toBe('wss://pbx.example.com/ws');
    expect(state.errors[0]).toMatchObject({ source: 'managed', inForce: 'previous-policy' });
  });

  it('saves a valid patch, refuses an invalid one and fields set by policy without storing anything', async () => {
    const { storage, local } = fakeStorage(area(POLICY), area({ [USER_SETTINGS_KEY]: { auditRetention: 20 } }));
    const store = createSettingsStore(storage);
    expect((await store.save({ 'pbx.username': '2001' })).ok).toBe(true);
    expect(local.data[USER_SETTINGS_KEY]).toEqual({ auditRetention: 20, pbx: { username: '2001' } });
    local.set.mockClear();
    expect((await store.save({ auditRetention: 3 })).ok).toBe(false);
    expect((await store.save({ 'pbx.domain': 'mine.example.com' })).ok).toBe(false);
    expect(local.set).not.toHaveBeenCalledWith(expect.objectContaining({ [USER_SETTINGS_KEY]: expect.anything() }));
  });

  it("keeps 'prompt' credentials in storage.session, never in storage.local", async () => {
    const policy = { ...POLICY, pbx: { ...POLICY.pbx, credentials: 'prompt' }, lockUserOverrides: true };
    const { storage, local, session } = fakeStorage(area(policy));
    const store = createSettingsStore(storage);
    const result = await store.save({ 'pbx.username': '2001', 'pbx.password': 'pw' });
    expect(result.ok).toBe(true);
    expect(session.data[SESSION_CREDENTIALS_KEY]).toEqual({ pbx: { username: '2001', password: 'pw' } });
    expect(JSON.stringify(local.data)).not.toContain('pw');
    expect((await store.load()).engine?.sip.password).toBe('pw');
  });

  it('calls back on policy and user changes, not on its own last-good writes', () => {
    const { storage, emit } = fakeStorage(area());
    const callback = vi.fn();
    const remove = createSettingsStore(storage).onChange(callback);
    emit({ [LAST_GOOD_MANAGED_KEY]: {} }, 'local');
    expect(callback).not.toHaveBeenCalled();
    emit({ pbx: {} }, 'managed');
    emit({ [USER_SETTINGS_KEY]: {} }, 'local');
    emit({ [SESSION_CREDENTIALS_KEY]: {} }, 'session');
    expect(callback).toHaveBeenCalledTimes(3);
    remove();
    emit({ pbx: {} }, 'managed');
    expect(callback).toHaveBeenCalledTimes(3);
  });
});
