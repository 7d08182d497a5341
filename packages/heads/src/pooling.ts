import * as tf from '@tensorflow/tfjs-core';

/** Global average pooling over space: [N, h, w, K] -> [N, K] (the reference's `adaptive_avg_pool2d(x, 1)`). */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
