import { SCOPES, type Scope } from '../monitor/modes';

// Type only: the schema (zod) stays out of the content script's bundle.
export type { PortalAdapter } from './adapter-schema';

/** Maps a portal's scope text to Earshot's scope (case and spacing tolerant). */
export function scopeFromText(text: string | null | undefined): Scope | undefined {
  const wanted = (text ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  return SCOPES.find((scope) => scope.toLowerCase() === wanted);
}
