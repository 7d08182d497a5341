import * as tf from '@tensorflow/tfjs-core';
import { buildOnTiny, learnsToyTask, stepContext, toyBatch } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { type ClassMapModel, globalAveragePool } from '@wslbench/heads';
import { method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('GAP', () => {
  it('pools each class map to its mean', () => {
    // [1, 2, 2, 2]: map 0 = [1, 2, 3, 6], map 1 = [-1, 0, 0, 5]
    const maps = tf.tensor4d([1, -1, 2, 0, 3, 0, 6, 5], [1, 2, 2, 2]);
    const s = globalAveragePool(maps).arraySync();
    expect(s[0]![0]).toBeCloseTo(3, 6);
    expect(s[0]![1]).toBeCloseTo(1, 6);
    maps.dispose();
  });

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method)).toEqual([]);
  });

  it('with a background map: C logits, class c reads map c+1, and map 0 gets no gradient', () => {
    const batch = toyBatch(4, 16);
    const { model, hp } = buildOnTiny<ClassMapModel>(method, { hp: { supportBackground: true } });
    expect(model.head.numMaps).toBe(3);
    const ctx = stepContext(hp);
    tf.tidy(() => {
      const { maps, logits } = model.forward(batch.images, { training: false });
      expect(logits.shape).toEqual([4, 2]);
      const expected = tf.slice(tf.mean(maps, [1, 2]), [0, 1], [4, 2]);
      expect(tf.max(tf.abs(tf.sub(logits, expected))).dataSync()[0]).toBeLessThan(1e-6);
      const { grads } = tf.variableGrads(
        () => method.loss(model, batch, ctx),
        [model.head.conv.kernel, model.head.conv.bias!],
      );
      const gk = grads[model.head.conv.kernel.name]!.arraySync() as number[][][][];
      const gb = grads[model.head.conv.bias!.name]!.dataSync();
      expect(gb[0]).toBe(0);
      expect(Math.abs(gb[1]!)).toBeGreaterThan(0);
      expect(gk[0]![0]!.every((row) => row[0] === 0)).toBe(true);
    });
    model.dispose();
    tf.dispose([batch.images, batch.labels, batch.masks!]);
  });

  it('rejects unknown hyper-parameters', () => {
    expect(() => method.hyperparams.parse({ r: 3 })).toThrow();
    expect(method.hyperparams.parse({})).toEqual({ supportBackground: false });
  });
});
