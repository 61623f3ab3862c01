import { isExtension } from '../contract/extension';
import { pbxWins } from '../contract/sources';
import { Subscriber, SubscriptionState, type Notification, type UserAgent } from 'sip.js';
import type { AgentCallState, AgentDialogState, LogEntry } from '../state/snapshot';
import { backoffDelay } from './backoff';
import { applyDialogInfo, parseDialogInfo, type AgentDialogMemory, type XmlParser } from './dialog-info';
import { messageOf } from './errors';

/** How long a start waits for the first call-state NOTIFY of an agent nobody watched yet. */
const FIRST_STATE_WAIT_MS = 2000;

/** What presence needs from the engine around it. */
export interface PresenceHost {
  /** The UserAgent and a URI at the PBX's domain, while registered. */
  userAgent(): UserAgent | undefined;
  uri(user: string): ReturnType<typeof UserAgent.makeURI>;
  /** Whether subscribing makes sense now (registered). */
  registered(): boolean;
  /** The agent the live monitor session is on: watched besides what the portals show. */
  pinned(): string | undefined;
  /** On-net classification of a remote party's URI; undefined when not configured (nothing is then known of agents). */
  onNet(): ((uri: string) => boolean) | undefined;
  /** A watched agent's state changed as a NOTIFY said (the monitor session reacts to a call ending). */
  updated(extension: string, previous: AgentCallState | undefined, state: AgentCallState): void;
  log(kind: LogEntry['kind'], text: string, extra?: Pick<LogEntry, 'agent'>): void;
  changed(): void;
  now(): number;
  random(): number;
  xmlParser?: XmlParser;
}

/**
 * Dialog-info (RFC 4235) subscriptions for the watched agents, feeding the
 * pure reducer of dialog-info.ts: subscribe, resubscribe with backoff when the
 * PBX ends one, drop them all when the socket goes, and wait briefly for the
 * first state of an agent nobody watched yet.
 */
export class Presence {
  private agents: Record<string, AgentCallState> = {};
  private readonly memories = new Map<string, AgentDialogMemory>();
  /** The other party each agent's call has as a portal shows it (classified by the coordinator). */
  private parties: Record<string, { uri: string; onNet: boolean }> = {};
  private readonly watched = new Set<string>();
  /** What the coordinator last asked to watch; the pinned agent is watched besides. */
  private requested: string[] = [];
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly resubscribeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly resubscribeAttempts = new Map<string, number>();
  /** Starts waiting for an agent's first call state (see {@link currentDialog}). */
  private readonly firstStateWaiters = new Map<string, Set<() => void>>();

  constructor(private readonly host: PresenceHost) {}

  /** Every watched agent's call state, copied for a snapshot. */
  snapshot(): Record<string, AgentCallState> {
    const copy: Record<string, AgentCallState> = {};
    for (const [key, agent] of Object.entries(this.agents)) {
      copy[key] = { ...agent, ...(agent.remote ? { remote: { ...agent.remote } } : {}) };
    }
    return copy;
  }

  agent(extension: string): AgentCallState | undefined {
    return this.agents[extension];
  }

  /** A new configuration: every watched agent starts unknown again. */
  configured(): void {
    for (const extension of this.watched) this.agents[extension] ??= { extension, dialog: 'unknown' };
  }

  /** No configuration: nothing is known. */
  clear(): void {
    this.agents = {};
    this.memories.clear();
  }

