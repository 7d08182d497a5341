import * as tf from '@tensorflow/tfjs-core';
import { definePoolingMethod, poolingHeadFields } from '@wslbench/pooling-heads';
import { z } from 'zod';

export const GapHyperparams = z.object({ ...poolingHeadFields }).strict();
export type GapHyperparams = z.infer<typeof GapHyperparams>;

/** Global average pooling of each class map: [N, h, w, K] -> [N, K]. */
export function gapPool(maps: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(maps, [1, 2]) as tf.Tensor2D;
}

/** GAP: 1x1-conv class maps, logit = spatial mean of the class map; map = the class map (reference `core.GAP`). */
export const method = definePoolingMethod<GapHyperparams>({
  id: 'gap',
  title: 'GAP',
  citation: 'Lin, Chen, Yan. Network In Network. ICLR 2014.',
  hyperparams: GapHyperparams,
  searchSpace: {},
  referenceOptions: {
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  pool: (maps) => gapPool(maps),
});

export default method;
