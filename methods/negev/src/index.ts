import * as tf from '@tensorflow/tfjs-core';
import { defineMethod } from '@wslbench/core';
import { foregroundProbability, weightedPixelCrossEntropy } from '@wslbench/decoder';
import { z } from 'zod';
import { buildNegev, type NegevModel } from './model.js';
import { negevPixelWeights } from './pixel-weights.js';

export { buildNegev, CLASSIFIER_HEAD_PREFIX, type NegevModel, referenceDecoderGroup } from './model.js';
export { type NegevPixelWeights, type NegevTermOptions, negevPixelWeights } from './pixel-weights.js';
export { IGNORE, type SeedOptions, sampleSeeds, sampleWithoutReplacement, seedLabelMap, topN } from './sampler.js';

export const NegevHyperparams = z
  .object({
    /** Pixels sampled per region and image at every step (paper: n = 1; reference code: 10). */
    n: z.number().int().min(1).default(1),
    /** λ of the evidence term (paper: 1). */
    lambda: z.number().positive().default(1),
    /** Which evidence is used: C⁺ and C⁻ (paper), C⁺ only, C⁻ only (Table 2 ablation). */
    evidence: z.enum(['both', 'positive', 'negative']).default('both'),
    /** The fully negative term D⁻ on images flagged fully negative (no effect on datasets without any). */
    fullyNegative: z.boolean().default(true),
    /** Fresh multinomial draws at every step (paper) or fixed top-n / bottom-n pixels (Table 3 ablation). */
    selection: z.enum(['random', 'static']).default('random'),
    /** Background sampling weights: 1 − C (paper Eq. 1) or 1 − C/ΣC (reference code: nearly uniform). */
    background: z.enum(['one-minus-cam', 'reference']).default('one-minus-cam'),
    /** Seed dilation ksz x ksz (reference `sl_ksz`; 1 = none). */
    dilation: z
      .number()
      .int()
      .min(1)
      .refine((k) => k % 2 === 1, { message: 'dilation must be odd' })
      .default(1),
    /** Loss normalisation: 'mean' (reference code, gives the published numbers) or 'sum' (Eq. 4 as written). */
    reduction: z.enum(['mean', 'sum']).default('mean'),
    /** Decoder channels = 256-128-64-32-16 x backbone width x decoderScale (1 / width: the paper's decoder). */
    decoderScale: z.number().positive().max(16).default(1),
    /** Decoder lr group: 'reference' = base for ResNet50, 10x (head) for VGG16 / InceptionV3. */
    decoderLrGroup: z.enum(['reference', 'base', 'head']).default('reference'),
  })
  .strict();
export type NegevHyperparams = z.infer<typeof NegevHyperparams>;

/**
 * NEGEV (Belharbi et al., MIDL 2022): a U-Net decoder on top of a frozen CAM classifier, trained from n pixels
 * sampled per region from the CAM (positive / negative evidence) plus fully negative images.
 */
export const method = defineMethod<NegevHyperparams, NegevModel>({
  id: 'negev',
  title: 'NEGEV',
  paperKey: 'NEGEV (ours)',
  summary: {
    trained: 'U-Net decoder on the frozen CAM classifier, sampled C⁺/C⁻ pixels + D⁻',
    map: 'S¹ (probability)',
  },
  citation:
    'Belharbi, Pedersoli, Ben Ayed, McCaffrey, Granger. Negative Evidence Matters in Interpretable Histology Image Classification. MIDL 2022.',
  family: 'decoder',
  hyperparams: NegevHyperparams,
  // Paper App. C.4: λ chosen on validation from {1, 0.1} (the lr is searched by the trainer).
  searchSpace: { lambda: { feasiblePoints: [1, 0.1] } },
  requirements: { classifierFrom: 'cam', fullyNegative: true },
  referenceOptions: {
    n: 'reference code samples 10 + 10 pixels (the seeder reads sl_min/sl_max, defaults 10) although its README passes 1',
    background: "'reference': background drawn from 1 − C/ΣC (nearly uniform), not 1 − C",
    dilation: 'reference sl_ksz (default 1; the README passes 3 to an unused key)',
    reduction: "'mean': the code's means (published numbers); 'sum': Eq. 4 as written",
    decoderLrGroup: "'reference': the code's parameter groups (decoder at 10x lr except for ResNet50)",
  },
  build: (backbone, ctx) => buildNegev(backbone, ctx, ctx.hp),
  loss(model, batch, ctx) {
    model.ensureFrozenWeights();
    const hp = ctx.hp;
    const [n, h, w] = [batch.images.shape[0], batch.images.shape[1], batch.images.shape[2]];
    if (batch.fullyNegative.length !== n)
      throw new Error(`NEGEV: batch.fullyNegative has ${batch.fullyNegative.length} entries for ${n} images`);
    const { features, seg } = model.forward(batch.images, true);
    // Pseudo-labels on the augmented crop: outside any gradient (read back to JS for the sampler).
    const classes = Array.from(batch.labels.dataSync());
    const cams = tf.tidy(() => model.pseudoLabelCams(features, classes, [h, w]).dataSync() as Float32Array);
    const weights = negevPixelWeights(cams, batch.fullyNegative, h, w, hp, ctx.rng);
    const bg = tf.tensor3d(weights.bg, [n, h, w]);
    const fg = tf.tensor3d(weights.fg, [n, h, w]);
    // Zero weights keep the graph connected (zero gradient) when a batch has no labelled pixel at all.
    return weightedPixelCrossEntropy(seg, bg, fg);
  },
  localize(model, images) {
    model.ensureFrozenWeights();
    return tf.tidy(() => foregroundProbability(model.forward(images, false).seg));
  },
  classify(model, images) {
    model.ensureFrozenWeights();
    return tf.tidy(() => model.forward(images, false).logits);
  },
});

export default method;
