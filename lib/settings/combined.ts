import { ProfileError } from '../monitor/errors';
import { resolveProfile, type PortalRequestKind } from '../pbx/profiles';
import { GENERIC_REQUIRED } from '../portals/generic';
import type { ProfileOverrides } from '../contract/engine';
import { fieldLabel, type Settings } from './schema';

/** A problem of values that are each valid but do not work together. */
export interface CombinedProblem {
  path: string;
  field: string;
  message: string;
}

/** The portal page (adapter) that makes each kind of portal request. */
const PORTAL_FOR_REQUEST: Readonly<Record<PortalRequestKind, { adapter: Settings['portal']['adapter']; page: string }>> = {
  'fusionpbx-eavesdrop': { adapter: 'fusionpbx-call-center', page: "FusionPBX's Active Call Center page (its Eavesdrop button)" },
};

/** The profile overrides the settings carry (undefined fields left out). */
export function profileOverrides(profile: Settings['profile']): ProfileOverrides {
  const overrides: ProfileOverrides = {};
  if (profile.dialPrefix !== undefined) overrides.dialPrefix = profile.dialPrefix;
  const { listen, whisper, barge } = profile.modeCodes;
  if (listen !== undefined || whisper !== undefined || barge !== undefined) {
    overrides.modeCodes = {};
    if (listen !== undefined) overrides.modeCodes.listen = listen;
    if (whisper !== undefined) overrides.modeCodes.whisper = whisper;
    if (barge !== undefined) overrides.modeCodes.barge = barge;
  }
  if (profile.dtmfMethod !== undefined) overrides.dtmfMethod = profile.dtmfMethod;
  if (profile.pin !== undefined) overrides.pin = profile.pin;
  if (profile.tappingCode !== undefined) overrides.tappingCode = profile.tappingCode;
  if (profile.switchBy !== undefined) overrides.switchBy = profile.switchBy;
  return overrides;
}


/**
 * Checks across fields: the profile resolves (lib/pbx does the same check
 * when the engine starts, so a broken profile is caught here first), and the
 * generic portal adapter has the selectors it cannot work without.
 */
export function combinedProblems(settings: Settings): CombinedProblem[] {
  const problems: CombinedProblem[] = [];
  try {
    const profile = resolveProfile(settings.profile.id, profileOverrides(settings.profile));
    // The portal asks the PBX to call: only the portal page that has the request can start a session.
    const needs = profile.answers ? PORTAL_FOR_REQUEST[profile.answers.portalRequest] : undefined;
    if (needs && settings.portal.adapter !== needs.adapter) {
      problems.push({
        path: 'portal.adapter',
        field: 'portal.adapter',
        message: `${fieldLabel('portal.adapter')}: the profile "${profile.label}" starts monitoring from ${needs.page}; choose that portal type.`,
      });
    }
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    problems.push({ path: 'profile.id', field: 'profile.id', message: `${fieldLabel('profile.id')}: ${error.message}` });
  }
  if (settings.portal.adapter === 'generic') {
    for (const key of GENERIC_REQUIRED) {
      if (settings.portal.generic[key] === undefined) {
        const path = `portal.generic.${key}`;
        problems.push({ path, field: path, message: `${fieldLabel(path)}: required for the generic portal type` });
      }
    }
  }
  return problems;
}
