/**
 * Resizes on interleaved uint8 pixels, matching TF.js/torch/cv2 conventions rather than PIL's:
 * - bilinear: half-pixel centres (src = (dst + 0.5) * in/out - 0.5, clamped at 0), the same as
 *   `tf.image.resizeBilinear(x, size, false, true)`, torch `interpolate(bilinear, align_corners=False, antialias=False)`
 *   and cv2 INTER_LINEAR. PIL's bilinear widens its kernel when downsizing (antialiasing); we do not.
 * - nearest (masks): src = min(floor(dst * in/out), in - 1), the same as cv2 INTER_NEAREST (the reference evaluator)
 *   and `tf.image.resizeNearestNeighbor(x, size, false, false)`.
 */

export function resizeBilinear(
  src: Uint8Array,
  w: number,
  h: number,
  c: number,
  outW: number,
  outH: number,
): Uint8Array {
  const out = new Uint8Array(outW * outH * c);
  if (w === outW && h === outH) {
    out.set(src);
    return out;
  }
  const sy = h / outH;
  const sx = w / outW;
  const x0 = new Int32Array(outW);
  const x1 = new Int32Array(outW);
  const fx = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const f = Math.max(0, (x + 0.5) * sx - 0.5);
    x0[x] = Math.floor(f);
    x1[x] = Math.min(w - 1, Math.ceil(f));
    fx[x] = f - x0[x]!;
  }
  for (let y = 0; y < outH; y++) {
    const f = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.floor(f);
    const y1 = Math.min(h - 1, Math.ceil(f));
    const wy = f - y0;
    const r0 = y0 * w;
    const r1 = y1 * w;
    for (let x = 0; x < outW; x++) {
      const a = x0[x]!;
      const b = x1[x]!;
      const wx = fx[x]!;
      const o = (y * outW + x) * c;
      for (let k = 0; k < c; k++) {
        const tl = src[(r0 + a) * c + k]!;
        const tr = src[(r0 + b) * c + k]!;
        const bl = src[(r1 + a) * c + k]!;
        const br = src[(r1 + b) * c + k]!;
        const top = tl + (tr - tl) * wx;
        const bot = bl + (br - bl) * wx;
        out[o + k] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return out;
}

export function resizeNearest(
  src: Uint8Array,
  w: number,
  h: number,
  c: number,
  outW: number,
  outH: number,
): Uint8Array {
  const out = new Uint8Array(outW * outH * c);
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const yy = Math.min(h - 1, Math.floor(y * sy));
    for (let x = 0; x < outW; x++) {
      const xx = Math.min(w - 1, Math.floor(x * sx));
      const s = (yy * w + xx) * c;
      const o = (y * outW + x) * c;
      for (let k = 0; k < c; k++) out[o + k] = src[s + k]!;
    }
  }
  return out;
}
