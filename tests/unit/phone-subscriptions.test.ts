// Agent call state from dialog-info subscriptions, against a FAKE scripted
// PBX (fake sip.js transport): no network.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dialogInfo, DOMAIN, fakeConfig, harness, responseTo } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function registeredWatching(extensions: string[]) {
  const h = harness();
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await h.engine.handle({ type: 'watch', extensions });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

describe('phone engine dialog-info (fake PBX)', () => {
  it('subscribes to each watched extension with Event: dialog and Accept: application/dialog-info+xml', async () => {
    const h = await registeredWatching(['201', '202']);
    const subscribes = h.pbx.requests('SUBSCRIBE');
    expect(subscribes.map((r) => r.ruri?.toString())).toEqual([`sip:201@${DOMAIN}`, `sip:202@${DOMAIN}`]);
    expect(subscribes[0]?.getHeader('event')).toBe('dialog');
    expect(subscribes[0]?.getHeader('accept')).toBe('application/dialog-info+xml');
    expect(h.log.last.agents).toEqual({
      '201': { extension: '201', dialog: 'unknown' },
      '202': { extension: '202', dialog: 'unknown' },
    });
  });

  it('early (with identity) → confirmed (none, as on Asterisk) → terminated; the identity is remembered then forgotten', async () => {
    const h = await registeredWatching(['201']);
    const agent = () => h.log.last.agents['201'];
    h.pbx.notify('201', dialogInfo('201', 0, 'terminated'));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 1, 'early', { uri: 'sip:5550100@pstn.example', display: 'Test Customer' }));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 2, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    const confirmed = agent();
    h.pbx.notify('201', dialogInfo('201', 3, 'terminated'));
    await vi.advanceTimersByTimeAsync(0);
    // undefined: the configure event, before the watch.
    expect(h.log.sequence((e) => e.agents['201']?.dialog)).toEqual([undefined, 'unknown', 'terminated', 'early', 'confirmed', 'terminated']);
    expect(confirmed).toEqual({
      extension: '201',
      dialog: 'confirmed',
      remote: { uri: 'sip:5550100@pstn.example', display: 'Test Customer', onNet: false },
      since: expect.any(Number),
    });
    expect(agent()).toEqual({ extension: '201', dialog: 'terminated' });
  });

  it('classifies an internal counterpart as on-net', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'early', { uri: `sip:202@${DOMAIN}` }));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toEqual({ uri: `sip:202@${DOMAIN}`, onNet: true });
  });

  it('a malformed NOTIFY is logged and ignored: the last good state is kept', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', '<dialog-info><dialog id="x"><state>confirmed</dialog>');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.dialog).toBe('confirmed');
    expect(h.log.logs()).toContain('error: Ignored a malformed call-state update for 201: dialog-info body is not well-formed XML.');
    // The NOTIFY itself is still answered 200, or the PBX would end the subscription.
    expect(h.pbx.received.filter((r) => r.method === 'SUBSCRIBE')).toHaveLength(1);
  });

  it('refuses a NOTIFY with a DOCTYPE/ENTITY (entity expansion) and keeps the state', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'early'));
    await vi.advanceTimersByTimeAsync(0);
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' +
      '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="2" state="full"><dialog id="1"><state>&b;</state></dialog></dialog-info>';
    h.pbx.notify('201', bomb);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.dialog).toBe('early');
    expect(h.log.logs()).toContain(
      'error: Ignored a malformed call-state update for 201: dialog-info body with a DOCTYPE or ENTITY declaration refused.',
    );
  });

  it('refuses an oversize NOTIFY (over 64 KiB)', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    const huge = dialogInfo('201', 2, 'terminated').replace('</dialog-info>', `<!--${'x'.repeat(70_000)}--></dialog-info>`);
    h.pbx.notify('201', huge);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.dialog).toBe('confirmed');
    expect(h.log.logs().some((l) => l.startsWith('error: Ignored a malformed call-state update for 201: dialog-info body too large'))).toBe(true);
  });

  it('ignores a NOTIFY of another content type, logging it', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', '{"state":"confirmed"}', { contentType: 'application/json' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.dialog).toBe('unknown');
    expect(h.log.logs()).toContain('error: Ignored a call-state update for 201 of type application/json.');
  });

  it('unwatching unsubscribes (Expires: 0) and drops the agent', async () => {
    const h = await registeredWatching(['201', '202']);
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    h.pbx.notify('202', dialogInfo('202', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'watch', extensions: ['202'] });
    await vi.advanceTimersByTimeAsync(0);
    const last = h.pbx.requests('SUBSCRIBE').at(-1);
    // In the dialog: to the PBX's Contact for 201, same Call-ID as the 201 subscription.
    expect(last?.ruri?.toString()).toBe(`sip:201@${DOMAIN};transport=ws`);
    expect(last?.callId).toBe(h.pbx.subscriptions.get('201')?.callId);
    expect(last?.getHeader('expires')).toBe('0');
    expect(Object.keys(h.log.last.agents)).toEqual(['202']);
  });

  it('resubscribes when the PBX terminates the subscription', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 2, 'confirmed'), { state: 'terminated;reason=noresource' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(2);
    expect(h.pbx.requests('SUBSCRIBE')[1]?.ruri?.toString()).toBe(`sip:201@${DOMAIN}`);
  });

  it('a PBX that ends each subscription at once is not hammered (backoff keeps growing)', async () => {
    const h = await registeredWatching(['201']);
    for (let i = 0; i < 3; i++) {
      h.pbx.notify('201', dialogInfo('201', i, 'terminated'), { state: 'terminated;reason=noresource' });
      await vi.advanceTimersByTimeAsync(60_000);
    }
    // 1 initial + 1 s + 30 s + 60 s retries within 3 minutes, not one a second.
    expect(h.pbx.requests('SUBSCRIBE').length).toBeLessThanOrEqual(4);
    expect(h.pbx.requests('SUBSCRIBE').length).toBeGreaterThanOrEqual(3);
  });

  it('a refused SUBSCRIBE is retried later, not in a tight loop', async () => {
    const h = harness();
    h.pbx.on('SUBSCRIBE', (request) => responseTo(request, 404, 'Not Found', { toTag: 's' }));
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await h.engine.handle({ type: 'watch', extensions: ['209'] });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(2);
    // Then at least 20 s apart (30 s nominal with jitter 0.5 → 30 s; 20 s * 2^1 * 0.75).
    await vi.advanceTimersByTimeAsync(19_999);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(2);
    expect(h.log.last.agents['209']?.dialog).toBe('unknown');
  });

  it('subscriptions are redone on the new socket after a reconnect', async () => {
    const h = await registeredWatching(['201']);
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(750);
    expect(h.log.last.registration.status).toBe('registered');
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(2);
  });

  it('rejects extensions that are not SIP user parts', async () => {
    const h = await registeredWatching(['201', 'x@evil', '2 3']);
    expect(Object.keys(h.log.last.agents)).toEqual(['201']);
    expect(h.pbx.requests('SUBSCRIBE')).toHaveLength(1);
  });
});

