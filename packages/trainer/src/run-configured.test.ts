import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunConfig, rngStream } from '@wslbench/core';
import { drawFewShot } from '@wslbench/data';
import { openConfiguredDataset } from './run-configured.js';

describe('openConfiguredDataset', () => {
  let dataRoot: string;
  beforeAll(() => {
    dataRoot = mkdtempSync(join(tmpdir(), 'wsl-valpx-'));
  });
  afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

  test('the few-shot valpx draw is the same for every run seed (restarts are selected on the same images)', async () => {
    const counts = { train: [2, 2], valcl: [6, 6], test: [2, 2], valpx: 2 };
    const open = (seed: number) =>
      openConfiguredDataset(
        RunConfig.parse({
          method: 'cam',
          backbone: 'vgg16:w0.125',
          dataset: 'synth-glas',
          seed,
          dataRoot,
          synth: { size: 32, seed: 0, magnification: 1, counts },
        }),
      );
    const ids = async (seed: number) => (await open(seed)).rows('valpx').map((r) => r.id);
    const atZero = await ids(0);
    expect(atZero).toHaveLength(4);
    expect(await ids(5)).toEqual(atZero);
    // A draw seeded by the run's seed would have picked other images: the check above can fail.
    const valcl = (await open(5)).rows('valcl');
    const seededByRun = drawFewShot(valcl, 2, 2, rngStream(5, 'valpx', 'synth-glas', 0)).map((r) => r.id);
    expect(seededByRun).not.toEqual(atZero);
  });
});
