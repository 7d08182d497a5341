/**
 * Paired differences of test PxAP between methods, with bootstrap confidence intervals over test images and seeds.
 *
 * Two methods of one dataset and backbone are paired twice: by run (the same fold and seed; NEGEV's seed-s run also
 * starts from CAM's seed-s run) and by image (every run is scored on the same test images). The estimate is the mean
 * over the paired runs of (PxAP of the method - PxAP of the reference), from the records' exact PxAP. One bootstrap
 * replicate draws the test images with replacement (one draw for the whole dataset, shared by every method and
 * backbone) and the paired runs with replacement, and recomputes each drawn run's pooled PxAP from its per-image
 * histograms (PxAP is one PR curve over the pooled pixels, not a mean of per-image values). The records keep those
 * histograms at a coarser step than the reported PxAP, so the interval is the exact estimate plus the percentiles
 * of (replicate difference - the histograms' full-set difference). A difference is significant when its interval
 * excludes 0.
 */
import type { ResultRecord } from '@wslbench/core';
import { rngStream } from '@wslbench/core';
import { checkPerImageHistograms, pxapOfHistograms } from '@wslbench/metrics';
import { parseBackbone } from './names.js';

export interface PairedDifference {
  /** Reference method id ('cam', 'negev'). */
  reference: string;
  /** PxAP points (percent), method minus reference, mean over the paired runs. */
  diff: number;
  /** Bounds of the confidence interval (percent points). */
  lo: number;
  hi: number;
  significant: boolean;
  /** The paired runs' `f<fold>-s<seed>` keys and the number of test images. */
  runs: string[];
  images: number;
}

