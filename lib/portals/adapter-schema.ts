import { z } from 'zod';
import { SCOPES } from '../monitor/modes';

/** The one limit of a selector an adapter holds (built-in or from policy). */
export const SELECTOR_MAX = 300;
const selector = z.string().min(1).max(SELECTOR_MAX);
const pattern = z.string().max(200);

/**
 * One value read from a row (or from a document table): the text of
 * `selector` (the row itself when absent), or its `attribute`, through
 * `pattern`'s first capture group (case-insensitive), and only when the row
 * has an element matching `when`. An adapter lists alternatives: the first
 * that yields a value wins.
 */
export const fieldSchema = z.strictObject({
  selector: selector.optional(),
  attribute: z.string().min(1).max(60).optional(),
  pattern: pattern.optional(),
  when: selector.optional(),
});
export type Field = z.infer<typeof fieldSchema>;
const fields = z.array(fieldSchema).min(1).max(4);

/** How the portal changes its page: the scanner's observer strategy follows it (docs/portals.md). */
export const REFRESH_KINDS = ['wholesale', 'incremental', 'navigation'] as const;
/** How a monitor session starts on this system. */
export const MONITOR_STARTS = ['earshot-dials', 'pbx-calls-earshot'] as const;
/** Which on-net test classifies the other party: the configured pattern, or the portal's own rule. */
export const ON_NET_RULES = ['pattern', 'netsapiens'] as const;

/**
 * A portal adapter, as data: how Earshot reads a portal it does not own. It
 * answers what every adapter must (../shared/design/portals.md, the list at
 * its end; docs/portals.md): the rows and the icon's slot, the agent's
 * extension, whether the portal shows the agent on a call, the other party
 * when the page shows it, who is signed in with which role, how the page
 * refreshes and how monitoring starts. Selectors are CSS selectors relative
 * to the row (or to the document for `rows`, `user*`, `monitorRight` and
 * `otherPartyTable.rows`). Built-in adapters ship in this folder, one file
 * each; the generic one comes entirely from policy, so an admin can fit
 * Earshot to a new portal without a release. Data only: the background
 * sends it to the content script as a message.
 */
export const portalAdapterSchema = z.strictObject({
  id: z.string().min(1).max(40),
  label: z.string().min(1).max(80),
  /** Every agent row in the document. */
  rows: selector,
  /**
   * In a row: the element whose text (or `extensionAttribute`) is the
   * extension; or alternatives ({@link Field}), the first valid one wins.
   */
  extension: z.union([selector, fields]),
  /** Read the extension from this attribute instead of the text. */
  extensionAttribute: z.string().max(60).optional(),
  /** Regular expression with one capture group that extracts the extension from the text. */
  extensionPattern: pattern.optional(),
  /** A row is no agent when this yields a value (e.g. the supervisor's own eavesdrop channel). */
  ignore: fieldSchema.optional(),
  /** In a row: the agent's name. */
  name: selector.optional(),
  /** In a row: where the icon goes (appended at the end); the row itself when absent. */
  iconSlot: selector.optional(),
  /** In a row: the portal's own call column, used when the PBX gives no dialog state. */
  call: selector.optional(),
  /** Read the call state from this attribute of `call` (e.g. a presence class) instead of its text. */
  callAttribute: z.string().max(60).optional(),
  /** A row is on a call when the call element's text matches this (case-insensitive). */
  onCallPattern: pattern.optional(),
  /** In a row: the other party of the agent's call, when the page shows it (never the agent itself). */
  otherParty: fields.optional(),
  /** In the document: a table of calls naming the agent (by name) and the other party. */
  otherPartyTable: z
    .strictObject({ rows: selector, agentName: fieldSchema, party: fieldSchema })
    .optional(),
  /** The on-net test of the other party (lib/portals/on-net.ts); default: the configured pattern. */
  onNetRule: z.enum(ON_NET_RULES).optional(),
  /** In the document: the signed-in user's scope as text (or `userScopeAttribute`). */
  userScope: selector.optional(),
  userScopeAttribute: z.string().max(60).optional(),
  /** The portal's role names to Earshot's scopes (case and spacing tolerant); Earshot's own names always map. */
  scopeMap: z.record(z.string().min(1).max(60), z.enum(SCOPES)).optional(),
  /** In the document: the signed-in user's extension (text or `userExtensionAttribute`). */
  userExtension: selector.optional(),
  userExtensionAttribute: z.string().max(60).optional(),
  /** In the document: present only when the portal lets the signed-in user monitor. */
  monitorRight: selector.optional(),
  /** How the page refreshes its rows: `root` is what it re-renders, `everyMs` how often (wholesale). */
  refresh: z
    .strictObject({
      kind: z.enum(REFRESH_KINDS),
      root: selector.optional(),
      everyMs: z.number().int().min(100).max(600_000).optional(),
    })
    .optional(),
  /** How monitoring starts on this system: Earshot dials the PBX's feature, or the portal has the PBX call Earshot. */
  starts: z.enum(MONITOR_STARTS).optional(),
});
export type PortalAdapter = z.infer<typeof portalAdapterSchema>;
