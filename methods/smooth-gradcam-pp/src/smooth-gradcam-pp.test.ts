import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { learnsToyTask, stepContext } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { activationsAndGradients, gradCamPlusPlusMap as gradCamPlusPlus } from '@wslbench/gradient-cam';
import { nhwcReader, tinyConvNetFixture, trainedTinyWgap, wave } from '@wslbench/gradient-cam/testing';
import { minMaxNormalize } from '@wslbench/metrics';
import { mapFromActivations, method, smoothRawMaps } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/**
 * Smooth Grad-CAM++ written independently with loops over the passes' typed arrays.
 * Paper: α = ḡ2/(2ḡ2 + ΣA_clean·ḡ3(i,j)) (0 where ḡ2 = 0), w = Σ α ReLU(ḡ1), map over A_clean.
 * Reference (torchcam): α = ḡ2/(2ḡ2 + Σ_ab[A_clean·ḡ3] + 1e-8), w = Σ α ReLU(g_last), map over A_last.
 */
function smoothLoops(clean: tf.Tensor4D, acts: tf.Tensor4D[], grads: tf.Tensor4D[], reference: boolean): number[] {
  const A = nhwcReader(clean);
  const G = grads.map(nhwcReader);
  const last = { a: nhwcReader(acts[acts.length - 1]!), g: G[G.length - 1]! };
  const [n, h, w, k] = A.shape;
  const mean = (p: number, s: number, i: number, j: number, c: number) =>
    G.reduce((acc, g) => acc + g.at(s, i, j, c) ** p, 0) / G.length;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const weights: number[] = [];
    for (let c = 0; c < k; c++) {
      let sumA = 0;
      let sumAg3 = 0;
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          sumA += A.at(s, i, j, c);
          sumAg3 += A.at(s, i, j, c) * mean(3, s, i, j, c);
        }
      let wk = 0;
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const m2 = mean(2, s, i, j, c);
          if (reference) {
            wk += (m2 / (2 * m2 + sumAg3 + 1e-8)) * Math.max(last.g.at(s, i, j, c), 0);
          } else {
            const alpha = m2 > 0 ? m2 / (2 * m2 + sumA * mean(3, s, i, j, c)) : 0;
            wk += alpha * Math.max(mean(1, s, i, j, c), 0);
          }
        }
      weights.push(wk);
    }
    const mapActs = reference ? last.a : A;
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        let m = 0;
        for (let c = 0; c < k; c++) m += weights[c]! * mapActs.at(s, i, j, c);
        out.push(Math.max(m, 0));
      }
  }
  return out;
}

function expectSameUpToScale(got: ArrayLike<number>, expected: number[]): void {
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  expect(got.length).toBe(expected.length);
  expected.forEach((v, i) => {
    expect(got[i]! / scale).toBeCloseTo(v / scale, 5);
  });
}

