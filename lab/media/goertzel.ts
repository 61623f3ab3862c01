/**
 * Goertzel single-bin DFT. Used for DTMF detection and for naming the
 * strongest tone in what a leg sent (tests assert "the lab got 700 Hz").
 */

/** RMS (full scale = 1) of the component at `hz` in samples[start, start+len). */
export function toneRms(samples: Float32Array, hz: number, sampleRate: number, start = 0, len = samples.length - start): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + len; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(k)|^2
  // A sine of amplitude A gives |X| = A·N/2, and its RMS is A/√2 = √2·|X|/N.
  return Math.sqrt(Math.max(0, 2 * power)) / len;
}

/** Overall RMS of samples[start, start+len). */
export function rms(samples: Float32Array, start = 0, len = samples.length - start): number {
  if (len <= 0) return 0;
  let s = 0;
  for (let i = start; i < start + len; i++) s += samples[i]! * samples[i]!;
  return Math.sqrt(s / len);
}

/** Average-and-decimate (boxcar low-pass). Good enough below ~2 kHz at 48k→8k. */
export function decimate(samples: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(Math.floor(samples.length / factor));
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let k = 0; k < factor; k++) s += samples[o * factor + k]!;
    out[o] = s / factor;
  }
  return out;
}

/**
 * The strongest tone between minHz and maxHz, to 1 Hz, or undefined when the
 * signal is too quiet or no single tone carries a fair share of the energy.
 * Coarse 10 Hz scan at 8 kHz, then a 1 Hz refinement around the peak.
 * Analyses at most the last 500 ms (cost stays bounded; tones are steady).
 */
export function dominantTone(samples48k: Float32Array, opts: { minHz?: number; maxHz?: number; minRms?: number } = {}): number | undefined {
  const minHz = opts.minHz ?? 100;
  const maxHz = opts.maxHz ?? 3500;
  const tail = samples48k.length > 24_000 ? samples48k.subarray(samples48k.length - 24_000) : samples48k;
  const x = decimate(tail, 6);
  const sr = 8000;
  if (x.length < 160) return undefined;
  const total = rms(x);
  if (total < (opts.minRms ?? 0.001)) return undefined;
  let best = 0;
  let bestHz = 0;
  for (let hz = minHz; hz <= maxHz; hz += 10) {
    const r = toneRms(x, hz, sr);
    if (r > best) {
      best = r;
      bestHz = hz;
    }
  }
  for (let hz = bestHz - 10; hz <= bestHz + 10; hz += 1) {
    const r = toneRms(x, hz, sr);
    if (r > best) {
      best = r;
      bestHz = hz;
    }
  }
  // A noise-like signal spreads its energy; require the peak to be a real tone.
  return best >= 0.3 * total ? bestHz : undefined;
}
