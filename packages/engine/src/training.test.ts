import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, Conv2d, Dense, type ForwardContext, ParamStore, rngStream } from '@wslbench/core';
import { initEngine } from './index.js';
import { randomValues } from './test-util.js';

/** conv3x3 -> BN -> relu -> maxpool -> conv3x3/2 -> relu -> conv1x1 -> GAP -> dense: every supplied kernel in play. */
function smallNet(seed: number) {
  const store = new ParamStore(rngStream(seed, 'engine-test-net'));
  const c1 = new Conv2d(store, 'c1', { inChannels: 3, outChannels: 6, kernel: 3 });
  const bn = new BatchNorm(store, 'bn', { channels: 6 });
  const c2 = new Conv2d(store, 'c2', { inChannels: 6, outChannels: 8, kernel: 3, stride: 2 });
  const c3 = new Conv2d(store, 'c3', { inChannels: 8, outChannels: 8, kernel: 1 });
  const fc = new Dense(store, 'fc', { inFeatures: 8, outFeatures: 2 });
  const forward = (x: tf.Tensor4D, ctx: ForwardContext) => {
    let h = tf.relu(bn.apply(c1.apply(x), ctx));
    h = tf.maxPool(h, 2, 2, 'same');
    h = tf.relu(c2.apply(h));
    h = c3.apply(h);
    return fc.apply(tf.mean(h, [1, 2]) as tf.Tensor2D);
  };
  return { store, forward };
}

const X_SHAPE: [number, number, number, number] = [2, 7, 7, 3];
const xValues = randomValues(2 * 7 * 7 * 3, 'train-x');
const labels = [0, 1];

function lossOf(net: ReturnType<typeof smallNet>): tf.Scalar {
  const x = tf.tensor4d(xValues, X_SHAPE);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  return tf.losses.softmaxCrossEntropy(y, net.forward(x, { training: true })) as tf.Scalar;
}

function sgdStep(net: ReturnType<typeof smallNet>, lr: number): number {
  const vars = net.store.trainable().map((p) => p.variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossOf(net), vars);
    for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
    return value.dataSync()[0]!;
  });
}

async function trainCurve(backend: string, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const net = smallNet(7);
  const curve: number[] = [];
  for (let i = 0; i < steps; i++) curve.push(sgdStep(net, 0.1));
  net.store.dispose();
  return curve;
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

test('numeric gradient check (central differences) through a small conv net on wasm', async () => {
  await tf.setBackend('wasm');
  const net = smallNet(3);
  const probe = ['c1.kernel', 'c2.kernel', 'c3.kernel', 'fc.kernel', 'bn.gamma'];
  const vars = probe.map((n) => net.store.get(n).variable);
  const grads = tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => lossOf(net), vars);
    return vars.map((v) => g[v.name]!.dataSync().slice());
  });
  const h = 1e-2;
  const pick = rngStream(0, 'engine-gradcheck');
  let checked = 0;
  for (let p = 0; p < probe.length; p++) {
    const v = vars[p]!;
    const base = v.dataSync().slice();
    for (let k = 0; k < 4; k++) {
      const i = Math.floor(pick() * base.length);
      const at = (delta: number) => {
        const w = base.slice();
        w[i]! += delta;
        v.assign(tf.tensor(w, v.shape));
        return tf.tidy(() => lossOf(net).dataSync()[0]!);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      const analytic = grads[p]![i]!;
      expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 + 2e-2 * Math.abs(analytic));
      checked++;
    }
  }
  expect(checked).toBe(20);
  net.store.dispose();
});

test('50 SGD steps: wasm and cpu loss curves agree, and the loss falls', async () => {
  const wasm = await trainCurve('wasm', 50);
  const cpu = await trainCurve('cpu', 50);
  for (let i = 0; i < 50; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3 + 1e-2 * Math.abs(cpu[i]!));
  expect(wasm[49]!).toBeLessThan(0.5 * wasm[0]!);
});

test('tf.memory().numTensors returns to baseline after repeated steps on wasm', async () => {
  await tf.setBackend('wasm');
  const net = smallNet(11);
  sgdStep(net, 0.05);
  const baseline = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) sgdStep(net, 0.05);
  expect(tf.memory().numTensors).toBe(baseline);
  net.store.dispose();
});
