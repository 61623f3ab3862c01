import type { Mode } from '../monitor/modes';
import {
  canStartMonitoring,
  canMonitorAgent,
  canSwitchTo,
  canUseTapping,
  DEFAULT_RULE_OPTIONS,
  type RuleOptions,
  type Verdict,
} from '../monitor/rules';
import { isLive } from '../monitor/session-machine';
import { isValidExtension } from '../contract/extension';
import type { EarshotState } from '../state/snapshot';

export type { Verdict } from '../monitor/rules';

/** Checks the coordinator makes before routing a command to the engine (the PBX enforces them again). */
export interface CoordinatorRules {
  canStart(state: EarshotState, agent: string): Verdict;
  canSetMode(state: EarshotState, mode: Mode): Verdict;
  canMonitorExtension(state: EarshotState, extension: string): Verdict;
}

/** True while a monitor session is under way (not idle, ended or failed). */
export function sessionIsLive(state: EarshotState): boolean {
  return state.session !== null && isLive(state.session.status);
}

function phoneReady(state: EarshotState): Verdict {
  if (!state.configured) return { allowed: false, reason: 'Earshot is not set up yet: open the options.' };
  if (state.registration.status !== 'registered') {
    return { allowed: false, reason: state.registration.message ?? 'The phone is not registered with the PBX.' };
  }
  return { allowed: true };
}

function oneSession(state: EarshotState): Verdict {
  return sessionIsLive(state)
    ? { allowed: false, reason: `Already monitoring ${state.session?.agent.extension}: hang up first.` }
    : { allowed: true };
}

function extensionOk(extension: string): Verdict {
  return isValidExtension(extension)
    ? { allowed: true }
    : { allowed: false, reason: `"${extension}" is not an extension: use digits only.` };
}

function first(...verdicts: (() => Verdict)[]): Verdict {
  for (const verdict of verdicts) {
    const v = verdict();
    if (!v.allowed) return v;
  }
  return { allowed: true };
}

/** The lib/monitor rules applied to the snapshot, with the deployment's options. */
export function createRules(options: RuleOptions = DEFAULT_RULE_OPTIONS): CoordinatorRules {
  return {
    canStart: (state, agent) =>
      first(
        () => extensionOk(agent),
        () => canStartMonitoring(state.user, options),
        () => phoneReady(state),
        () => oneSession(state),
        () => canMonitorAgent(state.agents[agent], agent),
      ),
    canSetMode(state, mode) {
      const session = state.session;
      if (!session || !sessionIsLive(state) || session.status === 'ending') {
        return { allowed: false, reason: 'No monitor session is under way.' };
      }
      return canSwitchTo(mode, session.availability);
    },
    canMonitorExtension: (state, extension) =>
      first(
        () => extensionOk(extension),
        () => canUseTapping(state.user),
        () => phoneReady(state),
        () => oneSession(state),
      ),
  };
}
