import type { LabUser } from '../../directory';
import type { Lab } from '../../index';
import { channelUuid } from './call-center';

/** What `call_center_exec.php` answers: FusionPBX's plain text. */
export interface ExecResult {
  status: number;
  text: string;
}

/**
 * `call_center_exec.php?command=eavesdrop&uuid=<agent channel>&extension=<agent>`,
 * what the Eavesdrop button requests: FusionPBX answers at once and has
 * FreeSWITCH `originate {origination_caller_id_name=eavesdrop,…}user/<the
 * signed-in user's extension> &eavesdrop(<uuid>)` (../shared/design/pbx-dialects.md).
 */
export function callCenterExec(lab: Lab, user: LabUser | undefined, params: URLSearchParams): ExecResult {
  if (!user) return { status: 401, text: 'Not signed in: sign in to FusionPBX (login.php) first.' };
  if (user.scope !== 'Call Center Supervisor') return { status: 403, text: `Access denied: ${user.scope} has no call center eavesdrop permission.` };
  if (params.get('command') !== 'eavesdrop') return { status: 400, text: `Unknown command "${params.get('command') ?? ''}".` };
  const uuid = params.get('uuid') ?? '';
  const call = [...lab.pbx.calls.values()].find((c) => channelUuid(c.id, 'b') === uuid);
  if (!call) return { status: 404, text: `No channel ${uuid}.` };
  if (call.state !== 'confirmed') return { status: 409, text: `${call.agent} is not on a confirmed call (channel ${uuid}).` };
  const agent = params.get('extension') ?? call.agent;
  lab.log.add('portal', `${user.extension} pressed Eavesdrop on ${call.agent} (channel ${uuid})`);
  void lab.sip.originate({ to: user.extension, callerName: 'eavesdrop', callerNumber: agent, agent: call.agent });
  return { status: 200, text: '+OK' };
}
