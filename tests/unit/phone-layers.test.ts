// The layers under the PhoneEngine facade, one at a time where they stand alone
// (keep-alive clock, connection, presence), against the FAKE scripted PBX of
// phone-fakes.ts; the monitor session's states through the engine harness.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidTransitionError } from '../../lib/monitor/errors';
import type { RegistrationStatus } from '../../lib/state/snapshot';
import { PhoneConnection, type ConnectionEvents } from '../../lib/phone/connection';
import { KeepAlive } from '../../lib/phone/keep-alive';
import { Presence } from '../../lib/phone/presence';
import { dialogInfo, FakePbx, fakeConfig, fakeLogic, fakeSdhFactory, harness, responseTo } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A connection on the fake PBX, recording every event it reports and every status it publishes. */
function connectionOn(pbx: FakePbx, overrides: Partial<ConnectionEvents> = {}) {
  const seen: string[] = [];
  const statuses: RegistrationStatus[] = [];
  const events: ConnectionEvents = {
    log: (kind, text) => seen.push(`${kind}: ${text}`),
    changed: () => {
      const status = connection.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
    },
    registered: (became) => seen.push(`registered(${became})`),
    socketClosed: () => seen.push(`socketClosed(${connection.status})`),
    woke: () => seen.push('woke'),
    invite: () => seen.push('invite'),
    ...overrides,
  };
  const connection: PhoneConnection = new PhoneConnection({
    events,
    sessionDescriptionHandlerFactory: fakeSdhFactory().factory,
    transportConstructor: pbx.Transport,
    now: () => Date.now(),
    random: () => 0.5,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    keepAliveMs: 30_000,
  });
  return { connection, seen, statuses };
}

describe('keep-alive clock', () => {
  it('ticks every period, and says "slept" only for a tick far too late', () => {
    let clock = 0;
    const ticks: boolean[] = [];
    const keepAlive = new KeepAlive(30_000, () => clock + Date.now(), (slept) => ticks.push(slept));
    keepAlive.start();
    vi.advanceTimersByTime(60_000);
    expect(ticks).toEqual([false, false]);
    clock += 120_000;
    vi.advanceTimersByTime(30_000);
    expect(ticks).toEqual([false, false, true]);
    keepAlive.stop();
    vi.advanceTimersByTime(300_000);
    expect(ticks).toHaveLength(3);
  });
});

describe('connection: one registration state machine', () => {
  it('connecting → registered; a drop tells the facade while reconnecting, then registered again', async () => {
    const pbx = new FakePbx();
    const { connection, seen, statuses } = connectionOn(pbx);
    connection.start(fakeConfig());
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses).toEqual(['connecting', 'registered']);
    expect(seen).toEqual(['registered(true)']);
    pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toContain('socketClosed(reconnecting)');
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses).toEqual(['connecting', 'registered', 'reconnecting', 'registered']);
    expect(seen.at(-1)).toBe('registered(true)');
    expect(seen).toContain('info: Reconnected to the PBX.');
  });

  it('refused credentials are final: a later drop is reported, nothing is retried', async () => {
    const pbx = new FakePbx();
    pbx.on('REGISTER', (request) => responseTo(request, 403, 'Forbidden', { toTag: 'r' }));
    const { connection, seen, statuses } = connectionOn(pbx);
    connection.start(fakeConfig());
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses).toEqual(['connecting', 'failed']);
    pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen).toContain('socketClosed(failed)');
    expect(statuses).toEqual(['connecting', 'failed']);
    expect(pbx.transports).toHaveLength(1);
  });

  it('stop, then reset: unconfigured; a new start connects again', async () => {
    const pbx = new FakePbx();
    const { connection, statuses } = connectionOn(pbx);
    connection.start(fakeConfig());
    await vi.advanceTimersByTimeAsync(0);
    await connection.stop();
    connection.reset();
    expect(connection.userAgent()).toBeUndefined();
    connection.start(fakeConfig());
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses).toEqual(['connecting', 'registered', 'unconfigured', 'connecting', 'registered']);
  });
});

