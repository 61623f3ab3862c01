// The monitor session of the phone engine against FAKES: a scripted PBX behind
// a fake sip.js transport, a fake SDH (no WebRTC), a fake microphone that
// records acquire/release, a fake audio output. The mode plans come from a
// FAKE logic (ChanSpy-like: dial *222<ext>, digits 4/5/6); the real profiles
// are exercised in phone-profiles.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOMAIN, fakeConfig, fakeLogic, harness, responseTo, WS_URL, type FakeTrack } from './phone-fakes';
import type { EngineConfig } from '../../lib/contract/engine';
import type { MonitorLogic } from '../../lib/phone/monitor-logic';
import { NOT_ASKED_FOR } from '../../lib/phone/monitor-call';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function live(options: { config?: Partial<EngineConfig>; logic?: MonitorLogic } = {}) {
  const h = harness({ logic: options.logic });
  await h.engine.handle({ type: 'configure', config: fakeConfig(options.config) });
  await h.engine.handle({ type: 'watch', extensions: ['201'] });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

async function started(options: { config?: Partial<EngineConfig>; logic?: MonitorLogic } = {}) {
  const h = await live(options);
  await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

/** A live session whose microphone is already granted and takes 80 ms (fake) to open. */
async function startedWithSlowGrantedMic() {
  const h = await started();
  h.mic.change('granted');
  h.mic.delayMs = 80;
  return h;
}

/** The PBX calls Earshot: the final status code Earshot answers with. */
async function answerToInvite(h: ReturnType<typeof harness>, from: { user: string; display?: string }): Promise<number> {
  let answer = 0;
  const send = h.pbx.transport.send.bind(h.pbx.transport);
  h.pbx.transport.send = (message: string) => {
    const code = /^SIP\/2\.0 (\d+)/.exec(message)?.[1];
    if (code && code !== '100') answer = Number(code);
    return send(message);
  };
  h.pbx.invite(from);
  await vi.advanceTimersByTimeAsync(0);
  return answer;
}

const infoDigits = (h: ReturnType<typeof harness>) =>
  h.pbx.requests('INFO').map((r) => /Signal=(\S+)/.exec(r.body)?.[1]);

describe('phone engine monitor session (fakes)', () => {
  it('start: INVITE to the dial target, connecting → active in Listen, audio playing, no microphone', async () => {
    const h = await started();
    const invite = h.pbx.requests('INVITE')[0];
    expect(invite?.ruri?.toString()).toBe(`sip:*222201@${DOMAIN}`);
    expect(h.log.sequence((e) => e.session && [e.session.status, e.session.mode])).toEqual([
      null,
      ['connecting', 'listen'],
      ['active', 'listen'],
    ]);
    expect(h.log.last.session).toMatchObject({
      id: 'session-1',
      agent: { extension: '201', name: 'Alice Agent' },
      startedAt: expect.any(Number),
      levels: { heard: 0, sent: 0 },
    });
    expect(h.mic.calls).toEqual([]);
    expect(h.audio.calls).toEqual(['play:remote-stream']);
    expect(h.sdh.created[0]?.outgoingTrack()).toBe(h.sdh.created[0]?.silent);
    expect(h.log.logs()).toContain('start: Monitoring Alice Agent (201) in Listen Only.');
  });

  it.each([
    [403, 'Forbidden', 'The PBX does not allow you to monitor Alice Agent (403).'],
    [404, 'Not Found', 'Alice Agent is not on a call right now (404).'],
    [480, 'Temporarily Unavailable', 'Alice Agent is not on a call right now (480).'],
    [486, 'Busy Here', "Alice Agent's call is busy or already monitored by someone else (486)."],
    [503, 'Service Unavailable', 'The PBX is unavailable right now (503). Try again in a moment.'],
    [488, 'Not Acceptable Here', 'The PBX refused to monitor Alice Agent (488 Not Acceptable Here).'],
  ])('INVITE answered %i → failed with a plain message', async (code, reason, message) => {
    const h = await live();
    h.pbx.on('INVITE', (request) => responseTo(request, code, reason, { toTag: 'f' }));
    await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.sequence((e) => e.session?.status)).toEqual([undefined, 'connecting', 'failed']);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message, endedAt: expect.any(Number) });
    expect(h.log.logs()).toContain(`error: ${message}`);
    // The session record is whole: its Start, the reason, its End.
    expect(h.log.logs().filter((l) => /^(start|end|error): /.test(l))).toEqual([
      'start: Monitoring Alice Agent (201) in Listen Only.',
      `error: ${message}`,
      'end: Stopped monitoring Alice Agent: the session failed.',
    ]);
    expect(h.mic.calls).toEqual([]);
  });

  it('start while not registered fails at once with the reason', async () => {
    const h = harness();
    h.pbx.reachable = false;
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await h.engine.handle({ type: 'start', agent: '201' });
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: 'Earshot is not registered with the PBX right now.' });
    expect(h.pbx.received).toEqual([]);
  });

  it('Whisper opens the microphone (after the click, not before), sends 5 by SIP INFO; Listen releases it and sends 4', async () => {
    const h = await started();
    const sdh = h.sdh.created[0];
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    expect(h.log.last.session?.pendingMode).toBe('whisper');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ mode: 'whisper', status: 'active' });
    expect(h.log.last.session?.pendingMode).toBeUndefined();
    expect(h.log.last.microphone).toBe('granted');
    expect(infoDigits(h)).toEqual(['5']);
    expect(h.pbx.requests('INFO')[0]?.getHeader('content-type')).toBe('application/dtmf-relay');
    expect(sdh?.swaps).toEqual(['mic']);
    expect(h.mic.calls).toEqual(['acquire']);

    // What the call sends when each digit reaches the PBX.
    const sendingAtDigit: string[] = [];
    h.pbx.on('INFO', (request) => {
      sendingAtDigit.push(`${/Signal=(\S+)/.exec(request.body)?.[1]}:${(sdh?.outgoingTrack() as unknown as FakeTrack).label}`);
      return responseTo(request, 200, 'OK');
    });
    await h.engine.handle({ type: 'set-mode', mode: 'listen' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.mode).toBe('listen');
    expect(infoDigits(h)).toEqual(['5', '4']);
    expect(sendingAtDigit).toEqual(['4:silent']);
    // Released and replaced by the silent track before the digits go out.
    expect(sdh?.swaps).toEqual(['mic', 'silent']);
    expect(h.mic.calls).toEqual(['acquire', 'release']);
    expect(h.mic.tracks[0]?.stopped).toBe(true);
    expect(h.log.sequence((e) => e.session?.mode)).toEqual([undefined, 'listen', 'whisper', 'listen']);
  });

  it('Join keeps the same microphone when coming from Whisper (one acquire)', async () => {
    const h = await started();
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(0);
    expect(infoDigits(h)).toEqual(['5', '6']);
    expect(h.mic.calls).toEqual(['acquire']);
    expect(h.log.last.session?.mode).toBe('barge');
  });

  it('microphone already granted: the digits go out while it opens; the microphone goes on the call once it is open', async () => {
    const h = await startedWithSlowGrantedMic();
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(0);
    expect(infoDigits(h)).toEqual(['6']);
    expect(h.sdh.created[0]?.swaps).toEqual([]);
    expect(h.log.last.session?.mode).toBe('listen');
    await vi.advanceTimersByTimeAsync(80);
    expect(h.sdh.created[0]?.swaps).toEqual(['mic']);
    expect(h.log.last.session?.mode).toBe('barge');
    expect(h.mic.calls).toEqual(['acquire']);
  });

  it('microphone granted but failing to open: the PBX is sent back to Listen and the reason shown', async () => {
    const h = await startedWithSlowGrantedMic();
    h.mic.deny = true;
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(80);
    expect(infoDigits(h)).toEqual(['5', '4']);
    expect(h.sdh.created[0]?.swaps).toEqual([]);
    expect(h.log.last.session).toMatchObject({ mode: 'listen', status: 'active' });
    expect(h.log.last.session?.message).toBe("The microphone is blocked for Earshot: Whisper and Join are off. Listen still works.");
    expect(h.log.last.microphone).toBe('denied');
  });

  it('hung up while the microphone is opening: it is released as soon as it opens', async () => {
    const h = await startedWithSlowGrantedMic();
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(10);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session?.status).toBe('ended');
    expect(h.mic.calls).toEqual(['acquire', 'release']);
    expect(h.mic.tracks[0]?.stopped).toBe(true);
  });

  it('microphone not known to be granted: opened first, nothing sent until it is open', async () => {
    const h = await started();
    h.mic.delayMs = 80;
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(40);
    expect(infoDigits(h)).toEqual([]);
    await vi.advanceTimersByTimeAsync(40);
    expect(infoDigits(h)).toEqual(['5']);
    expect(h.log.last.session?.mode).toBe('whisper');
  });

  it('RFC 4733: the digits go on the audio sender (silent track in Listen), not by INFO', async () => {
    const h = await started({ config: { profile: { id: 'asterisk-chanspy', overrides: { dtmfMethod: 'rfc4733' } } } });
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(0);
    // The switch completes once the tone has played out (100 ms + 70 ms gap).
    expect(h.log.last.session?.mode).toBe('listen');
    await vi.advanceTimersByTimeAsync(170);
    expect(h.log.last.session?.mode).toBe('barge');
    expect(h.sdh.created[0]?.dtmf).toEqual(['6']);
    expect(h.pbx.requests('INFO')).toEqual([]);
  });

  it("RFC 4733: the switch is done when the browser says the tone played (tonechange ''), not a fixed wait after the call", async () => {
    const h = await started({ config: { profile: { id: 'asterisk-chanspy', overrides: { dtmfMethod: 'rfc4733' } } } });
    const sender = h.sdh.created[0]!.dtmfSender;
    // The browser starts the tone 60 ms late (its thread was busy).
    sender.taskDelayMs = 60;
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(170);
    expect(h.log.last.session?.mode).toBe('listen');
    // The microphone goes on the sender only after the digit is out.
    expect(h.sdh.created[0]?.swaps).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(h.log.last.session?.mode).toBe('barge');
    expect(h.sdh.created[0]?.swaps).toEqual(['mic']);
    expect(sender.played).toEqual(['6']);
    expect(h.sdh.created[0]?.sipJsSendDtmf).toEqual([]);
  });

  it('RFC 4733: a switch asked for while the previous tone still plays is not lost (no digit replaced)', async () => {
    const h = await started({ config: { profile: { id: 'asterisk-chanspy', overrides: { dtmfMethod: 'rfc4733' } } } });
    h.mic.change('granted');
    const sender = h.sdh.created[0]!.dtmfSender;
    // Each tone starts 200 ms after its insertDTMF: a fixed 170 ms wait from the call would have
    // inserted '4' while '6' still sat in the buffer, replacing it.
    sender.taskDelayMs = 200;
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(100);
    // Listen asked for while '6' is still waiting to play; Whisper while '4' is.
    await h.engine.handle({ type: 'set-mode', mode: 'listen' });
    await vi.advanceTimersByTimeAsync(350);
    expect(sender.played).toEqual(['6']);
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(sender.played).toEqual(['6', '4', '5']);
    expect(sender.replaced).toEqual([]);
    expect(h.log.last.session?.mode).toBe('whisper');
  });

  it('RFC 4733: the browser never plays the digit: the switch fails with that reason and stays in Listen', async () => {
    const h = await started({ config: { profile: { id: 'asterisk-chanspy', overrides: { dtmfMethod: 'rfc4733' } } } });
    h.sdh.created[0]!.dtmfSender.stalled = true;
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.log.last.session?.mode).toBe('listen');
    await vi.advanceTimersByTimeAsync(1000);
    const session = h.log.last.session;
    expect(session).toMatchObject({ status: 'active', mode: 'listen' });
    expect(session?.message).toMatch(/^The browser did not play the DTMF "6"/);
    expect(h.log.logs().some((l) => l.startsWith('error: Join (Barge-In) failed: The browser did not play the DTMF'))).toBe(true);
    // Never left with the microphone open.
    expect(h.sdh.created[0]?.outgoingTrack()).toBe(h.sdh.created[0]?.silent);
    expect(h.mic.tracks.every((t) => t.stopped)).toBe(true);
  });

  it('fast clicks coalesce: the PBX ends in the mode last asked for', async () => {
    const h = await started();
    for (const mode of ['whisper', 'barge', 'listen', 'whisper', 'barge'] as const) {
      await h.engine.handle({ type: 'set-mode', mode });
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.mode).toBe('barge');
    expect(infoDigits(h)).toEqual(['5', '6']);
    expect(h.mic.calls).toEqual(['acquire']);
  });

  it('a denied microphone: Whisper fails with the reason, nothing is sent, Listen goes on, Whisper/Join disabled', async () => {
    const h = await started();
    h.mic.deny = true;
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(0);
    const session = h.log.last.session;
    expect(session).toMatchObject({ status: 'active', mode: 'listen' });
    expect(session?.message).toBe(
      "The microphone is blocked for Earshot: Whisper and Join are off. Listen still works.",
    );
    expect(h.log.last.microphone).toBe('denied');
    expect(session?.availability.whisper).toEqual({ allowed: false, reason: 'the microphone is blocked' });
    expect(session?.availability.listen).toEqual({ allowed: true });
    expect(h.pbx.requests('INFO')).toEqual([]);
    expect(h.sdh.created[0]?.swaps).toEqual([]);
    // Refused before any digit: the engine does not even queue it.
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    expect(h.log.logs()).toContain('error: Join (Barge-In) is not available: the microphone is blocked.');
    expect(h.mic.calls).toEqual(['acquire']);
  });

  it('a permission granted later (options page) re-enables Whisper', async () => {
    const h = await started();
    h.mic.deny = true;
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(0);
    h.mic.deny = false;
    h.mic.change('granted');
    expect(h.log.last.session?.availability.whisper).toEqual({ allowed: true });
  });

  it('a microphone that ends (Firefox sidebar closed) goes back to Listen', async () => {
    const h = await started();
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(0);
    (h.mic.tracks[0] as FakeTrack).end();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.mode).toBe('listen');
    expect(infoDigits(h)).toEqual(['5', '4']);
    expect(h.sdh.created[0]?.swaps).toEqual(['mic', 'silent']);
    expect(h.mic.calls).toEqual(['acquire', 'release']);
    expect(h.log.logs()).toContain('error: The microphone stopped: back to Listen Only.');
  });

  it('hang up: BYE, ending → ended, microphone released', async () => {
    const h = await started();
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE')).toHaveLength(1);
    expect(h.log.sequence((e) => e.session?.status)).toEqual([undefined, 'connecting', 'active', 'ending', 'ended']);
    expect(h.log.last.session).toMatchObject({ message: 'You ended the session.', levels: { heard: 0, sent: 0 } });
    expect(h.mic.calls).toEqual(['acquire', 'release']);
    expect(h.audio.calls.at(-1)).toBe('stop');
  });

  it('hang up while the INVITE is pending: CANCEL, then ended (not failed)', async () => {
    const h = await live();
    h.pbx.on('INVITE', (request) => responseTo(request, 180, 'Ringing', { toTag: 'ring' }));
    h.pbx.on('CANCEL', (request, pbx) => {
      const invite = pbx.requests('INVITE')[0];
      return [responseTo(request, 200, 'OK'), ...(invite ? [responseTo(invite, 487, 'Request Terminated', { toTag: 'ring' })] : [])];
    });
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('CANCEL')).toHaveLength(1);
    expect(h.log.sequence((e) => e.session?.status)).toEqual([undefined, 'connecting', 'ending', 'ended']);
    expect(h.log.last.session?.message).toBe('You ended the session.');
  });

  it('the PBX hangs up: ended with the reason', async () => {
    const h = await started();
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: 'The PBX ended the session.' });
    expect(h.log.logs()).toContain('end: Stopped monitoring Alice Agent: The PBX ended the session.');
  });

  it('a call that ends in Whisper leaves no live track: the microphone released, the silent track stopped (sip.js stops only the sender’s)', async () => {
    const h = await startedWithSlowGrantedMic();
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(500);
    expect(h.log.last.session?.mode).toBe('whisper');
    const sdh = h.sdh.created.at(-1)!;
    expect(sdh.outgoingTrack()).not.toBe(sdh.silent);
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'ended' });
    expect(sdh.silent.stopped).toBe(true);
    expect(h.mic.tracks.every((t) => t.stopped)).toBe(true);
  });

  it("the agent's call ends: the session ends by itself when the profile says so", async () => {
    const h = await live();
    h.pbx.notify('201', '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"><dialog id="a"><state>confirmed</state></dialog></dialog-info>');
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full"><dialog id="a"><state>terminated</state></dialog></dialog-info>');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE')).toHaveLength(1);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: "The agent's call ended." });
  });

  it("the agent's call ends: the session stays (NetSapiens) and offers to hang up", async () => {
    const h = await live({ logic: fakeLogic({ endsWithAgent: () => false }) });
    h.pbx.notify('201', '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"><dialog id="a"><state>confirmed</state></dialog></dialog-info>');
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full"><dialog id="a"><state>terminated</state></dialog></dialog-info>');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE')).toHaveLength(0);
    expect(h.log.last.session).toMatchObject({ status: 'active', message: "The agent's call ended. Hang up when you are done." });
  });

  it('ICE failure ends the call with a plain message', async () => {
    const h = await started();
    h.sdh.created[0]?.fail('ice');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({
      status: 'failed',
      message: 'No audio path to the PBX (ICE failed): a firewall or the network blocks the media.',
    });
    expect(h.pbx.requests('BYE')).toHaveLength(1);
  });

  it('DTLS failure ends the call with its own message', async () => {
    const h = await started();
    h.sdh.created[0]?.fail('dtls');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: 'The secure audio handshake with the PBX failed (DTLS).' });
  });

  it('socket drop mid-session: the session is "reconnecting" (media goes on), then active again; no BYE', async () => {
    const h = await started();
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.registration).toMatchObject({ status: 'reconnecting', message: `Lost the connection to the PBX at ${WS_URL}. Reconnecting…` });
    expect(h.log.last.session).toMatchObject({
      status: 'reconnecting',
      mode: 'listen',
      message: 'Lost the connection to the PBX: the audio goes on, reconnecting…',
    });
    expect(h.audio.calls).not.toContain('stop');
    await vi.advanceTimersByTimeAsync(750);
    expect(h.log.sequence((e) => e.session?.status)).toEqual([undefined, 'connecting', 'active', 'reconnecting', 'active']);
    expect(h.log.last.session?.message).toBeUndefined();
    expect(h.pbx.requests('BYE')).toHaveLength(0);
  });

  it('declines every incoming call while no session waits for the PBX to call, with a log line', async () => {
    const h = await live();
    expect(await answerToInvite(h, { user: '201', display: 'Alice Agent' })).toBe(480);
    expect(h.log.last.session).toBeNull();
    expect(h.log.logs()).toContain(`info: Declined a call from "Alice Agent" (201): ${NOT_ASKED_FOR}`);
  });

  it('a dialled session under way declines an incoming call busy (486)', async () => {
    const h = await started();
    expect(await answerToInvite(h, { user: '777' })).toBe(486);
    expect(h.log.last.session?.status).toBe('active');
  });

  it('publishes levels a few times a second only while live; heard only in Listen, sent too in Whisper', async () => {
    const h = await started();
    await vi.advanceTimersByTimeAsync(250);
    expect(h.log.last.session?.levels).toEqual({ heard: 0.5, sent: 0 });
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(250);
    expect(h.log.last.session?.levels).toEqual({ heard: 0.5, sent: 0.25 });
    expect(h.audio.calls).toContain('meter:mic');
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    const count = h.log.events.length;
    await vi.advanceTimersByTimeAsync(60_000);
    // Idle again: only the OPTIONS keep-alive runs, which emits nothing.
    expect(h.log.events.length).toBe(count);
  });

  it('notes when the first audio is heard, watching every 20 ms until then and every 250 ms after', async () => {
    const h = await started();
    h.audio.heard = 0;
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session?.heardAt).toBeUndefined();
    h.audio.heard = 0.3;
    await vi.advanceTimersByTimeAsync(20);
    const session = h.log.last.session;
    expect(session?.heardAt).toBeGreaterThan(0);
    expect(h.log.logs()).toContain('info: Hearing Alice Agent: first audio 0.12 s after the start.');
    const emitted = h.log.events.length;
    h.audio.heard = 0.31;
    await vi.advanceTimersByTimeAsync(200);
    expect(h.log.events.length).toBe(emitted);
    await vi.advanceTimersByTimeAsync(60);
    expect(h.log.last.session?.levels.heard).toBe(0.31);
  });

  it('the silent source gets ready at registration, not on the first click, and idles when the session ends', async () => {
    const h = await live();
    expect(h.silence.calls).toEqual(['prepare']);
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.silence.calls).toEqual(['prepare', 'idle']);
  });

  it('set-output passes device and volume to the audio output', async () => {
    const h = await started();
    await h.engine.handle({ type: 'set-output', deviceId: 'speakers-2', volume: 0.4 });
    expect(h.audio.calls).toContain('configure:speakers-2:0.4');
  });

  it('starting another agent ends the first session', async () => {
    const h = await live();
    await h.engine.handle({ type: 'watch', extensions: ['201', '202'] });
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'start', agent: '202' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE')).toHaveLength(1);
    expect(h.pbx.requests('INVITE').map((r) => r.ruri?.user)).toEqual(['*222201', '*222202']);
    expect(h.log.last.session).toMatchObject({ agent: { extension: '202' }, status: 'active' });
  });
});
