import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { crossEntropy, globalAveragePool as gap, predictedClasses } from '@wslbench/heads';
import { type AcolModel, acolEraseMask, acolMap, method } from './index.js';

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

// Two images, 2x3 maps, 2 classes. Image 0: class 1 = 0,2,..,10; class 0 constant. Image 1: class 0 = 5,4,3,2,1,0.
const handMaps = () => {
  const v = new Float32Array(2 * 6 * 2);
  for (let p = 0; p < 6; p++) {
    v[p * 2] = 7; // image 0, class 0 (constant)
    v[p * 2 + 1] = 2 * p; // image 0, class 1
    v[12 + p * 2] = 5 - p; // image 1, class 0
    v[12 + p * 2 + 1] = p * p; // image 1, class 1
  }
  return tf.tensor4d(v, [2, 2, 3, 2]);
};

describe('ACoL erasing and map', () => {
  it('erases where the min-max normalised map of the class reaches τ', () => {
    const maps = handMaps();
    // image 0 class 1 normalised: 0 .2 .4 .6 .8 1; image 1 class 0: 1 .8 .6 .4 .2 0.
    expect(Array.from(acolEraseMask(maps, [1, 0], 0.5).dataSync())).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(acolEraseMask(maps, [1, 0], 0.6).dataSync())).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1]); // 0.6 >= τ erased
    expect(Array.from(acolEraseMask(maps, [1, 0], 0.1).dataSync())).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // A constant map (image 0, class 0) erases nothing; image 1 class 1 = p^2/25: 0 .04 .16 .36 .64 1.
    expect(Array.from(acolEraseMask(maps, [0, 1], 0.3).dataSync())).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    maps.dispose();
  });

  it('maps: max of the two min-max normalised class maps', () => {
    const a = handMaps();
    const b = tf.tidy(() => tf.reverse(handMaps(), 2) as tf.Tensor4D); // columns reversed
    const got = acolMap(a, b, [1, 0]).arraySync();
    const mm = (xs: number[]) => xs.map((x) => (x - Math.min(...xs)) / (Math.max(...xs) - Math.min(...xs)));
    const av = [mm([0, 2, 4, 6, 8, 10]), mm([5, 4, 3, 2, 1, 0])];
    const bv = [mm([4, 2, 0, 10, 8, 6]), mm([3, 4, 5, 0, 1, 2])];
    for (let i = 0; i < 2; i++)
      for (let p = 0; p < 6; p++)
        expect(got[i]![Math.floor(p / 3)]![p % 3]).toBeCloseTo(Math.max(av[i]![p]!, bv[i]![p]!), 6);
    tf.dispose([a, b]);
  });
});

describe('ACoL method', () => {
  const hpSmall = { headChannels: 8, threshold: 0.5 };

  it('branch B sees the features erased for the given class; localize uses the requested classes', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<AcolModel>(method, { hp: hpSmall });
    const classes = [1, 0, 0, 1];
    tf.tidy(() => {
      const out = model.forward(batch.images, { training: false }, classes);
      const { features } = model.backbone.forward(batch.images, { training: false });
      const mask = acolEraseMask(model.headA.apply(features), classes, 0.5);
      const erasedFraction = 1 - tf.mean(mask).dataSync()[0]!;
      expect(erasedFraction).toBeGreaterThan(0);
      expect(erasedFraction).toBeLessThan(1);
      const mapsB = model.headB.apply(tf.mul(features, mask) as tf.Tensor4D);
      expect(tf.max(tf.abs(tf.sub(mapsB, out.mapsB))).dataSync()[0]).toBeLessThan(1e-5);
      const unerased = model.headB.apply(features);
      expect(tf.max(tf.abs(tf.sub(unerased, out.mapsB))).dataSync()[0]).toBeGreaterThan(1e-4);
      const maps = method.localize(model, batch.images, classes, stepContext(hp));
      const want = acolMap(out.mapsA, out.mapsB, classes);
      expect(tf.max(tf.abs(tf.sub(maps, want))).dataSync()[0]).toBeLessThan(1e-6);
      expect(tf.max(tf.abs(tf.sub(method.classify(model, batch.images), out.logitsA))).dataSync()[0]).toBeLessThan(
        1e-5,
      );
    });
    model.dispose();
    disposeBatch(batch);
  });

  it('loss = CE(A) + CE(B), erasing the predicted class (reference) or the ground truth (option)', () => {
    const batch = toyBatch(4, 16);
    const labels = Array.from(batch.labels.dataSync());
    for (const eraseClass of ['predicted', 'groundTruth'] as const) {
      const { model, hp } = buildOnTiny<AcolModel>(method, { hp: { ...hpSmall, eraseClass } });
      tf.tidy(() => {
        const got = method.loss(model, batch, stepContext(hp)).dataSync()[0]!;
        const fctx = { training: true };
        const { features } = model.backbone.forward(batch.images, fctx);
        const mapsA = model.headA.apply(features);
        const erase = eraseClass === 'groundTruth' ? labels : predictedClasses(gap(mapsA));
        const mapsB = model.headB.apply(tf.mul(features, acolEraseMask(mapsA, erase, 0.5)) as tf.Tensor4D);
        const want =
          crossEntropy(gap(mapsA), batch.labels).dataSync()[0]! + crossEntropy(gap(mapsB), batch.labels).dataSync()[0]!;
        expect(got).toBeCloseTo(want, 5);
      });
      model.dispose();
    }
    disposeBatch(batch);
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { hp: { headChannels: 16 }, lr: 0.05, trainBackbone: true })).toEqual([]);
  });
});
