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
import { classActivationMaps } from '@wslbench/heads';
import { mapFromActivations, method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/** GradCAM written independently: loops over the typed arrays. */
function gradCamLoops(a: tf.Tensor4D, g: tf.Tensor4D): number[][][] {
  const A = nhwcReader(a);
  const G = nhwcReader(g);
  const [n, h, w, k] = A.shape;
  const out: number[][][] = [];
  for (let s = 0; s < n; s++) {
    const weights: number[] = [];
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) sum += G.at(s, i, j, c);
      weights.push(sum / (h * w));
    }
    out.push(
      Array.from({ length: h }, (_, i) =>
        Array.from({ length: w }, (_, j) => {
          let m = 0;
          for (let c = 0; c < k; c++) m += weights[c]! * A.at(s, i, j, c);
          return Math.max(m, 0);
        }),
      ),
    );
  }
  return out;
}

describe('GradCAM', () => {
  it('hook = ReLU(Σ_k mean(g_k) A_k) on a tiny conv net with fixed weights (plain loops)', () => {
    const fx = tinyConvNetFixture();
    const got = mapFromActivations(fx);
    expect(got.shape).toEqual([2, 3, 4]);
    const expected = gradCamLoops(fx.activations, fx.gradients);
    const g = got.arraySync();
    expected.forEach((m, s) => {
      m.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(g[s]![i]![j]!).toBeCloseTo(v, 6);
        });
      });
    });
    expect(Math.max(...got.dataSync())).toBeGreaterThan(1e-3); // a non-trivial map
    got.dispose();
    fx.dispose();
    expect(() =>
      mapFromActivations({ activations: tf.zeros([1, 2, 2, 3]), gradients: tf.zeros([1, 2, 2, 4]) }),
    ).toThrow(/same NHWC shape/);
  });

  it('equals ReLU(CAM)/hw on the GAP + dense classifier; batched maps = per-image maps; memory returns to baseline', () => {
    const { model, hp, batch, losses } = trainedTinyWgap(method);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const classes = [1, 0, 0, 1]; // GT is [0, 1, 0, 1]: two wrong-class maps, where CAM has negative parts
    const raw = tf.tidy(() => mapFromActivations(activationsAndGradients(model, batch.images, classes)));
    const [, h, w] = raw.shape;
    const reluCam = tf.tidy(() => {
      const features = model.forward(batch.images, { training: false }).features;
      return tf.relu(classActivationMaps(features, model.fc.kernel as tf.Tensor2D, classes));
    });
    const rc = reluCam.dataSync();
    raw.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(rc[i]! / (h * w), 6);
    });
    expect(Math.max(...rc)).toBeGreaterThan(0);

    const { batched, perImage, shape } = batchedAndPerImageMaps(method, model, batch.images, classes, () =>
      stepContext(hp),
    );
    expect(shape).toEqual([4, 4, 4]);
    batched.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(v).toBeCloseTo(perImage[i]!, 5);
    });
    // After min-max, GradCAM = min-max of ReLU(CAM) (a constant map becomes all zeros).
    for (let s = 0; s < 4; s++) {
      const part = Array.from(rc.slice(s * 16, s * 16 + 16));
      const [lo, hi] = [Math.min(...part), Math.max(...part)];
      part.forEach((v, i) => {
        expect(batched[s * 16 + i]!).toBeCloseTo(hi > lo ? (v - lo) / (hi - lo) : 0, 5);
      });
    }

    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) tf.dispose(method.localize(model, batch.images, classes, stepContext(hp)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([raw, reluCam]);
    model.dispose();
    disposeBatch(batch);
  });
});

describe('the shared toy check', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });
});
