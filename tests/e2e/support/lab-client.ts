import { writeFileSync } from 'node:fs';
import type { Lab } from '../../../lab/index';
import { join } from 'node:path';

export { audible, hearing, labApi, labEvents, lastEventSeq, sessionOf } from '../../../lab/test/support/control';

/** A mono 16-bit 48 kHz WAV of a sine tone: the fake microphone (the supervisor's "voice"). */
export function toneWav(dir: string, hz: number, seconds = 10): string {
  const rate = 48000;
  const samples = rate * seconds;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buffer.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000), 44 + i * 2);
  const path = join(dir, `tone-${hz}.wav`);
  writeFileSync(path, buffer);
  return path;
}

export { until } from '../../../lab/test/support/until';

/** Earshot's settings for the lab, signed in as Sam Supervisor (2001); DTMF by SIP INFO unless asked otherwise. */
export function labSettings(lab: Pick<Lab, 'wsUrl' | 'httpUrl'>, dtmfMethod: 'info' | 'rfc4733' = 'info') {
  return {
    pbx: { wsUrl: lab.wsUrl, domain: 'lab.earshot.test', username: '2001', password: 'lab-2001', displayName: 'Sam Supervisor' },
    portal: { origin: lab.httpUrl, adapter: 'earshot-lab' },
    profile: { id: 'asterisk-chanspy', dtmfMethod },
  };
}

/** Stores the user's settings through Chromium's extension service worker (what the options page would save). */
export async function storeSettings(worker: { evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> }, settings: object): Promise<void> {
  await worker.evaluate(
    (value) => (globalThis as unknown as { chrome: { storage: { local: { set(v: object): Promise<void> } } } }).chrome.storage.local.set({ 'earshot:settings': value }),
    settings,
  );
}
