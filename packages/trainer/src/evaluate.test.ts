import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { type AnyMethod, type MethodModel, rngStream } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { minMaxNormalize, PxapAccumulator } from '@wslbench/metrics';
import { evaluateSplit } from './evaluate.js';
import { tinyDataset } from './testing/fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

// Map = the image's per-image min-max brightness: the tiny dataset's class-1 squares (0.85-1) are brighter than any
// background pixel (0.2-0.5), so class 1 localizes perfectly; class 0 images have no foreground at all.
const brightness = {
  id: 'brightness',
  classify: (_m: MethodModel, images: tf.Tensor4D) => tf.zeros([images.shape[0], 2]),
  localize: (_m: MethodModel, images: tf.Tensor4D) => minMaxNormalize(tf.mean(images, 3) as tf.Tensor3D),
} as unknown as AnyMethod;

describe('evaluateSplit per-class PxAP', () => {
  it('splits the pooled PxAP by class: perfect class-1 maps score 100, normal images only add false positives', async () => {
    const dataset = tinyDataset({ counts: { test: 10 } });
    const manual = [new PxapAccumulator(), new PxapAccumulator()];
    const all = new PxapAccumulator();
    const fg = [0, 0];
    const px = [0, 0];
    const labelOf = (id: string) => Number(id.split('-')[1]) % 2; // tinyDataset: image i has label i % 2
    const before = tf.memory().numTensors;
    const r = await evaluateSplit(brightness, {} as MethodModel, dataset, 'test', {
      input: { resize: 16, crop: 16, eval: 16 },
      batchSize: 4,
      localization: true,
      classification: false,
      ctx: { hp: {}, rng: rngStream(0, 'evaluate-test'), numClasses: 2 },
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      onMaps: (b) => {
        const hw = b.height * b.width;
        for (let i = 0; i < b.n; i++) {
          const c = labelOf(b.ids[i]!);
          const map = b.maps.slice(i * hw, (i + 1) * hw);
          const mask = b.masks.slice(i * hw, (i + 1) * hw);
          manual[c]!.accumulate(map, mask);
          all.accumulate(map, mask);
          for (const v of mask) fg[c]! += v === 1 ? 1 : 0;
          px[c]! += hw;
        }
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    const [normal, square] = r.perClass!;
    expect(normal).toEqual({ pxap: null, foregroundFraction: 0, images: 5 });
    expect(square!.images).toBe(5);
    expect(square!.pxap).toBeCloseTo(100, 9);
    expect(square!.pxap).toBeCloseTo(manual[1]!.compute().pxap, 12);
    expect(square!.foregroundFraction).toBeCloseTo(fg[1]! / px[1]!, 12);
    expect(r.pxap).toBeCloseTo(all.compute().pxap, 12);
    expect(r.pxap!).toBeLessThan(95);
  });
});
