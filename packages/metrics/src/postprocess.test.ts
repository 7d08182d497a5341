import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { camsToScoremaps, minMaxNormalize, nanToNum, upsampleMaps } from './postprocess.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch F.interpolate(bilinear, align_corners=False) in plain loops (source index clamped at 0). */
function torchBilinear(src: number[][], outH: number, outW: number): number[][] {
  const h = src.length;
  const w = src[0]!.length;
  const coord = (o: number, inSize: number, outSize: number) => {
    const x = Math.max(((o + 0.5) * inSize) / outSize - 0.5, 0);
    const i0 = Math.min(Math.floor(x), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    return [i0, i1, x - i0] as const;
  };
  return Array.from({ length: outH }, (_, r) => {
    const [r0, r1, fr] = coord(r, h, outH);
    return Array.from({ length: outW }, (_, c) => {
      const [c0, c1, fc] = coord(c, w, outW);
      const top = src[r0]![c0]! * (1 - fc) + src[r0]![c1]! * fc;
      const bottom = src[r1]![c0]! * (1 - fc) + src[r1]![c1]! * fc;
      return top * (1 - fr) + bottom * fr;
    });
  });
}

describe('minMaxNormalize', () => {
  it('maps each image independently to [0, 1] with both bounds attained', () => {
    const x = tf.tensor3d([1, 3, 5, 9, -2, -2, 0, 2], [2, 2, 2]);
    const y = minMaxNormalize(x);
    expect(Array.from(y.dataSync())).toEqual([0, 0.25, 0.5, 1, 0, 0, 0.5, 1]);
    tf.dispose([x, y]);
  });

  it('turns constant, NaN-containing and infinite maps into zeros', () => {
    const x = tf.tensor3d(
      [4, 4, 4, 4, 1, Number.NaN, 3, 2, 0, 1, Number.POSITIVE_INFINITY, 2, 0, 1, Number.NEGATIVE_INFINITY, 2],
      [4, 2, 2],
    );
    const y = minMaxNormalize(x);
    expect(Array.from(y.dataSync())).toEqual(new Array(16).fill(0));
    tf.dispose([x, y]);
  });

  it('accepts [N, h, w, 1] and keeps no tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d([0, 2, 4, 8], [1, 2, 2, 1]);
    const y = minMaxNormalize(x);
    expect(y.shape).toEqual([1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([0, 0.25, 0.5, 1]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('upsampleMaps (bilinear, half-pixel centres)', () => {
  it('matches a hand-computed 2x2 -> 4x4 example', () => {
    // Source coords (o + .5)/2 - .5 = -.25 (clamped 0), .25, .75, 1.25 (clamped 1):
    // a 1-D pair [a, b] -> [a, .75a + .25b, .25a + .75b, b]; rows [0, 2] -> [0, .5, 1.5, 2], cols [0, 1] -> [0, .25, .75, 1].
    const x = tf.tensor3d([0, 1, 2, 3], [1, 2, 2]);
    const y = upsampleMaps(x, 4);
    const rows = [0, 0.5, 1.5, 2];
    const cols = [0, 0.25, 0.75, 1];
    expect(Array.from(y.dataSync())).toEqual(rows.flatMap((r) => cols.map((c) => r + c)));
    tf.dispose([x, y]);
  });

  it('matches PyTorch align_corners=False loops on a non-square random example', () => {
    const src = [
      [0.1, 0.7, 0.3, 0.9, 0.0],
      [0.5, 0.2, 0.8, 0.4, 1.0],
      [0.6, 0.05, 0.95, 0.35, 0.25],
    ];
    const x = tf.tensor3d(src.flat(), [1, 3, 5]);
    const y = upsampleMaps(x, [7, 12]);
    const expected = torchBilinear(src, 7, 12).flat();
    const got = Array.from(y.dataSync());
    expect(got.length).toBe(expected.length);
    got.forEach((v, i) => {
      expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6);
    });
    tf.dispose([x, y]);
  });
});

describe('nanToNum and the CAM pipeline', () => {
  it('replaces NaN by 0, +Inf by 1, -Inf by 0', () => {
    const x = tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5]);
    const y = nanToNum(x);
    expect(Array.from(y.dataSync())).toEqual([0, 1, 0, 0.5]);
    tf.dispose([x, y]);
  });

  it('normalises at feature resolution, then upsamples, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const x = tf.tensor3d([10, 20, 30, 50, 7, 7, 7, 7], [2, 2, 2]);
      const y = camsToScoremaps(x, 4);
      const d = y.dataSync();
      // image 0 normalises to [0, .25, .5, 1] then upsamples: rows [0,.5] cols [0,.25]
      expect(d[0]).toBe(0);
      expect(d[15]).toBe(1);
      expect(d[5]).toBeCloseTo(0.75 * 0.75 * 0 + 0.75 * 0.25 * 0.25 + 0.25 * 0.75 * 0.5 + 0.25 * 0.25 * 1, 6);
      expect(Array.from(d.slice(16))).toEqual(new Array(16).fill(0)); // constant map -> zeros
      tf.dispose([x, y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
