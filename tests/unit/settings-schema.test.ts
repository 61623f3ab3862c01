import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, FIELD_LABELS, LEAF_PATHS, validateLeaf } from '@/lib/settings';

function messageOf(path: string, value: unknown): string[] {
  const result = validateLeaf(path, value);
  return result.ok ? [] : result.problems.map((p) => p.message);
}

describe('settings schema: defaults', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_SETTINGS.onNetPattern).toBe('[0-9]{2,6}');
    expect(DEFAULT_SETTINGS.rules.monitorScopes).toEqual(['Call Center Supervisor']);
    expect(DEFAULT_SETTINGS.rules.whisperWhenUnknown).toBe('deny');
    expect(DEFAULT_SETTINGS.rules.user.dtmfMonitoringGranted).toBe(false);
    expect(DEFAULT_SETTINGS.auditRetention).toBe(500);
    expect(DEFAULT_SETTINGS.history).toEqual({ enabled: true, days: 90 });
    expect(DEFAULT_SETTINGS.lockUserOverrides).toBe(false);
    expect(DEFAULT_SETTINGS.pbx.credentials).toBe('stored');
    expect(DEFAULT_SETTINGS.profile.id).toBe('asterisk-chanspy');
    expect(DEFAULT_SETTINGS.portal.adapter).toBe('earshot-lab');
    expect(DEFAULT_SETTINGS.iceServers).toEqual([]);
    expect(DEFAULT_SETTINGS.pbx.password).toBeUndefined();
  });

  it('labels every field', () => {
    for (const path of LEAF_PATHS) expect(FIELD_LABELS[path], path).toBeTruthy();
    expect(Object.keys(FIELD_LABELS).sort()).toEqual([...LEAF_PATHS].sort());
  });
});

