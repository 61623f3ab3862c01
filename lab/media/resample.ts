import { SAMPLE_RATE } from './audio';

/**
 * Streaming conversion of whatever RTCAudioSink delivers (measured: 16 kHz
 * mono 160-sample frames before the first packet is decoded, then the decoder
 * rate, possibly stereo) to 48 kHz mono float.
 *
 * Linear interpolation with the fractional read position carried across
 * frames: cheap and click-free; the lab's signals (tones, DTMF, speech for
 * the demo) are far below the rates involved, so the imaging is harmless.
 */
export class ToMono48k {
  private rate = 0;
  private last = 0;
  private pos = 0; // fractional read position relative to the current frame start (may be -1..0: previous sample)

  convert(samples: Int16Array, sampleRate: number, channelCount: number): Float32Array {
    const frames = Math.floor(samples.length / channelCount);
    const mono = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channelCount; c++) s += samples[i * channelCount + c]!;
      mono[i] = s / channelCount / 32768;
    }
    if (sampleRate === SAMPLE_RATE) {
      this.rate = sampleRate;
      this.last = mono[frames - 1] ?? 0;
      this.pos = 0;
      return mono;
    }
    if (sampleRate !== this.rate) {
      this.rate = sampleRate;
      this.pos = 0;
    }
    const step = sampleRate / SAMPLE_RATE;
    const out: number[] = [];
    // Interpolate between mono[k] and mono[k+1], where mono[-1] = last sample of the previous frame.
    let p = this.pos;
    while (p < frames - 1) {
      const k = Math.floor(p);
      const f = p - k;
      const a = k < 0 ? this.last : mono[k]!;
      const b = mono[k + 1]!;
      out.push(a + (b - a) * f);
      p += step;
    }
    this.pos = p - frames; // carry: now relative to the next frame (in [-1, 0))
    this.last = mono[frames - 1] ?? 0;
    return Float32Array.from(out);
  }
}
