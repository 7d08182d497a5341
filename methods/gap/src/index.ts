import { definePoolingMethod, globalAveragePool, poolingHeadFields } from '@wslbench/heads';
import { z } from 'zod';

export const GapHyperparams = z.object({ ...poolingHeadFields }).strict();
export type GapHyperparams = z.infer<typeof GapHyperparams>;

/** GAP: 1x1-conv class maps, logit = spatial mean of the class map; map = the class map (reference `core.GAP`). */
export const method = definePoolingMethod<GapHyperparams>({
  id: 'gap',
  title: 'GAP',
  paperKey: 'GAP (Lin et al., 2013)',
  summary: { trained: '1x1 conv -> class maps, mean', map: 'class map, min-max' },
  citation: 'Lin, Chen, Yan. Network In Network. ICLR 2014.',
  hyperparams: GapHyperparams,
  searchSpace: {},
  referenceOptions: {
    supportBackground: 'reference `support_background`: an extra background map 0, dropped from the logits',
  },
  pool: globalAveragePool,
});

export default method;
