import type { Mode, Scope } from '../monitor/modes';
import type { SessionStatus } from '../monitor/session-machine';

/**
 * The one state snapshot every UI renders from. State flows one way:
 * engine → coordinator (background) → every UI, always as a whole snapshot.
 * UIs send commands; they never hold the truth.
 */
export interface EarshotState {
  /** Bumped on every change; UIs drop snapshots older than the one they show. */
  revision: number;
  configured: boolean;
  registration: RegistrationState;
  /** Who is signed in to the PBX (from settings / portal), and what they may do. */
  user: UserState;
  /** Agents whose call state Earshot knows, keyed by extension. */
  agents: Record<string, AgentCallState>;
  /** The current (or last ended/failed) monitor session; null when none yet. */
  session: SessionSnapshot | null;
  microphone: MicrophoneState;
  /** Newest last; bounded by settings.auditRetention. */
  log: LogEntry[];
}

export type RegistrationStatus =
  | 'unconfigured'
  | 'connecting'
  | 'registered'
  | 'reconnecting'
  | 'failed';

export interface RegistrationState {
  status: RegistrationStatus;
  /** Plain-language reason for failed/reconnecting, e.g. "The PBX refused the password (401)". */
  message?: string;
  /** ms epoch of the last status change. */
  since: number;
}

export interface UserState {
  extension?: string;
  displayName?: string;
  scope?: Scope;
  /** Per-user grant for DTMF monitoring (tapping code), besides Office Managers. */
  dtmfMonitoringGranted: boolean;
}

export type AgentDialogState = 'idle' | 'early' | 'confirmed' | 'terminated' | 'unknown';

export interface AgentCallState {
  extension: string;
  name?: string;
  dialog: AgentDialogState;
  /** The other party of the agent's call, remembered from the early NOTIFY; undefined = unknown. */
  remote?: { uri: string; display?: string; onNet: boolean };
  /** ms epoch when the call was confirmed. */
  since?: number;
}

export type { SessionStatus } from '../monitor/session-machine';

export interface SessionSnapshot {
  id: string;
  agent: { extension: string; name?: string };
  status: SessionStatus;
  /** Mode the PBX is in now (confirmed by the engine). */
  mode: Mode;
  /** Mode last asked for, while a switch is under way. */
  pendingMode?: Mode;
  /** Availability of each mode with the reason when not available. */
  availability: Record<Mode, { allowed: boolean; reason?: string }>;
  /** ms epoch the call was answered (timer base). */
  startedAt?: number;
  /** ms epoch the first audio of the call was heard. */
  heardAt?: number;
  endedAt?: number;
  /** Plain-language message for failed/reconnecting/ended-by-PBX. */
  message?: string;
  /** 0..1 levels, refreshed a few times a second while active. */
  levels: { heard: number; sent: number };
}

export type MicrophoneState = 'not-needed' | 'unknown' | 'granted' | 'denied';

export interface LogEntry {
  at: number;
  kind: 'start' | 'mode' | 'end' | 'error' | 'info';
  agent?: string;
  mode?: Mode;
  text: string;
}

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
