import type { PortalAdapter } from './adapter';

/**
 * FusionPBX (FreeSWITCH), Call Center → Active call centers
 * (`app/call_center_active/call_center_active.php`; ../shared/design/portals.md).
 * Wholesale: every 1.5 s (setting call_center/refresh) the page fetches
 * `call_center_active_inc.php` and replaces `#ajax_response.innerHTML`, then
 * binds every row's cells (jQuery) to navigate to the agent's edit page on
 * click, except cells `no-link`, `checkbox`, `button`, `action-button`.
 *
 * - Rows: the agents table's `tr.list-row` with the agent-edit `href` (the
 *   callers table below has none); cells in the header's order: Name,
 *   Extension, Status, State, Status Change, Last Call, Missed, Answered,
 *   Tier State, Tier Level, Tier Position, Options.
 * - The extension cell comes from the agent's contact string: usually
 *   digits, not always; anything else is no agent Earshot dials.
 * - On a call: Tier State `Active Inbound` (`Offering` is ringing).
 * - The icon: in `td.no-link` (the Options cell, which never navigates), or
 *   the last cell when the user lacks call_center_active_options. Earshot's
 *   icon stops its click either way (lib/portals/icons.ts, in the capture phase).
 * - The other party: the callers table ("Queue: <name>" below the agents),
 *   Number by the agent's name (the table names agents by name only; a name
 *   two callers claim is ambiguous, so unknown).
 * - Monitoring: Earshot dials FreeSWITCH's eavesdrop. The portal's own
 *   Eavesdrop button has FreeSWITCH call the signed-in user's first
 *   extension instead (`eavesdrop` caller-id name), which Earshot must not
 *   answer unless it asked.
 * - The signed-in user: FusionPBX shows no role on this page.
 */
export const fusionpbxCallCenterAdapter: PortalAdapter = {
  id: 'fusionpbx-call-center',
  label: 'FusionPBX: Call Center → Active call centers',
  rows: '#ajax_response table.list tr.list-row[href*="call_center_agent_edit.php"]',
  extension: 'td:nth-child(2)',
  name: 'td:nth-child(1)',
  iconSlot: 'td.no-link, td:last-child',
  call: 'td:nth-child(9)',
  onCallPattern: '^active inbound$',
  // While a call is up the Options cell holds the Eavesdrop button, only for users the portal lets eavesdrop.
  rowMonitorRight: 'td.no-link button[title="Eavesdrop"]',
  otherPartyTable: {
    rows: '#ajax_response .action_bar.sub ~ .card table.list tr.list-row',
    agentName: { selector: 'td:nth-child(6)' },
    party: { selector: 'td:nth-child(3)' },
  },
  refresh: { kind: 'wholesale', root: '#ajax_response', everyMs: 1500 },
  starts: 'earshot-dials',
};
