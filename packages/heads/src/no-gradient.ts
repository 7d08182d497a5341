import * as tf from '@tensorflow/tfjs-core';

/**
 * Wraps `compute` (x -> tensor of x's shape, e.g. a 0/1 selection mask) as one op whose gradient is zero.
 * The ops inside run untaped, so masks built with comparisons or tf.topk (no gradient in TF.js) can be
 * multiplied into a differentiable expression: the gradient then flows only through the selected positions.
 */
export function withoutGradient<T extends tf.Tensor>(compute: (x: T) => T): (x: T) => T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [T, tf.GradSaveFunc];
    save([x]);
    return { value: compute(x), gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => tf.zerosLike(saved[0]!) };
  });
  return (x: T) => op(x) as T;
}

const cloneWithoutGradient = withoutGradient((x: tf.Tensor) => tf.clone(x));

/** A copy of x that back-propagates nothing (TF.js has no stop_gradient op). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return cloneWithoutGradient(x) as T;
}
