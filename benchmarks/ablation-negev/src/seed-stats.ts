/**
 * How good NEGEV's pseudo-labels are against the true masks: the precision of its sampled foreground (C⁺) and
 * background (C⁻) pixels, how much of the true foreground / background they cover over the epochs, and the
 * precision expected in closed form from the CAM for a sampler drawing ∝ C^γ (γ = 1: NEGEV's random selection).
 */

export interface SeedCounts {
  /** Sampled foreground seeds, and those on a true foreground pixel. */
  fg: number;
  fgTrue: number;
  /** Sampled background seeds, and those on a true background pixel. */
  bg: number;
  bgTrue: number;
}

/**
 * Counts one image's seeds (pixels with a positive fg / bg weight, e.g. NEGEV's negevPixelWeights) against its mask
 * (1 fg, 0 bg, 255 ignored: not counted), and adds the true-fg / true-bg seed pixels to `coveredFg` / `coveredBg`.
 */
export function countSeeds(
  fgWeight: ArrayLike<number>,
  bgWeight: ArrayLike<number>,
  mask: ArrayLike<number>,
  into: SeedCounts,
  coveredFg?: Set<number>,
  coveredBg?: Set<number>,
): SeedCounts {
  if (fgWeight.length !== mask.length || bgWeight.length !== mask.length)
    throw new Error(`countSeeds: ${fgWeight.length} / ${bgWeight.length} weights for a mask of ${mask.length} pixels`);
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p]!;
    if (m === 255) continue;
    if (fgWeight[p]! > 0) {
      into.fg++;
      if (m === 1) {
        into.fgTrue++;
        coveredFg?.add(p);
      }
    }
    if (bgWeight[p]! > 0) {
      into.bg++;
      if (m === 0) {
        into.bgTrue++;
        coveredBg?.add(p);
      }
    }
  }
  return into;
}

/**
 * Expected precision of one draw on one image when fg is drawn ∝ (C + 1e-6)^γ and bg ∝ (1 - C + 1e-6)^γ (NEGEV's
 * sampler with its background option 'one-minus-cam' at γ = 1): the probability mass on true fg / bg pixels.
 */
export function expectedSeedPrecision(
  cam: ArrayLike<number>,
  mask: ArrayLike<number>,
  gamma = 1,
): { fg: number; bg: number } {
  if (cam.length !== mask.length)
    throw new Error(`expectedSeedPrecision: ${cam.length} CAM values, ${mask.length} mask`);
  let sf = 0;
  let sfTrue = 0;
  let sb = 0;
  let sbTrue = 0;
  for (let p = 0; p < cam.length; p++) {
    const c = cam[p]!;
    const pf = (c + 1e-6) ** gamma;
    const pb = (1 - c + 1e-6) ** gamma;
    sf += pf;
    sb += pb;
    if (mask[p] === 1) sfTrue += pf;
    else if (mask[p] === 0) sbTrue += pb;
  }
  return { fg: sfTrue / sf, bg: sbTrue / sb };
}
