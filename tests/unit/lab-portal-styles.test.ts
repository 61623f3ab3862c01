import { describe, expect, it } from 'vitest';
import { SEEDED_USERS } from '@/lab/directory';
import type { Lab } from '@/lab/index';
import type { Call } from '@/lab/pbx/pbx';
import { callCenterFragment } from '@/lab/portal/fusionpbx/call-center';
import { activeChannels } from '@/lab/portal/fusionpbx/channels';
import { netsapiensAgents } from '@/lab/portal/netsapiens/agents';
import { BUILT_IN_ADAPTERS } from '@/lib/portals';
import { compileAdapter, findRows, readRow } from '@/lib/portals/scan';

/**
 * The lab's portal styles (lab/portal/<style>) read by the matching adapter,
 * unchanged: the FusionPBX call-center fragment as the lab renders it, and
 * the NetSapiens agents and FusionPBX channels the pages build their rows
 * from. The lab here is a stand-in (its directory and a list of calls, no
 * SIP or media): the real one is what the e2e stories run on
 * (tests/e2e/portals-*.e2e.ts).
 */
function fakeLab(calls: Call[]): Lab {
  const users = new Map(SEEDED_USERS.map((u) => [u.extension, u]));
  const isAgent = (ext: string) => /^10\d\d$/.test(ext) && users.has(ext);
  const callOf = (ext: string) => calls.find((c) => c.agent === ext || (c.other.kind === 'agent' && c.other.extension === ext));
  return { pbx: { users, isAgent, callOf, config: { domain: 'lab.earshot.test' } } } as unknown as Lab;
}

const CALLS: Call[] = [
  { id: 'call-1', agent: '1001', other: { kind: 'customer', number: '5550101' }, state: 'confirmed', startedAt: 0 },
  { id: 'call-2', agent: '1002', other: { kind: 'customer', number: '5550102' }, state: 'early', startedAt: 0 },
  { id: 'call-6', agent: '1006', other: { kind: 'agent', extension: '1007' }, state: 'confirmed', startedAt: 0 },
];

function rows(adapterId: keyof typeof BUILT_IN_ADAPTERS) {
  const compiled = compileAdapter(BUILT_IN_ADAPTERS[adapterId]);
  return findRows(document, compiled).map((row) => readRow(row, compiled)).filter((r) => r !== undefined).map(({ extension, portalOnCall, otherParty }) => ({ extension, portalOnCall, otherParty }));
}

describe("the lab's portal styles, read by their adapters", () => {
  it('FusionPBX call centers: every agent, on a call only on an answered queue call, the customer from the callers table', () => {
    const html = callCenterFragment(fakeLab(CALLS), { user: SEEDED_USERS.find((u) => u.extension === '2001'), options: true, eventSocket: true }, 60_000);
    document.body.innerHTML = `<div id="main_content"><div id="ajax_response">${html}</div></div>`;
    const found = rows('fusionpbx-call-center');
    expect(found.map((r) => r.extension)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008']);
    expect(found[0]).toEqual({ extension: '1001', portalOnCall: true, otherParty: '5550101' });
    // Ringing (Offering) is no call yet, and the caller is not the agent's yet.
    expect(found[1]).toEqual({ extension: '1002', portalOnCall: false, otherParty: undefined });
    // An internal call is no queue call: FusionPBX's page does not show it (dialog-info does).
    expect(found[5]).toEqual({ extension: '1006', portalOnCall: false, otherParty: undefined });
    expect(document.querySelector('tr.list-row td.no-link button[title="Eavesdrop"]')).not.toBeNull();
  });

  it('FusionPBX call centers: a signed-out user gets the login box, no rows', () => {
    document.body.innerHTML = `<div id="ajax_response">${callCenterFragment(fakeLab(CALLS), { user: undefined, options: true, eventSocket: true })}</div>`;
    expect(rows('fusionpbx-call-center')).toEqual([]);
  });

  it('NetSapiens agents: the listen control names the call only once answered; the other party is whichever end is not the agent', () => {
    const agents = netsapiensAgents(fakeLab(CALLS));
    document.body.innerHTML = `<table id="agents-table" class="allowmonitor"><tbody>${[...agents.values()]
      .map((a) => {
        const id = a.id.replace(/\W/g, '-');
        const handler = a.listen ? ` onclick="audioMonitor.start(this, orig_id='${a.listen.origId}', ani='${a.listen.ani}', term_uri='${a.listen.termUri}')"` : ' disabled="disabled"';
        return `<tr id="agent-${id}"><td class="agent-name"><span class="contact ${a.presence}">${a.name}</span></td><td class="agent-actions"><button id="listen-${id}"${handler}></button></td></tr>`;
      })
      .join('')}</tbody></table>`;
    const found = rows('netsapiens-agents');
    expect(found.find((r) => r.extension === '1001')).toEqual({ extension: '1001', portalOnCall: true, otherParty: '5550101' });
    expect(found.find((r) => r.extension === '1002')).toEqual({ extension: '1002', portalOnCall: false, otherParty: undefined });
    expect(found.find((r) => r.extension === '1006')?.otherParty).toBe('sip:1007@lab.earshot.test');
    expect(found.find((r) => r.extension === '1007')?.otherParty).toBe('1006');
    expect(found.find((r) => r.extension === '1008')).toEqual({ extension: '1008', portalOnCall: false, otherParty: undefined });
  });

  it('FusionPBX active calls: both legs of each call; the agent is the extension end, the other party the other end', () => {
    const channels = [...activeChannels(fakeLab(CALLS)).values()];
    document.body.innerHTML = `<table><tbody id="calls_active_body">${channels
      .map((c) => `<tr id="${c.uuid}" class="list-row"><td id="direction_${c.uuid}"><span data-icon="${c.direction}"></span></td><td id="caller_id_name_${c.uuid}">${c.callerIdName}</td><td id="caller_id_number_${c.uuid}">${c.callerIdNumber}</td><td id="destination_${c.uuid}">${c.destination}</td><td id="commands_${c.uuid}"></td></tr>`)
      .join('')}</tbody></table>`;
    expect(channels).toHaveLength(6);
    expect(rows('fusionpbx-active-calls')).toEqual([
      { extension: '1001', portalOnCall: undefined, otherParty: '5550101' },
      { extension: '1002', portalOnCall: undefined, otherParty: '5550102' },
      { extension: '1006', portalOnCall: undefined, otherParty: '1007' },
      { extension: '1007', portalOnCall: undefined, otherParty: '1006' },
    ]);
  });
});
