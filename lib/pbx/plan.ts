import { RuleRefusedError } from '../monitor/errors';
import { MODE_LABELS, type Mode } from '../monitor/modes';
import type { Decision } from '../monitor/authority';
import type { DtmfMethod } from '../contract/engine';
import { validateExtension } from '../contract/extension';
import type { AudioCodec, PbxProfile } from './profiles';

/** One step the engine performs on the PBX. `codecs`: the audio codecs the call offers, in order (the profile's; absent: the browser's). */
export type PlanAction =
  | { kind: 'dial'; target: string; codecs?: readonly AudioCodec[] }
  | { kind: 'dtmf'; digits: string; method: DtmfMethod }
  | { kind: 'hangup' }
  /** Wait for the PBX's call (the portal asked for it) and answer it: caller name and how long to wait. */
  | { kind: 'answer'; callerName: string; withinMs: number; codecs?: readonly AudioCodec[] };

/** A call to `target`, offering the profile's codecs when it names any. */
function dial(profile: PbxProfile, target: string): PlanAction {
  return profile.codecs ? { kind: 'dial', target, codecs: profile.codecs } : { kind: 'dial', target };
}

/**
 * The actions that start monitoring `agent` in Listen Only: dial the monitor
 * feature (or, where the portal has the PBX call Earshot, answer that call),
 * then the PIN if the profile has one. The extension is validated first.
 */
export function planStart(profile: PbxProfile, agent: string): PlanAction[] {
  const extension = validateExtension(agent);
  const answers = profile.answers;
  const first: PlanAction = answers
    ? { kind: 'answer', callerName: answers.callerName, withinMs: answers.withinMs, ...(profile.codecs ? { codecs: profile.codecs } : {}) }
    : dial(profile, `${profile.dialPrefix}${extension}`);
  const actions: PlanAction[] = [first];
  if (profile.pin) actions.push({ kind: 'dtmf', digits: profile.pin, method: profile.dtmfMethod });
  return actions;
}

/**
 * The actions that take the PBX from `from` to `to`: the mode's DTMF code, or
 * hang up and re-dial with the mode's code. The plan does not decide what is
 * allowed: `availability` is the authority's answer (lib/monitor/authority.ts
 * `decide(world).modes`, asked by the engine), and a mode it refuses is
 * refused here too (throws {@link RuleRefusedError}): never a digit for it.
 * Same mode: nothing to do.
 */
export function planModeChange(
  profile: PbxProfile,
  from: Mode,
  to: Mode,
  agent: string,
  availability: Decision['modes'],
): PlanAction[] {
  const extension = validateExtension(agent);
  const verdict = availability[to];
  if (!verdict.allowed) throw new RuleRefusedError(verdict.reason ?? `${MODE_LABELS[to]} is not available on this call.`);
  if (from === to) return [];
  if (profile.switchBy === 'redial') {
    return [{ kind: 'hangup' }, dial(profile, `${profile.modeCodes[to]}${extension}`)];
  }
  return [{ kind: 'dtmf', digits: profile.modeCodes[to], method: profile.dtmfMethod }];
}
