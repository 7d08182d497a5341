import * as tf from '@tensorflow/tfjs-core';

/** Per-sample, per-channel spatial sum of [N, h, w, K] -> [N, 1, 1, K] (kept for broadcasting). */
export function spatialSum(x: tf.Tensor4D): tf.Tensor4D {
  return tf.sum(x, [1, 2], true) as tf.Tensor4D;
}

export function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== 4 || a.shape.join() !== b.shape.join()) {
    throw new Error(`${what}: activations [${a.shape}] and gradients [${b.shape}] must have the same NHWC shape`);
  }
}
