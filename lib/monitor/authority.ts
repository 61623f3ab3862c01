import { isValidExtension } from '../contract/extension';
import type { AgentCallState, MicrophoneState, RegistrationState, UserState } from '../state/snapshot';
import type { Mode } from './modes';
import {
  canMonitor,
  canMonitorAgent,
  canStartMonitoring,
  canUseTapping,
  DEFAULT_RULE_OPTIONS,
  modeAvailability,
  type RuleOptions,
  type Verdict,
} from './rules';

/**
 * The one authority for what is allowed: {@link decide} over one picture of
 * the world ({@link World}) answers "may start" and "which modes, and why
 * not". The content script (icons), the coordinator (commands), the engine
 * (the session's availability) and, through it, the plans (no digit for a
 * refused mode) all ask it. The PBX still has the last word: it may refuse
 * what this allows (403, 480), and the UI says so.
 */

/** Who is signed in, as far as the rules care. */
export type UserFacts = Pick<UserState, 'scope' | 'dtmfMonitoringGranted' | 'monitorRight'>;

/** What the portal page shows about who is signed in to it (lib/portals readUser): role, extension, monitoring right. */
export type PortalUser = Pick<UserState, 'scope' | 'extension' | 'monitorRight'>;

/**
 * The one source of the signed-in user, for the side panel, the in-page
 * panel and the rules alike: the supervisor Earshot's settings name (the
 * SIP account it registers as, its scope and DTMF grant from
 * settings.rules.user), with what the portal page shows on top when it
 * shows it: the person at the screen, signed in to the portal with that
 * role (and, where the portal says so, without the right to monitor). The
 * content script reads the page and reports it (`report-portal-user`); the
 * coordinator puts it into `state.user`, which every UI renders and the
 * rules read. When the portal shows someone else than the settings' user
 * (another extension), the settings' display name and DTMF grant are that
 * other person's: they are dropped (deny by default).
 */
export function signedInUser(settings: UserState, portal?: PortalUser): UserState {
  if (!portal) return settings;
  const shown: PortalUser = {};
  if (portal.scope !== undefined) shown.scope = portal.scope;
  if (portal.extension !== undefined) shown.extension = portal.extension;
  if (portal.monitorRight !== undefined) shown.monitorRight = portal.monitorRight;
  const someoneElse = shown.extension !== undefined && settings.extension !== undefined && shown.extension !== settings.extension;
  if (!someoneElse) return { ...settings, ...shown };
  const { displayName: _theirs, ...rest } = settings;
  return { ...rest, dtmfMonitoringGranted: false, ...shown };
}

/** The deployment's entitlements (settings.rules): who may monitor, Whisper on an unknown counterpart (default: deny). */
export type Entitlements = Pick<RuleOptions, 'monitorScopes'> & Partial<Pick<RuleOptions, 'whisperWhenUnknown'>>;

/** What is asked about. */
export interface Target {
  /** The agent's extension (an agent row), or the one typed to monitor by tapping code. */
  extension: string;
  /** The agent's call as Earshot knows it (dialog-info); undefined: not known, left to the PBX. */
  call: AgentCallState | undefined;
  /** Monitoring an extension by tapping code (DTMF monitoring), asked from the "monitor an extension" form. */
  by?: 'tapping-code';
  /** False when the portal's row for this agent offers the signed-in user no monitoring (no Eavesdrop button, no listen control); undefined: the row does not say. */
  portalMonitorRight?: boolean;
}

/** One picture of the world: everything a decision depends on, nothing else. */
export interface World {
  /** Who is signed in ({@link signedInUser}); undefined: nobody says (the engine's picture), so the PBX decides. */
  user: UserFacts | undefined;
  entitlements: Entitlements;
  /** The profile: monitoring by tapping code (DTMF monitoring) or by the monitor feature's codes. */
  profile: { tapping: boolean };
  /** The agent (or extension) asked about; undefined: whether this user may monitor at all. */
  target?: Target;
  /** The microphone: Whisper and Join need it. */
  microphone: MicrophoneState;
  /** Earshot's own readiness, when the asker knows it (the coordinator): set up, registered, a session under way. */
  phone?: { configured: boolean; registration: RegistrationState; liveSession?: { agent: string } };
}

