/** Audio format constants shared by the media plane: 48 kHz mono, 10 ms frames. */
export const SAMPLE_RATE = 48_000;
export const FRAME_MS = 10;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 480

/** Mean square of a float frame (full scale = 1). */
export function sumSquares(frame: Float32Array): number {
  let s = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i]!;
    s += v * v;
  }
  return s;
}

/** Float [-1, 1] → s16 with clipping (the mixer's sum may exceed full scale). */
export function floatToInt16(src: Float32Array, dst: Int16Array): Int16Array {
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    dst[i] = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767);
  }
  return dst;
}

export function int16ToFloat(src: Int16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! / 32768;
  return dst;
}
