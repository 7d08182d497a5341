import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RunConfig, resultPath } from '@wslbench/core';
import { ensureSynthetic } from '@wslbench/data';
import { configName } from './grid.js';
import { runSyntheticBenchmark } from './run.js';

/** Two cells (CAM, GAP) configured at seed 1 on a tiny synthetic preset, every record already present. */
describe('runSyntheticBenchmark: which records are the board', () => {
  let root: string;
  let configs: string;
  const results = () => join(root, 'results');
  const touch = (method: string, seed: number) => {
    const file = join(
      results(),
      resultPath({ method, backbone: 'vgg16:w0.125', dataset: 'synth-glas', fold: 0, seed }),
    );
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{}');
  };
  const lines: string[] = [];
  const run = (opts: { methods?: string[]; seeds?: number[]; restartSeeds?: boolean }) =>
    runSyntheticBenchmark({ ...opts, resultsDir: results(), configsDir: configs, write: (l) => lines.push(l) });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'wsl-bench-'));
    configs = join(root, 'configs');
    mkdirSync(configs);
    for (const method of ['cam', 'gap']) {
      const config = RunConfig.parse({
        method,
        backbone: 'vgg16:w0.125',
        dataset: 'synth-glas',
        seed: 1,
        dataRoot: join(root, 'data'),
        synth: { size: 32, seed: 0, counts: { train: [1, 1], valcl: [1, 1], test: [1, 1], valpx: 1 } },
      });
      writeFileSync(
        join(configs, `${configName(method, config.backbone, 'synth-glas', 0)}.json`),
        JSON.stringify(config),
      );
      for (const seed of [0, 1, 2]) touch(method, seed);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const file = (method: string, seed: number) =>
    resultPath({ method, backbone: 'vgg16:w0.125', dataset: 'synth-glas', fold: 0, seed });

  test('by default every cell at seeds 0, 1 and 2, every method on the board even when --methods runs some', async () => {
    const r = await run({ methods: ['cam'] });
    expect(r.outcomes).toEqual([]);
    expect(r.cells.map((c) => c.name)).toEqual([0, 1, 2].map((s) => `cam_vgg16-w0.125_synth-glas_f0_s${s}`));
    expect([...r.boardFiles].sort()).toEqual(
      [0, 1, 2].flatMap((s) => [file('cam', s)]).concat([0, 1, 2].map((s) => file('gap', s))),
    );
    expect(lines).toContain('[bench] 3 cells, 3 already done, 0 to run');
  });

  test('--restart-seeds: the configured seed of every method; records of other seeds are named', async () => {
    lines.length = 0;
    const r = await run({ methods: ['cam'], restartSeeds: true });
    expect(r.cells.map((c) => c.config.method)).toEqual(['cam']);
    expect([...r.boardFiles].sort()).toEqual([file('cam', 1), file('gap', 1)]);
    expect(lines).toContain('[bench] 1 cells, 1 already done, 0 to run');
    expect(lines.some((l) => l.includes('4 record(s)') && l.includes('the leaderboard leaves them out'))).toBe(true);
    await expect(run({ restartSeeds: true, seeds: [0] })).rejects.toThrow(
      '--restart-seeds and --seeds exclude each other',
    );
  });

  test('with --seeds, every listed seed of every cell', async () => {
    const r = await run({ seeds: [0, 2] });
    expect([...r.boardFiles].sort()).toEqual([file('cam', 0), file('cam', 2), file('gap', 0), file('gap', 2)]);
  });
});

describe('runSyntheticBenchmark: data preflight', () => {
  test('a corrupt image stops the bench before the first cell, naming the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wsl-bench-pre-'));
    try {
      const pair = (a: number, b: number): [number, number] => [a, b];
      const synth = { size: 32, seed: 0, counts: { train: pair(2, 2), valcl: pair(1, 1), test: pair(1, 1), valpx: 1 } };
      const config = RunConfig.parse({
        method: 'cam',
        backbone: 'vgg16:w0.125',
        dataset: 'synth-glas',
        dataRoot: join(root, 'data'),
        input: { resize: 32, crop: 32, eval: 32 },
        optimizer: { batchSize: 2 },
        epochs: 1,
        synth,
      });
      mkdirSync(join(root, 'configs'));
      writeFileSync(
        join(root, 'configs', `${configName('cam', config.backbone, 'synth-glas', 0)}.json`),
        JSON.stringify(config),
      );
      const { dir } = await ensureSynthetic('synth-glas', join(root, 'data', 'synth-glas'), synth);
      const bad = join(dir, 'images', 'test_002.png');
      writeFileSync(bad, 'not a png');
      const lines: string[] = [];
      await expect(
        runSyntheticBenchmark({
          resultsDir: join(root, 'results'),
          configsDir: join(root, 'configs'),
          seeds: [0],
          write: (l) => lines.push(l),
        }),
      ).rejects.toThrow(`${bad}: cannot decode image`);
      expect(lines).toContain('[bench] 1 cells, 0 already done, 1 to run');
      expect(existsSync(join(root, 'results', resultPath(config)))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
