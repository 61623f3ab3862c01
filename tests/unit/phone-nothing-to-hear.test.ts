// When there is nothing to hear, and when the PBX goes away, against FAKES (a
// scripted PBX behind a fake sip.js transport, a fake SDH and audio output;
// see phone-fakes.ts): an agent dialog-info reports idle is never dialled; a
// session that hears only silence says so and takes it back when audio comes;
// a PBX that hangs up and closes the socket, or forgets the call across a
// reconnect, ends the session naming the PBX, not the agent or the network.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dialogInfo, fakeConfig, harness, responseTo } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function registered() {
  const h = harness();
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

describe('phone engine: nothing to hear (fakes)', () => {
  it('an extension nobody watched is asked for its call state first; idle → refused, nothing dialled', async () => {
    const h = await registered();
    const start = h.engine.handle({ type: 'start', agent: '305' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('SUBSCRIBE').map((r) => r.ruri?.user)).toEqual(['305']);
    h.pbx.notify('305', dialogInfo('305', 0, 'terminated'));
    await vi.advanceTimersByTimeAsync(0);
    await start;
    expect(h.pbx.requests('INVITE')).toHaveLength(0);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: expect.stringMatching(/^305 is not on a call right now \(the PBX reports the line idle\)/) });
    // Not shown by any portal: the probe subscription goes again.
    expect(h.log.last.agents['305']).toBeUndefined();
  });

  it('an extension the PBX gives no call state for (SUBSCRIBE refused) is dialled', async () => {
    const h = await registered();
    h.pbx.on('SUBSCRIBE', (request) => responseTo(request, 404, 'Not Found', { toTag: 'x' }));
    await h.engine.handle({ type: 'start', agent: '399' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('INVITE')[0]?.ruri?.user).toBe('*222399');
    expect(h.log.last.session?.status).toBe('active');
  });

  it('an extension on a call is dialled as soon as its first NOTIFY says so', async () => {
    const h = await registered();
    const start = h.engine.handle({ type: 'start', agent: '305' });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('305', dialogInfo('305', 0, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    await start;
    expect(h.pbx.requests('INVITE')).toHaveLength(1);
    // Watched for the session's life: the agent's call state stays known.
    expect(h.log.last.agents['305']?.dialog).toBe('confirmed');
  });

  it('a session that hears only silence says so after 10 s, and takes it back when audio arrives', async () => {
    const h = await registered();
    h.audio.heard = 0;
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(h.log.last.session?.message).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(h.log.last.session).toMatchObject({ status: 'active', message: expect.stringMatching(/^Nothing heard from Alice Agent in 10 s/) });
    expect(h.log.logs().filter((l) => l.startsWith('error: Nothing heard'))).toHaveLength(1);
    h.audio.heard = 0.3;
    await vi.advanceTimersByTimeAsync(500);
    expect(h.log.last.session?.message).toBeUndefined();
    expect(h.log.last.session?.heardAt).toEqual(expect.any(Number));
  });

  it('no such notice where the level cannot be measured (a suspended AudioContext reads 0 whatever plays)', async () => {
    const h = await registered();
    h.audio.heard = 0;
    (h.audio as { metering?: () => boolean }).metering = () => false;
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(h.log.last.session).toMatchObject({ status: 'active' });
    expect(h.log.last.session?.message).toBeUndefined();
  });
});

describe('phone engine: the PBX goes away mid-session (fakes)', () => {
  async function live() {
    const h = await registered();
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.status).toBe('active');
    return h;
  }

  it('BYE then the socket closes: the session names the PBX, not the agent', async () => {
    const h = await live();
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session?.status).toBe('ended');
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.message).toMatch(/^The PBX went away/);
  });

  it("the PBX reports the agent's call ended, then the socket closes (a PBX shutting down): the PBX is named", async () => {
    const h = await live();
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 2, 'terminated'));
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: "The agent's call ended." });
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.message).toMatch(/^The PBX went away/);
  });

  it('the PBX hangs up and the socket stays: the usual message', async () => {
    const h = await live();
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(5_000);
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.message).toBe('The PBX ended the session.');
  });

  it('socket lost, reconnected, and the PBX no longer knows the call (481): ended naming the PBX', async () => {
    const h = await live();
    h.pbx.on('INFO', (request) => responseTo(request, 481, 'Call/Transaction Does Not Exist'));
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.log.last.registration.status).toBe('registered');
    expect(h.pbx.requests('INFO')).toHaveLength(1);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: expect.stringMatching(/^The PBX went away/) });
  });

  it('socket lost and reconnected, the call still known (200 to the INFO): the session goes on', async () => {
    const h = await live();
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.pbx.requests('INFO')).toHaveLength(1);
    expect(h.log.last.session?.status).toBe('active');
  });

  it('media fails while the signalling is down: the PBX is named, not a firewall', async () => {
    const h = await live();
    h.pbx.reachable = false;
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    h.sdh.created[0]?.fail('ice');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session).toMatchObject({ status: 'failed', message: expect.stringMatching(/^The PBX went away/) });
  });
});

describe('phone engine: what a new subscription knows (fakes)', () => {
  it("a call's counterpart is forgotten when the subscription is made again (the call may have changed meanwhile)", async () => {
    const h = await registered();
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 0, 'early', { uri: 'sip:5550100@lab.earshot.test', display: 'Customer' }));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']).toMatchObject({ dialog: 'confirmed', remote: { uri: 'sip:5550100@lab.earshot.test' } });
    // The socket drops; while it is down the customer's call ends and an internal call starts.
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.pbx.requests('SUBSCRIBE').length).toBeGreaterThanOrEqual(2);
    h.pbx.notify('201', dialogInfo('201', 0, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.dialog).toBe('confirmed');
    expect(h.log.last.agents['201']?.remote).toBeUndefined();
  });
});
