import { EarshotError, InvalidTransitionError } from '../monitor/errors';

/**
 * The phone engine's failures, each with the plain-language message the UI
 * shows as is. Every one extends lib/monitor's {@link EarshotError}.
 */
export abstract class PhoneError extends EarshotError {}

/** REGISTER answered 401/403 after authenticating: wrong user name or password. */
export class BadCredentialsError extends PhoneError {
  override readonly name = 'BadCredentialsError';
  constructor(readonly statusCode: number) {
    super(`The PBX refused the user name or password (${statusCode}).`);
  }
}

/** The WebSocket never opened. */
export class PbxUnreachableError extends PhoneError {
  override readonly name = 'PbxUnreachableError';
  constructor(readonly url: string) {
    super(`Can't reach the PBX at ${url}. Trying again…`);
  }
}

/** The WebSocket dropped (or stopped answering OPTIONS pings) after it was up. */
export class ConnectionLostError extends PhoneError {
  override readonly name = 'ConnectionLostError';
  constructor(readonly url: string) {
    super(`Lost the connection to the PBX at ${url}. Reconnecting…`);
  }
}

/** REGISTER refused for another reason than credentials. */
export class RegistrationRefusedError extends PhoneError {
  override readonly name = 'RegistrationRefusedError';
  constructor(
    readonly statusCode: number,
    reason: string,
  ) {
    super(
      statusCode === 404
        ? `The PBX does not know this user (${statusCode} ${reason}).`
        : `The PBX refused to register Earshot (${statusCode} ${reason}).`,
    );
  }
}

/** The PBX answered REGISTER with a temporary failure; retried with backoff. */
export class RegistrationTemporaryError extends PhoneError {
  override readonly name = 'RegistrationTemporaryError';
  constructor(
    readonly statusCode: number,
    reason: string,
  ) {
    super(`The PBX did not accept the registration right now (${statusCode} ${reason}). Trying again…`);
  }
}

/** The monitor call was refused: this supervisor may not monitor (403). */
export class MonitorForbiddenError extends PhoneError {
  override readonly name = 'MonitorForbiddenError';
  constructor(agent: string) {
    super(`The PBX does not allow you to monitor ${agent} (403).`);
  }
}

/** 404 / 480: the agent has no call to monitor. */
export class AgentNotOnCallError extends PhoneError {
  override readonly name = 'AgentNotOnCallError';
  constructor(
    agent: string,
    readonly statusCode: number,
  ) {
    super(`${agent} is not on a call right now (${statusCode}).`);
  }
}

/** 486: busy, typically another supervisor already monitors the call. */
export class AlreadyMonitoredError extends PhoneError {
  override readonly name = 'AlreadyMonitoredError';
  constructor(agent: string) {
    super(`${agent}'s call is busy or already monitored by someone else (486).`);
  }
}

/** 503: the PBX (or its monitor feature) is unavailable. */
export class PbxUnavailableError extends PhoneError {
  override readonly name = 'PbxUnavailableError';
  constructor() {
    super('The PBX is unavailable right now (503). Try again in a moment.');
  }
}

/** Any other final failure of the monitor call. */
export class MonitorCallFailedError extends PhoneError {
  override readonly name = 'MonitorCallFailedError';
  constructor(
    agent: string,
    readonly statusCode: number,
    reason: string,
  ) {
    super(`The PBX refused to monitor ${agent} (${statusCode} ${reason}).`);
  }
}

/** The media path failed: ICE found no route, or the DTLS handshake failed. */
export class MediaFailedError extends PhoneError {
  override readonly name = 'MediaFailedError';
  constructor(readonly stage: 'ice' | 'dtls') {
    super(
      stage === 'ice'
        ? 'No audio path to the PBX (ICE failed): a firewall or the network blocks the media.'
        : 'The secure audio handshake with the PBX failed (DTLS).',
    );
  }
}

/** The monitor call could not be placed at all (not registered, bad target…). */
export class MonitorNotPossibleError extends PhoneError {
  override readonly name = 'MonitorNotPossibleError';
}

