import * as tf from '@tensorflow/tfjs-core';
import { buildOnTiny, learnsToyTask, toyCheck } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import type { ClassMapModel } from '@wslbench/heads';
import { bottomKMean, method, positionCount, roundHalfEven, topKMean, wildcatPool } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

// A 4x4 class map holding 1..16 in scrambled order; the second map is its negation.
const scrambled = [7, 13, 2, 16, 9, 4, 11, 1, 15, 6, 12, 3, 8, 14, 5, 10];
const mapsOf = () =>
  tf.tensor4d(
    scrambled.flatMap((v) => [v, -v]),
    [1, 4, 4, 2],
  );

describe('WILDCAT k', () => {
  it('counts positions like the reference (Python round, fraction or count, at least 1)', () => {
    expect(positionCount(0.5, 784)).toBe(392);
    expect(positionCount(0.1, 784)).toBe(78);
    expect(positionCount(0.5, 49)).toBe(24); // round(24.5) = 24 in Python
    expect(positionCount(0.1, 16)).toBe(2); // round(1.6)
    expect(positionCount(0.01, 16)).toBe(1); // round(0.16) = 0 -> at least 1
    expect(positionCount(3, 16)).toBe(3);
    expect(positionCount(40, 16)).toBe(16);
    expect(positionCount(0, 16)).toBe(0);
    expect([0.5, 1.5, 2.5, 3.4, 3.6].map(roundHalfEven)).toEqual([0, 2, 2, 3, 4]);
  });
});

describe('WILDCAT pooling', () => {
  it('paper formula: top-kmax mean + alpha * bottom-kmin mean (hand-computed)', () => {
    const maps = mapsOf();
    // 16 positions: kmax 0.5 -> 8 (values 9..16, mean 12.5); kmin 0.1 -> 2 (values 1, 2, mean 1.5).
    const s = wildcatPool(maps, { kmax: 0.5, kmin: 0.1, alpha: 0.6, dropKmin: false }).arraySync()[0]!;
    expect(s[0]).toBeCloseTo(12.5 + 0.6 * 1.5, 5);
    // Negated map: top 8 = -1..-8 (mean -4.5), bottom 2 = -16, -15 (mean -15.5).
    expect(s[1]).toBeCloseTo(-4.5 + 0.6 * -15.5, 5);
    maps.dispose();
  });

  it('reference-code option drops the kmin term: top-kmax mean only', () => {
    const maps = mapsOf();
    const s = wildcatPool(maps, { kmax: 0.5, kmin: 0.1, alpha: 0.6, dropKmin: true }).arraySync()[0]!;
    expect(s[0]).toBeCloseTo(12.5, 5);
    expect(s[1]).toBeCloseTo(-4.5, 5);
    // kmax as a count and alpha = 1: top 3 = 14..16 (mean 15), bottom 3 = 1..3 (mean 2).
    const c = wildcatPool(maps, { kmax: 3, kmin: 3, alpha: 1, dropKmin: false }).arraySync()[0]!;
    expect(c[0]).toBeCloseTo(15 + 2, 5);
    maps.dispose();
  });

  it('splits ties exactly and sends the gradient only to the selected positions', () => {
    const rows = tf.tensor2d([[5, 1, 5, 5, 0, 2]]);
    // top-2 of [5, 1, 5, 5, 0, 2] = 5, 5: three tied 5s share the 2 slots.
    expect(topKMean(rows, 2).dataSync()[0]).toBeCloseTo(5, 6);
    expect(bottomKMean(rows, 2).dataSync()[0]).toBeCloseTo(0.5, 6);
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(topKMean(x as tf.Tensor2D, 2)))(rows)
      .dataSync();
    const third = 1 / 3;
    for (const [i, v] of [third, 0, third, third, 0, 0].entries()) expect(g[i]).toBeCloseTo(v, 6);
    const gb = tf
      .grad((x: tf.Tensor) => tf.sum(bottomKMean(x as tf.Tensor2D, 2)))(rows)
      .dataSync();
    for (const [i, v] of [0, 0.5, 0, 0, 0.5, 0].entries()) expect(gb[i]).toBeCloseTo(v, 6);
    expect(() => topKMean(rows, 7)).toThrow(/k must be an integer in \[1, 6\], got 7/);
    rows.dispose();
  });

  it('gradient of the full pooling: 1/kmax on the top values, alpha/kmin on the bottom ones', () => {
    const maps = mapsOf();
    const g = tf.grad((m: tf.Tensor) =>
      tf.sum(wildcatPool(m as tf.Tensor4D, { kmax: 0.5, kmin: 0.1, alpha: 0.6, dropKmin: false })),
    )(maps);
    const gv = g.dataSync();
    scrambled.forEach((v, i) => {
      const expected = (v >= 9 ? 1 / 8 : 0) + (v <= 2 ? 0.6 / 2 : 0);
      expect(gv[2 * i]).toBeCloseTo(expected, 6);
    });
    tf.dispose([maps, g]);
  });
});

describe('WILDCAT method', () => {
  it('builds m maps per class and validates its hyper-parameters', () => {
    const { model, hp } = buildOnTiny<ClassMapModel>(method);
    expect(hp).toEqual({
      supportBackground: false,
      modalities: 5,
      kmax: 0.5,
      kmin: 0.1,
      alpha: 0.6,
      referenceDropKmin: false,
    });
    expect(model.head.conv.kernel.shape).toEqual([1, 1, 32, 10]);
    model.dispose();
    expect(() => method.hyperparams.parse({ kmax: 2.5 })).toThrow(/integer/);
    expect(() => method.hyperparams.parse({ kmax: 0 })).toThrow(/kmax must be > 0/);
    expect(() => method.hyperparams.parse({ dropKmin: true })).toThrow();
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });

  it('runs the reference-code option with a background map', () => {
    const r = toyCheck(method, { hp: { referenceDropKmin: true, supportBackground: true }, steps: 2 });
    expect(r.logitsShape).toEqual([8, 2]);
    expect(r.mapShape).toEqual([8, 4, 4]);
    expect(r.leakedTensors).toBe(0);
  });
});
