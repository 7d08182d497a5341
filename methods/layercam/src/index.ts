import * as tf from '@tensorflow/tfjs-core';
import {
  type ActivationsAndGradients,
  checkSameShape,
  defineGradientMethod,
  gradientBaseShape,
  singlePassMaps,
} from '@wslbench/gradient-cam';
import { z } from 'zod';

export const LayerCamHyperparams = z.object({ ...gradientBaseShape }).strict();
export type LayerCamHyperparams = z.infer<typeof LayerCamHyperparams>;

/** LayerCAM at one layer: map(i,j) = ReLU(Σ_k ReLU(g_k(i,j))·A_k(i,j)) — elementwise weights, no pooling. */
export function mapFromActivations({ activations, gradients }: ActivationsAndGradients): tf.Tensor3D {
  checkSameShape('LayerCAM', activations, gradients);
  return tf.tidy(() => tf.relu(tf.sum(tf.mul(tf.relu(gradients), activations), 3)) as tf.Tensor3D);
}

export const method = defineGradientMethod<LayerCamHyperparams>({
  id: 'layercam',
  title: 'LayerCAM',
  paperKey: 'LayerCAM (Jiang et al., 2021)',
  summary: { trained: 'WGAP', map: 'ReLU(Σ ReLU(g) ⊙ A)' },
  citation:
    'Jiang, Zhang, Hou, Cheng, Wei. LayerCAM: Exploring Hierarchical Class Activation Maps for Localization. IEEE TIP 2021.',
  hyperparams: LayerCamHyperparams,
  rawMaps: singlePassMaps((inputs) => mapFromActivations(inputs)),
});

export default method;
