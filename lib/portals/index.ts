import { portalAdapterSchema, type PortalAdapter } from './adapter-schema';
import { earshotLabAdapter } from './earshot-lab';

export { portalAdapterSchema, type PortalAdapter } from './adapter-schema';
export { scopeFromText } from './adapter';

/** Built-in adapters by id. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, PortalAdapter>> = {
  [earshotLabAdapter.id]: earshotLabAdapter,
};

/**
 * The adapter the settings name: a built-in one, or `generic` from the
 * policy's selectors. Throws with the field at fault when the generic
 * selectors are missing or invalid.
 */
export function resolveAdapter(id: string, generic?: Partial<PortalAdapter>): PortalAdapter {
  if (id !== 'generic') {
    const adapter = BUILT_IN_ADAPTERS[id];
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
