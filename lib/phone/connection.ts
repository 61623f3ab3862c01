import { droppedSipInput } from './sip-warnings';
import {
  Registerer,
  RegistererState,
  UserAgent,
  UserAgentState,
  type Invitation,
  type SessionDescriptionHandlerFactory,
  type UserAgentOptions,
} from 'sip.js';
import type { LogEntry, RegistrationState, RegistrationStatus } from '../state/snapshot';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { EngineConfig } from '../contract/engine';
import { KeepAlive } from './keep-alive';
import {
  BadCredentialsError,
  ConnectionLostError,
  InvalidRegistrationTransitionError,
  messageOf,
  PbxUnreachableError,
  RegistrationRefusedError,
  registrationError,
} from './errors';

/** Every registration move the connection makes; anything else is a bug and throws. */
const REGISTRATION_TRANSITIONS: Readonly<Record<RegistrationStatus, readonly RegistrationStatus[]>> = {
  unconfigured: ['unconfigured', 'connecting'],
  connecting: ['registered', 'reconnecting', 'failed', 'connecting', 'unconfigured'],
  registered: ['reconnecting', 'failed', 'connecting', 'unconfigured'],
  // reconnecting → reconnecting: another failed attempt, with its own message.
  reconnecting: ['registered', 'reconnecting', 'failed', 'connecting', 'unconfigured'],
  // failed waits for new settings (a configure).
  failed: ['connecting', 'unconfigured'],
};

/** What the connection tells the engine facade. */
export interface ConnectionEvents {
  log(kind: LogEntry['kind'], text: string): void;
  /** Something changed: publish the state. */
  changed(): void;
  /** REGISTER succeeded: `became` when the status just turned registered (not a refresh). */
  registered(became: boolean): void;
  /** The socket closed under us; the registration status is already updated, the state not yet published. */
  socketClosed(): void;
  /** The computer slept: bindings and subscriptions may be gone (the connection registers again itself). */
  woke(): void;
  /** An INVITE from the PBX. */
  invite(invitation: Invitation): void;
}

export interface ConnectionOptions {
  events: ConnectionEvents;
  /** The session description handler factory of every call. */
  sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory;
  transportConstructor?: UserAgentOptions['transportConstructor'];
  sipLog?: (level: string, category: string, content: string) => void;
  now: () => number;
  random: () => number;
  backoff: BackoffOptions;
  keepAliveMs: number;
}

/**
 * One sip.js UserAgent registered with the PBX, and its one registration
 * state machine: reconnect with backoff, OPTIONS keep-alive, sleep and
 * "online" handling are all moves of it.
 *
 * ```
 * unconfigured ─configure→ connecting ─REGISTER 200→ registered
 *                               │  ▲                      │ socket lost / ping failed / refresh failed
 *                 unreachable   ▼  │ backoff + jitter     ▼
 *                           reconnecting ◀────────────────┘
 * REGISTER 401/403/404 → failed (plain message; a new configure retries)
 * ```
 */