// One row per field and message: [path, invalid value, exact message].
const INVALID: [string, unknown, string][] = [
  ['pbx.wsUrl', 'ws://pbx.example.com/ws', 'PBX WebSocket URL: use wss:// (ws:// only for 127.0.0.1 or localhost)'],
  ['pbx.wsUrl', 'https://pbx.example.com', 'PBX WebSocket URL: not a WebSocket address, e.g. wss://pbx.example.com:8089/ws'],
  ['pbx.wsUrl', 'not a url', 'PBX WebSocket URL: not a WebSocket address, e.g. wss://pbx.example.com:8089/ws'],
  ['pbx.wsUrl', 42, 'PBX WebSocket URL: expected text'],
  ['pbx.domain', 'https://pbx.example.com', 'SIP domain: use a host name like pbx.example.com (no scheme, no port)'],
  ['pbx.domain', 'pbx.example.com:5060', 'SIP domain: use a host name like pbx.example.com (no scheme, no port)'],
  ['pbx.username', '2001@pbx.example.com', 'Username (extension): the extension or SIP user alone, without spaces or @domain'],
  ['pbx.authorizationUsername', 'a b', 'Authorization username: the digest user alone, without spaces or @domain'],
  ['pbx.password', '', 'Password: cannot be empty'],
  ['pbx.displayName', 'x'.repeat(65), 'Display name: at most 64 characters'],
  ['pbx.credentials', 'ask', 'How credentials are provided: use one of: stored, prompt'],
  ['profile.id', 'cisco', 'PBX profile: use one of: asterisk-chanspy, asterisk-per-mode, freeswitch-eavesdrop, fusionpbx-eavesdrop-button, netsapiens-tapping, custom'],
  ['profile.dialPrefix', '*22a', 'Dial prefix: use digits, * and # only (1 to 10)'],
  ['profile.modeCodes.listen', '', 'Listen Only code: use digits, * and # only (1 to 10)'],
  ['profile.modeCodes.whisper', 'w', 'Whisper code: use digits, * and # only (1 to 10)'],
  ['profile.modeCodes.barge', '12345678901', 'Join (Barge-In) code: use digits, * and # only (1 to 10)'],
  ['profile.dtmfMethod', 'inband', 'DTMF method: use one of: rfc4733, info'],
  ['profile.pin', '12ab', 'PIN: 1 to 12 digits'],
  ['profile.tappingCode', 'tap', 'Tapping code: use digits, * and # only (1 to 10)'],
  ['profile.switchBy', 'voice', 'Mode switching: use one of: dtmf, redial'],
  ['portal.origin', 'http://portal.example.com', 'Portal address: use https:// (http:// only for 127.0.0.1 or localhost)'],
  ['portal.origin', 'portal.example.com', 'Portal address: not a valid address, e.g. https://portal.example.com'],
  ['portal.origin', 'https://me:pw@portal.example.com', 'Portal address: leave the user name and password out of the address'],
  ['portal.adapter', 'netsapiens', 'Portal type: use one of: earshot-lab, generic'],
  ['portal.generic.rowSelector', '  ', 'Agent row selector: enter a CSS selector'],
  ['portal.generic.rowSelector', 'li[', 'Agent row selector: not a valid CSS selector (Expected name, found '],
  ['portal.generic.extensionSelector', '', 'Extension selector: enter a CSS selector'],
  ['portal.generic.extensionSelector', '.card >', 'Extension selector: not a valid CSS selector (it ends with a combinator'],
  ['portal.generic.extensionAttribute', 'data ext', 'Extension attribute: an attribute name has no spaces, quotes, >, / or ='],
  ['portal.generic.extensionPattern', 'Ext (', 'Extension pattern: not a valid regular expression'],
  ['portal.generic.extensionPattern', 'Ext\\. [0-9]+', 'Extension pattern: needs a capture group: put ( ) around the part to keep, e.g. Ext\\. ([0-9]+)'],
  ['portal.generic.nameSelector', 'x'.repeat(301), 'Name selector: at most 300 characters'],
  ['portal.generic.iconSlotSelector', '', 'Icon slot selector: enter a CSS selector'],
  ['portal.generic.callSelector', 7, 'Call state selector: expected text'],
  ['portal.generic.callAttribute', '', 'Call state attribute: enter an attribute name'],
  ['portal.generic.callPattern', '(?:busy)', 'Call state pattern: needs a capture group'],
  ['portal.generic.onCallPattern', '(', 'On-call pattern: not a valid regular expression'],
  ['portal.generic.onCallPattern', 'x'.repeat(201), 'On-call pattern: at most 200 characters'],
  ['portal.generic.otherPartySelector', '[data-party', 'Other party selector: not a valid CSS selector'],
  ['portal.generic.otherPartyAttribute', 'x'.repeat(61), 'Other party attribute: at most 60 characters'],
  ['portal.generic.otherPartyPattern', '[', 'Other party pattern: not a valid regular expression'],
  ['portal.generic.rowMonitorRightSelector', '', 'Per-agent monitor right selector: enter a CSS selector'],
  ['portal.generic.userExtensionSelector', '', 'Signed-in user extension selector: enter a CSS selector'],
  ['portal.generic.userExtensionAttribute', 'a=b', 'Signed-in user extension attribute: an attribute name has no spaces'],
  ['portal.generic.userExtensionPattern', 'ext', 'Signed-in user extension pattern: needs a capture group'],
  ['portal.generic.userScopeSelector', '', 'Signed-in user role selector: enter a CSS selector'],
  ['portal.generic.userScopeAttribute', '"role"', 'Signed-in user role attribute: an attribute name has no spaces, quotes'],
  ['portal.generic.userScopePattern', '(', 'Signed-in user role pattern: not a valid regular expression'],
  ['portal.generic.scopeMap', { Manager: 'Admin' }, 'Portal roles to scopes (Manager): use one of: Basic User, Call Center Agent, Call Center Supervisor, Office Manager'],
  ['portal.generic.scopeMap', 'Manager', 'Portal roles to scopes: expected a map of names to values'],
  ['portal.generic.extensionSelector', '> .ext', 'Extension selector: not a valid CSS selector (it starts with a combinator'],
  ['portal.generic.monitorRightSelector', 'a,', 'Monitor right selector: not a valid CSS selector (Empty sub-selector)'],
  ['iceServers', [{ urls: 'http://stun.example.com' }], 'ICE servers (0.urls): use stun:, stuns:, turn: or turns: addresses'],
  ['iceServers', [{ urls: 'stun:a', secret: 'x' }], 'ICE servers (0): unknown entry: secret'],
  ['iceServers', 'stun:a', 'ICE servers: expected a list'],
  ['iceServers', [{ urls: 5 }], 'ICE servers (0.urls): use stun:, stuns:, turn: or turns: addresses (one, or a list)'],
  ['onNetPattern', '[0-9', 'On-net pattern: not a valid regular expression'],
  ['onNetPattern', '', 'On-net pattern: enter a pattern'],
  ['rules.monitorScopes', ['Call Center Supervisor', 'Basic User'], 'Scopes allowed to monitor: Basic Users can never monitor calls: remove "Basic User"'],
  ['rules.monitorScopes', [], 'Scopes allowed to monitor: choose at least one scope'],
  ['rules.monitorScopes', ['Office Manager', 'Office Manager'], 'Scopes allowed to monitor: each scope only once'],
  ['rules.monitorScopes', ['Admin'], 'Scopes allowed to monitor (0): use one of: Basic User, Call Center Agent, Call Center Supervisor, Office Manager'],
  ['rules.whisperWhenUnknown', 'maybe', 'Whisper when the other party is unknown: use one of: allow, deny'],
  ['rules.user.scope', 'Admin', 'Your scope: use one of: Basic User, Call Center Agent, Call Center Supervisor, Office Manager'],
  ['rules.user.dtmfMonitoringGranted', 'yes', 'DTMF monitoring granted to you: expected on or off (true/false)'],
  ['lockUserOverrides', 1, 'Lock settings for users: expected on or off (true/false)'],
  ['audit.endpoint', 'http://audit.example.com/events', 'Audit trail endpoint: use https:// (http:// only for 127.0.0.1 or localhost)'],
  ['audit.endpoint', 'audit.example.com', 'Audit trail endpoint: not a web address, e.g. https://audit.example.com/earshot/events'],
  ['audit.endpoint', 'wss://audit.example.com', 'Audit trail endpoint: not a web address, e.g. https://audit.example.com/earshot/events'],
  ['audit.endpoint', 'https://u:p@audit.example.com/', 'Audit trail endpoint: leave the user name and password out of the address'],
  ['audit.token', '', 'Audit trail token: cannot be empty'],
  ['audit.token', 'two words', 'Audit trail token: printable characters without spaces'],
  ['audit.queueLimit', 99, 'Audit events kept while undelivered: at least 100 events'],
  ['audit.queueLimit', 100001, 'Audit events kept while undelivered: at most 100000 events'],
  ['auditRetention', 9, 'Session log entries kept: at least 10 entries'],
  ['auditRetention', 10001, 'Session log entries kept: at most 10000 entries'],
  ['auditRetention', 12.5, 'Session log entries kept: expected a whole number'],
  ['auditRetention', '500', 'Session log entries kept: expected a number'],
  ['history.enabled', 'no', 'Keep the session record across browser restarts: expected on or off (true/false)'],
  ['history.days', 0, 'Days the session record is kept: at least 1 day'],
  ['history.days', 3651, 'Days the session record is kept: at most 3650 days'],
  ['lockUserOverrides', 'true', 'Lock settings for users: expected on or off (true/false)'],
];

