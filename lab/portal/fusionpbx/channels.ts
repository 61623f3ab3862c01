import type { Lab } from '../../index';
import { agentCalls, clock } from '../live';
import { channelUuid } from './call-center';

/** One channel as the FusionPBX-style Active calls page shows it (one row per channel, both legs of a call). */
export interface Channel {
  uuid: string;
  direction: 'inbound' | 'outbound' | 'local';
  duration: string;
  callerIdName: string;
  callerIdNumber: string;
  destination: string;
  application: string;
  codec: string;
  secure: string;
}

/** The number customers dial: the queue's DID, the destination of a customer's own (inbound) leg. */
const QUEUE_DID = '18005551000';

/**
 * The lab's calls as FreeSWITCH channels, keyed by uuid: the leg that reached
 * the PBX (inbound: a customer dialling the queue's number, or the calling
 * agent dialling the other) and the leg the PBX placed to the agent who
 * answers (outbound), each with the caller's id and the destination.
 */
export function activeChannels(lab: Lab, now = Date.now()): Map<string, Channel> {
  const channels = new Map<string, Channel>();
  const names = (extension: string) => lab.pbx.users.get(extension)?.name ?? extension;
  for (const agent of agentCalls(lab)) {
    const call = agent.call;
    // Each call once: from its callee's row (a customer call's agent, an internal call's called agent).
    if (!call || call.callee !== agent.extension) continue;
    const callerName = call.other.kind === 'customer' ? call.other.name : names(call.caller);
    const base = { duration: clock(call.startedAt, now), callerIdName: callerName, callerIdNumber: call.caller, codec: 'opus', secure: 'srtp' };
    const a = channelUuid(call.id, 'a');
    const b = channelUuid(call.id, 'b');
    channels.set(a, { ...base, uuid: a, direction: 'inbound', destination: call.other.kind === 'customer' ? QUEUE_DID : call.callee, application: call.other.kind === 'customer' ? 'callcenter' : 'bridge' });
    channels.set(b, { ...base, uuid: b, direction: 'outbound', destination: call.callee, application: '' });
  }
  return channels;
}
