import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkDataset } from '../check.js';
import { encodeBmp8, encodeBmp24 } from '../io/bmp-writer.js';
import { encodePng } from '../io/image-io.js';
import { openDataset } from '../open-dataset.js';
import { SHIPPED_SPLITS_DIR, shippedFoldDir } from '../paths.js';
import { readEncoding, readFold, type SplitRow, writeSplit } from '../splits.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../transforms/protocol.js';
import { resizeBilinear, resizeNearest } from '../transforms/resize.js';
import { camelyonMaskPath } from './camelyon.js';
import { GLAS_FOLDER } from './glas.js';

const W = 12;
const H = 8;
const EVAL = { resize: 6, crop: 4, eval: 4 };
const fixtureRgb = (k: number) => Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 7 + k * 31) % 256);
/** Instance-id map: gland 1 on the left, gland 2 (id 2 + k) on the right, background 0. */
const fixtureAnno = (k: number) =>
  Uint8Array.from({ length: W * H }, (_, i) => (i % W < 4 && i >= W ? 1 : i % W > 7 ? 2 + (k % 5) : 0));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('GlaS loader on a fixture of the Warwick release (all 165 images, tiny)', () => {
  let root: string;
  let rows: SplitRow[];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'wsl-glas-'));
    const fold = readFold(shippedFoldDir('GLAS', 0), readEncoding(join(SHIPPED_SPLITS_DIR, 'GLAS')));
    const byId = new Map<string, SplitRow>();
    for (const s of Object.values(fold)) for (const r of s) byId.set(r.id, r);
    rows = [...byId.values()];
    const dir = join(root, 'GLAS', GLAS_FOLDER);
    mkdirSync(dir, { recursive: true });
    const csv = ['name,Patient ID,grade (GlaS),grade (Sirinukunwattana et al. 2015)'];
    rows.forEach((r, k) => {
      writeFileSync(join(root, 'GLAS', r.id), encodeBmp24(W, H, fixtureRgb(k)));
      writeFileSync(join(root, 'GLAS', r.masks![0]!), encodeBmp8(W, H, fixtureAnno(k)));
      const name = r.id.split('/').pop()!.replace('.bmp', '');
      csv.push(
        `${name}, ${k % 17}, ${r.label === 1 ? 'malignant' : 'benign'}, ${r.label === 1 ? 'adenocarcinomatous' : 'healthy'}`,
      );
    });
    writeFileSync(join(dir, 'Grade.csv'), `${csv.join('\r\n')}\r\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('official fold 0 sizes; eval batches hold the bilinear-resized image and the binarised nearest anno', async () => {
    const ds = await openDataset({ dataset: 'glas', dataRoot: root, fold: 0 });
    expect([ds.size('train'), ds.size('valcl'), ds.size('valpx'), ds.size('test')]).toEqual([67, 18, 6, 80]);
    expect(ds.hasFullyNegative).toBe(false);
    const k = rows.findIndex((r) => r.id === ds.rows('test')[0]!.id);
    const b = (await ds.batches('test', { batchSize: 3, mode: 'eval', input: EVAL })[Symbol.asyncIterator]().next())
      .value!;
    expect(b.images.shape).toEqual([3, 4, 4, 3]);
    expect(b.ids[0]).toBe(ds.rows('test')[0]!.id);
    const ref = resizeBilinear(fixtureRgb(k), W, H, 3, 4, 4);
    const got = b.images.dataSync().slice(0, 48);
    for (let i = 0; i < 48; i++)
      expect(got[i]).toBeCloseTo((ref[i]! / 255 - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!, 5);
    const m = resizeNearest(fixtureAnno(k), W, H, 1, 4, 4);
    expect(Array.from(b.masks!.dataSync().slice(0, 16))).toEqual(Array.from(m).map((v) => (v > 0 ? 1 : 0)));
    expect(b.labels.dtype).toBe('int32');
    expect(b.fullyNegative).toEqual([false, false, false]);
    tf.dispose([b.images, b.labels, b.masks!]);
  });

  test('check passes; a label disagreeing with Grade.csv and a missing anno are precise errors', async () => {
    const ok = await checkDataset({ dataset: 'glas', dataRoot: root });
    expect(ok.errors).toEqual([]);
    expect(ok.counts.test).toEqual([37, 43]);
    expect(ok.warnings.some((w) => /is 12x8, image_sizes.txt says 775x522/.test(w))).toBe(true);
    const csvPath = join(root, 'GLAS', GLAS_FOLDER, 'Grade.csv');
    const csv = readFileSync(csvPath, 'utf8');
    writeFileSync(csvPath, csv.replace(/^testA_1, (\d+), benign/m, 'testA_1, $1, malignant'));
    await expect(openDataset({ dataset: 'glas', dataRoot: root })).rejects.toThrow(
      /Grade.csv: 'testA_1' is 'malignant' but split test labels it 0 \(benign\)/,
    );
    writeFileSync(csvPath, csv);
    const anno = join(root, 'GLAS', rows[0]!.masks![0]!);
    unlinkSync(anno);
    const bad = await checkDataset({ dataset: 'glas', dataRoot: root });
    expect(bad.errors).toEqual([`${anno}: missing (mask of ${rows[0]!.id})`]);
    writeFileSync(anno, encodeBmp8(W, H, fixtureAnno(0)));
  });

  test('a missing release folder says how to install GlaS', async () => {
    await expect(openDataset({ dataset: 'glas', dataRoot: join(root, 'nowhere') })).rejects.toThrow(
      /GlaS not found: .*rename its folder to/,
    );
    // data check: one error saying so, not a 'missing' line per image and mask of the split files.
    const rep = await checkDataset({ dataset: 'glas', dataRoot: join(root, 'nowhere') });
    expect(rep.errors).toHaveLength(1);
    expect(rep.errors[0]).toMatch(/^GlaS not found: .*rename its folder to/);
  });
});

describe('CAMELYON16 patches: derived splits from the folder layout', () => {
  let root: string;
  const base = 'camelyon16/w-512xh-512';
  const tumour = (wsi: string, k: number, set = 'training/tumor') =>
    `${base}/metastatic-patches/${set}/${wsi}/Patch_file_${set.replace('/', '-')}-${wsi}.tif_reg_0_row_${k}_patch_0_x_${k}_y_9_tissue_0.5_metastatic_0.4_w_512_h_512.png`;
  const normal = (folder: string, wsi: string, k: number) =>
    `${base}/normal-patches/${folder}/Patch_file_${wsi}.tif_patch_${k}_x_${k}_y_3_tissue_0.4_w_512_h_512.png`;
  const trainT = [0, 1, 2].map((k) => tumour('tumor_001', k));
  const trainN = [0, 1, 2].map((k) => normal('split_0/fold_0/train', 'training-normal-normal_001', k));
  const valT = tumour('tumor_002', 0);
  const valN = normal('split_0/fold_0/valid', 'training-normal-normal_002', 5);
  const testT = tumour('test_001', 0, 'testing/images');
  const testN = normal('split_1/fold_0/test', 'testing-images-test_002', 7);
  const S = 16;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wsl-cam-'));
    const cam = join(root, 'CAMELYON512');
    const all = [...trainT, ...trainN, valT, valN, testT, testN];
    for (const [k, id] of all.entries()) {
      mkdirSync(dirname(join(cam, id)), { recursive: true });
      const rgb = Uint8Array.from({ length: S * S * 3 }, (_, i) => (i + k * 40) % 256);
      writeFileSync(join(cam, id), await encodePng({ width: S, height: S, channels: 3, data: rgb }));
      if (id.includes('metastatic')) {
        const m = Uint8Array.from({ length: S * S }, (_, i) => (i % S < 6 ? 255 : 0));
        writeFileSync(join(cam, camelyonMaskPath(id)), await encodePng({ width: S, height: S, channels: 1, data: m }));
      }
    }
    // A miniature "official" fold: valcl/valpx with localization, test without (as shipped).
    const official = join(root, 'official');
    const row = (id: string, label: number, loc: boolean): SplitRow => ({
      id,
      label,
      width: 512,
      height: 512,
      masks: loc ? (label ? [camelyonMaskPath(id)] : []) : undefined,
    });
    writeSplit(join(official, 'valcl'), [row(valT, 1, true), row(valN, 0, true)]);
    writeSplit(join(official, 'valpx'), [row(valT, 1, true), row(valN, 0, true)]);
    writeSplit(join(official, 'test'), [row(testT, 1, false), row(testN, 0, false)]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('train = every patch not in valcl/test; test masks by the naming rule; normal patches fully negative', async () => {
    const { deriveCamelyonSplits } = await import('./camelyon.js');
    const cam = join(root, 'CAMELYON512');
    const enc = readEncoding(join(SHIPPED_SPLITS_DIR, 'CAMELYON512'));
    const rep = deriveCamelyonSplits(cam, join(root, 'official'), enc, join(cam, 'splits', 'fold-0'));
    expect(rep.counts).toEqual({ train: [3, 3], valcl: [1, 1], valpx: [1, 1], test: [1, 1] });
    const loc = readFileSync(join(cam, 'splits/fold-0/test/localization.txt'), 'utf8');
    expect(loc).toBe(`${testT},${camelyonMaskPath(testT)},\n${testN},,\n`);
    const sizes = readFileSync(join(cam, 'splits/fold-0/train/image_sizes.txt'), 'utf8');
    expect(sizes.split('\n')[0]).toMatch(/,16,16$/);

    const ds = await openDataset({ dataset: 'camelyon16', dataRoot: root });
    expect(ds.hasFullyNegative).toBe(true);
    const it = ds.batches('test', { batchSize: 2, mode: 'eval', input: { resize: 8, crop: 8, eval: 8 } });
    const b = (await it[Symbol.asyncIterator]().next()).value!;
    expect(b.fullyNegative).toEqual([false, true]);
    const m = b.masks!.arraySync() as number[][][];
    expect(m[0]![3]).toEqual([1, 1, 1, 0, 0, 0, 0, 0]); // cols 0..5 of 16 -> 0..2 of 8 (floor(x*2) < 6)
    expect(m[1]!.flat().every((v) => v === 0)).toBe(true);
    tf.dispose([b.images, b.labels, b.masks!]);
    expect((await checkDataset({ dataset: 'camelyon16', dataRoot: root })).errors).toEqual([]);
  });

  test('without derived splits, opening says to run data split', async () => {
    const other = mkdtempSync(join(tmpdir(), 'wsl-cam2-'));
    await expect(openDataset({ dataset: 'camelyon16', dataRoot: other })).rejects.toThrow(/run 'wslbench data split/);
    rmSync(other, { recursive: true, force: true });
  });
});
