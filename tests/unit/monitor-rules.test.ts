import { describe, expect, it } from 'vitest';
import {
  canMonitor,
  canStartMonitoring,
  canMonitorAgent,
  canSwitchTo,
  canUseTapping,
  canWhisper,
  DEFAULT_RULE_OPTIONS,
  isOnNet,
  modeAvailability,
  parseSipUri,
} from '@/lib/monitor/rules';
import { SCOPES, type Scope } from '@/lib/monitor/modes';
import type { AgentCallState, MicrophoneState } from '@/lib/state/snapshot';

const domain = 'lab.earshot.test';
const pattern = '[0-9]{2,6}';

describe('canMonitor: only the configured scopes, Basic Users never', () => {
  const cases: [Scope | undefined, readonly Scope[], boolean, RegExp?][] = [
    ['Call Center Supervisor', ['Call Center Supervisor'], true],
    ['Call Center Agent', ['Call Center Supervisor'], false, /available to Call Center Supervisors; you are signed in as Call Center Agent/],
    ['Office Manager', ['Call Center Supervisor'], false, /signed in as Office Manager/],
    ['Basic User', ['Call Center Supervisor'], false, /Basic Users cannot monitor/],
    ['Basic User', SCOPES, false, /Basic Users cannot monitor/],
    ['Office Manager', ['Call Center Supervisor', 'Office Manager'], true],
    ['Call Center Agent', ['Call Center Supervisor', 'Office Manager'], false, /Call Center Supervisors and Office Managers/],
    [undefined, ['Call Center Supervisor'], true],
  ];
  it.each(cases)('%s with %j → %s', (scope, monitorScopes, allowed, reason) => {
    const verdict = canMonitor({ scope }, { monitorScopes });
    expect(verdict.allowed).toBe(allowed);
    if (reason) expect(verdict.reason).toMatch(reason);
    else expect(verdict.reason).toBeUndefined();
  });

  it('defaults to the Call Center Supervisor scope', () => {
    expect(DEFAULT_RULE_OPTIONS.monitorScopes).toEqual(['Call Center Supervisor']);
  });
});

describe('canUseTapping: Office Managers by default, or users granted it', () => {
  const cases: [Scope | undefined, boolean, boolean][] = [
    ['Office Manager', false, true],
    ['Call Center Supervisor', false, false],
    ['Call Center Supervisor', true, true],
    ['Call Center Agent', true, true],
    ['Basic User', false, false],
    [undefined, false, false],
  ];
  it.each(cases)('%s granted=%s → %s', (scope, dtmfMonitoringGranted, allowed) => {
    const verdict = canUseTapping({ scope, dtmfMonitoringGranted });
    expect(verdict.allowed).toBe(allowed);
    if (!allowed) expect(verdict.reason).toMatch(/Office Managers or users granted/);
  });
});

describe('canStartMonitoring: the deployment feature decides who may start', () => {
  it.each([
    ['Call Center Supervisor', false, false, true],
    ['Office Manager', false, false, false],
    ['Office Manager', false, true, true],
    ['Call Center Supervisor', false, true, false],
    ['Call Center Agent', true, true, true],
    ['Basic User', false, true, false],
    ['Call Center Agent', false, true, false],
    // Nobody says who this is: the PBX decides, with either feature.
    [undefined, false, true, true],
    [undefined, false, false, true],
  ] as const)('%s (granted %s), tapping profile %s → %s', (scope, dtmfMonitoringGranted, tapping, allowed) => {
    const verdict = canStartMonitoring({ scope, dtmfMonitoringGranted }, { monitorScopes: DEFAULT_RULE_OPTIONS.monitorScopes, tapping });
    expect(verdict.allowed).toBe(allowed);
    if (!allowed) expect(verdict.reason).toMatch(tapping ? /Office Managers or users granted/ : /Call Center Supervisors/);
  });
});

