import { describe, expect, it } from 'vitest';
import { InvalidExtensionError, ProfileError, RuleRefusedError } from '@/lib/monitor/errors';
import { MODES, type Mode } from '@/lib/monitor/modes';
import type { Verdict } from '@/lib/monitor/rules';
import { MAX_EXTENSION_LENGTH, validateExtension } from '@/lib/contract/extension';
import { planModeChange, planStart, type PlanAction } from '@/lib/pbx/plan';
import { BUILT_IN_PROFILES, resolveProfile } from '@/lib/pbx/profiles';

const all: Record<Mode, Verdict> = { listen: { allowed: true }, whisper: { allowed: true }, barge: { allowed: true } };
const dtmf = (digits: string, method: 'rfc4733' | 'info'): PlanAction => ({ kind: 'dtmf', digits, method });

describe('validateExtension: only digits, bounded', () => {
  it.each(['101', ' 1001 ', '5550101', '1'.repeat(MAX_EXTENSION_LENGTH)])('accepts %j', (input) => {
    expect(validateExtension(input)).toBe(input.trim());
  });
  it.each([
    ['101@evil.example', 'only digits are allowed, found "@"'],
    ['101;transport=tcp', 'only digits are allowed, found ";"'],
    ['*222101', 'only digits are allowed, found "*"'],
    ['101 OR 1=1', 'only digits are allowed, found " "'],
    ['sip:101', 'only digits are allowed, found "s"'],
    ['١٠١', 'only digits are allowed, found "١"'],
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['1'.repeat(MAX_EXTENSION_LENGTH + 1), `it has ${MAX_EXTENSION_LENGTH + 1} digits, at most ${MAX_EXTENSION_LENGTH} are allowed`],
  ])('refuses %j: %s', (input, reason) => {
    expect(() => validateExtension(input)).toThrow(InvalidExtensionError);
    expect(() => validateExtension(input)).toThrow(`"${input}" is not an extension Earshot can monitor: ${reason}.`);
  });
});

describe('planStart per profile (starts in Listen Only)', () => {
  it.each([
    ['asterisk-chanspy', {}, [{ kind: 'dial', target: '*2221001' }]],
    ['asterisk-per-mode', {}, [{ kind: 'dial', target: '*2211001' }]],
    ['freeswitch-eavesdrop', {}, [{ kind: 'dial', target: '*331001', codecs: ['PCMU', 'PCMA'] }]],
    ['freeswitch-eavesdrop', { pin: '4321' }, [{ kind: 'dial', target: '*331001', codecs: ['PCMU', 'PCMA'] }, dtmf('4321', 'rfc4733')]],
    ['netsapiens-tapping', {}, [{ kind: 'dial', target: '*551001' }]],
    ['netsapiens-tapping', { tappingCode: '*77' }, [{ kind: 'dial', target: '*771001' }]],
    ['asterisk-chanspy', { dialPrefix: '556' }, [{ kind: 'dial', target: '5561001' }]],
  ] as const)('%s %j', (id, overrides, actions) => {
    expect(planStart(resolveProfile(id, overrides), '1001')).toEqual(actions);
  });

  it('never dials a portal string that is not an extension', () => {
    const profile = resolveProfile('asterisk-chanspy');
    expect(() => planStart(profile, '101@evil.example')).toThrow(InvalidExtensionError);
    expect(() => planStart(profile, '101;transport=tcp')).toThrow(InvalidExtensionError);
  });
});

/** Expected action for every (profile, to) switch; the from mode only matters when equal. */
const expectedSwitch: Record<string, Record<Mode, PlanAction[]>> = {
  'asterisk-chanspy': { listen: [dtmf('4', 'rfc4733')], whisper: [dtmf('5', 'rfc4733')], barge: [dtmf('6', 'rfc4733')] },
  'freeswitch-eavesdrop': { listen: [dtmf('0', 'rfc4733')], whisper: [dtmf('2', 'rfc4733')], barge: [dtmf('3', 'rfc4733')] },
  'netsapiens-tapping': { listen: [dtmf('*1', 'info')], whisper: [dtmf('*2', 'info')], barge: [dtmf('*3', 'info')] },
  'asterisk-per-mode': {
    listen: [{ kind: 'hangup' }, { kind: 'dial', target: '*2211001' }],
    whisper: [{ kind: 'hangup' }, { kind: 'dial', target: '*2231001' }],
    barge: [{ kind: 'hangup' }, { kind: 'dial', target: '*2241001' }],
  },
};
const switches = Object.keys(expectedSwitch).flatMap((id) =>
  MODES.flatMap((from) => MODES.map((to) => [id, from, to] as [keyof typeof BUILT_IN_PROFILES, Mode, Mode])),
);

