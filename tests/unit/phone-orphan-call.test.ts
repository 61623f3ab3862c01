// The monitor call's dialog kept for the next engine, and the BYE a new engine
// sends for a call its predecessor left at the PBX, against FAKES: a scripted
// PBX behind a fake sip.js transport (phone-fakes.ts), a fake SDH, and a FAKE
// dialog store in memory standing in for IndexedDB (lib/platform/dialog-store.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { byeOutcome, DialogJournal, monitorDialogRecordSchema, type MonitorDialogRecord } from '../../lib/phone/dialog-journal';
import { ORPHAN_ENDED_MESSAGE } from '../../lib/phone/engine';
import { markDialogEndLogged } from '../../lib/platform/dialog-store';
import { DOMAIN, FakeDialogStore, fakeConfig, harness, responseTo } from './phone-fakes';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An engine on the fake PBX with `store`, registered, in a live session on 201 (Alice Agent). */
async function inSession(store: FakeDialogStore, id = 'session-1') {
  const h = harness({ dialogStore: store, newId: () => id });
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await h.engine.handle({ type: 'watch', extensions: ['201'] });
  await vi.advanceTimersByTimeAsync(0);
  await h.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
  await vi.advanceTimersByTimeAsync(0);
  expect(h.log.last.session?.status).toBe('active');
  return h;
}

/** A second engine on the same store (the first one's page died: it is simply abandoned), registered. */
async function nextEngine(store: FakeDialogStore, script?: Parameters<ReturnType<typeof harness>['pbx']['on']>[1]) {
  const h = harness({ dialogStore: store, newId: () => 'session-2' });
  if (script) h.pbx.on('BYE', script);
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

describe('the live monitor call is kept for the next engine (fake store)', () => {
  it('when the call is up: its Call-ID, both tags, the URIs, the PBX contact, the route set and the next CSeq; no secret', async () => {
    const store = new FakeDialogStore();
    const h = await inSession(store);
    await vi.advanceTimersByTimeAsync(0);
    const call = h.pbx.call;
    expect(store.records).toEqual([
      {
        version: 1,
        sessionId: 'session-1',
        agent: '201',
        name: 'Alice Agent',
        callId: call?.callId,
        localTag: call?.earshotTag,
        remoteTag: call?.pbxTag,
        localUri: `sip:9001@${DOMAIN}`,
        remoteUri: `sip:*222201@${DOMAIN}`,
        remoteTarget: `sip:monitor@${DOMAIN};transport=ws`,
        routeSet: [],
        nextCseq: 2,
        savedAt: expect.any(Number),
        endLogged: false,
      },
    ]);
    expect(JSON.stringify(store.value)).not.toContain('secret');
    expect(monitorDialogRecordSchema.safeParse(store.records[0]).success).toBe(true);
  });

  it('follows the CSeq of every INFO in the dialog, and is removed when the call ends', async () => {
    const store = new FakeDialogStore();
    const h = await inSession(store);
    await h.engine.handle({ type: 'set-mode', mode: 'barge' });
    await vi.advanceTimersByTimeAsync(500);
    const info = h.pbx.requests('INFO').at(-1);
    expect(store.records[0]?.nextCseq).toBe((info?.cseq ?? 0) + 1);
    await h.engine.handle({ type: 'hangup' });
    await vi.advanceTimersByTimeAsync(100);
    expect(h.pbx.requests('BYE')).toHaveLength(1);
    expect(store.records).toEqual([]);
  });

  it('a call the PBX ends is removed too', async () => {
    const store = new FakeDialogStore();
    const h = await inSession(store);
    h.pbx.bye();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session?.status).toBe('ended');
    expect(store.records).toEqual([]);
  });

  it('a session that failed with its call still up notes its End row before the BYE goes', async () => {
    const store = new FakeDialogStore();
    const h = await inSession(store);
    // The BYE gets no answer: the record must say the End row is written, for the next engine.
    h.pbx.on('BYE', () => undefined);
    h.sdh.created[0]?.fail('ice');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.log.last.session?.status).toBe('failed');
    expect(h.pbx.requests('BYE')).toHaveLength(1);
    expect(store.records.map((r) => r.endLogged)).toEqual([true]);
  });
});