describe('settings schema: validation messages', () => {
  it.each(INVALID)('%s = %j → %s', (path, value, message) => {
    const messages = messageOf(path, value);
    expect(messages.some((m) => m.startsWith(message)), messages.join(' | ')).toBe(true);
  });

  it('covers every field with at least one invalid case', () => {
    const covered = new Set(INVALID.map(([path]) => path));
    expect(LEAF_PATHS.filter((path) => !covered.has(path))).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['pbx.wsUrl', 'wss://pbx.example.com:8089/ws'],
    ['pbx.wsUrl', 'ws://127.0.0.1:5066'],
    ['pbx.wsUrl', 'ws://localhost:5066/ws'],
    ['pbx.domain', 'pbx.example.com'],
    ['pbx.domain', '127.0.0.1'],
    ['portal.origin', 'http://127.0.0.1:8080'],
    ['portal.origin', 'https://portal.example.com/agents?x=1'],
    ['iceServers', [{ urls: ['stun:stun.example.com:3478', 'turns:turn.example.com'], username: 'u', credential: 'c' }]],
    ['rules.monitorScopes', ['Call Center Supervisor', 'Office Manager']],
    ['profile.modeCodes.listen', '*1'],
    ['auditRetention', 10],
    ['auditRetention', 10000],
    ['audit.endpoint', 'https://audit.example.com/earshot/events?tenant=7'],
    ['audit.endpoint', 'http://127.0.0.1:9999/events'],
    ['audit.endpoint', 'http://localhost:9999/events'],
    ['audit.token', 'eyJhbGciOi.J-IUzI1_NiJ9~+/='],
  ])('accepts %s = %j', (path, value) => {
    expect(messageOf(path, value)).toEqual([]);
  });
});