describe('Smooth-GradCAM++', () => {
  it('hook matches the paper form and the torchcam reference form on a tiny conv net with 3 noisy passes (loops)', () => {
    const clean = tinyConvNetFixture();
    const noisy = [1, 2, 3].map((phase) => tinyConvNetFixture({ noisePhase: phase, noiseScale: 0.3 }));
    const inputs = {
      activations: clean.activations,
      noisyActivations: noisy.map((f) => f.activations),
      noisyGradients: noisy.map((f) => f.gradients),
    };
    for (const reference of [false, true]) {
      const got = mapFromActivations(inputs, { referenceLastNoisyPass: reference });
      expect(got.shape).toEqual([2, 3, 4]);
      expectSameUpToScale(
        got.dataSync(),
        smoothLoops(clean.activations, inputs.noisyActivations, inputs.noisyGradients, reference),
      );
      got.dispose();
    }
    expect(() => mapFromActivations({ ...inputs, noisyGradients: [] })).toThrow(/at least one noisy pass/);
    clean.dispose();
    noisy.forEach((f) => {
      f.dispose();
    });
  });

  it('batched passes with injected noise equal the hook on separately computed passes, and per-image maps', () => {
    const { model, batch } = trainedTinyWgap(method, { steps: 2 });
    const classes = [0, 1, 0, 1];
    const shape = batch.images.shape;
    const noises = [0.4, 1.3, 2.2].map((p) =>
      tf.tensor4d(
        wave(
          shape.reduce((a, b) => a * b),
          p,
          0.3,
        ),
        shape,
      ),
    );
    for (const referenceLastNoisyPass of [false, true]) {
      const opts = { referenceLastNoisyPass };
      const fused = smoothRawMaps(model, batch.images, classes, 3, (s) => noises[s]!, opts);
      const passes = noises.map((e) => tf.tidy(() => activationsAndGradients(model, tf.add(batch.images, e), classes)));
      const clean = tf.tidy(() => model.forward(batch.images, { training: false }).features);
      const hook = mapFromActivations(
        {
          activations: clean,
          noisyActivations: passes.map((p) => p.activations),
          noisyGradients: passes.map((p) => p.gradients),
        },
        opts,
      );
      expectSameUpToScale(fused.dataSync(), Array.from(hook.dataSync()));
      const perImage: number[] = [];
      for (let i = 0; i < 4; i++) {
        const one = tf.tidy(() =>
          smoothRawMaps(model, tf.slice(batch.images, i, 1), [classes[i]!], 3, (s) => tf.slice(noises[s]!, i, 1), opts),
        );
        perImage.push(...one.dataSync());
        one.dispose();
      }
      expectSameUpToScale(fused.dataSync(), perImage);
      tf.dispose([fused, hook, clean, ...passes.flatMap((p) => [p.activations, p.gradients])]);
    }
    tf.dispose(noises);
    model.dispose();
    disposeBatch(batch);
  });

  it('trains; seeded maps in [0,1]; equals GradCAM++ on the WGAP head by default; memory returns to baseline', () => {
    const { model, hp, batch, losses } = trainedTinyWgap(method);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(hp).toEqual({ reuseCamRun: false, numSamples: 4, noiseStd: 0.3, referenceLastNoisyPass: false });
    const classes = [0, 1, 0, 1];
    const run = (h: object, seed = 0) => {
      const maps = method.localize(model, batch.images, classes, stepContext({ ...hp, ...h }, seed));
      const v = Array.from(maps.dataSync());
      expect(maps.shape).toEqual([4, 4, 4]);
      maps.dispose();
      return v;
    };
    const paper = run({});
    expect(Math.min(...paper)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...paper)).toBeLessThanOrEqual(1);
    // GAP + FC: g = W_fc/hw whatever the input, so noise cannot change ḡ; with clean activations the map is GradCAM++'s.
    const plusPlus = tf.tidy(() =>
      minMaxNormalize(gradCamPlusPlus(activationsAndGradients(model, batch.images, classes))),
    );
    // float32: ḡ2, ḡ3 are means of 4 equal terms and α's denominator 2 + ΣA·g cancels partly, hence 5e-4.
    plusPlus.dataSync().forEach((v, i) => {
      expect(paper[i]!).toBeCloseTo(v, 3);
    });
    plusPlus.dispose();
    // Reference mode: the last noisy pass's activations make the map depend on the seeded noise.
    const refA = run({ referenceLastNoisyPass: true }, 1);
    const refB = run({ referenceLastNoisyPass: true }, 1);
    const refC = run({ referenceLastNoisyPass: true }, 2);
    expect(refA).toEqual(refB);
    expect(Math.max(...refA.map((v, i) => Math.abs(v - refC[i]!)))).toBeGreaterThan(1e-3);
    expect(Math.max(...refA.map((v, i) => Math.abs(v - paper[i]!)))).toBeGreaterThan(1e-3);
    // Without noise the reference form coincides with the paper form on this head, up to torchcam's ε = 1e-8 in α
    // (here g² ~ 1e-5, so ε moves α by ~1e-3 relative).
    const refNoNoise = run({ referenceLastNoisyPass: true, noiseStd: 0 });
    refNoNoise.forEach((v, i) => {
      expect(v).toBeCloseTo(paper[i]!, 2);
    });
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) run({ referenceLastNoisyPass: r % 2 === 1 });
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
