import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from './index.js';
import { onBackend, randomValues, relativeError, size } from './test-util.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type Case = { x: [number, number, number, number]; w: [number, number, number, number]; stride: number; pad: Pad };

// Stride 2 on odd sizes, 1x1, 3x3, 7x7, 1x7/7x1, batch 1 and >1, same/valid/explicit pads.
const CASES: Case[] = [
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 3], w: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { x: [2, 9, 9, 4], w: [7, 7, 4, 3], stride: 2, pad: 'same' },
  { x: [1, 11, 11, 3], w: [7, 7, 3, 4], stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 4], w: [1, 7, 4, 3], stride: 1, pad: 'same' },
  { x: [2, 9, 9, 4], w: [7, 1, 4, 3], stride: 1, pad: 'valid' },
  { x: [2, 9, 8, 4], w: [1, 1, 4, 6], stride: 2, pad: 'valid' },
  { x: [3, 5, 5, 2], w: [1, 1, 2, 3], stride: 1, pad: 'same' },
  { x: [2, 6, 6, 4], w: [3, 3, 4, 6], stride: 2, pad: 'valid' },
  { x: [1, 13, 13, 5], w: [3, 3, 5, 2], stride: 2, pad: 'valid' },
  {
    x: [1, 10, 10, 3],
    w: [3, 3, 3, 2],
    stride: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  // Output maps above 24x24: dW through the strided-conv formulation instead of the patch matrix.
  { x: [1, 26, 26, 2], w: [3, 3, 2, 3], stride: 1, pad: 'same' },
  { x: [2, 51, 51, 2], w: [3, 3, 2, 2], stride: 2, pad: 'same' },
  { x: [1, 30, 30, 2], w: [7, 7, 2, 2], stride: 1, pad: 'valid' },
  { x: [1, 56, 55, 2], w: [1, 7, 2, 2], stride: 2, pad: 'valid' },
];

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm conv gradient kernels match the cpu backend', () => {
  test.each(CASES.map((c) => [`x${c.x.join('x')} w${c.w.join('x')} s${c.stride} ${JSON.stringify(c.pad)}`, c]))(
    '%s',
    async (_, c) => {
      const { x: xs, w: ws, stride, pad } = c as Case;
      const xv = randomValues(size(xs), 'x', xs.join());
      const wv = randomValues(size(ws), 'w', ws.join());
      const grads = () => {
        const x = tf.tensor4d(xv, xs);
        const w = tf.tensor4d(wv, ws);
        const y = tf.conv2d(x, w, stride, pad);
        const dy = tf.tensor(randomValues(y.size, 'dy', y.shape.join()), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))(
          [x, w],
          dy,
        );
      };
      const [dxW, dwW] = await onBackend('wasm', grads);
      const [dxC, dwC] = await onBackend('cpu', grads);
      expect(relativeError(dxW!, dxC!)).toBeLessThan(1e-4);
      expect(relativeError(dwW!, dwC!)).toBeLessThan(1e-4);
    },
  );

  test('the kernels the engine supplies are registered on wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

describe('BatchMatMul (with transposed operands) matches the cpu backend', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 4, 6], [2, 6, 3], false, false],
    [[2, 6, 4], [2, 3, 6], true, true],
    [[1, 6, 4], [1, 6, 3], true, false],
  ];
  test.each(cases)('a %j b %j tA=%s tB=%s', async (as, bs, ta, tb) => {
    const av = randomValues(size(as), 'a', as.join());
    const bv = randomValues(size(bs), 'b', bs.join());
    const f = () => [tf.matMul(tf.tensor(av, as), tf.tensor(bv, bs), ta, tb)];
    const [w] = await onBackend('wasm', f);
    const [c] = await onBackend('cpu', f);
    expect(relativeError(w!, c!)).toBeLessThan(1e-5);
  });
});

describe('batch-norm gradient (engine override) equals the closed form, on wasm and cpu', () => {
  // Loss = sum(g * batchNorm(x; batch mean/var, gamma, beta)). Closed form, in float64:
  // dx = gamma/sqrt(v+eps) * (g - mean(g) - xhat * mean(g*xhat)), dgamma = sum(g*xhat), dbeta = sum(g).
  const shape: [number, number, number, number] = [2, 3, 4, 5];
  const eps = 1e-3;
  const xv = randomValues(size(shape), 'bn-x');
  const gv = randomValues(size(shape), 'bn-g');
  const gammaV = randomValues(5, 'bn-gamma').map((v) => 1 + 0.5 * v);
  const betaV = randomValues(5, 'bn-beta');

  function closedForm() {
    const c = 5;
    const m = size(shape) / c;
    const dx = new Float64Array(size(shape));
    const dgamma = new Float64Array(c);
    const dbeta = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      let mean = 0;
      for (let i = ch; i < xv.length; i += c) mean += xv[i]!;
      mean /= m;
      let v = 0;
      for (let i = ch; i < xv.length; i += c) v += (xv[i]! - mean) ** 2;
      v /= m;
      const r = 1 / Math.sqrt(v + eps);
      let mg = 0;
      let mgx = 0;
      for (let i = ch; i < xv.length; i += c) {
        const xhat = (xv[i]! - mean) * r;
        mg += gv[i]!;
        mgx += gv[i]! * xhat;
      }
      dbeta[ch] = mg;
      dgamma[ch] = mgx;
      for (let i = ch; i < xv.length; i += c) {
        const xhat = (xv[i]! - mean) * r;
        dx[i] = gammaV[ch]! * r * (gv[i]! - mg / m - (xhat * mgx) / m);
      }
    }
    return [dx, dgamma, dbeta].map((a) => Float32Array.from(a));
  }

  test.each(['wasm', 'cpu'])('%s', async (backend) => {
    const [dx, dgamma, dbeta] = await onBackend(backend, () => {
      const g = tf.tensor4d(gv, shape);
      const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(
          tf.mul(g, tf.batchNorm(x as tf.Tensor4D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, eps)),
        );
      };
      return tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([
        tf.tensor4d(xv, shape),
        tf.tensor1d(gammaV),
        tf.tensor1d(betaV),
      ]);
    });
    const ref = closedForm();
    expect(relativeError(dx!, ref[0]!)).toBeLessThan(1e-4);
    expect(relativeError(dgamma!, ref[1]!)).toBeLessThan(1e-4);
    expect(relativeError(dbeta!, ref[2]!)).toBeLessThan(1e-4);
  });
});
