// The malformed-input corpus (tests/corpus, see its README) against the phone
// engine, with a FAKE scripted PBX (fake sip.js transport, phone-fakes.ts):
// every item is refused with a clear line in the session log, nothing Earshot
// knew is lost, and the engine still works after it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dialogInfo, fakeConfig, harness } from './phone-fakes';

const CORPUS = join(import.meta.dirname, '../corpus');
interface Entry {
  file: string;
  why: string;
  expect: string | null;
  contentType?: string;
  /** The SIP layer's own answer, when it answers (status and method). */
  reply?: string;
}
const index = JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { dialogInfo: Entry[]; sipToEarshot: Entry[] };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Registered, watching 201, which is on a confirmed call with a known customer. */
async function onACall() {
  const h = harness();
  await h.engine.handle({ type: 'configure', config: fakeConfig() });
  await h.engine.handle({ type: 'watch', extensions: ['201'] });
  await vi.advanceTimersByTimeAsync(0);
  h.pbx.notify('201', dialogInfo('201', 1, 'early', { uri: 'sip:5550100@pstn.example', display: 'Test Customer' }));
  await vi.advanceTimersByTimeAsync(0);
  h.pbx.notify('201', dialogInfo('201', 2, 'confirmed'));
  await vi.advanceTimersByTimeAsync(0);
  const before = h.log.last.agents['201'];
  expect(before).toMatchObject({ dialog: 'confirmed', remote: { uri: 'sip:5550100@pstn.example' } });
  return { h, before };
}

/** The engine still applies a good NOTIFY, so it still works. */
async function stillWorks(h: ReturnType<typeof harness>) {
  h.pbx.notify('201', dialogInfo('201', 3, 'terminated'));
  await vi.advanceTimersByTimeAsync(0);
  expect(h.log.last.agents['201']?.dialog).toBe('terminated');
  expect(h.log.last.registration.status).toBe('registered');
}

const files = (folder: string) =>
  readdirSync(join(CORPUS, folder))
    .map((f) => `${folder}/${f}`)
    .sort();

describe('the corpus is complete', () => {
  it('has an index entry for every file, and a file for every entry', () => {
    expect(index.dialogInfo.map((e) => e.file).sort()).toEqual(files('dialog-info'));
    expect(index.sipToEarshot.map((e) => e.file).sort()).toEqual(files('sip-to-earshot'));
  });
});

describe('malformed dialog-info in a NOTIFY (tests/corpus/dialog-info)', () => {
  it.each(index.dialogInfo)('$file ($why)', async (entry) => {
    const { h, before } = await onACall();
    const body = readFileSync(join(CORPUS, entry.file), 'latin1');
    const answered = h.pbx.responses.length;
    h.pbx.notify('201', body, entry.contentType ? { contentType: entry.contentType } : {});
    await vi.advanceTimersByTimeAsync(0);
    // Answered 200 all the same, or the PBX would end the subscription.
    expect(h.pbx.responses.slice(answered).map((r) => `${r.status} ${r.method}`)).toEqual(['200 NOTIFY']);
    expect(h.log.logs().filter((l) => l.startsWith('error: '))).toEqual([expect.stringContaining(entry.expect ?? '')]);
    expect(h.log.last.agents['201']).toEqual(before);
    await stillWorks(h);
  });
});

describe('malformed SIP on the PBX socket (tests/corpus/sip-to-earshot)', () => {
  it.each(index.sipToEarshot)('$file ($why)', async (entry) => {
    const { h, before } = await onACall();
    const text = readFileSync(join(CORPUS, entry.file), 'latin1').replaceAll('{CONTACT}', h.pbx.contact ?? '');
    const logged = h.log.logs().length;
    const answered = h.pbx.responses.length;
    h.pbx.transport.deliver(text);
    await vi.advanceTimersByTimeAsync(0);
    const lines = h.log.logs().slice(logged);
    expect(h.pbx.responses.slice(answered).map((r) => `${r.status} ${r.method}`)).toEqual(entry.reply ? [entry.reply] : []);
    expect(Object.keys(h.log.last.agents)).toEqual(['201']);
    if (entry.expect === null) expect(lines).toEqual([]);
    else expect(lines).toEqual([expect.stringContaining(entry.expect)]);
    expect(h.log.last.agents['201']).toEqual(before);
    await stillWorks(h);
  });
});
