import { Inviter, SessionState, type Invitation, type URI, type UserAgent } from 'sip.js';
import type { LogEntry } from '../state/snapshot';
import type { DtmfMethod } from '../contract/engine';
import {
  messageOf,
  ModeChangeFailedError,
  monitorCallError,
  MonitorCallFailedError,
  MonitorNotPossibleError,
  type PhoneError,
} from './errors';
import { byeOutcome, dialogIds, type DialogIds } from './dialog-journal';
import { isMonitorMedia, type DtmfTiming, type MonitorMedia } from './media';
import { preferCodecs } from './codec-preference';


/** What a monitor call tells its session. */
export interface MonitorCallEvents {
  /** The PBX answered; media is set up and the PBX's audio plays. */
  up(call: MonitorCall): void;
  /** The call ended after it was up (the PBX's BYE, or ours). */
  ended(call: MonitorCall): void;
  /** ICE or DTLS failed on an established call. */
  mediaFailed(call: MonitorCall, stage: 'ice' | 'dtls'): void;
  /** The PBX's audio to play, and where its level can be read when Web Audio cannot meter it. */
  play(stream: MediaStream, heardLevel?: () => Promise<number | undefined>): void;
  /** The call's dialog as it is now (up, or after a request in it): what the next engine needs to end it. */
  dialogChanged(call: MonitorCall, ids: DialogIds): void;
  /** The call's dialog is over (BYE either way): nothing to end any more. */
  dialogGone(call: MonitorCall, callId: string): void;
}

/**
 * The call's states. A call that is not answered never reaches `up`: its
 * {@link MonitorCall.dial} rejects with the PBX's reason instead.
 * ```
 * dialling ─200 OK→ up ─BYE (either side)→ gone
 *    └──────refused / cancelled / no answer──→ gone
 * ```
 */
export type MonitorCallState = 'dialling' | 'up' | 'gone';

/** One sip.js Session to the PBX's monitor feature: dial, DTMF, hang up, and its media. */
export class MonitorCall {
  private callState: MonitorCallState = 'dialling';
  private media: MonitorMedia | undefined;
  /** The call's own silent track, to come back to in Listen. */
  private silent: MediaStreamTrack | null | undefined;
  private readonly cleanup: (() => void)[] = [];
  /** The Call-ID of the dialog once it was reported. */
  private reportedCallId: string | undefined;
  /** We sent the BYE: the dialog's record goes with its answer, not as sip.js ends the session. */
  private byeSent = false;

  private constructor(
    /** Ours to the PBX's monitor feature, or the PBX's to us (the portal asked it to call). */
    private readonly session: Inviter | Invitation,
    /** Who is monitored, for the failure messages. */
    private readonly who: string,
    private readonly events: MonitorCallEvents,
    private readonly dtmfTiming: DtmfTiming,
    /** The audio codecs to offer or accept, in order (the profile's); absent: the browser's. */
    private readonly codecs?: readonly string[],
  ) {}

