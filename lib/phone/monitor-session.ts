import type { Invitation, UserAgent } from 'sip.js';
import { MODE_LABELS, type Mode } from '../monitor/modes';
import { isLive } from '../monitor/session-machine';
import type { AgentCallState, LogEntry, MicrophoneState, SessionSnapshot, SessionStatus } from '../state/snapshot';
import type { AudioOutput, SilentSource } from './audio';
import type { EngineConfig } from '../contract/engine';
import {
  isBug,
  surface,
  MediaFailedError,
  messageOf,
  PbxFoundNoCallError,
  ModeChangeFailedError,
  MonitorNotPossibleError,
  PbxNeverCalledError,
  PbxWentAwayError,
  PortalRefusedError,
  type PhoneError,
} from './errors';
import { LevelMeter } from './level-meter';
import type { DialogIds } from './dialog-journal';
import type { DtmfTiming } from './media';
import type { MicrophoneProvider } from './microphone';
import { MonitorCall, type MonitorCallEvents } from './monitor-call';
import type { Availability, ModeQueuePort, MonitorLogic, PlanAction } from './monitor-logic';
import { switchMode } from './mode-switch';

/** A session the PBX ended this shortly before the socket closed ended because the PBX went away. */
const WENT_AWAY_WINDOW_MS = 3000;
/** A monitor call the PBX ends this soon after answering found nothing to monitor (FreeSWITCH: within about 20 ms). */
const HUNG_UP_AT_ONCE_MS = 1000;

/** What a monitor session needs from the engine around it. */
export interface SessionHost {
  readonly logic: MonitorLogic;
  readonly microphone: MicrophoneProvider;
  readonly audio?: AudioOutput;
  readonly silence?: SilentSource;
  readonly dtmfTiming: DtmfTiming;
  levelIntervalMs?: number;
  config(): EngineConfig | null;
  /** The UserAgent and a URI at the PBX's domain, to dial. */
  userAgent(): UserAgent | undefined;
  uri(user: string): ReturnType<typeof UserAgent.makeURI>;
  agent(extension: string): AgentCallState | undefined;
  microphoneState(): MicrophoneState;
  setMicrophone(state: MicrophoneState, emit?: boolean): void;
  /** True while `session` is the engine's session (a newer one replaces it). */
  current(session: MonitorSession): boolean;
  /** The session is over: its agent is unwatched unless a portal shows them. */
  closed(session: MonitorSession): void;
  /** One of the session's calls is up, or its dialog moved on: kept for the next engine (dialog-journal.ts). */
  keepDialog?(session: MonitorSession, ids: DialogIds): void;
  /** That call's dialog is over. */
  forgetDialog?(callId: string): void;
  now(): number;
  log(kind: LogEntry['kind'], text: string, extra?: Pick<LogEntry, 'agent' | 'mode'>): void;
  /** True when log entries wait to be published. */
  logPending(): boolean;
  emit(): void;
}

/** What the engine does with an incoming call: this session takes it, or it is declined and why. */
export type IncomingVerdict = { taken: true } | { taken: false; why: string; statusCode: number };

/** The session's wait for the PBX's call the portal was asked for. */
interface AwaitedCall {
  callerName: string;
  codecs: readonly string[] | undefined;
  take(invitation: Invitation): void;
  cancel(error: PhoneError): void;
}

/** How a session we end ourselves ends: "ended" with a message, or "failed" with a cause. */
type Ending = { kind: 'ended'; message: string | undefined; byPbx: boolean } | { kind: 'failed'; error: PhoneError };

/**
 * The session's states, as lib/monitor's machine checks them, with what each carries:
 * ```
 * connecting ─call up→ active ─socket lost→ reconnecting ─registered→ active
 *     │                   │ PBX's BYE, agent's call ended ────────────→ ended(byPbx)
 *     │                   │ refused, media failed ────────────────────→ failed
 *     └── hang up ────────┴→ ending(how it ends) ─BYE/CANCEL done→ ended | failed
 * ```
 * The mode is not here: it lives in the mode queue (Listen until it exists).
 */
