import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParamStore, rngStream } from '@wslbench/core';
import { DivergenceGuard, RunDiverged } from './divergence.js';

const thrown = (f: () => void): RunDiverged => {
  try {
    f();
  } catch (e) {
    if (e instanceof RunDiverged) return e;
    throw e;
  }
  throw new Error('expected RunDiverged');
};

describe('DivergenceGuard', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('the bound is factor x max(first loss, 1), fixed by the first step', () => {
    const g = new DivergenceGuard(100, null);
    g.check(0.5, 1, 1); // first step: the reference; the floor makes the bound 100, not 50
    expect(g.bound).toBe(100);
    g.check(99.9, 1, 2);
    const e = thrown(() => g.check(100.5, 2, 3));
    expect([e.epoch, e.step]).toEqual([2, 3]);
    expect(e.message).toBe(
      "training loss diverged: 1.005e+2 at epoch 2, step 3 exceeds 1.000e+2 (100 x max(first step's loss 0.5000, 1))",
    );
    const big = new DivergenceGuard(10, null);
    big.check(4, 1, 1);
    expect(big.bound).toBe(40);
    expect(() => big.check(39, 1, 2)).not.toThrow();
  });

  test('a resumed guard keeps the checkpoint bound; non-finite losses fail whatever the bound', () => {
    const g = new DivergenceGuard(1e4, 2);
    expect(g.bound).toBe(2e4);
    expect(thrown(() => g.check(3e4, 5, 1)).message).toMatch(/^training loss diverged: 3\.000e\+4 at epoch 5, step 1/);
    expect(thrown(() => g.check(Number.NaN, 5, 2)).message).toBe('non-finite training loss (NaN) at epoch 5, step 2');
    expect(thrown(() => new DivergenceGuard(1e4, null).check(Number.POSITIVE_INFINITY, 1, 1)).message).toBe(
      'non-finite training loss (Infinity) at epoch 1, step 1',
    );
  });

  test('checkWeights names the first variable holding a NaN or Inf (running statistics included), frees its tensors', () => {
    const params = new ParamStore(rngStream(0, 'divergence-test'));
    params.add('head.w', [2, 2], { kind: 'zeros' }, 'head');
    const stat = params.add('bn.running_var', [3], { kind: 'ones' }, 'base', false);
    const g = new DivergenceGuard(1e4, null);
    const before = tf.memory().numTensors;
    expect(() => g.checkWeights(params, 1, 8)).not.toThrow();
    tf.tidy(() => stat.assign(tf.tensor1d([1, Number.POSITIVE_INFINITY, 1])));
    const e = thrown(() => g.checkWeights(params, 2, 16));
    expect(e.message).toBe("non-finite weights in 'bn.running_var' after epoch 2 (step 16)");
    expect([e.epoch, e.step]).toEqual([2, 16]);
    expect(tf.memory().numTensors).toBe(before);
    params.dispose();
  });
});
