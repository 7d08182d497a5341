import * as tf from '@tensorflow/tfjs-core';
import { defineMethod } from '@wslbench/core';
import { minMaxNormalize } from '@wslbench/metrics';
import { z } from 'zod';
import { buildWgap, classActivationMaps, crossEntropy, type WgapModel } from './wgap.js';

export { buildWgap, classActivationMaps, crossEntropy, type WgapModel } from './wgap.js';

export const CamHyperparams = z.object({}).strict();
export type CamHyperparams = z.infer<typeof CamHyperparams>;

/** CAM: a GAP + FC classifier trained with cross-entropy; map = Σ_k w_ck A_k, min-max normalised. */
export const method = defineMethod<CamHyperparams, WgapModel>({
  id: 'cam',
  title: 'CAM',
  citation:
    'Zhou, Khosla, Lapedriza, Oliva, Torralba. Learning Deep Features for Discriminative Localization. CVPR 2016.',
  family: 'cam',
  hyperparams: CamHyperparams,
  searchSpace: {},
  requirements: {},
  build: (backbone, ctx) => buildWgap(backbone, ctx),
  loss(model, batch, ctx) {
    const { logits } = model.forward(batch.images, { training: true, rng: ctx.rng });
    return crossEntropy(logits, batch.labels);
  },
  localize(model, images, classes) {
    return tf.tidy(() => {
      const { features } = model.forward(images, { training: false });
      return minMaxNormalize(classActivationMaps(features, model.fc.kernel as tf.Tensor2D, classes));
    });
  },
  classify(model, images) {
    return tf.tidy(() => model.forward(images, { training: false }).logits);
  },
});

export default method;