type Phase =
  | { status: 'connecting' | 'active' | 'reconnecting' }
  | { status: 'ending'; ending: Ending }
  | { status: 'ended'; byPbx: boolean }
  | { status: 'failed' };

/**
 * One monitor session: the supervisor on one agent, over one monitor call at a
 * time (a re-dial profile replaces it per mode), from the start plan to its end.
 */
export class MonitorSession {
  readonly requestedAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  message: string | undefined;
  call: MonitorCall | undefined;
  /** The open microphone, while Whisper or Join needs it. */
  mic: MediaStreamTrack | undefined;
  queue: ModeQueuePort | undefined;
  readonly meter: LevelMeter;
  private phase: Phase = { status: 'connecting' };
  /** When the current call was answered. */
  private callUpAt: number | undefined;
  /** Waiting for the PBX to call (a profile where the portal starts monitoring). */
  private awaited: AwaitedCall | undefined;
  /** The session log has this session's Start row (the engine writes it just before {@link connect}): an End row must follow. */
  private startLogged = false;

  constructor(
    readonly host: SessionHost,
    readonly id: string,
    readonly agent: string,
    readonly name: string | undefined,
  ) {
    this.requestedAt = host.now();
    this.meter = new LevelMeter(this, host.audio, host.levelIntervalMs ?? 250);
  }

  get status(): SessionStatus {
    return this.phase.status;
  }

  /** The mode the PBX is in: the mode queue's, Listen before it exists. */
  get mode(): Mode {
    return this.queue?.current() ?? 'listen';
  }

  get who(): string {
    return this.name ?? this.agent;
  }

  get live(): boolean {
    return isLive(this.phase.status) && this.host.current(this);
  }

  availability(): Availability {
    const config = this.host.config();
    if (!config) {
      const off = { allowed: false, reason: 'Earshot is not set up.' };
      return { listen: off, whisper: off, barge: off };
    }
    return this.host.logic.availability({ agent: this.host.agent(this.agent), config, microphone: this.host.microphoneState() });
  }

  snapshot(): SessionSnapshot {
    const pending = this.queue?.pending();
    const mode = this.mode;
    return {
      id: this.id,
      agent: { extension: this.agent, ...(this.name ? { name: this.name } : {}) },
      status: this.phase.status,
      mode,
      ...(pending !== undefined && pending !== mode ? { pendingMode: pending } : {}),
      availability: this.availability(),
      ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
      ...(this.meter.heardAt !== undefined ? { heardAt: this.meter.heardAt } : {}),
      ...(this.endedAt !== undefined ? { endedAt: this.endedAt } : {}),
      ...(this.message ? { message: this.message } : {}),
      levels: { ...this.meter.levels },
    };
  }

  /** Runs the start plan; then mode switches are taken. Not awaited by the command: progress arrives as state. */
  async connect(config: EngineConfig): Promise<void> {
    this.startLogged = true;
    try {
      await this.execute(this.host.logic.startPlan(config, this.agent));
      if (!this.live) return;
      this.queue = this.host.logic.createModeQueue({
        initial: 'listen',
        apply: (from, to) =>
          switchMode(this, from, to).catch((error: unknown) => {
            // The queue keeps a failed switch to itself: a programming error must still surface.
            if (isBug(error)) surface(error);
            throw error;
          }),
        onChange: () => this.host.emit(),
      });
      this.host.emit();
    } catch (error) {
      if (isBug(error)) throw error;
      // 'ending': hung up while connecting; end() reports it (the CANCEL's 487 is no failure).
      if (this.live && this.phase.status !== 'ending') this.fail(error);
    }
  }

  /** Asks for a mode (the queue coalesces); refuses at once what is not allowed. */
  requestMode(mode: Mode): void {
    const status = this.phase.status;
    if (!this.queue || (status !== 'active' && status !== 'reconnecting')) {
      throw new ModeChangeFailedError('There is no monitor session to switch.');
    }
    const verdict = this.availability()[mode];
    if (!verdict.allowed) {
      // Never send digits for a mode that is not allowed (a Listen-only right escalated by DTMF).
      throw new ModeChangeFailedError(`${MODE_LABELS[mode]} is not available: ${verdict.reason ?? 'not allowed now'}.`);
    }
    this.queue.request(mode);
  }

