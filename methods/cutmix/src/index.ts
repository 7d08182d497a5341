import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, defineCamMethod } from '@wslbench/heads';
import { z } from 'zod';
import { cutmix } from './cutmix.js';

export { sampleBeta, sampleGamma } from './beta.js';
export { type Box, type CutmixResult, cutmix, cutmixBox, lambdaFromBox } from './cutmix.js';

export const CutmixHyperparams = z
  .object({
    /** β of λ ~ Beta(β, β). */
    beta: z.number().positive().default(1),
    /** Probability that a batch is mixed. */
    prob: z.number().min(0).max(1).default(1),
    /**
     * true (paper, reference code since a9d8beb, 2024-02-06): loss λ·CE(y_a) + (1−λ)·CE(y_b).
     * false (reference code before the fix, when the paper's numbers were produced): mixed images, plain CE on y_a.
     */
    mixLabels: z.boolean().default(true),
  })
  .strict();
export type CutmixHyperparams = z.infer<typeof CutmixHyperparams>;

/** CutMix: the WGAP (CAM) classifier trained on box-mixed batches; CAM map. */
export const method = defineCamMethod<CutmixHyperparams>({
  id: 'cutmix',
  title: 'CutMix',
  paperKey: 'CutMix (Yun et al., 2019)',
  summary: { trained: 'WGAP on mixed images, λ-mixed labels', map: 'CAM' },
  citation:
    'Yun, Han, Oh, Chun, Choe, Yoo. CutMix: Regularization Strategy to Train Strong Classifiers with Localizable Features. ICCV 2019.',
  family: 'erasing',
  hyperparams: CutmixHyperparams,
  searchSpace: {
    beta: { min: 0.25, max: 4, scaling: 'log' },
    prob: { min: 0.1, max: 1, scaling: 'linear' },
  },
  referenceOptions: {
    mixLabels:
      'false = NEGEV code before commit a9d8beb (2024-02-06): cutmix_holder was not passed to the loss, so mixed images were trained with plain CE on their own labels (the state of the paper numbers)',
  },
  loss(model, batch, ctx) {
    const { beta, prob, mixLabels } = ctx.hp;
    if (!(ctx.rng() < prob)) {
      return crossEntropy(model.forward(batch.images, { training: true, rng: ctx.rng }).logits, batch.labels);
    }
    const mixed = cutmix(batch.images, beta, ctx.rng);
    const { logits } = model.forward(mixed.images, { training: true, rng: ctx.rng });
    const ownLabels = crossEntropy(logits, batch.labels);
    if (!mixLabels) return ownLabels;
    const pastedLabels = crossEntropy(logits, tf.gather(batch.labels, tf.tensor1d(mixed.perm, 'int32')));
    return tf.add(tf.mul(ownLabels, mixed.lam), tf.mul(pastedLabels, 1 - mixed.lam));
  },
});

export default method;
