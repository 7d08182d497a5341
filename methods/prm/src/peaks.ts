import * as tf from '@tensorflow/tfjs-core';
import { withoutGradient } from '@wslbench/heads';

export type PeakFilter = 'none' | 'median';

/**
 * Lower median of each map (torch.median): ascending index floor((P-1)/2), which is the
 * (P - floor((P-1)/2))-th largest value. [N, h, w, K] -> [N, 1, 1, K].
 */
export function lowerMedian(maps: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, k] = maps.shape;
  const p = h * w;
  const rank = p - Math.floor((p - 1) / 2);
  return tf.tidy(() => {
    const rows = tf.reshape(tf.transpose(maps, [0, 3, 1, 2]), [n * k, p]);
    const m = tf.slice(tf.topk(rows, rank).values, [0, rank - 1], [n * k, 1]);
    return tf.reshape(m, [n, 1, 1, k]) as tf.Tensor4D;
  });
}

/**
 * 0/1 mask [N, h, w, K] of the peaks of each class response map: positions equal to the maximum of their
 * window x window neighbourhood (out-of-map positions ignored, as PRM's -inf padding), optionally only those
 * at or above the map's median (the official PRM code's `peak_filter`).
 */
export function peakMask(maps: tf.Tensor4D, window = 3, filter: PeakFilter = 'none'): tf.Tensor4D {
  if (!Number.isInteger(window) || window < 1 || window % 2 === 0)
    throw new Error(`PRM: the peak window must be an odd positive integer, got ${window}`);
  return tf.tidy(() => {
    const localMax = tf.maxPool(maps, window, 1, 'same');
    let peaks = tf.equal(maps, localMax);
    if (filter === 'median') peaks = tf.logicalAnd(peaks, tf.greaterEqual(maps, lowerMedian(maps)));
    return tf.cast(peaks, 'float32') as tf.Tensor4D;
  });
}

/**
 * Peak stimulation (Zhou et al. 2018, Eq. 1-2): the class score is the mean of the class response map at its peaks,
 * s_c = (1/N_c) Σ_k M_c(i_k, j_k). The peak set is gradient-free, so the gradient reaches only the peak positions
 * (1/N_c each). [N, h, w, K] -> [N, K].
 */
export function peakStimulationPool(maps: tf.Tensor4D, window = 3, filter: PeakFilter = 'none'): tf.Tensor2D {
  return tf.tidy(() => {
    const peaks = withoutGradient((x: tf.Tensor4D) => peakMask(x, window, filter))(maps);
    // Every map has at least one peak (its global maximum), so the count is >= 1.
    return tf.div(tf.sum(tf.mul(maps, peaks), [1, 2]), tf.sum(peaks, [1, 2])) as tf.Tensor2D;
  });
}

/**
 * The survey code's simplified PRM (`poolings/core.py::PRM`): window x window max-pool, stride 1, no padding,
 * then the global mean. [N, h, w, K] -> [N, K].
 */
export function simplifiedPrmPool(maps: tf.Tensor4D, window = 3): tf.Tensor2D {
  const [, h, w] = maps.shape;
  if (window > h || window > w) throw new Error(`PRM: window ${window} is larger than the ${h}x${w} class maps`);
  return tf.tidy(() => tf.mean(tf.maxPool(maps, window, 1, 'valid'), [1, 2]) as tf.Tensor2D);
}
