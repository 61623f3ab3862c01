// Each mode change in each PBX profile, through the REAL lib/monitor + lib/pbx
// logic (defaultMonitorLogic), against a FAKE scripted PBX (fake sip.js
// transport) and a FAKE SDH: the exact digits and method on the wire, or the re-dial.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mode } from '../../lib/monitor/modes';
import type { EngineConfig } from '../../lib/contract/engine';
import { defaultMonitorLogic } from '../../lib/phone/monitor-logic-default';
import { DOMAIN, fakeConfig, harness } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Profile = EngineConfig['profile'];

async function session(profile: Profile) {
  const h = harness({ logic: defaultMonitorLogic });
  await h.engine.handle({ type: 'configure', config: fakeConfig({ profile, whisperWhenUnknown: 'allow' }) });
  await h.engine.handle({ type: 'watch', extensions: ['201'] });
  await vi.advanceTimersByTimeAsync(0);
  // An agent on a call with an off-net customer: Whisper is allowed (on-net ↔ off-net).
  const remote = 'sip:5550100@pstn.example';
  h.pbx.notify(
    '201',
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"><dialog id="a" direction="recipient"><state>early</state><remote><identity>${remote}</identity></remote></dialog></dialog-info>`,
  );
  h.pbx.notify(
    '201',
    '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full"><dialog id="a"><state>confirmed</state></dialog></dialog-info>',
  );
  await vi.advanceTimersByTimeAsync(0);
  await h.engine.handle({ type: 'start', agent: '201' });
  await vi.advanceTimersByTimeAsync(1000);
  return h;
}

async function switchTo(h: ReturnType<typeof harness>, mode: Mode) {
  await h.engine.handle({ type: 'set-mode', mode });
  await vi.advanceTimersByTimeAsync(2000);
  expect(h.log.last.session?.mode).toBe(mode);
}

const infoDigits = (h: ReturnType<typeof harness>) =>
  h.pbx.requests('INFO').map((r) => /Signal=(\S+)/.exec(r.body)?.[1]).join('');

describe('profiles on the wire (real plans, fake PBX)', () => {
  it('asterisk-chanspy, SIP INFO: dial *222201; whisper 5, barge 6, listen 4', async () => {
    const h = await session({ id: 'asterisk-chanspy', overrides: { dialPrefix: '*222', dtmfMethod: 'info' } });
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*222201']);
    await switchTo(h, 'whisper');
    expect(infoDigits(h)).toBe('5');
    await switchTo(h, 'barge');
    expect(infoDigits(h)).toBe('56');
    await switchTo(h, 'listen');
    expect(infoDigits(h)).toBe('564');
    expect(h.pbx.requests('INVITE')).toHaveLength(1);
    expect(h.mic.calls).toEqual(['acquire', 'release']);
  });

  it('asterisk-chanspy, RFC 4733: the same digits on the RTP sender, no INFO', async () => {
    const h = await session({ id: 'asterisk-chanspy', overrides: { dialPrefix: '*222', dtmfMethod: 'rfc4733' } });
    await switchTo(h, 'whisper');
    await switchTo(h, 'barge');
    await switchTo(h, 'listen');
    expect(h.sdh.created[0]?.dtmf.join('')).toBe('564');
    expect(h.pbx.requests('INFO')).toHaveLength(0);
  });

  it('asterisk-per-mode: each mode is a re-dial with its own code', async () => {
    const h = await session({
      id: 'asterisk-per-mode',
      overrides: { modeCodes: { listen: '*221', whisper: '*223', barge: '*224' } },
    });
    await switchTo(h, 'whisper');
    await switchTo(h, 'barge');
    // The microphone moved to the new call alive: it was taken off the old call before its BYE.
    expect(h.mic.tracks[0]?.stopped).toBe(false);
    expect(h.sdh.created[2]?.outgoingTrack()).toBe(h.mic.tracks[0]);
    await switchTo(h, 'listen');
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*221201', '*223201', '*224201', '*221201']);
    expect(h.pbx.requests('BYE')).toHaveLength(3);
    expect(h.pbx.requests('INFO')).toHaveLength(0);
    expect(h.log.last.session?.status).toBe('active');
    // One microphone across the whisper → barge re-dial, released for listen.
    expect(h.mic.calls).toEqual(['acquire', 'release']);
    expect(h.sdh.created.map((s) => s.swaps)).toEqual([[], ['mic', 'silent'], ['mic', 'silent'], []]);
  });

  it('asterisk-per-mode, microphone granted but failing to open: the re-dial goes back to the Listen code', async () => {
    const h = await session({
      id: 'asterisk-per-mode',
      overrides: { modeCodes: { listen: '*221', whisper: '*223', barge: '*224' } },
    });
    h.mic.change('granted');
    h.mic.delayMs = 50;
    h.mic.deny = true;
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*221201', '*224201', '*221201']);
    expect(h.log.last.session).toMatchObject({ status: 'active', mode: 'listen' });
    expect(h.log.last.session?.message).toMatch(/microphone is blocked/);
  });

  it('freeswitch-eavesdrop: dial *33201, PIN after answer, then 2 / 3 / 0', async () => {
    const h = await session({ id: 'freeswitch-eavesdrop', overrides: { dialPrefix: '*33', pin: '1234', dtmfMethod: 'info' } });
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*33201']);
    expect(infoDigits(h)).toBe('1234');
    await switchTo(h, 'whisper');
    await switchTo(h, 'barge');
    await switchTo(h, 'listen');
    expect(infoDigits(h)).toBe('1234230');
  });

  it('netsapiens-tapping: tapping code + extension, star codes per mode', async () => {
    const h = await session({
      id: 'netsapiens-tapping',
      overrides: { tappingCode: '*55', modeCodes: { listen: '*1', whisper: '*2', barge: '*3' }, dtmfMethod: 'info' },
    });
    expect(h.pbx.requests('INVITE')[0]?.ruri?.toString()).toBe(`sip:*55201@${DOMAIN}`);
    await switchTo(h, 'whisper');
    await switchTo(h, 'barge');
    await switchTo(h, 'listen');
    expect(infoDigits(h)).toBe('*2*3*1');
  });

  it('fast clicks coalesce through the real mode queue: the PBX ends in the last mode asked for', async () => {
    const h = await session({ id: 'asterisk-chanspy', overrides: { dialPrefix: '*222', dtmfMethod: 'info' } });
    for (const mode of ['whisper', 'barge', 'listen', 'whisper', 'barge'] as const) {
      await h.engine.handle({ type: 'set-mode', mode });
    }
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.log.last.session?.mode).toBe('barge');
    expect(h.log.last.session?.pendingMode).toBeUndefined();
    expect(infoDigits(h).endsWith('6')).toBe(true);
    expect(infoDigits(h).length).toBeLessThan(5);
  });
});
