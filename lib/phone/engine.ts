import {
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  Subscriber,
  SubscriptionState,
  UserAgent,
  UserAgentState,
  type Invitation,
  type Notification,
  type Session,
  type SessionDescriptionHandlerFactory,
  type UserAgentOptions,
} from 'sip.js';
import type { Mode } from '../monitor/modes';
import { droppedSipInput } from './sip-warnings';
import { MODE_LABELS } from '../monitor/modes';
import { isLive } from '../monitor/session-machine';
import type {
  AgentCallState,
  AgentDialogState,
  LogEntry,
  MicrophoneState,
  RegistrationState,
  RegistrationStatus,
  SessionSnapshot,
  SessionStatus,
} from '../state/snapshot';
import type { AudioOutput, SilentSource } from './audio';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { applyDialogInfo, parseDialogInfo, type AgentDialogMemory, type XmlParser } from './dialog-info';
import type { DtmfMethod, EngineCommand, EngineConfig, EngineEvent } from '../contract/engine';
import { isExtension } from '../contract/extension';
import {
  AgentIdleError,
  BadCredentialsError,
  ConnectionLostError,
  MediaFailedError,
  messageOf,
  MicrophoneDeniedError,
  ModeChangeFailedError,
  monitorCallError,
  MonitorCallFailedError,
  MonitorNotPossibleError,
  PbxUnreachableError,
  PbxWentAwayError,
  PhoneError,
  RegistrationRefusedError,
  registrationError,
} from './errors';
import { isMonitorMedia, monitorSdhFactory, type MonitorMedia } from './media';
import type { MicrophoneProvider } from './microphone';
import type { Availability, ModeQueuePort, MonitorLogic, PlanAction } from './monitor-logic';

/** Everything the engine needs from its host, injected (tests pass fakes). */
export interface PhoneEngineOptions {
  /** Where Whisper and Join get the microphone (host-specific). */
  microphone: MicrophoneProvider;
  /** Playback and meters; none means no audio out (tests). */
  audio?: AudioOutput;
  /** Silent track for the Listen sender (needed by the real SDH factory). */
  silence?: SilentSource;
  /** sip.js transport; default: its WebSocket transport. Tests inject a scripted fake PBX. */
  transportConstructor?: UserAgentOptions['transportConstructor'];
  /** sip.js SDH factory; default: WebRTC with a silent local track. Tests inject a fake. */
  sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
  /** lib/monitor + lib/pbx logic: `defaultMonitorLogic` (monitor-logic-default.ts) in the hosts. */
  logic: MonitorLogic;
  /** XML parser for dialog-info; default: the host's DOMParser. */
  xmlParser?: XmlParser;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
  /** OPTIONS keep-alive period in seconds (at least 20). */
  keepAliveSeconds?: number;
  backoff?: BackoffOptions;
  /** Calls back when the network comes back (window "online"); returns the remover. */
  onOnline?: (callback: () => void) => () => void;
  /** Level publishing period while a session is live. */
  levelIntervalMs?: number;
  /** RFC 4733 tone timing. */
  dtmfTiming?: { duration: number; interToneGap: number };
  /** How long to wait for the PBX to call back (auto-answer model), ms. */
  incomingTimeoutMs?: number;
  /** sip.js log lines (debug) go here; default: dropped. */
  sipLog?: (level: string, category: string, content: string) => void;
}

/** Commands and events of the engine, whatever hosts it. */
export interface PhoneEngineApi {
  handle(command: EngineCommand): Promise<void>;
  onEvent(callback: (event: EngineEvent) => void): () => void;
  dispose(): Promise<void>;
}

/** The heard level (RMS, 0..1) that counts as the call's first audio, and how it is watched for. */
const FIRST_AUDIO_LEVEL = 0.005;
const FIRST_AUDIO_POLL_MS = 20;
const FIRST_AUDIO_WATCH_MS = 10_000;
/** How long a start waits for the first call-state NOTIFY of an agent nobody watched yet. */
const FIRST_STATE_WAIT_MS = 2000;
/** A session the PBX ended this shortly before the socket closed ended because the PBX went away. */
const WENT_AWAY_WINDOW_MS = 3000;

interface Call {
  session: Session;
  media?: MonitorMedia;
  /** The per-call silent track, to come back to in Listen. */
  silent?: MediaStreamTrack | null;
  established: boolean;
  /** The failure response of the INVITE, captured before sip.js reports Terminated. */
  failure?: PhoneError;
  cleanup: (() => void)[];
}

interface Run {
  id: string;
  agent: string;
  name?: string;
  status: SessionStatus;
  mode: Mode;
  call?: Call;
  queue?: ModeQueuePort;
  mic?: MediaStreamTrack;
  /** When the supervisor asked for it (or the PBX's call arrived). */
  requestedAt: number;
  startedAt?: number;
  /** When the first audio of the call was heard. */
  heardAt?: number;
  endedAt?: number;
  message?: string;
  levels: { heard: number; sent: number };
  /** Set when we end the call ourselves: the message for "ended". */
  endMessage?: string;
  /** Set when we end the call because of a failure (ICE/DTLS): it ends as "failed". */
  failure?: PhoneError;
  /** A re-dial switch is replacing the call: its end is expected. */
  redialing: boolean;
  /** Resolves when the PBX's call for this run arrives (auto-answer model). */
  awaitIncoming?: (invitation: Invitation) => void;
  /** Set once the "nothing heard" notice is shown (cleared from the message when audio arrives). */
  silenceNotice?: string;
  /** The PBX ended it (its BYE, or its NOTIFY that the agent's call ended): a socket closing right after names the cause. */
  endedByPbx?: boolean;
}


/**
 * The phone engine: one sip.js UserAgent registered with the PBX, dialog-info
 * subscriptions for the watched agents, and at most one monitor session.
 * Takes {@link EngineCommand}s, reports whole state as {@link EngineEvent}s
 * on every change. The same code runs in Chrome's offscreen document and in
 * Firefox's background page; only the injected {@link PhoneEngineOptions} differ.
 *
 * Registration states:
 * ```
 * unconfigured ─configure→ connecting ─REGISTER 200→ registered
 *                               │  ▲                      │ socket lost / ping failed / refresh failed
 *                 unreachable   ▼  │ backoff + jitter     ▼
 *                           reconnecting ◀────────────────┘
 * REGISTER 401/403/404 → failed (plain message; a new configure retries)
 * ```
 */
export class PhoneEngine implements PhoneEngineApi {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly logic: MonitorLogic;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly keepAliveMs: number;
  private readonly backoff: BackoffOptions;

