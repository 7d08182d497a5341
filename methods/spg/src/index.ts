import * as tf from '@tensorflow/tfjs-core';
import { defineMethod } from '@wslbench/core';
import { crossEntropy, globalAveragePool, predictedClasses, selectClassMaps } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import { z } from 'zod';
import { buildSpg, type SpgModel } from './spg.js';
import { spgGuidanceLoss } from './spg-loss.js';

export {
  FALLBACK_FOREGROUND_RATIO,
  type GuidanceMask,
  guidanceMask,
  MIN_FOREGROUND_PIXELS_AT_224,
  maskedBceWithLogits,
  minForegroundPixels,
} from './guidance.js';
export { buildSpg, DEFAULT_SIDE_TAPS, type SpgModel, type SpgOutput, sideTapsFor } from './spg.js';
export { spgGuidanceLoss, type ThresholdPair } from './spg-loss.js';

const pair = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

export const SpgHyperparams = z
  .object({
    /** (high, low) for B2 <- SPG-A map, B1 <- sigmoid(B2), C <- fused B attention (reference spg_thresholds). */
    thresholds: z.tuple([pair, pair, pair]).default([
      [0.7, 0.01],
      [0.5, 0.05],
      [0.7, 0.1],
    ]),
    /** Class whose SPG-A map guides B2 in training: predicted (reference code) or ground truth. */
    guidanceClass: z.enum(['predicted', 'groundTruth']).default('predicted'),
    /** Width of the side-branch / SPG-C convs before the backbone's width multiplier (reference: 512). */
    headChannels: z.number().int().positive().default(512),
    /** Backbone taps feeding SPG_B_1a and SPG_B_2a (default per backbone: see README). */
    sideTaps: z.array(z.string()).length(2).optional(),
  })
  .strict();
export type SpgHyperparams = z.infer<typeof SpgHyperparams>;

/** SPG: CE on the SPG-A class maps plus three self-produced guidance BCE losses; map = SPG-A class map. */
export const method = defineMethod<SpgHyperparams, SpgModel>({
  id: 'spg',
  title: 'SPG',
  paperKey: 'SPG (Zhang et al., 2018b)',
  summary: { trained: 'SPG-A/B/C branches + 3 BCE guidance losses', map: 'SPG-A class map' },
  citation:
    'Zhang, Wei, Kang, Yang, Huang. Self-produced Guidance for Weakly-supervised Object Localization. ECCV 2018.',
  family: 'erasing',
  hyperparams: SpgHyperparams,
  searchSpace: {},
  requirements: {},
  build: (backbone, ctx) => buildSpg(backbone, ctx),
  loss(model, batch, ctx) {
    const out = model.forward(batch.images, { training: true, rng: ctx.rng });
    const classes =
      ctx.hp.guidanceClass === 'groundTruth' ? Array.from(batch.labels.dataSync()) : predictedClasses(out.logits);
    const [, h, w] = batch.images.shape;
    return tf.add(crossEntropy(out.logits, batch.labels), spgGuidanceLoss(out, classes, [h, w], ctx.hp.thresholds));
  },
  localize(model, images, classes) {
    return tf.tidy(() =>
      minMaxNormalize(selectClassMaps(model.classMaps(images, { training: false }), classes, false)),
    );
  },
  classify(model, images) {
    return tf.tidy(() => globalAveragePool(model.classMaps(images, { training: false })));
  },
});

export default method;
