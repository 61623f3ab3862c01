import { describe, expect, it } from 'vitest';
import { createRules } from '@/lib/coordinator/rules-port';
import { initialState } from '@/lib/coordinator/coordinator';
import { decide, mayUseTappingCode, signedInUser, type Target, type UserFacts, type World } from '@/lib/monitor/authority';
import { MODES, SCOPES, type Mode, type Scope } from '@/lib/monitor/modes';
import type { AgentCallState, EarshotState, MicrophoneState } from '@/lib/state/snapshot';

// The one authority (lib/monitor/authority.ts), table by table, with the rules of
// /work/shared/design/architecture.md: monitoring for the Call Center Supervisor scope,
// Basic Users never; Listen and Join on every call; Whisper only on-net ↔ off-net;
// DTMF monitoring for Office Managers by default, adjustable per user.

const offNet = { uri: 'sip:5550101@lab.earshot.test', onNet: false };
const onNet = { uri: 'sip:1002@lab.earshot.test', onNet: true };
const call = (remote?: AgentCallState['remote'], dialog: AgentCallState['dialog'] = 'confirmed'): AgentCallState => ({
  extension: '1001',
  dialog,
  ...(remote ? { remote } : {}),
});
const CALLS: [string, AgentCallState | undefined][] = [
  ['a call with an outside party', call(offNet)],
  ['an internal call', call(onNet)],
  ['a call whose other party is unknown', call()],
  ['an agent Earshot has no state for', undefined],
];

function world(overrides: Partial<World> & { scope?: Scope; granted?: boolean; tapping?: boolean } = {}): World {
  const { scope, granted = false, tapping = false, ...rest } = overrides;
  const user: UserFacts = { dtmfMonitoringGranted: granted, ...(scope ? { scope } : {}) };
  return {
    user,
    entitlements: { monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown: 'deny' },
    profile: { tapping },
    target: { extension: '1001', call: call(offNet) },
    microphone: 'granted',
    ...rest,
  };
}
const allowedModes = (w: World): Record<Mode, boolean> => {
  const { modes } = decide(w);
  return { listen: modes.listen.allowed, whisper: modes.whisper.allowed, barge: modes.barge.allowed };
};

describe('authority: Basic Users never', () => {
  const cases = [false, true].flatMap((tapping) =>
    [false, true].flatMap((granted) =>
      [['Call Center Supervisor'], [...SCOPES]].flatMap((monitorScopes) =>
        CALLS.map(([name, agentCall]) => [tapping, granted, monitorScopes as Scope[], name, agentCall] as const),
      ),
    ),
  );
  it.each(cases)('tapping=%s granted=%s scopes=%j, %s: no start, no mode, with the reason', (tapping, granted, monitorScopes, _name, agentCall) => {
    const w = world({ scope: 'Basic User', granted, tapping, entitlements: { monitorScopes }, target: { extension: '1001', call: agentCall } });
    const decision = decide(w);
    expect(decision.start.allowed).toBe(false);
    expect(decision.start.reason).toMatch(/Basic Users cannot monitor/);
    for (const mode of MODES) expect(decision.modes[mode]).toEqual(decision.start);
  });

  it('by tapping code too', () => {
    const decision = decide(world({ scope: 'Basic User', granted: true, target: { extension: '1001', call: undefined, by: 'tapping-code' } }));
    expect(decision.start).toEqual({ allowed: false, reason: expect.stringMatching(/Basic Users cannot monitor/) });
  });
});

describe('authority: a Supervisor may Listen and Join on every call', () => {
  it.each(CALLS.flatMap(([name, agentCall]) => (['deny', 'allow'] as const).map((whenUnknown) => [name, whenUnknown, agentCall] as const)))(
    '%s (whisperWhenUnknown=%s)',
    (_name, whisperWhenUnknown, agentCall) => {
      const w = world({
        scope: 'Call Center Supervisor',
        entitlements: { monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown },
        target: { extension: '1001', call: agentCall },
      });
      const decision = decide(w);
      expect(decision.start).toEqual({ allowed: true });
      expect(decision.modes.listen).toEqual({ allowed: true });
      expect(decision.modes.barge).toEqual({ allowed: true });
    },
  );

  it('Join needs the microphone, Listen never does', () => {
    const decision = decide(world({ scope: 'Call Center Supervisor', microphone: 'denied' }));
    expect(decision.modes.listen).toEqual({ allowed: true });
    expect(decision.modes.barge.reason).toMatch(/microphone is blocked.*Listen still works/);
  });
});

