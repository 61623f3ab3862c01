// zod/mini: the same checks as zod, tree-shakable, so the content script stays small.
import { z } from 'zod/mini';
import { MODES } from '../monitor/modes';
import { SESSION_STATUSES } from '../monitor/session-machine';

/**
 * The pieces of state the engine reports and every UI renders, as zod
 * schemas; their types are derived from them (`z.infer`), never written
 * again. lib/state/snapshot.ts composes them into the UIs' snapshot.
 */

export const modeSchema = z.enum(MODES);

export const REGISTRATION_STATUSES = ['unconfigured', 'connecting', 'registered', 'reconnecting', 'failed'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const registrationStateSchema = z.object({
  status: z.enum(REGISTRATION_STATUSES),
  /** Plain-language reason for failed/reconnecting, e.g. "The PBX refused the password (401)". */
  message: z.optional(z.string()),
  /** ms epoch of the last status change. */
  since: z.number(),
});
export type RegistrationState = z.infer<typeof registrationStateSchema>;

export const AGENT_DIALOG_STATES = ['idle', 'early', 'confirmed', 'terminated', 'unknown'] as const;
export const agentDialogStateSchema = z.enum(AGENT_DIALOG_STATES);
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

const availabilitySchema = z.object({ allowed: z.boolean(), reason: z.optional(z.string()) });

export const sessionSnapshotSchema = z.object({
  id: z.string(),
  agent: z.object({ extension: z.string(), name: z.optional(z.string()) }),
  status: z.enum(SESSION_STATUSES),
  /** Mode the PBX is in now (confirmed by the engine). */
  mode: modeSchema,
  /** Mode last asked for, while a switch is under way. */
  pendingMode: z.optional(modeSchema),
  /** Availability of each mode with the reason when not available (lib/monitor/authority.ts). */
  availability: z.object({
    listen: availabilitySchema,
    whisper: availabilitySchema,
    barge: availabilitySchema,
  }),
  /** ms epoch the call was answered (timer base). */
  startedAt: z.optional(z.number()),
  /** When the first audio of the call was heard (the engine watches for it every 20 ms). */
  heardAt: z.optional(z.number()),
  endedAt: z.optional(z.number()),
  /** Plain-language message for failed/reconnecting/ended-by-PBX. */
  message: z.optional(z.string()),
  /** 0..1 levels, refreshed a few times a second while active. */
  levels: z.object({ heard: z.number(), sent: z.number() }),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;

export const microphoneStateSchema = z.enum(['not-needed', 'unknown', 'granted', 'denied']);
export type MicrophoneState = z.infer<typeof microphoneStateSchema>;

export const logEntrySchema = z.object({
  at: z.number(),
  kind: z.enum(['start', 'mode', 'end', 'error', 'info']),
  agent: z.optional(z.string()),
  mode: z.optional(modeSchema),
  text: z.string(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

/**
 * The audit trail's delivery as the UIs show it (no endpoint, no token: only
 * counts, times and the last problem). Absent when no audit endpoint is set.
 */
export const auditStatusSchema = z.object({
  /** Events recorded and not yet accepted by the endpoint. */
  pending: z.int().check(z.nonnegative()),
  /** ms epoch of the first failed attempt of the current outage; absent while deliveries succeed. */
  unreachableSince: z.optional(z.number()),
  /** The last failure, in plain language ("HTTP 503", "network error"). */
  lastError: z.optional(z.string()),
  /** ms epoch of the next attempt while waiting to retry. */
  nextAttemptAt: z.optional(z.number()),
  /** Oldest events dropped because the queue was full (since this browser profile started keeping them). */
  dropped: z.int().check(z.nonnegative()),
  /** Events the endpoint refused (4xx other than 408/429), dropped; the last reason. */
  rejected: z.int().check(z.nonnegative()),
  lastRejection: z.optional(z.string()),
});
export type AuditStatus = z.infer<typeof auditStatusSchema>;
