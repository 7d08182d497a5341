import * as tf from '@tensorflow/tfjs-core';
import { defineMethod } from '@wslbench/core';
import { crossEntropy, globalAveragePool } from '@wslbench/heads';
import { z } from 'zod';
import { type AcolModel, acolMap, buildAcol } from './acol.js';

export {
  type AcolModel,
  type AcolOutput,
  acolEraseMask,
  acolMap,
  buildAcol,
  type EraseClass,
} from './acol.js';

export const AcolHyperparams = z
  .object({
    /** τ: erase where the min-max normalised A-map of the class reaches it (acol_drop_threshold). */
    threshold: z.number().min(0).max(1).default(0.1),
    /** Class erased during training: the predicted one (reference code) or the ground truth. */
    eraseClass: z.enum(['predicted', 'groundTruth']).default('predicted'),
    /** Width of the two 3x3 convs of each head before the backbone's width multiplier (reference: 1024). */
    headChannels: z.number().int().positive().default(1024),
  })
  .strict();
export type AcolHyperparams = z.infer<typeof AcolHyperparams>;

/** ACoL: two classifier heads; B is trained on the features with A's discriminative region erased. */
export const method = defineMethod<AcolHyperparams, AcolModel>({
  id: 'acol',
  title: 'ACoL',
  paperKey: 'ACoL (Zhang et al., 2018a)',
  summary: { trained: 'heads A and B, B on erased features', map: 'max(minmax A, minmax B)' },
  citation:
    'Zhang, Wei, Feng, Yang, Huang. Adversarial Complementary Learning for Weakly Supervised Object Localization. CVPR 2018.',
  family: 'erasing',
  hyperparams: AcolHyperparams,
  searchSpace: {
    threshold: { min: 0.05, max: 0.95, scaling: 'linear' },
  },
  requirements: {},
  build: (backbone, ctx) => buildAcol(backbone, ctx),
  loss(model, batch, ctx) {
    const labels = ctx.hp.eraseClass === 'groundTruth' ? Array.from(batch.labels.dataSync()) : undefined;
    const out = model.forward(batch.images, { training: true, rng: ctx.rng }, labels);
    return tf.add(crossEntropy(out.logitsA, batch.labels), crossEntropy(out.logitsB, batch.labels));
  },
  localize(model, images, classes) {
    return tf.tidy(() => {
      const out = model.forward(images, { training: false }, classes);
      return acolMap(out.mapsA, out.mapsB, classes);
    });
  },
  classify(model, images) {
    // The reference's logits are head A's (branch B is not needed).
    return tf.tidy(() =>
      globalAveragePool(model.headA.apply(model.backbone.forward(images, { training: false }).features)),
    );
  },
});

export default method;