  /** A call Earshot dials (the PBX's monitor feature code). */
  static dialling(ua: UserAgent, target: URI, who: string, events: MonitorCallEvents, dtmfTiming: DtmfTiming, codecs?: readonly string[]): MonitorCall {
    const inviter = new Inviter(ua, target, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
      ...(codecs?.length ? { sessionDescriptionHandlerModifiers: [preferCodecs(codecs)] } : {}),
    });
    return new MonitorCall(inviter, who, events, dtmfTiming, codecs);
  }

  /**
   * The PBX's call that Earshot asked the portal for, to be answered with {@link dial}. The same
   * session description handler as a dialled call: Listen sends the silent track, the microphone
   * is not opened.
   */
  static answering(invitation: Invitation, who: string, events: MonitorCallEvents, dtmfTiming: DtmfTiming, codecs?: readonly string[]): MonitorCall {
    return new MonitorCall(invitation, who, events, dtmfTiming, codecs);
  }

  get state(): MonitorCallState {
    return this.callState;
  }

  /**
   * Sends the INVITE (or answers the PBX's); resolves when the call is up, rejects with the PBX's
   * reason when it did not come up.
   */
  dial(): Promise<void> {
    // The failure response of the INVITE, captured before sip.js reports Terminated.
    let refusal: PhoneError | undefined;
    return new Promise<void>((resolve, reject) => {
      this.session.stateChange.addListener((state) => {
        if (state === SessionState.Established && this.callState === 'dialling') {
          this.callState = 'up';
          this.onUp();
          resolve();
        } else if (state === SessionState.Terminated) {
          const wasUp = this.callState === 'up';
          this.callState = 'gone';
          for (const fn of this.cleanup.splice(0)) fn();
          // The PBX's BYE (or a refused re-dial) ends the dialog here; ours when it is answered.
          if (this.reportedCallId !== undefined && !this.byeSent) this.events.dialogGone(this, this.reportedCallId);
          if (wasUp) this.events.ended(this);
          // sip.js reports Terminated before it hands us the failure response: read it a tick later.
          else void Promise.resolve().then(() => reject(refusal ?? new MonitorCallFailedError(this.who, 0, 'no answer')));
        }
      });
      const session = this.session;
      if (session instanceof Inviter) {
        session
          .invite({
            requestDelegate: {
              onReject: (response) => {
                refusal = monitorCallError(this.who, response.message.statusCode ?? 0, response.message.reasonPhrase ?? '');
              },
            },
          })
          .catch((error: unknown) => {
            refusal ??= new MonitorNotPossibleError(`The monitor call could not be placed: ${messageOf(error)}`);
            reject(refusal);
          });
        return;
      }
      const codecs = this.codecs;
      session
        .accept({
          sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
          ...(codecs?.length ? { sessionDescriptionHandlerModifiers: [preferCodecs(codecs)] } : {}),
        })
        .catch((error: unknown) => {
          refusal ??= new MonitorNotPossibleError(`Could not answer the PBX's monitor call: ${messageOf(error)}`);
          reject(refusal);
        });
    });
  }

  /**
   * BYE when up, CANCEL while dialling; nothing once gone. The dialog's record goes when the PBX
   * answers the BYE (sip.js calls the session over as it sends it): a BYE that never got through
   * leaves it for the next engine to send again.
   */
  async hangup(): Promise<void> {
    const state = this.session.state;
    if (state === SessionState.Established) {
      const ids = dialogIds(this.session.dialog);
      this.byeSent = true;
      // The BYE takes the next CSeq: a later BYE from the next engine must come after it.
      if (ids) this.events.dialogChanged(this, { ...ids, nextCseq: ids.nextCseq + 1 });
      const done = () => {
        if (ids) this.events.dialogGone(this, ids.callId);
      };
      await this.session.bye({
        requestDelegate: {
          onAccept: done,
          onReject: (response) => {
            const kind = byeOutcome(response.message.statusCode ?? 0);
            if (kind === 'ended' || kind === 'gone') done();
          },
        },
      });
    } else if (state === SessionState.Establishing || state === SessionState.Initial) {
      const session = this.session;
      // Ours still dialling: CANCEL. The PBX's not yet answered (or answering): turned down.
      if (session instanceof Inviter) await session.cancel();
      else await session.reject({ statusCode: 480 }).catch(() => undefined);
    }
  }

  /** Sends mode or PIN digits, by SIP INFO (one per digit, in order) or RFC 4733 on the audio sender. */
  async sendDigits(digits: string, method: DtmfMethod): Promise<void> {
    if (this.callState !== 'up') throw new ModeChangeFailedError('The monitor call is not up.');
    if (method === 'info') {
      for (const digit of digits) await this.infoDigit(digit);
      return;
    }
    if (!this.media) throw new ModeChangeFailedError('Could not send RFC 4733 DTMF on this call.');
    // Done when the browser has played the tones (tonechange ''), not after a fixed wait from here:
    // a digit inserted while an earlier tone still holds the sender would replace the pending one.
    try {
      await this.media.playDtmf(digits, this.dtmfTiming);
    } catch (error) {
      throw error instanceof ModeChangeFailedError ? error : new ModeChangeFailedError(`Could not send DTMF: ${messageOf(error)}`);
    }
  }

  /**
   * After a reconnect, asks the PBX about the call with an in-dialog INFO without a body: a PBX that
   * restarted meanwhile no longer knows the dialog and its media is gone too. `gone` gets the status
   * code; the promise rejects when the INFO could not even be sent.
   */
  async probe(gone: (statusCode: number) => void): Promise<void> {
    if (this.callState !== 'up') return;
    const sent = this.session.info({
      requestDelegate: {
        onReject: (response) => {
          const code = response.message.statusCode ?? 0;
          if (code === 404 || code === 408 || code === 481) gone(code);
        },
      },
    });
    this.reportDialog();
    await sent;
  }

  /** Sends `track` (the microphone) instead of silence. */
  async speak(track: MediaStreamTrack): Promise<boolean> {
    if (!this.media) return false;
    await this.media.replaceOutgoingTrack(track);
    return true;
  }

  /** Back to the call's silent track (closing a call stops its senders' tracks: the microphone must be off it first). */
  async silence(): Promise<void> {
    const media = this.media;
    if (media && this.silent && media.outgoingTrack() !== this.silent) await media.replaceOutgoingTrack(this.silent);
  }

  /** Reports the dialog (its CSeq moved: sip.js numbers a request as it is made). */
  private reportDialog(): void {
    const ids = this.callState === 'up' ? dialogIds(this.session.dialog) : undefined;
    if (!ids) return;
    this.reportedCallId = ids.callId;
    this.events.dialogChanged(this, ids);
  }

  private onUp(): void {
    this.reportDialog();
    const sdh = this.session.sessionDescriptionHandler;
    if (!isMonitorMedia(sdh)) return;
    this.media = sdh;
    const silent = sdh.outgoingTrack();
    this.silent = silent;
    // sip.js stops the track its sender holds when the call closes; a call that ends in Whisper or
    // Join holds the microphone, so the silent track would stay live (measured: npm run faults).
    this.cleanup.push(() => {
      if (silent && silent.readyState === 'live') silent.stop();
    });
    const stream = sdh.remoteStream();
    if (stream) this.events.play(stream, sdh.heardLevel ? () => sdh.heardLevel!() : undefined);
    this.cleanup.push(sdh.onMediaFailure((stage) => this.events.mediaFailed(this, stage)));
    this.events.up(this);
  }

  private infoDigit(digit: string): Promise<void> {
    // Each answered before the next: the PBX sees them in order.
    return new Promise<void>((resolve, reject) => {
      this.session
        .info({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) => reject(new ModeChangeFailedError(`The PBX refused the DTMF digit (${response.message.statusCode}).`)),
          },
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/dtmf-relay',
              content: `Signal=${digit}\r\nDuration=${this.dtmfTiming.duration}\r\n`,
            },
          },
        })
        .catch((error: unknown) => reject(new ModeChangeFailedError(`Could not send DTMF: ${messageOf(error)}`)));
      this.reportDialog();
    });
  }
}

/** Why Earshot turns away a call nobody asked for: it never answers a call it did not request. */
export const NOT_ASKED_FOR = "Earshot answers only the monitor call it asked the portal for, seconds after your click: it never picks up other calls.";

/** Turns away an INVITE from the PBX with `statusCode` (480 unless said), with a log line saying why. */
export function declineIncoming(
  invitation: Invitation,
  log: (kind: LogEntry['kind'], text: string) => void,
  why: string = NOT_ASKED_FOR,
  statusCode = 480,
): void {
  const caller = invitation.remoteIdentity.uri.user ?? '';
  const name = invitation.remoteIdentity.displayName;
  const who = name && caller && name !== caller ? `"${name}" (${caller})` : name || caller || 'an unknown caller';
  log('info', `Declined a call from ${who}: ${why}`);
  invitation.reject({ statusCode }).catch((error: unknown) => log('info', `Could not decline the call from ${who}: ${messageOf(error)}`));
}
