/**
 * PxAP (pixel-wise average precision, Choe et al. 2020) exactly as wsolevaluation's `MaskEvaluator` computes it.
 *
 * Scores of foreground (mask 1) and background (mask 0) pixels are binned into two histograms pooled over the whole
 * set (ignore = 255 is in neither); compute() turns them into one dataset-level PR curve over descending thresholds
 * and sums PxAP = 100 * sum_{j>=1, tp_j+fp_j>0} P_j * (R_j - R_{j-1}).
 */
import { BinIndexer } from './histogram.js';
import { bestOperatingPoint, type OperatingPoint, operatingPointAt } from './operating-point.js';
import { pairwiseSum } from './pairwise-sum.js';
import { binEdges, camThresholds, checkStep, DEFAULT_STEP } from './thresholds.js';

export { MASK_BACKGROUND, MASK_FOREGROUND, MASK_IGNORE } from './histogram.js';

export interface PxapOptions {
  /** Threshold spacing (the reference's `cam_curve_interval`); 0.001 as in the reference train+eval path. */
  step?: number;
}

/** Counts at every operating point j (index 0 = threshold 2.0, 1 = 1.0, ..., last = 0.0). */
export interface PxapCurve {
  /** tau_j: pixel predicted positive at point j iff score >= tau_j. Descending: 2.0, 1.0, 1 - step, ..., 0. */
  thresholds: Float64Array;
  /** tp_j / (tp_j + fp_j); NaN where tp_j + fp_j = 0 (as the reference, those points are skipped in the sum). */
  precision: Float64Array;
  /** tp_j / N+. */
  recall: Float64Array;
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  tn: Float64Array;
}

export interface PxapResult extends PxapCurve {
  /** Percent (0-100). */
  pxap: number;
  numPositive: number;
  numNegative: number;
  /** Threshold spacing used. */
  step: number;
  /** IoU/Dice/confusion rates at the threshold that maximises mIoU on this set (reference `perf_gist`). */
  best: OperatingPoint;
}

export class PxapAccumulator {
  readonly step: number;
  /** Ascending histogram edges: k*step (k < ceil(1/step)), 1.0, 2.0, 3.0. */
  readonly edges: Float64Array;
  /** Foreground / background score histograms, ascending bins [e_i, e_{i+1}). */
  readonly fgHist: Float64Array;
  readonly bgHist: Float64Array;
  private readonly binner: BinIndexer;
  private readonly scratch: Uint32Array;
  private images = 0;

  constructor(options: PxapOptions = {}) {
    this.step = checkStep(options.step ?? DEFAULT_STEP);
    this.edges = binEdges(this.step);
    this.binner = new BinIndexer(this.edges, this.step);
    const numBins = this.binner.numBins;
    this.fgHist = new Float64Array(numBins);
    this.bgHist = new Float64Array(numBins);
    this.scratch = new Uint32Array(2 * numBins);
  }

  /** Number of accumulated maps. */
  get numImages(): number {
    return this.images;
  }

  /**
   * Adds one score map and its mask (same length, same pixel order). Scores must lie in [0, 1] (NaN is an error,
   * checked on every pixel, ignored ones included, as the reference's `check_scoremap_validity`); mask values
   * must be 0, 1 or 255. Nothing is added when any value is invalid.
   */
  accumulate(map: ArrayLike<number>, mask: ArrayLike<number>, label = 'map'): this {
    const n = map.length;
    if (mask.length !== n) {
      throw new RangeError(`${label}: score map has ${n} values but its mask has ${mask.length}`);
    }
    // One pass into a per-call histogram pair (bg bins, then fg bins), added only once the whole map is valid.
    const scratch = this.scratch.fill(0);
    this.binner.countMap(map, mask, scratch, label);
    const numBins = this.fgHist.length;
    for (let b = 0; b < numBins; b++) {
      this.bgHist[b]! += scratch[b]!;
      this.fgHist[b]! += scratch[b + numBins]!;
    }
    this.images++;
    return this;
  }

