import type { RuleOptions } from '../monitor/rules';
import type { EngineConfig } from '../contract/engine';
import { resolveProfile, type PortalRequestKind } from '../pbx/profiles';
import { resolveAdapter, type PortalAdapter } from '../portals';
import { genericAdapter } from '../portals/generic';
import type { UserState } from '../state/snapshot';
import { profileOverrides } from './combined';
import type { CoordinatorSettings } from './source';
import { fieldLabel, type Settings } from './schema';

const ENGINE_REQUIRED = ['wsUrl', 'domain', 'username', 'password'] as const;

/** Labels of the PBX fields still missing before Earshot can register (empty when none). */
export function missingForEngine(settings: Settings): string[] {
  return ENGINE_REQUIRED.filter((key) => !settings.pbx[key]).map((key) => fieldLabel(`pbx.${key}`));
}

/** The engine's configuration; null until the PBX address, domain, user and password are all set. */
export function toEngineConfig(settings: Settings): EngineConfig | null {
  const { wsUrl, domain, username, password, authorizationUsername, displayName } = settings.pbx;
  if (!wsUrl || !domain || !username || !password) return null;
  return {
    sip: {
      wsUrl,
      domain,
      username,
      password,
      ...(authorizationUsername ? { authorizationUsername } : {}),
      ...(displayName ? { displayName } : {}),
    },
    profile: { id: settings.profile.id, overrides: profileOverrides(settings.profile) },
    iceServers: settings.iceServers.map((server) => ({ ...server })),
    onNetPattern: settings.onNetPattern,
    whisperWhenUnknown: settings.rules.whisperWhenUnknown,
  };
}

/** The portal adapter the settings name: a built-in one, or the generic one from the policy's selectors. */
export function toPortalAdapter(settings: Settings): { adapter: PortalAdapter } | { error: string } {
  try {
    return { adapter: resolveAdapter(settings.portal.adapter, genericAdapter(settings.portal.generic)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether the configured profile is DTMF monitoring by tapping code. */
function isTappingProfile(settings: Settings): boolean {
  try {
    return resolveProfile(settings.profile.id, profileOverrides(settings.profile)).tapping;
  } catch {
    return settings.profile.id === 'netsapiens-tapping';
  }
}

/** How the portal is asked to start monitoring, when the configured profile has the PBX call Earshot. */
function portalRequestOf(settings: Settings): PortalRequestKind | undefined {
  try {
    return resolveProfile(settings.profile.id, profileOverrides(settings.profile)).answers?.portalRequest;
  } catch {
    return undefined;
  }
}

/** The rule options (lib/monitor/rules) the settings give. */
export function toRuleOptions(settings: Settings): RuleOptions {
  return {
    monitorScopes: [...settings.rules.monitorScopes],
    whisperWhenUnknown: settings.rules.whisperWhenUnknown,
    tapping: isTappingProfile(settings),
  };
}

/** Who the supervisor is, as far as the settings know (the portal may say more). */
export function toUserState(settings: Settings): UserState {
  const user: UserState = { dtmfMonitoringGranted: settings.rules.user.dtmfMonitoringGranted };
  if (settings.pbx.username) user.extension = settings.pbx.username;
  if (settings.pbx.displayName) user.displayName = settings.pbx.displayName;
  if (settings.rules.user.scope) user.scope = settings.rules.user.scope;
  return user;
}

/** What the background consumes (./source.ts). */
export function toCoordinatorSettings(settings: Settings): CoordinatorSettings {
  const engine = toEngineConfig(settings);
  const adapter = toPortalAdapter(settings);
  const portalRequest = portalRequestOf(settings);
  return {
    portalOrigins: settings.portal.origin ? [settings.portal.origin] : [],
    ...('adapter' in adapter ? { portalAdapter: adapter.adapter } : { portalAdapterError: adapter.error }),
    ...(portalRequest ? { portalRequest } : {}),
    view: { configured: engine !== null, user: toUserState(settings) },
    engine,
    logLimit: settings.auditRetention,
    history: { enabled: settings.history.enabled, days: settings.history.days },
    ...(settings.audit.endpoint
      ? {
          audit: {
            endpoint: settings.audit.endpoint,
            ...(settings.audit.token ? { token: settings.audit.token } : {}),
            queueLimit: settings.audit.queueLimit,
          },
        }
      : {}),
    rules: toRuleOptions(settings),
  };
}
