import type { Rng } from '@wslbench/core';

/**
 * Pixel sampling of NEGEV (paper §2.2; reference `_ProbaSampler`), as pure functions on typed arrays so that
 * they are tested without tensors. Indices are flat row-major pixel indices of an H x W map.
 */

type Weights = Float32Array | Float64Array | readonly number[];

/** Above this n, or after too many repeats, the exponential-keys method is used instead of cumulative draws. */
const SEQUENTIAL_MAX_N = 64;

/**
 * n distinct indices drawn with probability ∝ weights, without replacement (successive sampling, as
 * torch.multinomial(replacement=False)). Small n: inverse-CDF draws on one cumulative sum, redrawing repeats (a
 * redraw is exactly the renormalisation over the remaining mass). Large n or a few dominant weights:
 * Efraimidis-Spirakis keys u^(1/w), the n largest (the same distribution). Every draw comes from `rng`.
 */
export function sampleWithoutReplacement(
  weights: Weights,
  n: number,
  rng: Rng,
  algorithm: 'auto' | 'sequential' | 'keys' = 'auto',
): Int32Array {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`sampleWithoutReplacement: n must be a non-negative integer, got ${n}`);
  let positive = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w))
      throw new Error(`sampleWithoutReplacement: weight ${i} is ${w} (must be finite and >= 0)`);
    if (w > 0) positive++;
  }
  if (n > positive)
    throw new Error(
      `sampleWithoutReplacement: cannot draw ${n} distinct indices from ${positive} with positive weight`,
    );
  if (n === 0) return new Int32Array(0);
  if (algorithm === 'sequential' || (algorithm === 'auto' && n <= SEQUENTIAL_MAX_N)) {
    const drawn = sequentialDraws(weights, n, rng, algorithm === 'sequential' ? Number.POSITIVE_INFINITY : 50 * n);
    if (drawn) return drawn;
  }
  return exponentialKeys(weights, n, rng);
}

function sequentialDraws(weights: Weights, n: number, rng: Rng, maxRejections: number): Int32Array | undefined {
  const cum = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    cum[i] = total;
  }
  const chosen = new Set<number>();
  const out = new Int32Array(n);
  let rejections = 0;
  while (chosen.size < n) {
    const u = rng() * total;
    // First index with cum > u (skips zero-weight entries, whose cum equals the previous one).
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    if (chosen.has(lo)) {
      if (++rejections > maxRejections) return undefined; // mass concentrated on the chosen ones: switch method
      continue;
    }
    out[chosen.size] = lo;
    chosen.add(lo);
  }
  return out;
}

function exponentialKeys(weights: Weights, n: number, rng: Rng): Int32Array {
  // log-key = log(u) / w; the n largest keys (zero weights get -Infinity and are never chosen while n <= positive).
  const keys = new Float64Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    let u = rng();
    while (u === 0) u = rng();
    keys[i] = w > 0 ? Math.log(u) / w : Number.NEGATIVE_INFINITY;
  }
  return topN(keys, n, 'desc');
}

/**
 * The n indices with the largest ('desc') or smallest ('asc') values, ties to the lowest index: NEGEV's static
 * selection (paper App. C.2: top-n foreground, bottom-n background). Deterministic.
 */
export function topN(values: Weights, n: number, order: 'desc' | 'asc'): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > values.length) throw new Error(`topN: n = ${n} for ${values.length} values`);
  const sign = order === 'desc' ? 1 : -1;
  const better = (a: number, b: number) => {
    const d = sign * (values[a]! - values[b]!);
    return d > 0 || (d === 0 && a < b);
  };
  if (n <= SEQUENTIAL_MAX_N) {
    // Keep a sorted list of the best n (insertion): O(length x n) for the small n of NEGEV.
    const best: number[] = [];
    for (let i = 0; i < values.length; i++) {
      if (best.length === n && !better(i, best[n - 1]!)) continue;
      let j = Math.min(best.length, n - 1);
      if (best.length < n) best.push(i);
      while (j > 0 && better(i, best[j - 1]!)) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = i;
    }
    return Int32Array.from(best);
  }
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  return Int32Array.from(idx.slice(0, n));
}

