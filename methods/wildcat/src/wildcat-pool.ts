import * as tf from '@tensorflow/tfjs-core';
import { mapsAsRows, withoutGradient } from '@wslbench/heads';
import { positionCount } from './positions.js';

/**
 * Weights [R, P] that pick the k largest values of each row: 1 above the k-th largest value t, and the
 * remaining share (k - #above) / #equal on the values equal to t, so that ties are exact and the weights sum to k.
 */
function topKWeights(rows: tf.Tensor2D, k: number): tf.Tensor2D {
  const [r] = rows.shape;
  const t = tf.slice(tf.topk(rows, k).values, [0, k - 1], [r, 1]);
  const above = tf.cast(tf.greater(rows, t), 'float32');
  const equal = tf.cast(tf.equal(rows, t), 'float32');
  const share = tf.div(tf.sub(k, tf.sum(above, 1, true)), tf.sum(equal, 1, true));
  return tf.add(above, tf.mul(equal, share));
}

/**
 * Mean of the k largest values of each row [R, P] -> [R]. tf.topk has no gradient in TF.js, so the selection is
 * a gradient-free mask: the gradient flows only to the selected positions (1/k each), as with a sort.
 */
export function topKMean(rows: tf.Tensor2D, k: number): tf.Tensor1D {
  const p = rows.shape[1];
  if (!Number.isInteger(k) || k < 1 || k > p) throw new Error(`topKMean: k must be an integer in [1, ${p}], got ${k}`);
  return tf.tidy(() => {
    const weights = withoutGradient((x: tf.Tensor2D) => topKWeights(x, k))(rows);
    return tf.div(tf.sum(tf.mul(rows, weights), 1), k) as tf.Tensor1D;
  });
}

/** Mean of the k smallest values of each row [R, P] -> [R]. */
export function bottomKMean(rows: tf.Tensor2D, k: number): tf.Tensor1D {
  return tf.tidy(() => tf.neg(topKMean(tf.neg(rows), k)));
}

export interface WildcatPoolOptions {
  kmax: number;
  kmin: number;
  alpha: number;
  /** Reference-code behaviour: the kmin/alpha term is computed but discarded (`scores.add(..).div_(2.)` not kept). */
  dropKmin: boolean;
}

/**
 * WILDCAT pooling (Durand et al. 2017, Eq. 2): s = mean of the top-k+ values + alpha * mean of the bottom-k- values
 * of each class map. [N, h, w, K] -> [N, K].
 */
export function wildcatPool(maps: tf.Tensor4D, opts: WildcatPoolOptions): tf.Tensor2D {
  const [n, h, w, k] = maps.shape;
  const kmax = positionCount(opts.kmax, h * w);
  const kmin = positionCount(opts.kmin, h * w);
  if (kmax < 1) throw new Error(`WILDCAT: kmax must select at least one position, got ${opts.kmax}`);
  return tf.tidy(() => {
    const rows = mapsAsRows(maps);
    let score = topKMean(rows, kmax);
    if (!opts.dropKmin && kmin > 0 && opts.alpha !== 0)
      score = tf.add(score, tf.mul(bottomKMean(rows, kmin), opts.alpha));
    return tf.reshape(score, [n, k]) as tf.Tensor2D;
  });
}
