import { MODE_LABELS, type Mode } from '../monitor/modes';
import { isLive } from '../monitor/session-machine';
import type { LogEntry, MicrophoneState, SessionSnapshot } from '../state/snapshot';
import { DEFAULT_BACKOFF } from './backoff';
import { PhoneConnection } from './connection';
import type { EngineCommand, EngineConfig, EngineEvent } from '../contract/engine';
import { AgentIdleError, isBug, messageOf, ModeChangeFailedError, MonitorNotPossibleError, surface } from './errors';
import { DialogJournal, sendOrphanBye, type MonitorDialogRecord } from './dialog-journal';
import { monitorSdhFactory } from './media';
import { declineIncoming } from './monitor-call';
import type { MonitorLogic } from './monitor-logic';
import type { PhoneEngineApi, PhoneEngineOptions } from './engine-options';
import { MonitorSession, type SessionHost } from './monitor-session';
import { Presence } from './presence';
import { isExtension } from '../contract/extension';

export type { PhoneEngineApi, PhoneEngineOptions } from './engine-options';

/**
 * The phone engine: takes {@link EngineCommand}s, reports whole state as
 * {@link EngineEvent}s on every change. It composes the layers, as sip.js's
 * SimpleUser composes its SessionManager:
 * - connection.ts: the UserAgent, registration, reconnect, keep-alive, sleep (one state machine);
 * - presence.ts: dialog-info subscriptions of the watched agents;
 * - monitor-session.ts: at most one monitor session (its states), over
 *   monitor-call.ts (one sip.js Session: dial, DTMF, bye, media), with
 *   mode-switch.ts (the microphone around a switch) and level-meter.ts.
 * The same code runs in Chrome's offscreen document and in Firefox's
 * background page; only the injected {@link PhoneEngineOptions} differ.
 */
export class PhoneEngine implements PhoneEngineApi {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly logic: MonitorLogic;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly connection: PhoneConnection;
  private readonly presence: Presence;
  private config: EngineConfig | null = null;
  private configKey = '';
  private microphone: MicrophoneState = 'not-needed';
  private session: MonitorSession | null = null;
  private newLog: LogEntry[] = [];
  private readonly removeOnline: () => void;
  private readonly removeMicWatch: (() => void) | undefined;
  private readonly removeAudioProblems: (() => void) | undefined;
  private readonly sessionHost: SessionHost;
  /** The monitor calls' dialogs, kept for the next engine; none without a store. */
  private readonly journal: DialogJournal | undefined;
  /** Calls a previous engine left at the PBX that this one has dealt with (by Call-ID). */
  private readonly orphansDone = new Set<string>();
  /** Sessions of those calls whose End row this engine wrote (a retried BYE must not write it again). */
  private readonly orphanEndsLogged = new Set<string>();
  private endingOrphans = false;
  /** What the panel shows of a session whose engine died, once this engine ended its call (until a new session). */
  private orphanSession: SessionSnapshot | null = null;

