import { describe, expect, it } from 'vitest';
import { mergeSettings, missingForEngine, toCoordinatorSettings, toEngineConfig, toRuleOptions } from '@/lib/settings';

const PBX = { wsUrl: 'wss://pbx.example.com/ws', domain: 'pbx.example.com', username: '2001', password: 'pw' };

function settingsOf(user: Record<string, unknown>) {
  return mergeSettings({ user }).settings;
}

describe('settings → EngineConfig', () => {
  it.each(['wsUrl', 'domain', 'username', 'password'] as const)('is null while pbx.%s is missing', (key) => {
    const pbx: Record<string, string> = { ...PBX };
    delete pbx[key];
    const settings = settingsOf({ pbx });
    expect(toEngineConfig(settings)).toBeNull();
    expect(missingForEngine(settings)).toHaveLength(1);
  });

  it('derives the whole configuration', () => {
    const settings = settingsOf({
      pbx: { ...PBX, authorizationUsername: 'auth2001', displayName: 'Sam Supervisor' },
      profile: { id: 'freeswitch-eavesdrop', pin: '1234', modeCodes: { whisper: '7' } },
      iceServers: [{ urls: 'stun:stun.example.com' }],
      onNetPattern: '[0-9]{4}',
      rules: { whisperWhenUnknown: 'allow' },
    });
    expect(toEngineConfig(settings)).toEqual({
      sip: { ...PBX, authorizationUsername: 'auth2001', displayName: 'Sam Supervisor' },
      profile: { id: 'freeswitch-eavesdrop', overrides: { pin: '1234', modeCodes: { whisper: '7' } } },
      iceServers: [{ urls: 'stun:stun.example.com' }],
      onNetPattern: '[0-9]{4}',
      whisperWhenUnknown: 'allow',
    });
  });

  it('derives the coordinator settings and rule options', () => {
    const settings = settingsOf({
      pbx: { ...PBX, displayName: 'Sam' },
      portal: { origin: 'https://portal.example.com/app' },
      rules: { monitorScopes: ['Office Manager'], user: { scope: 'Office Manager', dtmfMonitoringGranted: true } },
      auditRetention: 50,
    });
    const coordinator = toCoordinatorSettings(settings);
    expect(coordinator.portalOrigins).toEqual(['https://portal.example.com']);
    expect(coordinator.view).toEqual({
      configured: true,
      user: { extension: '2001', displayName: 'Sam', scope: 'Office Manager', dtmfMonitoringGranted: true },
    });
    expect(coordinator.logLimit).toBe(50);
    expect(coordinator.engine?.sip.username).toBe('2001');
    expect(toRuleOptions(settings)).toEqual({ monitorScopes: ['Office Manager'], whisperWhenUnknown: 'deny', tapping: false });
    expect(coordinator.rules).toEqual(toRuleOptions(settings));
    const tapping = mergeSettings({ managed: { profile: { id: 'netsapiens-tapping' } }, user: {}, lastGoodManaged: {} }).settings;
    expect(toRuleOptions(tapping).tapping).toBe(true);
  });

  it('is unconfigured with the defaults', () => {
    const coordinator = toCoordinatorSettings(settingsOf({}));
    expect(coordinator).toMatchObject({ portalOrigins: [], view: { configured: false, user: { dtmfMonitoringGranted: false } }, engine: null, logLimit: 500 });
  });
});
