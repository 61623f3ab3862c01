import { readFileSync, statSync } from 'node:fs';

/**
 * A PCM WAV recording (Asterisk's MixMonitor files and baresip's dumps are
 * 8 kHz 16-bit mono) placed on the wall clock: Asterisk completes the file
 * when the call ends, so its start is its modification time minus its
 * duration (../shared/pbx/asterisk/README.md).
 */
export interface Recording {
  path: string;
  rate: number;
  samples: Float32Array;
  /** Wall-clock ms of the first sample. */
  startMs: number;
  durationMs: number;
}

export function readRecording(path: string): Recording {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  let offset = 12;
  let rate = 8000;
  let channels = 1;
  let bits = 16;
  let data: Buffer | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      // A header not yet completed (call still up) says 0 or too much: take what is there.
      if (size === 0 || body + size > buf.length) size = buf.length - body;
      data = buf.subarray(body, body + size);
      break;
    }
    offset = body + size + (size % 2);
  }
  if (!data) throw new Error(`${path} has no data chunk`);
  if (bits !== 16) throw new Error(`${path}: ${bits}-bit samples, 16 expected`);
  const frames = Math.floor(data.length / (2 * channels));
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = data.readInt16LE(i * 2 * channels) / 32768;
  const durationMs = (frames / rate) * 1000;
  return { path, rate, samples, startMs: statSync(path).mtimeMs - durationMs, durationMs };
}

/** Block length of {@link toneDb}: 100 ms at 8 kHz (10 Hz bins, so the test tones 440 / 660 / 900 Hz stay far apart). */
const BLOCK_MS = 100;

/**
 * Energy of the component at `hz` in one Hann-windowed block, as a mean
 * square (a sine of amplitude A gives A²/2). The window keeps a strong
 * neighbour (660 Hz at -10 dB) from leaking into an absent tone's bin.
 */
function blockPower(samples: Float32Array, hz: number, rate: number, start: number, len: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < len; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
    const s0 = samples[start + i]! * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const magnitude2 = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  // Hann's coherent gain is 1/2: |X| = A·len/4, so A²/2 = 8·|X|²/len².
  return (8 * magnitude2) / (len * len);
}

/**
 * Level of one tone in dB (RMS, full-scale square = 0 dB, as the package's
 * tone-level.sh reads it) between two wall-clock times. A tone that is there
 * reads about -10 to -16 dB, one that is not below -45 dB.
 *
 * Measured as energy: the mean of Hann-windowed Goertzel blocks of 100 ms
 * (half overlapping), not one coherent Goertzel over the whole window, which
 * would cancel itself on a tone whose phase jumps (a jitter buffer's
 * concealment, a fake microphone's file looping, a new call). A tone present
 * for a fraction f of the window reads 10·log10(f) dB lower, as with sox.
 */
export function toneDb(rec: Recording, hz: number, fromMs: number, toMs: number): number {
  const start = Math.max(0, Math.round(((fromMs - rec.startMs) / 1000) * rec.rate));
  const end = Math.min(rec.samples.length, Math.round(((toMs - rec.startMs) / 1000) * rec.rate));
  if (end - start < rec.rate / 10) {
    throw new Error(`${rec.path}: window ${new Date(fromMs).toISOString()}–${new Date(toMs).toISOString()} is outside the recording (${new Date(rec.startMs).toISOString()}, ${(rec.durationMs / 1000).toFixed(1)} s)`);
  }
  const block = Math.min(end - start, Math.round((rec.rate * BLOCK_MS) / 1000));
  const hop = Math.max(1, Math.floor(block / 2));
  let sum = 0;
  let count = 0;
  for (let at = start; at + block <= end; at += hop) {
    sum += blockPower(rec.samples, hz, rec.rate, at, block);
    count++;
  }
  const meanSquare = count > 0 ? sum / count : 0;
  return meanSquare > 0 ? Math.max(-120, Math.round(10 * Math.log10(meanSquare) * 10) / 10) : -120;
}

/** Present and absent, as the package's README reads its levels. */
export const TONE_PRESENT_DB = -35;
export const TONE_ABSENT_DB = -45;
