import { definePoolingMethod, poolingHeadFields } from '@wslbench/heads';
import { z } from 'zod';
import { wildcatPool } from './wildcat-pool.js';

export { positionCount, roundHalfEven } from './positions.js';
export { bottomKMean, topKMean, type WildcatPoolOptions, wildcatPool } from './wildcat-pool.js';

/** k in (0, 1) is a fraction of the positions, k >= 1 an integer count. */
const positions = (what: string) =>
  z
    .number()
    .min(0)
    .refine((v) => v < 1 || Number.isInteger(v), `${what} >= 1 is a count of positions and must be an integer`);

export const WildcatHyperparams = z
  .object({
    ...poolingHeadFields,
    /** Maps per class (m), averaged class-wise into the class map. */
    modalities: z.number().int().positive().default(5),
    kmax: positions('kmax')
      .refine((v) => v > 0, 'kmax must be > 0')
      .default(0.5),
    /** 0 turns the bottom-k term off. */
    kmin: positions('kmin').default(0.1),
    alpha: z.number().min(0).default(0.6),
    /** Reference code: the kmin/alpha term is dropped, the logit is the top-kmax mean only. */
    referenceDropKmin: z.boolean().default(false),
  })
  .strict();
export type WildcatHyperparams = z.infer<typeof WildcatHyperparams>;

/** WILDCAT: m maps per class averaged into class maps; logit = top-kmax mean + alpha * bottom-kmin mean. */
export const method = definePoolingMethod<WildcatHyperparams>({
  id: 'wildcat',
  title: 'WILDCAT',
  paperKey: 'WILDCAT (Durand et al., 2017)',
  summary: { trained: 'm modalities, top-kmax + α bottom-kmin', map: 'class map' },
  citation:
    'Durand, Mordan, Thome, Cord. WILDCAT: Weakly Supervised Learning of Deep ConvNets for Image Classification, Pointwise Localization and Segmentation. CVPR 2017.',
  hyperparams: WildcatHyperparams,
  searchSpace: {
    modalities: { feasiblePoints: [1, 3, 5, 8] },
    kmax: { min: 0.05, max: 0.9, scaling: 'linear' },
    kmin: { min: 0, max: 0.5, scaling: 'linear' },
    alpha: { min: 0, max: 1, scaling: 'linear' },
  },
  referenceOptions: {
    referenceDropKmin:
      'reference `WildCatPoolDecision`: `scores.add(min_term).div_(2.)` is not kept, so the logit is the top-kmax mean only',
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  modalities: (hp) => hp.modalities,
  pool: (maps, hp) =>
    wildcatPool(maps, { kmax: hp.kmax, kmin: hp.kmin, alpha: hp.alpha, dropKmin: hp.referenceDropKmin }),
});

export default method;
