import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AccuracyCounter, accuracy } from './accuracy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('accuracy', () => {
  it('is the percent of rows whose argmax equals the label (first maximum on ties)', () => {
    const logits = [
      [0.1, 0.9],
      [2, -1],
      [0.5, 0.5], // tie -> class 0
      [-3, -2],
    ];
    expect(accuracy(logits, [1, 1, 0, 1])).toBe(75);
    expect(accuracy(logits, [0, 1, 1, 0])).toBe(0);
  });

  it('reads tensors without disposing them and streams over batches', () => {
    const before = tf.memory().numTensors;
    const counter = new AccuracyCounter();
    for (let i = 0; i < 3; i++) {
      const l = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
      const y = tf.tensor1d([0, 1, i === 0 ? 2 : 0], 'int32');
      counter.add(l, y);
      expect(l.isDisposed).toBe(false);
      tf.dispose([l, y]);
    }
    expect(counter.compute()).toBeCloseTo((100 * 7) / 9, 12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad labels, mismatched lengths and empty sets', () => {
    expect(() => accuracy([[1, 2]], [2])).toThrow('label 2 at index 0 is not a class index in 0..1');
    expect(() => accuracy([[1, 2]], [0, 1])).toThrow(/1 logit rows but 2 labels/);
    expect(() => new AccuracyCounter().compute()).toThrow(/empty/);
  });
});
