import { MODE_LABELS, type Mode } from '../monitor/modes';
import type { EngineCommand, EngineConfig, EngineEvent } from '../contract/engine';
import type { EarshotState, LogEntry } from '../state/snapshot';
import { logCsvFilename, logToCsv } from '../log/csv';
import { mergeLogs } from '../log/history';
import type { CommandResult, ExportLogResult } from '../messaging/commands';
import type { Publication } from '../messaging/state-port';
import { onlyLevelsChanged } from '../state/snapshot';
import type { EngineLink } from './engine-link';
import type { RuleOptions } from '../monitor/rules';
import type { SettingsView } from '../settings/source';
import { isLive } from '../monitor/session-machine';
import { createRules, type CoordinatorRules, type Verdict } from './rules-port';
import type { PersistedCoordinator, StateStore, VisibleAgent } from './store';
import { remoteFromPortal, type OnNetOptions } from '../portals/on-net';
import { signedInUser, type PortalUser } from '../monitor/authority';
import type { UserState } from '../state/snapshot';

export type { VisibleAgent } from './store';

/** Default bound of the session log when settings give none. */
export const DEFAULT_LOG_LIMIT = 500;

/** The state before anything is known. */
export function initialState(now: number): EarshotState {
  return {
    revision: 0,
    configured: false,
    registration: { status: 'unconfigured', since: now },
    user: { dtmfMonitoringGranted: false },
    agents: {},
    session: null,
    microphone: 'not-needed',
    log: [],
  };
}

/** Everything the coordinator needs, injected so it runs without a browser. */
export interface CoordinatorOptions {
  link: EngineLink;
  store: StateStore<PersistedCoordinator>;
  rules?: CoordinatorRules;
  now?: () => number;
  /** Maximum log entries kept (settings.auditRetention). */
  logLimit?: number;
  /** Delay before writing to the store; writes in between coalesce. */
  persistDelayMs?: number;
  /**
   * How long a portal frame restored from the store counts without reporting
   * again. A live frame's content script reconnects to a restarted worker at
   * once and reports anew; a frame that went away while the worker was
   * stopped never does, and its agents stop being watched after this.
   */
  restoredFrameGraceMs?: number;
  /**
   * How long a frame whose content script went away ({@link Coordinator.frameGone})
   * keeps its list, in case a newer copy of the script takes over in the same document
   * and reports again (the background injects one at each start and settings change).
   */
  frameGoneGraceMs?: number;
  /** Called with every allowed command as it goes to the engine (the audit trail notes the supervisor's hang-up). */
  onCommandSent?: (command: EngineCommand, session: EarshotState['session']) => void;
}


/**
 * The coordinator: the one holder of {@link EarshotState}. Applies engine
 * events, checks commands against the rules before routing them to the
 * engine, keeps the bounded log, and publishes every change as a whole
 * snapshot with a new revision.
 */
export class Coordinator {
  private state: EarshotState;
  private visible: Record<string, VisibleAgent[]> = {};
  /** The supervisor as the settings name them; `state.user` is this with the portal's reading on top. */
  private settingsUser: UserState = { dtmfMonitoringGranted: false };
  /** Who each portal frame shows signed in, the latest report last (not persisted: frames report again on reconnecting). */
  private readonly portalUsers = new Map<string, PortalUser>();
  private watched = '';
  /** How a portal's other party is classified (settings.onNetPattern, the PBX domain, the adapter's rule); none: not used. */
  private partyRules: OnNetOptions | undefined;
  private readonly subscribers = new Set<(publication: Publication) => void>();
  /** Log entries appended since this coordinator started (UIs get the ones they miss). */
  private logSeq = 0;
  /** What was last written to the store, less its revision: a write that would change nothing else is skipped. */
  private written = '';
  /** The last failure to reach the engine noted in the log (not repeated while it persists). */
  private lastLinkFailure = '';
  private rules: CoordinatorRules;
  private readonly now: () => number;
  private logLimit: number;
  private readonly persistDelayMs: number;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingWrite: Promise<void> = Promise.resolve();
  private restoring: Promise<void> | undefined;
  /** What was reported before the store was read, applied after it (the store must not revive it). */
  private deferred: (() => void)[] | undefined;
  /** Frames restored from the store that have not reported since. */
  private readonly unconfirmed = new Set<string>();
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames whose content script went away, forgotten when their timer fires. */
  private readonly goneTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly unlink: () => void;

