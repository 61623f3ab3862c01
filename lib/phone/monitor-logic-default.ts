// The one file of lib/phone that touches lib/monitor and lib/pbx: it adapts
// their pure logic to the engine's MonitorLogic port.
import { createModeQueue } from '../monitor/mode-queue';
import { decide } from '../monitor/authority';
import { isOnNet } from '../monitor/rules';
import { transition } from '../monitor/session-machine';
import { planModeChange, planStart } from '../pbx/plan';
import { resolveProfile } from '../pbx/profiles';
import type { EngineConfig } from '../contract/engine';
import type { MonitorLogic } from './monitor-logic';

function profileOf(config: EngineConfig) {
  return resolveProfile(config.profile.id, config.profile.overrides);
}

/** lib/monitor + lib/pbx behind the engine's {@link MonitorLogic} port. */
export const defaultMonitorLogic: MonitorLogic = {
  startPlan: (config, agent) => planStart(profileOf(config), agent),
  modePlan: (config, agent, from, to, availability) => planModeChange(profileOf(config), from, to, agent, availability),
  endsWithAgent: (config) => profileOf(config).endsWithAgent,
  hangsUpWithoutCall: (config) => profileOf(config).hangsUpWithoutCall === true,
  isOnNet: (uri, config) => isOnNet(uri, { domain: config.sip.domain, pattern: config.onNetPattern }),
  // The authority with the engine's picture: the agent's call as watched, and no user (the engine is
  // not told who: the coordinator asked with the user before the start, the PBX has the last word),
  // so scopes and the tapping profile do not enter (the profile is not resolved: it may be invalid).
  availability: ({ agent, config, microphone }) =>
    decide({
      user: undefined,
      entitlements: { monitorScopes: [], whisperWhenUnknown: config.whisperWhenUnknown },
      profile: { tapping: false },
      ...(agent ? { target: { extension: agent.extension, call: agent } } : {}),
      microphone,
    }).modes,
  transition: (from, to) => transition(from, to),
  createModeQueue: ({ initial, apply, onChange }) => {
    const queue = createModeQueue({ initial, apply, onChange });
    return {
      request: (mode) => queue.request(mode),
      current: () => queue.current,
      pending: () => queue.pending,
      close: () => queue.close(),
    };
  },
};
