import * as tf from '@tensorflow/tfjs-core';
import { selectClassMaps, withoutGradient } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import { type GuidanceMask, guidanceMask, maskedBceWithLogits, minForegroundPixels } from './guidance.js';
import type { SpgOutput } from './spg.js';

export type ThresholdPair = readonly [high: number, low: number];

/** Bilinear resize (half-pixel centres, torch align_corners=False) of [N, h, w, k] to the image size. */
function upsample(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  return tf.image.resizeBilinear(x, size, false, true);
}

/**
 * The guidance mask of `toAttention(source)`, built as one op with a zero gradient: the comparisons inside have
 * no gradient in TF.js, and the reference detaches every guidance map (the gradient tape would otherwise visit them).
 */
function detachedGuidance(
  source: tf.Tensor,
  toAttention: (x: tf.Tensor) => tf.Tensor3D,
  [high, low]: ThresholdPair,
  minForeground: number,
): GuidanceMask {
  const packed = withoutGradient((x: tf.Tensor) =>
    tf.tidy(() => {
      const m = guidanceMask(toAttention(x), high, low, minForeground);
      return tf.stack([m.target, m.weight]);
    }),
  )(source) as tf.Tensor4D;
  const [target, weight] = tf.unstack(packed) as [tf.Tensor3D, tf.Tensor3D];
  return { target, weight };
}

/**
 * The three self-produced guidance losses of the reference (`spg.get_loss`, without its CE), at image resolution:
 *  - B2 against the min-max normalised SPG-A class map (pair 0);
 *  - B1 against sigmoid(B2) (pair 1);
 *  - C against the fused attention (sigmoid(B1) + sigmoid(B2)) / 2 (pair 2).
 * Guidance maps carry no gradient. `classes`: the class whose SPG-A map guides (predicted in the reference).
 */
export function spgGuidanceLoss(
  out: SpgOutput,
  classes: readonly number[],
  size: [number, number],
  thresholds: readonly [ThresholdPair, ThresholdPair, ThresholdPair],
): tf.Scalar {
  return tf.tidy(() => {
    const minFg = minForegroundPixels(size[0], size[1]);
    const squeeze = (x: tf.Tensor4D) => tf.squeeze(x, [3]) as tf.Tensor3D;
    const b1 = squeeze(upsample(out.b1, size));
    const b2 = squeeze(upsample(out.b2, size));
    const c = squeeze(upsample(out.c, size));
    const fromA = detachedGuidance(
      out.maps,
      (m) => minMaxNormalize(selectClassMaps(upsample(m as tf.Tensor4D, size), classes, false)),
      thresholds[0],
      minFg,
    );
    const fromB2 = detachedGuidance(b2, (x) => tf.sigmoid(x) as tf.Tensor3D, thresholds[1], minFg);
    const fused = detachedGuidance(
      tf.stack([b1, b2]),
      (x) => tf.div(tf.sum(tf.sigmoid(x), 0), 2) as tf.Tensor3D,
      thresholds[2],
      minFg,
    );
    return tf.addN([
      maskedBceWithLogits(b2, fromA),
      maskedBceWithLogits(b1, fromB2),
      maskedBceWithLogits(c, fused),
    ]) as tf.Scalar;
  });
}
