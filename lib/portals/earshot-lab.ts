import type { PortalAdapter } from './adapter';

/**
 * The lab's demo portal (lab/portal): the Call Center → Agents table,
 * re-rendered wholesale every second. The current call reads
 * "<name> (<number>)": the number is the other party.
 */
export const earshotLabAdapter: PortalAdapter = {
  id: 'earshot-lab',
  label: 'Earshot Lab manager portal',
  rows: 'table.agents-table tbody tr.agent-row',
  extension: 'td.agent-ext',
  name: 'td.agent-name',
  iconSlot: 'td.agent-actions',
  call: 'td.agent-status',
  onCallPattern: '^on call$',
  otherParty: [{ selector: 'td.agent-call', pattern: '\\(([^()]+)\\)$' }],
  userScope: '.user-menu .user-scope',
  userExtension: '.user-menu',
  userExtensionAttribute: 'data-extension',
  refresh: { kind: 'wholesale', root: '.agents-table tbody', everyMs: 1000 },
  starts: 'earshot-dials',
};
