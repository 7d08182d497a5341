import type { Rng } from '@wslbench/core';
import { type SeedOptions, sampleSeeds, seedLabelMap } from './sampler.js';

export interface NegevTermOptions extends SeedOptions {
  /** λ of the evidence term (paper Eq. 4). */
  lambda: number;
  /** Use the fully negative term (D⁻, Eq. 3) on images flagged fully negative. */
  fullyNegative: boolean;
  /** Seed dilation size (reference `sl_ksz`; 1 = none). */
  dilation: number;
  /**
   * 'mean' (reference code): λ x mean CE over every seed pixel of the batch + mean CE over every pixel of the fully
   * negative images. 'sum' (paper Eq. 4 as written): per image Σ over its seeds x λ or Σ over all its pixels,
   * averaged over the batch.
   */
  reduction: 'mean' | 'sum';
}

/** Per-pixel target weights of the NEGEV loss for one batch: loss = −Σ_p (bg_p log S⁰_p + fg_p log S¹_p). */
export interface NegevPixelWeights {
  bg: Float32Array;
  fg: Float32Array;
  /** Labelled seed pixels (after dilation and conflicts) over the batch. */
  seedPixels: number;
  /** Images that got the fully negative term. */
  negativeImages: number;
}

/**
 * Builds the pseudo-labels of a batch and folds λ and the reduction into per-pixel weights (paper Eq. 4):
 * images not in D⁻ get sampled seeds (C⁺ -> fg, C⁻ -> bg); images in D⁻ get "every pixel background" when the D⁻
 * term is on and nothing otherwise (the reference never samples seeds on normal CAMELYON images).
 * `cams` [N, h, w] flat, values in [0, 1]: the frozen classifier's CAM for the ground-truth class.
 */
export function negevPixelWeights(
  cams: Float32Array,
  fullyNegative: readonly boolean[],
  h: number,
  w: number,
  opts: NegevTermOptions,
  rng: Rng,
): NegevPixelWeights {
  const n = fullyNegative.length;
  const hw = h * w;
  if (cams.length !== n * hw)
    throw new Error(`negevPixelWeights: ${cams.length} CAM values for ${n} images of ${h}x${w}`);
  const bg = new Float32Array(n * hw);
  const fg = new Float32Array(n * hw);
  const labelMaps: (Int8Array | undefined)[] = [];
  let seedPixels = 0;
  let negativeImages = 0;
  for (let i = 0; i < n; i++) {
    if (fullyNegative[i]) {
      labelMaps.push(undefined);
      if (opts.fullyNegative) negativeImages++;
      continue;
    }
    const { fg: f, bg: b } = sampleSeeds(cams.subarray(i * hw, (i + 1) * hw), opts, rng);
    const y = seedLabelMap(f, b, h, w, opts.dilation);
    for (let p = 0; p < hw; p++) if (y[p] !== -1) seedPixels++;
    labelMaps.push(y);
  }
  // Normalisers of each term (see `reduction`).
  const seedWeight = opts.reduction === 'mean' ? (seedPixels > 0 ? opts.lambda / seedPixels : 0) : opts.lambda / n;
  const negWeight = opts.reduction === 'mean' ? (negativeImages > 0 ? 1 / (negativeImages * hw) : 0) : 1 / n;
  for (let i = 0; i < n; i++) {
    const o = i * hw;
    const y = labelMaps[i];
    if (y) {
      for (let p = 0; p < hw; p++) {
        if (y[p] === 1) fg[o + p] = seedWeight;
        else if (y[p] === 0) bg[o + p] = seedWeight;
      }
    } else if (opts.fullyNegative) bg.fill(negWeight, o, o + hw);
  }
  return { bg, fg, seedPixels, negativeImages };
}
