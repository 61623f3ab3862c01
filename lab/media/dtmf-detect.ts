import { toneRms } from './goertzel';

/** DTMF frequency grid (ITU-T Q.23): rows × columns. */
export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
export const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'] as const;

export function dtmfFrequencies(digit: string): [number, number] {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYS[r]!.indexOf(digit.toUpperCase());
    if (c >= 0) return [DTMF_ROWS[r]!, DTMF_COLS[c]!];
  }
  throw new Error(`not a DTMF digit: ${digit}`);
}

export interface DtmfDetectorOptions {
  /** Input sample rate (the hub feeds 48 kHz). Must be a multiple of 8000. */
  sampleRate?: number;
  /** Minimum RMS of each of the two tones (full scale 1). Default 0.003 (about -50 dBFS). */
  minToneRms?: number;
  /** Consecutive 5 ms evaluations with the same digit before it is reported. Default 2. */
  onCount?: number;
  /** Consecutive 5 ms evaluations without it before the same digit can be reported again. Default 8 (40 ms). */
  offCount?: number;
}

/** Evaluation step: 40 samples at 8 kHz (5 ms). */
const STEP = 40;

/**
 * Streaming DTMF detector.
 *
 * Why these numbers: work at 8 kHz (decimated) with a 25 ms sliding window
 * (200 samples) evaluated every 5 ms. 25 ms puts adjacent row tones (697 vs
 * 770 Hz, 73 Hz apart) ~23 dB apart in Goertzel leakage, where a 10 ms block at
 * 48 kHz would barely separate them.
 *
 * What it must hear: RFC 4733 events as libwebrtc's NetEq renders them (the
 * lab's legs). With telephone-event/8000 over Opus, Chrome and Firefox send a
 * digit as one 20 ms event (3 end packets at once), which NetEq plays as
 * 10–60 ms of tone, often with a 5–15 ms dip or a phase jump a few ms in (the
 * lab now negotiates digits that last their 100 ms, see sdp.ts; this remains
 * the case for offers it cannot adjust). Evaluated every 10 ms with "on" after
 * 2 windows and "off" after 2 misses, such a tone gave exactly two passing
 * windows (lost when one was spoiled, depending on the phase) and a dip
 * released and re-reported the key. So: "on" needs the digit in 2 consecutive
 * evaluations 5 ms apart (≥ 30 ms of tone always, 25 ms at some phases; 20 ms
 * blips never, thanks to the 2 dB steadiness below); "off" needs 40 ms without
 * it (a dip stays inside one key, a 70 ms inter-digit gap still separates
 * repeats); a different digit takes over at once. Checks per window: both tones above a floor, each the clear
 * winner of its group (6 dB), twist within 8 dB, the signal steady across the
 * window (halves within 2 dB: rejects blips and onsets) and the pair carrying
 * most of the window's energy (rejects speech and music).
 */
export class DtmfDetector {
  private readonly factor: number;
  private readonly minToneRms: number;
  private readonly onCount: number;
  private readonly offCount: number;
  /** Circular 25 ms history at 8 kHz, unrolled into `win` at each evaluation. */
  private readonly hist = new Float32Array(200);
  private readonly win = new Float32Array(200);
  private written = 0;
  private sinceEval = 0;
  private acc = 0;
  private accN = 0;
  private candidate: string | null = null;
  private candidateRun = 0;
  private active: string | null = null;
  private missRun = 0;

  constructor(opts: DtmfDetectorOptions = {}) {
    const sr = opts.sampleRate ?? 48_000;
    if (sr % 8000 !== 0) throw new Error('DtmfDetector: sampleRate must be a multiple of 8000');
    this.factor = sr / 8000;
    this.minToneRms = opts.minToneRms ?? 0.003;
    this.onCount = opts.onCount ?? 2;
    this.offCount = opts.offCount ?? 8;
  }

  /** Feed samples (float, full scale 1); returns the digits that started in them. */
  push(samples: Float32Array): string[] {
    const out: string[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.acc += samples[i]!;
      if (++this.accN < this.factor) continue;
      const v = this.acc / this.factor;
      this.acc = 0;
      this.accN = 0;
      const n = this.hist.length;
      this.hist[this.written % n] = v;
      this.written++;
      if (++this.sinceEval >= STEP && this.written >= n) {
        this.sinceEval = 0;
        const start = this.written % n;
        this.win.set(this.hist.subarray(start), 0);
        this.win.set(this.hist.subarray(0, start), n - start);
        const d = this.step(classify(this.win, this.minToneRms));
        if (d) out.push(d);
      }
    }
    return out;
  }

  private step(digit: string | null): string | null {
    if (digit !== null && digit === this.candidate) this.candidateRun++;
    else {
      this.candidate = digit;
      this.candidateRun = digit === null ? 0 : 1;
    }
    if (digit !== null && digit === this.active) {
      this.missRun = 0;
      return null;
    }
    if (this.active !== null && ++this.missRun >= this.offCount) {
      this.active = null;
      this.missRun = 0;
    }
    // A new key, or another key than the one still held (a fast different digit): reported once it is steady.
    if (digit !== null && digit !== this.active && this.candidateRun >= this.onCount) {
      this.active = digit;
      this.missRun = 0;
      return digit;
    }
    return null;
  }
}

/** The digit present in an 8 kHz window, or null. Exported for tests. */
export function classify(win: Float32Array, minToneRms = 0.003): string | null {
  const sr = 8000;
  const rows = DTMF_ROWS.map((f) => toneRms(win, f, sr));
  const cols = DTMF_COLS.map((f) => toneRms(win, f, sr));
  const [r, r2] = top2(rows);
  const [c, c2] = top2(cols);
  const rowRms = rows[r]!;
  const colRms = cols[c]!;
  if (rowRms < minToneRms || colRms < minToneRms) return null;
  // Each tone must beat the runner-up of its group by 6 dB (amplitude ×2).
  if (rowRms < 2 * rows[r2]! || colRms < 2 * cols[c2]!) return null;
  // Twist: the two tones within 8 dB of each other (amplitude ×2.5).
  if (rowRms > 2.5 * colRms || colRms > 2.5 * rowRms) return null;
  // Steadiness: both halves of the window carry comparable energy (within
  // 2 dB). Without it a 20 ms blip inside silence passes two windows 5 ms apart.
  const half = win.length >> 1;
  let e1 = 0;
  let e2 = 0;
  for (let i = 0; i < half; i++) e1 += win[i]! * win[i]!;
  for (let i = half; i < win.length; i++) e2 += win[i]! * win[i]!;
  if (Math.min(e1, e2) < 0.63 * Math.max(e1, e2)) return null;
  const total = (e1 + e2) / win.length;
  if (rowRms * rowRms + colRms * colRms < 0.6 * total) return null;
  return DTMF_KEYS[r]![c]!;
}

function top2(v: number[]): [number, number] {
  let a = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[a]!) a = i;
  let b = a === 0 ? 1 : 0;
  for (let i = 0; i < v.length; i++) if (i !== a && v[i]! > v[b]!) b = i;
  return [a, b];
}
