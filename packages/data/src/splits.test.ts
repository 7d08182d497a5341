import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIPPED_SPLITS_DIR, shippedFoldDir } from './paths.js';
import { classCounts, parseEncoding, readEncoding, readFold, readSplit, writeSplit } from './splits.js';

const GLAS = { benign: 0, malignant: 1 };

describe('split files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-splits-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('encoding.yaml in flow and block style', () => {
    expect(parseEncoding('{benign: 0, malignant: 1}\n')).toEqual(GLAS);
    expect(parseEncoding('normal: 0\ntumor: 1\n')).toEqual({ normal: 0, tumor: 1 });
    expect(() => parseEncoding('{a: 0, b: 2}', 'x.yaml')).toThrow(/x.yaml: class ids must be 0..1/);
  });

  test('shipped GLAS folds have the official counts and class balance', () => {
    const enc = readEncoding(join(SHIPPED_SPLITS_DIR, 'GLAS'));
    expect(enc).toEqual(GLAS);
    const f0 = readFold(shippedFoldDir('GLAS', 0), enc);
    expect(classCounts(f0.train!, 2)).toEqual([29, 38]);
    expect(classCounts(f0.valcl!, 2)).toEqual([8, 10]);
    expect(classCounts(f0.valpx!, 2)).toEqual([3, 3]);
    expect(classCounts(f0.test!, 2)).toEqual([37, 43]);
    expect(f0.test![0]!.masks).toEqual(['Warwick_QU_Dataset_(Released_2016_07_08)/testA_1_anno.bmp']);
    expect(f0.test![0]!.width).toBe(775);
    const f4 = readFold(shippedFoldDir('GLAS', 4), enc);
    expect([f4.train!.length, f4.valcl!.length, f4.valpx!.length, f4.test!.length]).toEqual([72, 13, 6, 80]);
    const valcl = new Set(f0.valcl!.map((r) => r.id));
    expect(f0.valpx!.every((r) => valcl.has(r.id))).toBe(true);
  });

  test('shipped CAMELYON512 fold 0 (gzipped): valcl, valpx, test without localization', () => {
    const enc = readEncoding(join(SHIPPED_SPLITS_DIR, 'CAMELYON512'));
    const f0 = readFold(shippedFoldDir('CAMELYON512', 0), enc);
    expect(f0.train).toBeUndefined();
    expect(classCounts(f0.valcl!, 2)).toEqual([3321, 3321]);
    expect(classCounts(f0.valpx!, 2)).toEqual([5, 5]);
    expect(classCounts(f0.test!, 2)).toEqual([7832, 7832]);
    expect(f0.test![0]!.masks).toBeUndefined();
    const normal = f0.valcl!.find((r) => r.label === 0)!;
    expect(normal.masks).toEqual([]);
    const tumour = f0.valcl!.find((r) => r.label === 1)!;
    expect(tumour.masks![0]).toContain('/mask_file_training-tumor-');
  });

  test('write/read round trip keeps masks, empty masks and sizes', () => {
    const rows = [
      { id: 'a.png', label: 1, masks: ['m/a.png'], width: 4, height: 3 },
      { id: 'b.png', label: 0, masks: [], width: 5, height: 6 },
    ];
    writeSplit(join(dir, 'test'), rows);
    expect(readSplit(join(dir, 'test'), GLAS)).toEqual(rows);
  });

  test('errors name the file and line', () => {
    const s = join(dir, 'train');
    mkdirSync(s);
    writeFileSync(join(s, 'image_ids.txt'), 'a.png\nb.png\n');
    writeFileSync(join(s, 'class_labels.txt'), 'a.png,0\nb.png,7\n');
    expect(() => readSplit(s, GLAS)).toThrow(`${join(s, 'class_labels.txt')}:2: class '7' is not in the encoding`);
    writeFileSync(join(s, 'class_labels.txt'), 'a.png,0\nc.png,1\n');
    expect(() => readSplit(s, GLAS)).toThrow(/class_labels.txt:2: image 'c.png' is not listed/);
    writeFileSync(join(s, 'class_labels.txt'), 'a.png,0\n');
    expect(() => readSplit(s, GLAS)).toThrow(/no class label for 'b.png'/);
    writeFileSync(join(s, 'image_ids.txt'), '');
    expect(() => readSplit(s, GLAS)).toThrow(/image_ids.txt: empty split/);
    writeFileSync(join(s, 'image_ids.txt'), 'a.png\na.png\n');
    expect(() => readSplit(s, GLAS)).toThrow(/image_ids.txt:2: duplicate image id 'a.png'/);
  });
});
