import { InvalidTransitionError } from './errors';

/**
 * The monitor-session states. A session starts connecting (no session is
 * none: the snapshot's session is null), is active in one mode (the mode
 * lives beside the status), may be reconnecting while the signalling socket
 * is down (media goes on), and ends or fails ({@link SESSION_TRANSITIONS}).
 */
export const SESSION_STATUSES = ['connecting', 'active', 'reconnecting', 'ending', 'ended', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Every allowed move; anything else is a bug and throws. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  // failed: refused (403/404/480/486/503), ICE or DTLS failure; ending: hang up before answer.
  connecting: ['active', 'ending', 'failed'],
  // ended: the PBX or the agent's call ended it; reconnecting: the socket dropped, media goes on.
  active: ['reconnecting', 'ending', 'ended', 'failed'],
  reconnecting: ['active', 'ending', 'ended', 'failed'],
  ending: ['ended', 'failed'],
  ended: [],
  failed: [],
};

/** True when `from → to` is allowed. */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/** The one checked transition: returns `to`, or throws {@link InvalidTransitionError}. */
export function transition(from: SessionStatus, to: SessionStatus): SessionStatus {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
  return to;
}

/** A session that still holds a call (or is about to). */
export function isLive(status: SessionStatus): boolean {
  return status === 'connecting' || status === 'active' || status === 'reconnecting' || status === 'ending';
}
