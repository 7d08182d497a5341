import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { learnsToyTask, stepContext } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import {
  batchedAndPerImageMaps,
  nhwcReader,
  tinyConvNetFixture,
  trainedTinyWgap,
} from '@wslbench/gradient-cam/testing';
import { mapFromActivations, method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/** XGrad-CAM written independently: w_k = Σ g·A / (Σ A + 1e-8), map = ReLU(Σ_k w_k A_k). */
function xGradCamLoops(a: tf.Tensor4D, g: tf.Tensor4D): { map: number[]; weights: number[][] } {
  const A = nhwcReader(a);
  const G = nhwcReader(g);
  const [n, h, w, k] = A.shape;
  const map: number[] = [];
  const weights: number[][] = [];
  for (let s = 0; s < n; s++) {
    const ws: number[] = [];
    for (let c = 0; c < k; c++) {
      let num = 0;
      let den = 0;
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          num += G.at(s, i, j, c) * A.at(s, i, j, c);
          den += A.at(s, i, j, c);
        }
      ws.push(num / (den + 1e-8));
    }
    weights.push(ws);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        let m = 0;
        for (let c = 0; c < k; c++) m += ws[c]! * A.at(s, i, j, c);
        map.push(Math.max(m, 0));
      }
  }
  return { map, weights };
}

describe('XGradCAM', () => {
  it('hook = ReLU(Σ_k [Σ g·A / (Σ A + ε)] A_k) on a tiny conv net, finite with a dead channel (plain loops)', () => {
    const fx = tinyConvNetFixture();
    const { map, weights } = xGradCamLoops(fx.activations, fx.gradients);
    expect(weights[0]![3]).toBe(0); // channel 3 is dead: 0 / ε, not NaN
    const got = mapFromActivations(fx);
    expect(got.shape).toEqual([2, 3, 4]);
    const v = got.dataSync();
    expect(v.every(Number.isFinite)).toBe(true);
    expect(Math.max(...map)).toBeGreaterThan(1e-3);
    map.forEach((m, i) => {
      expect(v[i]!).toBeCloseTo(m, 6);
    });
    got.dispose();
    fx.dispose();
  });

  it('trains; batched maps = per-image maps in [0,1]; memory returns to baseline', () => {
    const { model, hp, batch, losses } = trainedTinyWgap(method);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const classes = [0, 1, 0, 1];
    const { batched, perImage, shape } = batchedAndPerImageMaps(method, model, batch.images, classes, () =>
      stepContext(hp),
    );
    expect(shape).toEqual([4, 4, 4]);
    batched.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(v).toBeCloseTo(perImage[i]!, 5);
    });
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) tf.dispose(method.localize(model, batch.images, classes, stepContext(hp)));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    disposeBatch(batch);
  });
});

describe('the shared toy check', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });
});
