import { readFileSync } from 'node:fs';
import { FRAME_SAMPLES, SAMPLE_RATE } from './audio';

export type PartySource =
  | { kind: 'tone'; hz: number; amplitude?: number }
  | { kind: 'silence' }
  /** 48 kHz mono s16le raw, looped. */
  | { kind: 'pcm-file'; path: string };

/** Default tone amplitude: -12 dBFS peak, so a mix of four parties does not clip. */
export const DEFAULT_AMPLITUDE = 0.25;

/** Produces one 10 ms float frame per call. Stateful (phase, file position). */
export interface FrameGenerator {
  next(out: Float32Array): void;
}

export function createGenerator(source: PartySource): FrameGenerator {
  switch (source.kind) {
    case 'silence':
      return { next: (out) => out.fill(0) };
    case 'tone':
      return new ToneGenerator(source.hz, source.amplitude ?? DEFAULT_AMPLITUDE);
    case 'pcm-file':
      return new PcmLoop(readFileSync(source.path));
  }
}

/**
 * Phase-continuous sine (the phase survives frame boundaries: no clicks, clean
 * Goertzel). A rotating phasor instead of Math.sin per sample: it is the
 * bridge's main per-party cost; re-normalised every frame so it cannot drift.
 */
export class ToneGenerator implements FrameGenerator {
  private re = 1;
  private im = 0;
  private readonly c: number;
  private readonly s: number;
  constructor(
    hz: number,
    private readonly amplitude: number,
    sampleRate = SAMPLE_RATE,
  ) {
    const step = (2 * Math.PI * hz) / sampleRate;
    this.c = Math.cos(step);
    this.s = Math.sin(step);
  }
  next(out: Float32Array): void {
    let re = this.re;
    let im = this.im;
    const { c, s, amplitude } = this;
    for (let i = 0; i < out.length; i++) {
      out[i] = amplitude * im;
      const r = re * c - im * s;
      im = re * s + im * c;
      re = r;
    }
    const norm = Math.hypot(re, im);
    this.re = re / norm;
    this.im = im / norm;
  }
}

/** Two summed tones (DTMF); used by tests and the demo to play in-band DTMF. */
export class DualToneGenerator implements FrameGenerator {
  private readonly a: ToneGenerator;
  private readonly b: ToneGenerator;
  private readonly tmp = new Float32Array(FRAME_SAMPLES);
  constructor(hz1: number, hz2: number, amplitude = DEFAULT_AMPLITUDE / 2) {
    this.a = new ToneGenerator(hz1, amplitude);
    this.b = new ToneGenerator(hz2, amplitude);
  }
  next(out: Float32Array): void {
    this.a.next(out);
    const tmp = out.length === this.tmp.length ? this.tmp : new Float32Array(out.length);
    this.b.next(tmp);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + tmp[i]!;
  }
}

class PcmLoop implements FrameGenerator {
  private readonly pcm: Int16Array;
  private pos = 0;
  constructor(buf: Buffer) {
    // Copy into an aligned Int16Array (a Buffer slice may have an odd byteOffset). s16le = host order on x64/arm64.
    const n = Math.floor(buf.length / 2);
    this.pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) this.pcm[i] = buf.readInt16LE(i * 2);
  }
  next(out: Float32Array): void {
    if (this.pcm.length === 0) {
      out.fill(0);
      return;
    }
    for (let i = 0; i < out.length; i++) {
      out[i] = this.pcm[this.pos]! / 32768;
      this.pos = (this.pos + 1) % this.pcm.length;
    }
  }
}