export interface BootstrapSettings {
  /** Replicates (default 1000). */
  replicates: number;
  /** Seed of the bootstrap's own stream (default 0), folded with the dataset id. */
  seed: number;
  /** Confidence level (default 0.95). */
  level: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapSettings = { replicates: 1000, seed: 0, level: 0.95 };

interface Run {
  key: string;
  /** Exact test PxAP in percent. */
  pxap: number;
  hist: SparseHistograms;
}

/** A run's per-image histograms in flat typed arrays: image k's entries are [start[k], start[k + 1]). */
interface SparseHistograms {
  bins: number;
  fgBin: Int32Array;
  fgCount: Float64Array;
  fgStart: Int32Array;
  bgBin: Int32Array;
  bgCount: Float64Array;
  bgStart: Int32Array;
}

function flatten(lists: number[][]): { bin: Int32Array; count: Float64Array; start: Int32Array } {
  const total = lists.reduce((s, l) => s + l.length / 2, 0);
  const bin = new Int32Array(total);
  const count = new Float64Array(total);
  const start = new Int32Array(lists.length + 1);
  let j = 0;
  lists.forEach((l, k) => {
    start[k] = j;
    for (let i = 0; i < l.length; i += 2, j++) {
      bin[j] = l[i]!;
      count[j] = l[i + 1]!;
    }
  });
  start[lists.length] = j;
  return { bin, count, start };
}

function sparseHistograms(h: { fg: number[][]; bg: number[][] }, bins: number): SparseHistograms {
  const f = flatten(h.fg);
  const b = flatten(h.bg);
  return {
    bins,
    fgBin: f.bin,
    fgCount: f.count,
    fgStart: f.start,
    bgBin: b.bin,
    bgCount: b.count,
    bgStart: b.start,
  };
}

/** Pooled PxAP (percent) of the images weighted by `w` (null without foreground); `fg`/`bg` are scratch. */
function weightedRunPxap(h: SparseHistograms, w: Float64Array, fg: Float64Array, bg: Float64Array): number | null {
  fg.fill(0);
  bg.fill(0);
  for (let k = 0; k < w.length; k++) {
    const wk = w[k]!;
    if (wk === 0) continue;
    for (let i = h.fgStart[k]!, e = h.fgStart[k + 1]!; i < e; i++) fg[h.fgBin[i]!]! += wk * h.fgCount[i]!;
    for (let i = h.bgStart[k]!, e = h.bgStart[k + 1]!; i < e; i++) bg[h.bgBin[i]!]! += wk * h.bgCount[i]!;
  }
  return pxapOfHistograms(fg, bg);
}

/** `numpy.percentile(xs, q * 100)` (linear interpolation) of a sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty list');
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

const runKey = (r: ResultRecord) => `f${r.fold}-s${r.seed}`;

/**
 * Paired differences of every method to each reference, per base backbone of one dataset and for the dataset's mean
 * over backbones (key 'mean', only where the pair exists on every backbone). Records must be of this dataset, with
 * scores as fractions (as loadRecords gives them); differences come out in percent points. A pair without runs carrying
 * per-image histograms on both sides gets no entry.
 * Returns: backbone (or 'mean') -> method -> reference -> difference.
 */
export function pairedDifferences(
  records: readonly ResultRecord[],
  dataset: string,
  references: readonly string[],
  settings: Partial<BootstrapSettings> = {},
): Map<string, Map<string, Map<string, PairedDifference>>> {
  const { replicates, seed, level } = { ...DEFAULT_BOOTSTRAP, ...settings };
  if (!(Number.isInteger(replicates) && replicates >= 10))
    throw new Error(`bootstrap replicates must be an integer >= 10, got ${replicates}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap level must lie in (0, 1), got ${level}`);

  // Runs with per-image histograms, by backbone and method; every run must score the same test images.
  let ids: string[] | null = null;
  let step: number | null = null;
  const runs = new Map<string, Map<string, Run[]>>();
  for (const r of records) {
    if (r.dataset !== dataset) throw new Error(`pairedDifferences(${dataset}) got a record of ${r.dataset}`);
    const h = r.test?.perImage;
    if (r.status !== 'ok' || !r.test || !h) continue;
    const what = `${r.dataset}/${r.method}/${r.backbone}/${runKey(r)}`;
    const bins = checkPerImageHistograms(h, `${what}: test.perImage`);
    if (step === null) step = h.step;
    else if (h.step !== step) throw new Error(`${what}: per-image histograms at step ${h.step}, the others at ${step}`);
    if (ids === null) ids = h.ids;
    else if (h.ids.length !== ids.length || h.ids.some((id, k) => id !== ids![k]))
      throw new Error(`${what}: its test images (${h.ids.length}) differ from the other runs' (${ids.length})`);
    const pxap = 100 * r.test.pxap;
    const base = parseBackbone(r.backbone).base;
    if (!runs.has(base)) runs.set(base, new Map());
    const byMethod = runs.get(base)!;
    if (!byMethod.has(r.method)) byMethod.set(r.method, []);
    byMethod.get(r.method)!.push({ key: runKey(r), pxap, hist: sparseHistograms(h, bins) });
  }
  const out = new Map<string, Map<string, Map<string, PairedDifference>>>();
  if (ids === null) return out;
  const numImages = ids.length;

  interface Pair {
    backbone: string;
    method: string;
    reference: string;
    a: Run[];
    b: Run[];
    exact: number;
    fullHist: number;
    replicateDiffs: number[];
  }
  const bins = [...runs.values()].flatMap((m) => [...m.values()])[0]![0]!.hist.bins;
  const fgScratch = new Float64Array(bins);
  const bgScratch = new Float64Array(bins);
  const pxapOf = (run: Run, w: Float64Array) => {
    const v = weightedRunPxap(run.hist, w, fgScratch, bgScratch);
    if (v === null) throw new Error(`${dataset}: a bootstrap resample has no foreground pixel`);
    return v;
  };
  const ones = new Float64Array(numImages).fill(1);
  const pairs: Pair[] = [];
  const backbones = [...runs.keys()].sort();
  for (const backbone of backbones) {
    const byMethod = runs.get(backbone)!;
    for (const reference of references) {
      const refRuns = byMethod.get(reference);
      if (!refRuns) continue;
      for (const [method, methodRuns] of [...byMethod].sort(([x], [y]) => (x < y ? -1 : 1))) {
        if (method === reference) continue;
        const common = methodRuns.map((r) => r.key).filter((k) => refRuns.some((q) => q.key === k));
        if (!common.length) continue;
        common.sort();
        const a = common.map((k) => methodRuns.find((r) => r.key === k)!);
        const b = common.map((k) => refRuns.find((r) => r.key === k)!);
        const meanDiff = (f: (r: Run) => number) => a.reduce((s, r, i) => s + f(r) - f(b[i]!), 0) / a.length;
        pairs.push({
          backbone,
          method,
          reference,
          a,
          b,
          exact: meanDiff((r) => r.pxap),
          fullHist: meanDiff((r) => pxapOf(r, ones)),
          replicateDiffs: [],
        });
      }
    }
  }

  // Replicates: one image draw for the dataset, one run draw per pair (uniforms shared, so pairs with the same runs
  // draw the same ones); each drawn run's PxAP computed once per replicate.
  const rng = rngStream(seed, 'paired-bootstrap', dataset);
  const maxRuns = Math.max(...pairs.map((p) => p.a.length), 1);
  const weights = new Float64Array(numImages);
  const u = new Float64Array(maxRuns);
  for (let rep = 0; rep < replicates; rep++) {
    weights.fill(0);
    for (let i = 0; i < numImages; i++) weights[Math.floor(rng() * numImages)]! += 1;
    for (let i = 0; i < maxRuns; i++) u[i] = rng();
    const cache = new Map<Run, number>();
    const cached = (r: Run) => {
      let v = cache.get(r);
      if (v === undefined) {
        v = pxapOf(r, weights);
        cache.set(r, v);
      }
      return v;
    };
    for (const p of pairs) {
      const k = p.a.length;
      let s = 0;
      for (let i = 0; i < k; i++) {
        const j = Math.floor(u[i]! * k);
        s += cached(p.a[j]!) - cached(p.b[j]!);
      }
      p.replicateDiffs.push(s / k);
    }
  }

  const alpha = (1 - level) / 2;
  const summarise = (
    exact: number,
    fullHist: number,
    reps: number[],
    reference: string,
    keys: string[],
  ): PairedDifference => {
    const dev = reps.map((d) => d - fullHist).sort((x, y) => x - y);
    const lo = exact + quantileSorted(dev, alpha);
    const hi = exact + quantileSorted(dev, 1 - alpha);
    return { reference, diff: exact, lo, hi, significant: lo > 0 || hi < 0, runs: keys, images: numImages };
  };
  const put = (backbone: string, method: string, d: PairedDifference) => {
    if (!out.has(backbone)) out.set(backbone, new Map());
    const m = out.get(backbone)!;
    if (!m.has(method)) m.set(method, new Map());
    m.get(method)!.set(d.reference, d);
  };
  for (const p of pairs) {
    put(
      p.backbone,
      p.method,
      summarise(
        p.exact,
        p.fullHist,
        p.replicateDiffs,
        p.reference,
        p.a.map((r) => r.key),
      ),
    );
  }
  // The mean over backbones: replicate by replicate (same image draw), where the pair exists on every backbone.
  if (backbones.length >= 2) {
    const groups = new Map<string, Pair[]>();
    for (const p of pairs) {
      const k = `${p.method}|${p.reference}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(p);
    }
    for (const ps of groups.values()) {
      if (ps.length !== backbones.length) continue;
      const avg = (f: (p: Pair) => number) => ps.reduce((s, p) => s + f(p), 0) / ps.length;
      const reps = Array.from({ length: replicates }, (_, i) => avg((p) => p.replicateDiffs[i]!));
      const keys = [...new Set(ps.flatMap((p) => p.a.map((r) => r.key)))].sort();
      put(
        'mean',
        ps[0]!.method,
        summarise(
          avg((p) => p.exact),
          avg((p) => p.fullHist),
          reps,
          ps[0]!.reference,
          keys,
        ),
      );
    }
  }
  return out;
}
