import { describe, expect, it } from 'vitest';
import { applyUserPatch, mergeSettings } from '@/lib/settings';

const MANAGED = {
  pbx: { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com' },
  portal: { origin: 'https://portal.example.com' },
  rules: { monitorScopes: ['Call Center Supervisor', 'Office Manager'] },
};
const USER = {
  pbx: { wsUrl: 'wss://other.example.com/ws', username: '2001', password: 'secret' },
  rules: { whisperWhenUnknown: 'allow' },
  auditRetention: 100,
};

describe('merge: managed > user > default, field by field', () => {
  const result = mergeSettings({ managed: MANAGED, user: USER });

  it.each<[string, unknown, string]>([
    ['pbx.wsUrl', 'wss://pbx.example.com/ws', 'managed'],
    ['pbx.domain', 'pbx.example.com', 'managed'],
    ['pbx.username', '2001', 'user'],
    ['pbx.password', 'secret', 'user'],
    ['pbx.credentials', 'stored', 'default'],
    ['rules.monitorScopes', ['Call Center Supervisor', 'Office Manager'], 'managed'],
    ['rules.whisperWhenUnknown', 'allow', 'user'],
    ['auditRetention', 100, 'user'],
    ['onNetPattern', '[0-9]{2,6}', 'default'],
  ])('%s = %j from %s', (path, value, source) => {
    const actual = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], result.settings);
    expect(actual).toEqual(value);
    expect(result.sources[path]).toBe(source);
  });

  it('reports nothing for valid layers', () => {
    expect(result.errors).toEqual([]);
    expect(result.locked).toBe(false);
  });

  it('gives the defaults without any layer', () => {
    const empty = mergeSettings({});
    expect(empty.settings.auditRetention).toBe(500);
    expect(Object.values(empty.sources).every((s) => s === 'default')).toBe(true);
  });
});

describe('merge: invalid values are reported and ignored for that field only', () => {
  it('an invalid user value leaves the default, the rest of the user layer stays', () => {
    const result = mergeSettings({ user: { auditRetention: 5, pbx: { username: '2001' } } });
    expect(result.settings.auditRetention).toBe(500);
    expect(result.sources.auditRetention).toBe('default');
    expect(result.settings.pbx.username).toBe('2001');
    expect(result.errors).toEqual([
      { path: 'auditRetention', field: 'auditRetention', source: 'user', message: 'Session log entries kept: at least 10 entries', inForce: 'default' },
    ]);
  });

  it('an invalid policy value without a previous one leaves the user value in force', () => {
    const result = mergeSettings({ managed: { pbx: { wsUrl: 'ws://pbx.example.com' } }, user: { pbx: { wsUrl: 'wss://mine.example.com' } } });
    expect(result.settings.pbx.wsUrl).toBe('wss://mine.example.com');
    expect(result.sources['pbx.wsUrl']).toBe('user');
    expect(result.errors[0]).toMatchObject({ source: 'managed', field: 'pbx.wsUrl', inForce: 'user' });
    expect(result.lastGoodManaged).toEqual({});
  });

  it('an invalid policy value keeps the last good policy value in force', () => {
    const first = mergeSettings({ managed: MANAGED });
    expect(first.lastGoodManaged['pbx.wsUrl']).toBe('wss://pbx.example.com/ws');
    const broken = { ...MANAGED, pbx: { ...MANAGED.pbx, wsUrl: 'ws://pbx.example.com/ws' } };
    const second = mergeSettings({ managed: broken, user: USER, lastGoodManaged: first.lastGoodManaged });
    expect(second.settings.pbx.wsUrl).toBe('wss://pbx.example.com/ws');
    expect(second.sources['pbx.wsUrl']).toBe('managed');
    expect(second.errors).toEqual([
      expect.objectContaining({
        source: 'managed',
        field: 'pbx.wsUrl',
        message: 'PBX WebSocket URL: use wss:// (ws:// only for 127.0.0.1 or localhost)',
        inForce: 'previous-policy',
      }),
    ]);
    // The snapshot keeps the good value for the next run.
    expect(second.lastGoodManaged['pbx.wsUrl']).toBe('wss://pbx.example.com/ws');
  });

  it('a group that is not an object keeps its last good values', () => {
    const first = mergeSettings({ managed: MANAGED });
    const second = mergeSettings({ managed: { ...MANAGED, pbx: 'oops' }, lastGoodManaged: first.lastGoodManaged });
    expect(second.settings.pbx.domain).toBe('pbx.example.com');
    expect(second.errors).toEqual([expect.objectContaining({ source: 'managed', path: 'pbx', message: 'PBX: expected a group of settings' })]);
  });

  it('a field removed from the policy leaves the snapshot', () => {
    const first = mergeSettings({ managed: MANAGED });
    const second = mergeSettings({ managed: { portal: MANAGED.portal }, lastGoodManaged: first.lastGoodManaged });
    expect(second.settings.pbx.wsUrl).toBeUndefined();
    expect(second.lastGoodManaged).toEqual({ 'portal.origin': 'https://portal.example.com' });
  });

  it('reports unknown policy keys (typos) and ignores them', () => {
    const result = mergeSettings({ managed: { pbx: { wsurl: 'wss://x' } } });
    expect(result.errors).toEqual([expect.objectContaining({ source: 'managed', path: 'pbx.wsurl', message: 'pbx.wsurl: unknown setting, ignored' })]);
  });

  it('ignores a user-stored lockUserOverrides: policy only', () => {
    const result = mergeSettings({ user: { lockUserOverrides: true } });
    expect(result.locked).toBe(false);
    expect(result.errors[0]).toMatchObject({ source: 'user', field: 'lockUserOverrides' });
  });

  it('reports combinations that do not work (custom profile without codes, generic portal without selectors)', () => {
    const result = mergeSettings({ user: { profile: { id: 'custom' }, portal: { adapter: 'generic', generic: { rowSelector: 'tr' } } } });
    expect(result.errors.map((e) => [e.source, e.field])).toEqual([
      ['combined', 'profile.id'],
      ['combined', 'portal.generic.extensionSelector'],
      ['combined', 'portal.generic.nameSelector'],
    ]);
  });

  it("reports a profile the portal starts (FusionPBX's Eavesdrop button) with a portal type that has no such request", () => {
    const wrong = mergeSettings({ user: { profile: { id: 'fusionpbx-eavesdrop-button' }, portal: { adapter: 'earshot-lab' } } });
    expect(wrong.errors).toEqual([
      expect.objectContaining({
        source: 'combined',
        field: 'portal.adapter',
        message: expect.stringContaining("starts monitoring from FusionPBX's Active Call Center page (its Eavesdrop button); choose that portal type"),
      }),
    ]);
    expect(mergeSettings({ user: { profile: { id: 'fusionpbx-eavesdrop-button' }, portal: { adapter: 'fusionpbx-call-center' } } }).errors).toEqual([]);
  });
});

