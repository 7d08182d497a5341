import * as tf from '@tensorflow/tfjs-core';
import {
  type ActivationsAndGradients,
  checkSameShape,
  defineGradientMethod,
  gradientBaseShape,
  singlePassMaps,
} from '@wslbench/gradient-cam';
import { weightedChannelSum } from '@wslbench/heads';
import { z } from 'zod';

export const XGradCamHyperparams = z.object({ ...gradientBaseShape }).strict();
export type XGradCamHyperparams = z.infer<typeof XGradCamHyperparams>;

/** torchcam's (and so NEGEV's) epsilon; pytorch-grad-cam uses 1e-7. A dead channel (Σ A = 0) gets weight 0. */
export const XGRADCAM_EPS = 1e-8;

/** XGrad-CAM: w_k = Σ_ij g·A / (Σ_ij A + 1e-8); map = ReLU(Σ_k w_k A_k). */
export function mapFromActivations({ activations, gradients }: ActivationsAndGradients): tf.Tensor3D {
  checkSameShape('XGradCAM', activations, gradients);
  return tf.tidy(() => {
    const numerator = tf.sum(tf.mul(gradients, activations), [1, 2]);
    const weights = tf.div(numerator, tf.add(tf.sum(activations, [1, 2]), XGRADCAM_EPS)) as tf.Tensor2D;
    return tf.relu(weightedChannelSum(weights, activations));
  });
}

export const method = defineGradientMethod<XGradCamHyperparams>({
  id: 'xgradcam',
  title: 'XGradCAM',
  paperKey: 'XGradCAM (Fu et al., 2020)',
  summary: { trained: 'WGAP', map: 'Σ g·A / Σ A weights' },
  citation:
    'Fu, Hu, Dong, Li, Cao, Wang, Bao. Axiom-based Grad-CAM: Towards Accurate Visualization and Explanation of CNNs. BMVC 2020.',
  hyperparams: XGradCamHyperparams,
  rawMaps: singlePassMaps((inputs) => mapFromActivations(inputs)),
});

export default method;
