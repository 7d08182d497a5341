import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, restoreRng, rngStream } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { crossEntropy, type WgapModel } from '@wslbench/heads';
import { cutmix, cutmixBox, lambdaFromBox, method, sampleBeta } from './index.js';

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));

describe('CutMix sampling', () => {
  it('draws Beta(a, b) with the right mean and variance', () => {
    const rng = rngStream(0, 'beta');
    for (const [a, b] of [
      [1, 1],
      [2, 2],
      [0.5, 0.5],
      [1, 3],
    ] as const) {
      const xs = Array.from({ length: 4000 }, () => sampleBeta(a, b, rng));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(1);
      expect(mean(xs)).toBeCloseTo(a / (a + b), 1);
      expect(variance(xs)).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 2);
    }
  });

  it('boxes: side int(size·√(1−λ)) rounded to even when inside, clipped at the borders; λ recomputed from the area', () => {
    const rng = rngStream(1, 'box');
    const [h, w] = [20, 24];
    let clipped = 0;
    for (let i = 0; i < 500; i++) {
      const lam = rng();
      const box = cutmixBox(h, w, lam, rng);
      expect(0 <= box.y1 && box.y1 <= box.y2 && box.y2 <= h).toBe(true);
      expect(0 <= box.x1 && box.x1 <= box.x2 && box.x2 <= w).toBe(true);
      const fullH = 2 * Math.floor(Math.trunc(h * Math.sqrt(1 - lam)) / 2);
      const fullW = 2 * Math.floor(Math.trunc(w * Math.sqrt(1 - lam)) / 2);
      const sideH = box.y2 - box.y1;
      const sideW = box.x2 - box.x1;
      expect(sideH).toBeLessThanOrEqual(fullH);
      expect(sideW).toBeLessThanOrEqual(fullW);
      if (box.y1 > 0 && box.y2 < h) expect(sideH).toBe(fullH);
      if (box.x1 > 0 && box.x2 < w) expect(sideW).toBe(fullW);
      if (sideH < fullH || sideW < fullW) clipped++;
      expect(lambdaFromBox(box, h, w)).toBeCloseTo(1 - (sideH * sideW) / (h * w), 10);
      expect(lambdaFromBox(box, h, w)).toBeGreaterThanOrEqual(lam - 1e-9);
    }
    expect(clipped).toBeGreaterThan(50);
  });

  it('pastes the box from the permuted batch and keeps the rest', () => {
    const images = tf.randomNormal([5, 12, 12, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const out = cutmix(images, 1, rngStream(5, 'mix'));
    const { box, perm, lam } = out;
    expect([...perm].sort()).toEqual([0, 1, 2, 3, 4]);
    const a = images.arraySync();
    const b = out.images.arraySync();
    let inside = 0;
    for (let i = 0; i < 5; i++)
      for (let y = 0; y < 12; y++)
        for (let x = 0; x < 12; x++) {
          const inBox = y >= box.y1 && y < box.y2 && x >= box.x1 && x < box.x2;
          if (inBox && i === 0) inside++;
          expect(b[i]![y]![x]).toEqual(inBox ? a[perm[i]!]![y]![x] : a[i]![y]![x]);
        }
    expect(lam).toBeCloseTo(1 - inside / 144, 10);
    tf.dispose([images, out.images]);
  });
});

describe('CutMix method', () => {
  const replayLoss = (model: WgapModel, batch: ReturnType<typeof toyBatch>, state: object) =>
    tf.tidy(() => {
      const rng = restoreRng(state);
      expect(rng()).toBeLessThan(1); // the prob draw (prob = 1)
      const m = cutmix(batch.images, 1, rng);
      const logits = model.forward(m.images, { training: true }).logits;
      const ceA = crossEntropy(logits, batch.labels).dataSync()[0]!;
      const yb = m.perm.map((j) => batch.labels.arraySync()[j]!);
      const ceB = crossEntropy(logits, tf.tensor1d(yb, 'int32')).dataSync()[0]!;
      return { ceA, ceB, lam: m.lam };
    });

  it('loss = λ·CE(y_a) + (1−λ)·CE(y_b) with the recomputed λ; mixLabels=false gives CE(y_a) on the mixed batch', () => {
    const batch = toyBatch(6, 16);
    for (const mixLabels of [true, false]) {
      const { model, hp } = buildOnTiny<WgapModel>(method, { hp: { mixLabels } });
      for (const seed of [3, 4, 5]) {
        const ctx = stepContext(hp, seed);
        const state = ctx.rng.state();
        const got = tf.tidy(() => method.loss(model, batch, ctx).dataSync()[0]!);
        const { ceA, ceB, lam } = replayLoss(model, batch, state);
        expect(lam).toBeGreaterThan(0);
        expect(got).toBeCloseTo(mixLabels ? lam * ceA + (1 - lam) * ceB : ceA, 5);
      }
      model.dispose();
    }
    disposeBatch(batch);
  });

  it('prob = 0 trains on the plain batch', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<WgapModel>(method, { hp: { prob: 0 } });
    const got = tf.tidy(() => method.loss(model, batch, stepContext(hp, 9)).dataSync()[0]!);
    const want = tf.tidy(
      () => crossEntropy(model.forward(batch.images, { training: true }).logits, batch.labels).dataSync()[0]!,
    );
    expect(got).toBeCloseTo(want, 5);
    model.dispose();
    disposeBatch(batch);
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { hp: { prob: 0.5 }, steps: 20, trainBackbone: true, lossWindow: 4 })).toEqual([]);
  });
});
