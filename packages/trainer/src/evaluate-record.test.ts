import { cpSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { RunConfig, resultPath } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { checkpointDir, readCheckpointHeader } from './checkpoint.js';
import { evaluateRecord } from './evaluate-record.js';
import { silentProgress } from './progress.js';
import { testEnv, tinyBackboneFactory, tinyCamMethod, tinyDataset } from './testing/fixtures.js';
import { trainRun } from './train.js';

let dir: string;
// A folder dataset of an older run: its id was the folder's absolute path.
const dataset = { ...tinyDataset(), id: '/data/my-folder' };
const key = { dataset: dataset.id, method: 'tiny-cam', backbone: 'tiny', fold: 0, seed: 2 };
const deps = {
  getMethod: () => tinyCamMethod,
  openDataset: () => dataset,
  createBackbone: tinyBackboneFactory,
};
beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'wsl-evalrec-'));
  const config = RunConfig.parse({
    method: 'tiny-cam',
    backbone: 'tiny',
    dataset: dataset.id,
    seed: 2,
    epochs: 1,
    input: { resize: 16, crop: 16, eval: 16 },
    optimizer: { lr: 0.02, batchSize: 4 },
    resultsDir: join(dir, 'results'),
  });
  await trainRun(config, {
    method: tinyCamMethod,
    dataset,
    createBackbone: tinyBackboneFactory,
    env: testEnv,
    progress: silentProgress(),
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluateRecord refuses what it cannot read', () => {
  test("a copied results folder without checkpoints is an error naming the copy, never the original's checkpoint", async () => {
    cpSync(join(dir, 'results', 'runs'), join(dir, 'copy', 'runs'), { recursive: true });
    const record = join(dir, 'copy', resultPath(key));
    await expect(evaluateRecord(record, deps)).rejects.toThrow(
      `No checkpoint header (state.json) in ${checkpointDir(join(dir, 'copy'), key)}`,
    );
    // The original still evaluates.
    expect((await evaluateRecord(join(dir, 'results', resultPath(key)), deps)).which).toBe('best_localization');
  });

  test('a deleted weights blob is named, not a raw ENOENT', async () => {
    const ckpt = checkpointDir(join(dir, 'results'), key);
    const blob = readCheckpointHeader(ckpt)!.best.best_localization!.weights.file;
    unlinkSync(join(ckpt, blob));
    await expect(evaluateRecord(join(dir, 'results', resultPath(key)), deps)).rejects.toThrow(
      `Checkpoint blob ${join(ckpt, blob)} is missing`,
    );
  });
});