export interface SeedOptions {
  /** Pixels per region (paper n = 1). Clamped to the number of pixels. */
  n: number;
  /** 'random': fresh multinomial draws; 'static': top-n / bottom-n of C. */
  selection: 'random' | 'static';
  /** Background weights: 'one-minus-cam' = 1 − C (paper Eq. 1); 'reference' = 1 − C/ΣC (the code's quirk). */
  background: 'one-minus-cam' | 'reference';
  /** Which regions to sample. */
  evidence: 'both' | 'positive' | 'negative';
  /** Added to every weight so that a flat CAM can still be sampled (reference: 1e-6). */
  eps?: number;
}

/** Foreground (C⁺) and background (C⁻) seed pixels of one CAM C (values in [0, 1], length h x w). */
export function sampleSeeds(cam: Float32Array, opts: SeedOptions, rng: Rng): { fg: Int32Array; bg: Int32Array } {
  const eps = opts.eps ?? 1e-6;
  const n = Math.min(opts.n, cam.length);
  const wantFg = opts.evidence !== 'negative';
  const wantBg = opts.evidence !== 'positive';
  if (opts.selection === 'static') {
    return {
      fg: wantFg ? topN(cam, n, 'desc') : new Int32Array(0),
      bg: wantBg ? topN(cam, n, 'asc') : new Int32Array(0),
    };
  }
  const fgW = new Float64Array(cam.length);
  let sum = 0;
  for (let i = 0; i < cam.length; i++) {
    const c = Math.min(1, Math.max(0, Number.isFinite(cam[i]!) ? cam[i]! : 0));
    fgW[i] = c + eps;
    sum += fgW[i]!;
  }
  const bgW = new Float64Array(cam.length);
  for (let i = 0; i < cam.length; i++) {
    bgW[i] = opts.background === 'reference' ? 1 - fgW[i]! / sum : 1 - (fgW[i]! - eps) + eps;
  }
  const fg = wantFg ? sampleWithoutReplacement(fgW, n, rng) : new Int32Array(0);
  const bg = wantBg ? sampleWithoutReplacement(bgW, n, rng) : new Int32Array(0);
  return { fg, bg };
}

export const IGNORE = -1;

/**
 * Partial pseudo-label map Y of an h x w image: 1 at foreground seeds, 0 at background seeds, IGNORE elsewhere.
 * Each seed is dilated by a ksz x ksz square (clipped at the borders; reference kornia dilation); a pixel that is both
 * foreground and background becomes IGNORE, as in the reference.
 */
export function seedLabelMap(fg: Int32Array, bg: Int32Array, h: number, w: number, ksz = 1): Int8Array {
  if (!Number.isInteger(ksz) || ksz < 1 || ksz % 2 === 0)
    throw new Error(`seedLabelMap: dilation size must be a positive odd integer, got ${ksz}`);
  const isFg = new Uint8Array(h * w);
  const isBg = new Uint8Array(h * w);
  const r = (ksz - 1) / 2;
  const mark = (seeds: Int32Array, into: Uint8Array) => {
    for (const s of seeds) {
      if (s < 0 || s >= h * w) throw new Error(`seedLabelMap: seed index ${s} outside a ${h}x${w} map`);
      const y0 = Math.floor(s / w);
      const x0 = s % w;
      for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y0 + r); y++)
        for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x0 + r); x++) into[y * w + x] = 1;
    }
  };
  mark(fg, isFg);
  mark(bg, isBg);
  const out = new Int8Array(h * w).fill(IGNORE);
  for (let i = 0; i < h * w; i++) {
    if (isFg[i] && !isBg[i]) out[i] = 1;
    else if (isBg[i] && !isFg[i]) out[i] = 0;
  }
  return out;
}