  /**
   * Watches `extensions` (and the pinned agent); invalid user parts are ignored. `parties`: the
   * portal's other party of an agent's call, which fills in only while dialog-info names nobody.
   */
  watch(extensions: string[], parties?: Record<string, { uri: string; onNet: boolean }>): void {
    this.requested = extensions;
    if (parties !== undefined || Object.keys(this.parties).length > 0) this.setParties(parties ?? {});
    const wanted = new Set(extensions.filter((e) => isExtension(e)));
    // The monitored agent stays watched while the session lives, even when no portal shows it.
    const pinned = this.host.pinned();
    if (pinned !== undefined && isExtension(pinned)) wanted.add(pinned);
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
      if (this.host.onNet()) this.agents[extension] = { extension, dialog: 'unknown' };
      if (this.host.registered()) this.subscribe(extension);
    }
    this.host.changed();
  }

  /** The session on `agent` is over: the agent stays watched only if a portal still shows them. */
  unpin(agent: string): void {
    if (!this.requested.includes(agent) && this.watched.has(agent)) this.watch(this.requested);
  }

  /** Registered (again): every watched agent without a subscription gets one. */
  registered(): void {
    for (const extension of this.watched) if (!this.subscribers.has(extension)) this.subscribe(extension);
  }

  /** After sleep: the PBX may have forgotten every subscription. */
  resubscribeAll(): void {
    this.drop();
    for (const extension of this.watched) this.subscribe(extension);
  }

  /** The socket is gone (or the engine stops): subscriptions are redone on the next one. */
  drop(): void {
    for (const [extension, subscriber] of this.subscribers) {
      this.subscribers.delete(extension);
      subscriber.dispose().catch((error: unknown) => this.host.log('info', `Could not drop the call-state subscription for ${extension}: ${messageOf(error)}`, { agent: extension }));
    }
    for (const timer of this.resubscribeTimers.values()) clearTimeout(timer);
    this.resubscribeTimers.clear();
    this.resubscribeAttempts.clear();
  }

  /**
   * The agent's call state as the PBX reports it. An agent nobody watched yet ("monitor an
   * extension") is subscribed to (and stays watched while pinned), and its first NOTIFY, which
   * carries the current state, is waited for briefly; a PBX that refuses the subscription or stays
   * silent leaves it unknown.
   */
  async currentDialog(agent: string): Promise<AgentDialogState> {
    // Watched already (a portal shows the agent): what is known now is what the PBX said.
    if (this.watched.has(agent)) return this.agents[agent]?.dialog ?? 'unknown';
    this.watch(this.requested);
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

  private subscribe(extension: string): void {
    const ua = this.host.userAgent();
    const target = this.host.uri(extension);
    if (!ua || !target) return;
    // A new subscription starts from what its first NOTIFY says. What an earlier one remembered (the
    // counterpart from an early NOTIFY, when the call began) may belong to a call that ended while no
    // NOTIFY could arrive: Asterisk names every dialog after the extension, so the next call looks the same.
    this.memories.delete(extension);
    const subscriber = new Subscriber(ua, target, 'dialog', {
      expires: 600,
      extraHeaders: ['Accept: application/dialog-info+xml'],
    });
    this.subscribers.set(extension, subscriber);
    subscriber.delegate = { onNotify: (notification) => this.onNotify(extension, notification) };
    subscriber.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated || this.subscribers.get(extension) !== subscriber) return;
      // Refused or ended before any state: whoever waits for it learns that nothing is known.
      this.wakeFirstState(extension);
      this.subscribers.delete(extension);
      if (this.watched.has(extension) && this.host.registered()) this.scheduleResubscribe(extension);
    });
    // A refusal terminates the subscription (resubscribed above); this is the SUBSCRIBE not even sent.
    subscriber.subscribe().catch((error: unknown) => this.host.log('info', `Could not ask the PBX for ${extension}'s call state: ${messageOf(error)}`, { agent: extension }));
  }

  private scheduleResubscribe(extension: string): void {
    const attempt = this.resubscribeAttempts.get(extension) ?? 0;
    this.resubscribeAttempts.set(extension, attempt + 1);
    // Terminated by the PBX (expiry, restart, refusal): come back, slower each time, at least 20 s apart when it keeps failing.
    const delay = attempt === 0 ? 1000 : backoffDelay(attempt, () => this.host.random(), { baseMs: 20_000, maxMs: 300_000 });
    clearTimeout(this.resubscribeTimers.get(extension));
    this.resubscribeTimers.set(
      extension,
      setTimeout(() => {
        this.resubscribeTimers.delete(extension);
        if (this.watched.has(extension) && !this.subscribers.has(extension) && this.host.registered()) this.subscribe(extension);
      }, delay),
    );
  }

  private unsubscribe(extension: string): void {
    clearTimeout(this.resubscribeTimers.get(extension));
    this.resubscribeTimers.delete(extension);
    this.resubscribeAttempts.delete(extension);
    const subscriber = this.subscribers.get(extension);
    this.subscribers.delete(extension);
    subscriber
      ?.unsubscribe()
      .then(() => subscriber.dispose())
      .catch((error: unknown) => this.host.log('info', `Could not end the call-state subscription for ${extension}: ${messageOf(error)}`, { agent: extension }));
  }

  private onNotify(extension: string, notification: Notification): void {
    notification.accept().catch((error: unknown) => this.host.log('info', `Could not acknowledge ${extension}'s call-state update: ${messageOf(error)}`, { agent: extension }));
    const onNet = this.host.onNet();
    if (!onNet || !this.watched.has(extension)) return;
    // A live subscription resets the resubscribe backoff; one the PBX ends at once does not.
    if (!/^\s*terminated/i.test(notification.request.getHeader('Subscription-State') ?? '')) this.resubscribeAttempts.delete(extension);
    const body = notification.request.body;
    if (!body || body.trim() === '') return;
    const contentType = notification.request.getHeader('Content-Type') ?? '';
    if (!/^application\/dialog-info\+xml/i.test(contentType.trim())) {
      this.host.log('error', `Ignored a call-state update for ${extension} of type ${contentType || 'unknown'}.`, { agent: extension });
      this.host.changed();
      return;
    }
    let info;
    try {
      info = parseDialogInfo(body, this.host.xmlParser);
    } catch (error) {
      // Keep the last good state: a bad NOTIFY must not make the agent disappear.
      this.host.log('error', `Ignored a malformed call-state update for ${extension}: ${messageOf(error)}.`, { agent: extension });
      this.host.changed();
      return;
    }
    let memory = this.memories.get(extension);
    if (!memory) {
      memory = { dialogs: new Map() };
      this.memories.set(extension, memory);
    }
    const previous = this.agents[extension];
    const state = this.withPortalParty(applyDialogInfo(memory, info, { extension, name: previous?.name }, onNet, this.host.now()));
    this.agents[extension] = state;
    this.wakeFirstState(extension);
    this.host.updated(extension, previous, state);
    this.host.changed();
  }

  /**
   * Which source wins (pbxWins, lib/contract/sources.ts): the PBX's remote identity from dialog-info always;
   * the portal's party only for a confirmed call whose NOTIFYs named nobody (Asterisk names the other
   * party in the early NOTIFY only, which a call up before Earshot subscribed never sent).
   */
  private withPortalParty(state: AgentCallState): AgentCallState {
    const party = state.dialog === 'confirmed' ? this.parties[state.extension] : undefined;
    const winner = pbxWins(state.remote, party);
    if (winner?.from !== 'portal') return state;
    return { ...state, remote: { uri: winner.value.uri, onNet: winner.value.onNet } };
  }

  /** New portal parties: agents whose remote came from the portal are recomputed from what the PBX said. */
  private setParties(parties: Record<string, { uri: string; onNet: boolean }>): void {
    this.parties = parties;
    for (const [extension, state] of Object.entries(this.agents)) {
      const memory = this.memories.get(extension);
      // The PBX's own remote stays; otherwise the portal's (or none) replaces the one from the portal.
      if (memory?.remote) continue;
      const { remote: _old, ...base } = state;
      const next = this.withPortalParty(base);
      if (JSON.stringify(next) !== JSON.stringify(state)) {
        this.agents[extension] = next;
        this.host.updated(extension, state, next);
      }
    }
  }

  private wakeFirstState(extension: string): void {
    const waiters = this.firstStateWaiters.get(extension);
    if (!waiters) return;
    this.firstStateWaiters.delete(extension);
    for (const wake of [...waiters]) wake();
  }
}
