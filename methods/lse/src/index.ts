import * as tf from '@tensorflow/tfjs-core';
import { definePoolingMethod, poolingHeadFields, stopGradient } from '@wslbench/heads';
import { z } from 'zod';

export const LseHyperparams = z
  .object({
    ...poolingHeadFields,
    /** Sharpness: r -> infinity gives max pooling, r -> 0 average pooling. Reference default 10. */
    r: z.number().positive().default(10),
  })
  .strict();
export type LseHyperparams = z.infer<typeof LseHyperparams>;

/**
 * Log-sum-exp pooling with a mean (the reference uses AdaptiveAvgPool, not a sum):
 *   s = (1/r) log( (1/HW) Σ_p exp(r M_p) ) = m + (1/r) log1p( mean_p expm1(r (M_p - m)) ),  m = max_p M_p.
 * Shifting by the (gradient-free) max keeps exp from overflowing; expm1/log1p keep float32 precision as r -> 0
 * (where s -> the mean).
 * [N, h, w, K] -> [N, K].
 */
export function lsePool(maps: tf.Tensor4D, r: number): tf.Tensor2D {
  if (!(r > 0)) throw new Error(`lsePool: r must be > 0, got ${r}`);
  return tf.tidy(() => {
    const m = stopGradient(tf.max(maps, [1, 2], true));
    const meanExpm1 = tf.mean(tf.expm1(tf.mul(tf.sub(maps, m), r)), [1, 2]);
    return tf.add(tf.reshape(m, meanExpm1.shape), tf.div(tf.log1p(meanExpm1), r)) as tf.Tensor2D;
  });
}

/** LSE: 1x1-conv class maps, logit = log-sum-exp pooling with sharpness r (reference `core.LogSumExpPool`). */
export const method = definePoolingMethod<LseHyperparams>({
  id: 'lse',
  title: 'LSE',
  paperKey: 'LSE (Sun et al., 2016)',
  summary: { trained: '1x1 conv, (1/r) log mean exp(r M), r = 10', map: 'class map' },
  citation: 'Pinheiro, Collobert. From Image-level to Pixel-level Labeling with Convolutional Networks. CVPR 2015.',
  hyperparams: LseHyperparams,
  searchSpace: { r: { min: 1, max: 20, scaling: 'log' } },
  referenceOptions: {
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  pool: (maps, hp) => lsePool(maps, hp.r),
});

export default method;