  /** Runs a plan: dial, DTMF, hang up. */
  async execute(plan: PlanAction[]): Promise<void> {
    for (const action of plan) {
      if (!this.live) return;
      switch (action.kind) {
        case 'dial':
          await this.dial(action.target, action.codecs);
          break;
        case 'answer':
          await this.answer(action.callerName, action.withinMs, action.codecs);
          break;
        case 'dtmf':
          if (!this.call) throw new ModeChangeFailedError('The monitor call is not up.');
          await this.call.sendDigits(action.digits, action.method);
          break;
        case 'hangup':
          await this.dropCall();
          break;
      }
    }
  }

  /** Ends the session from our side: BYE/CANCEL, then ended (or failed with `failure`). The status moves at once. */
  end(message: string | undefined, failure?: PhoneError, byPbx = false): Promise<void> {
    if (!isLive(this.phase.status) || this.phase.status === 'ending') return Promise.resolve();
    const ending: Ending = failure ? { kind: 'failed', error: failure } : { kind: 'ended', message, byPbx };
    this.phase = { status: this.host.logic.transition(this.phase.status, 'ending') as 'ending', ending };
    this.queue?.close();
    return this.hangUpAndEnd(ending);
  }

  private async hangUpAndEnd(ending: Ending): Promise<void> {
    await this.releaseMicrophone();
    this.host.emit();
    const call = this.call;
    if (call) await this.hangupCall(call);
    if (ending.kind === 'failed') this.fail(ending.error);
    else this.finish(ending.message ?? 'Session ended.', ending.byPbx);
  }

  /** Ended (from any live state): the PBX's or the agent's doing, or the end of our own hang-up. */
  finish(message: string, byPbx = false): void {
    if (!isLive(this.phase.status)) return;
    let status: SessionStatus = this.phase.status;
    if (status !== 'ending') status = this.host.logic.transition(status, 'ending');
    this.phase = { status: this.host.logic.transition(status, 'ended') as 'ended', byPbx };
    this.close(message);
    this.host.log('end', `Stopped monitoring ${this.who}: ${message}`, { agent: this.agent });
    this.host.emit();
  }

  /** Failed, with the reason shown; a call still up is hung up. */
  fail(error: unknown): void {
    if (!isLive(this.phase.status)) return;
    this.phase = { status: this.host.logic.transition(this.phase.status, 'failed') as 'failed' };
    const message = messageOf(error);
    this.close(message);
    this.host.log('error', message, { agent: this.agent });
    // The session record stays whole: every Start has its End (measured missing by npm run faults).
    if (this.startLogged) this.host.log('end', `Stopped monitoring ${this.who}: the session failed.`, { agent: this.agent });
    this.host.emit();
    const call = this.call;
    this.call = undefined;
    if (call) void this.hangupCall(call);
  }

  /** The signalling socket closed: media is peer-to-PBX and goes on. */
  signallingLost(): void {
    const phase = this.phase;
    if (phase.status === 'ended' && phase.byPbx && this.host.now() - (this.endedAt ?? 0) < WENT_AWAY_WINDOW_MS) {
      // The PBX hung up and then closed the socket: not the agent's call ending, the PBX stopping.
      this.message = new PbxWentAwayError().message;
      this.host.log('error', `${this.who}: ${this.message}`, { agent: this.agent });
    }
    if ((phase.status === 'active' || phase.status === 'connecting') && this.call?.state === 'up') {
      this.phase = { status: this.host.logic.transition(phase.status, 'reconnecting') as 'reconnecting' };
      this.message = 'Lost the connection to the PBX: the audio goes on, reconnecting…';
    }
  }

