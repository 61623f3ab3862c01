// zod/mini: the same checks as zod, tree-shakable, so the content script stays small.
import { z } from 'zod/mini';
import { engineCommandSchema, engineEventSchema } from '../contract/engine';
import { isValidExtension, MAX_EXTENSION_LENGTH } from '../contract/extension';
import { logEntrySchema, modeSchema } from '../contract/state';
import { earshotStateSchema } from '../state/snapshot';
import { SCOPES } from '../monitor/modes';

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

export { modeSchema };

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

/** Who a portal frame shows signed in (lib/portals readUser): the background makes it the one signed-in user. */
export const reportPortalUserPayloadSchema = z.strictObject({
  user: z.strictObject({
    scope: z.optional(z.enum(SCOPES)),
    extension: z.optional(agentExtensionSchema),
    monitorRight: z.optional(z.boolean()),
  }),
});

/**
 * The one command message every UI sends the background (`command`), one
 * variant per thing asked. Who may send which is {@link COMMAND_ROLES}
 * (protocol.ts), checked by the router against the sender the browser names.
 */
export const commandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), ...contentStartPayloadSchema.shape }),
  z.strictObject({ type: z.literal('set-mode'), ...setModePayloadSchema.shape }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('monitor-extension'), ...monitorExtensionPayloadSchema.shape }),
  z.strictObject({ type: z.literal('export-log') }),
  z.strictObject({ type: z.literal('report-agents'), ...reportAgentsPayloadSchema.shape }),
  z.strictObject({ type: z.literal('report-portal-user'), ...reportPortalUserPayloadSchema.shape }),
  z.strictObject({ type: z.literal('open-panel') }),
  z.strictObject({ type: z.literal('portal-config') }),
  /** The portal turned down the monitor request the content script made for a session just started (PBX-calls-Earshot profiles). */
  z.strictObject({ type: z.literal('portal-refused'), agent: agentExtensionSchema, reason: z.string().check(z.minLength(1), z.maxLength(500)) }),
]);

// ---- State: the snapshot's schemas live with its types (lib/state/snapshot.ts) ----

export { logEntrySchema } from '../contract/state';
export { earshotStateSchema } from '../state/snapshot';

/** A snapshot on a UI's port: the whole state but its log, which comes as appends ({@link logAppendSchema}). */
export const stateSnapshotSchema = z.omit(earshotStateSchema, { log: true });

/** New log entries; `reset` replaces the UI's copy (first message on a port, or entries it missed). */
export const logAppendSchema = z.strictObject({
  type: z.literal('log'),
  reset: z.boolean(),
  entries: z.array(logEntrySchema),
  /** How many entries the UI keeps (settings.auditRetention). */
  limit: z.int().check(z.positive()),
});

/** The level meter of the session shown, a few times a second: its own small topic. */
export const levelsMessageSchema = z.strictObject({
  type: z.literal('levels'),
  /** The snapshot revision the levels belong to. */
  revision: z.int().check(z.nonnegative()),
  session: z.string(),
  levels: z.object({ heard: z.number(), sent: z.number() }),
});

/** Everything the background posts on a UI's state port. */
export const statePortMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('snapshot'), state: stateSnapshotSchema }),
  logAppendSchema,
  levelsMessageSchema,
]);

// The engine's own commands and events are the contract's (lib/contract/engine.ts): the port carries them as they are.

/** Background → engine host, on the engine port: a command, answered by a `result` with the same id. */
export const toEngineHostSchema = z.strictObject({ type: z.literal('command'), id: z.int(), command: engineCommandSchema });

/** Engine host → background, on the engine port. */
export const fromEngineHostSchema = z.discriminatedUnion('type', [
  /** First message on every connection; `fresh`: this engine was never configured (a new document). */
  z.strictObject({ type: z.literal('hello'), fresh: z.boolean() }),
  z.strictObject({ type: z.literal('result'), id: z.int(), ok: z.boolean(), reason: z.optional(z.string()) }),
  z.strictObject({ type: z.literal('event'), event: engineEventSchema }),
  /** Only the session's levels changed since the last event (the other fields are as then). */
  z.strictObject({ type: z.literal('levels'), session: z.string(), levels: z.object({ heard: z.number(), sent: z.number() }) }),
]);
