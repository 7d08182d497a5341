import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from './index.js';

// The gradients the engine replaces on wasm because wasm's own (MaxPoolGrad) or the cpu backend's
// (ResizeNearestNeighborGrad) route gradient to the wrong pixels: checked against plain-loop references.

const N = 2;
const H = 15;
const W = 13;
const C = 3;
const input = Float32Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 1.37) + i * 1e-6);

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

function upstream(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.cos(i * 0.71));
}

/** TF 'same' padding puts the extra row/column at the end; 'valid' has none. */
function maxPoolGradReference(k: number, s: number, pad: 'same' | 'valid') {
  const oh = pad === 'same' ? Math.ceil(H / s) : Math.floor((H - k) / s) + 1;
  const ow = pad === 'same' ? Math.ceil(W / s) : Math.floor((W - k) / s) + 1;
  const top = pad === 'same' ? Math.floor(Math.max((oh - 1) * s + k - H, 0) / 2) : 0;
  const left = pad === 'same' ? Math.floor(Math.max((ow - 1) * s + k - W, 0) / 2) : 0;
  const dy = upstream(N * oh * ow * C);
  const dx = new Float32Array(input.length);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const y = oy * s + ky - top;
              const x = ox * s + kx - left;
              if (y < 0 || x < 0 || y >= H || x >= W) continue;
              const i = ((n * H + y) * W + x) * C + c;
              if (input[i]! > best) {
                best = input[i]!;
                at = i;
              }
            }
          dx[at]! += dy[((n * oh + oy) * ow + ox) * C + c]!;
        }
  return { dx, dy, oh, ow };
}

describe('wasm MaxPoolGrad (engine kernel)', () => {
  it.each([
    [3, 2, 'same'],
    [3, 2, 'valid'],
    [3, 1, 'same'],
    [2, 2, 'valid'],
  ] as const)('k%d s%d %s matches the plain-loop gradient', (k, s, pad) => {
    const ref = maxPoolGradReference(k, s, pad);
    const got = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, k, s, pad), tf.tensor4d(ref.dy, [N, ref.oh, ref.ow, C]))),
        )(tf.tensor4d(input, [N, H, W, C]))
        .dataSync(),
    );
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref.dx[i]!));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('wasm ResizeNearestNeighborGrad (engine kernel)', () => {
  it.each([
    [[30, 26], false, false],
    [[31, 17], false, true],
    [[31, 17], true, false],
    [[7, 5], false, true],
  ] as const)(
    'to %j (alignCorners %s, halfPixel %s) sums dy into the source pixel the forward op read',
    (size, ac, hp) => {
      const [dx, ref] = tf.tidy(() => {
        // The forward op on an index image tells which source pixel each output pixel copies.
        const idx = tf.range(0, N * H * W * C).reshape([N, H, W, C]) as tf.Tensor4D;
        const src = tf.image.resizeNearestNeighbor(idx, [size[0], size[1]], ac, hp).dataSync();
        const dy = upstream(src.length);
        const expected = new Float32Array(N * H * W * C);
        for (let i = 0; i < src.length; i++) expected[src[i]!]! += dy[i]!;
        const g = tf
          .grad((x: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [size[0], size[1]], ac, hp),
                tf.tensor4d(dy, [N, size[0], size[1], C]),
              ),
            ),
          )(tf.tensor4d(input, [N, H, W, C]))
          .dataSync();
        return [g, expected];
      });
      let worst = 0;
      for (let i = 0; i < dx.length; i++) worst = Math.max(worst, Math.abs(dx[i]! - ref[i]!));
      expect(worst).toBeLessThan(1e-5);
    },
  );
});
