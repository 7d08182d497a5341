import * as tf from '@tensorflow/tfjs-core';

/** Σ_k w_nk A_nk(i,j) for channel weights [N, K] and activations [N, h, w, K] -> [N, h, w]. */
export function weightedChannelSum(weights: tf.Tensor2D, activations: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, k] = activations.shape;
  if (weights.shape[0] !== n || weights.shape[1] !== k) {
    throw new Error(`channel weights [${weights.shape}] do not match activations [${activations.shape}]`);
  }
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(activations, [n, h * w, k]), tf.expandDims(weights, 2)), [n, h, w]),
  );
}

/**
 * Class activation maps Σ_k w_ck A_k for one class per image (no ReLU, as the reference), [N, h, w]: the channel
 * weights are the classifier's column of each image's class. `features` [N, h, w, K], `kernel` [K, C].
 */
export function classActivationMaps(
  features: tf.Tensor4D,
  kernel: tf.Tensor2D,
  classes: readonly number[],
): tf.Tensor3D {
  const n = features.shape[0];
  if (classes.length !== n) throw new Error(`CAM: ${classes.length} classes given for a batch of ${n}`);
  return tf.tidy(() => weightedChannelSum(classifierWeights(kernel, classes), features));
}

/** Each image's class column of a classifier kernel [K, C] as channel weights [N, K] (CAM's w_c). */
export function classifierWeights(kernel: tf.Tensor2D, classes: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => tf.transpose(tf.gather(kernel, tf.tensor1d(classes as number[], 'int32'), 1)) as tf.Tensor2D);
}

/** argmax of the logits, read back (the reference's `logits.argmax(dim=1)`). */
export function predictedClasses(logits: tf.Tensor2D): number[] {
  const idx = tf.argMax(logits, 1);
  const out = Array.from(idx.dataSync());
  idx.dispose();
  return out;
}