describe('planModeChange: every profile, every mode change', () => {
  it.each(switches)('%s: %s → %s', (id, from, to) => {
    const plan = planModeChange(resolveProfile(id), from, to, '1001', all);
    expect(plan).toEqual(from === to ? [] : expectedSwitch[id]?.[to]);
  });

  it.each(switches.filter(([, from, to]) => from !== to && to !== 'listen'))(
    '%s: %s → %s refused when the mode is not available: no digits at all',
    (id, from, to) => {
      const availability = { ...all, [to]: { allowed: false, reason: 'Whisper is only for calls between an agent and an outside party; this is an internal call.' } };
      expect(() => planModeChange(resolveProfile(id), from, to, '1001', availability)).toThrow(RuleRefusedError);
      expect(() => planModeChange(resolveProfile(id), from, to, '1001', availability)).toThrow(/internal call/);
    },
  );

  it('uses the deployment DTMF method and codes', () => {
    const profile = resolveProfile('asterisk-chanspy', { dtmfMethod: 'info', modeCodes: { whisper: '8' } });
    expect(planModeChange(profile, 'listen', 'whisper', '1001', all)).toEqual([dtmf('8', 'info')]);
    expect(planModeChange(profile, 'whisper', 'barge', '1001', all)).toEqual([dtmf('6', 'info')]);
  });
});

describe('resolveProfile', () => {
  it('builds a custom re-dial profile from overrides (RingCentral style)', () => {
    const profile = resolveProfile('custom', { switchBy: 'redial', modeCodes: { listen: '*80', whisper: '*81', barge: '*82' } });
    expect(planStart(profile, '1001')).toEqual([{ kind: 'dial', target: '*801001' }]);
    expect(planModeChange(profile, 'listen', 'barge', '1001', all)).toEqual([{ kind: 'hangup' }, { kind: 'dial', target: '*821001' }]);
  });

  it('builds a custom DTMF profile', () => {
    const profile = resolveProfile('custom', { dialPrefix: '*90', modeCodes: { listen: '#1', whisper: '#2', barge: '#3' }, dtmfMethod: 'info' });
    expect(planStart(profile, '1001')).toEqual([{ kind: 'dial', target: '*901001' }]);
    expect(planModeChange(profile, 'listen', 'whisper', '1001', all)).toEqual([dtmf('#2', 'info')]);
  });

  it.each([
    ['custom without codes', 'custom', {}, /has no code for listen/],
    ['custom without dial prefix', 'custom', { modeCodes: { listen: '1', whisper: '2', barge: '3' } }, /has no dial prefix/],
    ['a code with letters', 'asterisk-chanspy', { modeCodes: { whisper: '5;x' } }, /whisper code "5;x" is not valid/],
    ['a dial prefix with a domain', 'asterisk-chanspy', { dialPrefix: '*222@evil' }, /dial prefix "\*222@evil" is not valid/],
    ['a PIN with letters', 'freeswitch-eavesdrop', { pin: '12a4' }, /PIN must be 1 to 12 digits/],
  ] as const)('refuses %s', (_name, id, overrides, message) => {
    expect(() => resolveProfile(id, overrides)).toThrow(ProfileError);
    expect(() => resolveProfile(id, overrides)).toThrow(message);
  });

  it('knows which profiles end with the agent and which are DTMF monitoring', () => {
    expect(Object.values(BUILT_IN_PROFILES).map((p) => [p.id, p.endsWithAgent, p.tapping])).toEqual([
      ['asterisk-chanspy', true, false],
      ['asterisk-per-mode', true, false],
      ['freeswitch-eavesdrop', true, false],
      ['fusionpbx-eavesdrop-button', true, false],
      ['netsapiens-tapping', false, true],
    ]);
  });
});