  /** Registered again: active again, once the PBX is asked whether it still knows the call. */
  signallingBack(): void {
    if (this.phase.status !== 'reconnecting') return;
    this.phase = { status: this.host.logic.transition('reconnecting', 'active') as 'active' };
    this.message = undefined;
    this.host.emit();
    const call = this.call;
    if (call?.state !== 'up') return;
    call
      .probe((statusCode) => {
        if (this.call !== call || !this.live) return;
        this.host.log('info', `The PBX no longer knows the monitor call (${statusCode}).`, { agent: this.agent });
        this.end(undefined, new PbxWentAwayError()).catch(surface);
      })
      .catch((error: unknown) => this.host.log('info', `Could not check the monitor call after reconnecting: ${messageOf(error)}`, { agent: this.agent }));
  }

  /**
   * The agent's call state as dialog-info says. When their call ends, the session ends too, or
   * stays (NetSapiens), as the profile says.
   */
  agentUpdated(previous: AgentCallState | undefined, state: AgentCallState): void {
    const ended = previous?.dialog === 'confirmed' && state.dialog !== 'confirmed' && state.dialog !== 'early';
    const config = this.host.config();
    if (!ended || !config || !this.live) return;
    if (this.host.logic.endsWithAgent(config)) {
      this.end("The agent's call ended.", undefined, true).catch(surface);
    } else {
      this.message = "The agent's call ended. Hang up when you are done.";
      this.host.log('info', `${this.who}'s call ended; the monitor session stays up.`, { agent: this.agent });
    }
  }

  /** Back to the silent track, and the microphone released. */
  async releaseMicrophone(): Promise<void> {
    const mic = this.mic;
    this.mic = undefined;
    try {
      await this.call?.silence();
    } catch (error) {
      // The microphone is stopped below whatever the call sends: nothing reaches the PBX from it.
      this.host.log('info', `Could not put the silent track back on the call: ${messageOf(error)}`, { agent: this.agent });
    }
    this.host.audio?.meterSent(undefined);
    this.meter.levels = { ...this.meter.levels, sent: 0 };
    if (mic) this.host.microphone.release(mic);
  }

  /** Hangs up the current call without ending the session (a re-dial replaces it). */
  async dropCall(): Promise<void> {
    const call = this.call;
    if (!call) return;
    this.call = undefined;
    await this.hangupCall(call);
  }

  /**
   * An incoming call: taken when this session waits for the PBX's call and the caller is the one the
   * profile names; otherwise turned down with the reason (a session under way is busy).
   */
  offer(invitation: Invitation): IncomingVerdict {
    const awaited = this.awaited;
    if (!awaited) {
      return { taken: false, why: `a monitor session on ${this.who} is under way, and Earshot answers only the monitor call it asked for.`, statusCode: 486 };
    }
    const name = invitation.remoteIdentity.displayName ?? '';
    if (name.trim().toLowerCase() !== awaited.callerName.toLowerCase()) {
      return { taken: false, why: `it is not the PBX's monitor call Earshot asked for (the caller's name is "${name}", the PBX's monitor call comes as "${awaited.callerName}").`, statusCode: 480 };
    }
    // FusionPBX's originate carries the agent's extension as the caller number: a call about anyone else is not ours.
    const number = invitation.remoteIdentity.uri.user ?? '';
    if (number !== this.agent) {
      return { taken: false, why: `it is not the monitor call Earshot asked for: it comes from ${number || 'no number'}, and the PBX's call to monitor ${this.who} comes from ${this.agent}.`, statusCode: 480 };
    }
    awaited.take(invitation);
    return { taken: true };
  }

  /** The portal turned the request down: a session still waiting for the PBX's call fails with its words. */
  portalRefused(reason: string): void {
    this.awaited?.cancel(new PortalRefusedError(this.who, reason));
  }

