import * as tf from '@tensorflow/tfjs-core';

/** Class maps [N, h, w, K] as rows [N*K, h*w] (one row per image and map), for per-map sorting and masks. */
export function mapsAsRows(maps: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, k] = maps.shape;
  return tf.reshape(tf.transpose(maps, [0, 3, 1, 2]), [n * k, h * w]);
}

/** Per-row scores [N*K] (or [N*K, 1]) back to [N, K]. */
export function rowsAsScores(rows: tf.Tensor, n: number, k: number): tf.Tensor2D {
  return tf.reshape(rows, [n, k]);
}
