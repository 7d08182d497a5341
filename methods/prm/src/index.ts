import { definePoolingMethod, poolingHeadFields } from '@wslbench/heads';
import { z } from 'zod';
import { peakStimulationPool, simplifiedPrmPool } from './peaks.js';

export { lowerMedian, type PeakFilter, peakMask, peakStimulationPool, simplifiedPrmPool } from './peaks.js';

export const PrmHyperparams = z
  .object({
    ...poolingHeadFields,
    /** Peaks are local maxima in a window x window neighbourhood (also the reference's prm_ks). */
    peakWindow: z
      .number()
      .int()
      .positive()
      .refine((v) => v % 2 === 1, 'peakWindow must be odd')
      .default(3),
    /** 'median': keep only peaks at or above the map's median (the official PRM code's default filter). */
    peakFilter: z.enum(['none', 'median']).default('none'),
    /** Survey code: max-pool (stride 1, no padding) + global mean instead of peak stimulation. */
    referenceSimplified: z.boolean().default(false),
  })
  .strict();
export type PrmHyperparams = z.infer<typeof PrmHyperparams>;

/** PRM: class response maps from a 1x1 conv, class score = mean of the map at its local peaks; map = the response map. */
export const method = definePoolingMethod<PrmHyperparams>({
  id: 'prm',
  title: 'PRM',
  paperKey: 'PRM (Zhou et al., 2018)',
  summary: { trained: 'peak stimulation', map: 'class response map' },
  citation: 'Zhou, Zhu, Ye, Qiu, Jiao. Weakly Supervised Instance Segmentation using Class Peak Response. CVPR 2018.',
  hyperparams: PrmHyperparams,
  searchSpace: {
    peakWindow: { feasiblePoints: [3, 5] },
    peakFilter: { feasiblePoints: ['none', 'median'] },
  },
  referenceOptions: {
    referenceSimplified:
      'survey code `poolings/core.py::PRM`: 3x3 max-pool (stride 1, no padding) then global mean; no peak back-propagation',
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  pool: (maps, hp) =>
    hp.referenceSimplified
      ? simplifiedPrmPool(maps, hp.peakWindow)
      : peakStimulationPool(maps, hp.peakWindow, hp.peakFilter),
});

export default method;
