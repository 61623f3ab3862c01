import type { PortalAdapter } from './adapter';

/**
 * NetSapiens-style manager portal, Call Center → Agents (the seed's portal;
 * ../shared/design/portals.md). Incremental: a socket.io connection pushes
 * `agent`, `call` and `call-domain` events and the page edits single rows
 * and buttons in place, so the scanner re-reads only the rows that changed.
 *
 * - Rows only in `#agents-table.allowmonitor`: without that class the portal
 *   offers the signed-in user no monitoring at all, and Earshot watches
 *   nobody (no SUBSCRIBE for a user the PBX would refuse anyway).
 * - The extension: from the listen control's id, `listen-<user>-<domain>`
 *   (every non-word character of `user@domain` written `-`); only a numeric
 *   user is an extension Earshot dials.
 * - On a call: the presence class of the agent's contact element, `inuse`
 *   or `held` (the call is up); `progressing` and `alerting` are ringing.
 * - The other party: the listen control's inline handler once the portal
 *   enabled it (answered calls only): `ani` or `term_uri`, whichever is not
 *   the agent.
 * - The signed-in user: the header's scope (NetSapiens scope names are
 *   Earshot's; `Simple User` is NetSapiens' reduced Basic User). The header
 *   selector is this adapter's assumption: portals.md does not name it.
 * - Monitoring starts with the portal (POST /portal/calls/tap/<call id>):
 *   the PBX calls the supervisor's registered devices, Earshot among them.
 *   On-net is the portal's own rule (shorter than 7, no `*`).
 */
export const netsapiensAgentsAdapter: PortalAdapter = {
  id: 'netsapiens-agents',
  label: 'NetSapiens manager portal: Call Center → Agents',
  rows: '#agents-table.allowmonitor tbody tr',
  extension: [{ selector: '[id^="listen-"]', attribute: 'id', pattern: '^listen-([0-9]+)-' }],
  name: '.agent-name',
  iconSlot: '.agent-actions',
  call: '.contact',
  callAttribute: 'class',
  onCallPattern: '(?:^|\\s)(?:inuse|held)(?:\\s|$)',
  otherParty: [
    { selector: '[id^="listen-"]:not([disabled])', attribute: 'onclick', pattern: "\\bani\\s*[=:]\\s*'([^']*)'" },
    { selector: '[id^="listen-"]:not([disabled])', attribute: 'onclick', pattern: "\\bterm_uri\\s*[=:]\\s*'([^']*)'" },
  ],
  onNetRule: 'netsapiens',
  userScope: '#user-menu [data-scope]',
  userScopeAttribute: 'data-scope',
  scopeMap: {
    'Basic User': 'Basic User',
    'Simple User': 'Basic User',
    'Call Center Agent': 'Call Center Agent',
    'Call Center Supervisor': 'Call Center Supervisor',
    'Office Manager': 'Office Manager',
  },
  // `data-user` is the user's address, `1001@acme.example.com`: the extension is its numeric user part.
  userExtension: { selector: '#user-menu', attribute: 'data-user', pattern: '^([0-9]+)@' },
  monitorRight: '#agents-table.allowmonitor',
  refresh: { kind: 'incremental', root: '#agents-table' },
  starts: 'pbx-calls-earshot',
};
