import type { Mode } from '../monitor/modes';
import type {
  AgentCallState,
  LogEntry,
  MicrophoneState,
  RegistrationState,
  SessionSnapshot,
} from '../state/snapshot';

/**
 * The contract between the coordinator (background) and the phone engine,
 * whatever hosts the engine (Chrome offscreen document, Firefox background
 * page). The engine has no storage access: everything it needs arrives in
 * {@link EngineConfig}. Secrets (the SIP password) travel only on this path,
 * never to content scripts.
 */
export interface EngineConfig {
  sip: {
    /** wss:// (or ws:// on loopback) URL of the PBX's SIP WebSocket. */
    wsUrl: string;
    /** SIP domain, e.g. pbx.example.com. */
    domain: string;
    /** The supervisor's own extension / SIP user. */
    username: string;
    /** Digest auth user when it differs from username. */
    authorizationUsername?: string;
    password: string;
    displayName?: string;
  };
  /** PBX profile id and the deployment's overrides (see lib/pbx). */
  profile: { id: ProfileId; overrides: ProfileOverrides };
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  /** Regular expression source; a remote user part matching it (at the PBX domain) is on-net. */
  onNetPattern: string;
  /** Whisper when the agent's counterpart is unknown (never seen in an early NOTIFY). */
  whisperWhenUnknown: 'allow' | 'deny';
  /** Caller ids of PBX-originated monitor calls that are auto-answered (NetSapiens model). */
  autoAnswer: boolean;
}

export const PROFILE_IDS = [
  'asterisk-chanspy',
  'asterisk-per-mode',
  'freeswitch-eavesdrop',
  'netsapiens-tapping',
  'custom',
] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export type DtmfMethod = 'rfc4733' | 'info';

/** What a deployment may change in a profile. Every field optional. */
export interface ProfileOverrides {
  /** Dial prefix placed before the agent extension, e.g. '*222'. */
  dialPrefix?: string;
  /** Per-mode code: DTMF digits (switch by DTMF) or a dial prefix (re-dial profiles). */
  modeCodes?: Partial<Record<Mode, string>>;
  dtmfMethod?: DtmfMethod;
  /** PIN sent as DTMF after answer (FreeSWITCH/FusionPBX). */
  pin?: string;
  /** Tapping code for DTMF monitoring (NetSapiens style); replaces the dial prefix. */
  tappingCode?: string;
  /** How modes are selected: DTMF on one call, or a re-dial with each mode's code (custom profiles). */
  switchBy?: 'dtmf' | 'redial';
  /** The PBX ends the monitor call when the agent's call ends. */
  endsWithAgent?: boolean;
  /** The PBX calls Earshot's device for monitoring (auto-answer model). */
  pbxOriginates?: boolean;
}

/** Commands the coordinator sends to the engine. */
export type EngineCommand =
  | { type: 'configure'; config: EngineConfig | null }
  /** Extensions whose dialog state matters now (visible in a portal, or watched). */
  | { type: 'watch'; extensions: string[] }
  | { type: 'start'; agent: string; name?: string }
  | { type: 'set-mode'; mode: Mode }
  | { type: 'hangup' }
  | { type: 'set-output'; deviceId?: string; volume?: number }
  /** Sent by the coordinator when it (re)starts, to get a full state back. */
  | { type: 'sync' };

/** What the engine reports. Always whole pieces of state, never deltas. */
export type EngineEvent = {
  type: 'state';
  registration: RegistrationState;
  agents: Record<string, AgentCallState>;
  session: SessionSnapshot | null;
  microphone: MicrophoneState;
  /** Entries added since the previous event (the coordinator keeps the log). */
  newLog: LogEntry[];
};
