/**
 * Segmentation metrics at one operating point of the pooled PR curve, as the NEGEV reference's `MaskEvaluator`
 * reports them beside PxAP (Dice fg/bg, IoU fg/bg, mIoU, confusion rates, all in percent).
 *
 * The best point is argmax over j of mIoU_j = (IoU_fg + IoU_bg) / 2 (numpy argmax: first maximum, and a NaN counts
 * as the maximum). Reference quirk: it labels that point `edges[argmax]`, indexing the *ascending* edge list with an
 * index into the *descending* cumulative arrays, so its reported tau is wrong (e.g. 2.0 reads as 0.0). The metrics at
 * the point are right; we report the correct tau_j and keep the reference's label as `referenceTau`.
 */
import type { PxapCurve } from './pxap.js';

export interface OperatingPoint {
  /** Index j into the curve arrays (0 = threshold 2.0, last = threshold 0.0). */
  index: number;
  /** Correct threshold: a pixel is foreground iff score >= tau. */
  tau: number;
  /** The reference's (mislabelled) `best_tau`: ascending edges[index]. */
  referenceTau: number;
  /** Percent. */
  iouFg: number;
  iouBg: number;
  miou: number;
  diceFg: number;
  diceBg: number;
  /** Percent of foreground pixels (tp, fn) and of background pixels (tn, fp). NaN when the class is absent. */
  tpRate: number;
  fnRate: number;
  tnRate: number;
  fpRate: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** mIoU_j (fraction) for every point of the curve. */
export function miouCurve(c: PxapCurve): Float64Array {
  const out = new Float64Array(c.tp.length);
  for (let j = 0; j < out.length; j++) {
    const tp = c.tp[j]!;
    const fp = c.fp[j]!;
    const fn = c.fn[j]!;
    const tn = c.tn[j]!;
    out[j] = 0.5 * (tp / (tp + fp + fn) + tn / (tn + fp + fn));
  }
  return out;
}

/** numpy `argmax`: index of the first maximum; the first NaN wins if there is one. */
export function npArgmax(a: ArrayLike<number>): number {
  if (a.length === 0) throw new RangeError('argmax of an empty array');
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (Number.isNaN(v)) return i;
    if (v > a[best]!) best = i;
  }
  return best;
}

export function operatingPointAtIndex(c: PxapCurve, index: number): OperatingPoint {
  const nb = c.tp.length;
  if (!Number.isInteger(index) || index < 0 || index >= nb) {
    throw new RangeError(`operating point index ${index} is outside 0..${nb - 1}`);
  }
  const tp = c.tp[index]!;
  const fp = c.fp[index]!;
  const fn = c.fn[index]!;
  const tn = c.tn[index]!;
  const totalFg = tp + fn;
  const totalBg = tn + fp;
  const iouFg = tp / (tp + fp + fn);
  const iouBg = tn / (tn + fp + fn);
  // Ascending edges are the curve thresholds reversed, plus the top edge 3.0 (edges[nb]).
  const referenceTau = c.thresholds[nb - 1 - index]!;
  return {
    index,
    tau: c.thresholds[index]!,
    referenceTau,
    iouFg: 100 * iouFg,
    iouBg: 100 * iouBg,
    miou: 100 * (0.5 * (iouFg + iouBg)),
    diceFg: 100 * ((2 * tp) / (2 * tp + fp + fn)),
    diceBg: 100 * ((2 * tn) / (2 * tn + fp + fn)),
    tpRate: (100 * tp) / totalFg,
    fnRate: (100 * fn) / totalFg,
    tnRate: (100 * tn) / totalBg,
    fpRate: (100 * fp) / totalBg,
    tp,
    fp,
    fn,
    tn,
  };
}

/** The point maximising mIoU on the set itself (the reference re-estimates it on every split, test included). */
export function bestOperatingPoint(c: PxapCurve): OperatingPoint {
  return operatingPointAtIndex(c, npArgmax(miouCurve(c)));
}

/** The point whose threshold tau_j is nearest to `tau` (first on ties), e.g. to apply a validation tau to test. */
export function operatingPointAt(c: PxapCurve, tau: number): OperatingPoint {
  if (!Number.isFinite(tau)) throw new RangeError(`tau must be finite, got ${tau}`);
  let best = 0;
  for (let j = 1; j < c.thresholds.length; j++) {
    if (Math.abs(c.thresholds[j]! - tau) < Math.abs(c.thresholds[best]! - tau)) best = j;
  }
  return operatingPointAtIndex(c, best);
}
