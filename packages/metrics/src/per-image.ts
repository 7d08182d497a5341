/**
 * Per-image foreground / background score histograms, kept so that a bootstrap over images can recompute the pooled
 * PxAP of any resample: PxAP is one precision-recall curve over the pooled pixels of a set, not a mean of per-image
 * values, so a resample's PxAP is the PxAP of the sum of its images' histograms (each drawn image counted as often
 * as it is drawn).
 *
 * The histograms use a coarser step than the reported PxAP (0.01 by default, 102 bins) to keep records small; the
 * PxAP of their sum equals PxapAccumulator({ step }) on the same maps exactly. Stored sparse: per image a flat list
 * [bin, count, bin, count, ...] of its non-empty bins, ascending.
 */
import { BinIndexer } from './histogram.js';
import { PxapAccumulator } from './pxap.js';
import { binEdges, checkStep } from './thresholds.js';

export const PER_IMAGE_STEP = 0.01;

/** What a result record stores (JSON): ids in evaluation order and the sparse histograms of each image. */
export interface PerImageHistogramsJson {
  step: number;
  ids: string[];
  /** Per image: [bin, count, bin, count, ...], bins ascending, counts > 0. */
  fg: number[][];
  bg: number[][];
}

function sparse(counts: Uint32Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let b = from; b < to; b++) if (counts[b]! > 0) out.push(b - from, counts[b]!);
  return out;
}

export class PerImageHistograms {
  readonly step: number;
  private readonly binner: BinIndexer;
  private readonly scratch: Uint32Array;
  readonly ids: string[] = [];
  readonly fg: number[][] = [];
  readonly bg: number[][] = [];

  constructor(step: number = PER_IMAGE_STEP) {
    this.step = checkStep(step);
    this.binner = new BinIndexer(binEdges(this.step), this.step);
    this.scratch = new Uint32Array(2 * this.binner.numBins);
  }

  get numBins(): number {
    return this.binner.numBins;
  }

  /** Adds one image's map and mask (same checks as PxapAccumulator.accumulate; nothing kept on error). */
  add(map: ArrayLike<number>, mask: ArrayLike<number>, id: string): this {
    if (mask.length !== map.length) {
      throw new RangeError(`${id}: score map has ${map.length} values but its mask has ${mask.length}`);
    }
    const counts = this.scratch.fill(0);
    const nb = this.binner.numBins;
    this.binner.countMap(map, mask, counts, id);
    this.ids.push(id);
    this.bg.push(sparse(counts, 0, nb));
    this.fg.push(sparse(counts, nb, 2 * nb));
    return this;
  }

  toJSON(): PerImageHistogramsJson {
    return { step: this.step, ids: [...this.ids], fg: this.fg.map((h) => [...h]), bg: this.bg.map((h) => [...h]) };
  }
}

/** Checks a stored set of per-image histograms (from a record); `what` names it in errors. Returns the bin count. */
export function checkPerImageHistograms(h: PerImageHistogramsJson, what: string): number {
  checkStep(h.step);
  const nb = binEdges(h.step).length - 1;
  if (h.fg.length !== h.ids.length || h.bg.length !== h.ids.length) {
    throw new Error(
      `${what}: ${h.ids.length} ids but ${h.fg.length} foreground and ${h.bg.length} background histograms`,
    );
  }
  const check = (list: number[], k: number, side: string) => {
    if (list.length % 2 !== 0) throw new Error(`${what}: ${side} histogram of image ${h.ids[k]} has an odd length`);
    for (let i = 0; i < list.length; i += 2) {
      const b = list[i]!;
      const c = list[i + 1]!;
      if (!Number.isInteger(b) || b < 0 || b >= nb || (i > 0 && b <= list[i - 2]!))
        throw new Error(`${what}: ${side} histogram of image ${h.ids[k]}: bin ${b} is not an ascending index < ${nb}`);
      if (!Number.isInteger(c) || c <= 0)
        throw new Error(`${what}: ${side} histogram of image ${h.ids[k]}: count ${c} is not a positive integer`);
    }
  };
  h.ids.forEach((_, k) => {
    check(h.fg[k]!, k, 'foreground');
    check(h.bg[k]!, k, 'background');
  });
  return nb;
}

/**
 * PxAP (percent) of a weighted set of images from their stored histograms: image k counted `weights[k]` times
 * (a bootstrap resample's multiplicities; all ones = the whole set). `acc` (same step; its histograms are
 * overwritten) may be passed to avoid allocating in loops. Null when the weighted set has no foreground pixel.
 */
export function weightedPxap(
  h: PerImageHistogramsJson,
  weights: ArrayLike<number>,
  acc: PxapAccumulator = new PxapAccumulator({ step: h.step }),
): number | null {
  if (acc.step !== h.step) throw new RangeError(`accumulator step ${acc.step} differs from the histograms' ${h.step}`);
  if (weights.length !== h.ids.length) throw new RangeError(`${weights.length} weights for ${h.ids.length} images`);
  acc.fgHist.fill(0);
  acc.bgHist.fill(0);
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const f = h.fg[k]!;
    for (let i = 0; i < f.length; i += 2) acc.fgHist[f[i]!]! += w * f[i + 1]!;
    const b = h.bg[k]!;
    for (let i = 0; i < b.length; i += 2) acc.bgHist[b[i]!]! += w * b[i + 1]!;
  }
  return pxapOfHistograms(acc.fgHist, acc.bgHist);
}

/**
 * PxAP (percent) of pooled foreground / background histograms (ascending bins, as PxapAccumulator's), without the
 * curve arrays compute() also returns; null when there is no foreground pixel.
 */
export function pxapOfHistograms(fg: ArrayLike<number>, bg: ArrayLike<number>): number | null {
  const nb = fg.length;
  if (bg.length !== nb) throw new RangeError(`${nb} foreground but ${bg.length} background bins`);
  let numPos = 0;
  for (let i = 0; i < nb; i++) numPos += fg[i]!;
  if (!(numPos > 0)) return null;
  // Same sum as compute(): sum_{j>=1, tp_j+fp_j>0} P_j (R_j - R_{j-1}); j counts bins from the top.
  let tp = fg[nb - 1]!;
  let fp = bg[nb - 1]!;
  let sum = 0;
  for (let j = 1; j < nb; j++) {
    const prevRecall = tp / numPos;
    tp += fg[nb - 1 - j]!;
    fp += bg[nb - 1 - j]!;
    if (tp + fp !== 0) sum += (tp / (tp + fp)) * (tp / numPos - prevRecall);
  }
  return sum * 100;
}
