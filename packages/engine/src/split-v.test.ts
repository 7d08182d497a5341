import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from './index.js';

// The engine's SplitV (the gradient of every concat) against a plain-loop split.
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

describe('wasm SplitV (engine kernel)', () => {
  it.each([
    [[2, 5, 4, 7], [3, 4], 3],
    [[2, 5, 4, 7], [1, 2, 2], 1],
    [[2, 5, 4, 7], 2, 0],
    [[3, 6], [2, -1], 1],
  ] as const)('splits %j into %j along axis %d exactly', (shape, sizes, axis) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => i + 0.5);
    const parts = tf.tidy(() =>
      tf
        .split(tf.tensor(data, [...shape]), sizes as number | number[], axis)
        .map((t) => ({ shape: t.shape, v: t.dataSync() })),
    );
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    let begin = 0;
    for (const p of parts) {
      const len = p.shape[axis]!;
      expect(p.shape.filter((_, i) => i !== axis)).toEqual(shape.filter((_, i) => i !== axis));
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < len * inner; k++)
          expect(p.v[o * len * inner + k]).toBe(data[o * shape[axis]! * inner + begin * inner + k]);
      begin += len;
    }
    expect(begin).toBe(shape[axis]);
  });

  it('gives the concat gradient (split back into the inputs)', () => {
    const g = tf.tidy(() => {
      const a = tf.ones([2, 3, 3, 2]);
      const b = tf.ones([2, 3, 3, 5]);
      const w = tf.range(0, 2 * 3 * 3 * 7).reshape([2, 3, 3, 7]);
      return tf
        .grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y], 3), w)))([a, b])
        .map((t) => t.arraySync());
    });
    // d/dx of sum(concat(x, y) * w) = w[..., :2]; at [1, 2, 0] the flat index of channel 0 is ((1*3+2)*3+0)*7 = 105.
    expect((g[0] as number[][][][])[1]![2]![0]).toEqual([105, 106]);
    expect((g[1] as number[][][][])[0]![0]![0]).toEqual([2, 3, 4, 5, 6]);
  });
});
