import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, restoreRng, rngStream } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { classActivationMaps, crossEntropy, type WgapModel } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import { hideAndSeek, hidePatchesMask, method, scaledGridSize } from './index.js';

/** Plain CAM of the WGAP classifier: min-max normalised Σ_k w_ck A_k of the inference-mode features. */
const plainCam = (model: WgapModel, images: tf.Tensor4D, classes: number[]) =>
  tf.tidy(() => {
    const { features } = model.forward(images, { training: false });
    return minMaxNormalize(classActivationMaps(features, model.fc.kernel as tf.Tensor2D, classes));
  });

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('HaS patch hiding', () => {
  it('scales the 5 px grid with the input size', () => {
    expect(scaledGridSize(5, 224)).toBe(5);
    expect(scaledGridSize(5, 448)).toBe(10);
    expect(scaledGridSize(5, 64)).toBe(1); // 1.43 -> 1
    expect(scaledGridSize(5, 16)).toBe(1); // 0.36 -> min 1
    expect(scaledGridSize(4, 112)).toBe(2);
  });

  it('hides whole patches (edge patches clipped), each with probability p', () => {
    const [n, h, w, g, p] = [40, 13, 11, 3, 0.3];
    const rng = rngStream(1, 'has-test');
    let hidden = 0;
    let patches = 0;
    let mixedPatches = 0;
    for (let draw = 0; draw < 25; draw++) {
      const m = hidePatchesMask(n, h, w, g, p, rng);
      for (let i = 0; i < n; i++)
        for (let y0 = 0; y0 < h; y0 += g)
          for (let x0 = 0; x0 < w; x0 += g) {
            const v0 = m[(i * h + y0) * w + x0]!;
            for (let y = y0; y < Math.min(h, y0 + g); y++)
              for (let x = x0; x < Math.min(w, x0 + g); x++) if (m[(i * h + y) * w + x] !== v0) mixedPatches++;
            patches++;
            if (v0 === 0) hidden++;
          }
    }
    // 40 images x 5 x 4 patches x 25 draws = 20000 patches: sd of the fraction ~ 0.003.
    expect(mixedPatches).toBe(0);
    expect(patches).toBe(20000);
    expect(Math.abs(hidden / patches - p)).toBeLessThan(0.015);
  });

  it('zeroes the hidden pixels of the normalised image in every channel, keeps the others', () => {
    const images = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const out = hideAndSeek(images, 5 * 14, 0.5, rngStream(2, 'has')); // 70 px at 224 -> 5 px at 16
    const mask = hidePatchesMask(2, 16, 16, 5, 0.5, rngStream(2, 'has'));
    const a = images.dataSync();
    const b = out.dataSync();
    let zeroed = 0;
    for (let i = 0; i < mask.length; i++)
      for (let c = 0; c < 3; c++) {
        expect(b[i * 3 + c]).toBeCloseTo(mask[i] === 1 ? a[i * 3 + c]! : 0, 6);
        if (mask[i] === 0) zeroed++;
      }
    expect(zeroed).toBeGreaterThan(0);
    expect(zeroed).toBeLessThan(mask.length * 3);
    tf.dispose([images, out]);
  });
});

describe('HaS method', () => {
  it('hides only in training: loss = CE on the hidden batch, localize/classify = plain CAM', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<WgapModel>(method, { hp: { gridSize: 56, dropRate: 0.5 } });
    const ctx = stepContext(hp, 7);
    const replay = restoreRng(ctx.rng.state());
    const got = tf.tidy(() => method.loss(model, batch, ctx).dataSync()[0]!);
    const want = tf.tidy(() => {
      const hidden = hideAndSeek(batch.images, 56, 0.5, replay);
      return crossEntropy(model.forward(hidden, { training: true, rng: replay }).logits, batch.labels).dataSync()[0]!;
    });
    expect(got).toBeCloseTo(want, 5);
    const plain = tf.tidy(
      () => crossEntropy(model.forward(batch.images, { training: true }).logits, batch.labels).dataSync()[0]!,
    );
    expect(Math.abs(got - plain)).toBeGreaterThan(1e-4);
    const classes = [0, 1, 0, 1];
    const [m1, m2] = tf.tidy(() => [
      method.localize(model, batch.images, classes, stepContext(hp)).arraySync(),
      plainCam(model, batch.images, classes).arraySync(),
    ]);
    expect(m1).toEqual(m2);
    model.dispose();
    disposeBatch(batch);
  });

  it('learns the toy task and releases its tensors', () => {
    expect(
      learnsToyTask(method, { hp: { dropRate: 0.25, gridSize: 56 }, steps: 20, trainBackbone: true, lossWindow: 4 }),
    ).toEqual([]);
  });
});
