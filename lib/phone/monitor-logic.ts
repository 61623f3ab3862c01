import type { Mode } from '../monitor/modes';
import type { AgentCallState, MicrophoneState, SessionStatus } from '../state/snapshot';
import type { Verdict } from '../monitor/rules';
import type { PlanAction } from '../pbx/plan';
import type { EngineConfig } from '../contract/engine';

export type { PlanAction } from '../pbx/plan';

/** Per-mode availability with the reason when not available. */
export type Availability = Record<Mode, Verdict>;

/** The coalescing mode queue (lib/monitor/mode-queue) as the engine uses it. */
export interface ModeQueuePort {
  /** Asks for a mode; fast repeated asks coalesce so the PBX ends in the last one. */
  request(mode: Mode): void;
  /** The mode the PBX is in (the last switch that succeeded): the one place the session's mode lives. */
  current(): Mode;
  /** The mode last asked for while a switch is under way, else undefined. */
  pending(): Mode | undefined;
  /** Stops applying further switches (the session ended). */
  close(): void;
}

/**
 * The pure logic the engine relies on, from lib/monitor (rules, session
 * machine, mode queue) and lib/pbx (profiles, plans). Injected so the engine
 * stays the sip.js layer only; {@link defaultMonitorLogic} wires the real ones.
 */
export interface MonitorLogic {
  /** Actions that start monitoring `agent` (dial target, PIN, …). */
  startPlan(config: EngineConfig, agent: string): PlanAction[];
  /** Actions that take the PBX from one mode to another (DTMF digits, or a re-dial); throws for a mode not available. */
  modePlan(config: EngineConfig, agent: string, from: Mode, to: Mode, availability: Availability): PlanAction[];
  /** True when the profile ends the session once the agent's call ends; false keeps it (NetSapiens). */
  endsWithAgent(config: EngineConfig): boolean;
  /** True when the PBX answers the monitor call and hangs up at once when the agent has no call (FreeSWITCH eavesdrop). */
  hangsUpWithoutCall(config: EngineConfig): boolean;
  /** On-net classification of a remote party's URI. */
  isOnNet(uri: string, config: EngineConfig): boolean;
  /** Which modes are available now, with reasons. */
  availability(input: { agent: AgentCallState | undefined; config: EngineConfig; microphone: MicrophoneState }): Availability;
  /** Checked session status transition; throws on an impossible one. */
  transition(from: SessionStatus, to: SessionStatus): SessionStatus;
  /** A coalescing queue that calls `apply(from, to)` one switch at a time. */
  createModeQueue(options: {
    initial: Mode;
    apply: (from: Mode, to: Mode) => Promise<void>;
    onChange: () => void;
  }): ModeQueuePort;
}