  /** Adds another accumulator's histograms (e.g. from another worker); same step required. */
  merge(other: PxapAccumulator): this {
    if (other.step !== this.step) {
      throw new RangeError(`cannot merge PxAP accumulators with steps ${this.step} and ${other.step}`);
    }
    for (let i = 0; i < this.fgHist.length; i++) {
      this.fgHist[i]! += other.fgHist[i]!;
      this.bgHist[i]! += other.bgHist[i]!;
    }
    this.images += other.images;
    return this;
  }

  /** Operating-point thresholds tau_j aligned with the curve arrays (descending). */
  curveThresholds(): Float64Array {
    // tp_j counts bins numBins-1 down to numBins-1-j, i.e. scores >= edges[numBins - 1 - j].
    const nb = this.fgHist.length;
    const out = new Float64Array(nb);
    for (let j = 0; j < nb; j++) out[j] = this.edges[nb - 1 - j]!;
    return out;
  }

  /** The confusion counts and PR curve (no PxAP sum); throws when the set has no foreground pixel. */
  curve(): PxapCurve {
    const nb = this.fgHist.length;
    const tp = new Float64Array(nb);
    const fp = new Float64Array(nb);
    let accTp = 0;
    let accFp = 0;
    for (let j = 0; j < nb; j++) {
      accTp += this.fgHist[nb - 1 - j]!;
      accFp += this.bgHist[nb - 1 - j]!;
      tp[j] = accTp;
      fp[j] = accFp;
    }
    const numPos = accTp;
    const numNeg = accFp;
    // The reference's second check ("No positive prediction") cannot fire once N+ > 0: the last point counts all.
    if (numPos <= 0) throw new Error('No positive ground truth in the eval set.');
    const fn = new Float64Array(nb);
    const tn = new Float64Array(nb);
    const precision = new Float64Array(nb);
    const recall = new Float64Array(nb);
    for (let j = 0; j < nb; j++) {
      fn[j] = numPos - tp[j]!;
      tn[j] = numNeg - fp[j]!;
      precision[j] = tp[j]! / (tp[j]! + fp[j]!);
      recall[j] = tp[j]! / (tp[j]! + fn[j]!);
    }
    return { thresholds: this.curveThresholds(), precision, recall, tp, fp, fn, tn };
  }

  compute(): PxapResult {
    const c = this.curve();
    const nb = c.tp.length;
    // Terms P_j * (R_j - R_{j-1}) for j >= 1 with tp_j + fp_j != 0, summed as numpy does (pairwise).
    const terms = new Float64Array(nb - 1);
    let count = 0;
    for (let j = 1; j < nb; j++) {
      if (c.tp[j]! + c.fp[j]! !== 0) terms[count++] = c.precision[j]! * (c.recall[j]! - c.recall[j - 1]!);
    }
    const pxap = pairwiseSum(terms, 0, count) * 100;
    return {
      ...c,
      pxap,
      numPositive: c.tp[nb - 1]!,
      numNegative: c.fp[nb - 1]!,
      step: this.step,
      best: bestOperatingPoint(c),
    };
  }

  /** IoU/Dice at a given threshold tau (the operating point whose tau_j is nearest). */
  operatingPointAt(tau: number): OperatingPoint {
    return operatingPointAt(this.curve(), tau);
  }

  /** The ascending score thresholds `np.arange(0, 1, step)`. */
  camThresholds(): Float64Array {
    return camThresholds(this.step);
  }
}

/** PxAP (percent) of a set of score maps and masks (pooled histograms, not a mean of per-image APs). */
export function pxap(maps: ArrayLike<number>[], masks: ArrayLike<number>[], options: PxapOptions = {}): number {
  return evaluatePxap(maps, masks, options).pxap;
}

/** The full PxAP result (curve, counts, best operating point) of a set of score maps and masks. */
export function evaluatePxap(
  maps: ArrayLike<number>[],
  masks: ArrayLike<number>[],
  options: PxapOptions = {},
): PxapResult {
  if (maps.length !== masks.length) {
    throw new RangeError(`pxap: ${maps.length} score maps but ${masks.length} masks`);
  }
  const acc = new PxapAccumulator(options);
  maps.forEach((m, i) => {
    acc.accumulate(m, masks[i]!, `map ${i}`);
  });
  return acc.compute();
}
