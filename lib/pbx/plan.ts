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
  | { kind: 'hangup' };

/** A call to `target`, offering the profile's codecs when it names any. */
function dial(profile: PbxProfile, target: string): PlanAction {
  return profile.codecs ? { kind: 'dial', target, codecs: profile.codecs } : { kind: 'dial', target };
}

/**
 * The actions that start monitoring `agent` in Listen Only: dial the monitor
 * feature, then the PIN if the profile has one. The extension is validated first.
 */
export function planStart(profile: PbxProfile, agent: string): PlanAction[] {
  const extension = validateExtension(agent);
  const actions: PlanAction[] = [dial(profile, `${profile.dialPrefix}${extension}`)];
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
