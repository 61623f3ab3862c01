import type { EngineCommand } from '../contract/engine';
import {
  historySchema,
  mergeLogs,
  pruneHistory,
  type History,
  type HistoryLimits,
  type SessionRecord,
} from '../log/history';
import type { EarshotState, LogEntry } from '../state/snapshot';
import { AuditRecorder, type AuditEvent } from './audit-events';

/** Where the history lives (the extension origin's IndexedDB; memory in tests). */
export interface HistoryStore {
  read(): Promise<unknown>;
  write(history: History): Promise<void>;
  clear(): Promise<void>;
}

export interface SessionHistoryOptions {
  store: HistoryStore;
  /** Whether it is kept on disk and for how long (settings.history, settings.auditRetention). */
  limits: () => HistoryLimits & { enabled: boolean };
  /** A problem worth the supervisor's eyes (the session log every UI shows). */
  onWarning: (text: string) => void;
  now?: () => number;
  /** Writes are gathered: at most one per this many ms. */
  writeDelayMs?: number;
}

const EMPTY: History = { version: 1, sessions: [], log: [] };

/**
 * The session record that outlives the browser: the same derivation as the
 * audit trail (AuditRecorder: a session seen, each confirmed mode, its end)
 * folded into one record per session, plus the log rows the panels show,
 * written to the store after each change and pruned by age and count. With
 * history.enabled false nothing is written and what was kept is erased; the
 * record then lasts as long as the browser.
 */
export class SessionHistory {
  private readonly recorder: AuditRecorder;
  private history: History = EMPTY;
  private loaded = false;
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLogKey = '';
  /** A failed write was reported; the next failures stay quiet until one succeeds (the warning is itself a log row). */
  private writeWarned = false;
  private readonly now: () => number;

  constructor(private readonly options: SessionHistoryOptions) {
    this.now = options.now ?? Date.now;
    // Event ids are the audit trail's concern: the record is keyed by session.
    this.recorder = new AuditRecorder({ newId: () => '', keep: 50, now: () => this.now() });
  }

  /**
   * Reads what an earlier run kept, under what this run already observed.
   * A record that does not read back (another version, a damaged store) is
   * set aside with a warning, never half-used.
   */
  async load(): Promise<History> {
    let saved: History = EMPTY;
    const limits = this.options.limits();
    if (limits.enabled) {
      try {
        const raw = await this.options.store.read();
        if (raw !== undefined) {
          const parsed = historySchema.safeParse(raw);
          if (parsed.success) saved = parsed.data;
          else this.options.onWarning('The saved session record could not be read and was set aside; new sessions are recorded again.');
        }
      } catch (error) {
        this.options.onWarning(`The saved session record could not be read (${error instanceof Error ? error.message : String(error)}).`);
      }
    } else {
      await this.options.store.clear().catch(() => undefined);
    }
    const byId = new Map(saved.sessions.map((s) => [s.id, s]));
    for (const s of this.history.sessions) byId.set(s.id, s);
    this.history = pruneHistory(
      { version: 1, sessions: [...byId.values()].sort((a, b) => a.modes[0]!.at - b.modes[0]!.at), log: mergeLogs(saved.log, this.history.log) },
      limits,
      this.now(),
    );
    this.loaded = true;
    this.scheduleWrite();
    return this.history;
  }

  /** Every published snapshot: new sessions, modes and ends, and new log rows. */
  observe(state: Pick<EarshotState, 'session' | 'user' | 'agents' | 'log'>): void {
    const events = this.recorder.observe(state);
    for (const event of events) this.fold(event);
    const last = state.log.at(-1);
    const logKey = last ? `${state.log.length}|${last.at}|${last.text}` : '';
    const logChanged = logKey !== this.lastLogKey;
    if (logChanged) {
      this.lastLogKey = logKey;
      this.history = { ...this.history, log: mergeLogs(this.history.log, state.log) };
    }
    if (events.length > 0 || logChanged) this.scheduleWrite();
  }

  /** Settings changed: with the record turned off, what was kept on disk is erased. */
  settingsChanged(): void {
    if (!this.options.limits().enabled) void this.options.store.clear().catch(() => undefined);
    else this.scheduleWrite();
  }

  /** The supervisor's own hang-up (the record says who ended the session). */
  commandSent(command: EngineCommand, session: EarshotState['session']): void {
    if (command.type === 'hangup') this.recorder.hangupAsked(session?.id);
  }

  sessions(): readonly SessionRecord[] {
    return this.history.sessions;
  }

  log(): readonly LogEntry[] {
    return this.history.log;
  }

  private fold(event: AuditEvent): void {
    const at = Date.parse(event.at);
    const sessions = [...this.history.sessions];
    const index = sessions.findIndex((s) => s.id === event.sessionId);
    const existing = index >= 0 ? sessions[index] : undefined;
    const record: SessionRecord = existing
      ? { ...existing, modes: [...existing.modes] }
      : { id: event.sessionId, supervisor: event.supervisor, agent: event.agent, modes: [{ mode: event.mode, at }] };
    if (event.otherParty) record.otherParty = event.otherParty;
    if (event.type === 'session.mode') record.modes.push({ mode: event.mode, at });
    if (event.outcome) {
      record.end = at;
      record.outcome =
        event.outcome.result === 'ended'
          ? { result: 'ended', endedBy: event.outcome.endedBy, ...(event.outcome.reason ? { reason: event.outcome.reason } : {}) }
          : { result: 'failed', reason: event.outcome.reason };
    }
    if (index >= 0) sessions[index] = record;
    else sessions.push(record);
    this.history = { ...this.history, sessions };
  }

  private scheduleWrite(): void {
    if (!this.loaded || this.writeTimer !== undefined) return;
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      const limits = this.options.limits();
      if (!limits.enabled) return;
      this.history = pruneHistory(this.history, limits, this.now());
      this.options.store.write(this.history).then(
        () => {
          this.writeWarned = false;
        },
        (error: unknown) => {
          if (this.writeWarned) return;
          this.writeWarned = true;
          this.options.onWarning(`The session record could not be saved (${error instanceof Error ? error.message : String(error)}); it is kept until the browser closes.`);
        },
      );
    }, this.options.writeDelayMs ?? 1000);
  }
}