describe("phone engine: the portal's other party for a call up before Earshot watched (fake PBX)", () => {
  const customer = { uri: '5550101', onNet: false };

  it('fills in the remote of a confirmed call whose NOTIFYs named nobody, and makes Whisper possible', async () => {
    const h = await registeredWatching(['201']);
    // Up before the subscription: the first NOTIFY is already confirmed, without <remote> (Asterisk).
    h.pbx.notify('201', dialogInfo('201', 1, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toBeUndefined();
    await h.engine.handle({ type: 'watch', extensions: ['201'], parties: { '201': customer } });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']).toMatchObject({ dialog: 'confirmed', remote: customer });
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session?.availability.whisper).toEqual({ allowed: true });
  });

  it("the PBX's own remote identity wins over the portal's", async () => {
    const h = await registeredWatching(['201']);
    h.pbx.notify('201', dialogInfo('201', 1, 'early', { uri: `sip:202@${DOMAIN}` }));
    await vi.advanceTimersByTimeAsync(0);
    h.pbx.notify('201', dialogInfo('201', 2, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'watch', extensions: ['201'], parties: { '201': customer } });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toEqual({ uri: `sip:202@${DOMAIN}`, onNet: true });
  });

  it('is not used for a call that is not confirmed, and goes when the portal stops showing it', async () => {
    const h = await registeredWatching(['201']);
    await h.engine.handle({ type: 'watch', extensions: ['201'], parties: { '201': customer } });
    h.pbx.notify('201', dialogInfo('201', 1, 'terminated'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toBeUndefined();
    h.pbx.notify('201', dialogInfo('201', 2, 'confirmed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toEqual(customer);
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.agents['201']?.remote).toBeUndefined();
  });
});
