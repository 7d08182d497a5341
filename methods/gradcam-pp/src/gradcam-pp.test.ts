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

/** Grad-CAM++ written independently with loops: paper/pgc α (0 where g = 0) or the reference α = g². */
function gradCamPlusPlusLoops(a: tf.Tensor4D, g: tf.Tensor4D, referenceAlpha: boolean, eps = 0): number[] {
  const A = nhwcReader(a);
  const G = nhwcReader(g);
  const [n, h, w, k] = A.shape;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const weights: number[] = [];
    for (let c = 0; c < k; c++) {
      let sumA = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) sumA += A.at(s, i, j, c);
      let wk = 0;
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const gv = G.at(s, i, j, c);
          const alpha = referenceAlpha ? gv * gv : gv === 0 ? 0 : (gv * gv) / (2 * gv * gv + sumA * gv ** 3 + eps);
          wk += alpha * Math.max(gv, 0);
        }
      weights.push(wk);
    }
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        let m = 0;
        for (let c = 0; c < k; c++) m += weights[c]! * A.at(s, i, j, c);
        out.push(Math.max(m, 0));
      }
  }
  return out;
}

function expectClose(got: ArrayLike<number>, expected: number[], digits: number): void {
  expect(got.length).toBe(expected.length);
  expected.forEach((v, i) => {
    expect(got[i]!).toBeCloseTo(v, digits);
  });
}

describe('GradCAM++', () => {
  it('hook matches the paper/pgc α and the reference α = g² on a tiny conv net (plain loops)', () => {
    const fx = tinyConvNetFixture();
    // Zero some gradients so that the g ≠ 0 mask is exercised.
    const gData = fx.gradients.dataSync().map((v, i) => (i % 7 === 0 ? 0 : v));
    const gradients = tf.tensor4d(gData, fx.gradients.shape);
    const inputs = { activations: fx.activations, gradients };
    const paper = mapFromActivations(inputs);
    const reference = mapFromActivations(inputs, { referenceAlpha: true });
    expect(paper.shape).toEqual([2, 3, 4]);
    const expectedPaper = gradCamPlusPlusLoops(fx.activations, gradients, false);
    const expectedRef = gradCamPlusPlusLoops(fx.activations, gradients, true);
    const scale = (xs: number[]) => Math.max(...xs.map(Math.abs));
    expect(scale(expectedPaper)).toBeGreaterThan(0);
    expect(scale(expectedRef)).toBeGreaterThan(0);
    paper.dataSync().forEach((v, i) => {
      expect(v / scale(expectedPaper)).toBeCloseTo(expectedPaper[i]! / scale(expectedPaper), 5);
    });
    reference.dataSync().forEach((v, i) => {
      expect(v / scale(expectedRef)).toBeCloseTo(expectedRef[i]! / scale(expectedRef), 5);
    });
    // The two α's give different maps (beyond a scale factor) on spatially varying gradients.
    const norm = (xs: number[]) => xs.map((v) => v / scale(xs));
    const gap = Math.max(...norm(expectedPaper).map((v, i) => Math.abs(v - norm(expectedRef)[i]!)));
    expect(gap).toBeGreaterThan(0.01);
    // pytorch-grad-cam's ε = 1e-6.
    const pgc = mapFromActivations(inputs, { epsilon: 1e-6 });
    const expectedPgc = gradCamPlusPlusLoops(fx.activations, gradients, false, 1e-6);
    pgc.dataSync().forEach((v, i) => {
      expect(v / scale(expectedPgc)).toBeCloseTo(expectedPgc[i]! / scale(expectedPgc), 5);
    });
    tf.dispose([paper, reference, pgc, gradients]);
    fx.dispose();
  });

  it('trains; batched maps = per-image maps in [0,1] (both α); memory returns to baseline', () => {
    const { model, hp, batch, losses } = trainedTinyWgap(method);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const classes = [0, 1, 0, 1];
    for (const referenceAlpha of [false, true]) {
      const h = { ...hp, referenceAlpha };
      const { batched, perImage, shape } = batchedAndPerImageMaps(method, model, batch.images, classes, () =>
        stepContext(h),
      );
      expect(shape).toEqual([4, 4, 4]);
      expectClose(batched, Array.from(perImage), 5);
      expect(Math.min(...batched)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...batched)).toBeLessThanOrEqual(1);
      expect(Math.max(...batched)).toBeCloseTo(1, 5);
    }
    expect(method.hyperparams.parse({})).toEqual({ reuseCamRun: false, referenceAlpha: false, alphaEpsilon: 0 });
    expect(() => method.hyperparams.parse({ referenceAlfa: true })).toThrow();
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
