import '@tensorflow/tfjs-backend-cpu';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { rngStream } from '@wslbench/core';
import { checkDataset } from '../check.js';
import { readMask } from '../io/image-io.js';
import { openDataset } from '../open-dataset.js';
import { ensureSynthetic, generateSynthetic, type SynthPreset, settingsFolder } from './generate.js';
import { drawColonTissue } from './glas-tissue.js';
import { drawLymphNode } from './lymph-tissue.js';

/** Pooled PxAP with thresholds k * 0.001 (wsolevaluation MaskEvaluator), for maps in [0, 1]. */
function pxap(maps: Float32Array[], masks: Uint8Array[]): number {
  const pos = new Float64Array(1001);
  const neg = new Float64Array(1001);
  maps.forEach((m, j) => {
    for (let i = 0; i < m.length; i++) {
      const hist = masks[j]![i] ? pos : neg;
      const bin = Math.min(1000, Math.floor(m[i]! * 1000));
      hist[bin] = hist[bin]! + 1;
    }
  });
  const P = pos.reduce((a, b) => a + b, 0);
  let tp = 0;
  let fp = 0;
  let prev = 0;
  let ap = 0;
  for (let k = 1000; k >= 0; k--) {
    tp += pos[k]!;
    fp += neg[k]!;
    if (tp + fp === 0) continue;
    ap += (tp / (tp + fp)) * (tp / P - prev);
    prev = tp / P;
  }
  return 100 * ap;
}

/** Best PxAP over per-pixel colour maps: each channel, grey, saturation, channel differences, distance to the
 *  mean foreground colour and fg-vs-bg colour distance ratio (each in both directions, global and per-image min-max). */
