import { MODE_LABELS, type Mode } from '../monitor/modes';
import { isLive } from '../monitor/session-machine';
import type { LogEntry, MicrophoneState } from '../state/snapshot';
import { DEFAULT_BACKOFF } from './backoff';
import { PhoneConnection } from './connection';
import type { EngineCommand, EngineConfig, EngineEvent } from '../contract/engine';
import { AgentIdleError, isBug, messageOf, ModeChangeFailedError, MonitorNotPossibleError, surface } from './errors';
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

  constructor(private readonly options: PhoneEngineOptions) {
    this.logic = options.logic;
    this.now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    const log = (kind: LogEntry['kind'], text: string, extra?: Pick<LogEntry, 'agent' | 'mode'>) => this.log(kind, text, extra);
    const emit = () => this.emit();
    const silence = options.silence;
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
        },
        socketClosed: () => {
          this.presence.drop();
          if (this.connection.status === 'reconnecting') this.session?.signallingLost();
        },
        woke: () => this.presence.resubscribeAll(),
        invite: (invitation) => {
          declineIncoming(invitation, log);
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
      closed: (session) => this.presence.unpin(session.agent),
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
    this.listeners.clear();
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
      session: this.session?.snapshot() ?? null,
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

function defaultOnOnline(callback: () => void): () => void {
  const target = globalThis as { addEventListener?: (t: string, l: () => void) => void; removeEventListener?: (t: string, l: () => void) => void };
  if (!target.addEventListener) return () => undefined;
  target.addEventListener('online', callback);
  return () => target.removeEventListener?.('online', callback);
}
