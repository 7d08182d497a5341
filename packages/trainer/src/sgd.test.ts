import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OptimizerConfig, ParamStore, rngStream } from '@wslbench/core';
import { lrForEpoch } from './schedule.js';
import { NesterovSgd } from './sgd.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f = Math.fround;

/** PyTorch SGD (dampening 0) for one scalar, every operation rounded to float32 as the tensors are. */
function torchSgd(p: number, grads: number[], lr: number, m: number, wd: number, nesterov: boolean): number[] {
  const out: number[] = [];
  let buf: number | null = null;
  for (const grad of grads) {
    let g = f(grad + f(f(wd) * p));
    buf = buf === null ? g : f(f(buf * f(m)) + g);
    g = nesterov ? f(g + f(buf * f(m))) : buf;
    p = f(p - f(g * f(lr)));
    out.push(p);
  }
  return out;
}

describe('NesterovSgd', () => {
  it('matches a hand computation on two parameters in two lr groups', () => {
    const base = tf.memory().numTensors;
    const store = new ParamStore(rngStream(0, 'sgd'));
    const a = store.add('enc.a', [], { kind: 'constant', value: 1.5 }, 'base');
    const b = store.add('head.b', [], { kind: 'constant', value: -2 }, 'head');
    const sgd = new NesterovSgd(store.trainable(), { momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
    const gradsA = [0.5, -0.25, 1];
    const gradsB = [-1, 0.75, 0.125];
    const lrs = { base: 0.1, head: 1 };
    for (let i = 0; i < 3; i++) {
      tf.tidy(() =>
        sgd.step(
          new Map([
            ['enc.a', tf.scalar(gradsA[i]!)],
            ['head.b', tf.scalar(gradsB[i]!)],
          ]),
          lrs,
        ),
      );
    }
    // By hand for the first step of 'a': g = 0.5 + 1e-4*1.5 = 0.50015; buf = g; g' = g + 0.9*g = 0.950285;
    // p = 1.5 - 0.1*0.950285 = 1.4049715.
    expect(torchSgd(1.5, gradsA, 0.1, 0.9, 1e-4, true)[0]).toBeCloseTo(1.4049715, 6);
    expect(a.dataSync()[0]).toBe(torchSgd(1.5, gradsA, 0.1, 0.9, 1e-4, true)[2]);
    expect(b.dataSync()[0]).toBe(torchSgd(-2, gradsB, 1, 0.9, 1e-4, true)[2]);
    // Momentum buffers round-trip through state()/loadState() and continue identically.
    const state = sgd.state();
    const sgd2 = new NesterovSgd(store.trainable(), { momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
    sgd2.loadState(state);
    const snap = store.snapshot();
    tf.tidy(() => sgd.step(new Map([['enc.a', tf.scalar(0.3)]]), lrs));
    const after1 = a.dataSync()[0];
    store.restore(snap);
    tf.tidy(() => sgd2.step(new Map([['enc.a', tf.scalar(0.3)]]), lrs));
    expect(a.dataSync()[0]).toBe(after1);
    // A parameter without a gradient is untouched (no weight decay either), as PyTorch skips grad = None.
    expect(b.dataSync()[0]).toBe(torchSgd(-2, gradsB, 1, 0.9, 1e-4, true)[2]);
    sgd.dispose();
    sgd2.dispose();
    store.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });

  it('plain momentum without Nesterov uses the buffer as the step', () => {
    const store = new ParamStore(rngStream(0, 'sgd2'));
    const a = store.add('a', [2], { kind: 'constant', value: 1 }, 'base');
    const sgd = new NesterovSgd(store.trainable(), { momentum: 0.5, nesterov: false, weightDecay: 0 });
    for (const g of [1, 1]) tf.tidy(() => sgd.step(new Map([['a', tf.fill([2], g)]]), { base: 0.1, head: 1 }));
    // buf1 = 1 -> p = 0.9; buf2 = 0.5 + 1 = 1.5 -> p = 0.9 - 0.15 = 0.75
    expect(Array.from(a.dataSync())).toEqual([f(0.75), f(0.75)]);
    expect(() => sgd.step(new Map([['nope', a]]), { base: 1, head: 1 })).toThrow(
      /unknown or non-trainable parameter 'nope'/,
    );
    sgd.dispose();
    store.dispose();
  });
});

describe('lrForEpoch', () => {
  it('steps by gamma every stepSize epochs, floors at minLr, and gives the head group its multiplier', () => {
    const opt = OptimizerConfig.parse({ lr: 0.01, stepSize: 2, gamma: 0.1, minLr: 2e-5, headLrMultiplier: 10 });
    expect(lrForEpoch(opt, 1)).toEqual({ base: 0.01, head: 0.1 });
    expect(lrForEpoch(opt, 2)).toEqual({ base: 0.01, head: 0.1 });
    expect(lrForEpoch(opt, 3).base).toBeCloseTo(0.001, 12);
    expect(lrForEpoch(opt, 5).base).toBeCloseTo(1e-4, 12);
    expect(lrForEpoch(opt, 7)).toEqual({ base: 2e-5, head: expect.closeTo(1e-4, 12) });
    expect(() => lrForEpoch(opt, 0)).toThrow(/start at 1/);
  });
});
