import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from '@wslbench/core';
import { runCell } from './cell.js';
import { GridFile } from './grid-file.js';
import { type GridCell, type Manifest, planManifest, writeManifest } from './manifest.js';
import { mergeRunFolder } from './merge.js';
import { cellState, cellsToResume, gridStatus, readError, resultFile } from './run-folder.js';
import { fakeRecord, fakeTrainer } from './testing.js';

const grid = GridFile.parse({
  base: { epochs: 1 },
  axes: { method: ['gap', 'cam', 'negev'], backbone: ['vgg16:w0.0625'], dataset: ['synth-glas'], seed: [0] },
});

describe('the cell and its run folder', () => {
  let dir: string;
  let m: Manifest;
  const cell = (i: number) => m.cells[i] as GridCell;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-grid-cell-'));
    m = planManifest(grid);
    writeManifest(dir, m);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('runs once: a valid result with the same config hash makes the next call return at once', async () => {
    const t = fakeTrainer();
    const first = await runCell(dir, { index: 0 }, { train: t.train, executor: 'test' });
    expect(first.status).toBe('ok');
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]?.resultsDir).toBe(join(dir, 'cells', cell(0).id));
    const result = JSON.parse(readFileSync(resultFile(dir, cell(0).id), 'utf8'));
    expect(result).toMatchObject({ id: cell(0).id, configHash: cell(0).configHash, attempt: 1, executor: 'test' });
    expect(result.record.test.pxap).toBe(30.003);
    const mtime = statSync(resultFile(dir, cell(0).id)).mtimeMs;
    expect((await runCell(dir, { id: cell(0).id }, { train: t.train, executor: 'test' })).status).toBe('skipped');
    expect(t.calls).toHaveLength(1);
    expect(statSync(resultFile(dir, cell(0).id)).mtimeMs).toBe(mtime);
    expect(existsSync(join(dir, 'results', cell(0).id, 'running.json'))).toBe(false);
  });

  test('a result of another config (hash) is not valid: the cell is missing and runs again', async () => {
    const t = fakeTrainer();
    await runCell(dir, { index: 0 }, { train: t.train, executor: 'test' });
    const file = resultFile(dir, cell(0).id);
    writeFileSync(file, readFileSync(file, 'utf8').replace(cell(0).configHash, 'aaaaaaaaaaaa'));
    expect(cellState(dir, cell(0))).toMatchObject({
      state: 'missing',
      detail: expect.stringMatching(/config hash aaaaaaaaaaaa/),
    });
    expect((await runCell(dir, { index: 0 }, { train: t.train, executor: 'test' })).status).toBe('ok');
    expect(t.calls).toHaveLength(2);
  });

  test('failures leave error.json with the attempt; earlier attempts are kept; a diverged record is a failure', async () => {
    const boom = async (): Promise<never> => {
      throw new Error('out of memory');
    };
    expect((await runCell(dir, { index: 0 }, { train: boom, executor: 'test' })).status).toBe('failed');
    expect(readError(dir, cell(0).id)).toMatchObject({ attempt: 1, message: expect.stringMatching(/out of memory/) });
    expect(gridStatus(dir, m).counts).toEqual({ ok: 0, failed: 1, running: 0, missing: 2 });
    const diverged = async (config: RunConfig) => ({
      ...fakeRecord(config, { valpx: 1, valcl: 1, testPxap: 1 }),
      status: 'failed' as const,
      failure: { reason: 'loss is NaN', epoch: 1, step: 3 },
    });
    await runCell(dir, { index: 0 }, { train: diverged, executor: 'test' });
    expect(readError(dir, cell(0).id)).toMatchObject({
      attempt: 2,
      message: expect.stringMatching(/loss is NaN/),
      record: { status: 'failed' },
    });
    expect(existsSync(join(dir, 'results', cell(0).id, 'error-1.json'))).toBe(true);
    const ok = await runCell(dir, { index: 0 }, { train: fakeTrainer().train, executor: 'test' });
    expect(ok.status === 'ok' && ok.result.attempt).toBe(3);
    expect(cellState(dir, cell(0)).state).toBe('ok');
  });

  test('a fault file fails the cell once (the executors test their failure paths with it)', async () => {
    const faults = join(dir, 'faults');
    mkdirSync(faults);
    writeFileSync(join(faults, cell(0).id), '');
    const t = fakeTrainer();
    expect((await runCell(dir, { index: 0 }, { train: t.train, executor: 'test', faultDir: faults })).status).toBe(
      'failed',
    );
    expect(t.calls).toHaveLength(0);
    expect((await runCell(dir, { index: 0 }, { train: t.train, executor: 'test', faultDir: faults })).status).toBe(
      'ok',
    );
  });

  test("NEGEV needs its CAM cell's result and gets a copy of its checkpoints", async () => {
    const negev = m.cells.find((c) => c.method === 'negev') as GridCell;
    const cam = m.cells.find((c) => c.method === 'cam') as GridCell;
    const t = fakeTrainer();
    const early = await runCell(dir, { id: negev.id }, { train: t.train, executor: 'test' });
    expect(early.status === 'failed' && early.message).toMatch(/needs the classifier of cam__/);
    await runCell(dir, { id: cam.id }, { train: t.train, executor: 'test' });
    expect((await runCell(dir, { id: negev.id }, { train: t.train, executor: 'test' })).status).toBe('ok');
    const ckpt = join('checkpoints', 'runs', 'synth-glas', 'cam', 'vgg16_w0.0625', 'f0-s0', 'checkpoint.json');
    expect(JSON.parse(readFileSync(join(dir, 'cells', negev.id, ckpt), 'utf8'))).toEqual({ method: 'cam', seed: 0 });
  });

  test('resume picks every cell without a valid result (a dead attempt included); merge needs them all', async () => {
    const t = fakeTrainer();
    await runCell(dir, { index: 0 }, { train: t.train, executor: 'test' });
    // An attempt killed on this host: running.json with a pid that no longer exists.
    mkdirSync(join(dir, 'results', cell(1).id), { recursive: true });
    const dead = {
      host: (await import('node:os')).hostname(),
      pid: 2 ** 22 + 17,
      executor: 'test',
      attempt: 1,
      startedAt: 'x',
    };
    writeFileSync(join(dir, 'results', cell(1).id, 'running.json'), JSON.stringify(dead));
    expect(cellState(dir, cell(1))).toMatchObject({ state: 'running', lost: true });
    expect(cellsToResume(dir, m).map((c) => c.index)).toEqual([1, 2]);
    expect(() => mergeRunFolder(dir, m)).toThrow(/2 of 3 cells have no valid result/);
    const partial = mergeRunFolder(dir, m, { partial: true });
    expect(partial.complete).toBe(false);
    expect(partial.missing).toHaveLength(2);
    for (const i of [1, 2]) await runCell(dir, { index: i }, { train: t.train, executor: 'test' });
    const merged = mergeRunFolder(dir, m);
    expect(merged.complete).toBe(true);
    expect(merged.leaderboardMd).toMatch(/\| GAP \| 30\.0 \|/);
    expect(existsSync(join(dir, 'merged', 'runs', 'synth-glas', 'cam', 'vgg16_w0.0625', 'f0-s0.json'))).toBe(true);
  });
});
