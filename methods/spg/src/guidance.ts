import * as tf from '@tensorflow/tfjs-core';

/** The reference's foreground fallback: fewer than 30 px above `high` at 224x224 -> threshold 0.7 · max instead. */
export const MIN_FOREGROUND_PIXELS_AT_224 = 30;
export const FALLBACK_FOREGROUND_RATIO = 0.7;

/** 30 px of a 224x224 map scaled by area to an h x w map (at least 1): 30 at 224, 2 at 64x64. */
export function minForegroundPixels(h: number, w: number): number {
  return Math.max(1, Math.round((MIN_FOREGROUND_PIXELS_AT_224 * h * w) / (224 * 224)));
}

export interface GuidanceMask {
  /** 1 = foreground, 0 = background, [N, H, W]. Meaningful where `weight` is 1. */
  target: tf.Tensor3D;
  /** 1 where the pixel takes part in the loss, 0 where it is ignored (between the thresholds). */
  weight: tf.Tensor3D;
}

/**
 * SPG's self-produced guidance from an attention map in [0, 1] (`get_mask`): foreground = attention > high, or
 * > 0.7 · max when fewer than `minForeground` pixels pass `high`; background = attention < low (it wins over
 * foreground, as the reference writes it second); everything else is ignored.
 */
export function guidanceMask(attention: tf.Tensor3D, high: number, low: number, minForeground: number): GuidanceMask {
  return tf.tidy(() => {
    const above = tf.greater(attention, high);
    const count = tf.sum(tf.cast(above, 'float32'), [1, 2], true);
    const fallback = tf.mul(tf.max(attention, [1, 2], true), FALLBACK_FOREGROUND_RATIO);
    const threshold = tf.where(tf.less(count, minForeground), fallback, tf.fill(count.shape, high));
    const fg = tf.greater(attention, threshold);
    const bg = tf.less(attention, low);
    return {
      target: tf.cast(tf.logicalAnd(fg, tf.logicalNot(bg)), 'float32') as tf.Tensor3D,
      weight: tf.cast(tf.logicalOr(fg, bg), 'float32') as tf.Tensor3D,
    };
  });
}

/** Mean binary cross-entropy with logits over the pixels of weight 1 (BCEWithLogitsLoss on the kept pixels). */
export function maskedBceWithLogits(logits: tf.Tensor3D, mask: GuidanceMask): tf.Scalar {
  return tf.tidy(() => {
    // Stable form: max(x, 0) − x·z + log(1 + exp(−|x|)).
    const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, mask.target)), tf.softplus(tf.neg(tf.abs(logits))));
    const n = tf.maximum(tf.sum(mask.weight), 1);
    return tf.div(tf.sum(tf.mul(perPixel, mask.weight)), n) as tf.Scalar;
  });
}
