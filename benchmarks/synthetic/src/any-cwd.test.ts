import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEncoderFile } from '@wslbench/trainer';
import { readCellConfigs } from './cells.js';
import { DEFAULT_CONFIGS_DIR, pretrainJobsFor } from './run.js';

describe('the benchmark from another working directory', () => {
  const home = process.cwd();
  let elsewhere: string;
  beforeAll(() => {
    elsewhere = mkdtempSync(join(tmpdir(), 'wsl-cwd-'));
    process.chdir(elsewhere);
  });
  afterAll(() => {
    process.chdir(home);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test("finds the shipped pretrained encoders its configs name (repository-relative), so nothing is 'missing'", () => {
    const cells = readCellConfigs(DEFAULT_CONFIGS_DIR);
    const file = cells[0]!.config.encoderInit!.file;
    expect(file).toMatch(/^benchmarks\/synthetic\/pretrained\//); // relative, as written by write-configs
    expect(pretrainJobsFor(cells)).toEqual([]);
    const snapshot = readEncoderFile(file);
    expect(Object.keys(snapshot).length).toBeGreaterThan(10);
  });

  test('a missing encoder outside the default location is named by its absolute path', () => {
    const cells = readCellConfigs(DEFAULT_CONFIGS_DIR).slice(0, 1);
    const cell = { ...cells[0]!, config: { ...cells[0]!.config, encoderInit: { file: 'nowhere/enc.json' } } };
    expect(() => pretrainJobsFor([cell])).toThrow(/\/nowhere\/enc\.json: missing pretrained encoder/);
  });
});
