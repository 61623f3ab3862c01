// zod/mini: the same checks as zod, tree-shakable, so the content script stays small.
import { z } from 'zod/mini';
import {
  agentCallStateSchema,
  logEntrySchema,
  microphoneStateSchema,
  modeSchema,
  registrationStateSchema,
  sessionSnapshotSchema,
} from './state';

/**
 * The contract between the coordinator (background) and the phone engine,
 * whatever hosts the engine (Chrome offscreen document, Firefox background
 * page): its configuration, the PBX profile ids and DTMF methods, the
 * commands it takes and the events it sends. Each is a zod schema and its
 * type is derived from it, written once. lib/pbx, lib/phone, lib/settings,
 * lib/coordinator and lib/messaging import it; it imports only the model
 * (lib/monitor's modes, ./state).
 *
 * The engine has no storage access: everything it needs arrives in
 * {@link EngineConfig}. Secrets (the SIP password) travel only on this path,
 * never to content scripts.
 */

export const PROFILE_IDS = [
  'asterisk-chanspy',
  'asterisk-per-mode',
  'freeswitch-eavesdrop',
  'fusionpbx-eavesdrop-button',
  'netsapiens-tapping',
  'custom',
] as const;
export const profileIdSchema = z.enum(PROFILE_IDS);
export type ProfileId = z.infer<typeof profileIdSchema>;

export const DTMF_METHODS = ['rfc4733', 'info'] as const;
export const dtmfMethodSchema = z.enum(DTMF_METHODS);
export type DtmfMethod = z.infer<typeof dtmfMethodSchema>;

/** What a deployment may change in a profile. Every field optional. */
export const profileOverridesSchema = z.object({
  /** Dial prefix placed before the agent extension, e.g. '*222'. */
  dialPrefix: z.optional(z.string()),
  /** Per-mode code: DTMF digits (switch by DTMF) or a dial prefix (re-dial profiles). */
  modeCodes: z.optional(z.partialRecord(modeSchema, z.string())),
  dtmfMethod: z.optional(dtmfMethodSchema),
  /** PIN sent as DTMF after answer (FreeSWITCH/FusionPBX). */
  pin: z.optional(z.string()),
  /** Tapping code for DTMF monitoring (NetSapiens style); replaces the dial prefix. */
  tappingCode: z.optional(z.string()),
  /** How modes are selected: DTMF on one call, or a re-dial with each mode's code (custom profiles). */
  switchBy: z.optional(z.enum(['dtmf', 'redial'])),
  /** The PBX ends the monitor call when the agent's call ends. */
  endsWithAgent: z.optional(z.boolean()),
});
export type ProfileOverrides = z.infer<typeof profileOverridesSchema>;

export const engineConfigSchema = z.object({
  sip: z.object({
    /** wss:// (or ws:// on loopback) URL of the PBX's SIP WebSocket. */
    wsUrl: z.string(),
    /** SIP domain, e.g. pbx.example.com. */
    domain: z.string(),
    /** The supervisor's own extension / SIP user. */
    username: z.string(),
    /** Digest auth user when it differs from username. */
    authorizationUsername: z.optional(z.string()),
    password: z.string(),
    displayName: z.optional(z.string()),
  }),
  /** PBX profile id and the deployment's overrides (see lib/pbx). */
  profile: z.object({ id: profileIdSchema, overrides: profileOverridesSchema }),
  iceServers: z.array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.optional(z.string()),
      credential: z.optional(z.string()),
    }),
  ),
  /** Regular expression source; a remote user part matching it (at the PBX domain) is on-net. */
  onNetPattern: z.string(),
  /** Whisper when the agent's counterpart is unknown (never seen in an early NOTIFY). */
  whisperWhenUnknown: z.enum(['allow', 'deny']),
});
export type EngineConfig = z.infer<typeof engineConfigSchema>;

/** Commands the coordinator sends to the engine. */
export const engineCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('configure'), config: z.nullable(engineConfigSchema) }),
  /** Extensions whose dialog state matters now (visible in a portal, or watched). */
  z.object({
    type: z.literal('watch'),
    extensions: z.array(z.string()),
    /**
     * The other party of an agent's call as the portal shows it, already classified on-net or off-net
     * (lib/portals/on-net.ts): used only while the PBX's dialog-info names nobody (a call that was up
     * before Earshot watched the agent); the PBX's own remote identity always wins.
     */
    parties: z.optional(z.record(z.string(), z.object({ uri: z.string(), onNet: z.boolean() }))),
  }),
  z.object({ type: z.literal('start'), agent: z.string(), name: z.optional(z.string()) }),
  z.object({ type: z.literal('set-mode'), mode: modeSchema }),
  z.object({ type: z.literal('hangup') }),
  /**
   * The portal refused the monitor request Earshot made for the session (a profile the PBX calls back
   * on): the session that waits for the PBX's call fails with the portal's own words.
   */
  z.object({ type: z.literal('portal-refused'), agent: z.string(), reason: z.string() }),
  z.object({
    type: z.literal('set-output'),
    deviceId: z.optional(z.string()),
    volume: z.optional(z.number()),
  }),
  /** Sent by the coordinator when it (re)starts, to get a full state back. */
  z.object({ type: z.literal('sync') }),
]);
export type EngineCommand = z.infer<typeof engineCommandSchema>;

/** What the engine reports. Always whole pieces of state, never deltas. */
export const engineEventSchema = z.object({
  type: z.literal('state'),
  registration: registrationStateSchema,
  agents: z.record(z.string(), agentCallStateSchema),
  session: z.nullable(sessionSnapshotSchema),
  microphone: microphoneStateSchema,
  /** Entries added since the previous event (the coordinator keeps the log). */
  newLog: z.array(logEntrySchema),
});
export type EngineEvent = z.infer<typeof engineEventSchema>;
