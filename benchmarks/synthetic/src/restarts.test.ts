import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AnyMethod, type ResultRecord, RunConfig, resultPath } from '@wslbench/core';
import { validationView } from '@wslbench/grid';
import type { Cell } from './cells.js';
import { configName } from './grid.js';
import { chooseRestarts, type RestartsFile, readRestartsFile, writeRestartsFile } from './restarts.js';
import { atSeeds, otherSeedRecords, parseSeedList } from './run.js';

const methods = new Map<string, AnyMethod>([
  ['cam', { id: 'cam', requirements: {} } as AnyMethod],
  ['gap', { id: 'gap', requirements: {} } as AnyMethod],
  ['negev', { id: 'negev', requirements: { classifierFrom: 'cam' } } as AnyMethod],
  ['unet', { id: 'unet', family: 'supervised', requirements: {} } as AnyMethod],
]);

function cell(method: string, dataset = 'synth-glas'): Cell {
  const config = RunConfig.parse({ method, backbone: 'vgg16:w0.125', dataset });
  return { name: configName(method, config.backbone, dataset, 0), config };
}

/**
 * A trial record whose valpx curve is `valpx` (epoch 0 first), best_localization epoch `best`, and valcl accuracy
 * `valcl` at every epoch.
 */
function record(
  c: Cell,
  seed: number,
  valpx: number[],
  best: number | null,
  status: 'ok' | 'failed' = 'ok',
  valcl = 80,
) {
  return {
    schema: 'wslbench/result@1',
    status,
    method: c.config.method,
    backbone: c.config.backbone,
    dataset: c.config.dataset,
    fold: 0,
    seed,
    config: { ...c.config, seed, hp: { ...c.config.hp, methodDefault: 1 } },
    selection: valpx.map((pxap, epoch) => ({ epoch, pxap, clAccuracy: valcl, trainLoss: null, lr: null })),
    bestLocalizationEpoch: best,
    bestClassificationEpoch: best,
    // Test scores run opposite to valpx: the choice must not read them.
    test: status === 'ok' ? { pxap: 100 - valpx[best ?? 0]!, clAccuracy: 50, iou: 0, dice: 0, bestTau: 0 } : null,
    durations: { trainS: 1, evalS: 1, totalS: 2 },
    env: { backend: 'wasm', tfjsVersion: '4.22.0', node: 'v22', platform: 'linux', packages: {}, commit: null },
    createdAt: '2026-11-27T00:00:00Z',
  } satisfies ResultRecord;
}

