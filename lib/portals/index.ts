import { portalAdapterSchema, type PortalAdapter } from './adapter-schema';
import { earshotLabAdapter } from './earshot-lab';
import { fusionpbxActiveCallsAdapter } from './fusionpbx-active-calls';
import { fusionpbxCallCenterAdapter } from './fusionpbx-call-center';
import { netsapiensAgentsAdapter } from './netsapiens-agents';

export { portalAdapterSchema, type PortalAdapter } from './adapter-schema';
export { scopeFromText } from './adapter';

/**
 * Every adapter id the settings accept (`portal.adapter`): the built-in ones
 * and `generic` (from policy). The settings schema, public/managed_schema.json
 * and docs/managed-policy.md list the same (tests/unit/portal-fixtures.test.ts).
 */
export const PORTAL_ADAPTER_IDS = ['earshot-lab', 'generic', 'netsapiens-agents', 'fusionpbx-call-center', 'fusionpbx-active-calls'] as const;
export type PortalAdapterId = (typeof PORTAL_ADAPTER_IDS)[number];

/** Built-in adapters by id, one file each in this folder. */
export const BUILT_IN_ADAPTERS: Readonly<Record<Exclude<PortalAdapterId, 'generic'>, PortalAdapter>> = {
  'earshot-lab': earshotLabAdapter,
  'netsapiens-agents': netsapiensAgentsAdapter,
  'fusionpbx-call-center': fusionpbxCallCenterAdapter,
  'fusionpbx-active-calls': fusionpbxActiveCallsAdapter,
};

/**
 * The adapter the settings name: a built-in one, or `generic` from the
 * policy's selectors. Throws with the field at fault when the generic
 * selectors are missing or invalid.
 */
export function resolveAdapter(id: string, generic?: Partial<PortalAdapter>): PortalAdapter {
  if (id !== 'generic') {
    const adapter = (BUILT_IN_ADAPTERS as Readonly<Record<string, PortalAdapter>>)[id];
    if (!adapter) throw new Error(`Unknown portal adapter "${id}".`);
    return adapter;
  }
  const parsed = portalAdapterSchema.safeParse({ id: 'generic', label: 'Generic (from policy)', ...generic });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The generic portal adapter is incomplete: ${issue?.path.join('.') || 'selectors'}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}
