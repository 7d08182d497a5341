import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightSnapshot } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import type { PretrainStage } from './grid.js';
import { pretrainEncoder, readPretrained } from './pretrain.js';
import { TILE_CLASSES } from './tissue-tiles.js';

const BACKBONE = 'vgg16:w0.125';
const TILES: PretrainStage = { task: 'tiles', epochs: 1, lr: 0.001 };
const IMAGES: PretrainStage = { task: 'images', epochs: 2, lr: 0.001 };

/** End to end on a pool of 3 train images per class and preset (the shipped encoders use 400). */
describe('pretrainEncoder', () => {
  let root: string;
  const opts = (dir: string) => ({ dir, dataRoot: join(root, 'pool'), poolPerClass: 3, batchSize: 6 });

  beforeAll(async () => {
    await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
    root = mkdtempSync(join(tmpdir(), 'wsl-pretrain-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('two stages, recorded; resuming after the first ends with the uninterrupted run’s encoder; tensors released', async () => {
    const before = tf.memory().numTensors;
    const full = readPretrained(
      await pretrainEncoder(BACKBONE, { ...opts(join(root, 'full')), stages: [TILES, IMAGES] }),
    );
    expect(tf.memory().numTensors).toBe(before);

    const h = full.header;
    expect(h.schema).toBe('wslbench/pretrained-encoder@2');
    expect(h.stages.map((s) => [s.task, s.epochs, s.lr, s.history.length])).toEqual([
      ['tiles', 1, 0.001, 1],
      ['images', 2, 0.001, 2],
    ]);
    expect(h.stages[0]!.classes).toEqual([...TILE_CLASSES]);
    expect(h.stages[1]!.classes).toEqual([
      'synth-glas:benign',
      'synth-glas:malignant',
      'synth-camelyon:normal',
      'synth-camelyon:tumor',
    ]);
    for (const s of h.stages)
      for (const e of s.history) {
        expect(Number.isFinite(e.loss) && e.loss > 0).toBe(true);
        expect(e.trainAccuracy).toBeGreaterThanOrEqual(0);
        expect(e.trainAccuracy).toBeLessThanOrEqual(100);
      }
    expect(h.data[0]).toContain('"train":[3,3]');
    // Only the encoder is kept (no head), every weight finite.
    const names = Object.keys(full.weights);
    expect(names.length).toBeGreaterThan(10);
    expect(names.every((n) => n.startsWith(h.prefix))).toBe(true);
    expect(Object.values(full.weights).every((w) => w.data.every(Number.isFinite))).toBe(true);

    const first = readPretrained(await pretrainEncoder(BACKBONE, { ...opts(join(root, 'first')), stages: [TILES] }));
    expect(maxDiff(first.weights, full.weights)).toBeGreaterThan(0); // the second stage changed the encoder
    const resumed = readPretrained(
      await pretrainEncoder(BACKBONE, {
        ...opts(join(root, 'resumed')),
        stages: [TILES, IMAGES],
        resume: { encoder: first.weights, completed: first.header.stages },
      }),
    );
    expect(maxDiff(resumed.weights, full.weights)).toBe(0);
    expect(resumed.header.stages).toEqual(h.stages);
  }, 120_000);

  test('a resume that leaves nothing to run, or departs from the recipe, is refused before training', async () => {
    const first = readPretrained(await pretrainEncoder(BACKBONE, { ...opts(join(root, 'first')), stages: [TILES] }));
    const resume = { encoder: first.weights, completed: first.header.stages };
    await expect(pretrainEncoder(BACKBONE, { ...opts(join(root, 'x')), stages: [TILES], resume })).rejects.toThrow(
      `pretraining ${BACKBONE}: no stage left to run (1 resumed of 1)`,
    );
    await expect(
      pretrainEncoder(BACKBONE, { ...opts(join(root, 'x')), stages: [{ ...TILES, lr: 0.01 }, IMAGES], resume }),
    ).rejects.toThrow(`pretraining ${BACKBONE}: resumed stage 1 (tiles:1:0.001) differs from the recipe's`);
  }, 60_000);
});

function maxDiff(a: WeightSnapshot, b: WeightSnapshot): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let m = 0;
  for (const [k, w] of Object.entries(a)) {
    const v = b[k]!.data;
    for (let i = 0; i < w.data.length; i++) m = Math.max(m, Math.abs(w.data[i]! - v[i]!));
  }
  return m;
}
