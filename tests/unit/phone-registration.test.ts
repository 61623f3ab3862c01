// Registration, keep-alive and reconnect of the phone engine, against a FAKE
// scripted PBX (fake sip.js transport) and a FAKE SDH: no network, no WebRTC.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeConfig, harness, responseTo, WS_URL } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const status = (h: ReturnType<typeof harness>) => h.log.sequence((e) => e.registration.status);

describe('phone engine registration (fake PBX)', () => {
  it('registers with REGISTER 200: unconfigured → connecting → registered', async () => {
    const h = harness();
    await h.engine.handle({ type: 'sync' });
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(status(h)).toEqual(['unconfigured', 'connecting', 'registered']);
    const register = h.pbx.requests('REGISTER');
    expect(register).toHaveLength(1);
    expect(register[0]?.ruri?.toString()).toBe('sip:lab.earshot.test');
    expect(register[0]?.getHeader('from')).toContain('sip:9001@lab.earshot.test');
    expect(h.log.last.registration.message).toBeUndefined();
  });

  it('a wrong password (401 after the digest retry) fails with a plain message and no retry', async () => {
    const h = harness();
    h.pbx.on('REGISTER', (request) =>
      responseTo(request, 401, 'Unauthorized', {
        toTag: 'r1',
        headers: ['WWW-Authenticate: Digest realm="lab.earshot.test", nonce="n1", algorithm=MD5, qop="auth"'],
      }),
    );
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(status(h)).toEqual(['connecting', 'failed']);
    expect(h.log.last.registration.message).toBe('The PBX refused the user name or password (401).');
    // The first REGISTER is challenged, the second carries credentials and is refused.
    const register = h.pbx.requests('REGISTER');
    expect(register).toHaveLength(2);
    expect(register[1]?.getHeader('authorization')).toMatch(/^Digest .*username="9001"/);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.pbx.requests('REGISTER')).toHaveLength(2);
    expect(h.log.logs()).toContain('error: The PBX refused the user name or password (401).');
  });

  it('403 to REGISTER is bad credentials too', async () => {
    const h = harness();
    h.pbx.on('REGISTER', (request) => responseTo(request, 403, 'Forbidden', { toTag: 'r1' }));
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.registration).toMatchObject({
      status: 'failed',
      message: 'The PBX refused the user name or password (403).',
    });
  });

  it('an unreachable PBX is "reconnecting" with a plain message, retried with backoff until it answers', async () => {
    const h = harness();
    h.pbx.reachable = false;
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.registration).toMatchObject({
      status: 'reconnecting',
      message: `Can't reach the PBX at ${WS_URL}. Trying again…`,
    });
    // random() = 0.5 → delays 750 ms, 1500 ms, 3000 ms (equal jitter over 1 s, 2 s, 4 s).
    await vi.advanceTimersByTimeAsync(749);
    expect(h.pbx.transports).toHaveLength(1);
    expect(h.pbx.received).toHaveLength(0);
    h.pbx.reachable = true;
    await vi.advanceTimersByTimeAsync(1);
    expect(status(h)).toEqual(['connecting', 'reconnecting', 'registered']);
    expect(h.pbx.requests('REGISTER')).toHaveLength(1);
  });

  it('socket drop: registered → reconnecting → registered, with exponential backoff and a fresh REGISTER', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.reachable = false;
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.registration).toMatchObject({
      status: 'reconnecting',
      message: `Lost the connection to the PBX at ${WS_URL}. Reconnecting…`,
    });
    // Attempts at +750 ms and +1500 ms fail; the PBX is back for the third (+3000 ms).
    await vi.advanceTimersByTimeAsync(750 + 1500);
    h.pbx.reachable = true;
    await vi.advanceTimersByTimeAsync(2999);
    expect(h.log.last.registration.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(status(h)).toEqual(['connecting', 'registered', 'reconnecting', 'registered']);
    expect(h.pbx.requests('REGISTER')).toHaveLength(2);
    expect(h.log.logs()).toContain('info: Reconnected to the PBX.');
  });

  it('sends SIP OPTIONS keep-alives every 30 s (no CRLF), and nothing else while idle', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    const before = h.pbx.received.length;
    await vi.advanceTimersByTimeAsync(29_999);
    expect(h.pbx.received.length).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.pbx.requests('OPTIONS')).toHaveLength(1);
    expect(h.pbx.requests('OPTIONS')[0]?.ruri?.toString()).toBe('sip:lab.earshot.test');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.pbx.requests('OPTIONS')).toHaveLength(3);
    // Idle: no level timer, no events besides registration.
    expect(h.log.events.every((e) => e.session === null)).toBe(true);
  });

  it('a keep-alive with no answer (408) drops the socket and reconnects', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.on('OPTIONS', (request) => responseTo(request, 408, 'Request Timeout'));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.log.last.registration.status).toBe('reconnecting');
    expect(h.log.logs()).toContain(`error: Lost the connection to the PBX at ${WS_URL}. Reconnecting… (no answer to keep-alive)`);
    await vi.advanceTimersByTimeAsync(750);
    expect(status(h)).toEqual(['connecting', 'registered', 'reconnecting', 'registered']);
  });

  it('the "online" event reconnects at once instead of waiting out the backoff', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.reachable = false;
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(750 + 1500 + 3000 + 6000);
    expect(h.log.last.registration.status).toBe('reconnecting');
    h.pbx.reachable = true;
    h.goOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.registration.status).toBe('registered');
  });

  it('after sleep (keep-alive timer far too late) it registers again and resubscribes', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(1);
    h.jumpClock(3_600_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.pbx.requests('REGISTER').length).toBeGreaterThanOrEqual(2);
    expect(h.pbx.requests('SUBSCRIBE').length).toBeGreaterThanOrEqual(2);
    expect(h.log.logs()).toContain('info: Woke from sleep: registering again.');
  });

  it('a PBX restart that drops the binding (refresh refused) goes reconnecting → registered', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    // sip.js refreshes the 600 s binding before it expires; the restarted PBX answers 503 once.
    let refused = false;
    h.pbx.on('REGISTER', (request, pbx) => {
      if (!refused) {
        refused = true;
        return responseTo(request, 503, 'Service Unavailable', { toTag: 'x' });
      }
      return pbx.registerOk(request);
    });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(status(h)).toEqual(['connecting', 'registered', 'reconnecting', 'registered']);
    expect(h.log.logs()).toContain('error: The PBX dropped the registration. Registering again…');
  });

  it('configure(null) goes back to unconfigured and unregisters', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'configure', config: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(status(h)).toEqual(['connecting', 'registered', 'unconfigured']);
    const register = h.pbx.requests('REGISTER');
    expect(register).toHaveLength(2);
    expect(register[1]?.getHeader('contact')).toMatch(/;expires=0$/);
  });

  it('the same configuration twice does not re-register (a restarted coordinator re-sends it)', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('REGISTER')).toHaveLength(1);
    expect(h.log.last.registration.status).toBe('registered');
  });
});