describe('parseSipUri and isOnNet', () => {
  const cases: [string, boolean][] = [
    ['sip:1007@lab.earshot.test', true],
    ['<sip:1007@LAB.earshot.test;transport=ws>', true],
    ['sips:42@lab.earshot.test', true],
    ['sip:5550101@lab.earshot.test', false], // 7 digits: a customer number routed by the PBX
    ['sip:1007@other.example', false],
    ['sip:alice@lab.earshot.test', false],
    ['tel:+15550100', false],
    ['not a uri', false],
    ['sip:lab.earshot.test', false],
  ];
  it.each(cases)('%s → on-net %s', (uri, onNet) => {
    expect(isOnNet(uri, { domain, pattern })).toBe(onNet);
  });

  it('anchors the pattern: a partial match is not on-net', () => {
    expect(isOnNet('sip:1007x@lab.earshot.test', { domain, pattern: '[0-9]+' })).toBe(false);
  });

  it('treats an invalid pattern as matching nothing instead of throwing', () => {
    expect(isOnNet('sip:1007@lab.earshot.test', { domain, pattern: '[' })).toBe(false);
  });

  it('decodes the user part', () => {
    expect(parseSipUri('sip:%2B1555@host')).toEqual({ user: '+1555', host: 'host' });
  });
});

const agent = (remote?: AgentCallState['remote']): AgentCallState => ({ extension: '1001', dialog: 'confirmed', remote });
const offNet = { uri: 'sip:5550101@lab.earshot.test', onNet: false };
const onNet = { uri: 'sip:1007@lab.earshot.test', onNet: true };

describe('canWhisper: only on-net ↔ off-net', () => {
  it.each([
    ['off-net counterpart', agent(offNet), 'deny', true, undefined],
    ['on-net counterpart', agent(onNet), 'allow', false, /internal call/],
    ['unknown counterpart, deny', agent(), 'deny', false, /could not tell who the agent is talking to/],
    ['unknown counterpart, allow', agent(), 'allow', true, undefined],
    ['no agent state, deny', undefined, 'deny', false, /could not tell/],
  ] as const)('%s', (_name, state, whenUnknown, allowed, reason) => {
    const verdict = canWhisper(state, whenUnknown);
    expect(verdict.allowed).toBe(allowed);
    if (reason) expect(verdict.reason).toMatch(reason);
  });
});

describe('modeAvailability', () => {
  const cases: [string, AgentCallState, MicrophoneState, [boolean, boolean, boolean]][] = [
    ['customer call, mic unknown', agent(offNet), 'unknown', [true, true, true]],
    ['customer call, mic granted', agent(offNet), 'granted', [true, true, true]],
    ['internal call', agent(onNet), 'granted', [true, false, true]],
    ['customer call, mic denied', agent(offNet), 'denied', [true, false, false]],
    ['internal call, mic denied', agent(onNet), 'denied', [true, false, false]],
  ];
  it.each(cases)('%s', (_name, state, microphone, [listen, whisper, barge]) => {
    const availability = modeAvailability({ agent: state, whisperWhenUnknown: 'deny', microphone });
    expect([availability.listen.allowed, availability.whisper.allowed, availability.barge.allowed]).toEqual([listen, whisper, barge]);
  });

  it('gives the call-type reason before the microphone one', () => {
    const availability = modeAvailability({ agent: agent(onNet), whisperWhenUnknown: 'deny', microphone: 'denied' });
    expect(availability.whisper.reason).toMatch(/internal call/);
    expect(availability.barge.reason).toMatch(/microphone is blocked.*Listen still works/);
  });

  it('canSwitchTo repeats the reason', () => {
    const availability = modeAvailability({ agent: agent(onNet), whisperWhenUnknown: 'deny', microphone: 'granted' });
    expect(canSwitchTo('whisper', availability)).toEqual({ allowed: false, reason: availability.whisper.reason });
    expect(canSwitchTo('barge', availability).allowed).toBe(true);
  });
});

describe('canMonitorAgent: the agent must be on an active call', () => {
  it.each([
    ['confirmed', true, undefined],
    ['early', false, /still ringing/],
    ['idle', false, /not on an active call/],
    ['terminated', false, /not on an active call/],
    ['unknown', true, undefined],
  ] as const)('%s → %s', (dialog, allowed, reason) => {
    const verdict = canMonitorAgent({ extension: '1001', dialog }, '1001');
    expect(verdict.allowed).toBe(allowed);
    if (reason) expect(verdict.reason).toMatch(reason);
  });

  it('leaves an agent Earshot has no dialog state for to the PBX (which answers 480 when idle)', () => {
    expect(canMonitorAgent(undefined, '1009')).toEqual({ allowed: true });
  });
});