  constructor(private readonly options: PhoneEngineOptions) {
    this.logic = options.logic;
    this.now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    const log = (kind: LogEntry['kind'], text: string, extra?: Pick<LogEntry, 'agent' | 'mode'>) => this.log(kind, text, extra);
    const emit = () => this.emit();
    const silence = options.silence;
    this.journal = options.dialogStore
      ? new DialogJournal(options.dialogStore, (text) => {
          this.log('info', text);
          this.emit();
        })
      : undefined;
    this.connection = new PhoneConnection({
      sessionDescriptionHandlerFactory:
        options.sessionDescriptionHandlerFactory ??
        monitorSdhFactory(() => {
          if (!silence) throw new Error('No silent source: the host must provide one.');
          return silence.track();
        }),
      transportConstructor: options.transportConstructor,
      sipLog: options.sipLog,
      now: this.now,
      random,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      keepAliveMs: Math.max(20, options.keepAliveSeconds ?? 30) * 1000,
      events: {
        log,
        changed: emit,
        registered: (became) => {
          // Ready for the first click: the silent source's slow start happens now, not then.
          if (became) silence?.prepare?.();
          this.session?.signallingBack();
          this.presence.registered();
          if (became) this.endOrphans().catch(surface);
        },
        socketClosed: () => {
          this.presence.drop();
          if (this.connection.status === 'reconnecting') this.session?.signallingLost();
        },
        woke: () => this.presence.resubscribeAll(),
        invite: (invitation) => {
          // Answered only as the monitor call a session asked the portal for; anything else is declined.
          const verdict = this.session?.live ? this.session.offer(invitation) : undefined;
          if (!verdict?.taken) declineIncoming(invitation, log, verdict?.why, verdict?.statusCode);
          this.emit();
        },
      },
    });
    this.presence = new Presence({
      userAgent: () => this.connection.userAgent(),
      uri: (user) => this.connection.uri(user),
      registered: () => this.connection.status === 'registered',
      pinned: () => (this.session && isLive(this.session.status) ? this.session.agent : undefined),
      onNet: () => {
        const config = this.config;
        return config ? (uri) => this.logic.isOnNet(uri, config) : undefined;
      },
      updated: (extension, previous, state) => {
        if (this.session?.agent === extension) this.session.agentUpdated(previous, state);
      },
      log,
      changed: emit,
      now: this.now,
      random,
      xmlParser: options.xmlParser,
    });
    this.sessionHost = {
      logic: options.logic,
      microphone: options.microphone,
      audio: options.audio,
      silence: options.silence,
      dtmfTiming: options.dtmfTiming ?? { duration: 100, interToneGap: 70 },
      levelIntervalMs: options.levelIntervalMs,
      config: () => this.config,
      userAgent: () => this.connection.userAgent(),
      uri: (user) => this.connection.uri(user),
      agent: (extension) => this.presence.agent(extension),
      microphoneState: () => this.microphone,
      setMicrophone: (state, emit) => this.setMicrophone(state, emit),
      current: (session) => this.session === session,
      closed: (session) => {
        this.presence.unpin(session.agent);
        // The session's End row is written right after (or there was no Start row).
        this.journal?.markEndLogged(session.id);
      },
      keepDialog: (session, ids) =>
        this.journal?.keep({
          version: 1,
          sessionId: session.id,
          agent: session.agent,
          ...(session.name ? { name: session.name } : {}),
          ...ids,
          savedAt: this.now(),
          endLogged: !isLive(session.status),
        }),
      forgetDialog: (callId) => this.journal?.forget(callId),
      now: () => this.now(),
      log: (kind, text, extra) => this.log(kind, text, extra),
      logPending: () => this.newLog.length > 0,
      emit: () => this.emit(),
    };
    this.removeOnline = (options.onOnline ?? defaultOnOnline)(() => this.connection.online());
    this.removeMicWatch = options.microphone.onChange?.((state) => this.setMicrophone(state));
    this.removeAudioProblems = options.audio?.onProblem?.((message) => {
      this.log('error', message, this.session ? { agent: this.session.agent } : {});
      this.emit();
    });
  }

  /** Subscribes to whole-state events; returns the remover. */
  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** Applies one command from the coordinator. Failures become state and log; only programming errors throw. */
  async handle(command: EngineCommand): Promise<void> {
    try {
      switch (command.type) {
        case 'configure':
          await this.configure(command.config);
          break;
        case 'watch':
          this.presence.watch(command.extensions, command.parties);
          break;
        case 'start':
          await this.start(command.agent, command.name);
          break;
        case 'set-mode':
          this.setMode(command.mode);
          break;
        case 'hangup':
          this.hangup('You ended the session.');
          break;
        case 'portal-refused':
          if (this.session?.live && this.session.agent === command.agent) this.session.portalRefused(command.reason);
          break;
        case 'set-output':
          await this.options.audio?.configure({ deviceId: command.deviceId, volume: command.volume });
          break;
        case 'sync':
          this.emit();
          break;
      }
    } catch (error) {
      if (isBug(error)) throw error;
      this.log('error', messageOf(error));
      this.emit();
    }
  }

