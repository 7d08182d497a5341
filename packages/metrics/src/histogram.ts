/**
 * Exact `np.histogram(values, bins=edges)` binning for explicit float64 edges, in O(1) per value.
 *
 * numpy counts bin i as `#(v < e_{i+1}) - #(v < e_i)` (searchsorted 'left'), except the last edge which is
 * inclusive ('right'). So a value goes to the largest i with e_i <= v (a value on an edge goes to the bin on the
 * right of it), the last edge's value goes to the last bin, and values outside [e_0, e_last] are dropped.
 * We guess the bin arithmetically, g(v) = floor(v / step), then correct it against the float64 edges.
 */

/** Mask codes (reference `get_mask`). */
export const MASK_BACKGROUND = 0;
export const MASK_FOREGROUND = 1;
export const MASK_IGNORE = 255;

function describe(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function badScore(label: string, v: number, i: number): RangeError {
  return new RangeError(`${label}: score ${describe(v)} at index ${i} is outside [0, 1] (NaN is not allowed)`);
}

function badMask(label: string, m: number, i: number): RangeError {
  return new RangeError(`${label}: mask value ${describe(m)} at index ${i} is not 0, 1 or 255`);
}

export class BinIndexer {
  readonly edges: Float64Array;
  readonly numBins: number;
  /** True when g(v) is within one bin of the answer for every v in [0, 1] (so one compare each way suffices). */
  readonly guessWithinOne: boolean;
  private readonly invStep: number;
  private readonly lastEdge: number;

  constructor(edges: Float64Array, step: number) {
    if (edges.length < 2) throw new RangeError(`histogram needs at least 2 edges, got ${edges.length}`);
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i]! >= edges[i - 1]!)) {
        throw new RangeError(`histogram edges must increase monotonically (edge ${i}: ${edges[i]} < ${edges[i - 1]})`);
      }
    }
    this.edges = edges;
    this.numBins = edges.length - 1;
    this.invStep = 1 / step;
    this.lastEdge = edges[edges.length - 1]!;
    this.guessWithinOne = this.checkGuessWithinOne();
  }

  /**
   * g is monotone, so for v in [e_k, e_{k+1}) we have g(e_k) <= g(v) <= g(e_{k+1}); hence k - 1 <= g(e_k) <= k for
   * every edge k up to the one at 1.0 (and strictly increasing edges there) bounds the guess to k - 1 .. k + 1 for
   * all scores in [0, 1], and keeps every index we read inside the edge array.
   */
  private checkGuessWithinOne(): boolean {
    const e = this.edges;
    const one = e.indexOf(1);
    if (one < 1 || one + 1 >= e.length) return false;
    for (let k = 0; k <= one; k++) {
      if (k > 0 && !(e[k]! > e[k - 1]!)) return false;
      const g = Math.floor(e[k]! * this.invStep);
      if (g < k - 1 || g > k) return false;
    }
    return true;
  }

  /** Bin index of `v`, or -1 when `v` is outside [e_0, e_last] or NaN (numpy drops those). */
  index(v: number): number {
    const e = this.edges;
    if (!(v >= e[0]! && v <= this.lastEdge)) return -1;
    const last = this.numBins - 1;
    let i = Math.floor(v * this.invStep);
    if (i > last) i = last;
    else if (i < 0) i = 0;
    while (i > 0 && e[i]! > v) i--;
    while (i < last && e[i + 1]! <= v) i++;
    return i;
  }

  /**
   * Validates one score map + mask (scores in [0, 1], no NaN, on every pixel; mask in {0, 1, 255}) and counts it
   * into `counts`: background bins at [0, numBins), foreground bins at [numBins, 2 * numBins). Throws naming
   * `label`, the value and its index; `counts` is then partially filled (the caller discards it).
   */
  countMap(map: ArrayLike<number>, mask: ArrayLike<number>, counts: Uint32Array, label: string): void {
    if (this.guessWithinOne) countFast(map, mask, counts, this.edges, this.invStep, this.numBins, label);
    else countGeneric(map, mask, counts, this, label);
  }
}

function countFast(
  map: ArrayLike<number>,
  mask: ArrayLike<number>,
  counts: Uint32Array,
  edges: Float64Array,
  invStep: number,
  numBins: number,
  label: string,
): void {
  const n = map.length;
  for (let i = 0; i < n; i++) {
    const v = map[i]!;
    if (!(v >= 0 && v <= 1)) throw badScore(label, v, i);
    const m = mask[i]!;
    if (m === MASK_IGNORE) continue;
    if (m !== MASK_FOREGROUND && m !== MASK_BACKGROUND) throw badMask(label, m, i);
    // guess within one bin (checked at construction): one compare each way gives the largest b with edges[b] <= v
    let b = (v * invStep) | 0;
    if (edges[b]! > v) b--;
    else if (edges[b + 1]! <= v) b++;
    counts[b + m * numBins]!++;
  }
}

function countGeneric(
  map: ArrayLike<number>,
  mask: ArrayLike<number>,
  counts: Uint32Array,
  indexer: BinIndexer,
  label: string,
): void {
  const n = map.length;
  const numBins = indexer.numBins;
  for (let i = 0; i < n; i++) {
    const v = map[i]!;
    if (!(v >= 0 && v <= 1)) throw badScore(label, v, i);
    const m = mask[i]!;
    if (m === MASK_IGNORE) continue;
    if (m !== MASK_FOREGROUND && m !== MASK_BACKGROUND) throw badMask(label, m, i);
    counts[indexer.index(v) + m * numBins]!++;
  }
}
