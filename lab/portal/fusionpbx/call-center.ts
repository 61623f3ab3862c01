import type { LabUser } from '../../directory';
import type { Lab } from '../../index';
import { agentCalls, clock, escapeHtml as h } from '../live';

/** The lab's one queue, as FusionPBX names a queue: by uuid, with its name. */
export const QUEUE = { uuid: '3c0b8a4e-5d1f-4e8a-9b6c-000000005000', name: 'Support' };

/** A stable uuid per agent (FusionPBX's call_center_agent_uuid) and per call channel. */
export const agentUuid = (extension: string) => `6f1c0d6e-8a0b-4f0e-9a77-00000000${extension.padStart(4, '0')}`;
export const channelUuid = (callId: string, leg: 'a' | 'b') => `5d0c3a7e-0000-4b00-9c0${leg === 'a' ? '1' : '2'}-${callId.replace(/\D/g, '').padStart(12, '0')}`;

export interface CallCenterOptions {
  /** The signed-in user (none: the session expired, the fragment is the login box). */
  user: LabUser | undefined;
  /** The user's group has call_center_active_options: the Options column (Eavesdrop, Transfer, Call). */
  options: boolean;
  /** The PBX's event socket is up (down: the fragment says so). */
  eventSocket: boolean;
}

/**
 * `call_center_active_inc.php`: the fragment the FusionPBX-style page fetches
 * every 1.5 s and puts into `#ajax_response` wholesale (../shared/design/portals.md):
 * the agents table (one `tr.list-row` per agent and tier, the agent-edit
 * `href`), "Queue: <name>" with its counts, and the callers table, whose
 * Number is the other party of the agent (named by name) on the call. Queue
 * calls only: an internal call between agents is no queue call.
 */
export function callCenterFragment(lab: Lab, { user, options, eventSocket }: CallCenterOptions, now = Date.now()): string {
  if (!user) {
    return '<div class="login_box"><form name="login" method="post" action="/fusionpbx/login.php"><input type="text" name="username" class="formfld" placeholder="Username"><input type="password" name="password" class="formfld" placeholder="Password"><button type="submit" class="btn">Login</button></form></div>';
  }
  if (!eventSocket) return '<div class="card"><table class="list"><tr><td>Connection to Event Socket failed.</td></tr></table></div>';
  const agents = agentCalls(lab);
  const header = ['Name', 'Extension', 'Status', 'State', 'Status Change', 'Last Call', 'Missed', 'Answered', 'Tier State', 'Tier Level', 'Tier Position'];
  const rows = agents.map((agent) => {
    const queueCall = agent.call?.other.kind === 'customer' ? agent.call : undefined;
    const state = !queueCall ? 'Waiting' : queueCall.state === 'confirmed' ? 'In a queue call' : 'Receiving';
    const tier = !queueCall ? 'Ready' : queueCall.state === 'confirmed' ? 'Active Inbound' : 'Offering';
    const ext = h(agent.extension);
    const buttons = queueCall?.state === 'confirmed'
      ? `<button type="button" class="btn btn-link" title="Eavesdrop" onclick="if (confirm('Are you sure you want to eavesdrop?')) { send_command('call_center_exec.php?command=eavesdrop&amp;uuid=${channelUuid(queueCall.id, 'b')}&amp;extension=${ext}'); } return false;">Eavesdrop</button><button type="button" class="btn btn-link" title="Transfer" onclick="return false;">Transfer</button>`
      : `<button type="button" class="btn btn-link" title="Call" onclick="send_command('call_center_exec.php?command=call&amp;extension=${ext}'); return false;">Call</button>`;
    const cells = [agent.name, agent.extension, 'Available', state, clock(queueCall?.startedAt ?? now, now), '00:00:00', '0', '0', tier, '1', '1'].map((v) => `<td>${h(v)}</td>`).join('');
    return `<tr class="list-row" href="../call_centers/call_center_agent_edit.php?id=${agentUuid(agent.extension)}" data-agent-status="Available">${cells}${options ? `<td class="no-link center">${buttons}</td>` : ''}</tr>`;
  });
  const callers = agents.filter((a) => a.call?.other.kind === 'customer');
  const answered = callers.filter((a) => a.call?.state === 'confirmed').length;
  const callerRows = callers.map(({ name, call }) => {
    const up = call!.state === 'confirmed';
    return `<tr class="list-row"><td>${clock(call!.startedAt, now)}</td><td>${h(call!.other.name)}</td><td>${h(call!.other.number)}</td><td>${up ? 'Answered' : 'Trying'}</td><td class="no-link"></td><td>${up ? h(name) : ''}</td></tr>`;
  });
  return [
    '<div class="card">',
    '<table class="list">',
    `<tr class="list-header">${header.map((c) => `<th>${c}</th>`).join('')}${options ? '<th class="center">Options</th>' : ''}</tr>`,
    ...rows,
    '</table>',
    '</div>',
    `<div class="action_bar sub"><div class="heading"><b>Queue: ${h(QUEUE.name)}</b></div><div class="actions">Waiting: 0 &nbsp; Trying: ${callers.length - answered} &nbsp; Answered: ${answered}</div></div>`,
    '<div class="card">',
    '<table class="list">',
    '<tr class="list-header"><th>Time</th><th>Name</th><th>Number</th><th>Status</th><th>Options</th><th>Agent</th></tr>',
    ...callerRows,
    '</table>',
    '</div>',
  ].join('\n');
}
