import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GridFile } from './grid-file.js';
import { planManifest, readManifest, writeManifest } from './manifest.js';

const grid = (over: Record<string, unknown> = {}) =>
  GridFile.parse({
    base: { epochs: 1, input: { resize: 36, crop: 32, eval: 32 } },
    axes: { method: ['cam', 'negev', 'gap'], backbone: ['vgg16:w0.0625'], dataset: ['synth-glas'], seed: [0, 1] },
    ...over,
  });

describe('planManifest', () => {
  test('expands the axes into cells with readable, stable ids; NEGEV depends on the CAM cell of its seed', () => {
    const m = planManifest(grid());
    expect(m.cells.map((c) => c.id.replace(/__[0-9a-f]{8}$/, ''))).toEqual([
      'cam__vgg16-w0.0625__synth-glas__f0__s0',
      'cam__vgg16-w0.0625__synth-glas__f0__s1',
      'gap__vgg16-w0.0625__synth-glas__f0__s0',
      'gap__vgg16-w0.0625__synth-glas__f0__s1',
      'negev__vgg16-w0.0625__synth-glas__f0__s0',
      'negev__vgg16-w0.0625__synth-glas__f0__s1',
    ]);
    expect(m.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const negev1 = m.cells[5];
    expect(negev1?.dependsOn).toBe(m.cells[1]?.id);
    expect(m.cells[0]?.config.resultsDir).toBe(`cells/${m.cells[0]?.id}`);
    // Same grid, same ids (the hash is a pure function of the resolved config).
    expect(planManifest(grid()).cells.map((c) => c.id)).toEqual(m.cells.map((c) => c.id));
  });

  test('the config hash follows what a cell computes, not where its data lives', () => {
    const a = planManifest(grid()).cells[0];
    const moved = planManifest(
      grid({ base: { epochs: 1, input: { resize: 36, crop: 32, eval: 32 }, dataRoot: '/elsewhere' } }),
    ).cells[0];
    const longer = planManifest(grid({ base: { epochs: 2, input: { resize: 36, crop: 32, eval: 32 } } })).cells[0];
    expect(moved?.configHash).toBe(a?.configHash);
    expect(longer?.configHash).not.toBe(a?.configHash);
    // A NEGEV cell's hash includes its CAM's: a changed CAM config makes the NEGEV result stale too.
    const negev = planManifest(grid()).cells[4];
    const negevAfterLongerCam = planManifest(grid({ base: { epochs: 2, input: { resize: 36, crop: 32, eval: 32 } } }))
      .cells[4];
    expect(negevAfterLongerCam?.configHash).not.toBe(negev?.configHash);
  });

  test('bad grids are refused before any compute, naming the field', () => {
    expect(() =>
      planManifest(grid({ axes: { method: ['nope'], backbone: ['vgg16'], dataset: ['synth-glas'] } })),
    ).toThrow(/axes\.method: unknown method 'nope'/);
    expect(() =>
      planManifest(grid({ axes: { method: ['negev'], backbone: ['vgg16'], dataset: ['synth-glas'] } })),
    ).toThrow(/'negev', which trains from 'cam'.*add 'cam'/);
    expect(() => planManifest(grid({ base: { epochs: 1, optimzer: {} } }))).toThrow(/optimzer/);
    expect(() => planManifest(grid({ base: { hp: { nope: 1 } } }))).toThrow(/hp/);
    expect(() => planManifest(grid({ search: { trials: 2 } }))).toThrow(/search 'cam' first/);
  });

  test('a run folder keeps its manifest: re-planning the same grid is a no-op, another grid is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsl-grid-manifest-'));
    try {
      const m = planManifest(grid());
      expect(writeManifest(dir, m).written).toBe(true);
      expect(writeManifest(dir, planManifest(grid())).written).toBe(false);
      expect(() =>
        writeManifest(
          dir,
          planManifest(grid({ axes: { method: ['gap'], backbone: ['vgg16'], dataset: ['synth-glas'] } })),
        ),
      ).toThrow(/another grid's manifest/);
      expect(readManifest(dir).cells.map((c) => c.id)).toEqual(m.cells.map((c) => c.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
