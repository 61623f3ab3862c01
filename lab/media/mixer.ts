/**
 * Sum of frames into `out`, clipped to full scale (what a PBX bridge does:
 * it adds linear PCM and saturates; no normalisation, so a party's level
 * does not depend on how many others talk).
 */
export function mixInto(out: Float32Array, parts: readonly Float32Array[]): void {
  out.fill(0);
  for (const p of parts) {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + p[i]!;
  }
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v > 1) out[i] = 1;
    else if (v < -1) out[i] = -1;
  }
}
