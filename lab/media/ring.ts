/**
 * A fixed-size ring of per-tick values stamped with their tick number.
 *
 * Why stamps rather than zero-filling: a (listener, source) pair only gets a
 * value on ticks where that source was routed to that listener; summing the
 * entries whose stamp falls inside the window gives "0 contribution" for the
 * other ticks for free, without touching every ring on every tick.
 */
export class TickRing {
  private readonly ticks: Float64Array;
  private readonly values: Float64Array;
  private next = 0;

  constructor(readonly capacity: number) {
    this.ticks = new Float64Array(capacity).fill(-Infinity);
    this.values = new Float64Array(capacity);
  }

  push(tick: number, value: number): void {
    this.ticks[this.next] = tick;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Sum and count of the values stamped in (fromTick, toTick]. */
  sumSince(fromTick: number, toTick = Infinity): { sum: number; count: number } {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.capacity; i++) {
      const t = this.ticks[i]!;
      if (t > fromTick && t <= toTick) {
        sum += this.values[i]!;
        count++;
      }
    }
    return { sum, count };
  }
}

/** A ring of the most recent samples (for on-demand spectral analysis). */
export class SampleRing {
  private readonly buf: Float32Array;
  private written = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float32Array(capacity);
  }

  write(samples: Float32Array): void {
    // At most two block copies (wrap-around): this runs for every listener on every tick.
    const src = samples.length > this.capacity ? samples.subarray(samples.length - this.capacity) : samples;
    const at = (this.written + samples.length - src.length) % this.capacity;
    const first = Math.min(src.length, this.capacity - at);
    this.buf.set(src.subarray(0, first), at);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.written += samples.length;
  }

  /** The last n samples in time order (fewer if fewer were written). */
  last(n: number): Float32Array {
    const len = Math.min(n, this.capacity, this.written);
    const out = new Float32Array(len);
    const start = this.written - len;
    for (let i = 0; i < len; i++) out[i] = this.buf[(start + i) % this.capacity]!;
    return out;
  }
}
