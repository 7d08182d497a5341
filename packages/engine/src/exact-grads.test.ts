import * as tf from '@tensorflow/tfjs-core';
import { initEngine, registerEngineGradients } from './index.js';
import { randomValues, relativeError } from './test-util.js';

// The engine's AvgPool and ResizeBilinear gradients are exact on every backend (TF.js's own kernels are not):
// checked against definitions that do not use those kernels at all.
const BACKENDS = ['cpu', 'wasm'];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  registerEngineGradients();
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

const seeded = (shape: number[], seed: string) =>
  tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

describe.each(BACKENDS)('on %s', (backend) => {
  beforeEach(async () => {
    await tf.setBackend(backend);
  });

  test.each([
    [[2, 9, 9, 3], 3, 1, 'same'],
    [[2, 9, 9, 3], 3, 2, 'same'],
    [[1, 8, 7, 2], [3, 2], 2, 'same'],
    [[1, 8, 8, 2], 2, 2, 'valid'],
  ] as [number[], number | [number, number], number, 'same' | 'valid'][])(
    'avgPool %j k%j s%d %s: gradient = gradient of (window sum / real pixels), as PyTorch count_include_pad=False',
    (xs, k, s, pad) => {
      const [got, want] = tf.tidy(() => {
        const x = seeded(xs, 'x') as tf.Tensor4D;
        const dy = tf.tidy(() => seeded(tf.avgPool(x, k, s, pad).shape, 'dy'));
        const [kh, kw] = Array.isArray(k) ? k : [k, k];
        const ones = tf.ones([kh, kw, 1, 1]) as tf.Tensor4D;
        // Reference: per-channel window sums (channels folded into the batch) divided by the count of real pixels;
        // no pooling kernel involved.
        const [n, h, w, c] = xs as [number, number, number, number];
        const sums = (a: tf.Tensor) => {
          const folded = tf.reshape(tf.transpose(a, [0, 3, 1, 2]), [n * c, h, w, 1]) as tf.Tensor4D;
          const y = tf.conv2d(folded, ones, s, pad);
          return tf.transpose(tf.reshape(y, [n, c, y.shape[1], y.shape[2]]), [0, 2, 3, 1]);
        };
        const ref = (a: tf.Tensor) => tf.div(sums(a), sums(tf.onesLike(a)));
        const g1 = tf.grads((a: tf.Tensor) =>
          tf
            .avgPool(a as tf.Tensor4D, k, s, pad)
            .mul(dy)
            .sum(),
        )([x])[0]!;
        const g2 = tf.grads((a: tf.Tensor) => ref(a).mul(dy).sum())([x])[0]!;
        return [g1.dataSync() as Float32Array, g2.dataSync() as Float32Array];
      });
      expect(relativeError(got, want)).toBeLessThan(1e-5);
    },
  );

  test.each([
    [[11, 3], false, false],
    [[9, 13], true, false],
    [[64, 48], false, true],
    [[3, 4], false, true],
  ] as [[number, number], boolean, boolean][])(
    'resizeBilinear 5x7 -> %j alignCorners=%s halfPixel=%s: gradient is the adjoint <R x, dy> = <x, R^T dy>',
    (size, ac, hp) => {
      const [lhs, rhs] = tf.tidy(() => {
        const x = seeded([2, 5, 7, 3], 'rx');
        const dy = seeded([2, ...size, 3], 'rdy');
        const op = (a: tf.Tensor) => tf.image.resizeBilinear(a as tf.Tensor4D, size, ac, hp);
        const g = tf.grads((a: tf.Tensor) => op(a).mul(dy).sum())([x])[0]!;
        expect(g.shape).toEqual(x.shape);
        return [op(x).mul(dy).sum().dataSync()[0]!, x.mul(g).sum().dataSync()[0]!];
      });
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    },
  );
});
