import * as tf from '@tensorflow/tfjs';

// The kernel parity cases: each builds outputs (and gradients) from seeded inputs with public TF.js ops, so that the
// same function can run on the 'cpu' backend (the reference) and on 'torch'. Shared by the jest suite
// (kernels.test.ts) and the GPU device check (benchmarks/perf/src/device-check.ts). The union package is imported
// (not only tfjs-core) because it registers the gradient functions and chained ops the cases use.

export function seeded(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.randomUniform(shape, lo, hi, 'float32', seed);
}

/** [name, outputs from seeded inputs, tolerance relative to max(1, max |reference|) (default 1e-5)]. */
export type ParityCase = [string, () => tf.Tensor | tf.Tensor[], number?];
const conv = (
  xs: number[],
  ws: number[],
  s: number | [number, number],
  pad: 'same' | 'valid' | number,
  d = 1,
): ParityCase => [
  `conv2d x${xs.join('x')} w${ws.join('x')} s${s} ${pad} d${d}${d === 1 ? ' (+ both gradients)' : ''}`,
  () => {
    const x = seeded(xs, 1) as tf.Tensor4D;
    const w = seeded(ws, 2) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad as 'same', 'NHWC', d)
        .square()
        .sum();
    // tfjs-core has no conv2d gradient for dilation > 1: forward only there.
    return [tf.conv2d(x, w, s, pad as 'same', 'NHWC', d), ...(d === 1 ? tf.grads(f)([x, w]) : [])];
  },
];
const pool = (
  kind: 'max' | 'avg',
  xs: number[],
  k: number | [number, number],
  s: number,
  pad: 'same' | 'valid',
): ParityCase => [
  `${kind}Pool x${xs.join('x')} k${k} s${s} ${pad} (+ gradient)`,
  () => {
    const x = seeded(xs, 3) as tf.Tensor4D;
    const f = (a: tf.Tensor) =>
      (kind === 'max' ? tf.maxPool : tf.avgPool)(a as tf.Tensor4D, k, s, pad)
        .mul(seeded([1], 9))
        .sum();
    return [(kind === 'max' ? tf.maxPool : tf.avgPool)(x, k, s, pad), tf.grads(f)([x])[0]!];
  },
];
// TF.js's own ResizeBilinearGrad kernels ignore halfPixelCenters and (CPU) fail on non-square images, so bilinear
// gradients are checked by the adjoint identity <R x, dy> = <x, R^T dy> on each backend (see resizeAdjoint below);
// the nearest-neighbour gradient is compared with the CPU backend directly.
export const resizeOp =
  (kind: 'bilinear' | 'nearest', size: [number, number], ac: boolean, hp: boolean) => (a: tf.Tensor) =>
    kind === 'bilinear'
      ? tf.image.resizeBilinear(a as tf.Tensor4D, size, ac, hp)
      : tf.image.resizeNearestNeighbor(a as tf.Tensor4D, size, ac, hp);
const resize = (
  kind: 'bilinear' | 'nearest',
  xs: number[],
  size: [number, number],
  ac: boolean,
  hp: boolean,
): ParityCase => [
  `resize ${kind} ${xs.join('x')} -> ${size.join('x')} alignCorners=${ac} halfPixel=${hp}${kind === 'nearest' ? ' (+ gradient)' : ''}`,
  () => {
    const x = seeded(xs, 4) as tf.Tensor4D;
    const op = resizeOp(kind, size, ac, hp);
    if (kind === 'bilinear') return [op(x)];
    return [
      op(x),
      tf.grads((a: tf.Tensor) =>
        op(a)
          .mul(seeded([1, ...size, xs[3]!], 5))
          .sum(),
      )([x])[0]!,
    ];
  },
];