/** The microphone permission is denied: Whisper and Join are off, Listen still works. */
export class MicrophoneDeniedError extends PhoneError {
  override readonly name = 'MicrophoneDeniedError';
  constructor(detail?: string) {
    super(`The microphone is blocked for Earshot${detail ? ` (${detail})` : ''}: Whisper and Join are off. Listen still works.`);
  }
}

/** No microphone could be opened now (no device, or no visible Earshot page to take it from). */
export class MicrophoneUnavailableError extends PhoneError {
  override readonly name = 'MicrophoneUnavailableError';
}

/** A mode switch (DTMF or re-dial) did not go through. */
export class ModeChangeFailedError extends PhoneError {
  override readonly name = 'ModeChangeFailedError';
}

/** Maps a final failure response of the monitor INVITE to its error. */
export function monitorCallError(agent: string, statusCode: number, reason: string): PhoneError {
  switch (statusCode) {
    case 403:
      return new MonitorForbiddenError(agent);
    case 404:
    case 480:
      return new AgentNotOnCallError(agent, statusCode);
    case 486:
    case 600:
      return new AlreadyMonitoredError(agent);
    case 503:
      return new PbxUnavailableError();
    default:
      return new MonitorCallFailedError(agent, statusCode, reason);
  }
}

/** Maps a final failure response of REGISTER to its error. */
export function registrationError(statusCode: number, reason: string): PhoneError {
  if (statusCode === 401 || statusCode === 403 || statusCode === 407) return new BadCredentialsError(statusCode);
  if (statusCode === 408 || statusCode === 480 || statusCode === 500 || statusCode === 503 || statusCode === 504) {
    return new RegistrationTemporaryError(statusCode, reason);
  }
  return new RegistrationRefusedError(statusCode, reason);
}

/** A message for anything thrown, preferring our own plain messages. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** dialog-info says the agent has no call: nothing is dialled (ChanSpy would answer and wait in silence). */
export class AgentIdleError extends PhoneError {
  override readonly name = 'AgentIdleError';
  constructor(agent: string) {
    super(`${agent} is not on a call right now (the PBX reports the line idle): there is nothing to listen to. Start when they are on a call.`);
  }
}

/** The PBX answered the monitor call and hung up at once: it found no call to listen to (FreeSWITCH eavesdrop does this). */
export class PbxFoundNoCallError extends PhoneError {
  override readonly name = 'PbxFoundNoCallError';
  constructor(readonly agent: string) {
    super(`The PBX answered and hung up at once: it found no call of ${agent} to listen to. Start again when they are on a call.`);
  }
}

/** The portal was asked to start monitoring (the PBX calls Earshot back), and no such call came in time. */
export class PbxNeverCalledError extends PhoneError {
  override readonly name = 'PbxNeverCalledError';
  constructor(
    readonly agent: string,
    readonly withinMs: number,
  ) {
    super(
      `The portal took the request, but the PBX did not call Earshot within ${Math.round(withinMs / 1000)} s to monitor ${agent}. Check that Earshot is registered as your own extension (the one the portal calls), then try again.`,
    );
  }
}

/** The portal refused the request to start monitoring (its session expired, no right, the call ended). */
export class PortalRefusedError extends PhoneError {
  override readonly name = 'PortalRefusedError';
  constructor(
    readonly agent: string,
    reason: string,
  ) {
    super(`The portal refused to start monitoring ${agent}: ${reason}`);
  }
}

/** The PBX closed the connection and the monitor call went with it: it stopped or restarted. */
export class PbxWentAwayError extends PhoneError {
  override readonly name = 'PbxWentAwayError';
  constructor() {
    super('The PBX went away: it closed the connection and ended the call (it stopped or restarted). Earshot reconnects by itself; start again when it shows Ready.');
  }
}

/** A registration move the connection's state machine does not allow: a bug, never shown as a log line. */
export class InvalidRegistrationTransitionError extends Error {
  override readonly name = 'InvalidRegistrationTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`The registration cannot go from "${from}" to "${to}".`);
  }
}

/** A programming error (an impossible state move): it must surface, never become a log line or a failed session. */
export function isBug(error: unknown): boolean {
  return error instanceof InvalidTransitionError || error instanceof InvalidRegistrationTransitionError;
}

/** Lets a programming error caught on a path nobody awaits surface as an uncaught error. */
export function surface(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
