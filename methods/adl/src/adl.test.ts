import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, restoreRng, rngStream } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { classActivationMaps, crossEntropy, type WgapModel } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import { adlAttention, adlDropMask, adlInsertHook, adlTrain, method } from './index.js';

/** Plain CAM of the WGAP classifier: min-max normalised Σ_k w_ck A_k of the inference-mode features. */
const plainCam = (model: WgapModel, images: tf.Tensor4D, classes: number[]) =>
  tf.tidy(() => {
    const { features } = model.forward(images, { training: false });
    return minMaxNormalize(classActivationMaps(features, model.fc.kernel as tf.Tensor2D, classes));
  });

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

// One image, 2x3 positions, 2 channels; channel means: [[1, 4, 10], [-2, 7.5, 0.5]], max 10.
const handMade = () =>
  tf.tensor4d(
    [
      [
        [
          [0, 2],
          [3, 5],
          [9, 11],
        ],
        [
          [-3, -1],
          [7, 8],
          [1, 0],
        ],
      ],
    ],
    [1, 2, 3, 2],
  );

describe('ADL layer', () => {
  it('thresholds the channel-mean attention at threshold · max', () => {
    const x = handMade();
    const att = adlAttention(x);
    expect(Array.from(att.dataSync())).toEqual([1, 4, 10, -2, 7.5, 0.5]);
    expect(Array.from(adlDropMask(att, 0.5).dataSync())).toEqual([1, 1, 0, 1, 0, 1]); // < 5
    expect(Array.from(adlDropMask(att, 0.8).dataSync())).toEqual([1, 1, 0, 1, 1, 1]); // < 8
    expect(Array.from(adlDropMask(att, 0.1).dataSync())).toEqual([0, 0, 0, 1, 0, 1]); // < 1
    tf.dispose([x, att]);
  });

  it('takes the drop branch with probability dropRate (one draw per call), else multiplies by sigmoid(att)', () => {
    const x = handMade();
    const xs = x.dataSync();
    const att = [1, 4, 10, -2, 7.5, 0.5];
    const drop = [1, 1, 0, 1, 0, 1];
    for (const dropRate of [0.4, 0.75]) {
      const rng = rngStream(11, 'adl', dropRate);
      let dropped = 0;
      let mismatches = 0;
      const calls = 600;
      for (let c = 0; c < calls; c++) {
        const out = adlTrain(x, { dropRate, threshold: 0.5 }, rng);
        const ys = out.y.dataSync();
        for (let p = 0; p < 6; p++)
          for (let k = 0; k < 2; k++) {
            const factor = out.dropped ? drop[p]! : 1 / (1 + Math.exp(-att[p]!));
            if (Math.abs(ys[p * 2 + k]! - xs[p * 2 + k]! * factor) > 1e-5) mismatches++;
          }
        if (out.dropped) dropped++;
        out.y.dispose();
      }
      expect(mismatches).toBe(0);
      // sd of the fraction <= 0.02 over 600 calls.
      expect(Math.abs(dropped / calls - dropRate)).toBeLessThan(0.06);
    }
    x.dispose();
  });

  it('is the identity at inference', () => {
    const x = handMade();
    const hook = adlInsertHook({ dropRate: 1, threshold: 0.5 }, { training: false });
    expect(hook('anything', x)).toBe(x);
    x.dispose();
  });
});

describe('ADL method', () => {
  it('applies ADL at each insertion point in training; inference = plain CAM', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<WgapModel>(method, { hp: { dropRate: 0.5, threshold: 0.5 } });
    const ctx = stepContext(hp, 21);
    const replay = restoreRng(ctx.rng.state());
    const got = tf.tidy(() => method.loss(model, batch, ctx).dataSync()[0]!);
    const points: string[] = [];
    const want = tf.tidy(() => {
      const logits = model.forward(batch.images, {
        training: true,
        rng: replay,
        insert: (p, x) => {
          points.push(p);
          return adlTrain(x, hp as { dropRate: number; threshold: number }, replay).y;
        },
      }).logits;
      return crossEntropy(logits, batch.labels).dataSync()[0]!;
    });
    expect(points).toEqual([...model.backbone.insertionPoints]);
    expect(got).toBeCloseTo(want, 5);
    const plain = tf.tidy(
      () => crossEntropy(model.forward(batch.images, { training: true }).logits, batch.labels).dataSync()[0]!,
    );
    expect(Math.abs(got - plain)).toBeGreaterThan(1e-4);
    const [m1, m2] = tf.tidy(() => [
      method.localize(model, batch.images, [1, 1, 0, 0], stepContext(hp)).arraySync(),
      plainCam(model, batch.images, [1, 1, 0, 0]).arraySync(),
    ]);
    expect(m1).toEqual(m2);
    model.dispose();
    disposeBatch(batch);
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { steps: 20, trainBackbone: true, lossWindow: 4 })).toEqual([]);
  });
});
