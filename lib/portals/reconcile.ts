import { pbxWins } from '../contract/sources';
import type { AgentCallState } from '../state/snapshot';

/**
 * When the portal and the PBX disagree about an agent's call, which wins:
 * the PBX, the portal filling in ({@link pbxWins}, lib/contract/sources.ts,
 * the one definition; docs/portals.md, "Which source wins"):
 *
 * - On a call: the PBX's dialog-info, whenever it has a state for the agent
 *   (the monitor call depends on it: the PBX refuses an agent who is not on
 *   a call). A portal page lags (FusionPBX re-renders every 1.5 s, the lab
 *   every second), goes stale or means something else (a NetSapiens `inuse`
 *   leg to a queue, a FusionPBX tier state that shows queue calls only).
 *   The portal's view counts only where dialog-info has none (not watched
 *   yet, a PBX without dialog-info): then it decides whether the icon
 *   shows, and the PBX still has the last word when monitoring starts.
 * - The other party: dialog-info's remote identity when it named one; the
 *   portal's only when it did not (a call that was up before Earshot
 *   subscribed: the early NOTIFY that names the party came before).
 *
 * Every disagreement is told once per agent and kind ({@link Disagreements}):
 * the content script logs it to the portal tab's console (`[earshot]`).
 */

/** What the portal shows about an agent's call (lib/portals/scan.ts AgentRow). */
export interface PortalCall {
  portalOnCall?: boolean;
  otherParty?: string;
}

/** The reconciled view of one agent's call. */
export interface Reconciled {
  onCall: boolean;
  /** Who decided `onCall`: the PBX's dialog-info, the portal's page, or nobody (not on a call as far as Earshot knows). */
  onCallFrom: 'pbx' | 'portal' | 'none';
  /** The other party's source when one is known. */
  otherParty?: { from: 'pbx'; uri: string } | { from: 'portal'; text: string };
  /** The two sources disagree (plain language), when they do. */
  disagreement?: string;
}

/** Reconciles the portal's view of an agent's call with the PBX's (pure). */
export function reconcileCall(extension: string, portal: PortalCall, pbx: AgentCallState | undefined): Reconciled {
  const known = pbx !== undefined && pbx.dialog !== 'unknown';
  const pbxOnCall = known ? pbx.dialog === 'confirmed' : undefined;
  const callFrom = pbxWins(pbxOnCall, portal.portalOnCall);
  const onCall = callFrom?.value ?? false;
  const onCallFrom = callFrom?.from ?? 'none';
  const party = pbxWins(pbx?.remote?.uri, portal.otherParty || undefined);
  const otherParty = party && (party.from === 'pbx' ? ({ from: 'pbx', uri: party.value } as const) : ({ from: 'portal', text: party.value } as const));
  let disagreement: string | undefined;
  if (pbxOnCall !== undefined && portal.portalOnCall !== undefined && pbxOnCall !== portal.portalOnCall) {
    disagreement = `${extension}: the portal shows ${portal.portalOnCall ? 'a call' : 'no call'}, the PBX's dialog-info says ${pbx!.dialog}; following the PBX.`;
  }
  return { onCall, onCallFrom, ...(otherParty ? { otherParty } : {}), ...(disagreement ? { disagreement } : {}) };
}

/** Agents whose disagreement is remembered at most (a page may show thousands). */
const MAX_REMEMBERED = 1000;

/** Tells each disagreement once per agent until it changes or ends (bounded memory). */
export class Disagreements {
  private readonly told = new Map<string, string>();
  constructor(private readonly tell: (text: string) => void) {}

  note(extension: string, disagreement: string | undefined): void {
    if (disagreement === undefined) {
      this.told.delete(extension);
      return;
    }
    if (this.told.get(extension) === disagreement) return;
    if (this.told.size >= MAX_REMEMBERED) this.told.clear();
    this.told.set(extension, disagreement);
    this.tell(disagreement);
  }
}