describe('authority: Whisper only when one party is on-net and the other off-net', () => {
  const cases: [string, AgentCallState | undefined, 'allow' | 'deny', boolean, RegExp | undefined][] = [
    ['agent (on-net) with an outside party (off-net)', call(offNet), 'deny', true, undefined],
    ['agent with another extension (both on-net)', call(onNet), 'deny', false, /internal call/],
    ['agent with another extension, unknown allowed', call(onNet), 'allow', false, /internal call/],
    ['other party unknown: deny, with the reason', call(), 'deny', false, /could not tell who the agent is talking to/],
    ['no call state at all: deny, with the reason', undefined, 'deny', false, /could not tell who the agent is talking to/],
    ['other party unknown, the deployment allows it', call(), 'allow', true, undefined],
  ];
  it.each(cases)('%s', (_name, agentCall, whisperWhenUnknown, allowed, reason) => {
    const { whisper } = decide(
      world({
        scope: 'Call Center Supervisor',
        entitlements: { monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown },
        target: { extension: '1001', call: agentCall },
      }),
    ).modes;
    expect(whisper.allowed).toBe(allowed);
    if (reason) expect(whisper.reason).toMatch(reason);
    else expect(whisper.reason).toBeUndefined();
  });

  it('unknown whisperWhenUnknown defaults to deny', () => {
    const { whisper } = decide(world({ scope: 'Call Center Supervisor', entitlements: { monitorScopes: ['Call Center Supervisor'] }, target: { extension: '1001', call: call() } })).modes;
    expect(whisper.allowed).toBe(false);
  });

  it('the call type is named before the microphone', () => {
    const { whisper } = decide(world({ scope: 'Call Center Supervisor', microphone: 'denied', target: { extension: '1001', call: call(onNet) } })).modes;
    expect(whisper.reason).toMatch(/internal call/);
  });
});

describe('authority: DTMF monitoring for Office Managers by default, adjustable per user', () => {
  const cases: [Scope | undefined, boolean, boolean][] = [
    ['Office Manager', false, true],
    ['Office Manager', true, true],
    ['Call Center Supervisor', false, false],
    ['Call Center Supervisor', true, true],
    ['Call Center Agent', false, false],
    ['Call Center Agent', true, true],
    ['Basic User', false, false],
    // Basic Users never, even granted.
    ['Basic User', true, false],
  ];
  it.each(cases)('tapping profile: %s granted=%s → %s', (scope, granted, allowed) => {
    const decision = decide(world({ scope, granted, tapping: true }));
    expect(decision.start.allowed).toBe(allowed);
    if (!allowed) expect(decision.start.reason).toMatch(scope === 'Basic User' ? /Basic Users cannot monitor/ : /Office Managers or users granted DTMF monitoring/);
    expect(decision.modes.listen.allowed).toBe(allowed);
  });

  it.each(cases)('"monitor an extension" by tapping code: %s granted=%s → %s', (scope, granted, allowed) => {
    const target: Target = { extension: '1001', call: undefined, by: 'tapping-code' };
    expect(decide(world({ scope, granted, target })).start.allowed).toBe(allowed);
  });

  it('a user nobody names is left to the PBX on a tapping profile, but not asked by name', () => {
    expect(decide(world({ tapping: true })).start).toEqual({ allowed: true });
    expect(decide(world({ target: { extension: '1001', call: undefined, by: 'tapping-code' } })).start.allowed).toBe(false);
  });
});

describe('authority: may start', () => {
  const cases: [string, Partial<World>, RegExp | undefined][] = [
    ['an agent on an active call', {}, undefined],
    ['an agent Earshot has no state for (left to the PBX)', { target: { extension: '1001', call: undefined } }, undefined],
    ['an agent whose call is ringing', { target: { extension: '1001', call: call(offNet, 'early') } }, /still ringing/],
    ['an idle agent', { target: { extension: '1001', call: call(undefined, 'idle') } }, /not on an active call/],
    ['not an extension', { target: { extension: '1001@evil.example', call: undefined } }, /not an extension: use digits only/],
    ['Earshot not set up', { phone: { configured: false, registration: { status: 'unconfigured', since: 0 } } }, /not set up/],
    ['not registered', { phone: { configured: true, registration: { status: 'failed', message: 'The PBX refused the password (401)', since: 0 } } }, /refused the password/],
    [
      'a session already under way',
      { phone: { configured: true, registration: { status: 'registered', since: 0 }, liveSession: { agent: '1002' } } },
      /Already monitoring 1002: hang up first/,
    ],
    ['a scope the deployment does not allow', { user: { scope: 'Call Center Agent', dtmfMonitoringGranted: false } }, /signed in as Call Center Agent/],
  ];
  it.each(cases)('%s', (_name, overrides, reason) => {
    const { start } = decide(world({ scope: 'Call Center Supervisor', ...overrides }));
    if (reason) expect(start).toEqual({ allowed: false, reason: expect.stringMatching(reason) });
    else expect(start).toEqual({ allowed: true });
  });

  it('with no target: whether this user may monitor at all (the portal page)', () => {
    expect(decide(world({ scope: 'Call Center Supervisor', target: undefined })).start).toEqual({ allowed: true });
    expect(decide(world({ scope: 'Basic User', target: undefined })).start.allowed).toBe(false);
  });

  it("the engine's picture (no user) leaves the user to the PBX and answers for the call only", () => {
    const w = world({ user: undefined, target: { extension: '1001', call: call(onNet) } });
    expect(allowedModes(w)).toEqual({ listen: true, whisper: false, barge: true });
  });
});

