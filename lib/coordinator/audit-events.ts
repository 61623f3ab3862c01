import type { Mode } from '../monitor/modes';
import type { EarshotState } from '../state/snapshot';

/**
 * The audit trail's events, derived from the coordinator's snapshots: a
 * session seen for the first time, each confirmed mode change, its end or
 * failure. Pure: the ids and the clock are injected. The JSON each event
 * becomes is documented in docs/admin-guide.md ("Audit trail").
 */

export const AUDIT_SCHEMA = 'earshot.audit/1';

export type AuditEventType = 'session.started' | 'session.mode' | 'session.ended' | 'session.failed';

export interface AuditParty {
  extension: string;
  name?: string;
}

export interface AuditEvent {
  schema: typeof AUDIT_SCHEMA;
  /** A UUID, fixed when the event is recorded: every retry carries the same one (the receiver drops duplicates by it). */
  id: string;
  type: AuditEventType;
  /** When it happened, ISO 8601 (UTC). */
  at: string;
  /** The session's id (the engine's), the same in each of its events. */
  sessionId: string;
  /** 0, 1, 2… within the session: the order the events happened in (they are also sent in it). */
  seq: number;
  supervisor: Partial<AuditParty>;
  agent: AuditParty;
  /** The agent's other party, when the PBX's dialog-info named it. */
  otherParty?: { uri: string; display?: string; onNet: boolean };
  /** The mode in force after the event (started: the first mode; mode: the new one). */
  mode: Mode;
  /** session.mode: the mode before. */
  previousMode?: Mode;
  /** session.ended / session.failed. */
  outcome?: { result: 'ended'; endedBy: 'supervisor' | 'remote'; reason?: string } | { result: 'failed'; reason: string };
}

/** What the recorder remembers per session, kept with the queue so a restarted worker neither repeats nor misses one. */
export interface RecordedSession {
  mode: Mode;
  seq: number;
  closed: boolean;
  /** The supervisor asked to hang up this session. */
  hangupAsked?: boolean;
}

export type RecorderMemory = Record<string, RecordedSession>;

export interface AuditRecorderOptions {
  newId: () => string;
  now?: () => number;
  /** Sessions remembered (the newest); older ones are forgotten. */
  keep?: number;
}

/**
 * Turns successive snapshots into audit events. Feed it every published
 * snapshot ({@link observe}) and the supervisor's hang-up ({@link hangupAsked}).
 */
export class AuditRecorder {
  private memory: RecorderMemory = {};
  private readonly now: () => number;
  private readonly keep: number;

  constructor(private readonly options: AuditRecorderOptions) {
    this.now = options.now ?? Date.now;
    this.keep = options.keep ?? 20;
  }

  /** Replaces what the recorder remembers (loaded after a worker restart). */
  load(memory: RecorderMemory): void {
    this.memory = { ...memory, ...this.memory };
  }

  /** What to persist with the queue. */
  remembered(): RecorderMemory {
    return this.memory;
  }

  /** The supervisor hung up the current session (ended by the supervisor, not by the other side). */
  hangupAsked(sessionId: string | undefined): void {
    const recorded = sessionId ? this.memory[sessionId] : undefined;
    if (recorded && !recorded.closed) recorded.hangupAsked = true;
  }

  /** The events this snapshot brings, in order (none when nothing of substance changed). */
  observe(state: Pick<EarshotState, 'session' | 'user' | 'agents'>): AuditEvent[] {
    const session = state.session;
    if (!session) return [];
    const events: AuditEvent[] = [];
    let recorded = this.memory[session.id];
    const emit = (type: AuditEventType, extra: Partial<AuditEvent> = {}) => {
      const rec = this.memory[session.id] as RecordedSession;
      const remote = state.agents[session.agent.extension]?.remote;
      events.push({
        schema: AUDIT_SCHEMA,
        id: this.options.newId(),
        type,
        at: new Date(this.now()).toISOString(),
        sessionId: session.id,
        seq: rec.seq++,
        supervisor: {
          ...(state.user.extension ? { extension: state.user.extension } : {}),
          ...(state.user.displayName ? { name: state.user.displayName } : {}),
        },
        agent: { extension: session.agent.extension, ...(session.agent.name ? { name: session.agent.name } : {}) },
        ...(remote ? { otherParty: { uri: remote.uri, ...(remote.display ? { display: remote.display } : {}), onNet: remote.onNet } } : {}),
        mode: session.mode,
        ...extra,
      });
    };
    if (!recorded) {
      recorded = { mode: session.mode, seq: 0, closed: false };
      this.memory[session.id] = recorded;
      this.forgetOld();
      emit('session.started');
    } else if (recorded.closed) {
      return [];
    }
    if (session.status === 'active' && session.mode !== recorded.mode) {
      const previousMode = recorded.mode;
      recorded.mode = session.mode;
      emit('session.mode', { previousMode });
    }
    if (session.status === 'ended') {
      recorded.closed = true;
      const reason = session.message;
      emit('session.ended', {
        outcome: { result: 'ended', endedBy: recorded.hangupAsked ? 'supervisor' : 'remote', ...(reason ? { reason } : {}) },
      });
    } else if (session.status === 'failed') {
      recorded.closed = true;
      emit('session.failed', { outcome: { result: 'failed', reason: session.message ?? 'The monitor call failed.' } });
    }
    return events;
  }

  private forgetOld(): void {
    const ids = Object.keys(this.memory);
    for (const id of ids.slice(0, Math.max(0, ids.length - this.keep))) delete this.memory[id];
  }
}
