import type { Rng } from '@wslbench/core';

/** torchvision ColorJitter(brightness, contrast, saturation, hue) parameters for one image. */
export interface JitterParams {
  /** Order of the four ops (0 brightness, 1 contrast, 2 saturation, 3 hue), like torchvision's randperm(4). */
  order: number[];
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

export interface JitterStrength {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

/** The protocol's ColorJitter(0.5, 0.5, 0.5, 0.05). */
export const PROTOCOL_JITTER: JitterStrength = { brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.05 };

/** Draw parameters as torchvision does: a random op order, factors in [1-s, 1+s], hue shift in [-h, h]. */
export function drawJitter(rng: Rng, s: JitterStrength = PROTOCOL_JITTER): JitterParams {
  const order = [0, 1, 2, 3];
  for (let i = 3; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng();
  return {
    order,
    brightness: u(Math.max(0, 1 - s.brightness), 1 + s.brightness),
    contrast: u(Math.max(0, 1 - s.contrast), 1 + s.contrast),
    saturation: u(Math.max(0, 1 - s.saturation), 1 + s.saturation),
    hue: u(-s.hue, s.hue),
  };
}

const clamp01 = (v: number) => (v < 0 ? 0 : Math.min(v, 1));
const grey = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * Apply jitter in place to interleaved RGB floats in [0, 1] (torchvision tensor semantics: each op clamps to [0, 1];
 * contrast blends with the mean grey level of the image, saturation with each pixel's grey level, hue rotates H in HSV).
 */
export function applyJitter(px: Float32Array, p: JitterParams): void {
  const n = px.length / 3;
  for (const op of p.order) {
    if (op === 0) {
      const f = p.brightness;
      for (let i = 0; i < px.length; i++) px[i] = clamp01(px[i]! * f);
    } else if (op === 1) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += grey(px[i * 3]!, px[i * 3 + 1]!, px[i * 3 + 2]!);
      mean /= n;
      const f = p.contrast;
      for (let i = 0; i < px.length; i++) px[i] = clamp01(f * px[i]! + (1 - f) * mean);
    } else if (op === 2) {
      const f = p.saturation;
      for (let i = 0; i < n; i++) {
        const g = grey(px[i * 3]!, px[i * 3 + 1]!, px[i * 3 + 2]!);
        for (let k = 0; k < 3; k++) px[i * 3 + k] = clamp01(f * px[i * 3 + k]! + (1 - f) * g);
      }
    } else if (p.hue !== 0) {
      for (let i = 0; i < n; i++) hueShift(px, i * 3, p.hue);
    }
  }
}

/** Rotate the hue of one pixel by `shift` turns (RGB -> HSV -> RGB). */
export function hueShift(px: Float32Array, o: number, shift: number): void {
  const r = px[o]!;
  const g = px[o + 1]!;
  const b = px[o + 2]!;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (d === 0) return; // grey: hue undefined, unchanged
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  h = h / 6 + shift;
  h -= Math.floor(h);
  const s = d / max;
  const v = max;
  const h6 = h * 6;
  const i = Math.floor(h6) % 6;
  const f = h6 - Math.floor(h6);
  const pp = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const rgb =
    i === 0
      ? [v, t, pp]
      : i === 1
        ? [q, v, pp]
        : i === 2
          ? [pp, v, t]
          : i === 3
            ? [pp, q, v]
            : i === 4
              ? [t, pp, v]
              : [v, pp, q];
  px[o] = rgb[0]!;
  px[o + 1] = rgb[1]!;
  px[o + 2] = rgb[2]!;
}
