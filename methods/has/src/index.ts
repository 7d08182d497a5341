import { crossEntropy, defineCamMethod } from '@wslbench/heads';
import { z } from 'zod';
import { hideAndSeek } from './hide-and-seek.js';

export { hideAndSeek, hidePatchesMask, scaledGridSize } from './hide-and-seek.js';

export const HasHyperparams = z
  .object({
    /** Patch side in pixels at a 224 px input (scaled with the input size). Reference config: 5 (wsolevaluation: 4). */
    gridSize: z.number().int().positive().default(5),
    /** Probability that a patch is hidden. */
    dropRate: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type HasHyperparams = z.infer<typeof HasHyperparams>;

/** Hide-and-Seek: the WGAP (CAM) classifier trained on images whose grid patches are randomly zeroed; CAM map. */
export const method = defineCamMethod<HasHyperparams>({
  id: 'has',
  title: 'HaS',
  paperKey: 'HaS (Singh and Lee, 2017)',
  summary: { trained: 'WGAP, grid patches hidden in training', map: 'CAM' },
  citation:
    'Singh, Lee. Hide-and-Seek: Forcing a Network to be Meticulous for Weakly-supervised Object and Action Localization. ICCV 2017.',
  family: 'erasing',
  hyperparams: HasHyperparams,
  searchSpace: {
    gridSize: { feasiblePoints: [4, 5, 8, 16, 32, 56] },
    dropRate: { min: 0.1, max: 0.9, scaling: 'linear' },
  },
  loss(model, batch, ctx) {
    const hidden = hideAndSeek(batch.images, ctx.hp.gridSize, ctx.hp.dropRate, ctx.rng);
    const { logits } = model.forward(hidden, { training: true, rng: ctx.rng });
    return crossEntropy(logits, batch.labels);
  },
  // Inference is plain CAM: hiding happens in training only.
});

export default method;