function bestColourMapPxap(images: Uint8Array[], masks: Uint8Array[]): { name: string; pxap: number } {
  const fg = [0, 0, 0];
  const bg = [0, 0, 0];
  let nf = 0;
  let nb = 0;
  images.forEach((x, j) => {
    masks[j]!.forEach((v, i) => {
      const t = v ? fg : bg;
      for (let k = 0; k < 3; k++) t[k]! += x[i * 3 + k]! / 255;
      if (v) nf++;
      else nb++;
    });
  });
  for (let k = 0; k < 3; k++) {
    fg[k]! /= nf;
    bg[k]! /= nb;
  }
  const d = (r: number, g: number, b: number, c: number[]) => Math.hypot(r - c[0]!, g - c[1]!, b - c[2]!);
  const fns: Record<string, (r: number, g: number, b: number) => number> = {
    R: (r) => r,
    G: (_r, g) => g,
    B: (_r, _g, b) => b,
    grey: (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b,
    sat: (r, g, b) => (Math.max(r, g, b) ? 1 - Math.min(r, g, b) / Math.max(r, g, b) : 0),
    GminusR: (r, g) => (g - r + 1) / 2,
    BminusR: (r, _g, b) => (b - r + 1) / 2,
    BminusG: (_r, g, b) => (b - g + 1) / 2,
    nearFg: (r, g, b) => 1 - Math.min(1, d(r, g, b, fg) / 1.8),
    fgVsBg: (r, g, b) => d(r, g, b, bg) / (d(r, g, b, fg) + d(r, g, b, bg) + 1e-9),
  };
  let best = { name: '', pxap: 0 };
  for (const [name, f] of Object.entries(fns)) {
    const feats = images.map((x) => {
      const m = new Float32Array(x.length / 3);
      for (let i = 0; i < m.length; i++) m[i] = f(x[i * 3]! / 255, x[i * 3 + 1]! / 255, x[i * 3 + 2]! / 255);
      return m;
    });
    for (const inv of [false, true])
      for (const minmax of [false, true]) {
        const maps = feats.map((src) => {
          const m = new Float32Array(src.length);
          let lo = Infinity;
          let hi = -Infinity;
          for (let i = 0; i < m.length; i++) {
            const v = inv ? 1 - src[i]! : src[i]!;
            m[i] = v;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          const span = minmax ? hi - lo || 1 : 1;
          const off = minmax ? lo : 0;
          for (let i = 0; i < m.length; i++) m[i] = Math.min(1, Math.max(0, (m[i]! - off) / span));
          return m;
        });
        const p = pxap(maps, masks);
        if (p > best.pxap) best = { name: `${name}${inv ? '-inv' : ''}${minmax ? '-minmax' : ''}`, pxap: p };
      }
  }
  return best;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('pxap helper: perfect map 100, constant map = foreground fraction', () => {
  const m = [Uint8Array.from([1, 0, 0, 1])];
  expect(pxap([Float32Array.from([0.9, 0.1, 0.2, 0.8])], m)).toBeCloseTo(100, 8);
  expect(pxap([Float32Array.from([0.5, 0.5, 0.5, 0.5])], m)).toBeCloseTo(50, 8);
});

test('generators are deterministic per seed and differ across seeds', () => {
  const a = drawColonTissue(48, true, rngStream(0, 'g'));
  const b = drawColonTissue(48, true, rngStream(0, 'g'));
  const c = drawColonTissue(48, true, rngStream(1, 'g'));
  expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
  expect(Buffer.from(a.rgb).equals(Buffer.from(c.rgb))).toBe(false);
  const n = drawLymphNode(48, false, rngStream(0, 'n'));
  expect(n.mask.every((v) => v === 0)).toBe(true);
  for (let s = 0; s < 6; s++) {
    const t = drawLymphNode(48, true, rngStream(s, 't'));
    const cov = t.mask.reduce((x, v) => x + v, 0) / t.mask.length;
    expect(cov).toBeGreaterThanOrEqual(0.19);
    expect(cov).toBeLessThanOrEqual(1);
  }
});

describe.each(['synth-glas', 'synth-camelyon'] as SynthPreset[])('%s', (preset) => {
  let dir: string;
  const counts = {
    train: [3, 3] as [number, number],
    valcl: [3, 3] as [number, number],
    test: [8, 8] as [number, number],
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `wsl-${preset}-`));
    await ensureSynthetic(preset, join(dir, preset), { size: 96, seed: 0, counts: { ...counts, valpx: 2 } });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('split format, masks, check passes; ensureSynthetic is idempotent', async () => {
    const root = join(dir, preset);
    const ds = await openDataset({
      dataset: preset,
      dataRoot: dir,
      synth: { size: 96, counts: { ...counts, valpx: 2 } },
    });
    expect([ds.size('train'), ds.size('valcl'), ds.size('valpx'), ds.size('test')]).toEqual([6, 6, 4, 16]);
    expect(ds.hasFullyNegative).toBe(preset === 'synth-camelyon');
    const negatives = ds.rows('test').filter((r) => r.masks!.length === 0);
    expect(negatives.length).toBe(preset === 'synth-camelyon' ? 8 : 0);
    const m = await readMask(join(root, ds.rows('test').find((r) => r.label === 1)!.masks![0]!));
    expect([...new Set(m.data)].sort((a, b) => a - b)).toEqual([0, 255]);
    const stamp = readFileSync(join(root, 'synth.json'), 'utf8');
    const again = await ensureSynthetic(preset, root, { size: 96, counts: { ...counts, valpx: 2 } });
    expect(again.generated).toBe(false);
    expect(readFileSync(join(root, 'synth.json'), 'utf8')).toBe(stamp);
    expect((await checkDataset({ dataset: root })).errors).toEqual([]);
  });

  test('a corrupted copy fails the check with a precise message', async () => {
    const copy = join(dir, 'corrupt');
    cpSync(join(dir, preset), copy, { recursive: true });
    const ds = await openDataset({ dataset: copy });
    const victim = ds.rows('test')[3]!;
    writeFileSync(join(copy, victim.id), Buffer.from(readFileSync(join(copy, victim.id)).subarray(0, 60)));
    const rep = await checkDataset({ dataset: copy });
    expect(rep.errors.length).toBe(1);
    expect(rep.errors[0]).toMatch(
      new RegExp(`^${join(copy, victim.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot decode image`),
    );
    rmSync(copy, { recursive: true, force: true });
  });

  test('a per-pixel colour threshold does not solve it (best colour map PxAP clearly below 85)', async () => {
    const ds = await openDataset({ dataset: join(dir, preset) });
    const images: Uint8Array[] = [];
    const masks: Uint8Array[] = [];
    for await (const b of ds.batches('test', {
      batchSize: 8,
      mode: 'eval',
      input: { resize: 96, crop: 96, eval: 96 },
      mean: [0, 0, 0],
      std: [1 / 255, 1 / 255, 1 / 255],
    })) {
      const x = b.images.dataSync();
      const m = b.masks!.dataSync();
      for (let i = 0; i < b.ids.length; i++) {
        const img = new Uint8Array(96 * 96 * 3);
        for (let k = 0; k < img.length; k++) img[k] = Math.round(x[i * img.length + k]!);
        images.push(img);
        masks.push(Uint8Array.from(m.subarray(i * 96 * 96, (i + 1) * 96 * 96)));
      }
      tf.dispose([b.images, b.labels, b.masks!]);
    }
    const best = bestColourMapPxap(images, masks);
    const fgFrac = masks.reduce((a, m) => a + m.reduce((x, v) => x + v, 0), 0) / (masks.length * 96 * 96);
    process.stdout.write(
      `${preset}: foreground ${(100 * fgFrac).toFixed(1)}%, best colour map ${best.name} PxAP ${best.pxap.toFixed(1)}\n`,
    );
    expect(best.pxap).toBeLessThan(80);
    expect(best.pxap).toBeGreaterThan(100 * fgFrac); // colour carries some signal: not pure noise either
  });
});

describe('generated datasets are immutable', () => {
  const tiny = {
    size: 24,
    counts: {
      train: [2, 2] as [number, number],
      valcl: [2, 2] as [number, number],
      test: [1, 1] as [number, number],
      valpx: 1,
    },
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-immutable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a request with other settings goes to a settings folder; the existing dataset is left byte-identical', async () => {
    const root = join(dir, 'synth-glas');
    await ensureSynthetic('synth-glas', root, tiny);
    const before = readFileSync(join(root, 'images', 'train_001.png'));
    const stamp = readFileSync(join(root, 'synth.json'), 'utf8');
    const other = await ensureSynthetic('synth-glas', root, { ...tiny, size: 32 });
    expect(other.generated).toBe(true);
    expect(other.dir).toBe(settingsFolder(root, 'synth-glas', { ...tiny, size: 32 }));
    expect(other.dir).toMatch(/synth-glas@32px-s0-m1-[0-9a-f]{6}$/);
    expect(other.note).toMatch(/holds synth-glas generated with other settings \(v1, 24 px/);
    expect(readFileSync(join(root, 'synth.json'), 'utf8')).toBe(stamp);
    expect(readFileSync(join(root, 'images', 'train_001.png'))).toEqual(before);
    expect((await readMask(join(other.dir, 'masks', 'train_001.png'))).width).toBe(32);
    // Both are found again without generating; openDataset reads the one its settings name.
    expect((await ensureSynthetic('synth-glas', root, { ...tiny, size: 32 })).generated).toBe(false);
    const ds = await openDataset({ dataset: 'synth-glas', dataRoot: dir, synth: { ...tiny, size: 32 }, log: () => {} });
    expect(ds.root).toBe(other.dir);
    expect((await openDataset({ dataset: 'synth-glas', dataRoot: dir, synth: tiny })).root).toBe(root);
  });

  test('an interrupted generation leaves nothing in place; the next run generates and removes the stale partial', async () => {
    const root = join(dir, 'synth-camelyon');
    const stop = new Error('killed');
    await expect(
      ensureSynthetic('synth-camelyon', root, {
        ...tiny,
        onProgress: (done) => {
          if (done === 3) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    expect(readdirSync(dir)).toEqual([]);
    // What a kill -9 leaves: a partial folder of a process that is gone.
    mkdirSync(join(`${root}.partial-999999999`, 'images'), { recursive: true });
    const got = await ensureSynthetic('synth-camelyon', root, tiny);
    expect(got).toMatchObject({ generated: true, dir: root });
    expect(readdirSync(dir)).toEqual(['synth-camelyon']);
    expect((await checkDataset({ dataset: root })).errors).toEqual([]);
  });

  test('generateSynthetic never writes into a non-empty folder', async () => {
    const root = join(dir, 'mine');
    mkdirSync(root);
    writeFileSync(join(root, 'notes.txt'), 'keep me');
    await expect(generateSynthetic('synth-glas', root, tiny)).rejects.toThrow(
      `${root}: exists and is not empty; refusing to generate synth-glas over it`,
    );
    expect(readdirSync(root)).toEqual(['notes.txt']);
  });
});
