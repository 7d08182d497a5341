import * as tf from '@tensorflow/tfjs-core';
import { learnsToyTask, toyCheck } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { lowerMedian, method, peakMask, peakStimulationPool, simplifiedPrmPool } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

// Peaks (local maxima of their 3x3 window): 9 at (1,1), 3 at (1,4), 7 at (3,3).
const handMap = [
  [1, 2, 1, 0, 0],
  [2, 9, 2, 0, 3],
  [1, 2, 1, 0, 0],
  [0, 0, 0, 7, 0],
];
const asMaps = (rows: number[][]) => tf.tensor4d(rows.flat(), [1, rows.length, rows[0]!.length, 1]);

/** Plain-loop 3x3 local maxima (strict neighbourhood >=) and lower median, independent of the TF.js code. */
function peaksByLoops(rows: number[][], filter: 'none' | 'median'): boolean[][] {
  const h = rows.length;
  const w = rows[0]!.length;
  const sorted = rows.flat().sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return rows.map((row, y) =>
    row.map((v, x) => {
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < h && xx >= 0 && xx < w && rows[yy]![xx]! > v) return false;
        }
      return filter === 'none' || v >= median;
    }),
  );
}

describe('PRM peak stimulation', () => {
  it('finds the peaks of a hand-made map and scores their mean', () => {
    const maps = asMaps(handMap);
    const mask = (peakMask(maps).arraySync() as number[][][][])[0]!.map((r) => r.map((v) => v[0]));
    const expected = handMap.map((r) => r.map(() => 0));
    expected[1]![1] = 1;
    expected[1]![4] = 1;
    expected[3]![3] = 1;
    expect(mask).toEqual(expected);
    expect(peakStimulationPool(maps).dataSync()[0]).toBeCloseTo((9 + 3 + 7) / 3, 5);
    maps.dispose();
  });

  it('back-propagates only through the peaks (1/N_c each)', () => {
    const maps = asMaps(handMap);
    const g = tf
      .grad((m: tf.Tensor) => tf.sum(peakStimulationPool(m as tf.Tensor4D)))(maps)
      .dataSync();
    for (let i = 0; i < 20; i++) expect(g[i]).toBeCloseTo([6, 9, 18].includes(i) ? 1 / 3 : 0, 6);
    maps.dispose();
  });

  it('matches plain loops on a map with many local maxima, with and without the median filter', () => {
    const rows = Array.from({ length: 6 }, (_, y) =>
      Array.from({ length: 7 }, (_, x) => Math.sin(3.1 * y + 1.7 * x * x)),
    );
    const maps = asMaps(rows);
    for (const filter of ['none', 'median'] as const) {
      const want = peaksByLoops(rows, filter);
      const got = (peakMask(maps, 3, filter).arraySync() as number[][][][])[0]!.map((r) => r.map((v) => v[0] === 1));
      expect(got).toEqual(want);
      const picked = rows.flat().filter((_, i) => want.flat()[i]);
      expect(peakStimulationPool(maps, 3, filter).dataSync()[0]).toBeCloseTo(
        picked.reduce((a, b) => a + b, 0) / picked.length,
        5,
      );
    }
    const sorted = rows.flat().sort((a, b) => a - b);
    expect(lowerMedian(maps).dataSync()[0]).toBeCloseTo(sorted[Math.floor((sorted.length - 1) / 2)]!, 6);
    maps.dispose();
  });

  it('median filter drops peaks below the median (hand-made map)', () => {
    // Peaks 24, 8 and 7; the median of the 25 values is 12, so the filter keeps 24 only.
    const maps = asMaps([
      [10, 11, 12, 3, 4],
      [13, 14, 15, 2, 5],
      [16, 17, 18, 1, 8],
      [19, 20, 21, 0, 6],
      [22, 23, 24, -1, 7],
    ]);
    expect(lowerMedian(maps).dataSync()[0]).toBe(12);
    expect(peakStimulationPool(maps, 3, 'none').dataSync()[0]).toBeCloseTo((24 + 8 + 7) / 3, 5);
    expect(peakStimulationPool(maps, 3, 'median').dataSync()[0]).toBeCloseTo(24, 5);
    maps.dispose();
  });

  it('reference-code option: 3x3 max-pool (stride 1, no padding) then the mean', () => {
    const maps = asMaps([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 1, 2, 3],
      [4, 5, 6, 0],
    ]);
    // window maxima 9, 8 / 9, 8
    expect(simplifiedPrmPool(maps, 3).dataSync()[0]).toBeCloseTo(8.5, 6);
    expect(() => simplifiedPrmPool(maps, 5)).toThrow(/window 5 is larger than the 4x4/);
    expect(() => peakMask(maps, 2)).toThrow(/odd positive integer, got 2/);
    maps.dispose();
  });
});

describe('PRM method', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });

  it('runs the reference-code option and the median filter, and validates its hyper-parameters', () => {
    for (const hp of [{ referenceSimplified: true }, { peakFilter: 'median', supportBackground: true }]) {
      const r = toyCheck(method, { hp, steps: 2 });
      expect(r.logitsShape).toEqual([8, 2]);
      expect(r.leakedTensors).toBe(0);
    }
    expect(method.hyperparams.parse({})).toEqual({
      supportBackground: false,
      peakWindow: 3,
      peakFilter: 'none',
      referenceSimplified: false,
    });
    expect(() => method.hyperparams.parse({ peakWindow: 4 })).toThrow(/odd/);
    expect(() => method.hyperparams.parse({ peakFilter: 'mean' })).toThrow();
  });
});
