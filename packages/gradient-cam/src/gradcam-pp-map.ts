import * as tf from '@tensorflow/tfjs-core';
import { weightedChannelSum } from '@wslbench/heads';
import { checkSameShape, spatialSum } from './maps.js';
import type { ActivationsAndGradients } from './target-gradients.js';

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
export function gradCamPlusPlusMap(
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