  constructor(private readonly options: CoordinatorOptions) {
    this.rules = options.rules ?? createRules();
    this.now = options.now ?? Date.now;
    this.logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
    this.persistDelayMs = options.persistDelayMs ?? 250;
    this.state = initialState(this.now());
    this.unlink = options.link.onEvent((event) => this.applyEngineEvent(event));
  }

  /** The current snapshot (treat as read-only). */
  getState(): EarshotState {
    return this.state;
  }

  /** The current state as published to UIs. */
  publication(): Extract<Publication, { type: 'state' }> {
    return { type: 'state', state: this.state, logSeq: this.logSeq, logLimit: this.logLimit };
  }

  /**
   * Calls `callback` with every change: a new snapshot (with how far the log
   * has grown), or new levels of the session alone; returns the unsubscribe function.
   */
  subscribe(callback: (publication: Publication) => void): () => void {
    this.subscribers.add(callback);
    return () => this.subscribers.delete(callback);
  }

  /**
   * Loads what survived a worker restart, then asks the engine for its full
   * state. Events that arrived before the load completes are kept: the
   * stored state only fills what they did not bring. Idempotent.
   */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      this.deferred = [];
      let saved: PersistedCoordinator | undefined;
      try {
        saved = await this.options.store.get();
      } finally {
        const deferred = this.deferred;
        this.deferred = undefined;
        if (saved) this.applySaved(saved);
        // Reports and forgotten tabs that came while the store was read: newer than what it had.
        for (const apply of deferred) apply();
      }
      await this.sendToEngine({ type: 'sync' });
    })();
    return this.restoring;
  }

  private applySaved(saved: PersistedCoordinator): void {
    const appliedSinceStart = this.state.revision > 0;
    const log = appliedSinceStart ? [...saved.state.log, ...this.state.log] : saved.state.log;
    this.state = {
      ...(appliedSinceStart ? this.state : saved.state),
      revision: Math.max(saved.state.revision, this.state.revision),
      log: log.slice(-this.logLimit),
    };
    // The log was replaced, not appended to: every UI takes it whole.
    this.logSeq += this.logLimit + 1;
    // The saved frames are provisional: each must report again (its content script does on reconnecting).
    for (const source of Object.keys(saved.visible)) if (!(source in this.visible)) this.unconfirmed.add(source);
    this.visible = { ...saved.visible, ...this.visible };
    if (this.unconfirmed.size > 0) {
      this.pruneTimer = setTimeout(() => this.pruneUnconfirmed(), this.options.restoredFrameGraceMs ?? 10_000);
    }
    this.watched = JSON.stringify([this.watchList(), this.portalParties()]);
    this.commit();
  }

  /** Forgets restored frames that never reported again (their document went away while the worker was stopped). */
  private pruneUnconfirmed(): void {
    this.pruneTimer = undefined;
    const stale = [...this.unconfirmed];
    this.unconfirmed.clear();
    for (const source of stale) this.reportAgents(source, []);
  }

  /** Resolves once {@link restore} has completed (immediately if never started). */
  ready(): Promise<void> {
    return this.restoring ?? Promise.resolve();
  }

  /** Takes the settings' view of the supervisor (scope, DTMF grant) and whether Earshot is set up. */
  setSettings(view: SettingsView, logLimit?: number): void {
    if (logLimit !== undefined && logLimit > 0) this.logLimit = logLimit;
    this.settingsUser = { ...view.user };
    this.state = {
      ...this.state,
      configured: view.configured,
      user: this.signedInUser(),
      log: this.state.log.slice(-this.logLimit),
    };
    this.commit();
  }

  /** The audit trail's delivery, shown by every UI (undefined: no audit trail). */
  setAudit(status: EarshotState['audit']): void {
    if (JSON.stringify(status) === JSON.stringify(this.state.audit)) return;
    const { audit: _previous, ...rest } = this.state;
    this.state = status ? { ...rest, audit: status } : rest;
    this.commit();
  }

  /** Applies the deployment's rule options (allowed scopes, Whisper when the counterpart is unknown). */
  setRuleOptions(options: RuleOptions): void {
    if (!this.options.rules) this.rules = createRules(options);
  }

  /** Passes the engine its configuration (from settings; secrets never leave this path). */
  configureEngine(config: EngineConfig | null): Promise<void> {
    return this.sendToEngine({ type: 'configure', config });
  }

  /**
   * Applies one engine event: whole pieces of state replace ours, new log
   * entries append. An event that changes only the session's levels (the
   * meter, a few times a second) goes to UIs on the levels topic: no new
   * revision, nothing persisted.
   */
  applyEngineEvent(event: EngineEvent): void {
    const session = event.session;
    if (session && onlyLevelsChanged(this.state, event)) {
      const current = this.state.session;
      if (current && current.levels.heard === session.levels.heard && current.levels.sent === session.levels.sent) return;
      this.state = { ...this.state, session: { ...session } };
      const publication: Publication = { type: 'levels', revision: this.state.revision, session: session.id, levels: session.levels };
      for (const subscriber of this.subscribers) subscriber(publication);
      return;
    }
    this.state = {
      ...this.state,
      registration: event.registration,
      agents: event.agents,
      session: event.session,
      microphone: event.microphone,
    };
    if (event.newLog.length > 0) this.appendLog(event.newLog, false);
    this.commit();
  }

  /**
   * Replaces the agents one portal frame shows (an empty list when it goes
   * away); the engine watches the union of all frames.
   */
  reportAgents(source: string, agents: readonly VisibleAgent[]): void {
    if (this.deferred) {
      this.deferred.push(() => this.reportAgents(source, agents));
      return;
    }
    this.unconfirmed.delete(source);
    clearTimeout(this.goneTimers.get(source));
    this.goneTimers.delete(source);
    if (agents.length === 0) delete this.visible[source];
    else this.visible[source] = agents.map((a) => ({ ...a }));
    this.schedulePersist();
    this.sendWatch();
  }

  /**
   * Who a portal frame shows signed in (its role, extension, monitoring right): the one signed-in user
   * for the side panel, the in-page panels and the rules ({@link signedInUser}). The latest report of any
   * frame wins; a frame that goes away takes its reading with it.
   */
  reportPortalUser(source: string, user: PortalUser): void {
    if (this.deferred) {
      this.deferred.push(() => this.reportPortalUser(source, user));
      return;
    }
    this.portalUsers.delete(source);
    this.portalUsers.set(source, { ...user });
    this.applyUser();
  }

  private forgetPortalUser(source: string): void {
    if (this.portalUsers.delete(source)) this.applyUser();
  }

  private signedInUser(): UserState {
    return signedInUser(this.settingsUser, [...this.portalUsers.values()].at(-1));
  }

  private applyUser(): void {
    const user = this.signedInUser();
    if (JSON.stringify(user) === JSON.stringify(this.state.user)) return;
    this.state = { ...this.state, user };
    this.commit();
  }

  /**
   * How the portal's other party of a call is classified on-net or off-net (lib/portals/on-net.ts);
   * undefined: the portal's party is not used. A change re-sends the watch list.
   */
  setPartyRules(rules: OnNetOptions | undefined): void {
    this.partyRules = rules;
    // While a restarted worker restores its frames, what is watched is not known yet: the restore decides.
    if (this.deferred) return;
    this.sendWatch();
  }

  /** The engine watches the union of the frames' agents, with the portal's classified parties; sent only on a change. */
  private sendWatch(): void {
    const extensions = this.watchList();
    const parties = this.portalParties();
    const key = JSON.stringify([extensions, parties]);
    if (key === this.watched) return;
    this.watched = key;
    void this.sendToEngine({ type: 'watch', extensions, ...(Object.keys(parties).length > 0 ? { parties } : {}) });
  }

  /** The other party each frame shows for its agents, classified; unknown ones are left out (Whisper stays off for them). */
  private portalParties(): Record<string, { uri: string; onNet: boolean }> {
    const out: Record<string, { uri: string; onNet: boolean }> = {};
    if (!this.partyRules) return out;
    for (const agents of Object.values(this.visible)) {
      for (const agent of agents) {
        const remote = agent.otherParty ? remoteFromPortal(agent.otherParty, this.partyRules) : undefined;
        if (remote) out[agent.extension] = remote;
      }
    }
    return out;
  }

  /**
   * The content script of a portal frame went away (its state port closed: navigation,
   * reload, frame removed, or a newer copy of the script took over). Its agents stop being
   * watched after a short grace, unless the frame reports again first.
   */
  frameGone(source: string): void {
    if (this.deferred) {
      this.deferred.push(() => this.frameGone(source));
      return;
    }
    clearTimeout(this.goneTimers.get(source));
    this.goneTimers.set(
      source,
      setTimeout(() => {
        this.reportAgents(source, []);
        this.forgetPortalUser(source);
      }, this.options.frameGoneGraceMs ?? 2000),
    );
  }

  /** Forgets every frame of a tab (closed). */
  forgetTab(tabId: number): void {
    if (this.deferred) {
      this.deferred.push(() => this.forgetTab(tabId));
      return;
    }
    for (const source of Object.keys(this.visible)) {
      if (source.startsWith(`${tabId}:`)) this.reportAgents(source, []);
    }
    for (const source of [...this.portalUsers.keys()]) {
      if (source.startsWith(`${tabId}:`)) this.forgetPortalUser(source);
    }
  }

  /** Start monitoring an agent, if the rules allow it. */
  start(agent: string, name?: string): Promise<CommandResult> {
    const displayName = name ?? this.state.agents[agent]?.name;
    return this.route(this.rules.canStart(this.state, agent), {
      type: 'start',
      agent,
      ...(displayName ? { name: displayName } : {}),
    });
  }

  /** Switch the session's mode, if that mode is available now. */
  setMode(mode: Mode): Promise<CommandResult> {
    // Every allowed click goes to the engine, even one for the mode this copy of the state shows:
    // the copy is a round trip behind, so "already there" may be stale (Listen → Join → Listen clicked
    // fast would end in Join). The engine's mode queue ignores a request for the mode it is in.
    return this.route(this.rules.canSetMode(this.state, mode), { type: 'set-mode', mode });
  }

  /**
   * The portal turned down the request the content script made for the session on `agent` (the PBX
   * would have called Earshot): the session waiting for that call fails with the portal's words.
   */
  portalRefused(agent: string, reason: string): Promise<CommandResult> {
    const session = this.state.session;
    const waiting = session !== null && session.agent.extension === agent && isLive(session.status);
    return this.route(waiting ? { allowed: true } : { allowed: false, reason: `No monitor session on ${agent} is waiting for the PBX.` }, {
      type: 'portal-refused',
      agent,
      reason,
    });
  }

  /** End the session. Always allowed while one is under way. */
  hangup(): Promise<CommandResult> {
    const live = this.state.session !== null && isLive(this.state.session.status);
    return this.route(live ? { allowed: true } : { allowed: false, reason: 'No monitor session to hang up.' }, {
      type: 'hangup',
    });
  }

  /**
   * Monitor an extension by tapping code (DTMF monitoring), when entitled.
   * The engine contract has no tapping-code variant of `start` yet: it is
   * routed as a start of that extension (see the report).
   */
  monitorExtension(extension: string): Promise<CommandResult> {
    return this.route(this.rules.canMonitorExtension(this.state, extension), { type: 'start', agent: extension });
  }

  /** The log as CSV, for download. */
  exportLog(): ExportLogResult {
    if (this.state.log.length === 0) return { ok: false, reason: 'The session log is empty.' };
    const at = this.now();
    return { ok: true, filename: logCsvFilename(at), csv: logToCsv(this.state.log) };
  }

  /**
   * Log rows an earlier run kept (the session history, across browser
   * restarts), merged under what this run logged; every UI takes the log whole.
   */
  restoreLog(entries: readonly LogEntry[]): void {
    const merged = mergeLogs(entries, this.state.log).slice(-this.logLimit);
    if (merged.length === this.state.log.length) return;
    this.state = { ...this.state, log: merged };
    this.logSeq += this.logLimit + 1;
    this.commit();
  }

  /** Adds a coordinator-side note (e.g. a refused command worth auditing) to the log. */
  note(kind: LogEntry['kind'], text: string, extra: Pick<LogEntry, 'agent' | 'mode'> = {}): void {
    this.appendLog([{ at: this.now(), kind, text, ...extra }], true);
  }

  /** Writes pending state now (tests, and before the worker may be suspended). */
  async flush(): Promise<void> {
    if (this.persistTimer !== undefined) {
      clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
      this.write();
    }
    await this.pendingWrite;
  }

  /** Detaches from the engine link and stops pending writes. */
  dispose(): void {
    this.unlink();
    if (this.persistTimer !== undefined) clearTimeout(this.persistTimer);
    if (this.pruneTimer !== undefined) clearTimeout(this.pruneTimer);
    for (const timer of this.goneTimers.values()) clearTimeout(timer);
    this.subscribers.clear();
  }

  private async route(verdict: Verdict, command: EngineCommand): Promise<CommandResult> {
    if (!verdict.allowed) {
      const reason = verdict.reason ?? 'Not allowed now.';
      if (command.type === 'start') this.note('error', `Refused to monitor ${command.agent}: ${reason}`, { agent: command.agent });
      if (command.type === 'set-mode') this.note('error', `Refused ${MODE_LABELS[command.mode]}: ${reason}`, { mode: command.mode });
      return { ok: false, reason };
    }
    try {
      // Before it is sent: the engine's events (the session ended) may come before its answer.
      this.options.onCommandSent?.(command, this.state.session);
      await this.sendToEngine(command, true);
      return { ok: true };
    } catch (error) {
      const reason = `The phone engine did not take the command: ${error instanceof Error ? error.message : String(error)}`;
      this.note('error', reason);
      return { ok: false, reason };
    }
  }

  /**
   * Sends a command. A failure of a command nobody waits for (configure,
   * watch, sync) goes to the session log every UI shows, once while it lasts.
   */
  private async sendToEngine(command: EngineCommand, rethrow = false): Promise<void> {
    try {
      await this.options.link.send(command);
      this.lastLinkFailure = '';
    } catch (error) {
      if (rethrow) throw error;
      const what = { configure: 'take its settings', watch: 'watch the portal’s agents', sync: 'report its state' }[command.type as 'configure'] ?? `take ${command.type}`;
      const text = `The phone engine could not ${what}: ${error instanceof Error ? error.message : String(error)}`;
      if (text === this.lastLinkFailure) return;
      this.lastLinkFailure = text;
      this.note('error', text);
    }
  }

  private watchList(): string[] {
    const set = new Set<string>();
    for (const agents of Object.values(this.visible)) for (const a of agents) set.add(a.extension);
    return [...set].sort();
  }

  private appendLog(entries: readonly LogEntry[], commit: boolean): void {
    this.logSeq += entries.length;
    this.state = { ...this.state, log: [...this.state.log, ...entries].slice(-this.logLimit) };
    if (commit) this.commit();
  }

  private commit(): void {
    this.state = { ...this.state, revision: this.state.revision + 1 };
    const publication = this.publication();
    for (const subscriber of this.subscribers) subscriber(publication);
    this.schedulePersist();
  }

  private schedulePersist(): void {
    if (this.persistTimer !== undefined) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      this.write();
    }, this.persistDelayMs);
  }

  private write(): void {
    const value: PersistedCoordinator = {
      state: this.state,
      visible: this.visible,
    };
    // The meter's levels and the revision alone are no reason to write.
    const substance = JSON.stringify({ ...value, state: { ...this.state, revision: 0, session: this.state.session && { ...this.state.session, levels: undefined } } });
    if (substance === this.written) return;
    this.written = substance;
    this.pendingWrite = this.pendingWrite
      .then(() => this.options.store.set(value))
      .catch((error: unknown) => {
        // Next write tries again; meanwhile a restarted worker would restore an older state.
        this.written = '';
        console.warn('[earshot] could not keep the state in storage.session', error);
      });
  }
}
