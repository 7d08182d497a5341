import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch, trainSteps } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { method, type UnetModel } from './index.js';

beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

const SIZE = 16;

describe('U-Net', () => {
  it('loss = mean pixel CE over the labelled pixels (255 ignored), checked with plain loops', () => {
    const { model, hp } = buildOnTiny<UnetModel>(method, { hp: { decoderScale: 1 / 16 } });
    const batch = toyBatch(2, SIZE, 5);
    // Mark one row of image 1 as ignored.
    const m = batch.masks!.arraySync() as number[][][];
    m[1]![3] = new Array(SIZE).fill(255);
    tf.dispose(batch.masks!);
    batch.masks = tf.tensor3d(m, [2, SIZE, SIZE], 'int32');
    const got = tf.tidy(() => method.loss(model, batch, stepContext(hp)).dataSync()[0]!);
    const ls = tf.tidy(() => tf.logSoftmax(model.forward(batch.images, true)).arraySync() as number[][][][]);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < 2; i++)
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++) {
          const lbl = m[i]![y]![x]!;
          if (lbl === 255) continue;
          sum -= ls[i]![y]![x]![lbl]!;
          count++;
        }
    expect(count).toBe(2 * SIZE * SIZE - SIZE);
    expect(got).toBeCloseTo(sum / count, 4);
    const noMasks = { ...batch, masks: undefined };
    expect(() => method.loss(model, noMasks, stepContext(hp))).toThrow(/no pixel masks/);
    model.dispose();
    disposeBatch(batch);
  });

  it('trains encoder and decoder in one lr group, learns the masks, maps are probabilities; memory returns to baseline', () => {
    const { model, hp } = buildOnTiny<UnetModel>(method, { hp: { decoderScale: 1 / 16 } });
    expect(model.params.trainable().every((p) => p.group === 'base')).toBe(true);
    expect(model.params.trainable().some((p) => p.name.startsWith('encoder.'))).toBe(true);
    const batch = toyBatch(8, SIZE, 0);
    const encBefore = model.params.get('encoder.conv1.kernel').variable.dataSync().slice();
    const baseline = tf.memory().numTensors;
    const losses = trainSteps(method, model, batch, 30, hp, 0.1);
    const maps = method.localize(model, batch.images, [], stepContext(hp));
    expect(maps.shape).toEqual([8, SIZE, SIZE]);
    const s = maps.dataSync();
    maps.dispose();
    tf.dispose(method.classify(model, batch.images));
    expect(tf.memory().numTensors).toBe(baseline);
    expect(model.params.get('encoder.conv1.kernel').variable.dataSync()).not.toEqual(encBefore);
    expect(losses[losses.length - 1]!).toBeLessThan(0.6 * losses[0]!);
    // Thresholded at 0.5 the map agrees with the mask on most pixels.
    const mask = batch.masks!.dataSync();
    let agree = 0;
    for (let i = 0; i < s.length; i++) if ((s[i]! > 0.5 ? 1 : 0) === mask[i]) agree++;
    expect(agree / s.length).toBeGreaterThan(0.9);
    model.dispose();
    disposeBatch(batch);
  });

  it("'backbone' lr groups keep the backbone's 10x head group", () => {
    const { model } = buildOnTiny<UnetModel>(method, { hp: { decoderScale: 1 / 16, lrGroups: 'backbone' } });
    expect(model.params.get('encoder.conv4.kernel').group).toBe('head');
    expect(model.params.get('decoder.blocks.0.conv1.kernel').group).toBe('base');
    model.dispose();
  });

  it("'decoder' lr groups: every encoder parameter at the base lr, the decoder and its head in the head group", () => {
    const { model } = buildOnTiny<UnetModel>(method, { hp: { decoderScale: 1 / 16, lrGroups: 'decoder' } });
    const groups = (prefix: string) =>
      new Set(
        model.params
          .all()
          .filter((p) => p.name.startsWith(prefix))
          .map((p) => p.group),
      );
    expect(groups('encoder.')).toEqual(new Set(['base']));
    expect(groups('decoder.')).toEqual(new Set(['head']));
    expect(groups('segmentation_head.')).toEqual(new Set(['head']));
    model.dispose();
  });
});

describe('the shared toy check', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { hp: { decoderScale: 1 / 16 }, mapSize: 16 })).toEqual([]);
  });
});