export const PARITY_CASES: ParityCase[] = [
  conv([2, 7, 7, 3], [3, 3, 3, 4], 2, 'same'),
  conv([1, 8, 8, 3], [3, 3, 3, 5], 1, 'same'),
  conv([2, 9, 9, 4], [7, 7, 4, 3], 2, 'same'),
  conv([1, 11, 11, 3], [7, 7, 3, 4], 2, 'valid'),
  conv([2, 9, 9, 4], [1, 7, 4, 3], 1, 'same'),
  conv([2, 9, 9, 4], [7, 1, 4, 3], 1, 'valid'),
  conv([2, 9, 8, 4], [1, 1, 4, 6], 2, 'valid'),
  conv([3, 5, 5, 2], [1, 1, 2, 3], 1, 'same'),
  conv([1, 13, 13, 5], [3, 3, 5, 2], [2, 1], 'valid'),
  conv([1, 10, 10, 3], [3, 3, 3, 2], 1, 'same', 2),
  conv([1, 10, 10, 3], [3, 3, 3, 2], 1, 1),
  conv([2, 26, 26, 2], [3, 3, 2, 3], 1, 'same'),
  pool('max', [2, 9, 9, 3], 3, 2, 'same'),
  pool('max', [1, 8, 8, 2], 2, 2, 'valid'),
  pool('max', [1, 7, 6, 2], 3, 1, 'same'),
  pool('avg', [2, 9, 9, 3], 3, 1, 'same'),
  pool('avg', [2, 9, 9, 3], 3, 2, 'same'),
  pool('avg', [1, 8, 8, 2], 2, 2, 'valid'),
  pool('avg', [1, 10, 10, 2], [3, 2], 2, 'valid'),
  resize('bilinear', [2, 8, 8, 3], [64, 64], false, true),
  resize('bilinear', [1, 5, 7, 2], [11, 3], false, false),
  resize('bilinear', [1, 5, 7, 2], [9, 13], true, false),
  resize('nearest', [1, 5, 7, 2], [11, 3], false, false),
  resize('nearest', [1, 5, 7, 2], [10, 14], false, true),
  resize('nearest', [1, 5, 7, 2], [9, 13], true, false),
  [
    'batchNorm broadcast (+ gradients)',
    () => {
      const x = seeded([2, 3, 3, 4], 6);
      const [m, v, o, s] = [seeded([4], 7), seeded([4], 8, 0.5, 2), seeded([4], 9), seeded([4], 10)];
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.batchNorm(a, m, v, b, c, 1e-3).square().sum();
      return [tf.batchNorm(x, m!, v!, o!, s!, 1e-3), ...tf.grads(f)([x, o!, s!])];
    },
  ],
  [
    'matMul all transposes, batched and broadcast (+ gradients)',
    () => {
      const a = seeded([3, 4, 5], 11);
      const b = seeded([3, 5, 2], 12);
      const out = [
        tf.matMul(a, b),
        tf.matMul(a, seeded([3, 2, 5], 13), false, true),
        tf.matMul(seeded([3, 5, 4], 14), b, true, false),
      ];
      out.push(tf.matMul(seeded([5, 4], 15), seeded([2, 5], 16), true, true));
      out.push(...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y).square().sum())([a, b]));
      return out;
    },
  ],
  [
    'elementwise unary on odd sizes',
    () => {
      const x = seeded([3, 5, 7], 17, -3, 3);
      const p = seeded([3, 5, 7], 18, 0.1, 4);
      return [
        tf.abs(x),
        tf.neg(x),
        tf.exp(x),
        tf.expm1(x),
        tf.log(p),
        tf.log1p(p),
        tf.sqrt(p),
        tf.rsqrt(p),
        tf.square(x),
        tf.relu(x),
        tf.relu6(x),
        tf.elu(x),
        tf.sigmoid(x),
        tf.softplus(x),
        tf.tanh(x),
        tf.floor(x),
        tf.ceil(x),
        tf.round(x.mul(2)),
        tf.sign(x),
        tf.reciprocal(p),
        tf.leakyRelu(x, 0.3),
        tf.clipByValue(x, -0.5, 0.7),
        tf.step(x, 0.2),
        tf.erf(x),
        tf.sin(x),
        tf.cos(x),
        tf.selu(x),
      ];
    },
  ],
  [
    'elementwise binary with broadcasting',
    () => {
      const a = seeded([2, 3, 4], 19, -2, 2);
      const b = seeded([3, 1], 20, 0.5, 2);
      return [
        tf.add(a, b),
        tf.sub(a, b),
        tf.mul(a, b),
        tf.div(a, b),
        tf.maximum(a, b),
        tf.minimum(a, b),
        tf.pow(b, seeded([1, 4], 21)),
        tf.squaredDifference(a, b),
        tf.floorDiv(a, b),
        tf.mod(a, b),
        tf.addN([a, a, a]),
        tf.prelu(a, seeded([4], 22)),
      ];
    },
  ],
  [
    'comparisons and logic give bool',
    () => {
      const a = seeded([4, 5], 23);
      const b = seeded([5], 24);
      const c = tf.greater(a, b);
      return [
        c,
        tf.greaterEqual(a, b),
        tf.less(a, b),
        tf.lessEqual(a, b),
        tf.equal(a, a),
        tf.notEqual(a, b),
        tf.logicalAnd(c, tf.less(a, 0.5)),
        tf.logicalOr(c, tf.less(a, -0.5)),
        tf.logicalNot(c),
        tf.isNaN(tf.div(a, a.sub(a))),
        tf.where(c, a, tf.zerosLike(a)),
        tf.any(c, 1),
        tf.all(c, 0),
      ];
    },
  ],
  [
    'int32 arithmetic, reductions and casts',
    () => {
      const i = tf.tensor2d(
        [
          [3, -7, 2],
          [9, 0, -4],
        ],
        [2, 3],
        'int32',
      );
      const j = tf.tensor2d(
        [
          [2, 3, -5],
          [4, 1, 3],
        ],
        [2, 3],
        'int32',
      );
      return [
        tf.add(i, j),
        tf.sub(i, j),
        tf.mul(i, j),
        tf.floorDiv(i, j),
        tf.mod(i, j),
        tf.sum(i),
        tf.sum(i, 1, true),
        tf.max(i, 0),
        tf.min(i),
        tf.argMax(i, 1),
        tf.argMin(i, 0),
        tf.cast(i, 'float32'),
        tf.cast(tf.tensor1d([1.7, -1.7, 0.2]), 'int32'),
        tf.cast(tf.tensor1d([0, 2, 0]), 'bool'),
        tf.cast(tf.greater(i, j), 'float32'),
        tf.abs(i),
        tf.neg(i),
        tf.square(i),
      ];
    },
  ],
  [
    'reductions over axes, keepDims, softmax',
    () => {
      const x = seeded([2, 3, 4, 5], 25);
      return [
        tf.sum(x),
        tf.sum(x, [1, 2]),
        tf.sum(x, -1, true),
        tf.mean(x, [0, 3]),
        tf.max(x, [1, 2], true),
        tf.min(x, 2),
        tf.prod(seeded([3, 4], 26, 0.5, 1.5), 1),
        tf.argMax(x, -1),
        tf.softmax(x),
        tf.softmax(seeded([6, 3], 27)),
        tf.logSoftmax(x),
        tf.topk(tf.tensor1d([3, 1, 3, 2, 1, 3]), 4).values,
        tf.topk(tf.tensor1d([3, 1, 3, 2, 1, 3]), 4).indices,
      ];
    },
  ],
  [
    'shape ops: reshape, transpose, slice, stridedSlice, concat, stack, split, tile, pad, reverse, gather, oneHot',
    () => {
      const x = seeded([2, 3, 4, 5], 28);
      return [
        x.reshape([6, -1]),
        tf.transpose(x, [0, 3, 1, 2]).add(1),
        tf.slice(x, [0, 1, 1, 0], [2, 2, -1, 3]),
        tf.stridedSlice(x, [0, 0, 1], [2, 3, 4], [1, 2, 2]),
        tf.stridedSlice(x, [1], [2], [1], 0, 0, 0, 0, 1),
        tf.concat([x, x.mul(2)], 3),
        tf.concat([x, x], 0),
        tf.stack([x, x], 1),
        ...tf.split(x, [1, 3, 1], 3),
        ...tf.unstack(x, 1),
        tf.tile(seeded([2, 3], 29), [2, 3]),
        tf.pad(
          x,
          [
            [0, 0],
            [1, 2],
            [0, 1],
            [0, 0],
          ],
          0.5,
        ),
        tf.reverse(x, [1, 3]),
        tf.gather(x, tf.tensor1d([2, 0, 2], 'int32'), 1),
        tf.oneHot(tf.tensor1d([0, 3, 1, 5], 'int32'), 4),
        tf.expandDims(seeded([3, 4], 30), 1),
        tf.range(0, 10, 3),
        tf.fill([2, 3], 4.5),
        tf.onesLike(x),
        tf.cumsum(seeded([4, 3], 31), 0),
      ];
    },
  ],
  [
    'a tiny CNN training step: loss and every gradient',
    () => {
      const x = seeded([4, 12, 12, 3], 32);
      const w1 = seeded([3, 3, 3, 8], 33);
      const w2 = seeded([1, 1, 8, 2], 34);
      const loss = (a: tf.Tensor, b: tf.Tensor) => {
        const h = tf.relu(tf.conv2d(x as tf.Tensor4D, a as tf.Tensor4D, 1, 'same'));
        const p = tf.maxPool(h, 2, 2, 'same');
        const m = tf.conv2d(p, b as tf.Tensor4D, 1, 'valid');
        const logits = tf.mean(m, [1, 2]);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2), logits);
      };
      const v1 = tf.variable(w1);
      const v2 = tf.variable(w2);
      const { value, grads } = tf.variableGrads(() => loss(v1, v2) as tf.Scalar, [v1, v2]);
      const out = [value, ...Object.values(grads), ...tf.grads(loss)([w1, w2])].map((t) => t.clone());
      v1.dispose();
      v2.dispose();
      return out;
    },
  ],
];

