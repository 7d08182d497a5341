import type { ForwardContext } from '@wslbench/core';
import { crossEntropy, defineCamMethod } from '@wslbench/heads';
import { z } from 'zod';
import { adlInsertHook } from './adl-layer.js';

export { type AdlOptions, adlAttention, adlDropMask, adlInsertHook, adlTrain } from './adl-layer.js';

export const AdlHyperparams = z
  .object({
    /** NEGEV config default 0.4 (wsolevaluation: 0.75). */
    dropRate: z.number().min(0).max(1).default(0.4),
    /** NEGEV config default 0.1 (wsolevaluation: 0.8). */
    threshold: z.number().min(0).max(1).default(0.1),
  })
  .strict();
export type AdlHyperparams = z.infer<typeof AdlHyperparams>;

/**
 * ADL: the WGAP (CAM) classifier with Attention-based Dropout Layers at the backbone's insertion points
 * (training only); CAM map.
 */
export const method = defineCamMethod<AdlHyperparams>({
  id: 'adl',
  title: 'ADL',
  paperKey: 'ADL (Choe and Shim, 2019)',
  summary: { trained: "WGAP with ADL layers at the backbone's insertion points", map: 'CAM' },
  citation: 'Choe, Shim. Attention-based Dropout Layer for Weakly Supervised Object Localization. CVPR 2019.',
  family: 'erasing',
  hyperparams: AdlHyperparams,
  searchSpace: {
    dropRate: { min: 0.1, max: 0.9, scaling: 'linear' },
    threshold: { min: 0.05, max: 0.95, scaling: 'linear' },
  },
  loss(model, batch, ctx) {
    const fctx: ForwardContext = { training: true, rng: ctx.rng };
    fctx.insert = adlInsertHook(ctx.hp, fctx);
    return crossEntropy(model.forward(batch.images, fctx).logits, batch.labels);
  },
  // ADL is the identity at inference: plain CAM (the reference's mean_k(w·A) is CAM / K, equal after min-max).
});

export default method;
