import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { rngStream } from '@wslbench/core';
import { applyJitter, drawJitter, hueShift } from './color-jitter.js';
import { applyEval, applyTrain, drawTrain, IMAGENET_MEAN, IMAGENET_STD } from './protocol.js';
import { resizeBilinear, resizeNearest } from './resize.js';

const RAW = { mean: [0, 0, 0], std: [1, 1, 1] } as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('resize', () => {
  test('bilinear equals tf.image.resizeBilinear(halfPixelCenters=true), down and up', () => {
    const w = 13;
    const h = 9;
    const src = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 53 + 7) % 256);
    for (const [ow, oh] of [
      [5, 4],
      [20, 17],
      [13, 9],
    ] as const) {
      const ours = resizeBilinear(src, w, h, 3, ow, oh);
      const ref = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor3d(Float32Array.from(src), [h, w, 3]), [oh, ow], false, true).dataSync(),
      );
      for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i]! - ref[i]!)).toBeLessThanOrEqual(0.5 + 1e-4);
    }
  });

  test('bilinear by hand: 2x1 -> 4x1 with half-pixel centres', () => {
    // src x = (dx + 0.5) * 0.5 - 0.5 -> [-0.25 -> 0, 0.25, 0.75, 1.25 -> clamps right]
    const out = resizeBilinear(Uint8Array.from([0, 100]), 2, 1, 1, 4, 1);
    expect(Array.from(out)).toEqual([0, 25, 75, 100]);
  });

  test('nearest uses floor(dst * in / out) like cv2 INTER_NEAREST and equals TF resizeNearestNeighbor', () => {
    const src = Uint8Array.from([10, 20, 30, 40, 50]);
    expect(Array.from(resizeNearest(src, 5, 1, 1, 3, 1))).toEqual([10, 20, 40]); // floor(0, 1.67, 3.33)
    const w = 11;
    const h = 7;
    const m = Uint8Array.from({ length: w * h }, (_, i) => i % 251);
    const ours = resizeNearest(m, w, h, 1, 4, 5);
    const ref = tf.tidy(() =>
      tf.image.resizeNearestNeighbor(tf.tensor3d(Float32Array.from(m), [h, w, 1]), [5, 4], false, false).dataSync(),
    );
    expect(Array.from(ours)).toEqual(Array.from(ref));
  });
});

describe('protocol transforms', () => {
  // Coordinate-coded sample: R = x, G = y; mask = 1 where x > y (an asymmetric pattern flips would reveal).
  const R = 18;
  const coded = () => {
    const image = new Uint8Array(R * R * 3);
    const mask = new Uint8Array(R * R);
    for (let y = 0; y < R; y++)
      for (let x = 0; x < R; x++) {
        image[(y * R + x) * 3] = x * 10;
        image[(y * R + x) * 3 + 1] = y * 10;
        mask[y * R + x] = x > y ? 1 : 0;
      }
    return { size: R, image, mask };
  };

  test('crops and flips keep image and mask aligned; every draw stays inside the image', () => {
    const rng = rngStream(0, 'test', 'align');
    const seen = new Set<string>();
    for (let t = 0; t < 24; t++) {
      const d = drawTrain(rng, R, 16, null);
      seen.add(`${d.hflip}${d.vflip}`);
      expect(d.top).toBeGreaterThanOrEqual(0);
      expect(d.top).toBeLessThanOrEqual(2);
      const out = applyTrain(coded(), 16, d, RAW);
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < 16; x++) {
          const sx = Math.round(out.image[(y * 16 + x) * 3]! * 25.5);
          const sy = Math.round(out.image[(y * 16 + x) * 3 + 1]! * 25.5);
          expect(out.mask![y * 16 + x]).toBe(sx > sy ? 1 : 0);
          expect(sx).toBe(d.left + (d.hflip ? 15 - x : x));
          expect(sy).toBe(d.top + (d.vflip ? 15 - y : y));
        }
    }
    expect(seen.size).toBe(4);
  });

  test('normalisation: (v/255 - mean) / std per channel (ImageNet)', () => {
    const image = Uint8Array.from([255, 0, 128, 51, 102, 204]);
    const out = applyEval({ size: 1, image: image.subarray(0, 3) }, { mean: IMAGENET_MEAN, std: IMAGENET_STD });
    expect(out.image[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(out.image[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(out.image[2]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5);
  });

  test('colour jitter: hand-computed brightness, contrast, saturation and hue ops', () => {
    const px = () => Float32Array.from([0.2, 0.4, 0.6, 0.8, 0.6, 0.4]);
    const only = (op: number, p: Partial<ReturnType<typeof drawJitter>>) => {
      const x = px();
      applyJitter(x, { order: [op], brightness: 1, contrast: 1, saturation: 1, hue: 0, ...p });
      return Array.from(x);
    };
    expect(only(0, { brightness: 1.5 })).toEqual(
      [0.2, 0.4, 0.6, 0.8, 0.6, 0.4].map((v) => Math.min(1, Math.fround(v) * 1.5)).map(Math.fround),
    );
    const g1 = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
    const g2 = 0.299 * 0.8 + 0.587 * 0.6 + 0.114 * 0.4;
    const mean = (g1 + g2) / 2;
    only(1, { contrast: 0.5 }).forEach((v, i) => {
      expect(v).toBeCloseTo(0.5 * px()[i]! + 0.5 * mean, 5);
    });
    only(2, { saturation: 0 }).forEach((v, i) => {
      expect(v).toBeCloseTo(i < 3 ? g1 : g2, 5);
    });
    const red = Float32Array.from([1, 0, 0]);
    hueShift(red, 0, 1 / 3);
    expect(Array.from(red).map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 1, 0]);
    // Draws follow ColorJitter(0.5, 0.5, 0.5, 0.05) ranges and use a permutation of the 4 ops.
    const rng = rngStream(1, 'jitter');
    for (let t = 0; t < 50; t++) {
      const d = drawJitter(rng);
      expect([...d.order].sort()).toEqual([0, 1, 2, 3]);
      for (const f of [d.brightness, d.contrast, d.saturation]) expect(f >= 0.5 && f <= 1.5).toBe(true);
      expect(Math.abs(d.hue)).toBeLessThanOrEqual(0.05);
    }
  });

  test('train transform applies jitter to the image only and stays deterministic for a seed', () => {
    const a = applyTrain(coded(), 16, drawTrain(rngStream(3, 'x'), R, 16), RAW);
    const b = applyTrain(coded(), 16, drawTrain(rngStream(3, 'x'), R, 16), RAW);
    expect(Array.from(a.image)).toEqual(Array.from(b.image));
    expect(new Set(a.mask).size).toBeLessThanOrEqual(2);
    expect([...new Set(a.mask)].every((v) => v === 0 || v === 1)).toBe(true);
  });
});
