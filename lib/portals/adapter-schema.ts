import { parse as parseSelector } from 'css-what';
import { z } from 'zod';
import { SCOPES } from '../monitor/modes';

/**
 * The limits of what an adapter holds, the one source: the built-in
 * adapters, the generic one from policy (lib/settings/schema.ts builds its
 * `portal.generic` fields from the same schemas below) and
 * public/managed_schema.json (whose descriptions state them; a unit test
 * keeps the three in step).
 */
export const ADAPTER_LIMITS = {
  /** Characters of a CSS selector. */
  selector: 300,
  /** Characters of a regular expression. */
  pattern: 200,
  /** Characters of an attribute name. */
  attribute: 60,
  /** Characters of a portal's role name (a `scopeMap` key). */
  role: 60,
  /** Entries of a `scopeMap`. */
  roles: 20,
} as const;
/** The one limit of a selector an adapter holds (built-in or from policy). */
export const SELECTOR_MAX = ADAPTER_LIMITS.selector;

/** Plain-language messages without the field's name: the settings put its label in front. */
const COMBINATORS: ReadonlySet<string> = new Set(['child', 'descendant', 'sibling', 'adjacent', 'parent', 'column-combinator']);

/** The syntax of a CSS selector as querySelector takes it (css-what parses; a combinator at either end is refused too, as browsers do). */
function cssProblem(value: string): string | undefined {
  let parsed: ReturnType<typeof parseSelector>;
  try {
    parsed = parseSelector(value);
  } catch (error) {
    return `not a valid CSS selector (${error instanceof Error ? error.message : String(error)})`;
  }
  for (const tokens of parsed) {
    if (COMBINATORS.has(tokens[0]?.type ?? '')) return 'not a valid CSS selector (it starts with a combinator: >, +, ~)';
    if (COMBINATORS.has(tokens.at(-1)?.type ?? '')) return 'not a valid CSS selector (it ends with a combinator: >, +, ~)';
  }
  return undefined;
}

function regExpProblem(value: string): string | undefined {
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return `not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Capture groups of a regular expression that compiles (an empty alternative matches '' and shows them all). */
function captureGroups(source: string): number {
  return (new RegExp(`(?:${source})|`).exec('')?.length ?? 1) - 1;
}

/** A CSS selector: trimmed, 1 to {@link ADAPTER_LIMITS}.selector characters, valid syntax (css-what). */
export const selectorSchema = z
  .string()
  .trim()
  .min(1, 'enter a CSS selector')
  .max(ADAPTER_LIMITS.selector, `at most ${ADAPTER_LIMITS.selector} characters`)
  .superRefine((value, ctx) => {
    const problem = cssProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An attribute name to read instead of the element's text. */
export const attributeSchema = z
  .string()
  .trim()
  .min(1, 'enter an attribute name')
  .max(ADAPTER_LIMITS.attribute, `at most ${ADAPTER_LIMITS.attribute} characters`)
  .regex(/^[^\s"'>/=]+$/, 'an attribute name has no spaces, quotes, >, / or =');

/** A regular expression that compiles; `capture`: with a group ( ) around the value to keep. */
export function patternSchema(capture: boolean) {
  return z
    .string()
    .min(1, 'enter a pattern')
    .max(ADAPTER_LIMITS.pattern, `at most ${ADAPTER_LIMITS.pattern} characters`)
    .superRefine((value, ctx) => {
      const problem = regExpProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      else if (capture && captureGroups(value) < 1) {
        ctx.addIssue({ code: 'custom', message: 'needs a capture group: put ( ) around the part to keep, e.g. Ext\\. ([0-9]+)' });
      }
    });
}

/** The portal's role names to Earshot's scopes (case and spacing tolerant); Earshot's own names always map. */
export const scopeMapSchema = z
  .record(z.string().trim().min(1, 'a role name cannot be empty').max(ADAPTER_LIMITS.role, `role names of at most ${ADAPTER_LIMITS.role} characters`), z.enum(SCOPES))
  .refine((map) => Object.keys(map).length <= ADAPTER_LIMITS.roles, `at most ${ADAPTER_LIMITS.roles} roles`);

const selector = selectorSchema;
const capturePattern = patternSchema(true);

/**
 * One value read from a row (or from the document): the text of `selector`
 * (the row itself when absent), or its `attribute`, through `pattern`'s
 * first capture group (case-insensitive), and only when the row has an
 * element matching `when`. An adapter lists alternatives: the first that
 * yields a value wins.
 */
export const fieldSchema = z.strictObject({
  selector: selector.optional(),
  attribute: attributeSchema.optional(),
  pattern: capturePattern.optional(),
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
  extensionAttribute: attributeSchema.optional(),
  /** Regular expression with one capture group that extracts the extension from the text. */
  extensionPattern: capturePattern.optional(),
  /** A row is no agent when this yields a value (e.g. the supervisor's own eavesdrop channel). */
  ignore: fieldSchema.optional(),
  /** In a row: the agent's name. */
  name: selector.optional(),
  /** In a row: where the icon goes (appended at the end); the row itself when absent. */
  iconSlot: selector.optional(),
  /**
   * In a row: the portal's own call column, used when the PBX gives no dialog
   * state: its element, or a {@link Field} (text or attribute through a
   * pattern) whose value `onCallPattern` tests.
   */
  call: z.union([selector, fieldSchema]).optional(),
  /** Read the call state from this attribute of `call` (e.g. a presence class) instead of its text. */
  callAttribute: attributeSchema.optional(),
  /** A row is on a call when the call state matches this (case-insensitive). */
  onCallPattern: patternSchema(false).optional(),
  /** In a row: the other party of the agent's call, when the page shows it (never the agent itself). */
  otherParty: fields.optional(),
  /** In the document: a table of calls naming the agent (by name) and the other party. */
  otherPartyTable: z
    .strictObject({ rows: selector, agentName: fieldSchema, party: fieldSchema })
    .optional(),
  /** The on-net test of the other party (lib/portals/on-net.ts); default: the configured pattern. */
  onNetRule: z.enum(ON_NET_RULES).optional(),
  /** In the document: the signed-in user's role as text (or `userScopeAttribute`), or a {@link Field} (its selector required). */
  userScope: z.union([selector, fieldSchema]).optional(),
  userScopeAttribute: attributeSchema.optional(),
  /** The portal's role names to Earshot's scopes (case and spacing tolerant); Earshot's own names always map. */
  scopeMap: scopeMapSchema.optional(),
  /** In the document: the signed-in user's extension (text or `userExtensionAttribute`), or a {@link Field}. */
  userExtension: z.union([selector, fieldSchema]).optional(),
  userExtensionAttribute: attributeSchema.optional(),
  /** In the document: present only when the portal lets the signed-in user monitor at all. */
  monitorRight: selector.optional(),
  /**
   * In a row: present only when the portal lets the signed-in user monitor
   * this agent (FusionPBX's Eavesdrop button, a NetSapiens listen control).
   * A row without it gets no icon and a refused start, with the reason.
   */
  rowMonitorRight: selector.optional(),
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