  /** Stops everything (unregisters, hangs up) and drops listeners. */
  async dispose(): Promise<void> {
    this.removeOnline();
    this.removeMicWatch?.();
    this.removeAudioProblems?.();
    await this.teardown();
    this.options.silence?.close();
    await this.journal?.settled();
    this.listeners.clear();
  }

  /**
   * Ends the monitor calls a previous engine left at the PBX (its page crashed, closed or
   * reloaded while a call was up): a BYE in each one's dialog, as soon as this engine is
   * registered; a PBX that cannot answer now is asked again at the next registration.
   */
  private async endOrphans(): Promise<void> {
    const journal = this.journal;
    if (!journal || this.endingOrphans) return;
    this.endingOrphans = true;
    try {
      for (const record of await journal.leftover) {
        if (this.orphansDone.has(record.callId)) continue;
        const ua = this.connection.userAgent();
        if (!ua || this.connection.status !== 'registered') return;
        const outcome = await sendOrphanBye(ua, record);
        this.orphanEnded(record, outcome);
      }
    } finally {
      this.endingOrphans = false;
    }
  }

  private orphanEnded(record: MonitorDialogRecord, outcome: Awaited<ReturnType<typeof sendOrphanBye>>): void {
    const who = record.name ? `${record.name} (${record.agent})` : record.agent;
    const agent = { agent: record.agent };
    const code = `${outcome.statusCode}${outcome.reason ? ` ${outcome.reason}` : ''}`;
    switch (outcome.kind) {
      case 'ended':
        this.log('info', `Ended the monitor call Earshot's previous engine left at the PBX (${who}).`, agent);
        break;
      case 'gone':
        this.log('info', `The monitor call Earshot's previous engine left at the PBX (${who}) was already over (${code}).`, agent);
        break;
      case 'retry':
        this.log('info', `Could not end the monitor call Earshot's previous engine left at the PBX (${who}) yet (${code}): trying again at the next registration.`, agent);
        break;
      case 'refused':
        this.log('error', `The PBX refused to end the monitor call Earshot's previous engine left there (${who}): ${code}.`, agent);
        break;
    }
    if (outcome.kind !== 'retry') {
      this.orphansDone.add(record.callId);
      this.journal?.forget(record.callId);
    }
    if (!record.endLogged && !this.orphanEndsLogged.has(record.sessionId)) {
      this.orphanEndsLogged.add(record.sessionId);
      // The session record stays whole: its Start row (written by the engine that died) gets its End.
      this.log('end', `Stopped monitoring ${who}: Earshot's phone engine stopped.`, agent);
      this.journal?.markEndLogged(record.sessionId);
      if (!this.session) this.orphanSession = orphanSnapshot(record, this.now());
    }
    this.emit();
  }

  private async configure(config: EngineConfig | null): Promise<void> {
    const key = config ? JSON.stringify(config) : '';
    if (key === this.configKey) {
      this.emit();
      return;
    }
    await this.teardown();
    this.config = config;
    this.configKey = key;
    if (!config) {
      this.presence.clear();
      this.connection.reset();
      return;
    }
    this.microphone = await this.options.microphone.query().catch((error: unknown): MicrophoneState => {
      this.log('info', `Could not read the microphone permission: ${messageOf(error)}`);
      return 'unknown';
    });
    this.presence.configured();
    this.connection.start(config);
  }

