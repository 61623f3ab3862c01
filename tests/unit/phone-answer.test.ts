// The PBX calls Earshot (FusionPBX's Eavesdrop button): the engine answers only
// the call a session asked the portal for, against FAKES: the scripted PBX and
// fake sip.js transport of phone-fakes.ts, a fake SDH, a fake microphone. The
// plan comes from a FAKE logic whose start is "answer the call named eavesdrop
// within 15 s"; the real profile's plan is checked in pbx-plans.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeConfig, fakeLogic, harness } from './phone-fakes';
import { NOT_ASKED_FOR } from '../../lib/phone/monitor-call';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const answering = fakeLogic({ startPlan: () => [{ kind: 'answer', callerName: 'eavesdrop', withinMs: 15_000 }] });

async function waiting() {
  const h = harness({ logic: answering });
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await h.engine.handle({ type: 'watch', extensions: ['201'] });
  await vi.advanceTimersByTimeAsync(0);
  await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

/** The PBX calls Earshot: the final status Earshot answered that call with (0: none yet). */
async function call(h: Awaited<ReturnType<typeof waiting>>, from: { user: string; display?: string }): Promise<number> {
  h.pbx.invite(from);
  const callId = h.pbx.call!.callId;
  await vi.advanceTimersByTimeAsync(0);
  return h.pbx.responses.filter((r) => r.callId === callId && r.status >= 200).at(-1)?.status ?? 0;
}

describe('the PBX calls Earshot (fakes)', () => {
  it('a started session dials nothing and waits; the PBX call named eavesdrop is answered in Listen, silent, no microphone', async () => {
    const h = await waiting();
    expect(h.pbx.requests('INVITE')).toHaveLength(0);
    expect(h.log.last.session).toMatchObject({ status: 'connecting', mode: 'listen', message: 'Waiting for the PBX to call Earshot (the portal was asked to start monitoring)…' });
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(200);
    expect(h.log.last.session).toMatchObject({ status: 'active', mode: 'listen' });
    expect(h.log.last.session?.message).toBeUndefined();
    expect(h.sdh.created[0]?.outgoingTrack()).toBe(h.sdh.created[0]?.silent);
    expect(h.mic.calls).toEqual([]);
    expect(h.audio.calls).toContain('play:remote-stream');
    expect(h.log.logs()).toContain('info: The PBX is calling to monitor Alice Agent: answering in Listen Only.');
  });

  it('mode digits go in the dialog the PBX made; hang-up sends BYE in it', async () => {
    const h = await waiting();
    await call(h, { user: '201', display: 'Eavesdrop' });
    const callId = h.pbx.call!.callId;
    h.mic.change('granted');
    await h.engine.handle({ type: 'set-mode', mode: 'whisper' });
    await vi.advanceTimersByTimeAsync(50);
    const info = h.pbx.requests('INFO');
    expect(info.map((r) => [r.callId, /Signal=(\S+)/.exec(r.body)?.[1]])).toEqual([[callId, '5']]);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE').map((r) => r.callId)).toEqual([callId]);
  });

  it('while it waits, a call with another name is declined (480) and the wait goes on', async () => {
    const h = await waiting();
    expect(await call(h, { user: '555', display: 'Mallory' })).toBe(480);
    expect(h.log.logs()).toContain(
      'info: Declined a call from "Mallory" (555): it is not the PBX\'s monitor call Earshot asked for (the caller\'s name is "Mallory", the PBX\'s monitor call comes as "eavesdrop").',
    );
    expect(h.log.last.session?.status).toBe('connecting');
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(200);
  });

  it('a call named eavesdrop about another agent (its caller number) is declined and the wait goes on', async () => {
    const h = await waiting();
    expect(await call(h, { user: '202', display: 'eavesdrop' })).toBe(480);
    expect(h.log.logs().at(-1)).toBe(
      "info: Declined a call from \"eavesdrop\" (202): it is not the monitor call Earshot asked for: it comes from 202, and the PBX's call to monitor Alice Agent comes from 201.",
    );
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(200);
  });

  it('a second matching call while the first is up is declined busy (486)', async () => {
    const h = await waiting();
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(200);
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(486);
    expect(h.log.logs().at(-1)).toBe('info: Declined a call from "eavesdrop" (201): a monitor session on Alice Agent is under way, and Earshot answers only the monitor call it asked for.');
    expect(h.log.last.session?.status).toBe('active');
  });

  it('no call within the window: the session fails and says what to check; a call after it is declined', async () => {
    const h = await waiting();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: expect.stringContaining('did not call Earshot within 15 s to monitor Alice Agent') });
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(480);
    expect(h.log.logs().at(-1)).toBe(`info: Declined a call from "eavesdrop" (201): ${NOT_ASKED_FOR}`);
  });

  it("the portal's refusal fails the waiting session with the portal's words", async () => {
    const h = await waiting();
    await h.engine.handle({ type: 'portal-refused', agent: '201', reason: 'your portal session has expired.' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: 'The portal refused to start monitoring Alice Agent: your portal session has expired.' });
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(480);
  });

  it('a refusal for another agent changes nothing', async () => {
    const h = await waiting();
    await h.engine.handle({ type: 'portal-refused', agent: '202', reason: 'no' });
    expect(h.log.last.session?.status).toBe('connecting');
  });

  it('hung up while waiting: ended, and the call that comes later is declined', async () => {
    const h = await waiting();
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.status).toBe('ended');
    expect(await call(h, { user: '201', display: 'eavesdrop' })).toBe(480);
  });

  it('with no session, every call is declined with the reason (never answered)', async () => {
    const h = harness({ logic: answering });
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(await call(h as Awaited<ReturnType<typeof waiting>>, { user: '201', display: 'eavesdrop' })).toBe(480);
    expect(h.log.logs()).toContain(`info: Declined a call from "eavesdrop" (201): ${NOT_ASKED_FOR}`);
    expect(h.sdh.created).toHaveLength(0);
  });
});
