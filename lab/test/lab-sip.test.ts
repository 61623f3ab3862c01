// @vitest-environment node
// The lab over real SIP/WebSocket with real WebRTC media (sip.js + wrtc clients).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Inviter, URI } from 'sip.js';
import { startLab, type Lab } from '../index';
import { audible, hearing as labHearing, labApi, sessionOf as labSessionOf } from './support/control';
import { CallRefused, LabSipClient, until } from './support/sip-client';

let lab: Lab;
const clients: LabSipClient[] = [];

beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
});
afterAll(async () => lab?.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of [...lab.pbx.sessions.values()]) lab.pbx.endSession(s.id, 'test cleanup');
  await api('POST', '/api/config', { dialect: 'asterisk-chanspy', pin: null, sessionEnd: null });
  await api('POST', '/api/faults', { kind: 'clear' });
});

const api = <T = unknown>(method: string, path: string, body?: unknown) => labApi<T>(lab, method, path, body);

async function client(extension: string, password = `lab-${extension}`): Promise<LabSipClient> {
  const c = new LabSipClient(extension, password, lab.wsUrl);
  clients.push(c);
  return c;
}

async function registered(extension: string): Promise<LabSipClient> {
  const c = await client(extension);
  expect(await c.register()).toBe(200);
  return c;
}

const hearing = (who: string) => labHearing(lab, who);
const sessionOf = (supervisor: string) => labSessionOf(lab, supervisor);
const heard = audible;

describe('registration', () => {
  it('registers with good credentials (401 challenge, then 200)', async () => {
    await registered('2001');
    const regs = await api<{ extension: string }[]>('GET', '/api/registrations');
    expect(regs.map((r) => r.extension)).toContain('2001');
  });

  it('refuses a wrong password with 403', async () => {
    const c = await client('2002', 'wrong');
    expect(await c.register()).toBe(403);
    const events = await api<{ kind: string; text: string }[]>('GET', '/api/events');
    expect(events.some((e) => e.kind === 'auth' && /2002.*wrong credentials/.test(e.text))).toBe(true);
  });
});

describe('dialog event package (RFC 4235)', () => {
  it('NOTIFYs early with the remote identity, confirmed without it, then terminated', async () => {
    const sup = await registered('2001');
    const watch = sup.watch('1008');
    await until(() => watch.bodies.length >= 1, 5000, 'initial NOTIFY');
    expect(watch.bodies[0]).not.toMatch(/<dialog /);
    const call = await api<{ id: string }>('POST', '/api/calls', { agent: '1008', customer: '5550199', answerAfterMs: 200 });
    await until(() => watch.bodies.some((b) => /<state>confirmed<\/state>/.test(b)), 5000, 'confirmed NOTIFY');
    const early = watch.bodies.find((b) => /<state>early<\/state>/.test(b));
    const confirmed = watch.bodies.find((b) => /<state>confirmed<\/state>/.test(b));
    expect(early).toMatch(/<identity display="Customer 5550199">sip:5550199@lab.earshot.test<\/identity>/);
    expect(confirmed).not.toMatch(/<identity/);
    await api('DELETE', `/api/calls/${call.id}`);
    await until(() => watch.bodies.length >= 4, 5000, 'terminated NOTIFY');
    expect(watch.bodies.at(-1)).not.toMatch(/<dialog /);
    const versions = watch.bodies.map((b) => Number(/version="(\d+)"/.exec(b)?.[1]));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });
});

