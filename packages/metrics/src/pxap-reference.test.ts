/**
 * Cross-checks of the fast PxAP against (1) an independent slow re-implementation of np.histogram (sort +
 * searchsorted in float64) with a naive threshold sweep, and (2) golden values from numpy running the reference
 * MaskEvaluator formulas (scripts/golden_pxap.py).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BinIndexer } from './histogram.js';
import { PxapAccumulator } from './pxap.js';
import { binEdges } from './thresholds.js';

/** Number of sorted values < x ('left') or <= x ('right'). */
function searchsorted(sorted: Float64Array, x: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (side === 'left' ? sorted[mid]! < x : sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** np.histogram(values, bins=edges) for explicit edges: diff of inclusive cumulative searchsorted counts. */
function npHistogram(values: number[], edges: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const cum = edges.map((e, i) => searchsorted(sorted, e, i === edges.length - 1 ? 'right' : 'left'));
  return cum.slice(1).map((c, i) => c - cum[i]!);
}

/** Slow PxAP: numpy-style edges built by repeated addition-free products, histograms, sequential sum. */
function slowPxap(maps: number[][], masks: number[][], step: number) {
  const thresholds: number[] = [];
  for (let k = 0; k < Math.ceil(1 / step); k++) thresholds.push(k * step);
  const edges = [...thresholds, 1, 2, 3];
  const fg = new Array(edges.length - 1).fill(0);
  const bg = new Array(edges.length - 1).fill(0);
  maps.forEach((map, i) => {
    const hf = npHistogram(
      map.filter((_, p) => masks[i]![p] === 1),
      edges,
    );
    const hb = npHistogram(
      map.filter((_, p) => masks[i]![p] === 0),
      edges,
    );
    hf.forEach((c, b) => {
      fg[b] += c;
    });
    hb.forEach((c, b) => {
      bg[b] += c;
    });
  });
  const nPos = fg.reduce((s, v) => s + v, 0);
  let ap = 0;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  for (let b = fg.length - 1; b >= 0; b--) {
    tp += fg[b]!;
    fp += bg[b]!;
    const recall = tp / nPos;
    if (tp + fp > 0) ap += (tp / (tp + fp)) * (recall - prevRecall);
    prevRecall = recall;
  }
  return { pxap: 100 * ap, fg, bg };
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PxAP vs an independent slow np.histogram re-implementation', () => {
  const rand = mulberry32(12345);
  // Score generators: uniform, snapped to k*step, to k/1000, just below an edge, float32-rounded, extremes.
  const draws: Array<(step: number) => number> = [
    () => rand(),
    (s) => Math.floor(rand() / s) * s,
    () => Math.floor(rand() * 1001) / 1000,
    (s) => {
      const e = Math.floor(rand() / s) * s;
      return e > 0 ? e - Number.EPSILON * e : 0;
    },
    () => Math.fround(rand()),
    () => (rand() < 0.5 ? 0 : 1),
  ];
  for (const step of [0.001, 0.01, 0.003, 0.07]) {
    it(`matches on random mixed maps with step ${step}`, () => {
      for (let trial = 0; trial < 6; trial++) {
        const maps: number[][] = [];
        const masks: number[][] = [];
        const nImages = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < nImages; i++) {
          const size = 1 + Math.floor(rand() * 300);
          const map = Array.from({ length: size }, () => draws[Math.floor(rand() * draws.length)]!(step));
          const fgProb = rand() < 0.2 ? 0 : rand();
          const mask = map.map((v) => (rand() < 0.05 ? 255 : rand() < fgProb * (0.5 + v) ? 1 : 0));
          maps.push(map);
          masks.push(mask);
        }
        const acc = new PxapAccumulator({ step });
        maps.forEach((m, i) => {
          acc.accumulate(m, masks[i]!);
        });
        const slow = slowPxap(maps, masks, step);
        expect(Array.from(acc.fgHist)).toEqual(slow.fg);
        expect(Array.from(acc.bgHist)).toEqual(slow.bg);
        if (slow.fg.every((c) => c === 0)) {
          expect(() => acc.compute()).toThrow('No positive ground truth in the eval set.');
        } else {
          expect(Math.abs(acc.compute().pxap - slow.pxap)).toBeLessThan(1e-9);
        }
      }
    });
  }
});

describe('BinIndexer paths', () => {
  const rand = mulberry32(99);
  const values = [
    0,
    0.5,
    1,
    0.25,
    0.49999999999999994,
    0.7500000000000001,
    ...Array.from({ length: 500 }, () => rand()),
  ];
  const check = (edges: Float64Array, step: number, fast: boolean) => {
    const ix = new BinIndexer(edges, step);
    expect(ix.guessWithinOne).toBe(fast);
    const counts = new Uint32Array(2 * ix.numBins);
    ix.countMap(
      values,
      values.map(() => 0),
      counts,
      'v',
    );
    expect(Array.from(counts.subarray(0, ix.numBins))).toEqual(npHistogram(values, Array.from(edges)));
    values.forEach((v) => {
      const i = ix.index(v);
      expect(edges[i]! <= v && (v < edges[i + 1]! || i === ix.numBins - 1)).toBe(true);
    });
  };
  it('fast path (uniform steps) equals np.histogram', () => {
    for (const step of [0.001, 0.01, 0.003, 0.3, 1 / 3]) check(binEdges(step), step, true);
  });
  it('generic path (repeated edges) equals np.histogram, empty bins included', () => {
    check(Float64Array.from([0, 0.25, 0.5, 0.5, 1, 2, 3]), 0.25, false);
  });
});

interface GoldenCase {
  name: string;
  step: number;
  maps: number[][];
  masks: number[][];
  pxap: number;
  fgHist: number[];
  bgHist: number[];
  best: Record<string, number | null>;
}

describe('PxAP vs numpy golden values of the reference formulas', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const golden = JSON.parse(readFileSync(join(here, '__fixtures__', 'pxap-golden.json'), 'utf8')) as {
    cases: GoldenCase[];
  };
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const acc = new PxapAccumulator({ step: c.step });
    c.maps.forEach((m, i) => {
      acc.accumulate(m, c.masks[i]!);
    });
    expect(Array.from(acc.fgHist)).toEqual(c.fgHist);
    expect(Array.from(acc.bgHist)).toEqual(c.bgHist);
    const r = acc.compute();
    // numpy's pairwise summation is reproduced, so the value is bit-identical.
    expect(r.pxap).toBe(c.pxap);
    for (const [key, value] of Object.entries(c.best)) {
      const ours = (r.best as unknown as Record<string, number>)[key]!;
      if (value === null) expect(ours).toBeNaN();
      else expect(ours).toBe(value);
    }
  });
});
