import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { audible, hearing, labApi, sessionOf } from '../../../lab/test/support/control';

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