describe('the FreeSWITCH *33<ext> profile (facts measured on FreeSWITCH 1.10.12: pbx-dialects.md)', () => {
  const fs = BUILT_IN_PROFILES['freeswitch-eavesdrop'];

  it('switches by RFC 4733 digits: Listen 0, Whisper 2 (the agent hears), Join 3', () => {
    expect(fs).toMatchObject({ dialPrefix: '*33', switchBy: 'dtmf', dtmfMethod: 'rfc4733', modeCodes: { listen: '0', whisper: '2', barge: '3' } });
  });

  it('refuses SIP INFO, which FreeSWITCH ignores yet answers 200 OK', () => {
    expect(() => resolveProfile('freeswitch-eavesdrop', { dtmfMethod: 'info' })).toThrow(ProfileError);
    expect(() => resolveProfile('freeswitch-eavesdrop', { dtmfMethod: 'info' })).toThrow(/cannot use SIP INFO DTMF: FreeSWITCH ignores SIP INFO digits .* answers them 200 OK/);
    // Asterisk acts on both methods (measured): its profiles keep the choice.
    expect(resolveProfile('asterisk-chanspy', { dtmfMethod: 'info' }).dtmfMethod).toBe('info');
  });

  it.each(['whisper', 'barge', 'listen'] as const)('never takes digit 1 (only the customer hears the supervisor) as the %s code', (mode) => {
    expect(() => resolveProfile('freeswitch-eavesdrop', { modeCodes: { [mode]: '1' } })).toThrow(/the digit 1 only the customer hears the supervisor \(not the agent\): it cannot be the/);
  });

  it('never takes * (ends the eavesdrop) as a mode code; other digits stay configurable', () => {
    expect(() => resolveProfile('freeswitch-eavesdrop', { modeCodes: { barge: '*' } })).toThrow(/the digit \* ends the eavesdrop: it cannot be the Join \(Barge-In\) code/);
    expect(resolveProfile('freeswitch-eavesdrop', { modeCodes: { whisper: '7' } }).modeCodes.whisper).toBe('7');
  });

  it('dials in G.711 (eavesdrop does not resample), and its redial and start plans carry the preference', () => {
    expect(fs.codecs).toEqual(['PCMU', 'PCMA']);
    expect(planStart(fs, '1001')[0]).toEqual({ kind: 'dial', target: '*331001', codecs: ['PCMU', 'PCMA'] });
    const redial = resolveProfile('freeswitch-eavesdrop', { switchBy: 'redial', modeCodes: { listen: '*31', whisper: '*32', barge: '*34' } });
    expect(planModeChange(redial, 'listen', 'whisper', '1001', all)).toEqual([{ kind: 'hangup' }, { kind: 'dial', target: '*321001', codecs: ['PCMU', 'PCMA'] }]);
  });

  it('shares its codec preference, refused DTMF and the hang-up-at-once fact only with the FusionPBX Eavesdrop-button profile (the same eavesdrop)', () => {
    const facts = (p: (typeof BUILT_IN_PROFILES)[keyof typeof BUILT_IN_PROFILES]) => [p.codecs, p.refusedDtmf, p.hangsUpWithoutCall, p.reservedCodes, p.modeCodes, p.dtmfMethod];
    expect(Object.values(BUILT_IN_PROFILES).filter((p) => p.codecs || p.refusedDtmf || p.hangsUpWithoutCall).map((p) => p.id)).toEqual(['freeswitch-eavesdrop', 'fusionpbx-eavesdrop-button']);
    expect(facts(BUILT_IN_PROFILES['fusionpbx-eavesdrop-button'])).toEqual(facts(fs));
    expect(fs.hangsUpWithoutCall).toBe(true);
  });
});

describe("the FusionPBX portal's Eavesdrop button profile (the PBX calls the supervisor: portals.md)", () => {
  const button = BUILT_IN_PROFILES['fusionpbx-eavesdrop-button'];

  it('starts by answering the call named eavesdrop within 15 s, in G.711, with no PIN and nothing dialled', () => {
    expect(planStart(resolveProfile('fusionpbx-eavesdrop-button'), '1001')).toEqual([{ kind: 'answer', callerName: 'eavesdrop', withinMs: 15_000, codecs: ['PCMU', 'PCMA'] }]);
    expect(button.answers?.portalRequest).toBe('fusionpbx-eavesdrop');
  });

  it('switches modes by the eavesdrop digits 2 / 3 / 0 by RFC 4733', () => {
    expect(planModeChange(button, 'listen', 'whisper', '1001', all)).toEqual([{ kind: 'dtmf', digits: '2', method: 'rfc4733' }]);
    expect(planModeChange(button, 'whisper', 'barge', '1001', all)).toEqual([{ kind: 'dtmf', digits: '3', method: 'rfc4733' }]);
    expect(planModeChange(button, 'barge', 'listen', '1001', all)).toEqual([{ kind: 'dtmf', digits: '0', method: 'rfc4733' }]);
  });

  it('refuses a re-dial switch (there is nothing to dial) and SIP INFO', () => {
    expect(() => resolveProfile('fusionpbx-eavesdrop-button', { switchBy: 'redial' })).toThrow(/answers the PBX's call: its modes switch by DTMF/);
    expect(() => resolveProfile('fusionpbx-eavesdrop-button', { dtmfMethod: 'info' })).toThrow(/cannot use SIP INFO DTMF/);
  });
});