  private config: EngineConfig | null = null;
  private configKey = '';
  private registration: RegistrationState;
  private agents: Record<string, AgentCallState> = {};
  private readonly memories = new Map<string, AgentDialogMemory>();
  private readonly watched = new Set<string>();
  /** What the coordinator last asked to watch; the live session's agent is watched besides. */
  private requestedWatch: string[] = [];
  /** Starts waiting for an agent's first call state (see {@link currentDialog}). */
  private readonly firstStateWaiters = new Map<string, Set<() => void>>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly resubscribeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly resubscribeAttempts = new Map<string, number>();
  private microphone: MicrophoneState = 'not-needed';
  private run: Run | null = null;
  private newLog: LogEntry[] = [];

  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  /** Bumped on every new UserAgent: callbacks of an old one are ignored. */
  private generation = 0;
  private everConnected = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTick = 0;
  private pingFailed = false;
  private levelTimer: ReturnType<typeof setTimeout> | undefined;
  private output: { deviceId?: string; volume?: number } = {};
  private readonly removeOnline: () => void;
  private removeMicWatch: (() => void) | undefined;

  constructor(private readonly options: PhoneEngineOptions) {
    this.logic = options.logic;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.keepAliveMs = Math.max(20, options.keepAliveSeconds ?? 30) * 1000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.registration = { status: 'unconfigured', since: this.now() };
    this.removeOnline = (options.onOnline ?? defaultOnOnline)(() => this.onOnline());
    this.removeMicWatch = options.microphone.onChange?.((state) => this.setMicrophone(state));
  }

