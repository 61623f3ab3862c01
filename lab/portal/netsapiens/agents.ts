import type { Lab } from '../../index';
import { agentCalls } from '../live';

/**
 * One agent as the NetSapiens-style page's socket pushes it (../shared/design/portals.md):
 * the presence class of its contact, its queue membership, and the call the
 * listen control names once the call is answered (`orig_id`, `ani`, `term_uri`).
 */
export interface NsAgent {
  /** `user@domain`, the portal's address of the agent. */
  id: string;
  extension: string;
  name: string;
  presence: 'open' | 'progressing' | 'alerting' | 'inuse';
  queue: { name: string; status: 'available' | 'immediate' };
  /** What the Current call column shows. */
  display: string;
  /** The listen control's call, only on an answered call (the portal never enables it before). */
  listen?: { origId: string; ani: string; termUri: string };
}

/** The lab's agents in the NetSapiens style, keyed by address. */
export function netsapiensAgents(lab: Lab): Map<string, NsAgent> {
  const domain = lab.pbx.config.domain;
  const agents = new Map<string, NsAgent>();
  for (const agent of agentCalls(lab)) {
    const id = `${agent.extension}@${domain}`;
    const call = agent.call;
    const presence = !call ? 'open' : call.state === 'confirmed' ? 'inuse' : call.caller === agent.extension ? 'progressing' : 'alerting';
    agents.set(id, {
      id,
      extension: agent.extension,
      name: agent.name,
      presence,
      queue: { name: 'Support', status: call ? 'immediate' : 'available' },
      display: call ? `${call.other.name} (${call.other.number})` : '',
      ...(call?.state === 'confirmed'
        ? { listen: { origId: `${call.id}@${domain}`, ani: call.caller, termUri: `sip:${call.callee}@${domain}` } }
        : {}),
    });
  }
  return agents;
}
