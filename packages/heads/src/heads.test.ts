import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, rngStream } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import {
  ClassMapHead,
  classActivationMaps,
  classLogits,
  globalAveragePool,
  mapsAsRows,
  predictedClasses,
  selectClassMaps,
  stopGradient,
  withoutGradient,
} from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('ClassMapHead', () => {
  it('is a 1x1 conv to K*m maps averaged class-wise (checked with plain loops)', () => {
    const [n, h, w, cin, classes, m] = [1, 2, 3, 4, 2, 3];
    const params = new ParamStore(rngStream(0, 'head-test'));
    const head = new ClassMapHead(params, {
      inChannels: cin,
      numClasses: classes,
      modalities: m,
      supportBackground: true,
    });
    const k = classes + 1;
    expect(head.numMaps).toBe(k);
    expect(head.conv.kernel.shape).toEqual([1, 1, cin, k * m]);
    expect(Array.from(head.conv.bias!.dataSync())).toEqual(new Array(k * m).fill(0));
    const kernel = head.conv.kernel.dataSync();
    const bias = Float32Array.from({ length: k * m }, (_, i) => 0.1 * i);
    head.conv.bias!.assign(tf.tensor1d(bias));
    const f = Float32Array.from({ length: n * h * w * cin }, (_, i) => Math.sin(1 + i));
    const out = tf.tidy(() => head.apply(tf.tensor4d(f, [n, h, w, cin])).arraySync());
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let j = 0; j < m; j++) {
            const o = c * m + j;
            let v = bias[o]!;
            for (let i = 0; i < cin; i++) v += f[(y * w + x) * cin + i]! * kernel[i * k * m + o]!;
            s += v / m;
          }
          expect(out[0]![y]![x]![c]).toBeCloseTo(s, 5);
        }
    params.dispose();
  });

  it('uses xavier-uniform bounds sqrt(6 / (fan_in + fan_out))', () => {
    const params = new ParamStore(rngStream(1, 'head-test'));
    const head = new ClassMapHead(params, { inChannels: 64, numClasses: 2 });
    const bound = Math.sqrt(6 / (64 + 2));
    const v = head.conv.kernel.dataSync();
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    params.dispose();
  });

  it('rejects bad sizes with the value in the message', () => {
    const params = new ParamStore(rngStream(2, 'head-test'));
    expect(() => new ClassMapHead(params, { inChannels: 4, numClasses: 2, modalities: 0 })).toThrow(/modalities.*0/);
    expect(() => new ClassMapHead(params, { inChannels: 4, numClasses: 0 })).toThrow(/numClasses.*0/);
    params.dispose();
  });
});

describe('background map', () => {
  const maps = () =>
    tf.tensor4d(
      Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i),
      [2, 2, 2, 3],
    );

  it('logits drop score 0 only with a background map', () => {
    const pooled = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(classLogits(pooled, true).arraySync()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(classLogits(pooled, false)).toBe(pooled);
    pooled.dispose();
  });

  it('class c is map c+1 with a background map, map c without', () => {
    const m = maps();
    const all = m.arraySync();
    const withBg = selectClassMaps(m, [1, 0], true).arraySync();
    const noBg = selectClassMaps(m, [1, 0], false).arraySync();
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 2; x++) {
        expect(withBg[0]![y]![x]).toBe(all[0]![y]![x]![2]);
        expect(withBg[1]![y]![x]).toBe(all[1]![y]![x]![1]);
        expect(noBg[0]![y]![x]).toBe(all[0]![y]![x]![1]);
        expect(noBg[1]![y]![x]).toBe(all[1]![y]![x]![0]);
      }
    expect(() => selectClassMaps(m, [2, 0], true)).toThrow(/class 2 out of range \[0, 2\)/);
    expect(() => selectClassMaps(m, [0], false)).toThrow(/1 classes given for a batch of 2/);
    m.dispose();
  });

  it('mapsAsRows puts one map per row', () => {
    const m = maps();
    const rows = mapsAsRows(m).arraySync();
    expect(rows.length).toBe(6);
    expect(rows[1]).toEqual([1, 4, 7, 10]); // image 0, map 1
    expect(rows[5]).toEqual([14, 17, 20, 23]); // image 1, map 2
    m.dispose();
  });
});

describe('withoutGradient', () => {
  it('keeps the value and back-propagates zero', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const mask = withoutGradient((t: tf.Tensor1D) => tf.cast(tf.greater(t, 0), 'float32') as tf.Tensor1D);
    expect(Array.from(mask(x).dataSync())).toEqual([1, 0, 1]);
    // d/dx Σ x·mask(x) = mask: the comparison contributes nothing.
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, mask(t as tf.Tensor1D))))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 0, 1]);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t as tf.Tensor1D, stopGradient(t))))(x);
    expect(Array.from(g2.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, g, g2]);
  });
});

describe('class activation maps', () => {
  it('computes Σ_k w_ck A_k for the requested class (checked with plain loops)', () => {
    const [n, h, w, k, c] = [2, 3, 4, 5, 3];
    const a = Float32Array.from({ length: n * h * w * k }, (_, i) => Math.sin(i * 0.37));
    const wts = Float32Array.from({ length: k * c }, (_, i) => Math.cos(i * 0.91));
    const classes = [2, 0];
    const got = tf.tidy(() =>
      classActivationMaps(tf.tensor4d(a, [n, h, w, k]), tf.tensor2d(wts, [k, c]), classes).arraySync(),
    );
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += a[((i * h + y) * w + x) * k + j]! * wts[j * c + classes[i]!]!;
          expect(got[i]![y]![x]).toBeCloseTo(s, 5);
        }
  });

  it('global average pooling is the spatial mean of each channel', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i * i),
      [2, 2, 3, 2],
    );
    const got = globalAveragePool(x).arraySync();
    const data = x.arraySync();
    for (let n = 0; n < 2; n++)
      for (let k = 0; k < 2; k++) {
        let s = 0;
        for (let y = 0; y < 2; y++) for (let c = 0; c < 3; c++) s += data[n]![y]![c]![k]!;
        expect(got[n]![k]).toBeCloseTo(s / 6, 4);
      }
    x.dispose();
  });

  it('predictedClasses is the argmax of each row of logits', () => {
    const logits = tf.tensor2d([
      [0.1, 2],
      [3, -1],
    ]);
    expect(predictedClasses(logits)).toEqual([1, 0]);
    logits.dispose();
  });
});