describe('monitor rules', () => {
  it.each([
    ['4001', '*2221001', 403],
    ['1001', '*2221002', 403],
    ['2001', '*2221008', 480],
    ['2001', '*2221099', 404],
    ['2001', '*2201001', 404],
  ])('%s dialling %s gets %i', async (ext, target, status) => {
    const c = await registered(ext);
    await expect(c.call(target)).rejects.toEqual(new CallRefused(status));
  });

  it('refuses a second supervisor on a monitored call with 486', async () => {
    const a = await registered('2001');
    const b = await registered('2002');
    await a.call('*2221002');
    await expect(b.call('*2221002')).rejects.toEqual(new CallRefused(486));
  });

  it('refuses Whisper on an internal call: the mode stays, the refusal is logged', async () => {
    const sup = await registered('2001');
    const call = await sup.call('*2221006');
    await call.dtmf('5');
    await until(async () => {
      const events = await api<{ kind: string; text: string }[]>('GET', '/api/events');
      return events.some((e) => e.kind === 'refused' && /Whisper refused/.test(e.text));
    }, 5000, 'refusal');
    expect((await sessionOf('2001'))?.mode).toBe('listen');
  });

  it('tapping code: Office Managers and granted users only', async () => {
    await api('POST', '/api/config', { dialect: 'netsapiens-tapping' });
    const sup = await registered('2001');
    await expect(sup.call('*551001')).rejects.toEqual(new CallRefused(403));
    const om = await registered('3001');
    await om.call('*551001');
    const granted = await registered('3002');
    await granted.call('*551003');
    expect((await api<unknown[]>('GET', '/api/sessions')).length).toBe(2);
  });
});

/** Every dialect: how to start, and how to reach each mode. */
const dialects = [
  { dialect: 'asterisk-chanspy', who: '2001', start: '*2221001', modes: { whisper: '5', barge: '6', listen: '4' } },
  { dialect: 'freeswitch-eavesdrop', who: '2001', start: '*331001', pin: '4321', modes: { whisper: '2', barge: '3', listen: '0' } },
  { dialect: 'netsapiens-tapping', who: '3001', start: '*551001', modes: { whisper: '*2', barge: '*3', listen: '*1' } },
  { dialect: 'asterisk-per-mode', who: '2001', start: '*2211001', redial: { whisper: '*2231001', barge: '*2241001', listen: '*2211001' } },
] as const;

describe.each(dialects)('$dialect: Listen → Whisper → Barge-In → Listen, with what each party hears', (d) => {
  it('follows the mixing matrix (real media)', async () => {
    await api('POST', '/api/config', { dialect: d.dialect, pin: 'pin' in d ? d.pin : null });
    const sup = await registered(d.who);
    let call = await sup.call(d.start);
    call.talk(700);
    if ('pin' in d) {
      // No audio until the PIN.
      await new Promise((r) => setTimeout(r, 300));
      expect(heard(await hearing(d.who), 'agent:1001')).toBe(false);
      await call.dtmf(d.pin);
    }
    const leg = () => `leg:${(call.session as Inviter).request.callId}`;
    // Listen: the supervisor hears both; nobody hears the supervisor.
    await until(async () => {
      const s = await hearing(d.who);
      return heard(s, 'agent:1001') && heard(s, 'customer:5550101');
    }, 8000, 'supervisor hears both');
    expect(heard(await hearing('agent:1001'), leg())).toBe(false);
    expect(heard(await hearing('customer:5550101'), leg())).toBe(false);

    const switchTo = async (mode: 'whisper' | 'barge' | 'listen') => {
      if ('modes' in d) await call.dtmf(d.modes[mode]);
      else {
        await call.hangup();
        call = await sup.call(d.redial[mode]);
        call.talk(700);
      }
      await until(async () => (await sessionOf(d.who))?.mode === mode, 5000, `mode ${mode}`);
    };

    await switchTo('whisper');
    await until(async () => heard(await hearing('agent:1001'), leg()), 8000, 'agent hears the whisper');
    expect(heard(await hearing('customer:5550101'), leg())).toBe(false);

    await switchTo('barge');
    await until(async () => heard(await hearing('customer:5550101'), leg()), 8000, 'customer hears the barge');
    expect(heard(await hearing('agent:1001'), leg())).toBe(true);

    await switchTo('listen');
    await until(async () => !heard(await hearing('agent:1001'), leg()) && !heard(await hearing('customer:5550101'), leg()), 8000, 'back to listen');
    const events = await api<{ kind: string; data?: { method?: string } }[]>('GET', '/api/events');
    if ('modes' in d) expect(events.some((e) => e.kind === 'dtmf' && e.data?.method === 'info')).toBe(true);
  }, 60_000);
});

