import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, Rng } from '@wslbench/core';
import { withoutGradient } from '@wslbench/heads';

export interface AdlOptions {
  /** Probability of the drop-mask branch (else the importance map). */
  dropRate: number;
  /** Drop where the attention is at least threshold · max attention. */
  threshold: number;
}

/** Channel-mean self-attention [N, h, w, 1]. */
export function adlAttention(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, 3, true);
}

/** Drop mask 1[att < threshold · max_hw att] per sample, [N, h, w, 1]; a comparison, so no gradient (as torch). */
export function adlDropMask(attention: tf.Tensor4D, threshold: number): tf.Tensor4D {
  return withoutGradient((att: tf.Tensor4D) =>
    tf.tidy(() => tf.cast(tf.less(att, tf.mul(tf.max(att, [1, 2, 3], true), threshold)), 'float32') as tf.Tensor4D),
  )(attention);
}

/**
 * The ADL layer in training: one draw per call for the whole batch, as the reference's `torch.rand([])`:
 * with probability dropRate x · dropMask, otherwise x · sigmoid(attention).
 */
export function adlTrain(x: tf.Tensor4D, opts: AdlOptions, rng: Rng): { y: tf.Tensor4D; dropped: boolean } {
  const dropped = rng() < opts.dropRate;
  const y = tf.tidy(() => {
    const att = adlAttention(x);
    return tf.mul(x, dropped ? adlDropMask(att, opts.threshold) : tf.sigmoid(att)) as tf.Tensor4D;
  });
  return { y, dropped };
}

/** A ForwardContext `insert` hook placing ADL at every insertion point (identity when not training). */
export function adlInsertHook(opts: AdlOptions, ctx: ForwardContext): (point: string, x: tf.Tensor4D) => tf.Tensor4D {
  return (_point, x) => {
    if (!ctx.training) return x;
    if (!ctx.rng) throw new Error('ADL in training needs ForwardContext.rng (a seeded stream)');
    return adlTrain(x, opts, ctx.rng).y;
  };
}
