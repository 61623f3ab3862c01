// @vitest-environment node
// FusionPBX's Eavesdrop button at the lab: the portal's request makes the lab
// call the signed-in supervisor (real SIP over WebSocket, real WebRTC media).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../index';
import { dtmfFrequencies } from '../media/dtmf-detect';
import { DualToneGenerator } from '../media/tone';
import { channelUuid } from '../portal/fusionpbx/call-center';
import { audible, hearing, labApi, labEvents, lastEventSeq, sessionOf } from './support/control';
import { LabSipClient, until } from './support/sip-client';

let lab: Lab;
const clients: LabSipClient[] = [];

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
});
afterAll(async () => lab?.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of [...lab.pbx.sessions.values()]) lab.pbx.endSession(s.id, 'test cleanup');
});

async function registered(extension: string): Promise<LabSipClient> {
  const c = new LabSipClient(extension, `lab-${extension}`, lab.wsUrl);
  clients.push(c);
  expect(await c.register()).toBe(200);
  return c;
}

/** The portal's session cookie for a seeded user. */
async function signIn(extension: string): Promise<string> {
  const res = await fetch(`${lab.httpUrl}/portal/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ extension, password: `lab-${extension}` }) });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** What the Eavesdrop button requests, for the agent's call. */
async function eavesdrop(agent: string, cookie?: string, uuid?: string): Promise<{ status: number; text: string }> {
  const call = lab.pbx.callOf(agent);
  const id = uuid ?? channelUuid(call?.id ?? 'none', 'b');
  const res = await fetch(`${lab.httpUrl}/fusionpbx/app/call_center_active/call_center_exec.php?command=eavesdrop&uuid=${id}&extension=${agent}`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, text: await res.text() };
}

const eventText = async (since: number, pattern: RegExp) => (await labEvents(lab, since)).find((e) => pattern.test(e.text));

describe('FusionPBX Eavesdrop button: the lab calls the supervisor', () => {
  it('rings the signed-in user as "eavesdrop" with a PCMU offer; answered, the session listens, digits 2/3/0 switch, INFO is ignored', async () => {
    const sup = await registered('2001');
    const cookie = await signIn('2001');
    expect(await eavesdrop('1001', cookie)).toEqual({ status: 200, text: '+OK' });
    const invitation = await until(() => sup.incoming[0], 5000, 'the INVITE');
    expect(invitation.remoteIdentity.displayName).toBe('eavesdrop');
    expect(invitation.remoteIdentity.uri.user).toBe('1001');
    const offer = invitation.request.body;
    expect(/^m=audio \d+ \S+ (\d+)/m.exec(offer)?.[1]).toBe('0');
    expect(offer).toMatch(/a=rtpmap:\d+ telephone-event\/8000/);
    expect(offer).not.toMatch(/opus/i);

    const call = await sup.answer(invitation);
    const session = await until(() => sessionOf(lab, '2001'), 5000, 'the session');
    expect(session).toMatchObject({ agent: '1001', mode: 'listen', dialect: 'freeswitch-eavesdrop', awaitingPin: false });
    await until(async () => {
      const heard = await hearing(lab, '2001');
      return audible(heard, 'agent:1001') && audible(heard, 'customer:5550101');
    }, 10_000, 'the supervisor hears both');

    // FreeSWITCH answers INFO digits and does nothing with them.
    await call.dtmf('3');
    expect((await sessionOf(lab, '2001'))?.mode).toBe('listen');
    // RFC 4733 digits as the leg detects them.
    for (const [digit, mode] of [['2', 'whisper'], ['3', 'barge'], ['0', 'listen'], ['1', 'listen']] as const) {
      lab.pbx.digit(session.id, digit, 'rfc4733');
      expect((await sessionOf(lab, '2001'))?.mode).toBe(mode);
    }
    lab.pbx.digit(session.id, '*', 'rfc4733');
    expect(await sessionOf(lab, '2001')).toBeUndefined();
  });

  it('a digit in the received audio (as libwebrtc renders RFC 4733) switches the mode over the real PCMU leg', async () => {
    const sup = await registered('2002');
    expect((await eavesdrop('1005', await signIn('2002'))).status).toBe(200);
    const call = await sup.answer(await until(() => sup.incoming[0], 5000, 'the INVITE'));
    await until(() => sessionOf(lab, '2002'), 5000, 'the session');
    await until(async () => audible(await hearing(lab, '2002'), 'agent:1005'), 10_000, 'media flows');
    const [row, column] = dtmfFrequencies('2');
    call.media.setGenerator(new DualToneGenerator(row, column, 0.125));
    await new Promise((r) => setTimeout(r, 150));
    call.media.setGenerator(null);
    await until(async () => (await sessionOf(lab, '2002'))?.mode === 'whisper', 5000, 'Whisper');
  });

  it('BYEs the supervisor when the agent\'s call ends', async () => {
    const sup = await registered('2002');
    const { id } = await labApi<{ id: string }>(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550108', answerAfterMs: 0 });
    expect((await eavesdrop('1008', await signIn('2002'))).status).toBe(200);
    const call = await sup.answer(await until(() => sup.incoming[0], 5000, 'the INVITE'));
    await until(() => sessionOf(lab, '2002'), 5000, 'the session');
    await labApi(lab, 'DELETE', `/api/calls/${id}`);
    await until(() => call.session.state === 'Terminated', 5000, 'the BYE');
    expect(await sessionOf(lab, '2002')).toBeUndefined();
  });

  it('the supervisor hanging up ends the session', async () => {
    const sup = await registered('2001');
    expect((await eavesdrop('1002', await signIn('2001'))).status).toBe(200);
    const call = await sup.answer(await until(() => sup.incoming[0], 5000, 'the INVITE'));
    await until(() => sessionOf(lab, '2001'), 5000, 'the session');
    await call.hangup();
    await until(async () => !(await sessionOf(lab, '2001')), 5000, 'the session ends');
  });

  it.each([486, 480])('a device declining with %i: logged, no session', async (status) => {
    const sup = await registered('2001');
    const since = await lastEventSeq(lab);
    expect((await eavesdrop('1003', await signIn('2001'))).status).toBe(200);
    await (await until(() => sup.incoming[0], 5000, 'the INVITE')).reject({ statusCode: status });
    const event = await until(() => eventText(since, /2001 declined the eavesdrop call \((486|480)/), 5000, 'the declined event');
    expect(event.text).toContain(`(${status} `);
    expect(await sessionOf(lab, '2001')).toBeUndefined();
  });

  it('refuses without a portal session, a non-supervisor, an unknown uuid and a ringing call', async () => {
    const sup = await registered('2001');
    expect(await eavesdrop('1001')).toMatchObject({ status: 401, text: expect.stringMatching(/Not signed in/) });
    expect((await eavesdrop('1001', await signIn('4001'))).status).toBe(403);
    const cookie = await signIn('2001');
    expect(await eavesdrop('1001', cookie, '5d0c3a7e-0000-4b00-9c02-999999999999')).toMatchObject({ status: 404, text: expect.stringMatching(/No channel/) });
    await labApi(lab, 'POST', '/api/calls', { agent: '1008', customer: '5550108', answerAfterMs: 60_000 });
    expect(await eavesdrop('1008', cookie)).toMatchObject({ status: 409, text: expect.stringMatching(/not on a confirmed call/) });
    await new Promise((r) => setTimeout(r, 300));
    expect(sup.incoming).toHaveLength(0);
    for (const call of [...lab.pbx.calls.values()].filter((c) => c.agent === '1008')) lab.pbx.endCall(call.id);
  });
});

describe('POST /api/originate: calls nobody asked for', () => {
  it('rings with the given caller; declined and answered outcomes are logged', async () => {
    const sup = await registered('2002');
    const since = await lastEventSeq(lab);
    const { callId } = await labApi<{ callId: string }>(lab, 'POST', '/api/originate', { to: '2002', callerName: 'Mallory', callerNumber: '6660000' });
    expect(callId).toMatch(/\w+/);
    const invitation = await until(() => sup.incoming[0], 5000, 'the INVITE');
    expect(invitation.remoteIdentity.displayName).toBe('Mallory');
    await invitation.reject({ statusCode: 480 });
    await until(() => eventText(since, /2002 declined the Mallory call \(480 /), 5000, 'declined');

    await labApi(lab, 'POST', '/api/originate', { to: '2002', callerName: 'eavesdrop', agent: '1004' });
    await sup.answer(await until(() => sup.incoming[1], 5000, 'the second INVITE'));
    await until(() => eventText(since, /2002 answered the eavesdrop call/), 5000, 'answered');
    expect(await until(() => sessionOf(lab, '2002'), 5000, 'the session')).toMatchObject({ agent: '1004', mode: 'listen' });
  });

  it('CANCELs a call nobody answers within the ring timeout', async () => {
    const sup = await registered('2001');
    const since = await lastEventSeq(lab);
    await labApi(lab, 'POST', '/api/originate', { to: '2001', callerName: 'eavesdrop', ringTimeoutMs: 500 });
    const invitation = await until(() => sup.incoming[0], 5000, 'the INVITE');
    await until(() => eventText(since, /did not answer the eavesdrop call: CANCEL/), 5000, 'the CANCEL');
    await until(() => invitation.state === 'Terminated', 5000, 'cancelled at the client');
    await until(() => eventText(since, /cancelled \(no answer\)/), 5000, 'the 487');
  });

  it('409 when the user has no registered device', async () => {
    const res = await fetch(`${lab.httpUrl}/api/originate`, { method: 'POST', body: JSON.stringify({ to: '2002' }) });
    expect(res.status).toBe(409);
  });
});
