import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import {
  guidanceMask,
  maskedBceWithLogits,
  method,
  minForegroundPixels,
  type SpgModel,
  type SpgOutput,
  spgGuidanceLoss,
  type ThresholdPair,
} from './index.js';

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/** The reference's get_mask in plain loops: 255 = ignored. */
function referenceMask(att: number[], high: number, low: number, minFg: number): number[] {
  const mask = att.map(() => 255);
  let fgThr = high;
  if (att.filter((a) => a > high).length < minFg) fgThr = Math.max(...att) * 0.7;
  att.forEach((a, i) => {
    if (a > fgThr) mask[i] = 1;
  });
  att.forEach((a, i) => {
    if (a < low) mask[i] = 0;
  });
  return mask;
}

const PAIRS: [ThresholdPair, ThresholdPair, ThresholdPair] = [
  [0.7, 0.01],
  [0.5, 0.05],
  [0.7, 0.1],
];

describe('SPG guidance masks', () => {
  it('scales the 30-pixel rule with the map area', () => {
    expect(minForegroundPixels(224, 224)).toBe(30);
    expect(minForegroundPixels(112, 112)).toBe(8); // 7.5 -> 8
    expect(minForegroundPixels(64, 64)).toBe(2);
    expect(minForegroundPixels(16, 16)).toBe(1);
  });

  it('fg > high, bg < low, the rest ignored; fewer than minFg px above high -> fg > 0.7·max', () => {
    // 8x8 maps. Image 0: p/100 (max 0.63, nothing above 0.5/0.7 -> fallback 0.441). Image 1: ramp p/63 (19 px > 0.7,
    // 31 px > 0.5). Image 2: 40 px at 0.9, the rest 0.3 (no fallback at minFg 30).
    const a0 = Array.from({ length: 64 }, (_, p) => p / 100);
    const a1 = Array.from({ length: 64 }, (_, p) => p / 63);
    const a2 = Array.from({ length: 64 }, (_, p) => (p < 40 ? 0.9 : 0.3));
    const att = tf.tensor3d([...a0, ...a1, ...a2], [3, 8, 8]);
    const check = (high: number, low: number, minFg: number) => {
      const { target, weight } = guidanceMask(att, high, low, minFg);
      const t = target.dataSync();
      const w = weight.dataSync();
      const got = Array.from(t, (v, i) => (w[i] === 0 ? 255 : v));
      const want = [
        ...referenceMask(a0, high, low, minFg),
        ...referenceMask(a1, high, low, minFg),
        ...referenceMask(a2, high, low, minFg),
      ];
      expect(got).toEqual(want);
      tf.dispose([target, weight]);
      return want;
    };
    for (const [high, low] of PAIRS) for (const minFg of [30, 2]) check(high, low, minFg);
    // Hand-stated cases. (0.7, 0.01), 30 px: image 0 falls back to > 0.441 -> p >= 45 (19 px); bg only p = 0.
    const m = check(0.7, 0.01, 30);
    expect(m.slice(0, 64).filter((v) => v === 1).length).toBe(19);
    expect(m.slice(0, 64).filter((v) => v === 0).length).toBe(1);
    // Image 1: 19 px > 0.7 < 30 -> 0.7·max = 0.7 again: the same 19 px. Image 2: 40 px > 0.7, no fallback, no bg.
    expect(m.slice(64, 128).filter((v) => v === 1).length).toBe(19);
    expect(m.slice(128).filter((v) => v === 1).length).toBe(40);
    expect(m.slice(128).filter((v) => v === 255).length).toBe(24);
    // (0.5, 0.05), 30 px: image 1 has 32 px > 0.5 (p >= 32), bg p/63 < 0.05 -> p <= 3.
    const m2 = check(0.5, 0.05, 30);
    expect(m2.slice(64, 128).filter((v) => v === 1).length).toBe(32);
    expect(m2.slice(64, 128).filter((v) => v === 0).length).toBe(4);
    // Background overrides foreground: a map whose max is below low is all background.
    const tiny = tf.tensor3d(
      Array.from({ length: 64 }, (_, p) => p / 1000),
      [1, 8, 8],
    );
    const g = guidanceMask(tiny, 0.7, 0.1, 30);
    expect(Array.from(g.target.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(g.weight.dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose([att, tiny, g.target, g.weight]);
  });

  it('BCE with logits averages over the kept pixels only', () => {
    const logits = tf.tensor3d([2, -1, 0.5, -3], [1, 2, 2]);
    const mask = { target: tf.tensor3d([1, 0, 0, 1], [1, 2, 2]), weight: tf.tensor3d([1, 1, 0, 1], [1, 2, 2]) };
    const bce = (x: number, z: number) =>
      -(z * Math.log(1 / (1 + Math.exp(-x))) + (1 - z) * Math.log(1 - 1 / (1 + Math.exp(-x))));
    const want = (bce(2, 1) + bce(-1, 0) + bce(-3, 1)) / 3;
    expect(maskedBceWithLogits(logits, mask).dataSync()[0]).toBeCloseTo(want, 5);
    tf.dispose([logits, mask.target, mask.weight]);
  });
});

describe('SPG method', () => {
  const hp0 = { headChannels: 8 };

  it('guidance maps pass no gradient: the guidance loss trains B1, B2, C only', () => {
    const r = (shape: [number, number, number, number], seed: number) =>
      tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    const maps = r([2, 4, 4, 2], 1);
    const b1 = r([2, 8, 8, 1], 2);
    const b2 = r([2, 4, 4, 1], 3);
    const c = r([2, 4, 4, 1], 4);
    const as4d = (t: tf.Tensor) => t as tf.Tensor4D;
    const loss = (m: tf.Tensor, x1: tf.Tensor, x2: tf.Tensor, xc: tf.Tensor) =>
      spgGuidanceLoss(
        { maps: as4d(m), logits: tf.zeros([2, 2]), b1: as4d(x1), b2: as4d(x2), c: as4d(xc) } as SpgOutput,
        [0, 1],
        [16, 16],
        PAIRS,
      );
    const grads = tf.grads(loss)([maps, b1, b2, c]);
    const absSum = (t: tf.Tensor) => tf.sum(tf.abs(t)).dataSync()[0]!;
    expect(absSum(grads[0]!)).toBe(0);
    for (const g of grads.slice(1)) expect(absSum(g)).toBeGreaterThan(0);
    tf.dispose([maps, b1, b2, c, ...grads]);
  });

  it('uses the stages before the last as side taps on the tiny backbone; localize = min-max SPG-A map', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<SpgModel>(method, { hp: hp0 });
    expect(model.sideTaps).toEqual(['f1', 'f2']);
    tf.tidy(() => {
      const out = model.forward(batch.images, { training: false });
      expect(out.b1.shape).toEqual([4, 16, 16, 1]);
      expect(out.b2.shape).toEqual([4, 8, 8, 1]);
      expect(out.c.shape).toEqual([4, 4, 4, 1]);
      const maps = method.localize(model, batch.images, [1, 0, 1, 0], stepContext(hp)).arraySync();
      const raw = out.maps.arraySync();
      [1, 0, 1, 0].forEach((cls, i) => {
        const vals = raw[i]!.flat().map((px) => px[cls]!);
        const [lo, hi] = [Math.min(...vals), Math.max(...vals)];
        maps[i]!.flat().forEach((v, p) => {
          expect(v).toBeCloseTo((vals[p]! - lo) / (hi - lo), 5);
        });
      });
    });
    model.dispose();
    disposeBatch(batch);
  });

  it('learns the toy task (CE + guidance) and releases its tensors', () => {
    for (const guidanceClass of ['predicted', 'groundTruth'] as const) {
      const hp = { ...hp0, guidanceClass };
      expect(learnsToyTask(method, { hp, steps: 12, lr: 0.05, trainBackbone: true })).toEqual([]);
    }
  });
});
