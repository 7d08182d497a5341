import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { type ResultRecord, RunConfig, resultPath } from '@wslbench/core';
import { generateSynthetic, openDataset } from '@wslbench/data';
import { initEngine } from '@wslbench/engine';
import { runStreams } from './model-setup.js';
import { silentProgress } from './progress.js';
import { testEnv, tinyBackboneFactory, tinyCamMethod } from './testing/fixtures.js';
import { trainRun } from './train.js';

let dir: string;
beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'wsl-identity-'));
  await generateSynthetic('synth-glas', join(dir, 'a', 'ds'), {
    size: 24,
    counts: { train: [4, 4], valcl: [3, 3], test: [2, 2], valpx: 2 },
  });
  cpSync(join(dir, 'a', 'ds'), join(dir, 'elsewhere', 'copy'), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (dataset: string, resultsDir: string) =>
  RunConfig.parse({
    method: 'tiny-cam',
    backbone: 'tiny',
    dataset,
    seed: 1,
    epochs: 1,
    input: { resize: 16, crop: 16, eval: 16 },
    optimizer: { lr: 0.02, batchSize: 4 },
    resultsDir,
  });
/** Everything a run decided and measured: not its timings, date, results folder or the dataset path it was given. */
const numbers = (r: ResultRecord) =>
  JSON.stringify({ ...r, durations: null, createdAt: null, config: { ...r.config, resultsDir: null, dataset: null } });

describe('dataset identity', () => {
  test('a copy of a dataset folder elsewhere trains to the same record, filed at the same relative path', async () => {
    const records: ResultRecord[] = [];
    for (const where of [join(dir, 'a', 'ds'), join(dir, 'elsewhere', 'copy')]) {
      const dataset = await openDataset({ dataset: where });
      const c = config(where, join(dir, `results-${records.length}`));
      records.push(
        await trainRun(c, {
          method: tinyCamMethod,
          dataset,
          createBackbone: tinyBackboneFactory,
          env: testEnv,
          progress: silentProgress(),
        }),
      );
    }
    const [a, b] = records as [ResultRecord, ResultRecord];
    expect(a.dataset).toMatch(/^folder-[0-9a-f]{12}$/);
    expect(b.dataset).toBe(a.dataset);
    expect(numbers(b)).toBe(numbers(a));
    // The record path has no absolute path in it (the report checks records against it).
    expect(resultPath(a)).toBe(`runs/${a.dataset}/tiny-cam/tiny/f0-s1.json`);
  });

  test('the identity follows the split files: another split gives other streams; presets keep their names', async () => {
    const other = join(dir, 'other');
    await generateSynthetic('synth-glas', other, {
      size: 24,
      counts: { train: [4, 5], valcl: [3, 3], test: [2, 2], valpx: 2 },
    });
    const a = await openDataset({ dataset: join(dir, 'a', 'ds') });
    const o = await openDataset({ dataset: other });
    expect(o.id).not.toBe(a.id);
    const c = config('x', 'r');
    expect(runStreams(c, 'cam', o.id).init()()).not.toBe(runStreams(c, 'cam', a.id).init()());
    // A preset's identity is its name, as before: the benchmark's seeds (and committed board) do not move.
    const preset = await openDataset({
      dataset: 'synth-glas',
      dataRoot: join(dir, 'root'),
      synth: { size: 24, counts: { train: [2, 2], valcl: [2, 2], test: [1, 1], valpx: 1 } },
    });
    expect(preset.id).toBe('synth-glas');
  });
});
