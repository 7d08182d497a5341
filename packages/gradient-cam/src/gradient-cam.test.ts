import * as tf from '@tensorflow/tfjs-core';
import { describeMethod, disposeBatch } from '@wslbench/core';
import { buildOnTiny, stepContext, toyBatch, trainSteps } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { type WgapModel, weightedChannelSum, wgapHead } from '@wslbench/heads';
import { z } from 'zod';
import {
  activationsAndGradients,
  defineGradientMethod,
  gradientBaseShape,
  singlePassMaps,
  targetLogitGradients,
} from './index.js';
import { nhwcReader, tinyConvNetFixture } from './testing.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/** Central finite difference of logit[n, c_n] w.r.t. every entry of A (float32, so a coarse step). */
function finiteDifferenceGradients(
  head: (a: tf.Tensor4D) => tf.Tensor2D,
  a: tf.Tensor4D,
  classes: number[],
  step = 1e-2,
) {
  const base = Float32Array.from(a.dataSync());
  const [, h, w, k] = a.shape;
  const per = h * w * k;
  const out = new Float32Array(base.length);
  const logitAt = (values: Float32Array, n: number) =>
    tf.tidy(() => head(tf.tensor4d(values, a.shape)).arraySync()[n]![classes[n]!]!);
  for (let idx = 0; idx < base.length; idx++) {
    const n = Math.floor(idx / per);
    const plus = base.slice();
    plus[idx] = plus[idx]! + step;
    const minus = base.slice();
    minus[idx] = minus[idx]! - step;
    out[idx] = (logitAt(plus, n) - logitAt(minus, n)) / (2 * step);
  }
  return out;
}

describe('targetLogitGradients', () => {
  it('matches finite differences of each sample’s class logit through a nonlinear head, in one batched pass', () => {
    const fx = tinyConvNetFixture();
    const fd = finiteDifferenceGradients(fx.head, fx.activations, fx.classes);
    const got = fx.gradients.dataSync();
    let maxAbs = 0;
    for (let i = 0; i < got.length; i++) {
      expect(got[i]!).toBeCloseTo(fd[i]!, 3);
      maxAbs = Math.max(maxAbs, Math.abs(got[i]!));
    }
    expect(maxAbs).toBeGreaterThan(0.01); // not a trivially zero gradient
    // Spatially varying, both signs: the hooks are tested on non-degenerate gradients.
    expect(Math.min(...got)).toBeLessThan(0);
    expect(new Set(Array.from(got, (v) => v.toFixed(6))).size).toBeGreaterThan(10);
    fx.dispose();
  });

  it('rejects a class list of the wrong length or an out-of-range class', () => {
    const fx = tinyConvNetFixture();
    expect(() => targetLogitGradients(fx.head, fx.activations, [0])).toThrow(/1 classes given for a batch of 2/);
    expect(() => targetLogitGradients(fx.head, fx.activations, [0, 3])).toThrow(/classes\[1\] = 3/);
    fx.dispose();
  });
});

describe('activationsAndGradients on the WGAP classifier', () => {
  it('gives the backbone features and g = W_fc[k, c]/hw everywhere (GAP + FC), matching finite differences', () => {
    const base = defineGradientMethod({
      id: 'probe',
      title: 'probe',
      citation: '-',
      hyperparams: z.object({ ...gradientBaseShape }).strict(),
      rawMaps: () => {
        throw new Error('unused');
      },
    });
    const { model } = buildOnTiny<WgapModel>(base, { numClasses: 3, channels: 2 });
    const batch = toyBatch(2, 8);
    const classes = [2, 1];
    const { activations, gradients } = activationsAndGradients(model, batch.images, classes);
    const features = tf.tidy(() => model.forward(batch.images, { training: false }).features);
    expect(activations.shape).toEqual([2, 2, 2, 8]);
    expect(Array.from(activations.dataSync())).toEqual(Array.from(features.dataSync()));
    const kernel = model.fc.kernel.arraySync() as number[][];
    const g = nhwcReader(gradients);
    const [n, h, w, k] = g.shape;
    for (let s = 0; s < n; s++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let c = 0; c < k; c++) expect(g.at(s, i, j, c)).toBeCloseTo(kernel[c]![classes[s]!]! / (h * w), 6);
    const fd = finiteDifferenceGradients(wgapHead(model), activations, classes);
    gradients.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(fd[i]!, 3);
    });
    tf.dispose([activations, gradients, features]);
    model.dispose();
    disposeBatch(batch);
  });
});

describe('weightedChannelSum', () => {
  it('is Σ_k w_nk A_nk(i,j) (plain loops)', () => {
    const fx = tinyConvNetFixture();
    const weights = tf.tensor2d([0.5, -1, 2, 3, -0.25, 1.5, 0.75, -2], [2, 4]);
    const got = weightedChannelSum(weights, fx.activations).arraySync();
    const a = nhwcReader(fx.activations);
    const wv = weights.arraySync();
    for (let s = 0; s < 2; s++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++) {
          let sum = 0;
          for (let c = 0; c < 4; c++) sum += wv[s]![c]! * a.at(s, i, j, c);
          expect(got[s]![i]![j]!).toBeCloseTo(sum, 5);
        }
    expect(() => weightedChannelSum(tf.zeros([2, 3]), fx.activations)).toThrow(/do not match/);
    weights.dispose();
    fx.dispose();
  });
});

describe('defineGradientMethod', () => {
  it('trains the WGAP classifier as CAM does, min-max normalises the hook map, and releases its tensors', () => {
    const sumOfActivations = defineGradientMethod({
      id: 'sum-probe',
      title: 'probe',
      citation: '-',
      paperKey: 'Probe (nobody, 2026)',
      hyperparams: z.object({ ...gradientBaseShape }).strict(),
      rawMaps: singlePassMaps(({ activations }) => tf.sum(activations, 3) as tf.Tensor3D),
    });
    expect(describeMethod(sumOfActivations)).toEqual({
      id: 'sum-probe',
      title: 'probe',
      paperKey: 'Probe (nobody, 2026)',
      group: 'weakly-supervised',
    });
    expect(sumOfActivations.requirements).toEqual({});
    expect(sumOfActivations.family).toBe('gradient');
    expect(sumOfActivations.hyperparams.parse({})).toEqual({ reuseCamRun: false });
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<WgapModel>(sumOfActivations, { channels: 2 });
    const losses = trainSteps(sumOfActivations, model, batch, 4, hp, 0.1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const before = tf.memory().numTensors;
    const classes = [0, 1, 0, 1];
    for (let r = 0; r < 3; r++) {
      const maps = sumOfActivations.localize(model, batch.images, classes, stepContext(hp));
      const expected = tf.tidy(() => {
        const s = tf.sum(model.forward(batch.images, { training: false }).features, 3);
        const min = tf.min(s, [1, 2], true);
        return tf.div(tf.sub(s, min), tf.sub(tf.max(s, [1, 2], true), min));
      });
      const got = maps.dataSync();
      expected.dataSync().forEach((v, i) => {
        expect(got[i]!).toBeCloseTo(v, 5);
      });
      tf.dispose([maps, expected]);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    disposeBatch(batch);
  });
});
