import * as tf from '@tensorflow/tfjs-core';
import { learnsToyTask, toyCheck } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { globalMaxPool, method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('MAX-POOL', () => {
  it('pools each class map to its maximum, with the gradient on the arg-max only', () => {
    // [1, 2, 2, 2]: map 0 = [1, 2, 3, 6], map 1 = [-1, 0, -4, -5]
    const maps = tf.tensor4d([1, -1, 2, 0, 3, -4, 6, -5], [1, 2, 2, 2]);
    expect(globalMaxPool(maps).arraySync()).toEqual([[6, 0]]);
    const g = tf.grad((m: tf.Tensor) => tf.sum(globalMaxPool(m as tf.Tensor4D)))(maps);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 1, 0, 0, 1, 0]);
    tf.dispose([maps, g]);
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });

  it('runs with a background map (C logits) and rejects unknown hyper-parameters', () => {
    const r = toyCheck(method, { hp: { supportBackground: true }, steps: 2 });
    expect(r.logitsShape).toEqual([8, 2]);
    expect(r.leakedTensors).toBe(0);
    expect(() => method.hyperparams.parse({ kmax: 1 })).toThrow();
  });
});
