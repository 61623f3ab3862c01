import type { Scope } from '../monitor/modes';
import type { Field, PortalAdapter } from './adapter';

/**
 * The generic portal adapter, from policy alone (`portal.generic.*`,
 * docs/managed-policy.md): every field an adapter reads, each as the text
 * of a selector or one of its attributes, through a pattern with a capture
 * group, plus a role-to-scope mapping. One flat key per value, so the
 * settings merge, the options page and Chrome's policy schema treat each on
 * its own. lib/settings/schema.ts validates the keys with the adapter's own
 * schemas (lib/portals/adapter-schema.ts: one set of limits everywhere).
 */

/** What each key holds: a CSS selector, an attribute name, a regular expression (`capture`: with a group around the value), the role map. */
export type GenericKeyKind = 'selector' | 'attribute' | 'capture' | 'test' | 'scopeMap';

/** Every `portal.generic` key, in the order the docs and forms list them. */
export const GENERIC_KEYS = {
  rowSelector: 'selector',
  extensionSelector: 'selector',
  extensionAttribute: 'attribute',
  extensionPattern: 'capture',
  nameSelector: 'selector',
  iconSlotSelector: 'selector',
  callSelector: 'selector',
  callAttribute: 'attribute',
  callPattern: 'capture',
  onCallPattern: 'test',
  otherPartySelector: 'selector',
  otherPartyAttribute: 'attribute',
  otherPartyPattern: 'capture',
  rowMonitorRightSelector: 'selector',
  userExtensionSelector: 'selector',
  userExtensionAttribute: 'attribute',
  userExtensionPattern: 'capture',
  userScopeSelector: 'selector',
  userScopeAttribute: 'attribute',
  userScopePattern: 'capture',
  scopeMap: 'scopeMap',
  monitorRightSelector: 'selector',
} as const satisfies Record<string, GenericKeyKind>;
export type GenericKey = keyof typeof GENERIC_KEYS;

/** The keys without which the generic adapter reads nothing (settings report them missing). */
export const GENERIC_REQUIRED = ['rowSelector', 'extensionSelector', 'nameSelector'] as const satisfies readonly GenericKey[];

/** The `portal.generic` settings (all optional; {@link GENERIC_REQUIRED} checked across fields). */
export type GenericPolicy = { [K in Exclude<GenericKey, 'scopeMap'>]?: string } & { scopeMap?: Readonly<Record<string, Scope>> };

/** A {@link Field} from a selector, an attribute and a pattern, leaving out what is not set; undefined when none is. */
function field(selector: string | undefined, attribute: string | undefined, pattern: string | undefined): Field | undefined {
  if (selector === undefined && attribute === undefined && pattern === undefined) return undefined;
  return { ...(selector !== undefined ? { selector } : {}), ...(attribute !== undefined ? { attribute } : {}), ...(pattern !== undefined ? { pattern } : {}) };
}

/**
 * The adapter the policy describes (without id and label: lib/portals
 * resolveAdapter adds them and validates the whole). Values absent from
 * the policy stay absent: the adapter then reads nothing there.
 */
export function genericAdapter(policy: GenericPolicy): Partial<PortalAdapter> {
  const p = policy;
  const extension = field(p.extensionSelector, p.extensionAttribute, p.extensionPattern);
  const call = field(p.callSelector, p.callAttribute, p.callPattern);
  const otherParty = field(p.otherPartySelector, p.otherPartyAttribute, p.otherPartyPattern);
  // Document-level values need their element: without a selector there is nothing to read.
  const userExtension = p.userExtensionSelector !== undefined ? field(p.userExtensionSelector, p.userExtensionAttribute, p.userExtensionPattern) : undefined;
  const userScope = p.userScopeSelector !== undefined ? field(p.userScopeSelector, p.userScopeAttribute, p.userScopePattern) : undefined;
  const adapter: Partial<PortalAdapter> = {
    ...(p.rowSelector !== undefined ? { rows: p.rowSelector } : {}),
    // The extension is required: with none set, the adapter's own check names the field.
    ...(extension ? { extension: [extension] } : {}),
    ...(p.nameSelector !== undefined ? { name: p.nameSelector } : {}),
    ...(p.iconSlotSelector !== undefined ? { iconSlot: p.iconSlotSelector } : {}),
    ...(call ? { call } : {}),
    ...(p.onCallPattern !== undefined ? { onCallPattern: p.onCallPattern } : {}),
    ...(otherParty ? { otherParty: [otherParty] } : {}),
    ...(p.rowMonitorRightSelector !== undefined ? { rowMonitorRight: p.rowMonitorRightSelector } : {}),
    ...(userExtension ? { userExtension } : {}),
    ...(userScope ? { userScope } : {}),
    ...(p.scopeMap !== undefined ? { scopeMap: { ...p.scopeMap } } : {}),
    ...(p.monitorRightSelector !== undefined ? { monitorRight: p.monitorRightSelector } : {}),
  };
  return adapter;
}
