import * as tf from '@tensorflow/tfjs-core';
import { definePoolingMethod, poolingHeadFields } from '@wslbench/heads';
import { z } from 'zod';

export const MaxPoolHyperparams = z.object({ ...poolingHeadFields }).strict();
export type MaxPoolHyperparams = z.infer<typeof MaxPoolHyperparams>;

/** Global max pooling of each class map: [N, h, w, K] -> [N, K]. */
export function globalMaxPool(maps: tf.Tensor4D): tf.Tensor2D {
  return tf.max(maps, [1, 2]) as tf.Tensor2D;
}

/** MAX-POOL: 1x1-conv class maps, logit = spatial max of the class map (reference `core.MaxPool`). */
export const method = definePoolingMethod<MaxPoolHyperparams>({
  id: 'max-pool',
  title: 'MAX-POOL',
  paperKey: 'MAX-POOL (Oquab et al., 2015)',
  summary: { trained: '1x1 conv, max', map: 'class map' },
  citation:
    'Oquab, Bottou, Laptev, Sivic. Is object localization for free? Weakly-supervised learning with convolutional neural networks. CVPR 2015.',
  hyperparams: MaxPoolHyperparams,
  searchSpace: {},
  referenceOptions: {
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  pool: (maps) => globalMaxPool(maps),
});

export default method;