  /** Waits for the PBX's call (the portal asks for it once the start is taken) and answers it. */
  private answer(callerName: string, withinMs: number, codecs?: readonly string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new PbxNeverCalledError(this.who, withinMs)), withinMs);
      const done = (error?: PhoneError): void => {
        clearTimeout(timer);
        if (this.awaited !== awaited) return;
        this.awaited = undefined;
        if (error) reject(error);
      };
      const awaited: AwaitedCall = {
        callerName,
        codecs,
        take: (invitation) => {
          done();
          this.host.log('info', `The PBX is calling to monitor ${this.who}: answering in Listen Only.`, { agent: this.agent });
          const call = MonitorCall.answering(invitation, this.who, this.callEvents, this.host.dtmfTiming, codecs);
          this.call = call;
          call.dial().then(resolve, reject);
        },
        cancel: (error) => done(error),
      };
      this.awaited = awaited;
      this.message = 'Waiting for the PBX to call Earshot (the portal was asked to start monitoring)…';
      this.host.emit();
    });
  }

  private async dial(target: string, codecs?: readonly string[]): Promise<void> {
    const ua = this.host.userAgent();
    if (!ua) throw new MonitorNotPossibleError('Earshot is not connected to the PBX.');
    // `#` is not allowed raw in a SIP URI user part; `*` is.
    const uri = this.host.uri(target.replace(/#/g, '%23'));
    if (!uri) throw new MonitorNotPossibleError(`The dial target ${target} is not valid.`);
    const call = MonitorCall.dialling(ua, uri, this.who, this.callEvents, this.host.dtmfTiming, codecs);
    this.call = call;
    await call.dial();
  }

  private readonly callEvents: MonitorCallEvents = {
    play: (stream, heardLevel) => this.host.audio?.play(stream, heardLevel),
    dialogChanged: (_call, ids) => this.host.keepDialog?.(this, ids),
    dialogGone: (_call, callId) => this.host.forgetDialog?.(callId),
    up: () => {
      if (!this.host.current(this)) return;
      this.callUpAt = this.host.now();
      if (this.phase.status === 'connecting') {
        this.phase = { status: this.host.logic.transition('connecting', 'active') as 'active' };
        this.startedAt ??= this.host.now();
        this.message = undefined;
      }
      this.meter.start();
      this.host.emit();
    },
    ended: (call) => {
      // A call we let go (re-dial, failure) ends as expected.
      if (this.call !== call) return;
      this.call = undefined;
      if (!this.live) return;
      const phase = this.phase;
      if (phase.status === 'ending') {
        if (phase.ending.kind === 'failed') this.fail(phase.ending.error);
        else this.finish(phase.ending.message ?? 'Session ended.', phase.ending.byPbx);
        return;
      }
      const dialog = this.host.agent(this.agent)?.dialog;
      const agentGone = dialog === 'terminated' || dialog === 'idle';
      const config = this.host.config();
      const atOnce = this.host.now() - (this.callUpAt ?? -Infinity) < HUNG_UP_AT_ONCE_MS;
      if (!agentGone && atOnce && config && this.host.logic.hangsUpWithoutCall(config)) return this.fail(new PbxFoundNoCallError(this.who));
      this.finish(agentGone ? "The agent's call ended." : 'The PBX ended the session.', true);
    },
    mediaFailed: (call, stage) => {
      if (this.call !== call || !this.host.current(this)) return;
      // No signalling and no media: the PBX itself is gone, not a firewall in the media path.
      const cause = this.phase.status === 'reconnecting' ? new PbxWentAwayError() : new MediaFailedError(stage);
      this.end(undefined, cause).catch(surface);
    },
  };

  private async hangupCall(call: MonitorCall): Promise<void> {
    try {
      await call.hangup();
    } catch (error) {
      this.host.log('info', `Could not hang up the monitor call cleanly: ${messageOf(error)}`, { agent: this.agent });
    }
  }

  private close(message: string): void {
    this.queue?.close();
    // Hung up (or failed) while waiting for the PBX's call: a call that comes now is not taken.
    this.awaited?.cancel(new MonitorNotPossibleError('The session ended before the PBX called.'));
    this.endedAt = this.host.now();
    this.message = message;
    this.meter.stop();
    this.meter.levels = { heard: 0, sent: 0 };
    const mic = this.mic;
    this.mic = undefined;
    if (mic) this.host.microphone.release(mic);
    this.host.audio?.meterSent(undefined);
    this.host.audio?.stop();
    this.host.silence?.idle?.();
    this.host.closed(this);
  }
}
