// Each mode change in each PBX profile, through the REAL lib/monitor + lib/pbx
// logic (defaultMonitorLogic), against a FAKE scripted PBX (fake sip.js
// transport) and a FAKE SDH: the exact digits and method on the wire, or the re-dial.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mode } from '../../lib/monitor/modes';
import type { EngineConfig } from '../../lib/contract/engine';
import { defaultMonitorLogic } from '../../lib/phone/monitor-logic-default';
import { DOMAIN, FAKE_BROWSER_OFFER, fakeConfig, harness } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Profile = EngineConfig['profile'];

/** An active session on 201 (a call with an off-net customer), `settleMs` after the start. */
async function session(profile: Profile, settleMs = 1000) {
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
  await vi.advanceTimersByTimeAsync(settleMs);
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

  it('freeswitch-eavesdrop: dial *33201, PIN after answer, then 2 / 3 / 0, all RFC 4733, never INFO', async () => {
    const h = await session({ id: 'freeswitch-eavesdrop', overrides: { dialPrefix: '*33', pin: '1234' } });
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*33201']);
    await switchTo(h, 'whisper');
    await switchTo(h, 'barge');
    await switchTo(h, 'listen');
    expect(h.sdh.created[0]?.dtmf.join('')).toBe('1234230');
    expect(h.pbx.requests('INFO')).toHaveLength(0);
  });

  // The SDP below is the FAKE browser offer of phone-fakes.ts (Opus first), through the engine's real modifier.
  it('freeswitch-eavesdrop: the INVITE offers only PCMU and PCMA (and 8 kHz telephone-event), eavesdrop does not resample', async () => {
    const h = await session({ id: 'freeswitch-eavesdrop', overrides: {} });
    const invite = h.pbx.requests('INVITE')[0]?.body ?? '';
    expect(invite).toMatch(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF 0 8 126$/m);
    expect(invite).not.toMatch(/opus|G722|telephone-event\/48000/);
    expect(h.sdh.created[0]?.offers).toEqual([invite]);
  });

  it('asterisk-chanspy names no codecs: the browser offer goes out as it is (Opus first)', async () => {
    const h = await session({ id: 'asterisk-chanspy', overrides: {} });
    expect(h.pbx.requests('INVITE')[0]?.body).toBe(FAKE_BROWSER_OFFER);
  });

  it('freeswitch-eavesdrop: a *33 the PBX hangs up at once says it found no call (not a generic end); later, it is the PBX ending it', async () => {
    const h = await session({ id: 'freeswitch-eavesdrop', overrides: {} }, 50);
    expect(h.log.last.session?.status).toBe('active');
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({
      status: 'failed',
      message: 'The PBX answered and hung up at once: it found no call of 201 to listen to. Start again when they are on a call.',
    });
  });

  it('freeswitch-eavesdrop: a BYE a few seconds into the session is the PBX ending it', async () => {
    const h = await session({ id: 'freeswitch-eavesdrop', overrides: {} });
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: 'The PBX ended the session.' });
  });

  it('asterisk-chanspy: the same quick BYE is the PBX ending the session (ChanSpy waits instead when there is no call)', async () => {
    const h = await session({ id: 'asterisk-chanspy', overrides: {} }, 50);
    expect(h.log.last.session?.status).toBe('active');
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: 'The PBX ended the session.' });
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
