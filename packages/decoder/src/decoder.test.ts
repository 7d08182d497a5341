import * as tf from '@tensorflow/tfjs-core';
import { createBackbone } from '@wslbench/backbones';
import { type BackboneInstance, ParamStore, rngStream } from '@wslbench/core';
import { tinyBackbone } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { foregroundProbability, maskedPixelCrossEntropy, weightedPixelCrossEntropy } from './pixel-loss.js';
import { buildUnetDecoder, decoderChannels, upsampleNearest2x } from './unet-decoder.js';

beforeAll(async () => {
  // The engine registers TF.js's gradient functions (and the wasm training kernels).
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

function forwardShape(backbone: BackboneInstance, store: ParamStore, scale: number, size: number) {
  const dec = buildUnetDecoder(store, backbone, { scale });
  const before = tf.memory().numTensors;
  const shape = tf.tidy(() => {
    const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const { stages } = backbone.forward(x, { training: false });
    return dec.apply(stages, [size, size], { training: true }).shape;
  });
  expect(tf.memory().numTensors).toBe(before);
  return { dec, shape };
}

describe('U-Net decoder', () => {
  it('is built from the stages of the tiny backbone: skips deep to shallow, 2-channel logits at the input size', () => {
    const store = new ParamStore(rngStream(0, 'dec'));
    const bb = tinyBackbone(store, { channels: 4 });
    const { dec, shape } = forwardShape(bb, store, 1 / 16, 16);
    expect(dec.channels).toEqual([16, 8, 4]);
    expect(dec.skips).toEqual(['f2', 'f1', undefined]);
    expect(dec.center).toBe(false);
    expect(shape).toEqual([2, 16, 16, 2]);
    // Block 0 takes the deepest stage (16 ch) + skip f2 (8 ch); block 1: 16 + f1 (4); block 2: 8, no skip.
    expect(store.get('decoder.blocks.0.conv1.kernel').variable.shape).toEqual([3, 3, 16 + 8, 16]);
    expect(store.get('decoder.blocks.1.conv1.kernel').variable.shape).toEqual([3, 3, 16 + 4, 8]);
    expect(store.get('decoder.blocks.2.conv1.kernel').variable.shape).toEqual([3, 3, 8, 4]);
    expect(store.get('segmentation_head.conv.kernel').variable.shape).toEqual([3, 3, 4, 2]);
    expect(store.has('decoder.blocks.0.conv1.bias')).toBe(false); // conv without bias, BN follows
    store.dispose();
  });

  it('scales the paper channels by width x scale and rejects a channel list that does not match the stages', () => {
    expect(decoderChannels({ stages: new Array(5).fill({ name: 'f', channels: 1, stride: 1 }), width: 1 })).toEqual([
      256, 128, 64, 32, 16,
    ]);
    expect(decoderChannels({ stages: new Array(3).fill({ name: 'f', channels: 1, stride: 1 }), width: 0.25 })).toEqual([
      64, 32, 16,
    ]);
    // At width 1/8 the scaled decoder ends in 2-channel blocks; scale 1/width restores the paper's channels.
    const five = new Array(5).fill({ name: 'f', channels: 1, stride: 1 });
    expect(decoderChannels({ stages: five, width: 0.125 })).toEqual([32, 16, 8, 4, 2]);
    expect(decoderChannels({ stages: five, width: 0.125 }, 8)).toEqual([256, 128, 64, 32, 16]);
    const store = new ParamStore(rngStream(0, 'dec'));
    const bb = tinyBackbone(store, { channels: 4 });
    expect(() => buildUnetDecoder(store, bb, { channels: [8, 4] })).toThrow(/2 block channels for 3 backbone stages/);
    store.dispose();
  });

  it.each([
    ['resnet50', 5, false],
    ['inceptionv3', 5, false],
    ['vgg16', 3, true],
  ] as const)('%s: %i blocks (centre block %s), logits at the input size', (id, blocks, center) => {
    const store = new ParamStore(rngStream(0, 'dec', id));
    const bb = createBackbone(id, { params: store, width: 1 / 16 });
    const { dec, shape } = forwardShape(bb, store, 1, 32);
    expect(dec.channels).toEqual([256, 128, 64, 32, 16].slice(0, blocks).map((c) => Math.max(2, Math.round(c / 16))));
    expect(dec.center).toBe(center);
    expect(shape).toEqual([2, 32, 32, 2]);
    const deepest = bb.stages[bb.stages.length - 1]!;
    const skip = bb.stages[bb.stages.length - 2]!;
    expect(store.get('decoder.blocks.0.conv1.kernel').variable.shape).toEqual([
      3,
      3,
      deepest.channels + skip.channels,
      dec.channels[0],
    ]);
    if (center)
      expect(store.get('decoder.center.conv1.kernel').variable.shape).toEqual([
        3,
        3,
        deepest.channels,
        deepest.channels,
      ]);
    store.dispose();
  });
});

describe('nearest x2 upsampling', () => {
  it('copies each pixel to a 2x2 block, and its gradient sums each block (plain loops)', () => {
    const [n, h, w, c] = [2, 3, 2, 2];
    const xv = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i));
    const dy = Float32Array.from({ length: n * 4 * h * w * c }, (_, i) => Math.cos(i * 0.7));
    const x = tf.tensor4d(xv, [n, h, w, c]);
    const up = tf.tidy(() => upsampleNearest2x(x).dataSync());
    const g = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) =>
          tf.sum(tf.mul(upsampleNearest2x(t as tf.Tensor4D), tf.tensor4d(dy, [n, 2 * h, 2 * w, c]))),
        )(x)
        .dataSync(),
    );
    const at = (i: number, y: number, xx: number, k: number, W: number, H: number) => ((i * H + y) * W + xx) * c + k;
    for (let i = 0; i < n; i++)
      for (let y = 0; y < 2 * h; y++)
        for (let xx = 0; xx < 2 * w; xx++)
          for (let k = 0; k < c; k++)
            expect(up[at(i, y, xx, k, 2 * w, 2 * h)]).toBe(xv[at(i, y >> 1, xx >> 1, k, w, h)]);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          for (let k = 0; k < c; k++) {
            let s = 0;
            for (const [dy0, dx0] of [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ] as const)
              s += dy[at(i, 2 * y + dy0, 2 * xx + dx0, k, 2 * w, 2 * h)]!;
            expect(g[at(i, y, xx, k, w, h)]).toBeCloseTo(s, 5);
          }
    x.dispose();
  });
});

