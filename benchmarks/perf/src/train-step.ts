import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@wslbench/core';
import type { BenchNet } from './nets.js';

/** One plain SGD step (forward, backward, update) on a batch; returns the loss. */
export function sgdStep(
  net: Pick<BenchNet, 'store' | 'forward'>,
  x: tf.Tensor4D,
  labels: tf.Tensor2D,
  lr: number,
  rng: Rng,
): number {
  const vars = net.store.trainable().map((p) => p.variable);
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, net.forward(x, { training: true, rng })) as tf.Scalar,
      vars,
    );
    for (const v of vars) {
      const g = grads[v.name];
      if (g) v.assign(tf.sub(v, tf.mul(g, lr)));
    }
    return value;
  });
  const out = loss.dataSync()[0]!;
  loss.dispose();
  return out;
}
