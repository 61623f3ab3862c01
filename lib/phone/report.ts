/**
 * For a rejection nobody awaits and no user can act on (an AudioContext that
 * will not suspend, a permission that cannot be watched): logged with its
 * cause on the host's console, never dropped. `promise.catch(logCause('…'))`.
 */
export function logCause(what: string): (error: unknown) => void {
  return (error) => console.warn(`Earshot: ${what}:`, error);
}