/** The authority's answer. */
export interface Decision {
  /** May a monitor session start on the target (or, with no target, may this user monitor at all). */
  start: Verdict;
  /** Each mode on the target's call, with the reason when not. */
  modes: Record<Mode, Verdict>;
}

const ALLOWED: Verdict = { allowed: true };
const refuse = (reason: string): Verdict => ({ allowed: false, reason });

function first(...verdicts: (() => Verdict)[]): Verdict {
  for (const verdict of verdicts) {
    const v = verdict();
    if (!v.allowed) return v;
  }
  return ALLOWED;
}

function mayMonitor(world: World): Verdict {
  const user = world.user ?? { dtmfMonitoringGranted: false };
  // Basic Users never, whatever the profile, or a per-user DTMF grant, says.
  if (user.scope === 'Basic User') return canMonitor(user, world.entitlements);
  // The portal says the user signed in to it may not monitor (NetSapiens without `allowmonitor`).
  if (user.monitorRight === false) return refuse('The portal does not let you monitor calls: the user signed in to it has no monitoring right.');
  // The form asks for DTMF monitoring by name: only Office Managers or users granted it, known ones.
  if (world.target?.by === 'tapping-code') return canUseTapping(user);
  return canStartMonitoring(user, { monitorScopes: world.entitlements.monitorScopes, tapping: world.profile.tapping });
}

function phoneReady(phone: World['phone']): Verdict {
  if (!phone) return ALLOWED;
  if (!phone.configured) return refuse('Earshot is not set up yet: open the options.');
  if (phone.registration.status !== 'registered') {
    return refuse(phone.registration.message ?? 'The phone is not registered with the PBX.');
  }
  if (phone.liveSession) return refuse(`Already monitoring ${phone.liveSession.agent}: hang up first.`);
  return ALLOWED;
}

/**
 * Whether this user may monitor an extension by tapping code (the "monitor
 * an extension" form shows only then): the same check {@link decide} makes
 * for a `tapping-code` target.
 */
export function mayUseTappingCode(user: UserFacts): Verdict {
  return mayMonitor({ user, entitlements: { monitorScopes: [] }, profile: { tapping: true }, target: { extension: '', call: undefined, by: 'tapping-code' }, microphone: 'not-needed' });
}

/**
 * The decision. Start: a valid extension, a user the rules allow (Basic
 * Users never; nobody the portal says has no monitoring right; the
 * configured scopes, or on a tapping profile and by tapping code Office
 * Managers or users granted DTMF monitoring), a row the portal lets the
 * user monitor,
 * Earshot ready, and the agent on an active call (a call not known is left
 * to the PBX). Modes: none for a user who may not monitor; otherwise Listen
 * always, Join on every call, Whisper only when one party is on-net and the
 * other off-net (an unknown counterpart follows `whisperWhenUnknown`), and
 * the talking modes need the microphone.
 */
export function decide(world: World): Decision {
  const target = world.target;
  const who = mayMonitor(world);
  const start = first(
    () => (!target || isValidExtension(target.extension) ? ALLOWED : refuse(`"${target.extension}" is not an extension: use digits only.`)),
    () => who,
    () =>
      target?.portalMonitorRight === false
        ? refuse(`The portal does not let you monitor ${target.extension}: its row offers you no monitoring.`)
        : ALLOWED,
    () => phoneReady(world.phone),
    () => (target && target.by !== 'tapping-code' ? canMonitorAgent(target.call, target.extension) : ALLOWED),
  );
  const modes = who.allowed
    ? modeAvailability({ agent: target?.call, whisperWhenUnknown: world.entitlements.whisperWhenUnknown ?? DEFAULT_RULE_OPTIONS.whisperWhenUnknown, microphone: world.microphone })
    : { listen: who, whisper: who, barge: who };
  return { start, modes };
}
