import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { MapEvaluator } from './map-evaluator.js';
import { PxapAccumulator } from './pxap.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MapEvaluator', () => {
  it('accumulates tensor batches like the plain accumulator and disposes them', async () => {
    const before = tf.memory().numTensors;
    const maps = [
      [1, 0.5, 0.25, 0],
      [0.75, 0.75, 0.1, 1],
      [0, 0, 0.9, 0.2],
    ];
    const masks = [
      [1, 0, 1, 255],
      [0, 1, 0, 0],
      [0, 0, 1, 1],
    ];
    const ev = new MapEvaluator();
    const b1 = tf.tensor3d(maps.slice(0, 2).flat(), [2, 2, 2]);
    await ev.accumulate(b1, masks.slice(0, 2));
    const b2 = tf.tensor4d(maps[2]!, [1, 2, 2, 1]);
    await ev.accumulate(b2, masks.slice(2));
    expect(b1.isDisposed && b2.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const plain = new PxapAccumulator();
    maps.forEach((m, i) => {
      plain.accumulate(Float32Array.from(m), masks[i]!);
    });
    expect(ev.compute().pxap).toBe(plain.compute().pxap);
    expect(ev.accumulator.numImages).toBe(3);
  });

  it('names the image in errors and still disposes the batch', async () => {
    const ev = new MapEvaluator();
    const bad = tf.tensor3d([0.5, 1.5, 0, 0], [1, 2, 2]);
    await expect(ev.accumulate(bad, [[1, 0, 0, 0]], ['glas/train_3.bmp'])).rejects.toThrow(
      'glas/train_3.bmp: score 1.5 at index 1 is outside [0, 1]',
    );
    expect(bad.isDisposed).toBe(true);
    const wrong = tf.tensor3d([0.5, 0.5, 0, 0], [1, 2, 2]);
    await expect(ev.accumulate(wrong, [[1, 0, 0]])).rejects.toThrow(/mask has 3 values, expected 2x2 = 4/);
    expect(wrong.isDisposed).toBe(true);
  });
});