describe('restart search', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'restarts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const put = (
    c: Cell,
    seed: number,
    valpx: number[],
    best: number | null,
    status?: 'ok' | 'failed',
    valcl?: number,
  ) => {
    const file = join(dir, resultPath({ ...c.config, seed }));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(record(c, seed, valpx, best, status, valcl)));
  };

  test('validationView reads the best_localization epoch, not the last or the highest', () => {
    const c = cell('cam');
    expect(validationView(record(c, 0, [70, 40, 55, 50], 2, 'ok', 65))).toEqual({ valpx: 55, valcl: 65 });
    expect(validationView(record(c, 0, [70, 40], null))).toEqual({ valpx: null, valcl: null });
    expect(validationView(record(c, 0, [70, 40], 1, 'failed'))).toEqual({ valpx: null, valcl: null });
  });

  test('keeps the seed with the best selected valpx; ties go to the lowest seed; failed trials never win', () => {
    const cam = cell('cam');
    const gap = cell('gap');
    put(cam, 0, [30, 41, 40], 1);
    put(cam, 1, [30, 44, 48], 2);
    put(cam, 2, [30, 47, 46], 1);
    put(gap, 0, [30, 45], 1);
    put(gap, 1, [30, 45], 1);
    put(gap, 2, [30, 90], 1, 'failed');
    const r = chooseRestarts([cam, gap], [0, 1, 2], dir, methods);
    expect(r.cells[cam.name]).toEqual({
      seed: 1,
      rule: 'best-valpx',
      trials: [
        { seed: 0, valpx: 41, valcl: 80 },
        { seed: 1, valpx: 48, valcl: 80 },
        { seed: 2, valpx: 47, valcl: 80 },
      ],
    });
    expect(r.cells[gap.name]!.seed).toBe(0);
    expect(r.cells[gap.name]!.trials[2]).toEqual({ seed: 2, valpx: null, valcl: null });
    // Ties go to the lowest seed whatever the order the seeds are listed in.
    expect(chooseRestarts([gap], [2, 1, 0], dir, methods).cells[gap.name]!.seed).toBe(0);
    writeFileSync(join(dir, resultPath({ ...gap.config, seed: 1 })), '{"schema":');
    expect(() => chooseRestarts([gap], [0, 1], dir, methods)).toThrow(/f0-s1\.json: not valid JSON/);
  });

  test('a trial whose selected classifier is at chance on valcl is passed over, unless none classifies', () => {
    const cam = cell('cam');
    const gap = cell('gap');
    const unet = cell('unet');
    put(cam, 0, [30, 60], 1, 'ok', 50); // the best maps, from a classifier at chance
    put(cam, 1, [30, 52], 1, 'ok', 55);
    put(cam, 2, [30, 51, 58], 1, 'ok', 90);
    put(gap, 0, [30, 40], 1, 'ok', 50);
    put(gap, 1, [30, 45], 1, 'ok', 45);
    put(gap, 2, [30, 44], 1, 'ok', 50);
    put(unet, 0, [30, 40], 1, 'ok', 50); // no classifier: valpx alone decides
    put(unet, 1, [30, 70], 1, 'ok', 50);
    put(unet, 2, [30, 50], 1, 'ok', 50);
    const r = chooseRestarts([cam, gap, unet], [0, 1, 2], dir, methods);
    expect(r.cells[cam.name]).toMatchObject({ seed: 1, rule: 'best-valpx' });
    expect(r.cells[gap.name]).toMatchObject({ seed: 1, rule: 'best-valpx-none-classifies' });
    expect(r.cells[unet.name]).toMatchObject({ seed: 1, rule: 'best-valpx' });
  });

  test('a method built on another classifier takes its prerequisite’s seed, whatever its own valpx', () => {
    const cam = cell('cam');
    const negev = cell('negev');
    put(negev, 0, [30, 80], 1);
    put(negev, 1, [30, 20], 1);
    put(cam, 0, [30, 40], 1);
    put(cam, 1, [30, 60], 1);
    // NEGEV listed first: the prerequisite is still chosen before it.
    const r = chooseRestarts([negev, cam], [0, 1], dir, methods);
    expect(r.cells[cam.name]!.seed).toBe(1);
    expect(r.cells[negev.name]).toMatchObject({ seed: 1, rule: 'prerequisite' });
  });

  test('cells without trials keep their previous choice; a missing seed or all-failed trials are errors', () => {
    const cam = cell('cam');
    const gap = cell('gap');
    const previous: RestartsFile = {
      schema: 'wslbench/restarts@1',
      criterion: 'x',
      cells: { [gap.name]: { seed: 2, rule: 'best-valpx', trials: [] } },
    };
    put(cam, 0, [30, 40], 1);
    put(cam, 1, [30, 39], 1);
    const r = chooseRestarts([cam, gap], [0, 1], dir, methods, previous);
    expect(r.cells[gap.name]!.seed).toBe(2);
    expect(r.cells[cam.name]!.seed).toBe(0);

    expect(() => chooseRestarts([cam], [0, 1, 2], dir, methods)).toThrow(
      new RegExp(`f0-s2\\.json: no seed-2 trial of ${cam.name}`),
    );
    put(gap, 0, [30, 40], 1, 'failed');
    put(gap, 1, [30, 40], null);
    expect(() => chooseRestarts([gap], [0, 1], dir, methods)).toThrow(`${gap.name}: every trial failed (seeds 0,1)`);
    expect(() => chooseRestarts([cam], [7], dir, methods)).toThrow('no trial of any cell for seeds 7');
  });

  test('a trial trained with other hyper-parameters than its cell is refused, naming the field', () => {
    const cam = cell('cam');
    put(cam, 0, [30, 40], 1);
    const moved = { ...cam, config: { ...cam.config, optimizer: { ...cam.config.optimizer, lr: 0.5 } } };
    expect(() => chooseRestarts([moved], [0], dir, methods)).toThrow(
      `the trial ran with another optimizer than ${cam.name}'s config (rerun the search)`,
    );
    const hp = { ...cam, config: { ...cam.config, hp: { dropRate: 0.75 } } };
    expect(() => chooseRestarts([hp], [0], dir, methods)).toThrow('another hp.dropRate than');
    // Defaults filled in by the trainer (hp keys the cell does not set) and key order are not differences.
    expect(chooseRestarts([cam], [0], dir, methods).cells[cam.name]!.seed).toBe(0);
  });

  test('the choice file round-trips and a malformed one names its field', () => {
    const file = join(dir, 'restarts.json');
    const r: RestartsFile = {
      schema: 'wslbench/restarts@1',
      criterion: 'c',
      cells: { a: { seed: 1, rule: 'best-valpx', trials: [{ seed: 1, valpx: 50, valcl: 70 }] } },
    };
    writeRestartsFile(file, r);
    expect(readRestartsFile(file)).toEqual(r);
    expect(readRestartsFile(join(dir, 'absent.json'))).toBeUndefined();
    writeFileSync(file, JSON.stringify({ ...r, cells: { a: { seed: 'one', rule: 'best-valpx', trials: [] } } }));
    expect(() => readRestartsFile(file)).toThrow(/restarts\.json: cells\.a\.seed: /);
  });

  test('atSeeds makes one named cell per seed and rejects bad seed lists', () => {
    const cells = atSeeds([cell('cam'), cell('gap')], [0, 3]);
    expect(cells.map((c) => [c.name, c.config.seed])).toEqual([
      [`${cell('cam').name}_s0`, 0],
      [`${cell('cam').name}_s3`, 3],
      [`${cell('gap').name}_s0`, 0],
      [`${cell('gap').name}_s3`, 3],
    ]);
    expect(() => atSeeds([cell('cam')], [1, 1])).toThrow('--seeds: 1,1 repeats a seed');
    expect(() => atSeeds([cell('cam')], [-1])).toThrow("--seeds: '-1' is not a non-negative integer");
    expect(parseSeedList(' 0, 2,10')).toEqual([0, 2, 10]);
    expect(() => parseSeedList('0,1.5')).toThrow("--seeds: '1.5' is not a non-negative integer");
    expect(() => parseSeedList('0,,1', 'seeds')).toThrow("seeds: '' is not a non-negative integer");
  });

  test('otherSeedRecords lists records of configured cells at seeds no config names', () => {
    const cam = cell('cam');
    const gap = cell('gap');
    put(cam, 0, [30, 40], 1);
    put(cam, 2, [30, 40], 1);
    put(gap, 1, [30, 40], 1);
    put(cell('negev'), 1, [30, 40], 1); // not a configured cell here: not listed
    const configured = [
      { ...cam, config: { ...cam.config, seed: 2 } },
      { ...gap, config: { ...gap.config, seed: 1 } },
    ];
    const board = (cells: Cell[]) => new Set(cells.map((c) => resultPath(c.config)));
    expect(otherSeedRecords(board(configured), dir)).toEqual([resultPath({ ...cam.config, seed: 0 })]);
    expect(otherSeedRecords(board(atSeeds([cam], [0, 2])), dir)).toEqual([]);
  });
});