  /** Subscribes to whole-state events; returns the remover. */
  onEvent(callback: (event: EngineEvent) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** Applies one command from the coordinator. Never throws: failures become state and log. */
  async handle(command: EngineCommand): Promise<void> {
    try {
      switch (command.type) {
        case 'configure':
          await this.configure(command.config);
          break;
        case 'watch':
          this.watch(command.extensions);
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
          await this.setOutput(command.deviceId, command.volume);
          break;
        case 'sync':
          this.emit();
          break;
      }
    } catch (error) {
      this.log('error', messageOf(error));
      this.emit();
    }
  }

  /** Stops everything (unregisters, hangs up) and drops listeners. */
  async dispose(): Promise<void> {
    this.removeOnline();
    this.removeMicWatch?.();
    await this.teardown();
    this.options.silence?.close();
    this.listeners.clear();
  }

  // ---- configuration and registration ----

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
      this.agents = {};
      this.memories.clear();
      this.setRegistration('unconfigured');
      return;
    }
    this.microphone = await this.options.microphone.query().catch((): MicrophoneState => 'unknown');
    for (const extension of this.watched) this.agents[extension] ??= { extension, dialog: 'unknown' };
    this.createUserAgent(config);
    this.setRegistration('connecting');
    this.connect();
  }

  private createUserAgent(config: EngineConfig): void {
    const generation = ++this.generation;
    const uri = UserAgent.makeURI(`sip:${config.sip.username}@${config.sip.domain}`);
    if (!uri) throw new RegistrationRefusedError(0, `invalid SIP address ${config.sip.username}@${config.sip.domain}`);
    const silence = this.options.silence;
    const factory =
      this.options.sessionDescriptionHandlerFactory ??
      monitorSdhFactory(() => {
        if (!silence) throw new Error('No silent source: the host must provide one.');
        return silence.track();
      });
    const current = (fn: () => void) => {
      if (generation === this.generation) fn();
    };
    this.ua = new UserAgent({
      uri,
      authorizationUsername: config.sip.authorizationUsername ?? config.sip.username,
      authorizationPassword: config.sip.password,
      displayName: config.sip.displayName ?? '',
      transportOptions: { server: config.sip.wsUrl, connectionTimeout: 5, keepAliveInterval: 0, traceSip: false },
      ...(this.options.transportConstructor ? { transportConstructor: this.options.transportConstructor } : {}),
      sessionDescriptionHandlerFactory: factory,
      sessionDescriptionHandlerFactoryOptions: {
        // No public STUN by default; gathering short (sip.js waits for it before sending the INVITE).
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceServers.length === 0 ? 500 : 2000,
      },
      userAgentString: 'Earshot',
      logBuiltinEnabled: false,
      logConfiguration: false,
      logLevel: this.options.sipLog ? 'debug' : 'warn',
      logConnector: (level, category, _label, content) => {
        this.options.sipLog?.(level, category, content);
        const dropped = droppedSipInput(level, content);
        if (dropped) current(() => this.onDroppedSipInput(dropped));
      },
      // Reconnecting is ours (state, backoff, jitter): sip.js's own loop stays off.
      reconnectionAttempts: 0,
      noAnswerTimeout: 30,
      delegate: {
        onConnect: () => current(() => this.onConnected()),
        // Every drop we did not cause (error, or our own disconnect after a failed ping) is a lost connection.
        onDisconnect: () => current(() => this.onDisconnected()),
        onInvite: (invitation) => current(() => this.onInvite(invitation)),
      },
    });
    this.everConnected = false;
    this.attempt = 0;
  }

  /** sip.js dropped something malformed or stray from the PBX's socket: say so, nothing else changes. */
  private onDroppedSipInput(reason: string): void {
    this.log('error', `Ignored a malformed SIP message from the PBX: ${reason}.`);
    this.emit();
  }

  private connect(): void {
    const ua = this.ua;
    const config = this.config;
    if (!ua || !config) return;
    const generation = this.generation;
    const connecting = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
    connecting.catch(() => {
      if (generation !== this.generation) return;
      const error = this.everConnected ? new ConnectionLostError(config.sip.wsUrl) : new PbxUnreachableError(config.sip.wsUrl);
      if (this.registration.message !== error.message) this.log('error', error.message);
      this.setRegistration('reconnecting', error.message);
      this.scheduleRetry(() => this.connect());
    });
  }

  private scheduleRetry(action: () => void): void {
    this.clearRetry();
    const delay = backoffDelay(this.attempt++, this.random, this.backoff);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      action();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private onConnected(): void {
    this.clearRetry();
    const wasLost = this.everConnected;
    this.everConnected = true;
    this.pingFailed = false;
    this.startKeepAlive();
    if (wasLost) this.log('info', 'Reconnected to the PBX.');
    this.register();
  }

  private register(): void {
    const ua = this.ua;
    if (!ua) return;
    if (!this.registerer) {
      const registerer = new Registerer(ua, { expires: 600 });
      this.registerer = registerer;
      registerer.stateChange.addListener((state) => {
        if (registerer !== this.registerer) return;
        if (state === RegistererState.Registered) this.onRegistered();
        else if (state === RegistererState.Unregistered && this.registration.status === 'registered') {
          // A refresh failed (PBX restarted, binding lost): register again with backoff.
          const message = 'The PBX dropped the registration. Registering again…';
          this.log('error', message);
          this.setRegistration('reconnecting', message);
          this.scheduleRetry(() => this.register());
        }
      });
    }
    const registerer = this.registerer;
    registerer
      .register({
        requestDelegate: {
          onReject: (response) => {
            if (registerer === this.registerer) this.onRegisterRejected(response.message.statusCode ?? 0, response.message.reasonPhrase ?? '');
          },
        },
      })
      .catch(() => undefined);
  }

  private onRegistered(): void {
    this.attempt = 0;
    this.clearRetry();
    if (this.registration.status !== 'registered') {
      // Ready for the first click: the silent source's slow start happens now, not then.
      this.options.silence?.prepare?.();
      this.setRegistration('registered');
    }
    const run = this.run;
    if (run?.status === 'reconnecting') {
      run.status = this.logic.transition('reconnecting', 'active');
      run.message = undefined;
      this.emit();
      this.checkCallSurvived(run);
    }
    for (const extension of this.watched) if (!this.subscribers.has(extension)) this.subscribe(extension);
  }

  private onRegisterRejected(statusCode: number, reason: string): void {
    const error = registrationError(statusCode, reason);
    this.log('error', error.message);
    if (error instanceof BadCredentialsError || error instanceof RegistrationRefusedError) {
      // Retrying a wrong password only locks the account: wait for new settings.
      this.setRegistration('failed', error.message);
      this.stopKeepAlive();
      this.clearRetry();
      return;
    }
    this.setRegistration('reconnecting', error.message);
    this.scheduleRetry(() => this.register());
  }

  /**
   * After a reconnect, asks the PBX about the session's call with an in-dialog INFO without a body:
   * a PBX that restarted meanwhile no longer knows the dialog (481) and its media is gone too.
   */
  private checkCallSurvived(run: Run): void {
    const call = run.call;
    if (!call?.established) return;
    const gone = (statusCode: number) => {
      if (this.run !== run || run.call !== call || !isLive(run.status)) return;
      this.log('info', `The PBX no longer knows the monitor call (${statusCode}).`, { agent: run.agent });
      void this.endRun(run, undefined, new PbxWentAwayError());
    };
    call.session
      .info({
        requestDelegate: {
          onReject: (response) => {
            const code = response.message.statusCode ?? 0;
            if (code === 404 || code === 408 || code === 481) gone(code);
          },
        },
      })
      .catch((error: unknown) => this.log('info', `Could not check the monitor call after reconnecting: ${messageOf(error)}`, { agent: run.agent }));
  }

  private onDisconnected(): void {
    const config = this.config;
    if (!config) return;
    this.stopKeepAlive();
    // The old flow is gone: registration and subscriptions are redone on the new socket.
    const registerer = this.registerer;
    this.registerer = undefined;
    void registerer?.dispose().catch(() => undefined);
    this.dropSubscriptions();
    if (this.registration.status === 'failed') return;
    const lost = new ConnectionLostError(config.sip.wsUrl);
    this.log('error', this.pingFailed ? `${lost.message} (no answer to keep-alive)` : lost.message);
    this.setRegistration('reconnecting', lost.message, false);
    const run = this.run;
    if (run?.endedByPbx && run.status === 'ended' && this.now() - (run.endedAt ?? 0) < WENT_AWAY_WINDOW_MS) {
      // The PBX hung up and then closed the socket: not the agent's call ending, the PBX stopping.
      run.message = new PbxWentAwayError().message;
      this.log('error', `${run.name ?? run.agent}: ${run.message}`, { agent: run.agent });
    }
    if (run && (run.status === 'active' || run.status === 'connecting') && run.call?.established) {
      // Media is peer-to-PBX and goes on; only signalling is down.
      run.status = this.logic.transition(run.status, 'reconnecting');
      run.message = 'Lost the connection to the PBX: the audio goes on, reconnecting…';
    }
    this.emit();
    this.scheduleRetry(() => this.connect());
  }

  private onOnline(): void {
    if (!this.ua || !this.config) return;
    if (this.registration.status === 'reconnecting' && !this.ua.isConnected()) {
      // The network is back: try now rather than at the end of a long backoff.
      this.attempt = 0;
      this.clearRetry();
      this.connect();
    } else if (this.registration.status === 'registered') {
      // A network change may have silently killed the socket: check it and refresh the binding.
      this.ping();
      this.register();
    }
  }

  // ---- keep-alive (SIP OPTIONS) and sleep detection ----

  private startKeepAlive(): void {
    this.stopKeepAlive();
    this.lastTick = this.now();
    this.pingTimer = setTimeout(() => this.keepAliveTick(), this.keepAliveMs);
  }

  private stopKeepAlive(): void {
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  private keepAliveTick(): void {
    const now = this.now();
    const late = now - this.lastTick - this.keepAliveMs;
    this.lastTick = now;
    this.pingTimer = setTimeout(() => this.keepAliveTick(), this.keepAliveMs);
    this.ping();
    if (late > 15_000 && this.registration.status === 'registered') {
      // The timer fired far too late: the computer slept. Bindings and subscriptions may be gone.
      this.log('info', 'Woke from sleep: registering again.');
      this.register();
      this.resubscribeAll();
      this.emit();
    }
  }

  private ping(): void {
    const ua = this.ua;
    const config = this.config;
    if (!ua || !config || !ua.isConnected()) return;
    const target = UserAgent.makeURI(`sip:${config.sip.domain}`);
    if (!target) return;
    const core = ua.userAgentCore;
    const aor = core.configuration.aor;
    const message = core.makeOutgoingRequestMessage('OPTIONS', target, aor, target, {});
    const generation = this.generation;
    core.request(message, {
      onReject: (response) => {
        // 408 = no answer at all, 503 = transport error: the socket is dead. Other codes prove it alive.
        const code = response.message.statusCode;
        if (generation !== this.generation || (code !== 408 && code !== 503)) return;
        this.pingFailed = true;
        void ua.transport.disconnect().catch(() => undefined);
      },
    });
  }

  // ---- dialog-info subscriptions ----

  private watch(extensions: string[]): void {
    this.requestedWatch = extensions;
    const wanted = new Set(extensions.filter((e) => isExtension(e)));
    // The monitored agent stays watched while the session lives, even when no portal shows it.
    const run = this.run;
    if (run && isLive(run.status) && isExtension(run.agent)) wanted.add(run.agent);
    for (const extension of [...this.watched]) {
      if (wanted.has(extension)) continue;
      this.watched.delete(extension);
      this.unsubscribe(extension);
      delete this.agents[extension];
      this.memories.delete(extension);
    }
    for (const extension of wanted) {
      if (this.watched.has(extension)) continue;
      this.watched.add(extension);
      if (this.config) this.agents[extension] = { extension, dialog: 'unknown' };
      if (this.registration.status === 'registered') this.subscribe(extension);
    }
    this.emit();
  }

  private subscribe(extension: string): void {
    const ua = this.ua;
    const config = this.config;
    if (!ua || !config) return;
    const target = UserAgent.makeURI(`sip:${extension}@${config.sip.domain}`);
    if (!target) return;
    // A new subscription starts from what its first NOTIFY says. What an earlier one remembered (the
    // counterpart from an early NOTIFY, when the call began) may belong to a call that ended while no
    // NOTIFY could arrive: Asterisk names every dialog after the extension, so the next call looks the same.
    this.memories.delete(extension);
    const subscriber = new Subscriber(ua, target, 'dialog', {
      expires: 600,
      extraHeaders: ['Accept: application/dialog-info+xml'],
    });
    this.subscribers.set(extension, subscriber);
    subscriber.delegate = { onNotify: (notification) => this.onDialogNotify(extension, notification) };
    subscriber.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated || this.subscribers.get(extension) !== subscriber) return;
      // Refused or ended before any state: whoever waits for it learns that nothing is known.
      this.wakeFirstState(extension);
      this.subscribers.delete(extension);
      if (this.watched.has(extension) && this.registration.status === 'registered') this.scheduleResubscribe(extension);
    });
    void subscriber.subscribe().catch(() => undefined);
  }

  private scheduleResubscribe(extension: string): void {
    const attempt = this.resubscribeAttempts.get(extension) ?? 0;
    this.resubscribeAttempts.set(extension, attempt + 1);
    // Terminated by the PBX (expiry, restart, refusal): come back, slower each time, at least 20 s apart when it keeps failing.
    const delay = attempt === 0 ? 1000 : backoffDelay(attempt, this.random, { baseMs: 20_000, maxMs: 300_000 });
    clearTimeout(this.resubscribeTimers.get(extension));
    this.resubscribeTimers.set(
      extension,
      setTimeout(() => {
        this.resubscribeTimers.delete(extension);
        if (this.watched.has(extension) && !this.subscribers.has(extension) && this.registration.status === 'registered') {
          this.subscribe(extension);
        }
      }, delay),
    );
  }

  private unsubscribe(extension: string): void {
    clearTimeout(this.resubscribeTimers.get(extension));
    this.resubscribeTimers.delete(extension);
    this.resubscribeAttempts.delete(extension);
    const subscriber = this.subscribers.get(extension);
    this.subscribers.delete(extension);
    if (subscriber) void subscriber.unsubscribe().then(() => subscriber.dispose()).catch(() => undefined);
  }

  private dropSubscriptions(): void {
    for (const [extension, subscriber] of this.subscribers) {
      this.subscribers.delete(extension);
      void subscriber.dispose().catch(() => undefined);
    }
    for (const timer of this.resubscribeTimers.values()) clearTimeout(timer);
    this.resubscribeTimers.clear();
    this.resubscribeAttempts.clear();
  }

  private resubscribeAll(): void {
    this.dropSubscriptions();
    for (const extension of this.watched) this.subscribe(extension);
  }

  private onDialogNotify(extension: string, notification: Notification): void {
    void notification.accept().catch(() => undefined);
    const config = this.config;
    if (!config || !this.watched.has(extension)) return;
    // A live subscription resets the resubscribe backoff; one the PBX ends at once does not.
    if (!/^\s*terminated/i.test(notification.request.getHeader('Subscription-State') ?? '')) this.resubscribeAttempts.delete(extension);
    const body = notification.request.body;
    if (!body || body.trim() === '') return;
    const contentType = notification.request.getHeader('Content-Type') ?? '';
    if (!/^application\/dialog-info\+xml/i.test(contentType.trim())) {
      this.log('error', `Ignored a call-state update for ${extension} of type ${contentType || 'unknown'}.`, { agent: extension });
      this.emit();
      return;
    }
    let info;
    try {
      info = parseDialogInfo(body, this.options.xmlParser);
    } catch (error) {
      // Keep the last good state: a bad NOTIFY must not make the agent disappear.
      this.log('error', `Ignored a malformed call-state update for ${extension}: ${messageOf(error)}.`, { agent: extension });
      this.emit();
      return;
    }
    let memory = this.memories.get(extension);
    if (!memory) {
      memory = { dialogs: new Map() };
      this.memories.set(extension, memory);
    }
    const previous = this.agents[extension];
    const state = applyDialogInfo(memory, info, { extension, name: previous?.name }, (uri) => this.logic.isOnNet(uri, config), this.now());
    this.agents[extension] = state;
    this.wakeFirstState(extension);
    const run = this.run;
    if (run && run.agent === extension && isLive(run.status) && previous?.dialog === 'confirmed' && state.dialog !== 'confirmed' && state.dialog !== 'early') {
      this.onAgentCallEnded(run);
    }
    this.emit();
  }

  /**
   * The agent's call state as the PBX reports it. An agent nobody watched yet ("monitor an
   * extension") is subscribed to (and stays watched while the session lives), and its first NOTIFY,
   * which carries the current state, is waited for briefly; a PBX that refuses the subscription or
   * stays silent leaves it unknown, and the call is placed.
   */
  private async currentDialog(agent: string): Promise<AgentDialogState> {
    // Watched already (a portal shows the agent): what is known now is what the PBX said.
    if (this.watched.has(agent)) return this.agents[agent]?.dialog ?? 'unknown';
    this.watch(this.requestedWatch);
    if (!this.subscribers.has(agent)) return 'unknown';
    await new Promise<void>((resolve) => {
      const waiters = this.firstStateWaiters.get(agent) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, FIRST_STATE_WAIT_MS);
      waiters.add(done);
      this.firstStateWaiters.set(agent, waiters);
    });
    return this.agents[agent]?.dialog ?? 'unknown';
  }

  private wakeFirstState(extension: string): void {
    const waiters = this.firstStateWaiters.get(extension);
    if (!waiters) return;
    this.firstStateWaiters.delete(extension);
    for (const wake of [...waiters]) wake();
  }

  // ---- the monitor session ----

  private async start(agent: string, name?: string): Promise<void> {
    const config = this.config;
    if (!isExtension(agent)) throw new MonitorNotPossibleError(`"${agent}" is not an extension Earshot can monitor.`);
    if (this.run && isLive(this.run.status)) {
      if (this.run.agent === agent) {
        this.emit();
        return;
      }
      this.log('info', `Stopped monitoring ${this.run.agent} to monitor ${agent}.`, { agent: this.run.agent });
      await this.endRun(this.run, `Switched to ${agent}.`);
    }
    const run: Run = {
      id: this.newId(),
      agent,
      ...(name ? { name } : {}),
      status: 'connecting',
      mode: 'listen',
      levels: { heard: 0, sent: 0 },
      redialing: false,
      requestedAt: this.now(),
    };
    this.run = run;
    if (!config || this.registration.status !== 'registered') {
      this.failRun(
        run,
        new MonitorNotPossibleError(
          config ? 'Earshot is not registered with the PBX right now.' : 'Earshot is not set up with a PBX yet.',
        ),
      );
      return;
    }
    this.emit();
    // Dialling an agent the PBX reports idle only starts a silent call (ChanSpy answers and waits).
    const dialog = await this.currentDialog(agent);
    if (this.run !== run || run.status !== 'connecting') return;
    if (dialog === 'idle' || dialog === 'terminated') {
      // failRun → closeRun unwatches the agent again unless a portal shows them.
      this.failRun(run, new AgentIdleError(name ? `${name} (${agent})` : agent));
      return;
    }
    this.log('start', `Monitoring ${name ? `${name} (${agent})` : agent} in ${MODE_LABELS.listen}.`, { agent, mode: 'listen' });
    this.emit();
    // Not awaited: the command is taken now; the call's progress arrives as state.
    void this.connectRun(run, config);
  }

  private async connectRun(run: Run, config: EngineConfig): Promise<void> {
    const agent = run.agent;
    try {
      const plan = this.logic.startPlan(config, agent);
      await this.execute(run, plan, { incoming: this.logic.pbxOriginates(config) });
      if (this.run !== run || !isLive(run.status)) return;
      run.queue = this.logic.createModeQueue({
        initial: 'listen',
        apply: (from, to) => this.applyMode(run, from, to),
        onChange: () => this.emit(),
      });
      this.emit();
    } catch (error) {
      // 'ending': hung up while connecting; endRun reports it (the CANCEL's 487 is no failure).
      if (this.run === run && isLive(run.status) && run.status !== 'ending') this.failRun(run, error);
    }
  }

  private setMode(mode: Mode): void {
    const run = this.run;
    if (!run || !run.queue || (run.status !== 'active' && run.status !== 'reconnecting')) {
      throw new ModeChangeFailedError('There is no monitor session to switch.');
    }
    const verdict = this.availability(run)[mode];
    if (!verdict.allowed) {
      // Never send digits for a mode that is not allowed (a Listen-only right escalated by DTMF).
      throw new ModeChangeFailedError(`${MODE_LABELS[mode]} is not available: ${verdict.reason ?? 'not allowed now'}.`);
    }
    run.queue.request(mode);
    this.emit();
  }

  /** Runs a plan: dial, DTMF, hang up, wait for the answer (or for the PBX's own call). */
  private async execute(run: Run, plan: PlanAction[], options: { incoming: boolean }): Promise<void> {
    let dialled = false;
    for (const action of plan) {
      if (this.run !== run || !isLive(run.status)) return;
      switch (action.kind) {
        case 'dial':
          dialled = true;
          await this.dial(run, action.target);
          break;
        case 'wait-answer':
          if (!dialled && options.incoming && !run.call) await this.waitForIncoming(run);
          break;
        case 'dtmf':
          await this.sendDigits(run, action.digits, action.method);
          break;
        case 'hangup':
          await this.dropCall(run);
          break;
      }
    }
    if (!run.call && options.incoming && this.run === run && isLive(run.status)) await this.waitForIncoming(run);
  }

  private dial(run: Run, target: string): Promise<void> {
    const ua = this.ua;
    const config = this.config;
    if (!ua || !config) return Promise.reject(new MonitorNotPossibleError('Earshot is not connected to the PBX.'));
    // `#` is not allowed raw in a SIP URI user part; `*` is.
    const user = target.replace(/#/g, '%23');
    const uri = UserAgent.makeURI(`sip:${user}@${config.sip.domain}`);
    if (!uri) return Promise.reject(new MonitorNotPossibleError(`The dial target ${target} is not valid.`));
    const inviter = new Inviter(ua, uri, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    const call: Call = { session: inviter, established: false, cleanup: [] };
    run.call = call;
    return new Promise<void>((resolve, reject) => {
      this.trackCall(run, call, resolve, reject);
      inviter
        .invite({
          requestDelegate: {
            onReject: (response) => {
              call.failure = monitorCallError(run.name ?? run.agent, response.message.statusCode ?? 0, response.message.reasonPhrase ?? '');
            },
          },
        })
        .catch((error: unknown) => {
          call.failure ??= new MonitorNotPossibleError(`The monitor call could not be placed: ${messageOf(error)}`);
          reject(call.failure);
        });
    });
  }

  private waitForIncoming(run: Run): Promise<void> {
    const timeoutMs = this.options.incomingTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        run.awaitIncoming = undefined;
        reject(new MonitorNotPossibleError('The PBX did not call Earshot to start monitoring.'));
      }, timeoutMs);
      run.awaitIncoming = (invitation) => {
        clearTimeout(timer);
        run.awaitIncoming = undefined;
        this.answer(run, invitation).then(resolve, reject);
      };
    });
  }

  private onInvite(invitation: Invitation): void {
    const config = this.config;
    const run = this.run;
    const caller = invitation.remoteIdentity.uri.user ?? '';
    const display = invitation.remoteIdentity.displayName || undefined;
    if (!config?.autoAnswer) {
      this.log('info', `Declined a call from ${display ?? caller}: Earshot only answers monitor calls when auto-answer is on.`);
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      this.emit();
      return;
    }
    if (run?.awaitIncoming) {
      run.awaitIncoming(invitation);
      return;
    }
    if (run && isLive(run.status)) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    // NetSapiens model: the platform calls this device when monitoring starts from its portal.
    const agent = isExtension(caller) ? caller : 'unknown';
    const fresh: Run = {
      id: this.newId(),
      agent,
      ...(display ? { name: display } : {}),
      status: 'connecting',
      mode: 'listen',
      levels: { heard: 0, sent: 0 },
      redialing: false,
      requestedAt: this.now(),
    };
    this.run = fresh;
    this.log('start', `Answered the PBX's monitor call for ${display ?? agent} in ${MODE_LABELS.listen}.`, { agent, mode: 'listen' });
    this.emit();
    this.answer(fresh, invitation).then(
      () => {
        if (this.run !== fresh || !isLive(fresh.status)) return;
        fresh.queue = this.logic.createModeQueue({
          initial: 'listen',
          apply: (from, to) => this.applyMode(fresh, from, to),
          onChange: () => this.emit(),
        });
        this.emit();
      },
      (error: unknown) => {
        if (this.run === fresh && isLive(fresh.status) && fresh.status !== 'ending') this.failRun(fresh, error);
      },
    );
  }

  private answer(run: Run, invitation: Invitation): Promise<void> {
    const call: Call = { session: invitation, established: false, cleanup: [] };
    run.call = call;
    return new Promise<void>((resolve, reject) => {
      this.trackCall(run, call, resolve, reject);
      invitation
        .accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } })
        .catch((error: unknown) => {
          call.failure ??= new MonitorNotPossibleError(`Could not answer the PBX's monitor call: ${messageOf(error)}`);
          reject(call.failure);
        });
    });
  }

  /** Follows a call's states: established → media up; terminated → end or fail the run. */
  private trackCall(run: Run, call: Call, resolve: () => void, reject: (error: PhoneError) => void): void {
    call.session.stateChange.addListener((state) => {
      if (state === SessionState.Established && !call.established) {
        call.established = true;
        this.onCallEstablished(run, call);
        resolve();
      } else if (state === SessionState.Terminated) {
        for (const fn of call.cleanup.splice(0)) fn();
        if (!call.established) {
          // sip.js reports Terminated before it hands us the failure response: read it a tick later.
          void Promise.resolve().then(() =>
            reject(call.failure ?? new MonitorCallFailedError(run.name ?? run.agent, 0, 'no answer')),
          );
        } else {
          this.onCallEnded(run, call);
        }
      }
    });
  }

  private onCallEstablished(run: Run, call: Call): void {
    const sdh = call.session.sessionDescriptionHandler;
    if (isMonitorMedia(sdh)) {
      call.media = sdh;
      call.silent = sdh.outgoingTrack();
      const stream = sdh.remoteStream();
      if (stream) this.options.audio?.play(stream);
      call.cleanup.push(
        sdh.onMediaFailure((stage) => {
          if (this.run !== run || run.call !== call) return;
          // No signalling and no media: the PBX itself is gone, not a firewall in the media path.
          const cause = run.status === 'reconnecting' ? new PbxWentAwayError() : new MediaFailedError(stage);
          void this.endRun(run, undefined, cause);
        }),
      );
    }
    if (this.run !== run) return;
    if (run.status === 'connecting') {
      run.status = this.logic.transition('connecting', 'active');
      run.startedAt ??= this.now();
      run.message = undefined;
    }
    this.startLevels();
    this.emit();
  }

  private onCallEnded(run: Run, call: Call): void {
    if (run.call === call) run.call = undefined;
    if (run.redialing || this.run !== run || !isLive(run.status)) return;
    if (run.failure) {
      this.failRun(run, run.failure);
      return;
    }
    const dialog = this.agents[run.agent]?.dialog;
    const agentGone = dialog === 'terminated' || dialog === 'idle';
    run.endedByPbx ||= run.endMessage === undefined;
    this.finishRun(run, run.endMessage ?? (agentGone ? "The agent's call ended." : 'The PBX ended the session.'));
  }

  private onAgentCallEnded(run: Run): void {
    const config = this.config;
    if (!config) return;
    if (this.logic.endsWithAgent(config)) {
      run.endedByPbx = true;
      void this.endRun(run, "The agent's call ended.");
    } else {
      run.message = "The agent's call ended. Hang up when you are done.";
      this.log('info', `${run.name ?? run.agent}'s call ended; the monitor session stays up.`, { agent: run.agent });
    }
  }

  private async sendDigits(run: Run, digits: string, method: DtmfMethod): Promise<void> {
    const call = run.call;
    if (!call?.established) throw new ModeChangeFailedError('The monitor call is not up.');
    if (method === 'info') {
      // One INFO per digit, each answered before the next: the PBX sees them in order.
      for (const digit of digits) {
        await new Promise<void>((resolve, reject) => {
          call.session
            .info({
              requestDelegate: {
                onAccept: () => resolve(),
                onReject: (response) =>
                  reject(new ModeChangeFailedError(`The PBX refused the DTMF digit (${response.message.statusCode}).`)),
              },
              requestOptions: {
                body: {
                  contentDisposition: 'render',
                  contentType: 'application/dtmf-relay',
                  content: `Signal=${digit}\r\nDuration=${this.dtmfTiming().duration}\r\n`,
                },
              },
            })
            .catch((error: unknown) => reject(new ModeChangeFailedError(`Could not send DTMF: ${messageOf(error)}`)));
        });
      }
      return;
    }
    if (!call.media) throw new ModeChangeFailedError('Could not send RFC 4733 DTMF on this call.');
    // Done when the browser has played the tones (tonechange ''), not after a fixed wait from here:
    // a digit inserted while an earlier tone still holds the sender would replace the pending one.
    try {
      await call.media.playDtmf(digits, this.dtmfTiming());
    } catch (error) {
      throw error instanceof ModeChangeFailedError ? error : new ModeChangeFailedError(`Could not send DTMF: ${messageOf(error)}`);
    }
  }

  private dtmfTiming(): { duration: number; interToneGap: number } {
    return this.options.dtmfTiming ?? { duration: 100, interToneGap: 70 };
  }

  /**
   * One queued mode switch. The microphone is opened only for Whisper/Join, released on the way back.
   * When the microphone is already granted, it opens while the digits go out (the switch costs
   * max(getUserMedia, DTMF) instead of their sum); the PBX meanwhile gets the silent track, and a
   * microphone that fails anyway sends the PBX back to Listen. When it is not known to be granted
   * (it may prompt or be refused), it is opened first and nothing is sent if it fails.
   */
  private async applyMode(run: Run, from: Mode, to: Mode): Promise<void> {
    const config = this.config;
    if (!config || this.run !== run || !isLive(run.status)) return;
    const talking = to !== 'listen';
    let pendingMic: Promise<MediaStreamTrack> | undefined;
    try {
      // Planned first: a refused mode never opens the microphone.
      const plan = this.logic.modePlan(config, run.agent, from, to, this.availability(run));
      const redial = plan.some((a) => a.kind === 'dial');
      if (talking && !run.mic) {
        pendingMic = this.openMicrophone(run);
        if (this.microphone !== 'granted') {
          const mic = pendingMic;
          pendingMic = undefined;
          run.mic = await mic;
        }
      }
      if (redial) {
        // Closing a call stops its senders' tracks: take the microphone off the old call first,
        // so it moves to the new one alive (Whisper → Join on a one-code-per-mode PBX).
        const old = run.call;
        if (run.mic && old?.media && old.silent && old.media.outgoingTrack() === run.mic) {
          await old.media.replaceOutgoingTrack(old.silent);
        }
        run.redialing = true;
      }
      const switching = (async () => {
        try {
          // Back to Listen: the silent track first (a replaceTrack, about a millisecond), then the
          // digits. Swapping the track while RFC 4733 events play out can lose them at the PBX.
          if (!talking) await this.silence(run);
          await this.execute(run, plan, { incoming: false });
        } finally {
          run.redialing = false;
        }
      })();
      const [mic, switched] = await Promise.allSettled([pendingMic, switching]);
      pendingMic = undefined;
      if (mic.status === 'fulfilled' && mic.value) run.mic = mic.value;
      if (switched.status === 'rejected') throw switched.reason;
      if (mic.status === 'rejected') {
        // The PBX switched but there is no microphone: back to Listen there too, so the panel tells the truth.
        if (this.run === run && run.call?.established) {
          const back = this.logic.modePlan(config, run.agent, to, 'listen', this.availability(run));
          run.redialing = redial;
          await this.execute(run, back, { incoming: false }).catch(() => undefined);
          run.redialing = false;
        }
        throw mic.reason;
      }
      if (this.run !== run || !isLive(run.status)) {
        // Hung up while the microphone was opening: it closes at once.
        const track = run.mic;
        run.mic = undefined;
        if (track) this.options.microphone.release(track);
        return;
      }
      if (!run.call?.established) {
        this.finishRun(run, run.endMessage ?? 'The PBX ended the session.');
        return;
      }
      if (talking && run.mic && run.call.media) {
        await run.call.media.replaceOutgoingTrack(run.mic);
        this.options.audio?.meterSent(run.mic);
      }
      run.mode = to;
      run.message = undefined;
      this.log('mode', `${MODE_LABELS[to]} on ${run.name ?? run.agent}.`, { agent: run.agent, mode: to });
      this.emit();
    } catch (error) {
      // A microphone still opening when the switch failed is closed as soon as it opens.
      if (pendingMic) void pendingMic.then((track) => this.options.microphone.release(track), () => undefined);
      // Stay (or fall back) in a silent mode: never leave the microphone open after a failed switch.
      if (run.mode === 'listen') await this.silence(run);
      run.message = messageOf(error);
      this.log('error', `${MODE_LABELS[to]} failed: ${messageOf(error)}`, { agent: run.agent, mode: to });
      this.emit();
      throw error;
    }
  }

  private async openMicrophone(run: Run): Promise<MediaStreamTrack> {
    try {
      const track = await this.options.microphone.acquire();
      this.setMicrophone('granted', false);
      // The page that gave the track closed (Firefox sidebar) or the device went away: back to Listen.
      (track as Partial<EventTarget>).addEventListener?.(
        'ended',
        () => {
          if (this.run !== run || run.mic !== track || !isLive(run.status)) return;
          this.log('error', 'The microphone stopped: back to Listen Only.', { agent: run.agent, mode: 'listen' });
          run.queue?.request('listen');
          this.emit();
        },
        { once: true },
      );
      return track;
    } catch (error) {
      if (error instanceof MicrophoneDeniedError) this.setMicrophone('denied', false);
      throw error;
    }
  }

  /** Back to the silent track, and the microphone released. */
  private async silence(run: Run): Promise<void> {
    const mic = run.mic;
    run.mic = undefined;
    const media = run.call?.media;
    if (media && run.call?.silent && media.outgoingTrack() !== run.call.silent) {
      await media.replaceOutgoingTrack(run.call.silent).catch(() => undefined);
    }
    this.options.audio?.meterSent(undefined);
    run.levels = { ...run.levels, sent: 0 };
    if (mic) this.options.microphone.release(mic);
  }

  private async dropCall(run: Run): Promise<void> {
    const call = run.call;
    if (!call) return;
    run.call = undefined;
    await this.endSession(call.session);
  }

  private async endSession(session: Session): Promise<void> {
    try {
      if (session.state === SessionState.Established) await session.bye();
      else if (session.state === SessionState.Establishing || session.state === SessionState.Initial) {
        if (session instanceof Inviter) await session.cancel();
        else await (session as Invitation).reject();
      }
    } catch {
      // Already gone: nothing to end.
    }
  }

  private hangup(message: string): void {
    const run = this.run;
    if (!run || !isLive(run.status)) throw new MonitorNotPossibleError('No monitor session to hang up.');
    void this.endRun(run, message);
  }

  /** Ends the run from our side: BYE/CANCEL, then ended (or failed with `failure`). */
  private async endRun(run: Run, message: string | undefined, failure?: PhoneError): Promise<void> {
    if (!isLive(run.status) || run.status === 'ending') return;
    run.endMessage = failure ? failure.message : message;
    run.failure = failure;
    run.status = this.logic.transition(run.status, 'ending');
    run.queue?.close();
    await this.silence(run);
    this.emit();
    const call = run.call;
    if (call) await this.endSession(call.session);
    if (failure) this.failRun(run, failure);
    else this.finishRun(run, run.endMessage ?? 'Session ended.');
  }

  private finishRun(run: Run, message: string): void {
    if (run.status === 'ended' || run.status === 'failed') return;
    run.status = this.logic.transition(run.status, run.status === 'ending' ? 'ended' : 'ending');
    if (run.status === 'ending') run.status = this.logic.transition('ending', 'ended');
    this.closeRun(run, message);
    this.log('end', `Stopped monitoring ${run.name ?? run.agent}: ${message}`, { agent: run.agent });
    this.emit();
  }

  private failRun(run: Run, error: unknown): void {
    if (run.status === 'ended' || run.status === 'failed') return;
    run.status = this.logic.transition(run.status, 'failed');
    const message = messageOf(error);
    this.closeRun(run, message);
    this.log('error', message, { agent: run.agent });
    this.emit();
    const call = run.call;
    run.call = undefined;
    if (call) void this.endSession(call.session);
  }

  private closeRun(run: Run, message: string): void {
    run.queue?.close();
    run.endedAt = this.now();
    run.message = message;
    run.levels = { heard: 0, sent: 0 };
    const mic = run.mic;
    run.mic = undefined;
    if (mic) this.options.microphone.release(mic);
    this.options.audio?.meterSent(undefined);
    this.options.audio?.stop();
    this.options.silence?.idle?.();
    this.stopLevels();
    // The agent stays watched only if a portal still shows them.
    if (!this.requestedWatch.includes(run.agent) && this.watched.has(run.agent)) this.watch(this.requestedWatch);
  }

  // ---- audio out and levels ----

  private async setOutput(deviceId?: string, volume?: number): Promise<void> {
    this.output = { ...this.output, ...(deviceId !== undefined ? { deviceId } : {}), ...(volume !== undefined ? { volume } : {}) };
    await this.options.audio?.configure({ deviceId, volume });
  }

  /**
   * Levels only while a session is live: nothing ticks when idle. Until the first audio arrives the
   * analyser is read every 20 ms, so "hearing the call" is known to within a frame; then every 250 ms.
   */
  private startLevels(): void {
    if (this.levelTimer !== undefined || !this.options.audio) return;
    const audio = this.options.audio;
    const slow = this.options.levelIntervalMs ?? 250;
    const tick = () => {
      this.levelTimer = undefined;
      const run = this.run;
      if (!run || !isLive(run.status)) return;
      const { heard, sent } = audio.levels();
      if (run.heardAt === undefined && heard >= FIRST_AUDIO_LEVEL) {
        run.heardAt = this.now();
        this.log('info', `Hearing ${run.name ?? run.agent}: first audio ${((run.heardAt - run.requestedAt) / 1000).toFixed(2)} s after the start.`, { agent: run.agent });
        if (run.silenceNotice !== undefined && run.message === run.silenceNotice) run.message = undefined;
      } else if (
        run.heardAt === undefined &&
        run.silenceNotice === undefined &&
        audio.metering?.() !== false &&
        this.now() - (run.startedAt ?? run.requestedAt) >= FIRST_AUDIO_WATCH_MS
      ) {
        // The PBX is connected but sends only silence (ChanSpy waits quietly on a line with no call).
        // Only said where the level is measured: a meter that cannot run reads 0 whatever plays.
        const who = run.name ?? run.agent;
        run.silenceNotice = `Nothing heard from ${who} in ${FIRST_AUDIO_WATCH_MS / 1000} s: the PBX sends only silence. ${who} may have no call (the PBX waits quietly until one starts), or the call is on hold. Hang up, or stay on: this goes away when audio arrives.`;
        run.message = run.silenceNotice;
        this.log('error', run.silenceNotice, { agent: run.agent });
      }
      const waiting = run.heardAt === undefined && this.now() - run.requestedAt < FIRST_AUDIO_WATCH_MS;
      this.levelTimer = setTimeout(tick, waiting ? FIRST_AUDIO_POLL_MS : slow);
      const next = { heard: round2(heard), sent: run.mode === 'listen' ? 0 : round2(sent) };
      if (next.heard === run.levels.heard && next.sent === run.levels.sent && this.newLog.length === 0) return;
      run.levels = next;
      this.emit();
    };
    this.levelTimer = setTimeout(tick, FIRST_AUDIO_POLL_MS);
  }

  private stopLevels(): void {
    if (this.levelTimer !== undefined) clearTimeout(this.levelTimer);
    this.levelTimer = undefined;
  }

  // ---- state ----

  private setRegistration(status: RegistrationStatus, message?: string, emit = true): void {
    this.registration = { status, ...(message ? { message } : {}), since: this.now() };
    if (emit) this.emit();
  }

  private setMicrophone(state: MicrophoneState, emit = true): void {
    if (this.microphone === state) return;
    this.microphone = state;
    if (emit) this.emit();
  }

  private availability(run: Run): Availability {
    const config = this.config;
    if (!config) {
      const off = { allowed: false, reason: 'Earshot is not set up.' };
      return { listen: off, whisper: off, barge: off };
    }
    return this.logic.availability({ agent: this.agents[run.agent], config, microphone: this.microphone });
  }

  private snapshot(): SessionSnapshot | null {
    const run = this.run;
    if (!run) return null;
    const pending = run.queue?.pending();
    return {
      id: run.id,
      agent: { extension: run.agent, ...(run.name ? { name: run.name } : {}) },
      status: run.status,
      mode: run.mode,
      ...(pending !== undefined && pending !== run.mode ? { pendingMode: pending } : {}),
      availability: this.availability(run),
      ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}),
      ...(run.heardAt !== undefined ? { heardAt: run.heardAt } : {}),
      ...(run.endedAt !== undefined ? { endedAt: run.endedAt } : {}),
      ...(run.message ? { message: run.message } : {}),
      levels: { ...run.levels },
    };
  }

  private log(kind: LogEntry['kind'], text: string, extra: Pick<LogEntry, 'agent' | 'mode'> = {}): void {
    this.newLog.push({ at: this.now(), kind, text, ...extra });
  }

  private emit(): void {
    const event: EngineEvent = {
      type: 'state',
      registration: { ...this.registration },
      agents: structuredCloneAgents(this.agents),
      session: this.snapshot(),
      microphone: this.microphone,
      newLog: this.newLog,
    };
    this.newLog = [];
    for (const listener of this.listeners) listener(event);
  }

  private async teardown(): Promise<void> {
    this.generation++;
    this.clearRetry();
    this.stopKeepAlive();
    this.stopLevels();
    const run = this.run;
    if (run && isLive(run.status)) await this.endRun(run, 'Earshot was reconfigured.');
    this.dropSubscriptions();
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    // A PBX that no longer answers must not hold up a new configuration: bounded waits.
    if (registerer && registerer.state === RegistererState.Registered) {
      await bounded(registerer.unregister().then(() => waitUnregistered(registerer)), 2000);
    }
    await bounded(ua?.stop() ?? Promise.resolve(), 2000);
  }
}

function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

function waitUnregistered(registerer: Registerer): Promise<void> {
  if (registerer.state !== RegistererState.Registered) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const listener = (state: RegistererState) => {
      if (state === RegistererState.Registered) return;
      registerer.stateChange.removeListener(listener);
      resolve();
    };
    registerer.stateChange.addListener(listener);
  });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function structuredCloneAgents(agents: Record<string, AgentCallState>): Record<string, AgentCallState> {
  const copy: Record<string, AgentCallState> = {};
  for (const [key, agent] of Object.entries(agents)) {
    copy[key] = { ...agent, ...(agent.remote ? { remote: { ...agent.remote } } : {}) };
  }
  return copy;
}

function defaultOnOnline(callback: () => void): () => void {
  const target = globalThis as { addEventListener?: (t: string, l: () => void) => void; removeEventListener?: (t: string, l: () => void) => void };
  if (!target.addEventListener) return () => undefined;
  target.addEventListener('online', callback);
  return () => target.removeEventListener?.('online', callback);
}