describe('session end', () => {
  it("hangs up the supervisor when the agent's call ends (with-agent)", async () => {
    const sup = await registered('2001');
    const call = await sup.call('*2221004');
    const calls = await api<{ id: string; agent: string }[]>('GET', '/api/calls');
    const target = calls.find((c) => c.agent === '1004');
    await api('DELETE', `/api/calls/${target?.id}`);
    await until(() => call.session.state === 'Terminated', 5000, 'BYE from the lab');
    await api('POST', '/api/calls', { agent: '1004', customer: '5550104', answerAfterMs: 0 });
  });
});

describe('dialog matching and the media timeout', () => {
  /** A BYE in `call`'s dialog from another UserAgent on its own WebSocket (as a restarted client would send it). */
  async function byeFromElsewhere(call: Awaited<ReturnType<LabSipClient['call']>>, tags: { from?: string; to?: string } = {}): Promise<number> {
    const other = await registered('2001');
    const dialog = (call.session as Inviter).dialog as unknown as {
      callId: string;
      localTag: string;
      remoteTag: string;
      localURI: URI;
      remoteURI: URI;
      remoteTarget: URI;
    };
    const core = other.ua.userAgentCore;
    const message = core.makeOutgoingRequestMessage('BYE', dialog.remoteTarget, dialog.localURI, dialog.remoteURI, {
      callId: dialog.callId,
      cseq: 99,
      fromTag: tags.from ?? dialog.localTag,
      toTag: tags.to ?? dialog.remoteTag,
    });
    return new Promise((resolve) => {
      core.request(message, { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) });
    });
  }

  it('a BYE with the Call-ID but not both tags of the dialog ends nothing (481); with them, from a new connection, it ends the session', async () => {
    const sup = await registered('2001');
    const call = await sup.call('*2221002');
    expect(await byeFromElsewhere(call, { to: 'not-the-tag' })).toBe(481);
    expect(await byeFromElsewhere(call, { from: 'not-the-tag' })).toBe(481);
    expect(await sessionOf('2001')).toBeDefined();
    expect(await byeFromElsewhere(call)).toBe(200);
    await until(async () => (await sessionOf('2001')) === undefined, 5000, 'session ended by the BYE');
    expect(lab.sip.dialogs.size).toBe(0);
  });

  it('with a media timeout: a caller whose RTP stops is hung up (BYE), one whose RTP flows is not', async () => {
    lab.pbx.config.mediaTimeoutMs = 2000;
    try {
      const quiet = await registered('2001');
      const talking = await registered('2002');
      const gone = await quiet.call('*2221003');
      const alive = await talking.call('*2221005');
      alive.talk(600);
      await new Promise((r) => setTimeout(r, 1500));
      // The caller's media stops without a BYE (its page died).
      gone.media.close();
      await until(() => gone.session.state === 'Terminated', 8000, 'the lab hangs up the silent caller');
      expect(await sessionOf('2001')).toBeUndefined();
      expect(alive.session.state).toBe('Established');
      expect(await sessionOf('2002')).toBeDefined();
      const events = await api<{ kind: string; text: string }[]>('GET', '/api/events');
      expect(events.some((e) => e.kind === 'media-timeout' && /no RTP from 2001/.test(e.text))).toBe(true);
    } finally {
      delete lab.pbx.config.mediaTimeoutMs;
    }
  }, 30_000);
});

describe('extra agents (load benchmarks)', () => {
  it('adds agents 1010… with every other one on a call, watchable like the seeded ones', async () => {
    const big = await startLab({ sipPort: 0, httpPort: 0, quiet: true, seed: false, extraAgents: 4 });
    try {
      expect(['1010', '1011', '1012', '1013'].map((e) => big.pbx.isAgent(e))).toEqual([true, true, true, true]);
      expect(big.pbx.isAgent('1014')).toBe(false);
      expect([...big.pbx.calls.values()].map((c) => c.agent)).toEqual(['1010', '1012']);
      expect(() => big.pbx.addAgent('1010', 'Twice')).toThrow('1010 cannot be added as an agent.');
      const sup = new LabSipClient('2001', 'lab-2001', big.wsUrl);
      clients.push(sup);
      expect(await sup.register()).toBe(200);
      const watch = sup.watch('1012');
      await until(() => watch.bodies.some((b) => /<state>confirmed<\/state>/.test(b)), 5000, 'confirmed NOTIFY for 1012');
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await big.close();
    }
  });
});
