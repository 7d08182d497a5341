import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { rngStream, writeFileAtomic } from '@wslbench/core';
import { constantMapPxap, foregroundFraction } from '../foreground.js';
import { encodePng } from '../io/image-io.js';
import type { SplitRow } from '../splits.js';
import { SplitDataset } from './split-dataset.js';

const S = 8;
let root: string;
let rows: SplitRow[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'wsl-ds-'));
  rows = [];
  for (let k = 0; k < 7; k++) {
    const rgb = new Uint8Array(S * S * 3).fill(k * 30);
    writeFileAtomic(join(root, `i${k}.png`), await encodePng({ width: S, height: S, channels: 3, data: rgb }));
    // Image k has k+1 foreground rows of 8 (k = 6 is negative: no mask file).
    const m = Uint8Array.from({ length: S * S }, (_, i) => (Math.floor(i / S) <= k ? 255 : 0));
    if (k < 6) writeFileAtomic(join(root, `m${k}.png`), await encodePng({ width: S, height: S, channels: 1, data: m }));
    rows.push({ id: `i${k}.png`, label: k % 2, masks: k < 6 ? [`m${k}.png`] : [] });
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const make = () =>
  new SplitDataset({ id: 'fx', root, encoding: { a: 0, b: 1 }, splits: { train: rows, test: rows.slice(0, 5) } });
const input = { resize: 8, crop: 6, eval: 4 };

async function collect(ds: SplitDataset, split: 'train' | 'test', mode: 'train' | 'eval', seed = 0, bs = 3) {
  const out: { ids: string[]; labels: number[]; shape: number[]; neg: boolean[]; masks?: number[] }[] = [];
  for await (const b of ds.batches(split, {
    batchSize: bs,
    mode,
    input,
    rng: rngStream(seed, 'ds'),
    withMasks: true,
  })) {
    out.push({
      ids: b.ids,
      labels: Array.from(b.labels.dataSync()),
      shape: b.images.shape,
      neg: b.fullyNegative,
      masks: b.masks ? Array.from(b.masks.dataSync()) : undefined,
    });
    tf.dispose([b.images, b.labels, b.masks!]);
  }
  return out;
}

test('train: seeded shuffle, full batches, last batch filled by repeating its own samples', async () => {
  const a = await collect(make(), 'train', 'train', 1);
  expect(a.map((b) => b.shape)).toEqual([
    [3, 6, 6, 3],
    [3, 6, 6, 3],
    [3, 6, 6, 3],
  ]);
  const last = a[2]!;
  expect(last.ids[1]).toBe(last.ids[0]); // 7 = 3 + 3 + 1: the single remaining sample is repeated
  expect(last.ids[2]).toBe(last.ids[0]);
  expect(new Set(a.flatMap((b) => b.ids)).size).toBe(7);
  const b = await collect(make(), 'train', 'train', 1);
  expect(b.map((x) => x.ids)).toEqual(a.map((x) => x.ids));
  const c = await collect(make(), 'train', 'train', 2);
  expect(c.map((x) => x.ids)).not.toEqual(a.map((x) => x.ids));
  // labels travel with ids
  for (const x of a)
    x.ids.forEach((id, i) => {
      expect(x.labels[i]).toBe(Number(id.slice(1, 2)) % 2);
    });
});

test('eval: file order, partial last batch, masks binarised at eval size, fully negative flags', async () => {
  const ds = make();
  const a = await collect(ds, 'train', 'eval');
  expect(a.map((b) => b.ids.length)).toEqual([3, 3, 1]);
  expect(a.flatMap((b) => b.ids)).toEqual(rows.map((r) => r.id));
  expect(a[2]!.neg).toEqual([true]);
  expect(a[2]!.masks!.every((v) => v === 0)).toBe(true);
  // image 0: first row of 8 is fg; nearest to 4 rows samples rows 0,2,4,6 -> only output row 0.
  expect(a[0]!.masks!.slice(0, 16)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const st = ds.stats();
  expect(st.cacheMisses).toBe(7);
  expect(st.batches).toBe(3);
  await collect(ds, 'train', 'eval');
  expect(ds.stats().cacheHits).toBe(7); // decoded once
});

test('foreground fraction equals a hand count (PxAP of a constant map)', async () => {
  // test split = images 0..4 at eval 4: fg output rows = ceil((k+1)/2): 1,1,2,2,3 of 4 rows.
  const f = await foregroundFraction(make(), 'test', 4);
  expect(f).toBeCloseTo((1 + 1 + 2 + 2 + 3) / 20, 10);
  expect(await constantMapPxap(make(), 'test', 4)).toBeCloseTo(45, 8);
});

test('no tensor leaks across repeated epochs; bad options are errors', async () => {
  const ds = make();
  await collect(ds, 'train', 'train');
  const before = tf.memory().numTensors;
  for (let e = 0; e < 3; e++) await collect(ds, 'train', 'train', e);
  expect(tf.memory().numTensors).toBe(before);
  const it = ds.batches('train', { batchSize: 2, mode: 'train', input });
  await expect(it.next()).rejects.toThrow(/seeded rng is required/);
  expect(() => ds.rows('valpx')).toThrow(/no 'valpx' split/);
});

test('a missing mask file fails with its path', async () => {
  const bad = new SplitDataset({
    id: 'bad',
    root,
    encoding: { a: 0, b: 1 },
    splits: { test: [{ id: 'i0.png', label: 0, masks: ['nope.png'] }] },
  });
  const it = bad.batches('test', { batchSize: 1, mode: 'eval', input });
  await expect(it.next()).rejects.toThrow(`${join(root, 'nope.png')}: cannot read (ENOENT)`);
});
