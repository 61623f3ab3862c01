// zod/mini: the same checks as zod, tree-shakable, so the content script stays small.
import { z } from 'zod/mini';
import { isValidExtension, MAX_EXTENSION_LENGTH } from '../contract/extension';
import { SCOPES } from '../monitor/modes';
import { agentCallStateSchema, logEntrySchema, microphoneStateSchema, modeSchema, registrationStateSchema, sessionSnapshotSchema } from '../contract/state';
import type { EarshotState } from '../state/snapshot';

/**
 * An agent extension as a portal shows it. It ends up in a SIP request URI
 * (dial prefix + extension), so nothing that could change the URI's meaning
 * (`@`, `;`, `:`, `?`, spaces) gets through.
 */
export const agentExtensionSchema = z.string().check(z.trim(), z.refine(isValidExtension, `not an extension (digits only, at most ${MAX_EXTENSION_LENGTH})`));

/** An extension monitored by tapping code: sent as DTMF digits, so digits only. */
export const dtmfExtensionSchema = agentExtensionSchema;

/** A display name scraped from a portal row: plain text, bounded. */
export const agentNameSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));


/** Payload of a start request from an extension page. */
export const startPayloadSchema = z.strictObject({
  agent: agentExtensionSchema,
  name: z.optional(agentNameSchema),
});

/**
 * Payload of a start request from the content script: the agent, as from a
 * page. It carries no word that a user clicked: the background could not
 * check such a word, so it gets none. What keeps a portal page from starting
 * a session is elsewhere: the content script asks only after a click whose
 * `isTrusted` is true on Earshot's own icon in a closed shadow root
 * (IconManager's click handler, lib/portals/icons.ts); page scripts cannot
 * send extension messages; and the background takes this one only from
 * Earshot's content script at a configured portal origin (senders.ts), then
 * applies the rules.
 */
export const contentStartPayloadSchema = startPayloadSchema;

export const setModePayloadSchema = z.strictObject({ mode: modeSchema });
export const monitorExtensionPayloadSchema = z.strictObject({ extension: dtmfExtensionSchema });
/** Messages without data: undefined or an empty object. */
export const emptyPayloadSchema = z.union([z.undefined(), z.null(), z.strictObject({})]);

/** One agent row a portal adapter sees. */
export const visibleAgentSchema = z.strictObject({
  extension: agentExtensionSchema,
  name: z.optional(agentNameSchema),
  /** The other party of the agent's call as the portal shows it (lib/portals/on-net.ts classifies it). */
  otherParty: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
});

/** The agents visible in one portal frame; replaces what that frame reported before. */
export const reportAgentsPayloadSchema = z.strictObject({
  agents: z.array(visibleAgentSchema).check(z.maxLength(500)),
});

// ---- State (snapshot): its pieces are the engine contract's (lib/contract/state.ts) ----

/** The whole snapshot, checked by UIs on what arrives over their port. */
export const earshotStateSchema = z.object({
  revision: z.int().check(z.nonnegative()),
  configured: z.boolean(),
  registration: registrationStateSchema,
  user: z.object({
    extension: z.optional(z.string()),
    displayName: z.optional(z.string()),
    scope: z.optional(z.enum(SCOPES)),
    dtmfMonitoringGranted: z.boolean(),
  }),
  agents: z.record(z.string(), agentCallStateSchema),
  session: z.nullable(sessionSnapshotSchema),
  microphone: microphoneStateSchema,
  log: z.array(logEntrySchema),
});

// Compile-time guard: the schema must produce exactly the snapshot type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _stateMatches: Same<z.infer<typeof earshotStateSchema>, EarshotState> = true;