  private async start(agent: string, name?: string): Promise<void> {
    const config = this.config;
    if (!isExtension(agent)) throw new MonitorNotPossibleError(`"${agent}" is not an extension Earshot can monitor.`);
    const previous = this.session;
    if (previous && isLive(previous.status)) {
      if (previous.agent === agent) {
        this.emit();
        return;
      }
      this.log('info', `Stopped monitoring ${previous.agent} to monitor ${agent}.`, { agent: previous.agent });
      await previous.end(`Switched to ${agent}.`);
    }
    const session = new MonitorSession(this.sessionHost, this.newId(), agent, name);
    this.session = session;
    this.orphanSession = null;
    if (!config || this.connection.status !== 'registered') {
      session.fail(
        new MonitorNotPossibleError(config ? 'Earshot is not registered with the PBX right now.' : 'Earshot is not set up with a PBX yet.'),
      );
      return;
    }
    this.emit();
    // Dialling an agent the PBX reports idle only starts a silent call (ChanSpy answers and waits).
    const dialog = await this.presence.currentDialog(agent);
    if (this.session !== session || session.status !== 'connecting') return;
    if (dialog === 'idle' || dialog === 'terminated') {
      // fail → close unwatches the agent again unless a portal shows them.
      session.fail(new AgentIdleError(name ? `${name} (${agent})` : agent));
      return;
    }
    this.log('start', `Monitoring ${name ? `${name} (${agent})` : agent} in ${MODE_LABELS.listen}.`, { agent, mode: 'listen' });
    this.emit();
    // Not awaited: the command is taken now; the call's progress arrives as state.
    session.connect(config).catch(surface);
  }

  private setMode(mode: Mode): void {
    if (!this.session) throw new ModeChangeFailedError('There is no monitor session to switch.');
    this.session.requestMode(mode);
    this.emit();
  }

  private hangup(message: string): void {
    const session = this.session;
    if (!session || !isLive(session.status)) throw new MonitorNotPossibleError('No monitor session to hang up.');
    session.end(message).catch(surface);
  }

  private setMicrophone(state: MicrophoneState, emit = true): void {
    if (this.microphone === state) return;
    this.microphone = state;
    if (emit) this.emit();
  }

  private log(kind: LogEntry['kind'], text: string, extra: Pick<LogEntry, 'agent' | 'mode'> = {}): void {
    this.newLog.push({ at: this.now(), kind, text, ...extra });
  }

  private emit(): void {
    const event: EngineEvent = {
      type: 'state',
      registration: this.connection.state(),
      agents: this.presence.snapshot(),
      session: this.session?.snapshot() ?? this.orphanSession,
      microphone: this.microphone,
      newLog: this.newLog,
    };
    this.newLog = [];
    for (const listener of this.listeners) listener(event);
  }

  private async teardown(): Promise<void> {
    const session = this.session;
    if (session && isLive(session.status)) await session.end('Earshot was reconfigured.');
    this.presence.drop();
    await this.connection.stop();
  }
}

/** What a supervisor reads of a session whose engine died, once a new engine ended its call. */
export const ORPHAN_ENDED_MESSAGE =
  "Earshot's phone engine stopped during this session; the restarted engine ended the monitor call left at the PBX. Start again when you are ready.";

function orphanSnapshot(record: MonitorDialogRecord, now: number): SessionSnapshot {
  const over = { allowed: false, reason: 'The session is over.' };
  return {
    id: record.sessionId,
    agent: { extension: record.agent, ...(record.name ? { name: record.name } : {}) },
    status: 'failed',
    mode: 'listen',
    availability: { listen: over, whisper: over, barge: over },
    endedAt: now,
    message: ORPHAN_ENDED_MESSAGE,
    levels: { heard: 0, sent: 0 },
  };
}

function defaultOnOnline(callback: () => void): () => void {
  const target = globalThis as { addEventListener?: (t: string, l: () => void) => void; removeEventListener?: (t: string, l: () => void) => void };
  if (!target.addEventListener) return () => undefined;
  target.addEventListener('online', callback);
  return () => target.removeEventListener?.('online', callback);
}
