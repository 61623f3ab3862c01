// zod/mini: the same checks as zod, tree-shakable (the content script checks snapshots too).
import { z } from 'zod/mini';
import { SCOPES } from '../monitor/modes';
import {
  agentCallStateSchema,
  auditStatusSchema,
  logEntrySchema,
  microphoneStateSchema,
  registrationStateSchema,
  sessionSnapshotSchema,
  type LogEntry,
} from '../contract/state';

// The pieces are zod schemas in lib/contract/state.ts (the engine reports them); their types are derived there.
export type {
  AgentCallState,
  AgentDialogState,
  AuditStatus,
  LogEntry,
  MicrophoneState,
  RegistrationState,
  RegistrationStatus,
  SessionSnapshot,
} from '../contract/state';
export type { SessionStatus } from '../monitor/session-machine';

/*
 * The one state snapshot every UI renders from. State flows one way:
 * engine → coordinator (background) → every UI. UIs send commands; they never
 * hold the truth. Each type is inferred from its schema, which every
 * receiving end checks (lib/messaging).
 */

/** Who is signed in to the PBX (from settings / portal), and what they may do. */
export const userSchema = z.object({
  extension: z.optional(z.string()),
  displayName: z.optional(z.string()),
  scope: z.optional(z.enum(SCOPES)),
  /** Per-user grant for DTMF monitoring (tapping code), besides Office Managers. */
  dtmfMonitoringGranted: z.boolean(),
  /** What the portal page says: false when it gives the user signed in to it no monitoring at all (lib/monitor/authority.ts). */
  monitorRight: z.optional(z.boolean()),
});
export type UserState = z.infer<typeof userSchema>;

export const earshotStateSchema = z.object({
  /** Bumped on every change but the levels; UIs drop snapshots older than the one they show. */
  revision: z.int().check(z.nonnegative()),
  configured: z.boolean(),
  registration: registrationStateSchema,
  user: userSchema,
  /** Agents whose call state Earshot knows, keyed by extension. */
  agents: z.record(z.string(), agentCallStateSchema),
  /** The current (or last ended/failed) monitor session; null when none yet. */
  session: z.nullable(sessionSnapshotSchema),
  microphone: microphoneStateSchema,
  /** Newest last; bounded by settings.auditRetention. */
  log: z.array(logEntrySchema),
  /** The audit trail's delivery (lib/coordinator/audit-queue.ts); absent without an audit endpoint. */
  audit: z.optional(auditStatusSchema),
});
export type EarshotState = z.infer<typeof earshotStateSchema>;

/** The parts of the state an engine event replaces. */
type EngineParts = Pick<EarshotState, 'registration' | 'agents' | 'session' | 'microphone'>;

const withoutLevels = (state: EngineParts) =>
  JSON.stringify([state.registration, state.agents, state.microphone, state.session && { ...state.session, levels: undefined }]);

/**
 * True when `next` differs from `previous` in the session's levels alone (and
 * brings no log entries): the change that goes on the levels topic, is not
 * persisted, and bumps no revision.
 */
export function onlyLevelsChanged(previous: EngineParts, next: EngineParts & { newLog?: readonly LogEntry[] }): boolean {
  if ((next.newLog?.length ?? 0) > 0 || !previous.session || !next.session) return false;
  return previous.session.id === next.session.id && withoutLevels(previous) === withoutLevels(next);
}
