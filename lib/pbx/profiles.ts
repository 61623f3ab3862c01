import { ProfileError } from '../monitor/errors';
import { MODE_LABELS, MODES, type Mode } from '../monitor/modes';
import type { DtmfMethod, ProfileId, ProfileOverrides } from '../contract/engine';

/**
 * A PBX's monitor feature, as data (shared/design/pbx-dialects.md).
 * - `dtmf`: dial `dialPrefix + ext` once; the call starts in Listen; each mode
 *   is selected by sending its code as DTMF.
 * - `redial`: each mode has its own dial prefix; switching hangs up and dials
 *   the other code (a short gap in audio).
 */
export interface PbxProfile {
  id: ProfileId;
  label: string;
  switchBy: 'dtmf' | 'redial';
  /** Dial prefix of the first call (dtmf profiles); redial profiles use `modeCodes.listen`. */
  dialPrefix: string;
  /** DTMF digits (dtmf profiles) or dial prefixes (redial profiles), one per mode. */
  modeCodes: Record<Mode, string>;
  dtmfMethod: DtmfMethod;
  /** Sent as DTMF once the call is answered (FusionPBX asks a PIN). */
  pin?: string;
  /** The PBX ends the monitor call when the agent's call ends (Asterisk `E`); false: it persists until hang-up. */
  endsWithAgent: boolean;
  /** Monitoring with this profile is DTMF monitoring by tapping code (Office Managers or users granted it). */
  tapping: boolean;
  /**
   * The audio codecs the monitor call offers, in this order; the browser's others are left out of
   * the offer. Absent: the browser's own offer (Opus first). For a PBX that copies frames without
   * resampling (FreeSWITCH eavesdrop), the spied call's rate.
   */
  codecs?: readonly AudioCodec[];
  /** A DTMF method this PBX does not act on although it answers it, and why: a deployment cannot pick it. */
  refusedDtmf?: { method: DtmfMethod; why: string };
  /** The PBX answers the monitor call and hangs up at once when the agent has no call (ChanSpy instead waits in silence). */
  hangsUpWithoutCall?: boolean;
  /** Digits that mean something else on this PBX: never a mode's code. */
  reservedCodes?: readonly { code: string; means: string }[];
  /**
   * The portal starts monitoring and the PBX calls Earshot (FusionPBX's Eavesdrop button): Earshot asks
   * the portal (from the content script, with the page's own session), then answers the one incoming
   * call whose caller name is `callerName` and whose caller number is the agent's extension (FusionPBX's
   * originate sets both) within `withinMs` of the request; `dialPrefix` is unused.
   */
  answers?: { portalRequest: PortalRequestKind; callerName: string; withinMs: number };
}

/** How a portal is asked to start monitoring (lib/portals adapters know the request). */
export const PORTAL_REQUEST_KINDS = ['fusionpbx-eavesdrop'] as const;
export type PortalRequestKind = (typeof PORTAL_REQUEST_KINDS)[number];

/** Audio codecs a profile can ask for, by their SDP rtpmap names (RFC 3551, RFC 7587). */
export const AUDIO_CODECS = ['PCMU', 'PCMA', 'G722', 'opus'] as const;
export type AudioCodec = (typeof AUDIO_CODECS)[number];

/** The built-in profiles, as each PBX documents them. */
export const BUILT_IN_PROFILES: Readonly<Record<Exclude<ProfileId, 'custom'>, PbxProfile>> = {
  'asterisk-chanspy': {
    id: 'asterisk-chanspy',
    label: 'Asterisk ChanSpy (*222 + extension, DTMF 4/5/6)',
    switchBy: 'dtmf',
    dialPrefix: '*222',
    modeCodes: { listen: '4', whisper: '5', barge: '6' },
    dtmfMethod: 'rfc4733',
    endsWithAgent: true,
    tapping: false,
  },
  'asterisk-per-mode': {
    id: 'asterisk-per-mode',
    label: 'Asterisk, one code per mode (*221 / *223 / *224 + extension)',
    switchBy: 'redial',
    dialPrefix: '*221',
    modeCodes: { listen: '*221', whisper: '*223', barge: '*224' },
    dtmfMethod: 'rfc4733',
    endsWithAgent: true,
    tapping: false,
  },
  'freeswitch-eavesdrop': {
    id: 'freeswitch-eavesdrop',
    label: 'FreeSWITCH / FusionPBX eavesdrop (*33 + extension, DTMF 0/2/3)',
    switchBy: 'dtmf',
    dialPrefix: '*33',
    modeCodes: { listen: '0', whisper: '2', barge: '3' },
    dtmfMethod: 'rfc4733',
    endsWithAgent: true,
    tapping: false,
    // Measured on FreeSWITCH 1.10.12 (shared/design/pbx-dialects.md): eavesdrop does not resample,
    // so an Opus leg on an 8 kHz call garbles both directions.
    codecs: ['PCMU', 'PCMA'],
    hangsUpWithoutCall: true,
    refusedDtmf: {
      method: 'info',
      why: 'FreeSWITCH ignores SIP INFO digits during eavesdrop (unless liberal-dtmf is on) yet answers them 200 OK, so a switch would silently do nothing: this profile sends RFC 4733.',
    },
    reservedCodes: [
      { code: '1', means: 'only the customer hears the supervisor (not the agent)' },
      { code: '*', means: 'ends the eavesdrop' },
    ],
  },
  'fusionpbx-eavesdrop-button': {
    id: 'fusionpbx-eavesdrop-button',
    label: "FusionPBX portal's Eavesdrop (the PBX calls you, DTMF 0/2/3)",
    switchBy: 'dtmf',
    dialPrefix: '',
    modeCodes: { listen: '0', whisper: '2', barge: '3' },
    dtmfMethod: 'rfc4733',
    endsWithAgent: true,
    tapping: false,
    // The same FreeSWITCH eavesdrop once the call is up (shared/design/portals.md, pbx-dialects.md):
    // FusionPBX's originate has caller-id name `eavesdrop`, and no PIN on this path.
    codecs: ['PCMU', 'PCMA'],
    hangsUpWithoutCall: true,
    refusedDtmf: {
      method: 'info',
      why: 'FreeSWITCH ignores SIP INFO digits during eavesdrop (unless liberal-dtmf is on) yet answers them 200 OK, so a switch would silently do nothing: this profile sends RFC 4733.',
    },
    reservedCodes: [
      { code: '1', means: 'only the customer hears the supervisor (not the agent)' },
      { code: '*', means: 'ends the eavesdrop' },
    ],
    answers: { portalRequest: 'fusionpbx-eavesdrop', callerName: 'eavesdrop', withinMs: 15_000 },
  },
  'netsapiens-tapping': {
    id: 'netsapiens-tapping',
    label: 'NetSapiens-style tapping code (*55 + extension, star codes)',
    switchBy: 'dtmf',
    dialPrefix: '*55',
    modeCodes: { listen: '*1', whisper: '*2', barge: '*3' },
    dtmfMethod: 'info',
    endsWithAgent: false,
    tapping: true,
  },
};

