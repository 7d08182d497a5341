import * as tf from '@tensorflow/tfjs-core';

/** Pooled scores [N, K] -> class logits [N, C]: drops the background score (map 0) when there is one. */
export function classLogits(pooled: tf.Tensor2D, supportBackground: boolean): tf.Tensor2D {
  if (!supportBackground) return pooled;
  const [n, k] = pooled.shape;
  return tf.slice(pooled, [0, 1], [n, k - 1]);
}

/**
 * One map per image: map `classes[i]` (or `classes[i] + 1` with a background map) of `maps` [N, h, w, K] -> [N, h, w].
 */
export function selectClassMaps(
  maps: tf.Tensor4D,
  classes: readonly number[],
  supportBackground: boolean,
): tf.Tensor3D {
  const [n, , , k] = maps.shape;
  const offset = supportBackground ? 1 : 0;
  if (classes.length !== n) throw new Error(`selectClassMaps: ${classes.length} classes given for a batch of ${n}`);
  for (const c of classes)
    if (!Number.isInteger(c) || c < 0 || c + offset >= k)
      throw new Error(`selectClassMaps: class ${c} out of range [0, ${k - offset})`);
  return tf.tidy(() => {
    const index = tf.tensor1d(
      classes.map((c) => c + offset),
      'int32',
    );
    const onehot = tf.cast(tf.reshape(tf.oneHot(index, k), [n, 1, 1, k]), maps.dtype);
    return tf.sum(tf.mul(maps, onehot), 3) as tf.Tensor3D;
  });
}