describe('signedInUser: one source for who is signed in', () => {
  it('is the settings’ user, with the portal’s header on top when it shows one', () => {
    const settings = { extension: '2001', scope: 'Call Center Supervisor' as const, dtmfMonitoringGranted: true };
    expect(signedInUser(settings)).toEqual(settings);
    expect(signedInUser(settings, {})).toEqual(settings);
    // The same person (the portal's extension is the settings' one): the portal's role wins, the grant stays.
    expect(signedInUser(settings, { scope: 'Basic User', extension: '2001' })).toEqual({ extension: '2001', scope: 'Basic User', dtmfMonitoringGranted: true });
    expect(signedInUser(settings, { scope: 'Office Manager', extension: undefined })).toEqual({ ...settings, scope: 'Office Manager' });
  });

  it("drops the settings' display name and DTMF grant when the portal shows someone else", () => {
    const settings = { extension: '2001', displayName: 'Sam Supervisor', scope: 'Call Center Supervisor' as const, dtmfMonitoringGranted: true };
    expect(signedInUser(settings, { scope: 'Basic User', extension: '4001' })).toEqual({ extension: '4001', scope: 'Basic User', dtmfMonitoringGranted: false });
  });
});

describe("authority: the portal's monitoring right", () => {
  it('refuses every start and mode when the portal gives the signed-in user no monitoring, with the reason', () => {
    const decision = decide(world({ user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: true, monitorRight: false } }));
    expect(decision.start.reason).toBe('The portal does not let you monitor calls: the user signed in to it has no monitoring right.');
    for (const mode of MODES) expect(decision.modes[mode]).toEqual(decision.start);
    expect(mayUseTappingCode({ scope: 'Office Manager', dtmfMonitoringGranted: false, monitorRight: false }).allowed).toBe(false);
  });

  it("refuses a start on a row the portal offers no monitoring for, and only on that row", () => {
    const refused = decide(world({ scope: 'Call Center Supervisor', target: { extension: '1001', call: call(offNet), portalMonitorRight: false } }));
    expect(refused.start).toEqual({ allowed: false, reason: 'The portal does not let you monitor 1001: its row offers you no monitoring.' });
    expect(decide(world({ scope: 'Call Center Supervisor', target: { extension: '1002', call: call(offNet) } })).start).toEqual({ allowed: true });
    // A Basic User is told the rule that matters first.
    expect(decide(world({ scope: 'Basic User', target: { extension: '1001', call: call(offNet), portalMonitorRight: false } })).start.reason).toMatch(/Basic Users cannot monitor/);
  });

  it('mayUseTappingCode: the check of decide() for the "monitor an extension" form', () => {
    expect(mayUseTappingCode({ scope: 'Office Manager', dtmfMonitoringGranted: false }).allowed).toBe(true);
    expect(mayUseTappingCode({ dtmfMonitoringGranted: true }).allowed).toBe(true);
    expect(mayUseTappingCode({ scope: 'Call Center Supervisor', dtmfMonitoringGranted: false }).allowed).toBe(false);
    expect(mayUseTappingCode({ scope: 'Basic User', dtmfMonitoringGranted: true }).allowed).toBe(false);
  });
});

describe('the coordinator asks the authority with its snapshot', () => {
  const state = (patch: Partial<EarshotState> = {}): EarshotState => ({
    ...initialState(0),
    configured: true,
    registration: { status: 'registered', since: 0 },
    user: { scope: 'Call Center Supervisor', dtmfMonitoringGranted: false },
    agents: { '1001': call(onNet) },
    microphone: 'granted' as MicrophoneState,
    ...patch,
  });
  const rules = createRules({ monitorScopes: ['Call Center Supervisor'], whisperWhenUnknown: 'deny' });

  it('start: the same answer as decide() over the same picture', () => {
    expect(rules.canStart(state(), '1001')).toEqual({ allowed: true });
    expect(rules.canStart(state({ user: { scope: 'Basic User', dtmfMonitoringGranted: false } }), '1001').reason).toMatch(/Basic Users cannot monitor/);
    expect(rules.canStart(state({ agents: { '1001': call(undefined, 'terminated') } }), '1001').reason).toMatch(/not on an active call/);
  });

  it('modes: Whisper refused on an internal call, Join allowed', () => {
    const live = state({
      session: {
        id: 's1',
        agent: { extension: '1001' },
        status: 'active',
        mode: 'listen',
        availability: { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } },
        levels: { heard: 0, sent: 0 },
      },
    });
    expect(rules.canSetMode(live, 'whisper').reason).toMatch(/internal call/);
    expect(rules.canSetMode(live, 'barge')).toEqual({ allowed: true });
    expect(rules.canStart(live, '1001').reason).toMatch(/Already monitoring 1001/);
  });

  it('monitor an extension: Office Managers or users granted DTMF monitoring', () => {
    expect(rules.canMonitorExtension(state(), '1001').allowed).toBe(false);
    expect(rules.canMonitorExtension(state({ user: { scope: 'Office Manager', dtmfMonitoringGranted: false } }), '1001')).toEqual({ allowed: true });
    expect(rules.canMonitorExtension(state({ user: { dtmfMonitoringGranted: true } }), '1001')).toEqual({ allowed: true });
  });
});
