import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs'; // registers op gradients (the tfjs-core Node bundle has none)
import { learnsToyTask } from '@wslbench/core/testing';
import { lsePool, method } from './index.js';

beforeAll(async () => {
  // The cpu backend: its expm1/log1p keep the r -> 0 limit exact (wasm's lose ~1e-3 at r = 1e-5).
  await tf.setBackend('cpu');
});

// One 2x3 class map (and a second, shifted one) as [1, 2, 3, 2].
const values = [0.3, -1.2, 2.5, 0.9, 1.7, -0.4];
const mapsOf = () =>
  tf.tensor4d(
    values.flatMap((v) => [v, v + 100]),
    [1, 2, 3, 2],
  );
const lseByHand = (xs: number[], r: number) => Math.log(xs.reduce((s, x) => s + Math.exp(r * x), 0) / xs.length) / r;
const mean = values.reduce((a, b) => a + b, 0) / values.length;
const max = Math.max(...values);

describe('LSE pooling', () => {
  it('equals (1/r) log mean exp(r M), computed by hand, and does not overflow', () => {
    const maps = mapsOf();
    for (const r of [0.5, 1, 10]) {
      const s = lsePool(maps, r).arraySync()[0]!;
      expect(s[0]).toBeCloseTo(lseByHand(values, r), 5);
      // exp(10 * 102.5) overflows float32; the max-shifted form gives exactly the shifted value.
      expect(s[1]).toBeCloseTo(lseByHand(values, r) + 100, 3);
    }
    maps.dispose();
  });

  it('tends to the max as r grows and to the mean as r -> 0', () => {
    const maps = mapsOf();
    const at = (r: number) => lsePool(maps, r).arraySync()[0]![0]!;
    let previous = Number.NEGATIVE_INFINITY;
    for (const r of [1e-3, 0.1, 1, 10, 100, 1000]) {
      const s = at(r);
      expect(s).toBeGreaterThan(previous); // increasing in r
      expect(s).toBeGreaterThanOrEqual(mean - 1e-4);
      expect(s).toBeLessThanOrEqual(max + 1e-6);
      previous = s;
    }
    expect(Math.abs(at(1e-3) - mean)).toBeLessThan(3e-3);
    expect(Math.abs(at(1e-5) - mean)).toBeLessThan(1e-4);
    // max - log(HW)/r <= lse <= max
    expect(max - at(1000)).toBeLessThanOrEqual(Math.log(6) / 1000 + 1e-6);
    expect(max - at(100)).toBeLessThanOrEqual(Math.log(6) / 100 + 1e-6);
    maps.dispose();
  });

  it('has the softmax(r M) weights as gradient', () => {
    const maps = mapsOf();
    const r = 2;
    const g = tf
      .grad((m: tf.Tensor) => tf.sum(lsePool(m as tf.Tensor4D, r)))(maps)
      .dataSync();
    const z = values.reduce((s, x) => s + Math.exp(r * x), 0);
    values.forEach((v, i) => {
      expect(g[2 * i]).toBeCloseTo(Math.exp(r * v) / z, 5);
    });
    maps.dispose();
  });

  it('rejects r <= 0', () => {
    const maps = mapsOf();
    expect(() => lsePool(maps, 0)).toThrow(/r must be > 0, got 0/);
    expect(() => method.hyperparams.parse({ r: -1 })).toThrow();
    expect(method.hyperparams.parse({})).toEqual({ supportBackground: false, r: 10 });
    maps.dispose();
  });
});

describe('LSE method', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });
});
