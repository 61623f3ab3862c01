import type { PortalAdapter } from './adapter';

const EXTENSION = '^([0-9]{2,6})$';

/**
 * FusionPBX (FreeSWITCH), Active calls: the websocket page
 * `app/active_calls/active_calls.php` (../shared/design/portals.md).
 * Incremental: a row `<tr id="<channel uuid>">` appears in
 * `tbody#calls_active_body` on call state and disappears on hangup.
 *
 * - One row per channel, so both legs of a call appear. The agent is the
 *   leg's extension end: the destination of a leg FreeSWITCH placed
 *   (outbound arrow), the caller of a leg that reached FreeSWITCH (inbound
 *   or local arrow). Only 2 to 6 digits count as an extension: a leg whose
 *   end is a public number (the gateway's side) is no agent row.
 * - The other party: the leg's other end (caller-id number or destination).
 * - On a call: the page cannot tell a ringing leg from an answered one (a
 *   row is a channel), so the adapter gives no portal view of it and the
 *   PBX's dialog-info decides alone.
 * - The supervisor's own eavesdrop leg (caller-id name "Eavesdrop") is no agent.
 * - No name: a leg's caller-id name is the agent's on one leg, the customer's on the other.
 * - The legacy page (`app/calls_active/`, wholesale into `#ajax_response`
 *   every 2 s) is not this adapter's.
 */
export const fusionpbxActiveCallsAdapter: PortalAdapter = {
  id: 'fusionpbx-active-calls',
  label: 'FusionPBX: Active calls',
  rows: '#calls_active_body > tr.list-row',
  extension: [
    { when: '[data-icon="outbound"]', selector: 'td[id^="destination_"]', pattern: EXTENSION },
    { when: '[data-icon="inbound"], [data-icon="local"]', selector: 'td[id^="caller_id_number_"]', pattern: EXTENSION },
  ],
  ignore: { selector: 'td[id^="caller_id_name_"]', pattern: '^(eavesdrop)$' },
  iconSlot: 'td[id^="commands_"]',
  // The row's eavesdrop button: the portal's own monitor right for this call.
  rowMonitorRight: 'td[id^="commands_"] button[id^="btn_eavesdrop_"]',
  otherParty: [
    { when: '[data-icon="outbound"]', selector: 'td[id^="caller_id_number_"]' },
    { when: '[data-icon="inbound"], [data-icon="local"]', selector: 'td[id^="destination_"]' },
  ],
  refresh: { kind: 'incremental', root: '#calls_active_body' },
  starts: 'earshot-dials',
};
