/**
 * The other party of an agent's call as a portal shows it, and whether it is
 * on-net (an extension of this PBX) or off-net. Pure: the content script
 * reads the party (lib/portals/scan.ts), whoever holds the settings
 * classifies it. This is what makes Whisper possible on a call that was up
 * before Earshot watched the agent: the PBX's early NOTIFY, which names the
 * other party, came before Earshot subscribed.
 */

/** What a party may look like once read: a number or SIP address, no spaces, no markup, bounded. */
const PARTY = /^[A-Za-z0-9+*#@._:-]{1,64}$/;
/** A telephone number with the spaces, brackets, dots or dashes people write in it. */
const PHONE_WRITTEN = /^\+?[0-9][0-9\s().-]{0,40}$/;

/** A party Earshot accepts from a page: its text and its user part (cleaned of scheme and domain). */
export interface Party {
  text: string;
  user: string;
  host?: string;
}

/** Validates and splits a party read from a page; undefined when it is none (empty, too long, odd characters). */
export function cleanParty(value: string | undefined): Party | undefined {
  let text = value?.trim();
  // A number written for people ("+1 (555) 010-0199") is the same number.
  if (text && PHONE_WRITTEN.test(text)) text = text.replace(/[\s().-]/g, '');
  if (!text || !PARTY.test(text)) return undefined;
  const bare = text.replace(/^(?:sips?|tel):/i, '');
  const at = bare.indexOf('@');
  const user = at < 0 ? bare : bare.slice(0, at);
  const host = at < 0 ? undefined : bare.slice(at + 1).toLowerCase() || undefined;
  if (user === '') return undefined;
  return { text, user, ...(host ? { host } : {}) };
}

/** The verdict on a party: unknown means Earshot could not tell (Whisper follows `whisperWhenUnknown`, deny by default). */
export type NetClass = 'on-net' | 'off-net' | 'unknown';

export interface OnNetOptions {
  /** settings.onNetPattern: the user part of an on-net party, matched whole. */
  onNetPattern: string;
  /** The adapter's `onNetRule`: the configured pattern (default), or the portal's own rule. */
  rule?: 'pattern' | 'netsapiens';
  /** The PBX's SIP domain: a party at another host is off-net whatever its user part. */
  domain?: string;
}

/**
 * On-net or off-net, by the portal's own rule where it has one, else by the
 * configured pattern:
 * - no party, or one {@link cleanParty} refuses: unknown;
 * - a party at a host other than the PBX's domain (when both are known): off-net;
 * - `netsapiens` (the portal's own test): the user part shorter than 7
 *   characters and without `*` is on-net, anything else off-net;
 * - `pattern`: the user part matching `onNetPattern` whole is on-net, else
 *   off-net; a pattern that does not compile decides nothing: unknown.
 */
export function classifyParty(value: string | undefined, options: OnNetOptions): NetClass {
  const party = cleanParty(value);
  if (!party) return 'unknown';
  if (party.host && options.domain && party.host !== options.domain.toLowerCase()) return 'off-net';
  if (options.rule === 'netsapiens') return party.user.length < 7 && !party.user.includes('*') ? 'on-net' : 'off-net';
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${options.onNetPattern})$`);
  } catch {
    return 'unknown';
  }
  return pattern.test(party.user) ? 'on-net' : 'off-net';
}

/**
 * The portal's party as the engine's `AgentCallState.remote` (lib/contract/state.ts),
 * for an agent whose dialog-info named nobody; undefined when unknown.
 */
export function remoteFromPortal(value: string | undefined, options: OnNetOptions): { uri: string; onNet: boolean } | undefined {
  const verdict = classifyParty(value, options);
  if (verdict === 'unknown') return undefined;
  return { uri: cleanParty(value)!.text, onNet: verdict === 'on-net' };
}
