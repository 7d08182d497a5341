import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParamStore, rngStream } from '@wslbench/core';
import '@wslbench/engine'; // registers the gradient functions
import { createBackbone } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batch norm inside a backbone: training vs inference vs frozen', () => {
  it('training updates running stats (momentum 0.1), inference and frozen do not; frozen = inference output', () => {
    const store = new ParamStore(rngStream(0, 'bn'));
    const bb = createBackbone('resnet50:w0.0625', { params: store });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const mean = () => Array.from(store.get('encoder.bn1.moving_mean').variable.dataSync());
    const stats = () =>
      store
        .all()
        .filter((p) => p.name.endsWith('.moving_var'))
        .map((p) => Array.from(p.variable.dataSync()));
    const initial = stats();

    // Inference: running stats (0 / 1) used, nothing updated.
    const inf1 = tf.tidy(() => bb.forward(x, { training: false }).features.dataSync());
    expect(stats()).toEqual(initial);

    // Training: stem BN moving mean = 0.1 x batch mean of the conv1 output (channel-wise, recomputed here).
    const conv1 = tf.tidy(() =>
      tf.add(
        tf.conv2d(x, store.get('encoder.conv1.kernel').variable as tf.Tensor4D, 2, [
          [0, 0],
          [3, 3],
          [3, 3],
          [0, 0],
        ]),
        store.get('encoder.conv1.bias').variable,
      ),
    );
    const batchMean = Array.from(tf.mean(conv1, [0, 1, 2]).dataSync());
    const trainOut = tf.tidy(() => bb.forward(x, { training: true }).features.dataSync());
    mean().forEach((m, c) => {
      expect(m).toBeCloseTo(0.1 * batchMean[c]!, 5);
    });
    const changed = stats().filter((s, i) => s.some((v, j) => Math.abs(v - initial[i]![j]!) > 1e-7)).length;
    expect(changed).toBe(initial.length); // every BN layer moved
    expect(Math.max(...trainOut.map((v, i) => Math.abs(v - inf1[i]!)))).toBeGreaterThan(1e-3);

    // Frozen: training-mode forward uses the running stats and leaves them alone.
    bb.setBatchNormFrozen(true);
    const before = stats();
    const frozen = tf.tidy(() => bb.forward(x, { training: true }).features.dataSync());
    const inf2 = tf.tidy(() => bb.forward(x, { training: false }).features.dataSync());
    expect(stats()).toEqual(before);
    frozen.forEach((v, i) => {
      expect(v).toBeCloseTo(inf2[i]!, 5);
    });
    bb.setBatchNormFrozen(false);
    tf.tidy(() => bb.forward(x, { training: true }).features);
    expect(stats()).not.toEqual(before);
    conv1.dispose();
    store.dispose();
  });

  it('Inception dropout draws from the context stream: same seed, same output; absent at inference', () => {
    const store = new ParamStore(rngStream(0, 'drop'));
    const bb = createBackbone('inceptionv3:w0.0625', { params: store });
    bb.setBatchNormFrozen(true);
    const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const run = (seed: number) =>
      tf.tidy(() => bb.forward(x, { training: true, rng: rngStream(seed) }).features.dataSync());
    expect(Array.from(run(1))).toEqual(Array.from(run(1)));
    expect(Array.from(run(1))).not.toEqual(Array.from(run(2)));
    expect(() => bb.forward(x, { training: true })).toThrow(/needs ForwardContext.rng/);
    // Training gradients flow through the gamma-less (scale=False) batch norms to the stem.
    bb.setBatchNormFrozen(false);
    const vars = store.trainable().map((p) => p.variable);
    const { grads } = tf.variableGrads(
      () => tf.mean(bb.forward(x, { training: true, rng: rngStream(3) }).features) as tf.Scalar,
      vars,
    );
    expect(Object.keys(grads).length).toBe(vars.length);
    expect(
      tf.sum(tf.abs(grads[store.get('encoder.Conv2d_1a_3x3.conv.kernel').variable.name]!)).dataSync()[0],
    ).toBeGreaterThan(0);
    for (const g of Object.values(grads)) g.dispose();
    store.dispose();
  });
});