describe('a new engine ends the call its predecessor left at the PBX (fakes)', () => {
  it('once registered: a BYE in the old dialog (R-URI the contact, its tags, Call-ID, next CSeq), a log line, the End row', async () => {
    const store = new FakeDialogStore();
    const first = await inSession(store);
    const old = first.pbx.call;
    const kept = store.records[0];
    // The first engine's page died here: nothing of it runs any more.
    const next = await nextEngine(store);
    await vi.advanceTimersByTimeAsync(0);
    const bye = next.pbx.requests('BYE');
    expect(bye).toHaveLength(1);
    expect(bye[0]?.ruri?.toString()).toBe(`sip:monitor@${DOMAIN};transport=ws`);
    expect(bye[0]?.callId).toBe(old?.callId);
    expect(bye[0]?.fromTag).toBe(old?.earshotTag);
    expect(bye[0]?.toTag).toBe(old?.pbxTag);
    expect(bye[0]?.cseq).toBe(kept?.nextCseq);
    expect(bye[0]?.getHeader('to')).toContain(`sip:*222201@${DOMAIN}`);
    expect(next.log.logs()).toEqual(
      expect.arrayContaining([
        "info: Ended the monitor call Earshot's previous engine left at the PBX (Alice Agent (201)).",
        "end: Stopped monitoring Alice Agent (201): Earshot's phone engine stopped.",
      ]),
    );
    expect(next.log.last.session).toMatchObject({ id: 'session-1', status: 'failed', message: ORPHAN_ENDED_MESSAGE });
    expect(store.records).toEqual([]);
    // A new session replaces what the panel shows of the old one.
    await next.engine.handle({ type: 'watch', extensions: ['201'] });
    await vi.advanceTimersByTimeAsync(0);
    await next.engine.handle({ type: 'start', agent: '201', name: 'Alice Agent' });
    await vi.advanceTimersByTimeAsync(0);
    expect(next.log.last.session).toMatchObject({ id: 'session-2', status: 'active' });
  });

  it('writes no second End row when the session record already has it (the Chrome link wrote it)', async () => {
    const store = new FakeDialogStore();
    await inSession(store);
    await markDialogEndLogged(store, 'session-1');
    const next = await nextEngine(store);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.pbx.requests('BYE')).toHaveLength(1);
    expect(next.log.logs().filter((l) => l.startsWith('end:'))).toEqual([]);
    expect(next.log.last.session).toBeNull();
  });

  it('481 (the PBX had ended it): said so, the record dropped', async () => {
    const store = new FakeDialogStore();
    await inSession(store);
    const next = await nextEngine(store, (request) => responseTo(request, 481, 'Call/Transaction Does Not Exist'));
    await vi.advanceTimersByTimeAsync(0);
    expect(next.log.logs()).toContain("info: The monitor call Earshot's previous engine left at the PBX (Alice Agent (201)) was already over (481 Call/Transaction Does Not Exist).");
    expect(store.records).toEqual([]);
  });

  it('503: the record is kept and the BYE sent again at the next registration; the End row only once', async () => {
    const store = new FakeDialogStore();
    await inSession(store);
    let answer = 503;
    const next = await nextEngine(store, (request) => responseTo(request, answer, answer === 503 ? 'Service Unavailable' : 'OK'));
    await vi.advanceTimersByTimeAsync(0);
    expect(next.log.logs()).toContain(
      "info: Could not end the monitor call Earshot's previous engine left at the PBX (Alice Agent (201)) yet (503 Service Unavailable): trying again at the next registration.",
    );
    expect(store.records).toHaveLength(1);
    answer = 200;
    next.pbx.transport.drop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(next.log.last.registration.status).toBe('registered');
    expect(next.pbx.requests('BYE')).toHaveLength(2);
    expect(store.records).toEqual([]);
    expect(next.log.logs().filter((l) => l.startsWith('end:'))).toHaveLength(1);
  });

  it('a stored value that is not a record is dropped with a line, and nothing is sent', async () => {
    const store = new FakeDialogStore();
    store.value = [{ version: 1, callId: 'x', remoteTarget: 'javascript:alert(1)' }];
    const next = await nextEngine(store);
    await vi.advanceTimersByTimeAsync(0);
    expect(next.pbx.requests('BYE')).toEqual([]);
    expect(next.log.logs().some((l) => l.startsWith('info: Dropped an unreadable record of an earlier monitor call ('))).toBe(true);
    expect(store.value).toEqual([]);
  });

  it('no store: nothing is kept or sent (the engine without a host store)', async () => {
    const h = harness();
    await h.engine.handle({ type: 'configure', config: fakeConfig() });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.pbx.requests('BYE')).toEqual([]);
  });
});

describe('DialogJournal and the BYE outcomes (fake store)', () => {
  const record = (callId: string, sessionId = 's1'): MonitorDialogRecord => ({
    version: 1,
    sessionId,
    agent: '201',
    callId,
    localTag: 'a',
    remoteTag: 'b',
    localUri: `sip:9001@${DOMAIN}`,
    remoteUri: `sip:*222201@${DOMAIN}`,
    remoteTarget: `sip:monitor@${DOMAIN}`,
    routeSet: [],
    nextCseq: 2,
    savedAt: 0,
    endLogged: false,
  });

  it('keeps the leftover records beside new calls, forgets by Call-ID, marks the End per session, and writes in order', async () => {
    const store = new FakeDialogStore();
    store.value = [record('old', 's0')];
    const journal = new DialogJournal(store, () => undefined);
    expect((await journal.leftover).map((r) => r.callId)).toEqual(['old']);
    journal.keep(record('new'));
    journal.keep({ ...record('new'), nextCseq: 5 });
    journal.markEndLogged('s0');
    journal.forget('unknown');
    await journal.settled();
    expect(store.records.map((r) => [r.callId, r.nextCseq, r.endLogged])).toEqual([
      ['old', 2, true],
      ['new', 5, false],
    ]);
    journal.forget('old');
    journal.forget('new');
    await journal.settled();
    expect(store.records).toEqual([]);
    expect(store.writes).toHaveLength(5);
  });

  it('a store that fails is reported, not thrown', async () => {
    const reports: string[] = [];
    const journal = new DialogJournal(
      {
        read: () => Promise.reject(new Error('no IndexedDB here')),
        write: () => Promise.reject(new Error('quota')),
      },
      (text) => reports.push(text),
    );
    expect(await journal.leftover).toEqual([]);
    journal.keep(record('c'));
    await journal.settled();
    expect(reports).toEqual(['Could not read the record of an earlier monitor call: no IndexedDB here', 'Could not keep the record of the monitor call: quota']);
  });

  it.each([
    [200, 'ended'],
    [481, 'gone'],
    [404, 'gone'],
    [408, 'retry'],
    [503, 'retry'],
    [0, 'retry'],
    [403, 'refused'],
  ] as const)('BYE answered %i: %s', (code, kind) => {
    expect(byeOutcome(code)).toBe(kind);
  });
});
