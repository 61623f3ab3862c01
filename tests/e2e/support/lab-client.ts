import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../../lab/index';

/** JSON over the lab's control API. */
export async function labApi<T = unknown>(lab: Lab, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${lab.httpUrl}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as T;
}

/** Energy per source in what `who` heard over the last window. */
export async function hearing(lab: Lab, who: string, windowMs = 400): Promise<Record<string, number>> {
  return (await labApi<{ sources: Record<string, number> }>(lab, 'GET', `/api/hearing/${who}?windowMs=${windowMs}`)).sources;
}

export async function sessionOf(lab: Lab, supervisor: string) {
  const sessions = await labApi<{ supervisor: string; agent: string; mode: string; legId: string }[]>(lab, 'GET', '/api/sessions');
  return sessions.find((s) => s.supervisor === supervisor);
}

export const audible = (sources: Record<string, number>, id: string) => (sources[id] ?? 0) > 0.01;

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
