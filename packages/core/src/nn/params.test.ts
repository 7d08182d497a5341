import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { rngStream } from '../seeds.js';
import { BatchNorm, Conv2d, Dense } from './layers.js';
import { ParamStore } from './params.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ParamStore and layers', () => {
  it('gives the same weights for the same seed and restores snapshots strictly', () => {
    const s1 = new ParamStore(rngStream(0, 'init'));
    const s2 = new ParamStore(rngStream(0, 'init'));
    new Conv2d(s1, 'c', { inChannels: 3, outChannels: 4, kernel: 3 });
    new Conv2d(s2, 'c', { inChannels: 3, outChannels: 4, kernel: 3 });
    expect(Array.from(s1.get('c.kernel').variable.dataSync())).toEqual(
      Array.from(s2.get('c.kernel').variable.dataSync()),
    );
    const snap = s1.snapshot();
    const s3 = new ParamStore(rngStream(1, 'init'));
    new Conv2d(s3, 'c', { inChannels: 3, outChannels: 4, kernel: 3 });
    s3.restore(snap);
    expect(Array.from(s3.get('c.kernel').variable.dataSync())).toEqual(Array.from(snap['c.kernel']!.data));
    const s4 = new ParamStore(rngStream(1, 'init'));
    new Conv2d(s4, 'c', { inChannels: 3, outChannels: 5, kernel: 3 });
    expect(() => s4.restore(snap)).toThrow(/shape of 'c.kernel'/);
    for (const s of [s1, s2, s3, s4]) s.dispose();
  });

  it('batch norm uses batch stats in training, running stats at inference, and none when frozen', () => {
    const store = new ParamStore(rngStream(0, 'bn'));
    const bn = new BatchNorm(store, 'bn', { channels: 2 });
    const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [1, 2, 2, 2]);
    const yTrain = bn.apply(x, { training: true });
    const mean = tf.mean(yTrain, [0, 1, 2]).dataSync();
    expect(Math.abs(mean[0]!)).toBeLessThan(1e-5);
    // running mean moved by momentum 0.1 toward the batch mean (4, 25)
    expect(Array.from(bn.movingMean.dataSync())).toEqual([expect.closeTo(0.4, 5), expect.closeTo(2.5, 5)]);
    // unbiased variance of [1,3,5,7] = 6.6667 -> 0.9 + 0.66667
    expect(bn.movingVar.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (20 / 3), 4);
    const before = Array.from(bn.movingMean.dataSync());
    bn.frozen = true;
    bn.apply(x, { training: true });
    expect(Array.from(bn.movingMean.dataSync())).toEqual(before);
    const yInf = bn.apply(x, { training: false }).dataSync();
    expect(yInf[0]).toBeCloseTo((1 - 0.4) / Math.sqrt(bn.movingVar.dataSync()[0]! + 1e-5), 4);
    const d = new Dense(store, 'fc', { inFeatures: 2, outFeatures: 3 });
    expect(d.apply(tf.ones([4, 2])).shape).toEqual([4, 3]);
    store.dispose();
  });
});
