import * as tf from '@tensorflow/tfjs-core';
import {
  type ActivationsAndGradients,
  checkSameShape,
  defineGradientMethod,
  gradientBaseShape,
  singlePassMaps,
  spatialSum,
  weightedChannelSum,
} from '@wslbench/gradient-cam';
import { z } from 'zod';

export const GradCamPlusPlusHyperparams = z
  .object({
    ...gradientBaseShape,
    /** torchcam/NEGEV code: the α division is a no-op there, so α = g² (w_k = Σ_ij relu(g)³). */
    referenceAlpha: z.boolean().default(false),
    /** Added to α's denominator; pytorch-grad-cam uses 1e-6 (see README: it dominates at WGAP gradient scales). */
    alphaEpsilon: z.number().min(0).default(0),
  })
  .strict();
export type GradCamPlusPlusHyperparams = z.infer<typeof GradCamPlusPlusHyperparams>;

/** pytorch-grad-cam's epsilon in the α denominator (offered as `alphaEpsilon`; the default is 0). */
export const PGC_ALPHA_EPS = 1e-6;

export interface GradCamPlusPlusOptions {
  /** α = g² (what torchcam and the NEGEV code effectively compute). */
  referenceAlpha?: boolean;
  /** Added to α's denominator (pytorch-grad-cam: 1e-6). */
  epsilon?: number;
}

/**
 * Grad-CAM++ with the exp trick (the paper's α as pytorch-grad-cam computes it):
 * α = g² / (2g² + (Σ_ab A_k(a,b))·g³ + ε) where g ≠ 0, else 0; w_k = Σ_ij α·ReLU(g); map = ReLU(Σ_k w_k A_k).
 */
export function mapFromActivations(
  { activations, gradients }: ActivationsAndGradients,
  { referenceAlpha = false, epsilon = 0 }: GradCamPlusPlusOptions = {},
): tf.Tensor3D {
  checkSameShape('GradCAM++', activations, gradients);
  return tf.tidy(() => {
    const g2 = tf.square(gradients);
    let alpha: tf.Tensor4D;
    if (referenceAlpha) {
      alpha = g2;
    } else {
      const g3 = tf.mul(g2, gradients);
      const denominator = tf.add(tf.add(tf.mul(g2, 2), tf.mul(spatialSum(activations), g3)), epsilon);
      alpha = tf.where(tf.notEqual(gradients, 0), tf.div(g2, denominator), tf.zerosLike(g2)) as tf.Tensor4D;
    }
    const weights = tf.sum(tf.mul(alpha, tf.relu(gradients)), [1, 2]) as tf.Tensor2D;
    return tf.relu(weightedChannelSum(weights, activations));
  });
}

export const method = defineGradientMethod<GradCamPlusPlusHyperparams>({
  id: 'gradcam-pp',
  title: 'GradCAM++',
  citation:
    'Chattopadhay, Sarkar, Howlader, Balasubramanian. Grad-CAM++: Generalized Gradient-Based Visual Explanations for Deep Convolutional Networks. WACV 2018.',
  hyperparams: GradCamPlusPlusHyperparams,
  referenceOptions: {
    referenceAlpha:
      'torchcam/NEGEV GradCAMpp: the α division acts on a boolean-mask copy, so α = g² and w_k = Σ_ij g²·ReLU(g).',
  },
  rawMaps: singlePassMaps((inputs, hp) =>
    mapFromActivations(inputs, { referenceAlpha: hp.referenceAlpha, epsilon: hp.alphaEpsilon }),
  ),
});

export default method;