describe('pixel losses', () => {
  const logitsVals = [0.3, -1.2, 2.0, 0.5, -0.7, -0.1, 1.1, 1.1]; // [1, 2, 2, 2]
  const logSoftmax = (a: number, b: number) => {
    const m = Math.max(a, b);
    const lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    return [a - lse, b - lse] as const;
  };

  it('foreground probability = softmax channel 1', () => {
    const got = tf.tidy(() => foregroundProbability(tf.tensor4d(logitsVals, [1, 2, 2, 2])).dataSync());
    for (let p = 0; p < 4; p++)
      expect(got[p]).toBeCloseTo(1 / (1 + Math.exp(logitsVals[2 * p]! - logitsVals[2 * p + 1]!)), 6);
  });

  it('weighted and masked cross-entropy match plain loops', () => {
    const bgW = [0.5, 0, 0, 2];
    const fgW = [0, 1, 0, 0.25];
    const weighted = tf.tidy(
      () =>
        weightedPixelCrossEntropy(
          tf.tensor4d(logitsVals, [1, 2, 2, 2]),
          tf.tensor3d(bgW, [1, 2, 2]),
          tf.tensor3d(fgW, [1, 2, 2]),
        ).dataSync()[0],
    );
    let want = 0;
    for (let p = 0; p < 4; p++) {
      const [l0, l1] = logSoftmax(logitsVals[2 * p]!, logitsVals[2 * p + 1]!);
      want -= bgW[p]! * l0 + fgW[p]! * l1;
    }
    expect(weighted).toBeCloseTo(want, 5);

    const mask = [1, 255, 0, 1]; // pixel 1 ignored
    const masked = tf.tidy(
      () =>
        maskedPixelCrossEntropy(
          tf.tensor4d(logitsVals, [1, 2, 2, 2]),
          tf.tensor3d(mask, [1, 2, 2], 'int32'),
        ).dataSync()[0],
    );
    let sum = 0;
    for (const p of [0, 2, 3]) sum -= logSoftmax(logitsVals[2 * p]!, logitsVals[2 * p + 1]!)[mask[p]!]!;
    expect(masked).toBeCloseTo(sum / 3, 5);
    // Hand value for one pixel: logits (0.3, -1.2), label 1 -> log(1 + e^{1.5}) = 1.7014.
    expect(-logSoftmax(0.3, -1.2)[1]).toBeCloseTo(1.70141, 4);
  });
});