export class PhoneConnection {
  private registration: RegistrationState;
  private config: EngineConfig | null = null;
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  /** Bumped on every new UserAgent: callbacks of an old one are ignored. */
  private generation = 0;
  /** Whether this UserAgent ever connected: a failed attempt is then "lost", else "unreachable". */
  private connectedOnce = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keepAlive: KeepAlive;
  /** Why we closed the socket ourselves (an unanswered keep-alive), for the log line of the drop. */
  private closeCause: string | undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.registration = { status: 'unconfigured', since: options.now() };
    this.keepAlive = new KeepAlive(options.keepAliveMs, options.now, (slept) => this.keepAliveTick(slept));
  }

  /** The registration as the snapshot shows it. */
  state(): RegistrationState {
    return { ...this.registration };
  }

  get status(): RegistrationStatus {
    return this.registration.status;
  }

  /** The UserAgent while configured (calls and subscriptions are made on it). */
  userAgent(): UserAgent | undefined {
    return this.ua;
  }

  /** A SIP URI at the PBX's domain, or undefined when not configured or not valid. */
  uri(user: string): ReturnType<typeof UserAgent.makeURI> {
    return this.config ? UserAgent.makeURI(`sip:${user}@${this.config.sip.domain}`) : undefined;
  }

  /** Starts connecting with `config` (the previous one must be stopped first). */
  start(config: EngineConfig): void {
    this.config = config;
    this.createUserAgent(config);
    this.transition('connecting');
    this.options.events.changed();
    this.connect();
  }

  /** Unregisters and stops; bounded, so a PBX that no longer answers cannot hold up a new configuration. */
  async stop(): Promise<void> {
    this.generation++;
    this.clearRetry();
    this.keepAlive.stop();
    const ua = this.ua;
    const registerer = this.registerer;
    this.ua = undefined;
    this.registerer = undefined;
    this.config = null;
    if (registerer && registerer.state === RegistererState.Registered) {
      await bounded(registerer.unregister().then(() => waitUnregistered(registerer)), 2000, (error) =>
        this.options.events.log('info', `Could not unregister from the PBX: ${messageOf(error)}`),
      );
    }
    await bounded(ua?.stop() ?? Promise.resolve(), 2000, (error) =>
      this.options.events.log('info', `Could not close the connection to the PBX cleanly: ${messageOf(error)}`),
    );
  }

  /** Back to unconfigured (after {@link stop}). */
  reset(): void {
    this.transition('unconfigured');
    this.options.events.changed();
  }

  /** The network is back (window "online"). */
  online(): void {
    if (!this.ua || !this.config) return;
    if (this.registration.status === 'reconnecting' && !this.ua.isConnected()) {
      // Try now rather than at the end of a long backoff.
      this.attempt = 0;
      this.clearRetry();
      this.connect();
    } else if (this.registration.status === 'registered') {
      // A network change may have silently killed the socket: check it and refresh the binding.
      this.ping();
      this.register();
    }
  }

  private transition(status: RegistrationStatus, message?: string): void {
    const from = this.registration.status;
    if (!REGISTRATION_TRANSITIONS[from].includes(status)) throw new InvalidRegistrationTransitionError(from, status);
    this.registration = { status, ...(message ? { message } : {}), since: this.options.now() };
  }

  private createUserAgent(config: EngineConfig): void {
    const generation = ++this.generation;
    const uri = UserAgent.makeURI(`sip:${config.sip.username}@${config.sip.domain}`);
    if (!uri) throw new RegistrationRefusedError(0, `invalid SIP address ${config.sip.username}@${config.sip.domain}`);
    const current = (fn: () => void) => {
      if (generation === this.generation) fn();
    };
    const { sipLog, transportConstructor } = this.options;
    this.ua = new UserAgent({
      uri,
      authorizationUsername: config.sip.authorizationUsername ?? config.sip.username,
      authorizationPassword: config.sip.password,
      displayName: config.sip.displayName ?? '',
      transportOptions: { server: config.sip.wsUrl, connectionTimeout: 5, keepAliveInterval: 0, traceSip: false },
      ...(transportConstructor ? { transportConstructor } : {}),
      sessionDescriptionHandlerFactory: this.options.sessionDescriptionHandlerFactory,
      sessionDescriptionHandlerFactoryOptions: {
        // No public STUN by default; gathering short (sip.js waits for it before sending the INVITE).
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceServers.length === 0 ? 500 : 2000,
      },
      userAgentString: 'Earshot',
      logBuiltinEnabled: false,
      logConfiguration: false,
      // 'warn' at least: sip.js says so when it drops malformed or stray input from the PBX.
      logLevel: sipLog ? 'debug' : 'warn',
      logConnector: (level, category, _label, content) => {
        sipLog?.(level, category, content);
        const dropped = droppedSipInput(level, content);
        if (dropped) {
          current(() => {
            this.options.events.log('error', `Ignored a malformed SIP message from the PBX: ${dropped}.`);
            this.options.events.changed();
          });
        }
      },
      // Reconnecting is ours (state, backoff, jitter): sip.js's own loop stays off.
      reconnectionAttempts: 0,
      noAnswerTimeout: 30,
      delegate: {
        onConnect: () => current(() => this.onConnected()),
        // Every drop we did not cause (error, or our own disconnect after a failed ping) is a lost connection.
        onDisconnect: () => current(() => this.onDisconnected()),
        onInvite: (invitation) => current(() => this.options.events.invite(invitation)),
      },
    });
    this.connectedOnce = false;
    this.attempt = 0;
  }

  private connect(): void {
    const ua = this.ua;
    const config = this.config;
    if (!ua || !config) return;
    const generation = this.generation;
    const connecting = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
    // A failed attempt is an outcome the user sees: the reason as the registration message, retried.
    connecting.catch(() => {
      if (generation !== this.generation) return;
      const error = this.connectedOnce ? new ConnectionLostError(config.sip.wsUrl) : new PbxUnreachableError(config.sip.wsUrl);
      if (this.registration.message !== error.message) this.options.events.log('error', error.message);
      this.transition('reconnecting', error.message);
      this.options.events.changed();
      this.scheduleRetry(() => this.connect());
    });
  }

  private scheduleRetry(action: () => void): void {
    this.clearRetry();
    const delay = backoffDelay(this.attempt++, this.options.random, this.options.backoff);
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
    if (this.connectedOnce) this.options.events.log('info', 'Reconnected to the PBX.');
    this.connectedOnce = true;
    this.closeCause = undefined;
    this.keepAlive.start();
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
          this.options.events.log('error', message);
          this.transition('reconnecting', message);
          this.options.events.changed();
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
      .catch((error: unknown) => {
        // Refusals arrive through onReject; this is the REGISTER not being sent at all (socket closing).
        if (registerer === this.registerer) this.options.events.log('info', `Could not send REGISTER: ${messageOf(error)}`);
      });
  }

  private onRegistered(): void {
    this.attempt = 0;
    this.clearRetry();
    const became = this.registration.status !== 'registered';
    if (became) {
      this.transition('registered');
      this.options.events.changed();
    }
    this.options.events.registered(became);
  }

  private onRegisterRejected(statusCode: number, reason: string): void {
    const error = registrationError(statusCode, reason);
    this.options.events.log('error', error.message);
    if (error instanceof BadCredentialsError || error instanceof RegistrationRefusedError) {
      // Retrying a wrong password only locks the account: wait for new settings.
      this.transition('failed', error.message);
      this.options.events.changed();
      this.keepAlive.stop();
      this.clearRetry();
      return;
    }
    this.transition('reconnecting', error.message);
    this.options.events.changed();
    this.scheduleRetry(() => this.register());
  }

  private onDisconnected(): void {
    const config = this.config;
    if (!config) return;
    this.keepAlive.stop();
    // The old flow is gone: registration and subscriptions are redone on the new socket.
    const registerer = this.registerer;
    this.registerer = undefined;
    registerer?.dispose().catch((error: unknown) => this.options.events.log('info', `Could not drop the old registration: ${messageOf(error)}`));
    if (this.registration.status === 'failed') {
      this.options.events.socketClosed();
      return;
    }
    const lost = new ConnectionLostError(config.sip.wsUrl);
    this.options.events.log('error', this.closeCause ? `${lost.message} (${this.closeCause})` : lost.message);
    this.transition('reconnecting', lost.message);
    this.options.events.socketClosed();
    this.options.events.changed();
    this.scheduleRetry(() => this.connect());
  }

  // ---- keep-alive (SIP OPTIONS) and sleep detection ----

  private keepAliveTick(slept: boolean): void {
    this.ping();
    if (slept && this.registration.status === 'registered') {
      // Bindings and subscriptions may be gone.
      this.options.events.log('info', 'Woke from sleep: registering again.');
      this.register();
      this.options.events.woke();
      this.options.events.changed();
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
        this.closeCause = 'no answer to keep-alive';
        ua.transport.disconnect().catch((error: unknown) => {
          // The drop is reported by onDisconnect; a socket that will not even close is worth a line.
          if (generation === this.generation) this.options.events.log('info', `Could not close the dead socket: ${messageOf(error)}`);
        });
      },
    });
  }
}

/** Waits for `promise`, at most `ms`; a rejection is reported, never thrown. */
function bounded(promise: Promise<unknown>, ms: number, onError: (error: unknown) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        onError(error);
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