describe('merge: locked by policy', () => {
  it('ignores every user value when lockUserOverrides is on', () => {
    const result = mergeSettings({ managed: { ...MANAGED, lockUserOverrides: true }, user: USER });
    expect(result.locked).toBe(true);
    expect(result.settings.pbx.username).toBeUndefined();
    expect(result.settings.auditRetention).toBe(500);
    expect(result.sources.auditRetention).toBe('default');
  });

  it("still takes the user's own credentials in 'prompt' mode", () => {
    const result = mergeSettings({ managed: { ...MANAGED, lockUserOverrides: true, pbx: { ...MANAGED.pbx, credentials: 'prompt' } }, user: USER });
    expect(result.settings.pbx.username).toBe('2001');
    expect(result.settings.pbx.password).toBe('secret');
    expect(result.settings.pbx.wsUrl).toBe('wss://pbx.example.com/ws');
    expect(result.settings.auditRetention).toBe(500);
  });
});

describe('applyUserPatch', () => {
  const current = { managed: MANAGED, user: { ...USER, future: { key: 1 } } };

  it('stores valid values (normalized) and keeps what it does not touch, unknown keys included', () => {
    const result = applyUserPatch({ user: current.user }, { 'portal.origin': 'https://Portal.example.com/x', auditRetention: 200, 'pbx.password': undefined });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.user).toEqual({
      pbx: { wsUrl: 'wss://other.example.com/ws', username: '2001' },
      rules: { whisperWhenUnknown: 'allow' },
      auditRetention: 200,
      portal: { origin: 'https://portal.example.com' },
      future: { key: 1 },
    });
  });

  it('refuses the whole patch when one value is invalid', () => {
    const result = applyUserPatch(current, { auditRetention: 200, 'pbx.username': 'a b' });
    expect(result).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'pbx.username', source: 'user' })],
    });
  });

  it.each<[string, unknown, Record<string, unknown>, string]>([
    ['pbx.domain', 'mine.example.com', MANAGED, 'SIP domain: set by your organization'],
    ['auditRetention', 100, { lockUserOverrides: true }, 'Session log entries kept: your organization has locked this setting'],
    ['lockUserOverrides', true, {}, "Lock settings for users: only your organization's policy can set this"],
    ['pbx.wsurl', 'x', {}, 'pbx.wsurl: unknown setting'],
  ])('refuses %s', (path, value, managed, message) => {
    const result = applyUserPatch({ managed, user: {} }, { [path]: value });
    expect(result).toEqual({ ok: false, errors: [expect.objectContaining({ path, message })] });
  });

  it("lets the user set credentials under a lock in 'prompt' mode", () => {
    const managed = { lockUserOverrides: true, pbx: { credentials: 'prompt' } };
    expect(applyUserPatch({ managed, user: {} }, { 'pbx.password': 'pw', 'pbx.username': '2001' }).ok).toBe(true);
  });

  it('refuses a patch that breaks a combination, not one that was already broken', () => {
    const broke = applyUserPatch({ user: {} }, { 'profile.id': 'custom' });
    expect(broke).toEqual({ ok: false, errors: [expect.objectContaining({ source: 'combined', field: 'profile.id' })] });
    const already = applyUserPatch({ managed: { profile: { id: 'custom' } }, user: {} }, { auditRetention: 50 });
    expect(already.ok).toBe(true);
  });
});
