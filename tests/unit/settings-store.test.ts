import { describe, expect, it, vi } from 'vitest';
import {
  createSettingsStore,
  LAST_GOOD_MANAGED_KEY,
  SECRET_PLACEHOLDER,
  SECRETS_CHANGED_KEY,
  SESSION_CREDENTIALS_KEY,
  USER_SETTINGS_KEY,
  type StorageAreaLike,
} from '@/lib/platform/settings-store';
import { memorySecretVault } from '@/lib/platform/secret-vault';
import { area, fakeStorage } from './storage-fakes';

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

describe('settings store: secrets never in storage.local (content scripts read it)', () => {
  const POLICY_WITH_SECRETS = {
    ...POLICY,
    pbx: { ...POLICY.pbx, username: '2001', password: 'policy-secret' },
    profile: { id: 'freeswitch-eavesdrop', pin: '4321' },
    iceServers: [{ urls: 'turn:turn.example.com', username: 'u', credential: 'turn-secret' }],
  };
  const SECRETS = ['policy-secret', '4321', 'turn-secret', 'typed-secret', 'old-secret'];
  const plain = (data: unknown) => SECRETS.filter((secret) => JSON.stringify(data).includes(secret));

  it("keeps the user's password (and PIN, TURN credential) in the vault; a new store after a restart still has them", async () => {
    const { storage, local, session, vault } = fakeStorage(area({ portal: POLICY.portal }));
    const store = createSettingsStore(storage);
    const saved = await store.save({
      'pbx.wsUrl': 'wss://pbx.example.com/ws',
      'pbx.domain': 'pbx.example.com',
      'pbx.username': '2001',
      'pbx.password': 'typed-secret',
    });
    expect(saved.ok).toBe(true);
    expect(plain(local.data)).toEqual([]);
    expect(plain(session.data)).toEqual([]);
    expect(vault.contents.user).toEqual({ 'pbx.password': 'typed-secret' });
    // What stays in storage.local says there is a password, not what it is.
    expect(local.data[USER_SETTINGS_KEY]).toEqual({
      pbx: { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com', username: '2001', password: SECRET_PLACEHOLDER },
    });
    // The browser restarted: storage.session is empty, storage.local and the vault (IndexedDB) are not.
    const restarted = createSettingsStore({ ...storage, session: area() });
    expect((await restarted.load()).engine?.sip.password).toBe('typed-secret');
    expect((await restarted.read()).user).toMatchObject({ pbx: { password: 'typed-secret' } });
  });

  it('a change of the password alone still wakes the listeners (a stamp in storage.local, no secret)', async () => {
    const { storage, local, emit } = fakeStorage(area(POLICY), area({ [USER_SETTINGS_KEY]: { pbx: { username: '2001' } } }));
    const store = createSettingsStore(storage);
    const callback = vi.fn();
    store.onChange(callback);
    local.set.mockImplementation((items: Record<string, unknown>) => {
      Object.assign(local.data, structuredClone(items));
      emit(items, 'local');
      return Promise.resolve();
    });
    await store.save({ 'pbx.password': 'typed-secret' });
    expect(local.set).toHaveBeenCalledWith(expect.objectContaining({ [SECRETS_CHANGED_KEY]: expect.any(Number) }));
    expect(callback).toHaveBeenCalled();
    expect(plain(local.data)).toEqual([]);
  });

  it('copies nothing secret of the policy to storage.local; the previous good policy password comes from the vault', async () => {
    const managed = area(POLICY_WITH_SECRETS);
    const { storage, local, vault } = fakeStorage(managed);
    const store = createSettingsStore(storage);
    expect((await store.load()).engine?.sip.password).toBe('policy-secret');
    expect(plain(local.data)).toEqual([]);
    expect(local.data[LAST_GOOD_MANAGED_KEY]).toMatchObject({ 'pbx.wsUrl': 'wss://pbx.example.com/ws' });
    expect(vault.contents.lastGoodManaged).toEqual({
      'pbx.password': 'policy-secret',
      'profile.pin': '4321',
      iceServers: POLICY_WITH_SECRETS.iceServers,
    });
    // The admin pushes an invalid (empty) password: the previous good one stays in force.
    managed.data.pbx = { ...POLICY_WITH_SECRETS.pbx, password: '' };
    const state = await store.read();
    expect(state.settings.pbx.password).toBe('policy-secret');
    expect(state.errors).toContainEqual(expect.objectContaining({ field: 'pbx.password', inForce: 'previous-policy' }));
    expect(plain(local.data)).toEqual([]);
  });

  it('moves plain-text secrets an earlier Earshot left in storage.local into the vault, and deletes them there', async () => {
    const { storage, local, vault } = fakeStorage(
      area(POLICY),
      area({
        [USER_SETTINGS_KEY]: { pbx: { username: '2001', password: 'old-secret' }, profile: { id: 'freeswitch-eavesdrop', pin: '4321' } },
        [LAST_GOOD_MANAGED_KEY]: { 'pbx.wsUrl': 'wss://pbx.example.com/ws', 'pbx.password': 'policy-secret' },
      }),
    );
    const store = createSettingsStore(storage);
    const state = await store.read();
    expect(state.settings.pbx.password).toBe('old-secret');
    expect(state.settings.profile.pin).toBe('4321');
    expect(plain(local.data)).toEqual([]);
    expect(local.data[USER_SETTINGS_KEY]).toEqual({ pbx: { username: '2001', password: SECRET_PLACEHOLDER }, profile: { id: 'freeswitch-eavesdrop', pin: SECRET_PLACEHOLDER } });
    expect(vault.contents.user).toEqual({ 'pbx.password': 'old-secret', 'profile.pin': '4321' });
    // The policy no longer has a password: its last good copy goes with it, from the vault too.
    expect(vault.contents.lastGoodManaged).toEqual({});
    expect((await store.load()).engine?.sip.password).toBe('old-secret');
  });

  it('options written over without a secret (by hand, by a test) have none: the vault forgets it too', async () => {
    const { storage, local, vault } = fakeStorage(area(POLICY));
    const store = createSettingsStore(storage);
    await store.save({ 'pbx.username': '2001', 'pbx.password': 'typed-secret', 'profile.id': 'freeswitch-eavesdrop', 'profile.pin': '4321' });
    expect(vault.contents.user).toEqual({ 'pbx.password': 'typed-secret', 'profile.pin': '4321' });
    // A whole new settings object, as a test or a script writes it: another profile, no PIN, a new password.
    local.data[USER_SETTINGS_KEY] = { pbx: { username: '2001', password: 'old-secret' }, profile: { id: 'asterisk-per-mode' } };
    const state = await store.read();
    expect(state.settings.profile.pin).toBeUndefined();
    expect(state.settings.pbx.password).toBe('old-secret');
    expect(vault.contents.user).toEqual({ 'pbx.password': 'old-secret' });
    expect(plain(local.data)).toEqual([]);
  });

  it("'prompt' credentials stay in storage.session only, and replace a stored password", async () => {
    const policy = { ...POLICY, pbx: { ...POLICY.pbx, credentials: 'prompt' }, lockUserOverrides: true };
    const { storage, local, vault } = fakeStorage(area(policy), area(), area(), memorySecretVault({ user: { 'pbx.password': 'old-secret' } }));
    const store = createSettingsStore(storage);
    expect((await store.save({ 'pbx.username': '2001', 'pbx.password': 'typed-secret' })).ok).toBe(true);
    expect(vault.contents.user).toEqual({});
    expect(plain(local.data)).toEqual([]);
    expect((await store.load()).engine?.sip.password).toBe('typed-secret');
  });
});
