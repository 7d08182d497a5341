import * as tf from '@tensorflow/tfjs-core';

/** Σ_k w_nk A_nk(i,j) for channel weights [N, K] and activations [N, h, w, K] -> [N, h, w]. */
export function weightedChannelSum(weights: tf.Tensor2D, activations: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, k] = activations.shape;
  if (weights.shape[0] !== n || weights.shape[1] !== k) {
    throw new Error(`gradient CAM: channel weights [${weights.shape}] do not match activations [${activations.shape}]`);
  }
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(activations, [n, h * w, k]), tf.expandDims(weights, 2)), [n, h, w]),
  );
}

/** Per-sample, per-channel spatial sum of [N, h, w, K] -> [N, 1, 1, K] (kept for broadcasting). */
export function spatialSum(x: tf.Tensor4D): tf.Tensor4D {
  return tf.sum(x, [1, 2], true) as tf.Tensor4D;
}

export function checkSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.length !== 4 || a.shape.join() !== b.shape.join()) {
    throw new Error(`${what}: activations [${a.shape}] and gradients [${b.shape}] must have the same NHWC shape`);
  }
}