describe('presence: subscriptions over the connection', () => {
  async function presenceOn(pinned?: () => string | undefined) {
    const pbx = new FakePbx();
    const updates: string[] = [];
    const { connection } = connectionOn(pbx, { registered: () => presence.registered(), socketClosed: () => presence.drop() });
    const presence: Presence = new Presence({
      userAgent: () => connection.userAgent(),
      uri: (user) => connection.uri(user),
      registered: () => connection.status === 'registered',
      pinned: pinned ?? (() => undefined),
      onNet: () => () => false,
      updated: (extension, previous, state) => updates.push(`${extension}: ${previous?.dialog ?? '-'} → ${state.dialog}`),
      log: () => undefined,
      changed: () => undefined,
      now: () => Date.now(),
      random: () => 0.5,
    });
    connection.start(fakeConfig());
    await vi.advanceTimersByTimeAsync(0);
    return { pbx, presence, updates };
  }

  it('a dropped socket drops the subscriptions; the next registration makes them again', async () => {
    const { pbx, presence } = await presenceOn();
    presence.watch(['201']);
    await vi.advanceTimersByTimeAsync(0);
    expect(pbx.requests('SUBSCRIBE')).toHaveLength(1);
    pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pbx.requests('SUBSCRIBE')).toHaveLength(2);
  });

  it('the first state of an agent nobody watched is waited for; the pinned agent stays watched until unpinned', async () => {
    let pinned: string | undefined;
    const { pbx, presence, updates } = await presenceOn(() => pinned);
    pbx.on('SUBSCRIBE', (request, fake) => {
      const ok = fake.subscribeOk(request);
      setTimeout(() => fake.notify('301', dialogInfo('301', 1, 'confirmed')), 100);
      return ok;
    });
    pinned = '301';
    const dialog = presence.currentDialog('301');
    await vi.advanceTimersByTimeAsync(100);
    await expect(dialog).resolves.toBe('confirmed');
    expect(updates).toEqual(['301: unknown → confirmed']);
    presence.watch([]);
    expect(Object.keys(presence.snapshot())).toEqual(['301']);
    pinned = undefined;
    presence.unpin('301');
    expect(presence.snapshot()).toEqual({});
  });

  it('an agent the PBX gives no state for is "unknown" after the wait, not a hang', async () => {
    const { pbx, presence } = await presenceOn();
    pbx.on('SUBSCRIBE', (request) => responseTo(request, 200, 'OK', { toTag: 's', headers: ['Expires: 600'] }));
    const dialog = presence.currentDialog('302');
    await vi.advanceTimersByTimeAsync(2000);
    await expect(dialog).resolves.toBe('unknown');
  });
});

describe('monitor session states (engine harness)', () => {
  async function started(logic = fakeLogic()) {
    const h = harness({ logic });
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await h.engine.handle({ type: 'watch', extensions: ['201'] });
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'start', agent: '201' });
    await vi.advanceTimersByTimeAsync(0);
    return h;
  }

  it('hung up while reconnecting: reconnecting → ending → ended with our message', async () => {
    const h = await started();
    h.pbx.reachable = false;
    h.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.sequence((e) => e.session?.status)).toEqual([undefined, 'connecting', 'active', 'reconnecting', 'ending', 'ended']);
    expect(h.log.last.session?.message).toBe('You ended the session.');
  });

  it('the PBX ends the call while we are ending it: one end, with our message', async () => {
    const h = await started();
    h.pbx.on('BYE', (request, pbx) => {
      pbx.bye();
      return responseTo(request, 200, 'OK');
    });
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.log.last.session).toMatchObject({ status: 'ended', message: 'You ended the session.' });
    expect(h.log.logs().filter((line) => line.startsWith('end:'))).toHaveLength(1);
  });

  it('an impossible status move is a bug: handle() throws it, it is not a log line', async () => {
    const h = await started(
      fakeLogic({
        transition: (from, to) => {
          if (to === 'ending') throw new InvalidTransitionError(from, to);
          return to;
        },
      }),
    );
    await expect(h.engine.handle({ type: 'hangup' })).rejects.toBeInstanceOf(InvalidTransitionError);
    expect(h.log.logs().join('\n')).not.toContain('cannot go from');
  });
});
