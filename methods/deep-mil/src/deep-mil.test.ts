import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, rngStream } from '@wslbench/core';
import { buildOnTiny, learnsToyTask } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { type DeepMilModel, MilHead, method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

/** Plain-loop attention MIL: a_c = softmax_p(W tanh(V f_p) [⊙ sigmoid(U f_p)]), logit_c = w_c · Σ_p a_cp f_p + b_c. */
function milByLoops(head: MilHead, f: Float32Array, [n, h, w, cin]: number[], gated: boolean) {
  const v = head.attentionV.kernel.dataSync();
  const vb = head.attentionV.bias!.dataSync();
  const u = head.attentionU?.kernel.dataSync();
  const ub = head.attentionU?.bias?.dataSync();
  const wk = head.attentionW.kernel.dataSync();
  const wb = head.attentionW.bias!.dataSync();
  const cls = head.classifier.dataSync();
  const clsB = head.classifierBias.dataSync();
  const mid = vb.length;
  const c = wb.length;
  const p = h! * w!;
  const attention: number[][][] = [];
  const logits: number[][] = [];
  for (let i = 0; i < n!; i++) {
    const scores = Array.from({ length: c }, () => new Array<number>(p).fill(0));
    for (let q = 0; q < p; q++) {
      const fq = (j: number) => f[(i * p + q) * cin! + j]!;
      const hidden: number[] = [];
      for (let m = 0; m < mid; m++) {
        let a = vb[m]!;
        for (let j = 0; j < cin!; j++) a += fq(j) * v[j * mid + m]!;
        let hm = Math.tanh(a);
        if (gated) {
          let g = ub![m]!;
          for (let j = 0; j < cin!; j++) g += fq(j) * u![j * mid + m]!;
          hm *= 1 / (1 + Math.exp(-g));
        }
        hidden.push(hm);
      }
      for (let k = 0; k < c; k++) {
        let s = wb[k]!;
        for (let m = 0; m < mid; m++) s += hidden[m]! * wk[m * c + k]!;
        scores[k]![q] = s;
      }
    }
    const att = scores.map((row) => {
      const mx = Math.max(...row);
      const e = row.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    });
    attention.push(att);
    logits.push(
      att.map((a, k) => {
        let s = clsB[k]!;
        for (let j = 0; j < cin!; j++) {
          let zj = 0;
          for (let q = 0; q < p; q++) zj += a[q]! * f[(i * p + q) * cin! + j]!;
          s += zj * cls[j * c + k]!;
        }
        return s;
      }),
    );
  }
  return { attention, logits };
}

describe('Deep MIL head', () => {
  for (const gated of [false, true]) {
    it(`matches plain loops; attention sums to 1 per class (${gated ? 'gated' : 'tanh'})`, () => {
      const shape = [2, 2, 3, 5];
      const params = new ParamStore(rngStream(3, 'mil-test'));
      const head = new MilHead(params, { inChannels: 5, numClasses: 3, midChannels: 4, gated });
      // Non-zero biases so that they are checked too.
      head.classifierBias.assign(tf.tensor1d([0.1, -0.2, 0.3]));
      head.attentionW.bias!.assign(tf.tensor1d([0.05, 0, -0.05]));
      const f = Float32Array.from({ length: 2 * 2 * 3 * 5 }, (_, i) => Math.sin(0.7 * i + 0.3));
      const want = milByLoops(head, f, shape, gated);
      tf.tidy(() => {
        const { attention, logits } = head.apply(tf.tensor4d(f, shape as [number, number, number, number]));
        expect(attention.shape).toEqual([2, 3, 6]);
        const att = attention.arraySync();
        const sums = tf.sum(attention, 2).dataSync();
        for (const s of sums) expect(s).toBeCloseTo(1, 6);
        for (let i = 0; i < 2; i++)
          for (let k = 0; k < 3; k++)
            for (let q = 0; q < 6; q++) expect(att[i]![k]![q]).toBeCloseTo(want.attention[i]![k]![q]!, 5);
        const lg = logits.arraySync();
        for (let i = 0; i < 2; i++) for (let k = 0; k < 3; k++) expect(lg[i]![k]).toBeCloseTo(want.logits[i]![k]!, 5);
      });
      params.dispose();
    });
  }
});

describe('Deep MIL method', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { hp: { midChannels: 16 } })).toEqual([]);
  });

  it('model attention per class sums to 1 over the positions', () => {
    const { model } = buildOnTiny<DeepMilModel>(method, { hp: { gated: true, midChannels: 8 } });
    tf.tidy(() => {
      const { attention } = model.forward(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 7), { training: false });
      expect(attention.shape).toEqual([2, 4, 4, 2]);
      for (const s of tf.sum(attention, [1, 2]).dataSync()) expect(s).toBeCloseTo(1, 5);
    });
    model.dispose();
  });

  it('rejects supportBackground=true and unknown hyper-parameters', () => {
    expect(() => method.hyperparams.parse({ supportBackground: true })).toThrow(/does not support supportBackground/);
    expect(() => method.hyperparams.parse({ r: 1 })).toThrow();
    expect(method.hyperparams.parse({})).toEqual({ midChannels: 128, gated: false, supportBackground: false });
  });
});
