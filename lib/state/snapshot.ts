// zod/mini: the same checks as zod, tree-shakable (the content script checks snapshots too).
import { z } from 'zod/mini';
import { MODES, SCOPES } from '../monitor/modes';
import { SESSION_STATUSES } from '../monitor/session-machine';

/*
 * The one state snapshot every UI renders from. State flows one way:
 * engine → coordinator (background) → every UI. UIs send commands; they never
 * hold the truth. Each type is inferred from its schema, which every
 * receiving end checks (lib/messaging).
 */

export const modeSchema = z.enum(MODES);

export const registrationStatusSchema = z.enum(['unconfigured', 'connecting', 'registered', 'reconnecting', 'failed']);
export type RegistrationStatus = z.infer<typeof registrationStatusSchema>;

export const registrationSchema = z.object({
  status: registrationStatusSchema,
  /** Plain-language reason for failed/reconnecting, e.g. "The PBX refused the password (401)". */
  message: z.optional(z.string()),
  /** ms epoch of the last status change. */
  since: z.number(),
});
export type RegistrationState = z.infer<typeof registrationSchema>;

/** Who is signed in to the PBX (from settings / portal), and what they may do. */
export const userSchema = z.object({
  extension: z.optional(z.string()),
  displayName: z.optional(z.string()),
  scope: z.optional(z.enum(SCOPES)),
  /** Per-user grant for DTMF monitoring (tapping code), besides Office Managers. */
  dtmfMonitoringGranted: z.boolean(),
});
export type UserState = z.infer<typeof userSchema>;

export const agentDialogStateSchema = z.enum(['idle', 'early', 'confirmed', 'terminated', 'unknown']);
export type AgentDialogState = z.infer<typeof agentDialogStateSchema>;

export const agentCallStateSchema = z.object({
  extension: z.string(),
  name: z.optional(z.string()),
  dialog: agentDialogStateSchema,
  /** The other party of the agent's call, remembered from the early NOTIFY; undefined = unknown. */
  remote: z.optional(z.object({ uri: z.string(), display: z.optional(z.string()), onNet: z.boolean() })),
  /** ms epoch when the call was confirmed. */
  since: z.optional(z.number()),
});
export type AgentCallState = z.infer<typeof agentCallStateSchema>;

export type { SessionStatus } from '../monitor/session-machine';

const availabilitySchema = z.object({ allowed: z.boolean(), reason: z.optional(z.string()) });

export const sessionSchema = z.object({
  id: z.string(),
  agent: z.object({ extension: z.string(), name: z.optional(z.string()) }),
  status: z.enum(SESSION_STATUSES),
  /** Mode the PBX is in now (confirmed by the engine). */
  mode: modeSchema,
  /** Mode last asked for, while a switch is under way. */
  pendingMode: z.optional(modeSchema),
  /** Availability of each mode with the reason when not available. */
  availability: z.object({ listen: availabilitySchema, whisper: availabilitySchema, barge: availabilitySchema }),
  /** ms epoch the call was answered (timer base). */
  startedAt: z.optional(z.number()),
  /** ms epoch the first audio of the call was heard (the engine watches for it every 20 ms). */
  heardAt: z.optional(z.number()),
  endedAt: z.optional(z.number()),
  /** Plain-language message for failed/reconnecting/ended-by-PBX. */
  message: z.optional(z.string()),
  /** 0..1 levels, refreshed a few times a second while active (their own topic on the UI ports). */
  levels: z.object({ heard: z.number(), sent: z.number() }),
});
export type SessionSnapshot = z.infer<typeof sessionSchema>;

export const microphoneSchema = z.enum(['not-needed', 'unknown', 'granted', 'denied']);
export type MicrophoneState = z.infer<typeof microphoneSchema>;

export const logEntrySchema = z.object({
  at: z.number(),
  kind: z.enum(['start', 'mode', 'end', 'error', 'info']),
  agent: z.optional(z.string()),
  mode: z.optional(modeSchema),
  text: z.string(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const earshotStateSchema = z.object({
  /** Bumped on every change but the levels; UIs drop snapshots older than the one they show. */
  revision: z.int().check(z.nonnegative()),
  configured: z.boolean(),
  registration: registrationSchema,
  user: userSchema,
  /** Agents whose call state Earshot knows, keyed by extension. */
  agents: z.record(z.string(), agentCallStateSchema),
  /** The current (or last ended/failed) monitor session; null when none yet. */
  session: z.nullable(sessionSchema),
  microphone: microphoneSchema,
  /** Newest last; bounded by settings.auditRetention. */
  log: z.array(logEntrySchema),
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
