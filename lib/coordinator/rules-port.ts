import { decide, type Target, type World } from '../monitor/authority';
import type { Mode } from '../monitor/modes';
import { DEFAULT_RULE_OPTIONS, type RuleOptions, type Verdict } from '../monitor/rules';
import { isLive } from '../monitor/session-machine';
import type { EarshotState } from '../state/snapshot';

export type { Verdict } from '../monitor/rules';

/** Checks the coordinator makes before routing a command to the engine (the PBX enforces them again). */
export interface CoordinatorRules {
  canStart(state: EarshotState, agent: string): Verdict;
  canSetMode(state: EarshotState, mode: Mode): Verdict;
  canMonitorExtension(state: EarshotState, extension: string): Verdict;
}

/** True while a monitor session is under way (not ended or failed). */
export function sessionIsLive(state: EarshotState): boolean {
  return state.session !== null && isLive(state.session.status);
}

/**
 * The coordinator's picture of the world, from its snapshot and the
 * deployment's rule options. The user is `state.user`: the settings' with
 * what the portal page shows on top, reported by its content script
 * (lib/monitor/authority.ts signedInUser, Coordinator.reportPortalUser).
 */
export function worldOf(state: EarshotState, options: RuleOptions, target?: Target): World {
  const session = state.session;
  return {
    user: state.user,
    entitlements: { monitorScopes: options.monitorScopes, whisperWhenUnknown: options.whisperWhenUnknown },
    profile: { tapping: options.tapping ?? false },
    ...(target ? { target } : {}),
    microphone: state.microphone,
    phone: {
      configured: state.configured,
      registration: state.registration,
      ...(session && isLive(session.status) ? { liveSession: { agent: session.agent.extension } } : {}),
    },
  };
}

/** The authority (lib/monitor/authority.ts) asked with the coordinator's picture. */
export function createRules(options: RuleOptions = DEFAULT_RULE_OPTIONS): CoordinatorRules {
  return {
    canStart: (state, agent) => decide(worldOf(state, options, { extension: agent, call: state.agents[agent] })).start,
    canSetMode(state, mode) {
      const session = state.session;
      if (!session || !sessionIsLive(state) || session.status === 'ending') {
        return { allowed: false, reason: 'No monitor session is under way.' };
      }
      const { phone: _phone, ...world } = worldOf(state, options, { extension: session.agent.extension, call: state.agents[session.agent.extension] });
      return decide(world).modes[mode];
    },
    canMonitorExtension: (state, extension) =>
      decide(worldOf(state, options, { extension, call: state.agents[extension], by: 'tapping-code' })).start,
  };
}
