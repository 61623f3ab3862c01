import type { AgentCallState, MicrophoneState, UserState } from '../state/snapshot';
import { MODE_LABELS, type Mode, type Scope } from './modes';

/** A rule's answer: allowed, or not with the reason shown to the user. */
export interface Verdict {
  allowed: boolean;
  reason?: string;
}

const ALLOWED: Verdict = { allowed: true };
const refuse = (reason: string): Verdict => ({ allowed: false, reason });

/** What to do about Whisper when the agent's counterpart was never identified. */
export type WhisperWhenUnknown = 'allow' | 'deny';

/** The deployment's rule options (settings). */
export interface RuleOptions {
  /** Scopes allowed to monitor; Basic User is refused even if listed. */
  monitorScopes: readonly Scope[];
  whisperWhenUnknown: WhisperWhenUnknown;
  /** The PBX's monitor feature is DTMF monitoring by tapping code (Office Managers or users granted it). */
  tapping?: boolean;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  monitorScopes: ['Call Center Supervisor'],
  whisperWhenUnknown: 'deny',
};

function scopeList(scopes: readonly Scope[]): string {
  const names = scopes.filter((s) => s !== 'Basic User').map((s) => `${s}s`);
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Whether this user may monitor calls at all. Only the configured scopes
 * (Call Center Supervisor by default); Basic Users never, whatever the list.
 * An unknown scope (the portal does not show it) is left to the PBX, which
 * answers 403 when it refuses.
 */
export function canMonitor(user: Pick<UserState, 'scope'>, options: Pick<RuleOptions, 'monitorScopes'>): Verdict {
  const allowedText = `Audio monitoring is available to ${scopeList(options.monitorScopes)}`;
  if (user.scope === undefined) return ALLOWED;
  if (user.scope === 'Basic User') return refuse(`${allowedText}; Basic Users cannot monitor calls.`);
  if (!options.monitorScopes.includes(user.scope)) return refuse(`${allowedText}; you are signed in as ${user.scope}.`);
  return ALLOWED;
}

/** DTMF monitoring by tapping code: Office Managers by default, or users granted it. */
export function canUseTapping(user: Pick<UserState, 'scope' | 'dtmfMonitoringGranted'>): Verdict {
  if (user.scope === 'Office Manager' || user.dtmfMonitoringGranted) return ALLOWED;
  return refuse('Monitoring an extension by tapping code is for Office Managers or users granted DTMF monitoring.');
}

/**
 * Whether this user may start monitoring with the deployment's feature: the
 * tapping code (Office Managers or users granted it) or the monitor codes
 * (the configured scopes). An unknown user is left to the PBX either way.
 */
export function canStartMonitoring(
  user: Pick<UserState, 'scope' | 'dtmfMonitoringGranted'>,
  options: Pick<RuleOptions, 'monitorScopes' | 'tapping'>,
): Verdict {
  if (!options.tapping) return canMonitor(user, options);
  // Nobody says who this is (no scope in the settings, none shown by the portal): as with the
  // monitor codes, the PBX decides and answers 403 to anyone it refuses.
  if (user.scope === undefined && !user.dtmfMonitoringGranted) return ALLOWED;
  return canUseTapping(user);
}

/**
 * Whether the agent's call can be monitored now. An agent Earshot has no
 * dialog state for (not watched yet, or a PBX without dialog-info, where the
 * portal's own call column showed the icon) is left to the PBX, which
 * answers 480 when the agent is not on a call.
 */
export function canMonitorAgent(agent: AgentCallState | undefined, extension: string): Verdict {
  if (!agent || agent.dialog === 'unknown' || agent.dialog === 'confirmed') return ALLOWED;
  if (agent.dialog === 'early') return refuse(`${extension}'s call is still ringing: wait until it is answered.`);
  return refuse(`${extension} is not on an active call.`);
}

/** Parses the user and host of a sip:/sips:/tel: URI; undefined when it is not one. */
export function parseSipUri(uri: string): { user: string; host: string | undefined } | undefined {
  const trimmed = uri.trim().replace(/^<|>$/g, '');
  const tel = /^tel:([^;]+)/i.exec(trimmed);
  if (tel?.[1]) return { user: tel[1], host: undefined };
  const sip = /^sips?:(?:([^@;?]+)@)?([^;?>:]+)/i.exec(trimmed);
  if (!sip?.[2]) return undefined;
  return sip[1] ? { user: decodeURIComponent(sip[1]), host: sip[2].toLowerCase() } : undefined;
}

/** Compiles the on-net pattern, anchored; an invalid one matches nothing. */
function onNetRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/**
 * On-net: the URI is an internal extension of this PBX (host is the PBX
 * domain and the user part matches the on-net pattern). Anything else,
 * including tel: URIs and other hosts, is off-net.
 */
export function isOnNet(uri: string, options: { domain: string; pattern: string }): boolean {
  const parsed = parseSipUri(uri);
  if (!parsed?.host || parsed.host !== options.domain.toLowerCase()) return false;
  return onNetRegExp(options.pattern)?.test(parsed.user) ?? false;
}

/**
 * Whisper only when one party is on-net and the other off-net. The agent is
 * an extension (on-net), so it comes down to the counterpart being off-net.
 * A counterpart never identified follows `whisperWhenUnknown`.
 */
export function canWhisper(agent: AgentCallState | undefined, whisperWhenUnknown: WhisperWhenUnknown): Verdict {
  const remote = agent?.remote;
  if (!remote) {
    return whisperWhenUnknown === 'allow'
      ? ALLOWED
      : refuse("Whisper is off: Earshot could not tell who the agent is talking to, so it can't check that the call is with an outside party.");
  }
  if (remote.onNet) {
    return refuse('Whisper is only for calls between an agent and an outside party; this is an internal call.');
  }
  return ALLOWED;
}

/** Why the microphone stops talking modes, or nothing when it does not. */
function microphoneVerdict(microphone: MicrophoneState): Verdict {
  return microphone === 'denied'
    ? refuse('The microphone is blocked for Earshot: allow it to Whisper or Join. Listen still works.')
    : ALLOWED;
}

/**
 * Availability of each mode on this call: Listen always; Barge-In on every
 * call (needs the microphone); Whisper only on-net ↔ off-net (and the microphone).
 */
export function modeAvailability(input: {
  agent: AgentCallState | undefined;
  whisperWhenUnknown: WhisperWhenUnknown;
  microphone: MicrophoneState;
}): Record<Mode, Verdict> {
  const mic = microphoneVerdict(input.microphone);
  const whisper = canWhisper(input.agent, input.whisperWhenUnknown);
  return {
    listen: ALLOWED,
    whisper: whisper.allowed ? mic : whisper,
    barge: mic,
  };
}

/** Refuses a mode the availability says no to, with its reason. */
export function canSwitchTo(mode: Mode, availability: Record<Mode, Verdict>): Verdict {
  const verdict = availability[mode];
  return verdict.allowed ? ALLOWED : refuse(verdict.reason ?? `${MODE_LABELS[mode]} is not available on this call.`);
}
