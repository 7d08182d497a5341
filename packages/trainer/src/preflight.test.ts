import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { RunConfig } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { getMethod } from '@wslbench/registry';
import { estimateTrainingMemory, preflightRun } from './preflight.js';
import { realBackboneFactory } from './run-configured.js';
import { tinyBackboneFactory, tinyCamMethod, tinyDataset } from './testing/fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

const config = (crop: number, batchSize: number, backbone = 'tiny', method = 'tiny-cam') =>
  RunConfig.parse({
    method,
    backbone,
    dataset: 'tiny-synth',
    input: { resize: crop, crop, eval: crop },
    optimizer: { batchSize },
  });
const GiB = 2 ** 30;

describe('preflightRun', () => {
  test('a batch larger than the train split is refused', async () => {
    await expect(preflightRun(tinyCamMethod, config(16, 17), tinyDataset(), tinyBackboneFactory)).rejects.toThrow(
      'optimizer.batchSize 17 is larger than the train split of tiny-synth (16 images): every batch would repeat ' +
        'images; use --batch-size 16 or less',
    );
  });

  test('the measured step memory grows with the crop area; a batch over the wasm heap is refused with the largest that fits', async () => {
    const before = tf.memory().numTensors;
    const small = await estimateTrainingMemory(tinyCamMethod, config(16, 4), tinyDataset(), tinyBackboneFactory);
    const large = await estimateTrainingMemory(tinyCamMethod, config(32, 4), tinyDataset(), tinyBackboneFactory);
    expect(tf.memory().numTensors).toBe(before);
    expect(large.perImage / small.perImage).toBeGreaterThan(3);
    expect(large.perImage / small.perImage).toBeLessThan(5);
    expect(large.budget).toBe(4 * GiB);
    expect(large.largestBatch).toBe(Math.floor((0.9 * 4 * GiB - large.fixed) / (1.15 * large.perImage)));
    const huge = { ...tinyDataset(), size: () => 1e9 };
    const over = large.largestBatch! + 1;
    await expect(preflightRun(tinyCamMethod, config(32, over), huge, tinyBackboneFactory)).rejects.toThrow(
      `the largest batch that fits is ${large.largestBatch} (--batch-size ${large.largestBatch})`,
    );
    await expect(
      preflightRun(tinyCamMethod, config(32, large.largestBatch!), huge, tinyBackboneFactory),
    ).resolves.toMatchObject({ largestBatch: large.largestBatch });
  });

  test("the README's first example (CAM, ResNet50 at 1/8 width, default 224 px crop and batch 32) is refused on wasm", async () => {
    // Measured on the development machine: batch 8 at 224 px peaked at 2.26 GB RSS, batch 32 aborted at the 4 GB heap.
    const c = config(224, 32, 'resnet50:w0.125', 'cam');
    const ds = { ...tinyDataset(), size: () => 60 };
    const est = await estimateTrainingMemory(getMethod('cam'), c, ds, realBackboneFactory);
    expect(est.perImage / 2 ** 20).toBeGreaterThan(200);
    expect(est.perImage / 2 ** 20).toBeLessThan(350);
    expect(est.largestBatch).toBeGreaterThanOrEqual(8);
    expect(est.largestBatch).toBeLessThan(16);
    await expect(preflightRun(getMethod('cam'), c, ds, realBackboneFactory)).rejects.toThrow(
      /^a training step of cam on resnet50:w0.125 at 224 px with batch 32 needs about \d+\.\d\d GB \(\d+ MB per image\), more than the wasm backend's 3\.60 GB usable; the largest batch that fits is \d+/,
    );
  });
});
