import { SCOPES, type Scope } from '../monitor/modes';

// Type only: the schema (zod) stays out of the content script's bundle.
export type { Field, PortalAdapter } from './adapter-schema';

const squash = (value: string) => value.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Maps a portal's role text to Earshot's scope (case and spacing tolerant):
 * the adapter's `scopeMap` first (the portal's own role names), then
 * Earshot's scope names themselves. Anything else is undefined: the portal
 * did not say, and the PBX decides.
 */
export function scopeFromText(text: string | null | undefined, scopeMap?: Readonly<Record<string, Scope>>): Scope | undefined {
  const wanted = squash(text ?? '');
  if (wanted === '') return undefined;
  for (const [role, scope] of Object.entries(scopeMap ?? {})) if (squash(role) === wanted) return scope;
  return SCOPES.find((scope) => scope.toLowerCase() === wanted);
}