/** Default tolerance of a case, relative to max(1, max |reference|). */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityOutput {
  shape: number[];
  dtype: string;
  values: number[];
}

/** Run a case on a backend and read its outputs back (the tensors are disposed). */
export async function computeParityCase(backend: string, f: ParityCase[1]): Promise<ParityOutput[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape,
      dtype: t.dtype,
      values: Array.from(t.dataSync() as Float32Array),
    }));
  });
}

/** Per output: max |got - want| and the scale the tolerance is relative to; a shape or dtype mismatch is named. */
export function compareParity(
  want: ParityOutput[],
  got: ParityOutput[],
): { output: number; maxError: number; scale: number; mismatch?: string }[] {
  if (got.length !== want.length)
    return [{ output: -1, maxError: Infinity, scale: 1, mismatch: `${got.length} outputs, want ${want.length}` }];
  return got.map((g, i) => {
    const w = want[i]!;
    const scale = Math.max(1, ...w.values.map(Math.abs));
    if (g.dtype !== w.dtype || g.shape.join('x') !== w.shape.join('x'))
      return { output: i, maxError: Infinity, scale, mismatch: `${g.dtype}[${g.shape}] vs ${w.dtype}[${w.shape}]` };
    const maxError = Math.max(0, ...g.values.map((v, j) => Math.abs(v - w.values[j]!)));
    return { output: i, maxError, scale };
  });
}
