import type { Scope } from '../monitor/modes';
import type { AgentCallState, LogEntry, MicrophoneState, RegistrationState, SessionSnapshot } from '../contract/state';

// The pieces are zod schemas in lib/contract/state.ts (the engine reports them); their types are derived there.
export type {
  AgentCallState,
  AgentDialogState,
  LogEntry,
  MicrophoneState,
  RegistrationState,
  RegistrationStatus,
  SessionSnapshot,
} from '../contract/state';
export type { SessionStatus } from '../monitor/session-machine';

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

export interface UserState {
  extension?: string;
  displayName?: string;
  scope?: Scope;
  /** Per-user grant for DTMF monitoring (tapping code), besides Office Managers. */
  dtmfMonitoringGranted: boolean;
}
