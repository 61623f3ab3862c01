import { z } from 'zod';
import { isValidExtension, MAX_EXTENSION_LENGTH } from '../pbx/extension';
import { MODES, SCOPES } from '../monitor/modes';
import { PROFILE_IDS, type EngineCommand, type EngineEvent } from '../phone/engine-api';
import type { EarshotState } from '../state/snapshot';

/**
 * An agent extension as a portal shows it. It ends up in a SIP request URI
 * (dial prefix + extension), so nothing that could change the URI's meaning
 * (`@`, `;`, `:`, `?`, spaces) gets through.
 */
export const agentExtensionSchema = z.string().trim().refine(isValidExtension, `not an extension (digits only, at most ${MAX_EXTENSION_LENGTH})`);

/** An extension monitored by tapping code: sent as DTMF digits, so digits only. */
export const dtmfExtensionSchema = agentExtensionSchema;

/** A display name scraped from a portal row: plain text, bounded. */
export const agentNameSchema = z.string().trim().min(1).max(120);

export const modeSchema = z.enum(MODES);

/** Payload of a start request from an extension page. */
export const startPayloadSchema = z.strictObject({
  agent: agentExtensionSchema,
  name: agentNameSchema.optional(),
});

/**
 * Payload of a start request from a content script. `trusted` is the content
 * script's word that `event.isTrusted` was true on a click inside Earshot's
 * own (closed shadow root) UI; a page script cannot reach that message path.
 */
export const contentStartPayloadSchema = z.strictObject({
  agent: agentExtensionSchema,
  name: agentNameSchema.optional(),
  trusted: z.literal(true),
});

export const setModePayloadSchema = z.strictObject({ mode: modeSchema });
export const monitorExtensionPayloadSchema = z.strictObject({ extension: dtmfExtensionSchema });
/** Messages without data: undefined or an empty object. */
export const emptyPayloadSchema = z.union([z.undefined(), z.null(), z.strictObject({})]);

export const agentDialogStateSchema = z.enum(['idle', 'early', 'confirmed', 'terminated', 'unknown']);

/** One agent row a portal adapter sees. */
export const visibleAgentSchema = z.strictObject({
  extension: agentExtensionSchema,
  name: agentNameSchema.optional(),
});

/** The agents visible in one portal frame; replaces what that frame reported before. */
export const reportAgentsPayloadSchema = z.strictObject({
  agents: z.array(visibleAgentSchema).max(500),
});

// ---- State (snapshot) schemas: the engine's events and the UI's snapshots ----

const registrationSchema = z.object({
  status: z.enum(['unconfigured', 'connecting', 'registered', 'reconnecting', 'failed']),
  message: z.string().optional(),
  since: z.number(),
});

const agentCallStateSchema = z.object({
  extension: z.string(),
  name: z.string().optional(),
  dialog: agentDialogStateSchema,
  remote: z
    .object({ uri: z.string(), display: z.string().optional(), onNet: z.boolean() })
    .optional(),
  since: z.number().optional(),
});

const availabilitySchema = z.object({ allowed: z.boolean(), reason: z.string().optional() });

const sessionSchema = z.object({
  id: z.string(),
  agent: z.object({ extension: z.string(), name: z.string().optional() }),
  status: z.enum(['idle', 'connecting', 'active', 'reconnecting', 'ending', 'ended', 'failed']),
  mode: modeSchema,
  pendingMode: modeSchema.optional(),
  availability: z.object({
    listen: availabilitySchema,
    whisper: availabilitySchema,
    barge: availabilitySchema,
  }),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  message: z.string().optional(),
  levels: z.object({ heard: z.number(), sent: z.number() }),
});

const microphoneSchema = z.enum(['not-needed', 'unknown', 'granted', 'denied']);

export const logEntrySchema = z.object({
  at: z.number(),
  kind: z.enum(['start', 'mode', 'end', 'error', 'info']),
  agent: z.string().optional(),
  mode: modeSchema.optional(),
  text: z.string(),
});

/** The whole snapshot, checked by UIs on what arrives over their port. */
export const earshotStateSchema = z.object({
  revision: z.number().int().nonnegative(),
  configured: z.boolean(),
  registration: registrationSchema,
  user: z.object({
    extension: z.string().optional(),
    displayName: z.string().optional(),
    scope: z.enum(SCOPES).optional(),
    dtmfMonitoringGranted: z.boolean(),
  }),
  agents: z.record(z.string(), agentCallStateSchema),
  session: sessionSchema.nullable(),
  microphone: microphoneSchema,
  log: z.array(logEntrySchema),
});

/** What the engine reports (lib/phone/engine-api.ts). */
export const engineEventSchema = z.object({
  type: z.literal('state'),
  registration: registrationSchema,
  agents: z.record(z.string(), agentCallStateSchema),
  session: sessionSchema.nullable(),
  microphone: microphoneSchema,
  newLog: z.array(logEntrySchema),
});

const engineConfigSchema = z.object({
  sip: z.object({
    wsUrl: z.string(),
    domain: z.string(),
    username: z.string(),
    authorizationUsername: z.string().optional(),
    password: z.string(),
    displayName: z.string().optional(),
  }),
  profile: z.object({
    id: z.enum(PROFILE_IDS),
    overrides: z.object({
      dialPrefix: z.string().optional(),
      modeCodes: z.partialRecord(modeSchema, z.string()).optional(),
      dtmfMethod: z.enum(['rfc4733', 'info']).optional(),
      pin: z.string().optional(),
      tappingCode: z.string().optional(),
    }),
  }),
  iceServers: z.array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  ),
  onNetPattern: z.string(),
  whisperWhenUnknown: z.enum(['allow', 'deny']),
  autoAnswer: z.boolean(),
});

/** What the coordinator sends the engine (lib/phone/engine-api.ts). */
export const engineCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('configure'), config: engineConfigSchema.nullable() }),
  z.object({ type: z.literal('watch'), extensions: z.array(z.string()) }),
  z.object({ type: z.literal('start'), agent: z.string(), name: z.string().optional() }),
  z.object({ type: z.literal('set-mode'), mode: modeSchema }),
  z.object({ type: z.literal('hangup') }),
  z.object({
    type: z.literal('set-output'),
    deviceId: z.string().optional(),
    volume: z.number().optional(),
  }),
  z.object({ type: z.literal('sync') }),
]);

// Compile-time guards: the schemas must produce exactly the contract types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _stateMatches: Same<z.infer<typeof earshotStateSchema>, EarshotState> = true;
const _eventMatches: Same<z.infer<typeof engineEventSchema>, EngineEvent> = true;
const _commandMatches: Same<z.infer<typeof engineCommandSchema>, EngineCommand> = true;
