import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ResultRecord, RunConfig } from '@wslbench/core';
import { runCell } from './cell.js';
import { chooseRunFolder, chooseSearch, chooseTrial, portablePaths, validationView } from './choose.js';
import { GridFile } from './grid-file.js';
import { type GridCell, planManifest, readManifest, writeManifest } from './manifest.js';
import { fakeRecord } from './testing.js';

const searchGrid = () =>
  GridFile.parse({
    base: { epochs: 1, optimizer: { lr: 0.01 } },
    axes: { method: ['cam'], backbone: ['vgg16:w0.0625'], dataset: ['synth-glas'], seed: [0, 1, 2] },
    search: { trials: 4, seed: 3 },
  });

/** A record whose test scores throw when read: any selection step that touches them fails the test. */
function guarded(record: ResultRecord): ResultRecord {
  return new Proxy(record, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key.startsWith('test')) throw new Error(`choosing read the test field '${key}'`);
      return Reflect.get(target, key, receiver);
    },
  });
}

const recordOf = (cell: GridCell, valpx: number, valcl: number, testPxap: number) =>
  fakeRecord(RunConfig.parse({ ...cell.config }), { valpx, valcl, testPxap });

describe('choosing a searched configuration (valpx only)', () => {
  test('chooseTrial: highest valpx among trials above chance on valcl; ties to the lowest trial', () => {
    const v = (trial: number, valpx: number | null, valcl: number | null) => ({ trial, view: { valpx, valcl } });
    expect(chooseTrial([v(0, 60, 80), v(1, 70, 50), v(2, 65, 75), v(3, null, null)], false)).toEqual({
      trial: 2,
      rule: 'best-valpx',
    });
    expect(chooseTrial([v(0, 60, 50), v(1, 70, 40)], false)).toEqual({ trial: 1, rule: 'best-valpx-none-classifies' });
    expect(chooseTrial([v(0, 60, 50), v(1, 70, 40)], true)).toEqual({ trial: 1, rule: 'best-valpx' });
    expect(chooseTrial([v(0, 65, 80), v(1, 65, 90)], false).trial).toBe(0);
    expect(() => chooseTrial([v(0, null, null)], false)).toThrow(/every trial failed/);
  });

  test('no step of choosing reads a test score, and the choice does not move when test scores do', () => {
    const m = planManifest(searchGrid());
    const trials = m.cells.filter((c) => c.role === 'trial');
    expect(trials).toHaveLength(4);
    const valpx = [52, 61, 58, 49];
    // Test scores ranked opposite to valpx: a chooser that peeked at test would pick trial 3.
    const records = (testOf: (t: number) => number) =>
      new Map(trials.map((c, t) => [c.id, guarded(recordOf(c, valpx[t] as number, 80, testOf(t)))]));
    const a = chooseSearch(m, (c) => validationView(records((t) => 90 - valpx[t]!).get(c.id) as ResultRecord));
    const b = chooseSearch(m, (c) => validationView(records((t) => valpx[t]!).get(c.id) as ResultRecord));
    const [key] = Object.keys(a.keys);
    expect(a.keys[key as string]?.trial).toBe(1);
    expect(b.keys[key as string]?.trial).toBe(1);
    expect(JSON.stringify(a.keys)).not.toMatch(/test/i);
    // The guard is live: reading a test field of a guarded record throws.
    expect(() => (guarded(recordOf(trials[0] as GridCell, 1, 1, 1)) as ResultRecord).test).toThrow(/test field 'test'/);
  });

  test('a search in a run folder: trials run, the choice is written (versioned file merged) and final cells added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsl-grid-choose-'));
    try {
      const m = planManifest(searchGrid());
      writeManifest(dir, m);
      const lrs = m.cells.map((c) => (c.config.optimizer as { lr: number }).lr);
      const bestLr = Math.max(...lrs);
      // valpx rises with the lr, test falls with it.
      const train = async (config: RunConfig) =>
        fakeRecord(config, {
          valpx: 40 + 100 * config.optimizer.lr,
          valcl: 80,
          testPxap: 60 - 100 * config.optimizer.lr,
        });
      for (const c of m.cells.slice(0, 3)) await runCell(dir, { id: c.id }, { train, executor: 'test' });
      expect(() => chooseRunFolder(dir, readManifest(dir))).toThrow(/has no result yet/);
      await runCell(dir, { id: (m.cells[3] as GridCell).id }, { train, executor: 'test' });
      const out = join(dir, 'search-versioned.json');
      const { search, added } = chooseRunFolder(dir, readManifest(dir), { out });
      const choice = Object.values(search.keys)[0] as (typeof search.keys)[string];
      expect(choice.values['optimizer.lr']).toBe(bestLr);
      expect((choice.config.optimizer as { lr: number }).lr).toBe(bestLr);
      expect(added.map((c) => c.seed)).toEqual([0, 1, 2]);
      expect(added.every((c) => (c.config.optimizer as { lr: number }).lr === bestLr && c.role === 'final')).toBe(true);
      const after = readManifest(dir);
      expect(after.chosen).toBe(true);
      expect(after.cells).toHaveLength(7);
      expect(existsSync(join(dir, 'search.json'))).toBe(true);
      expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('wslbench/search@1');
      expect(() => chooseRunFolder(dir, after)).toThrow(/already chosen/);
      // The final cell at the trials' training seed is the chosen trial's run: reused, not trained again.
      const trained: number[] = [];
      const counting = async (config: RunConfig) => {
        trained.push(config.seed);
        return train(config);
      };
      const outcomes = [];
      for (const c of added) outcomes.push(await runCell(dir, { id: c.id }, { train: counting, executor: 'test' }));
      expect(trained).toEqual([1, 2]);
      const reused = outcomes[0];
      expect(reused?.status === 'ok' && reused.result.reusedFrom).toBe(
        m.cells.find((c) => c.trial === choice.trial)?.id,
      );
      expect(reused?.status === 'ok' && reused.result.record.config.resultsDir).toBe(
        join(dir, 'cells', added[0]?.id as string),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the versioned file names paths under the checkout relative to it', () => {
    const config = { encoderInit: { file: '/repo/benchmarks/x.json' }, weights: '/data/w.h5', seed: 0 };
    expect(portablePaths(config, '/repo')).toEqual({
      encoderInit: { file: 'benchmarks/x.json' },
      weights: '/data/w.h5',
      seed: 0,
    });
  });
});
