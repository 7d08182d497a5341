import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { learnsToyTask, stepContext } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { activationsAndGradients } from '@wslbench/gradient-cam';
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

/** LayerCAM written independently: map(i,j) = ReLU(Σ_k ReLU(g_k(i,j))·A_k(i,j)). */
function layerCamLoops(a: tf.Tensor4D, g: tf.Tensor4D): number[] {
  const A = nhwcReader(a);
  const G = nhwcReader(g);
  const [n, h, w, k] = A.shape;
  const out: number[] = [];
  for (let s = 0; s < n; s++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        let m = 0;
        for (let c = 0; c < k; c++) m += Math.max(G.at(s, i, j, c), 0) * A.at(s, i, j, c);
        out.push(Math.max(m, 0));
      }
  return out;
}

describe('LayerCAM', () => {
  it('hook = ReLU(Σ_k ReLU(g)·A_k) elementwise on a tiny conv net (plain loops)', () => {
    const fx = tinyConvNetFixture();
    const expected = layerCamLoops(fx.activations, fx.gradients);
    const got = mapFromActivations(fx);
    expect(got.shape).toEqual([2, 3, 4]);
    expect(Math.max(...expected)).toBeGreaterThan(1e-3);
    got.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
    got.dispose();
    fx.dispose();
  });

  it('trains; hook on the WGAP model matches loops; batched = per-image maps in [0,1]; memory back to baseline', () => {
    const { model, hp, batch, losses } = trainedTinyWgap(method);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const classes = [0, 1, 0, 1];
    const ag = activationsAndGradients(model, batch.images, classes);
    const raw = mapFromActivations(ag);
    const expected = layerCamLoops(ag.activations, ag.gradients);
    raw.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
    tf.dispose([raw, ag.activations, ag.gradients]);
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
