// @vitest-environment node
// The malformed-SIP corpus (tests/corpus/sip-to-pbx) against the lab's real
// SIP server over a real WebSocket: each file alone on a fresh socket gets the
// reply and the log line its index entry names, then the same socket still
// serves a good OPTIONS and a real client still registers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLab, type Lab } from '../index';
import { LabSipClient } from './support/sip-client';

const CORPUS = join(import.meta.dirname, '../../tests/corpus');
interface Entry {
  file: string;
  why: string;
  reply: string | null;
  log: string;
  replyHeader?: string;
}
const entries = (JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { sipToPbx: Entry[] }).sipToPbx;

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ sipPort: 0, httpPort: 0, quiet: true });
});
afterAll(async () => lab?.close());

const OPTIONS = [
  'OPTIONS sip:lab.earshot.test SIP/2.0',
  'Via: SIP/2.0/WS corpus.invalid;branch=z9hG4bKcorpusgood',
  'Max-Forwards: 70',
  'From: <sip:2001@lab.earshot.test>;tag=good',
  'To: <sip:2001@lab.earshot.test>',
  'Call-ID: corpus-good',
  'CSeq: 1 OPTIONS',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends one corpus message on a fresh socket, waits for the lab's verdict in its log, then a good
 * OPTIONS on the same socket: everything before the OPTIONS' 200 is what the bad message got.
 */
async function send(text: string, logged: () => boolean): Promise<string[]> {
  const ws = new WebSocket(lab.wsUrl, 'sip');
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies: string[] = [];
  ws.on('message', (data) => replies.push(String(data)));
  ws.send(text);
  await until(logged, 'the lab to log the bad message');
  ws.send(OPTIONS);
  await until(() => replies.some((r) => r.includes('Call-ID: corpus-good')), 'the 200 to a good OPTIONS on the same socket');
  ws.close();
  const good = replies.findIndex((r) => r.includes('Call-ID: corpus-good'));
  expect(replies[good]?.split('\r\n')[0]).toBe('SIP/2.0 200 OK');
  return replies.slice(0, good);
}

describe('malformed SIP to the lab (tests/corpus/sip-to-pbx)', () => {
  it('has an index entry for every file, and a file for every entry', () => {
    const files = readdirSync(join(CORPUS, 'sip-to-pbx')).map((f) => `sip-to-pbx/${f}`).sort();
    expect(entries.map((e) => e.file).sort()).toEqual(files);
  });

  it.each(entries)('$file ($why)', async (entry) => {
    const text = readFileSync(join(CORPUS, entry.file), 'latin1');
    const seq = lab.log.since(0).at(-1)?.seq ?? 0;
    const badLines = () => lab.log.since(seq).filter((e) => e.kind === 'bad-message').map((e) => e.text);
    const replies = await send(text, () => badLines().length > 0);
    const statusLines = replies.map((r) => r.split('\r\n')[0]);
    if (entry.reply === null) expect(statusLines).toEqual([]);
    else expect(statusLines).toEqual([entry.reply]);
    if (entry.replyHeader) expect(replies[0]).toContain(entry.replyHeader);
    expect(badLines()).toEqual([entry.log]);
    // The lab still serves: a real client registers (401 challenge, then 200).
    const client = new LabSipClient('2001', 'lab-2001', lab.wsUrl);
    try {
      expect(await client.register()).toBe(200);
    } finally {
      await client.close();
    }
  });
});
