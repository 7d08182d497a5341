import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Batch, Rng } from '@wslbench/core';
import { cutTissueTiles, TILE, tileClass, tissueTable } from './tissue-tiles.js';

const ENCODING = {
  'synth-glas:benign': 0,
  'synth-glas:malignant': 1,
  'synth-camelyon:normal': 2,
  'synth-camelyon:tumor': 3,
};

/** Image 0: benign colon, glands in the left half (x < 32). Image 1: normal lymph node. Pixel value = x + 100 y + 10^4 i. */
function batch(): Batch {
  const n = 2;
  const s = 64;
  const img = new Float32Array(n * s * s * 3);
  const mask = new Int32Array(n * s * s);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) {
        img.fill(x + 100 * y + 1e4 * i, ((i * s + y) * s + x) * 3, ((i * s + y) * s + x + 1) * 3);
        mask[(i * s + y) * s + x] = i === 0 && x < 32 ? 1 : 0;
      }
  return {
    images: tf.tensor4d(img, [n, s, s, 3]),
    labels: tf.tensor1d([0, 2], 'int32'),
    masks: tf.tensor3d(mask, [n, s, s], 'int32'),
    fullyNegative: [false, true],
    ids: ['a', 'b'],
  };
}

const constant = (v: number): Rng => Object.assign(() => v, { int32: () => 0, state: () => ({}) });

describe('tissue tiles', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('labels a tile by its tissue, and skips mixed tiles', () => {
    const benign = tissueTable(ENCODING)[0]!;
    expect(tileClass(benign, 0)).toBe(0); // colon stroma
    expect(tileClass(benign, 0.09)).toBe(0);
    expect(tileClass(benign, 0.1)).toBe(-1);
    expect(tileClass(benign, 0.5)).toBe(-1);
    expect(tileClass(benign, 0.51)).toBe(1); // benign gland
    expect(tileClass(tissueTable(ENCODING)[1]!, 1)).toBe(2); // malignant gland
    expect(tileClass(tissueTable(ENCODING)[3]!, 0.9)).toBe(4); // tumour
    expect(tileClass(tissueTable(ENCODING)[3]!, 0)).toBe(3); // lymph tissue around it
  });

  it('names an unknown pool class', () => {
    expect(() => tissueTable({ ...ENCODING, 'synth-glas:other': 4 })).toThrow(/synth-glas:other/);
  });

  it('cuts 3 x 3 half-overlapping tiles per crop, in (offset, image) order, with their own pixels', async () => {
    const b = batch();
    const before = tf.memory().numTensors;
    const { images, labels, ids } = cutTissueTiles(b, tissueTable(ENCODING));
    // Offsets (y, x) in 0/16/32: for image 0, x = 0 is all gland, x = 16 half (mixed, skipped), x = 32 stroma.
    // Image 1 is lymph tissue at every offset. Order: offset-major, image-minor.
    expect(Array.from(labels.dataSync())).toEqual([1, 3, 3, 0, 3, 1, 3, 3, 0, 3, 1, 3, 3, 0, 3]);
    expect(images.shape).toEqual([15, TILE.size, TILE.size, 3]);
    expect(ids.slice(0, 4)).toEqual(['a@0,0', 'b@0,0', 'b@0,16', 'a@0,32']);
    const px = await images.array();
    // Tile 3 = image 0 at (y 0, x 32): its top-left pixel is x 32, y 0; its bottom-right x 63, y 31.
    expect(px[3]![0]![0]![0]).toBe(32);
    expect(px[3]![31]![31]![2]).toBe(63 + 3100);
    // Tile 14 = image 1 at (y 32, x 32).
    expect(px[14]![0]![0]![1]).toBe(1e4 + 32 + 3200);
    tf.dispose([images, labels]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([b.images, b.labels, b.masks!]);
  });

  it('keeps each class with its probability', () => {
    const b = batch();
    // A draw of 0.5 keeps the classes kept with probability 1 (stroma, benign gland), not lymph tissue (0.2).
    const { images, labels } = cutTissueTiles(b, tissueTable(ENCODING), constant(0.5));
    expect(Array.from(labels.dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    const none = cutTissueTiles({ ...b, labels: tf.tensor1d([2, 2], 'int32') }, tissueTable(ENCODING), constant(0.5));
    expect(none.images.shape).toEqual([0, TILE.size, TILE.size, 3]);
    tf.dispose([images, labels, none.images, none.labels, b.images, b.labels, b.masks!]);
  });

  it('needs masks', () => {
    const b = batch();
    expect(() => cutTissueTiles({ ...b, masks: undefined }, tissueTable(ENCODING))).toThrow(/no masks/);
    tf.dispose([b.images, b.labels, b.masks!]);
  });
});
