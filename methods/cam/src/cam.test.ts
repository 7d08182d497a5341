import * as tf from '@tensorflow/tfjs-core';
import { buildOnTiny, disposeBatch, stepContext, toyBatch, trainSteps } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { classActivationMaps, method, type WgapModel } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (it also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('CAM', () => {
  it('computes Σ_k w_ck A_k for the requested class (checked with plain loops)', () => {
    const [n, h, w, k, c] = [2, 3, 4, 5, 3];
    const a = Float32Array.from({ length: n * h * w * k }, (_, i) => Math.sin(i * 0.37));
    const wts = Float32Array.from({ length: k * c }, (_, i) => Math.cos(i * 0.91));
    const classes = [2, 0];
    const got = tf.tidy(() =>
      classActivationMaps(tf.tensor4d(a, [n, h, w, k]), tf.tensor2d(wts, [k, c]), classes).arraySync(),
    );
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += a[((i * h + y) * w + x) * k + j]! * wts[j * c + classes[i]!]!;
          expect(got[i]![y]![x]).toBeCloseTo(s, 5);
        }
  });

  it('learns a toy task, gives [0,1] maps at feature resolution, and releases its tensors', () => {
    const batch = toyBatch(8, 16);
    const { model, hp } = buildOnTiny<WgapModel>(method);
    const before = tf.memory().numTensors;
    const losses = trainSteps(method, model, batch, 15, hp, 0.1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const maps = method.localize(model, batch.images, [0, 1, 0, 1, 0, 1, 0, 1], stepContext(hp));
    expect(maps.shape).toEqual([8, 4, 4]);
    const v = maps.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    maps.dispose();
    tf.dispose(method.classify(model, batch.images));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    disposeBatch(batch);
  });
});
