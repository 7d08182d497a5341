import * as tf from '@tensorflow/tfjs-core';
import {
  type ActivationsAndGradients,
  checkSameShape,
  defineGradientMethod,
  gradientBaseShape,
  singlePassMaps,
} from '@wslbench/gradient-cam';
import { globalAveragePool, weightedChannelSum } from '@wslbench/heads';
import { z } from 'zod';

export const GradCamHyperparams = z.object({ ...gradientBaseShape }).strict();
export type GradCamHyperparams = z.infer<typeof GradCamHyperparams>;

/** Grad-CAM: w_k = (1/hw) Σ_ij g_k(i,j); map = ReLU(Σ_k w_k A_k), [N, h, w]. Same in torchcam, pgc and NEGEV. */
export function mapFromActivations({ activations, gradients }: ActivationsAndGradients): tf.Tensor3D {
  checkSameShape('GradCAM', activations, gradients);
  return tf.tidy(() => tf.relu(weightedChannelSum(globalAveragePool(gradients), activations)));
}

export const method = defineGradientMethod<GradCamHyperparams>({
  id: 'gradcam',
  title: 'GradCAM',
  paperKey: 'GradCAM (Selvaraju et al., 2017)',
  summary: { trained: 'WGAP', map: 'ReLU(Σ mean(g) A)' },
  citation:
    'Selvaraju, Cogswell, Das, Vedantam, Parikh, Batra. Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization. ICCV 2017.',
  hyperparams: GradCamHyperparams,
  rawMaps: singlePassMaps((inputs) => mapFromActivations(inputs)),
});

export default method;