const DTMF_LABELS: Readonly<Record<DtmfMethod, string>> = { rfc4733: 'RFC 4733 DTMF', info: 'SIP INFO DTMF' };

const DTMF_CODE = /^[0-9*#]{1,8}$/;
const DIAL_PREFIX = /^[0-9*#]{0,10}$/;
const PIN = /^[0-9]{1,12}$/;

function checkCode(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new ProfileError(`The ${what} "${value}" is not valid: use digits, * and # only.`);
  return value;
}

/**
 * The profile a deployment uses: a built-in one with its overrides applied,
 * or `custom`, built from the overrides alone (dial prefix and the three
 * mode codes are required). Codes are checked: digits, `*` and `#` only.
 */
export function resolveProfile(id: ProfileId, overrides: ProfileOverrides = {}): PbxProfile {
  const base: PbxProfile =
    id === 'custom'
      ? {
          id: 'custom',
          label: 'Custom',
          switchBy: overrides.switchBy ?? 'dtmf',
          dialPrefix: overrides.dialPrefix ?? overrides.tappingCode ?? '',
          modeCodes: { listen: '', whisper: '', barge: '' },
          dtmfMethod: 'rfc4733',
          endsWithAgent: true,
          tapping: false,
        }
      : BUILT_IN_PROFILES[id];
  const switchBy = overrides.switchBy ?? base.switchBy;
  const modeCodes = { ...base.modeCodes, ...overrides.modeCodes };
  const profile: PbxProfile = {
    ...base,
    switchBy,
    dialPrefix: overrides.tappingCode ?? overrides.dialPrefix ?? base.dialPrefix,
    modeCodes,
    dtmfMethod: overrides.dtmfMethod ?? base.dtmfMethod,
    pin: overrides.pin || base.pin,
    endsWithAgent: overrides.endsWithAgent ?? base.endsWithAgent,
  };
  const codePattern = switchBy === 'dtmf' ? DTMF_CODE : DIAL_PREFIX;
  for (const mode of ['listen', 'whisper', 'barge'] as const) {
    if (!profile.modeCodes[mode]) throw new ProfileError(`The profile "${profile.label}" has no code for ${mode}.`);
    checkCode(profile.modeCodes[mode], codePattern, `${mode} code`);
  }
  if (switchBy === 'redial') profile.dialPrefix = profile.modeCodes.listen;
  if (profile.answers) {
    if (switchBy !== 'dtmf') throw new ProfileError(`The profile "${profile.label}" answers the PBX's call: its modes switch by DTMF.`);
  } else if (profile.dialPrefix === '') throw new ProfileError(`The profile "${profile.label}" has no dial prefix.`);
  if (!profile.answers) checkCode(profile.dialPrefix, DIAL_PREFIX, 'dial prefix');
  if (profile.pin !== undefined) {
    if (!PIN.test(profile.pin)) throw new ProfileError('The PIN must be 1 to 12 digits.');
  }
  if (profile.refusedDtmf && profile.dtmfMethod === profile.refusedDtmf.method) {
    throw new ProfileError(`The profile "${profile.label}" cannot use ${DTMF_LABELS[profile.dtmfMethod]}: ${profile.refusedDtmf.why}`);
  }
  for (const reserved of switchBy === 'dtmf' ? (profile.reservedCodes ?? []) : []) {
    const mode = MODES.find((m) => profile.modeCodes[m] === reserved.code);
    if (mode) throw new ProfileError(`On "${profile.label}" the digit ${reserved.code} ${reserved.means}: it cannot be the ${MODE_LABELS[mode]} code.`);
  }
  return profile;
}
