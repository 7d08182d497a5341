import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type ResultRecord, RunConfig, resultPath } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { silentProgress } from './progress.js';
import { tempDirs, testEnv, tinyBackboneFactory, tinyCamMethod, tinyDataset, tinyReluCamMethod } from './testing.js';
import { RunInterruptedError, trainRun, trainShared } from './train.js';

beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

const { make: tmp, removeAll } = tempDirs('wslbench-shared-');
afterAll(removeAll);

const config = (method: string, resultsDir: string, hp: Record<string, unknown> = {}) =>
  RunConfig.parse({
    method,
    backbone: 'tiny',
    dataset: 'tiny-synth',
    seed: 5,
    epochs: 3,
    input: { resize: 16, crop: 16, eval: 16 },
    optimizer: { lr: 0.02, batchSize: 4, stepSize: 2 },
    selection: { every: 1, report: 'best_localization', fromEpoch: 1 },
    hp,
    resultsDir,
  });
const deps = (extra = {}) => ({
  dataset: tinyDataset(),
  createBackbone: tinyBackboneFactory,
  env: testEnv,
  progress: silentProgress(),
  ...extra,
});
const reuse = { reuseTinyCamRun: true };
/** A record's numbers and choices: everything but timings, dates and where it was written. */
const numbers = (r: ResultRecord) =>
  JSON.stringify({ ...r, durations: null, createdAt: null, config: { ...r.config, resultsDir: null } });

describe('trainShared', () => {
  let separate: ResultRecord[];

  it('one training serves runs that share it: each record equals its separate training', async () => {
    const a = tmp();
    separate = [
      await trainRun(config('tiny-cam', a), { ...deps(), method: tinyCamMethod }),
      await trainRun(config('tiny-relu-cam', a, reuse), { ...deps(), method: tinyReluCamMethod }),
    ];
    const b = tmp();
    const before = tf.memory().numTensors;
    const shared = await trainShared([config('tiny-cam', b), config('tiny-relu-cam', b, reuse)], {
      ...deps(),
      methods: [tinyCamMethod, tinyReluCamMethod],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(shared.map(numbers)).toEqual(separate.map(numbers));
    for (const r of shared) expect(existsSync(join(b, resultPath({ ...r, dataset: 'tiny-synth' })))).toBe(true);

    // The same training (losses), but each method selected on its own maps.
    const [cam, relu] = shared as [ResultRecord, ResultRecord];
    expect(relu.selection.map((e) => e.trainLoss)).toEqual(cam.selection.map((e) => e.trainLoss));
    expect(relu.selection.map((e) => e.pxap)).not.toEqual(cam.selection.map((e) => e.pxap));
    expect(relu.test!.pxap).not.toBe(cam.test!.pxap);
  });

  it('without the reuse flag the method trains on its own streams, and sharing is refused', async () => {
    const own = await trainRun(config('tiny-relu-cam', tmp()), { ...deps(), method: tinyReluCamMethod });
    expect(own.selection[1]!.trainLoss).not.toBe(separate[0]!.selection[1]!.trainLoss);
    const dir = tmp();
    await expect(
      trainShared([config('tiny-cam', dir), config('tiny-relu-cam', dir)], {
        ...deps(),
        methods: [tinyCamMethod, tinyReluCamMethod],
      }),
    ).rejects.toThrow(/'tiny-relu-cam' trains as 'tiny-relu-cam', 'tiny-cam' as 'tiny-cam'/);
    await expect(
      trainShared([config('tiny-cam', dir), { ...config('tiny-relu-cam', dir, reuse), seed: 6 }], {
        ...deps(),
        methods: [tinyCamMethod, tinyReluCamMethod],
      }),
    ).rejects.toThrow(/run configs of 'tiny-cam' and 'tiny-relu-cam' differ beyond method and hp/);
  });

  it('an interrupted shared training resumes every run to the same records', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const progress = {
      ...silentProgress(),
      step: (s: { epoch: number; step: number }) => {
        if (s.epoch === 2 && s.step === 2) controller.abort();
      },
    };
    const configs = [config('tiny-cam', dir), config('tiny-relu-cam', dir, reuse)];
    const methods = [tinyCamMethod, tinyReluCamMethod];
    const err = await trainShared(configs, { ...deps({ progress, signal: controller.signal }), methods }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RunInterruptedError);
    expect((err as RunInterruptedError).lastCheckpointEpoch).toBe(1);
    const resumed = await trainShared(configs, { ...deps({ resume: true }), methods });
    expect(resumed.map(numbers)).toEqual(separate.map(numbers));
  });
});
