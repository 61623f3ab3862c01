/**
 * Which source wins when the portal's page and the PBX's dialog-info both
 * say something about an agent's call: **the PBX wins, the portal fills
 * in** (docs/portals.md, "Which source wins"). The one definition of that
 * rule: the content script (lib/portals/reconcile.ts: whether the agent
 * shows an icon) and the engine (lib/phone/presence.ts: the other party of
 * a call whose NOTIFYs named nobody) both ask it.
 *
 * Why the PBX: its dialog-info is the PBX's own state, pushed on every
 * change over Earshot's authenticated SIP connection, and the monitor call
 * depends on it. A portal page lags (wholesale re-renders every second or
 * so), goes stale (session expired, socket down) or means something else,
 * and its text is the page's, which Earshot does not trust. The portal's
 * value counts only where the PBX has none: a call up before Earshot
 * subscribed (the early NOTIFY that named the other party came before), a
 * PBX without dialog-info.
 */

/** The value in force and who gave it. */
export type Winner<P, Q> = { from: 'pbx'; value: P } | { from: 'portal'; value: Q };

/** The PBX's value whenever it has one; the portal's only where the PBX has none; undefined when neither says. */
export function pbxWins<P, Q>(pbx: P | undefined, portal: Q | undefined): Winner<P, Q> | undefined {
  if (pbx !== undefined) return { from: 'pbx', value: pbx };
  if (portal !== undefined) return { from: 'portal', value: portal };
  return undefined;
}
